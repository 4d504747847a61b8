/* json.c - renders record values as JSON text: exact integers and decimals, ISO dates and times, base64 binary. */
#include "formats/parquet/parquet.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/timeutil.h"

#define MAX_DECIMAL_BYTES 128

static int oom(os_err *err)
{
    return os_err_set(err, OS_ENOMEM, "out of memory formatting a value");
}

int pq_json_string(os_buf *out, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (os_buf_reserve(out, n + 2) != 0 || os_buf_putc(out, '"') != 0)
        return -1;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i && os_buf_append(out, s + i, run - i) != 0)
            return -1;
        i = run;
        if (i >= n)
            break;
        uint8_t c = s[i];
        if (c < 0x80) {
            char esc[7];
            const char *e = NULL;
            switch (c) {
            case '"': e = "\\\""; break;
            case '\\': e = "\\\\"; break;
            case '\n': e = "\\n"; break;
            case '\r': e = "\\r"; break;
            case '\t': e = "\\t"; break;
            case '\b': e = "\\b"; break;
            case '\f': e = "\\f"; break;
            default:
                esc[0] = '\\'; esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
                esc[4] = hex[c >> 4]; esc[5] = hex[c & 15]; esc[6] = 0;
                e = esc;
            }
            if (os_buf_puts(out, e) != 0)
                return -1;
            i++;
            continue;
        }
        /* A UTF-8 sequence: copied when valid, else U+FFFD for the first byte. */
        size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        bool ok = len > 0 && c < 0xf5 && c != 0xc0 && c != 0xc1 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = (s[i + k] & 0xc0) == 0x80;
        if (ok && len == 3) {
            uint32_t cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)(s[i + 1] & 0x3f) << 6 | (s[i + 2] & 0x3f);
            ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
        } else if (ok && len == 4) {
            uint32_t cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3f) << 12 |
                          (uint32_t)(s[i + 2] & 0x3f) << 6 | (s[i + 3] & 0x3f);
            ok = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (ok) {
            if (os_buf_append(out, s + i, len) != 0)
                return -1;
            i += len;
        } else {
            if (os_buf_puts(out, "\\ufffd") != 0)
                return -1;
            i++;
        }
    }
    return os_buf_putc(out, '"');
}

static int put_base64(os_buf *out, const uint8_t *p, size_t n)
{
    size_t need = os_base64_encoded_len(n);
    if (os_buf_reserve(out, need + 2) != 0)
        return -1;
    out->data[out->len++] = '"';
    out->len += os_base64_encode(p, n, out->data + out->len, 0);
    out->data[out->len++] = '"';
    out->data[out->len] = '\0';
    return 0;
}

static void civil_date(int64_t days, char *buf, size_t cap)
{
    int64_t y;
    unsigned m, d;
    os_civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999)
        snprintf(buf, cap, "%04" PRId64 "-%02u-%02u", y, m, d);
    else
        snprintf(buf, cap, "%c%04" PRId64 "-%02u-%02u", y < 0 ? '-' : '+', y < 0 ? -y : y, m, d);
}


/* A date-time from days since the epoch and `frac` units of `unit` into that day. */
static int put_day_time(os_buf *out, int64_t days, int64_t frac_of_day, pq_time_unit unit, bool utc)
{
    static const int64_t per[] = {1000, 1000000, 1000000000};
    static const int digits[] = {3, 6, 9};
    int64_t sod = frac_of_day / per[unit], frac = frac_of_day % per[unit];
    char date[40];
    civil_date(days, date, sizeof date);
    return os_buf_printf(out, "\"%sT%02d:%02d:%02d.%0*" PRId64 "%s\"", date, (int)(sod / 3600),
                         (int)(sod / 60 % 60), (int)(sod % 60), digits[unit], frac, utc ? "Z" : "");
}

/* v counts `unit` since the epoch. */
static int put_timestamp(os_buf *out, int64_t v, pq_time_unit unit, bool utc)
{
    static const int64_t per_day[] = {86400000LL, 86400000000LL, 86400000000000LL};
    int64_t days = v / per_day[unit], rem = v % per_day[unit];
    if (rem < 0) { /* floor, without multiplying back (INT64_MIN would overflow) */
        rem += per_day[unit];
        days--;
    }
    return put_day_time(out, days, rem, unit, utc);
}

static int put_time(os_buf *out, int64_t v, pq_time_unit unit)
{
    static const int64_t per[] = {1000, 1000000, 1000000000};
    static const int digits[] = {3, 6, 9};
    if (v < 0 || v > 86400 * per[unit])
        return os_buf_printf(out, "%" PRId64, v);
    int64_t secs = v / per[unit], frac = v % per[unit];
    return os_buf_printf(out, "\"%02d:%02d:%02d.%0*" PRId64 "\"", (int)(secs / 3600), (int)(secs / 60 % 60),
                         (int)(secs % 60), digits[unit], frac);
}

/* Writes the magnitude digits of a big-endian two's-complement integer. */
static int decimal_digits(const uint8_t *p, size_t n, char *digits, size_t cap, bool *neg)
{
    uint8_t mag[MAX_DECIMAL_BYTES];
    *neg = n > 0 && (p[0] & 0x80);
    for (size_t i = 0; i < n; i++)
        mag[i] = *neg ? (uint8_t)~p[i] : p[i];
    if (*neg) { /* two's complement: invert and add one */
        for (size_t i = n; i-- > 0;)
            if (++mag[i] != 0)
                break;
    }
    size_t nd = 0;
    size_t start = 0;
    while (start < n && mag[start] == 0)
        start++;
    while (start < n) {
        uint32_t rem = 0;
        for (size_t i = start; i < n; i++) {
            uint32_t cur = rem << 8 | mag[i];
            mag[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        if (nd + 1 >= cap)
            return -1;
        digits[nd++] = (char)('0' + rem);
        while (start < n && mag[start] == 0)
            start++;
    }
    if (nd == 0)
        digits[nd++] = '0';
    for (size_t i = 0; i < nd / 2; i++) {
        char t = digits[i];
        digits[i] = digits[nd - 1 - i];
        digits[nd - 1 - i] = t;
    }
    digits[nd] = '\0';
    return (int)nd;
}

static int put_decimal_be(os_buf *out, const uint8_t *p, size_t n, int scale, os_err *err)
{
    char digits[MAX_DECIMAL_BYTES * 3 + 8];
    bool neg;
    if (n > MAX_DECIMAL_BYTES)
        return os_err_set(err, OS_EUNSUPPORTED, "decimal of %zu bytes is wider than %d", n, MAX_DECIMAL_BYTES);
    int nd = decimal_digits(p, n, digits, sizeof digits, &neg);
    if (nd < 0)
        return os_err_set(err, OS_EINTERNAL, "decimal conversion overflow");
    int rc = os_buf_putc(out, '"');
    if (neg && !(nd == 1 && digits[0] == '0'))
        rc |= os_buf_putc(out, '-');
    if (scale <= 0) {
        rc |= os_buf_puts(out, digits);
    } else if (nd > scale) {
        rc |= os_buf_append(out, digits, (size_t)(nd - scale));
        rc |= os_buf_putc(out, '.');
        rc |= os_buf_puts(out, digits + nd - scale);
    } else {
        rc |= os_buf_puts(out, "0.");
        for (int i = nd; i < scale; i++)
            rc |= os_buf_putc(out, '0');
        rc |= os_buf_puts(out, digits);
    }
    rc |= os_buf_putc(out, '"');
    return rc ? oom(err) : 0;
}

static int put_decimal_int(os_buf *out, int64_t v, int scale, os_err *err)
{
    uint8_t be[8];
    for (int i = 0; i < 8; i++)
        be[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
    return put_decimal_be(out, be, 8, scale, err);
}

static int put_double(os_buf *out, double d, int max_prec, bool is_float)
{
    if (isnan(d))
        return os_buf_puts(out, "\"NaN\"");
    if (isinf(d))
        return os_buf_puts(out, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    char tmp[40];
    for (int prec = 1; prec <= max_prec; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        double back = strtod(tmp, NULL);
        if (is_float ? (float)back == (float)d : back == d)
            break;
    }
    /* %g never prints "inf"/"nan" for finite values, so tmp is a JSON number. */
    return os_buf_puts(out, tmp);
}

static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
}

static int put_bytes(os_buf *out, const pq_value *v, os_err *err)
{
    const pq_node *n = v->node;
    const uint8_t *p = v->u.bytes.ptr;
    size_t len = v->u.bytes.len;
    pq_logical_kind k = n ? n->logical.kind : PQ_LT_NONE;
    switch (k) {
    case PQ_LT_STRING:
    case PQ_LT_ENUM:
    case PQ_LT_JSON:
        return pq_json_string(out, p, len) ? oom(err) : 0;
    case PQ_LT_UUID:
        if (len == 16) {
            char s[40];
            snprintf(s, sizeof s, "\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\"",
                     p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],
                     p[14], p[15]);
            return os_buf_puts(out, s) ? oom(err) : 0;
        }
        break;
    case PQ_LT_DECIMAL:
        return put_decimal_be(out, p, len, n->logical.scale, err);
    case PQ_LT_FLOAT16:
        if (len == 2)
            return put_double(out, half_to_double((uint16_t)(p[0] | p[1] << 8)), 17, false) ? oom(err) : 0;
        break;
    case PQ_LT_INT96_TIMESTAMP:
        if (len == 12) {
            uint64_t nanos;
            uint32_t jd;
            memcpy(&nanos, p, 8);
            memcpy(&jd, p + 8, 4);
            /* Julian day 2440588 is 1970-01-01.  Days and the time of day are printed
             * separately, so no day number can overflow a count of nanoseconds. */
            const uint64_t ns_per_day = 86400ULL * 1000000000ULL;
            int64_t days = (int64_t)jd - 2440588 + (int64_t)(nanos / ns_per_day);
            return put_day_time(out, days, (int64_t)(nanos % ns_per_day), PQ_NANOS, true) ? oom(err) : 0;
        }
        break;
    default:
        break;
    }
    return put_base64(out, p, len) ? oom(err) : 0;
}

static int put_int(os_buf *out, const pq_value *v, int64_t x, os_err *err)
{
    const pq_logical_type *lt = v->node ? &v->node->logical : NULL;
    int rc;
    switch (lt ? lt->kind : PQ_LT_NONE) {
    case PQ_LT_INTEGER:
        if (!lt->is_signed)
            rc = os_buf_printf(out, "%" PRIu64,
                               v->kind == PQ_VAL_INT32 ? (uint64_t)(uint32_t)x : (uint64_t)x);
        else
            rc = os_buf_printf(out, "%" PRId64, x);
        break;
    case PQ_LT_DATE: {
        char date[40];
        civil_date(x, date, sizeof date);
        rc = os_buf_printf(out, "\"%s\"", date);
        break;
    }
    case PQ_LT_DECIMAL:
        return put_decimal_int(out, x, lt->scale, err);
    case PQ_LT_TIME:
        rc = put_time(out, x, lt->unit);
        break;
    case PQ_LT_TIMESTAMP:
        rc = put_timestamp(out, x, lt->unit, lt->utc_adjusted);
        break;
    default:
        rc = os_buf_printf(out, "%" PRId64, x);
    }
    return rc ? oom(err) : 0;
}

static bool string_keys(const pq_node *map)
{
    const pq_node *k = map ? map->key : NULL;
    return k && k->kind == PQ_NODE_PRIMITIVE && k->physical == PQ_BYTE_ARRAY &&
           (k->logical.kind == PQ_LT_STRING || k->logical.kind == PQ_LT_ENUM || k->logical.kind == PQ_LT_JSON);
}

static int put_value(os_buf *out, const pq_value *v, os_err *err)
{
    int rc = 0;
    switch (v->kind) {
    case PQ_VAL_NULL: rc = os_buf_puts(out, "null"); break;
    case PQ_VAL_BOOL: rc = os_buf_puts(out, v->u.b ? "true" : "false"); break;
    case PQ_VAL_INT32: return put_int(out, v, v->u.i32, err);
    case PQ_VAL_INT64: return put_int(out, v, v->u.i64, err);
    case PQ_VAL_FLOAT: rc = put_double(out, v->u.f, 9, true); break;
    case PQ_VAL_DOUBLE: rc = put_double(out, v->u.d, 17, false); break;
    case PQ_VAL_BYTES: return put_bytes(out, v, err);
    case PQ_VAL_STRUCT:
        rc = os_buf_putc(out, '{');
        for (uint32_t i = 0; i < v->u.strct.n && !rc; i++) {
            const pq_value *f = &v->u.strct.fields[i];
            const char *name = f->node ? f->node->name : "";
            if ((i && os_buf_putc(out, ',')) || pq_json_string(out, (const uint8_t *)name, strlen(name)) ||
                os_buf_putc(out, ':'))
                return oom(err);
            if (put_value(out, f, err))
                return -1;
        }
        rc = rc || os_buf_putc(out, '}');
        break;
    case PQ_VAL_LIST:
        rc = os_buf_putc(out, '[');
        for (uint32_t i = 0; i < v->u.list.n && !rc; i++) {
            if (i && os_buf_putc(out, ','))
                return oom(err);
            if (put_value(out, &v->u.list.items[i], err))
                return -1;
        }
        rc = rc || os_buf_putc(out, ']');
        break;
    case PQ_VAL_MAP: {
        bool obj = string_keys(v->node);
        rc = os_buf_putc(out, obj ? '{' : '[');
        for (uint32_t i = 0; i < v->u.map.n && !rc; i++) {
            const pq_value *k = &v->u.map.keys[i], *val = &v->u.map.values[i];
            if (i && os_buf_putc(out, ','))
                return oom(err);
            if (obj) {
                if (k->kind == PQ_VAL_BYTES ? pq_json_string(out, k->u.bytes.ptr, k->u.bytes.len)
                                            : os_buf_puts(out, "\"\""))
                    return oom(err);
                if (os_buf_putc(out, ':'))
                    return oom(err);
            } else if (os_buf_puts(out, "{\"key\":")) {
                return oom(err);
            } else if (put_value(out, k, err) || os_buf_puts(out, ",\"value\":")) {
                return err->code ? -1 : oom(err);
            }
            if (put_value(out, val, err))
                return -1;
            if (!obj && os_buf_putc(out, '}'))
                return oom(err);
        }
        rc = rc || os_buf_putc(out, obj ? '}' : ']');
        break;
    }
    }
    return rc ? oom(err) : 0;
}

int pq_value_to_json(const pq_value *v, os_buf *out, os_err *err)
{
    if (err)
        os_err_clear(err);
    os_err local;
    return put_value(out, v, err ? err : &local);
}
