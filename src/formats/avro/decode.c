/* decode.c - Avro binary encoding to values: zigzag varints, strings, blocks of arrays and maps, into an arena. */
#include "formats/avro/internal.h"

#include <stdio.h>
#include <string.h>

int avro_read_long(avro_cursor *c, int64_t *v, os_err *err)
{
    uint64_t u = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (c->p == c->end)
            return os_err_set(err, OS_ECORRUPT, "a varint is cut off by the end of the data");
        uint8_t b = *c->p++;
        /* Of a tenth byte only the lowest bit fits; the others are dropped,
         * as Java's decoder does (writers that encode an id of 2^63 or more
         * as 65 bits exist: a manifest list of duckdb-iceberg's test tables). */
        u |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        if (shift == 63)
            return os_err_set(err, OS_ECORRUPT, "a varint is longer than 10 bytes");
    }
    *v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return 0;
}

/* avro_read_long on the decoder's cursor, with one-byte values (most ids,
 * counts, lengths and union branches) read inline. */
static inline int read_long(avro_decoder *d, int64_t *v)
{
    if (d->cur.p < d->cur.end && !(*d->cur.p & 0x80)) {
        uint8_t b = *d->cur.p++;
        *v = (int64_t)(b >> 1) ^ -(int64_t)(b & 1);
        return 0;
    }
    return avro_read_long(&d->cur, v, d->err);
}

/* Prepends one step of the path to the fault ("field 'x'") while the message
 * has room; past that the outer steps become one "...".  Returns -1. */
static int wrap(os_err *err, const char *step)
{
    if (err == NULL)
        return -1;
    if (strlen(err->msg) > 300) {
        if (strncmp(err->msg, "...: ", 5))
            os_err_wrap(err, "...");
        return -1;
    }
    return os_err_wrap(err, "%s", step);
}

/* wrap() with the step "what N". */
static int wrap_index(os_err *err, const char *what, size_t i)
{
    char step[128];
    snprintf(step, sizeof step, "%s %zu", what, i);
    return wrap(err, step);
}

static size_t left(const avro_decoder *d)
{
    return (size_t)(d->cur.end - d->cur.p);
}

/* Whether n more bytes stay within the record's budget (the arena bytes
 * taken since the record began, and those skipped values would have taken). */
static int within_budget(avro_decoder *d, size_t n)
{
    size_t used = d->arena->total - d->arena_start + d->skipped;
    if (n > d->max_record_bytes || used > d->max_record_bytes - n)
        return os_err_set(d->err, OS_ELIMIT, "the record needs more than %zu bytes of memory (max_record_bytes)",
                          d->max_record_bytes);
    return 0;
}

/* Arena memory within the record's budget. */
static void *alloc(avro_decoder *d, size_t n)
{
    if (within_budget(d, n) != 0)
        return NULL;
    void *p = os_arena_alloc(d->arena, n);
    if (p == NULL)
        os_err_set(d->err, OS_ENOMEM, "out of memory decoding a record");
    return p;
}

/* What alloc(d, n) would have taken, for a value that is skipped: the same
 * check, and the size the arena would have counted (rounded up to its
 * alignment, as os_arena_alloc does). */
static int charge(avro_decoder *d, size_t n)
{
    if (within_budget(d, n) != 0)
        return -1;
    const size_t align = sizeof(max_align_t);
    d->skipped += n ? (n + align - 1) & ~(align - 1) : align;
    return 0;
}

static int read_length(avro_decoder *d, const char *what, size_t *n)
{
    int64_t v = 0;
    if (read_long(d, &v))
        return -1;
    if (v < 0)
        return os_err_set(d->err, OS_ECORRUPT, "%s length %lld is negative", what, (long long)v);
    if ((uint64_t)v > left(d))
        return os_err_set(d->err, OS_ECORRUPT, "%s length %lld exceeds the %zu bytes left", what, (long long)v,
                          left(d));
    *n = (size_t)v;
    return 0;
}

/* Bytes of length n copied into the arena, NUL-terminated. */
static int copy_bytes(avro_decoder *d, size_t n, avro_value *out)
{
    uint8_t *p = alloc(d, n + 1);
    if (p == NULL)
        return -1;
    if (n)
        memcpy(p, d->cur.p, n);
    p[n] = '\0';
    d->cur.p += n;
    out->bytes = p;
    out->len = n;
    return 0;
}

static int read_fixed(avro_decoder *d, size_t n, uint8_t *dst)
{
    if (left(d) < n)
        return os_err_set(d->err, OS_ECORRUPT, "%zu bytes are needed but %zu are left", n, left(d));
    memcpy(dst, d->cur.p, n);
    d->cur.p += n;
    return 0;
}

/* The items of an array or the entries of a map: blocks of (count, items),
 * a negative count followed by the block's byte size, a zero count last. */
static int decode_blocks(avro_decoder *d, const avro_schema *s, avro_value *out, size_t depth)
{
    bool is_map = s->type == AVRO_MAP;
    size_t item_min = avro_node_of(s->items)->min_bytes;
    if (is_map && item_min < SIZE_MAX)
        item_min++;                /* the key's length */
    avro_value *items = NULL, *keys = NULL;
    size_t n = 0, cap = 0;
    for (uint64_t block = 0;; block++) {
        int64_t count = 0;
        if (read_long(d, &count))
            return os_err_wrap(d->err, "block %llu of the %s", (unsigned long long)block, is_map ? "map" : "array");
        if (count == 0)
            break;
        const uint8_t *start = NULL;
        size_t size = 0;
        if (count < 0) {
            if (count == INT64_MIN)
                return os_err_set(d->err, OS_ECORRUPT, "%s block count %lld is out of range",
                                  is_map ? "map" : "array", (long long)count);
            count = -count;
            if (read_length(d, is_map ? "map block byte" : "array block byte", &size))
                return -1;
            start = d->cur.p;
        }
        if (item_min && (uint64_t)count > left(d) / item_min)
            return os_err_set(d->err, OS_ECORRUPT, "%s block of %lld items cannot fit in the %zu bytes left",
                              is_map ? "map" : "array", (long long)count, left(d));
        if ((uint64_t)count > SIZE_MAX / 2 / sizeof(avro_value) - n)
            return os_err_set(d->err, OS_ELIMIT, "%s of %llu items needs more than %zu bytes of memory "
                              "(max_record_bytes)", is_map ? "map" : "array",
                              (unsigned long long)n + (unsigned long long)count, d->max_record_bytes);
        size_t need = n + (size_t)count;
        if (need > cap) {
            /* Double, so many small blocks cost at most twice the final size. */
            size_t ncap = need > cap * 2 ? need : cap * 2;
            avro_value *ni = alloc(d, ncap * sizeof *ni);
            avro_value *nk = is_map && ni ? alloc(d, ncap * sizeof *nk) : NULL;
            if (ni == NULL || (is_map && nk == NULL))
                return -1;
            if (n) {
                memcpy(ni, items, n * sizeof *ni);
                if (is_map)
                    memcpy(nk, keys, n * sizeof *nk);
            }
            items = ni;
            keys = nk;
            cap = ncap;
        }
        for (size_t i = n; i < need; i++) {
            if (is_map) {
                size_t kl = 0;
                keys[i].type = AVRO_STRING;
                keys[i].branch = -1;
                if (read_length(d, "map key", &kl) || copy_bytes(d, kl, &keys[i])) {
                    char step[64];
                    snprintf(step, sizeof step, "key of map entry %zu", i);
                    return wrap(d->err, step);
                }
            }
            if (avro_decode_value(d, s->items, &items[i], depth + 1)) {
                char step[160];
                if (is_map)
                    snprintf(step, sizeof step, "map value of key '%.100s'", (const char *)keys[i].bytes);
                else
                    snprintf(step, sizeof step, "array item %zu", i);
                return wrap(d->err, step);
            }
        }
        if (start && (size_t)(d->cur.p - start) != size)
            return os_err_set(d->err, OS_ECORRUPT, "a %s block declares %zu bytes but holds %zu",
                              is_map ? "map" : "array", size, (size_t)(d->cur.p - start));
        n = need;
    }
    out->items = items;
    out->keys = keys;
    out->n = n;
    return 0;
}

/* ---- skipping: the checks and the budget of decoding, nothing kept ---------- */

static int skip_value(avro_decoder *d, const avro_schema *s, size_t depth);

/* Bytes of length n, as copy_bytes would have taken them. */
static int skip_bytes(avro_decoder *d, size_t n)
{
    if (charge(d, n + 1) != 0)
        return -1;
    d->cur.p += n;
    return 0;
}

/* decode_blocks without keeping the items: the same checks in the same order,
 * and the same allocations charged. */
static int skip_blocks(avro_decoder *d, const avro_schema *s, size_t depth)
{
    bool is_map = s->type == AVRO_MAP;
    size_t item_min = avro_node_of(s->items)->min_bytes;
    if (is_map && item_min < SIZE_MAX)
        item_min++;
    size_t n = 0, cap = 0;
    for (uint64_t block = 0;; block++) {
        int64_t count;
        if (read_long(d, &count))
            return os_err_wrap(d->err, "block %llu of the %s", (unsigned long long)block, is_map ? "map" : "array");
        if (count == 0)
            break;
        const uint8_t *start = NULL;
        size_t size = 0;
        if (count < 0) {
            if (count == INT64_MIN)
                return os_err_set(d->err, OS_ECORRUPT, "%s block count %lld is out of range",
                                  is_map ? "map" : "array", (long long)count);
            count = -count;
            if (read_length(d, is_map ? "map block byte" : "array block byte", &size))
                return -1;
            start = d->cur.p;
        }
        if (item_min && (uint64_t)count > left(d) / item_min)
            return os_err_set(d->err, OS_ECORRUPT, "%s block of %lld items cannot fit in the %zu bytes left",
                              is_map ? "map" : "array", (long long)count, left(d));
        if ((uint64_t)count > SIZE_MAX / 2 / sizeof(avro_value) - n)
            return os_err_set(d->err, OS_ELIMIT, "%s of %llu items needs more than %zu bytes of memory "
                              "(max_record_bytes)", is_map ? "map" : "array",
                              (unsigned long long)n + (unsigned long long)count, d->max_record_bytes);
        size_t need = n + (size_t)count;
        if (need > cap) {
            size_t ncap = need > cap * 2 ? need : cap * 2;
            if (charge(d, ncap * sizeof(avro_value)) || (is_map && charge(d, ncap * sizeof(avro_value))))
                return -1;
            cap = ncap;
        }
        for (size_t i = n; i < need; i++) {
            const uint8_t *key = NULL;
            size_t kl = 0;
            if (is_map) {
                if (read_length(d, "map key", &kl) || skip_bytes(d, kl))
                    return wrap_index(d->err, "key of map entry", i);
                key = d->cur.p - kl;
            }
            if (skip_value(d, s->items, depth + 1)) {
                if (is_map) {
                    char k[101];   /* the key as decode_blocks names it: up to 100 bytes, to a NUL */
                    size_t kn = kl < 100 ? kl : 100;
                    memcpy(k, key, kn);
                    k[kn] = '\0';
                    char step[128];
                    snprintf(step, sizeof step, "map value of key '%s'", k);
                    return wrap(d->err, step);
                }
                return wrap_index(d->err, "array item", i);
            }
        }
        if (start && (size_t)(d->cur.p - start) != size)
            return os_err_set(d->err, OS_ECORRUPT, "a %s block declares %zu bytes but holds %zu",
                              is_map ? "map" : "array", size, (size_t)(d->cur.p - start));
        n = need;
    }
    return 0;
}

/* avro_decode_value without keeping the value. */
static int skip_value(avro_decoder *d, const avro_schema *s, size_t depth)
{
    if (depth > d->max_depth)
        return os_err_set(d->err, OS_ELIMIT, "the value nests deeper than %zu levels", d->max_depth);
    switch (s->type) {
    case AVRO_NULL:
        return 0;
    case AVRO_BOOLEAN: {
        uint8_t b = 0;
        if (read_fixed(d, 1, &b))
            return -1;
        if (b > 1)
            return os_err_set(d->err, OS_ECORRUPT, "a boolean byte is %u, not 0 or 1", b);
        return 0;
    }
    case AVRO_INT:
    case AVRO_LONG: {
        int64_t l;
        if (read_long(d, &l))
            return -1;
        if (s->type == AVRO_INT && (l < INT32_MIN || l > INT32_MAX))
            return os_err_set(d->err, OS_ECORRUPT, "an int value %lld is out of the 32-bit range", (long long)l);
        return 0;
    }
    case AVRO_FLOAT:
    case AVRO_DOUBLE: {
        size_t n = s->type == AVRO_FLOAT ? 4 : 8;
        if (left(d) < n)
            return os_err_set(d->err, OS_ECORRUPT, "%zu bytes are needed but %zu are left", n, left(d));
        d->cur.p += n;
        return 0;
    }
    case AVRO_BYTES:
    case AVRO_STRING: {
        size_t n;
        if (read_length(d, s->type == AVRO_BYTES ? "bytes" : "string", &n))
            return -1;
        return skip_bytes(d, n);
    }
    case AVRO_FIXED:
        if (left(d) < s->size)
            return os_err_set(d->err, OS_ECORRUPT, "fixed '%s' needs %zu bytes but %zu are left", s->name,
                              s->size, left(d));
        return skip_bytes(d, s->size);
    case AVRO_ENUM: {
        int64_t l;
        if (read_long(d, &l))
            return -1;
        if (l < 0 || (uint64_t)l >= s->n_symbols)
            return os_err_set(d->err, OS_ECORRUPT, "enum '%s' index %lld is out of range (%zu symbols)", s->name,
                              (long long)l, s->n_symbols);
        return 0;
    }
    case AVRO_RECORD:
        if (s->n_fields && charge(d, s->n_fields * sizeof(avro_value)))
            return -1;
        for (size_t i = 0; i < s->n_fields; i++)
            if (skip_value(d, s->fields[i].schema, depth + 1)) {
                char step[128];
                snprintf(step, sizeof step, "field '%.100s'", s->fields[i].name);
                return wrap(d->err, step);
            }
        return 0;
    case AVRO_ARRAY:
    case AVRO_MAP:
        return skip_blocks(d, s, depth);
    case AVRO_UNION: {
        int64_t b = 0;
        if (read_long(d, &b))
            return -1;
        if (b < 0 || (uint64_t)b >= s->n_branches)
            return os_err_set(d->err, OS_ECORRUPT, "union branch %lld is out of range (%zu branches)",
                              (long long)b, s->n_branches);
        return skip_value(d, s->branches[b], depth);
    }
    }
    return os_err_set(d->err, OS_EINTERNAL, "schema node of unknown type %d", (int)s->type);
}

/* ---- decoding ----------------------------------------------------------------- */

int avro_decode_value(avro_decoder *d, const avro_schema *s, avro_value *out, size_t depth)
{
    if (depth > d->max_depth)
        return os_err_set(d->err, OS_ELIMIT, "the value nests deeper than %zu levels", d->max_depth);
    out->type = s->type;
    out->schema = s;
    out->branch = -1;
    switch (s->type) {
    case AVRO_NULL:
        return 0;
    case AVRO_BOOLEAN: {
        uint8_t b = 0;
        if (read_fixed(d, 1, &b))
            return -1;
        if (b > 1)
            return os_err_set(d->err, OS_ECORRUPT, "a boolean byte is %u, not 0 or 1", b);
        out->b = b;
        return 0;
    }
    case AVRO_INT:
    case AVRO_LONG:
        if (read_long(d, &out->l))
            return -1;
        if (s->type == AVRO_INT && (out->l < INT32_MIN || out->l > INT32_MAX))
            return os_err_set(d->err, OS_ECORRUPT, "an int value %lld is out of the 32-bit range", (long long)out->l);
        return 0;
    case AVRO_FLOAT: {
        uint8_t b[4] = {0};
        if (read_fixed(d, 4, b))
            return -1;
        uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        float f;
        memcpy(&f, &u, 4);
        out->d = f;
        return 0;
    }
    case AVRO_DOUBLE: {
        uint8_t b[8] = {0};
        if (read_fixed(d, 8, b))
            return -1;
        uint64_t u = 0;
        for (int i = 7; i >= 0; i--)
            u = u << 8 | b[i];
        memcpy(&out->d, &u, 8);
        return 0;
    }
    case AVRO_BYTES:
    case AVRO_STRING: {
        size_t n = 0;
        if (read_length(d, s->type == AVRO_BYTES ? "bytes" : "string", &n))
            return -1;
        return copy_bytes(d, n, out);
    }
    case AVRO_FIXED:
        if (left(d) < s->size)
            return os_err_set(d->err, OS_ECORRUPT, "fixed '%s' needs %zu bytes but %zu are left", s->name,
                              s->size, left(d));
        return copy_bytes(d, s->size, out);
    case AVRO_ENUM: {
        if (read_long(d, &out->l))
            return -1;
        if (out->l < 0 || (uint64_t)out->l >= s->n_symbols)
            return os_err_set(d->err, OS_ECORRUPT, "enum '%s' index %lld is out of range (%zu symbols)", s->name,
                              (long long)out->l, s->n_symbols);
        out->bytes = (const uint8_t *)s->symbols[out->l];
        out->len = strlen(s->symbols[out->l]);
        return 0;
    }
    case AVRO_RECORD: {
        avro_value *f = s->n_fields ? alloc(d, s->n_fields * sizeof *f) : NULL;
        if (s->n_fields && f == NULL)
            return -1;
        const bool *skip = avro_node_of(s)->skip;
        for (size_t i = 0; i < s->n_fields; i++) {
            int rc;
            if (skip && skip[i]) {
                /* Read past it; the zeroed value reads as null. */
                rc = skip_value(d, s->fields[i].schema, depth + 1);
                f[i].branch = -1;
            } else {
                rc = avro_decode_value(d, s->fields[i].schema, &f[i], depth + 1);
            }
            if (rc) {
                char step[128];
                snprintf(step, sizeof step, "field '%.100s'", s->fields[i].name);
                return wrap(d->err, step);
            }
        }
        out->items = f;
        out->n = s->n_fields;
        return 0;
    }
    case AVRO_ARRAY:
    case AVRO_MAP:
        return decode_blocks(d, s, out, depth);
    case AVRO_UNION: {
        int64_t b = 0;
        if (read_long(d, &b))
            return -1;
        if (b < 0 || (uint64_t)b >= s->n_branches)
            return os_err_set(d->err, OS_ECORRUPT, "union branch %lld is out of range (%zu branches)",
                              (long long)b, s->n_branches);
        /* A union never holds a union (the parser refuses it), so this
         * recursion decodes the branch itself. */
        if (avro_decode_value(d, s->branches[b], out, depth))
            return -1;
        out->branch = (int32_t)b;
        return 0;
    }
    }
    return os_err_set(d->err, OS_EINTERNAL, "schema node of unknown type %d", (int)s->type);
}

const avro_value *avro_record_field(const avro_value *rec, int i)
{
    if (rec == NULL || rec->type != AVRO_RECORD || i < 0 || (size_t)i >= rec->n)
        return NULL;
    const avro_value *v = &rec->items[i];
    return v->type == AVRO_NULL ? NULL : v;
}
