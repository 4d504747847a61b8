/* stats.c - a Parquet file's row-group column statistics combined into one Delta stats JSON object. */
#include "formats/dataset/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

/* Longest string kept as a bound; a longer minimum is cut (still a lower
 * bound), a longer maximum is left out (a cut one would not bound). */
#define MAX_STAT_STRING 256

typedef enum vkind { V_NONE = 0, V_I64, V_U64, V_DBL, V_STR, V_DEC, V_DATE, V_TS } vkind;

typedef struct sval {
    vkind kind;
    int64_t i;
    uint64_t u;
    double d;
    __int128 dec;
    const uint8_t *s;
    uint32_t len;
} sval;

typedef struct leaf_stats {
    sval min, max;
    bool min_ok, max_ok;       /* still known over every row group so far */
    int64_t nulls;
    bool nulls_ok;
    bool eligible;
} leaf_stats;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Microseconds of a timestamp value in unit u (rounded up for maxima). */
static bool ts_micros(int64_t v, pq_time_unit u, bool ceil, int64_t *out)
{
    if (u == PQ_MILLIS) {
        if (v > INT64_MAX / 1000 || v < INT64_MIN / 1000)
            return false;
        *out = v * 1000;
    } else if (u == PQ_NANOS) {
        int64_t q = v / 1000, r = v % 1000;
        if (r < 0)
            q--, r += 1000;
        *out = (ceil && r) ? q + 1 : q;
    } else {
        *out = v;
    }
    return true;
}

/* Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k = (c >= 0xc2 && c <= 0xdf) ? 1 : (c >= 0xe0 && c <= 0xef) ? 2 : (c >= 0xf0 && c <= 0xf4) ? 3 : 0;
        if (k == 0 || k >= n - i)
            return false;
        uint8_t c1 = s[i + 1];
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) || (c == 0xf0 && c1 < 0x90) ||
            (c == 0xf4 && c1 >= 0x90))
            return false;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
        i += k + 1;
    }
    return true;
}

/* Decodes one plain-encoded bound of leaf n.  false: not usable as a bound. */
static bool decode(const pq_node *n, const uint8_t *p, uint32_t len, bool legacy, bool is_max, sval *v)
{
    const pq_logical_type *lt = &n->logical;
    memset(v, 0, sizeof *v);
    if (lt->kind == PQ_LT_DECIMAL) {
        if (n->physical == PQ_INT32 && len == 4) {
            v->kind = V_DEC, v->dec = (int32_t)le32(p);
            return true;
        }
        if (n->physical == PQ_INT64 && len == 8) {
            v->kind = V_DEC, v->dec = (int64_t)le64(p);
            return true;
        }
        if ((n->physical == PQ_BYTE_ARRAY || n->physical == PQ_FIXED_LEN_BYTE_ARRAY) && !legacy &&
            len >= 1 && len <= 16) {
            __int128 x = (p[0] & 0x80) ? -1 : 0;
            for (uint32_t i = 0; i < len; i++)
                x = (__int128)(((unsigned __int128)x << 8) | p[i]);
            v->kind = V_DEC, v->dec = x;
            return true;
        }
        return false;
    }
    switch (n->physical) {
    case PQ_INT32:
        if (len != 4 || lt->kind == PQ_LT_TIME)
            return false;
        if (lt->kind == PQ_LT_INTEGER && !lt->is_signed) {
            if (legacy)
                return false;
            v->kind = V_I64, v->i = (int64_t)le32(p);
            return true;
        }
        v->kind = lt->kind == PQ_LT_DATE ? V_DATE : V_I64;
        v->i = (int32_t)le32(p);
        return true;
    case PQ_INT64:
        if (len != 8 || lt->kind == PQ_LT_TIME)
            return false;
        if (lt->kind == PQ_LT_INTEGER && !lt->is_signed) {
            if (legacy)
                return false;
            v->kind = V_U64, v->u = le64(p);
            return true;
        }
        if (lt->kind == PQ_LT_TIMESTAMP) {
            v->kind = V_TS;
            return ts_micros((int64_t)le64(p), lt->unit, is_max, &v->i);
        }
        v->kind = V_I64, v->i = (int64_t)le64(p);
        return true;
    case PQ_FLOAT: {
        if (len != 4)
            return false;
        float f;
        memcpy(&f, p, 4);
        v->kind = V_DBL, v->d = f;
        return !isnan(v->d);
    }
    case PQ_DOUBLE:
        if (len != 8)
            return false;
        memcpy(&v->d, p, 8);
        v->kind = V_DBL;
        return !isnan(v->d);
    case PQ_BYTE_ARRAY:
        if (legacy || !(lt->kind == PQ_LT_STRING || lt->kind == PQ_LT_ENUM || lt->kind == PQ_LT_JSON))
            return false;
        /* Invalid UTF-8 has no JSON form; NUL is refused by many JSON readers. */
        if (!utf8_valid(p, len) || memchr(p, 0, len) != NULL)
            return false;
        if (len > MAX_STAT_STRING) {
            if (is_max)
                return false;
            len = MAX_STAT_STRING;
            while (len > 0 && (p[len] & 0xc0) == 0x80)
                len--;
        }
        v->kind = V_STR, v->s = p, v->len = len;
        return true;
    default:
        return false;   /* booleans, INT96, binary, fixed: no bounds in Delta stats */
    }
}

static int cmp(const sval *a, const sval *b)
{
    switch (a->kind) {
    case V_I64:
    case V_DATE:
    case V_TS:
        return a->i < b->i ? -1 : a->i > b->i;
    case V_U64:
        return a->u < b->u ? -1 : a->u > b->u;
    case V_DBL:
        return a->d < b->d ? -1 : a->d > b->d;
    case V_DEC:
        return a->dec < b->dec ? -1 : a->dec > b->dec;
    case V_STR: {
        uint32_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->s, b->s, n);
        return c ? c : a->len < b->len ? -1 : a->len > b->len;
    }
    default:
        return 0;
    }
}

static int put_i128(os_buf *out, __int128 v, int scale)
{
    char digits[48];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u && n < 45);
    while (n <= scale)
        digits[n++] = '0';
    if (neg && os_buf_putc(out, '-'))
        return -1;
    for (int i = n - 1; i >= 0; i--) {
        if (os_buf_putc(out, digits[i]))
            return -1;
        if (i == scale && scale > 0 && os_buf_putc(out, '.'))
            return -1;
    }
    return 0;
}

static int put_value(os_buf *out, const pq_node *n, const sval *v)
{
    switch (v->kind) {
    case V_I64:
        return os_buf_put_i64(out, v->i);
    case V_U64:
        return os_buf_printf(out, "%llu", (unsigned long long)v->u);
    case V_DBL:
        if (isinf(v->d))
            return os_buf_puts(out, v->d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return os_buf_printf(out, "%.17g", v->d);
    case V_DEC:
        return put_i128(out, v->dec, n->logical.scale);
    case V_DATE: {
        int64_t y;
        unsigned m, d;
        os_civil_from_days(v->i, &y, &m, &d);
        return os_buf_printf(out, "\"%04lld-%02u-%02u\"", (long long)y, m, d);
    }
    case V_TS: {
        int64_t days = v->i / 86400000000LL, rem = v->i % 86400000000LL;
        if (rem < 0)
            days--, rem += 86400000000LL;
        int64_t y;
        unsigned m, d;
        os_civil_from_days(days, &y, &m, &d);
        int64_t secs = rem / 1000000, us = rem % 1000000;
        bool utc = n->logical.kind == PQ_LT_TIMESTAMP ? n->logical.utc_adjusted : true;
        return os_buf_printf(out, "\"%04lld-%02u-%02uT%02d:%02d:%02d.%06d%s\"", (long long)y, m, d,
                             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), (int)us,
                             utc ? "Z" : "");
    }
    case V_STR:
        return pq_json_string(out, v->s, v->len);
    default:
        return os_buf_puts(out, "null");
    }
}

enum { W_MIN, W_MAX, W_NULLS };

/* Writes the entries of struct node `st` for `which`; returns 1 when it wrote
 * something, 0 when nothing, -1 out of memory. */
static int write_obj(os_buf *out, const pq_node *st, const leaf_stats *ls, int which, int depth)
{
    int wrote = 0;
    if (depth > 64)
        return 0;
    for (size_t i = 0; i < st->num_children; i++) {
        const pq_node *c = st->children[i];
        if (c->repetition == PQ_REPEATED)
            continue;
        size_t mark = out->len;
        if (os_buf_puts(out, wrote ? "," : "") || pq_json_string(out, (const uint8_t *)c->name, strlen(c->name)) ||
            os_buf_putc(out, ':'))
            return -1;
        int got = 0;
        if (c->kind == PQ_NODE_STRUCT) {
            if (os_buf_putc(out, '{'))
                return -1;
            got = write_obj(out, c, ls, which, depth + 1);
            if (got < 0 || (got > 0 && os_buf_putc(out, '}')))
                return -1;
        } else if (c->kind == PQ_NODE_PRIMITIVE && c->leaf_index >= 0) {
            const leaf_stats *l = &ls[c->leaf_index];
            if (l->eligible) {
                if (which == W_NULLS && l->nulls_ok)
                    got = os_buf_put_i64(out, l->nulls) ? -1 : 1;
                else if (which == W_MIN && l->min_ok && l->min.kind)
                    got = put_value(out, c, &l->min) ? -1 : 1;
                else if (which == W_MAX && l->max_ok && l->max.kind)
                    got = put_value(out, c, &l->max) ? -1 : 1;
            }
            if (got < 0)
                return -1;
        }
        if (got == 0) {
            out->len = mark;
            out->data[mark] = '\0';
        } else {
            wrote = 1;
        }
    }
    return wrote;
}

static bool eligible(const pq_node *leaf)
{
    for (const pq_node *n = leaf; n && n->parent; n = n->parent)
        if (n->repetition == PQ_REPEATED || (n != leaf && n->kind != PQ_NODE_STRUCT))
            return false;
    return true;
}

int ds_stats_of_file(const pq_file *f, os_buf *out, os_err *err)
{
    os_buf_reset(out);
    size_t ncols = pq_file_num_columns(f), nrg = pq_file_num_row_groups(f);
    leaf_stats *ls = calloc(ncols ? ncols : 1, sizeof *ls);
    if (ls == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    for (size_t c = 0; c < ncols; c++) {
        const pq_node *leaf = pq_file_column(f, c);
        leaf_stats *l = &ls[c];
        l->eligible = leaf && eligible(leaf);
        l->min_ok = l->max_ok = l->nulls_ok = true;
        for (size_t rg = 0; rg < nrg && l->eligible; rg++) {
            pq_chunk_info ci;
            os_err e;
            if (pq_file_chunk_info(f, rg, c, &ci, &e) != 0) {
                l->min_ok = l->max_ok = l->nulls_ok = false;
                break;
            }
            int64_t rows = pq_file_row_group_num_rows(f, rg);
            if (ci.stats.has_null_count && ci.stats.null_count >= 0)
                l->nulls += ci.stats.null_count;
            else
                l->nulls_ok = false;
            if (rows == 0 || (ci.stats.has_null_count && ci.stats.null_count >= rows))
                continue;   /* nothing but nulls: no bound needed */
            sval v;
            if (l->min_ok) {
                if (ci.stats.has_min && decode(leaf, ci.stats.min, ci.stats.min_len, ci.stats.legacy_min_max, false, &v)) {
                    if (!l->min.kind || cmp(&v, &l->min) < 0)
                        l->min = v;
                } else {
                    l->min_ok = false;
                }
            }
            if (l->max_ok) {
                if (ci.stats.has_max && decode(leaf, ci.stats.max, ci.stats.max_len, ci.stats.legacy_min_max, true, &v)) {
                    if (!l->max.kind || cmp(&v, &l->max) > 0)
                        l->max = v;
                } else {
                    l->max_ok = false;
                }
            }
        }
    }
    const pq_node *root = pq_file_schema(f);
    int rc = os_buf_printf(out, "{\"numRecords\":%lld", (long long)pq_file_num_rows(f));
    static const char *const names[] = {"minValues", "maxValues", "nullCount"};
    for (int w = 0; w < 3 && rc == 0 && root; w++) {
        size_t mark = out->len;
        rc = os_buf_printf(out, ",\"%s\":{", names[w]);
        int got = rc ? -1 : write_obj(out, root, ls, w, 0);
        if (got < 0)
            rc = -1;
        else if (got == 0) {
            out->len = mark;
            out->data[mark] = '\0';
        } else {
            rc = os_buf_putc(out, '}');
        }
    }
    if (rc == 0)
        rc = os_buf_putc(out, '}');
    free(ls);
    if (rc != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}
