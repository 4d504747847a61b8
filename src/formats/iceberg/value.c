/* value.c - Iceberg's single-value binary serialisation (column bounds) and values as text. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "formats/iceberg/iceberg_int.h"

static int64_t le_signed(const uint8_t *b, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    if (n < 8 && (b[n - 1] & 0x80))
        v |= ~(uint64_t)0 << (8 * n);   /* sign-extend */
    return (int64_t)v;
}

int iceberg_value_from_binary(const iceberg_type *t, const uint8_t *b, size_t n, iceberg_value *out,
                              os_err *err)
{
    memset(out, 0, sizeof *out);
    size_t want = 0;
    switch (t->kind) {
    case ICE_BOOLEAN:
        want = 1;
        break;
    case ICE_INT:
    case ICE_DATE:
    case ICE_FLOAT:
        /* An int column may have been promoted to long: 4 bytes then. */
        want = 4;
        break;
    case ICE_LONG:
    case ICE_TIME:
    case ICE_TIMESTAMP:
    case ICE_TIMESTAMPTZ:
    case ICE_TIMESTAMP_NS:
    case ICE_TIMESTAMPTZ_NS:
        want = (n == 4 && t->kind == ICE_LONG) ? 4 : 8;
        break;
    case ICE_DOUBLE:
        want = (n == 4) ? 4 : 8;   /* promoted from float */
        break;
    case ICE_UUID:
        want = 16;
        break;
    case ICE_FIXED:
        want = (size_t)t->length;
        break;
    case ICE_DECIMAL:
        if (n == 0 || n > 16)
            return os_err_set(err, OS_ECORRUPT, "a decimal bound of %zu bytes", n);
        out->bytes = b;
        out->len = n;
        if (n <= 8) {
            uint64_t v = 0;
            for (size_t i = 0; i < n; i++)
                v = (v << 8) | b[i];
            if (n < 8 && (b[0] & 0x80))
                v |= ~(uint64_t)0 << (8 * n);
            out->i = (int64_t)v;
        }
        return 0;
    case ICE_STRING:
    case ICE_BINARY:
    case ICE_GEOMETRY:
    case ICE_GEOGRAPHY:
    case ICE_VARIANT:
        out->bytes = b;
        out->len = n;
        return 0;
    default:
        return os_err_set(err, OS_ECORRUPT, "a bound on a column of type %s", t->text ? t->text : "nested");
    }
    if (n != want)
        return os_err_set(err, OS_ECORRUPT, "a %s bound of %zu bytes (expected %zu)",
                          t->text ? t->text : "fixed", n, want);
    switch (t->kind) {
    case ICE_BOOLEAN:
        out->i = b[0] != 0;
        break;
    case ICE_FLOAT: {
        uint32_t u = (uint32_t)le_signed(b, 4);
        float f;
        memcpy(&f, &u, 4);
        out->d = f;
        break;
    }
    case ICE_DOUBLE:
        if (n == 4) {
            uint32_t u = (uint32_t)le_signed(b, 4);
            float f;
            memcpy(&f, &u, 4);
            out->d = f;
        } else {
            uint64_t u = (uint64_t)le_signed(b, 8);
            memcpy(&out->d, &u, 8);
        }
        break;
    case ICE_UUID:
    case ICE_FIXED:
        out->bytes = b;
        out->len = n;
        break;
    default:
        out->i = le_signed(b, n);
    }
    return 0;
}

/* ---- text ------------------------------------------------------------------ */

/* Appends v (0 <= v) in decimal, zero-padded to at least width digits. */
static int put_padded(os_buf *out, uint64_t v, int width)
{
    char tmp[24];
    int i = (int)sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while ((int)sizeof tmp - i < width && i > 0)
        tmp[--i] = '0';
    return os_buf_append(out, tmp + i, sizeof tmp - (size_t)i);
}

static int put_date(os_buf *out, int64_t days)
{
    int64_t y;
    unsigned m, d;
    os_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return os_buf_printf(out, "%+06" PRId64 "-%02u-%02u", y, m, d);
    /* The common case without printf: one line per file holds several. */
    if (put_padded(out, (uint64_t)y, 4) != 0 || os_buf_putc(out, '-') != 0 || put_padded(out, m, 2) != 0 ||
        os_buf_putc(out, '-') != 0)
        return -1;
    return put_padded(out, d, 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* value in units per second (1e6 or 1e9), digits 6 or 9. */
static int put_timestamp(os_buf *out, int64_t v, int64_t per_sec, int digits, bool tz, bool iso)
{
    int64_t secs = floor_div(v, per_sec), frac = v - secs * per_sec;
    int64_t days = floor_div(secs, 86400), sod = secs - days * 86400;
    if (put_date(out, days) != 0 || os_buf_putc(out, iso ? 'T' : ' ') != 0 ||
        put_padded(out, (uint64_t)(sod / 3600), 2) != 0 || os_buf_putc(out, ':') != 0 ||
        put_padded(out, (uint64_t)(sod / 60 % 60), 2) != 0 || os_buf_putc(out, ':') != 0 ||
        put_padded(out, (uint64_t)(sod % 60), 2) != 0 || os_buf_putc(out, '.') != 0 ||
        put_padded(out, (uint64_t)frac, digits) != 0)
        return -1;
    return (tz && iso) ? os_buf_putc(out, 'Z') : 0;
}

/* A big-endian two's complement integer of up to 16 bytes as decimal digits
 * with `scale` digits after the point. */
static int put_decimal(os_buf *out, const uint8_t *b, size_t n, int32_t scale)
{
    uint8_t mag[16];
    bool neg = n > 0 && (b[0] & 0x80);
    memcpy(mag, b, n);
    if (neg) {   /* negate: invert and add one */
        int carry = 1;
        for (size_t i = n; i-- > 0;) {
            int v = (uint8_t)~mag[i] + carry;
            mag[i] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    char digits[48];
    size_t nd = 0;
    for (;;) {   /* repeated division by 10 of the big-endian magnitude */
        int rem = 0, nonzero = 0;
        for (size_t i = 0; i < n; i++) {
            int cur = rem * 256 + mag[i];
            mag[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
            nonzero |= mag[i];
        }
        digits[nd++] = (char)('0' + rem);
        if (!nonzero || nd >= sizeof digits - 1)
            break;
    }
    while ((int32_t)nd <= scale)
        digits[nd++] = '0';
    if (neg && os_buf_putc(out, '-') != 0)
        return -1;
    for (size_t i = nd; i-- > 0;) {
        if ((int32_t)(i + 1) == scale && os_buf_putc(out, '.') != 0)
            return -1;
        if (os_buf_putc(out, digits[i]) != 0)
            return -1;
    }
    return 0;
}

/* Whether "%.{prec}g" of d reads back as d; the text goes to t. */
static bool round_trips(double d, int prec, char t[40])
{
    snprintf(t, 40, "%.*g", prec, d);
    return strtod(t, NULL) == d;
}

static int put_double(os_buf *out, double d)
{
    if (isnan(d))
        return os_buf_puts(out, "NaN");
    if (isinf(d))
        return os_buf_puts(out, d > 0 ? "Infinity" : "-Infinity");
    /* The shortest text that reads back to the same double: the fewest
     * significant digits that round-trip.  A precision that round-trips makes
     * every larger one round-trip too (the correctly rounded longer text is at
     * least as close), so: 17 when 16 does not, 16 when 15 does not (most
     * measured doubles need that many), else a binary search over 1..15. */
    char best[40], t[40];
    if (!round_trips(d, 16, best)) {
        snprintf(best, sizeof best, "%.17g", d);
        return os_buf_puts(out, best);
    }
    if (!round_trips(d, 15, t))
        return os_buf_puts(out, best);
    memcpy(best, t, sizeof best);
    int lo = 1, hi = 15;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (round_trips(d, mid, t)) {
            memcpy(best, t, sizeof best);
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return os_buf_puts(out, best);
}

static int put_hex(os_buf *out, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++)
        if (os_buf_putc(out, hex[b[i] >> 4]) != 0 || os_buf_putc(out, hex[b[i] & 15]) != 0)
            return -1;
    return 0;
}

int iceberg_value_to_text(const iceberg_type *t, const iceberg_value *v, bool iso, os_buf *out)
{
    switch (t->kind) {
    case ICE_BOOLEAN:
        return os_buf_puts(out, v->i ? "true" : "false");
    case ICE_INT:
    case ICE_LONG:
        return os_buf_put_i64(out, v->i);
    case ICE_FLOAT:
    case ICE_DOUBLE:
        return put_double(out, v->d);
    case ICE_DATE:
        return put_date(out, v->i);
    case ICE_TIME: {
        int64_t us = v->i;
        if (us < 0 || us >= 86400LL * 1000000)
            return os_buf_put_i64(out, us);
        return os_buf_printf(out, "%02d:%02d:%02d.%06d", (int)(us / 3600000000LL),
                             (int)(us / 60000000 % 60), (int)(us / 1000000 % 60), (int)(us % 1000000));
    }
    case ICE_TIMESTAMP:
        return put_timestamp(out, v->i, 1000000, 6, false, iso);
    case ICE_TIMESTAMPTZ:
        return put_timestamp(out, v->i, 1000000, 6, true, iso);
    case ICE_TIMESTAMP_NS:
        return put_timestamp(out, v->i, 1000000000, 9, false, iso);
    case ICE_TIMESTAMPTZ_NS:
        return put_timestamp(out, v->i, 1000000000, 9, true, iso);
    case ICE_DECIMAL:
        if (v->bytes)
            return put_decimal(out, v->bytes, v->len, t->scale);
        {
            uint8_t be[8];
            for (int i = 0; i < 8; i++)
                be[i] = (uint8_t)((uint64_t)v->i >> (56 - 8 * i));
            return put_decimal(out, be, 8, t->scale);
        }
    case ICE_STRING:
        return os_buf_append(out, v->bytes, v->len);
    case ICE_UUID:
        if (v->len != 16)
            return put_hex(out, v->bytes, v->len);
        for (int i = 0; i < 16; i++) {
            if ((i == 4 || i == 6 || i == 8 || i == 10) && os_buf_putc(out, '-') != 0)
                return -1;
            if (put_hex(out, v->bytes + i, 1) != 0)
                return -1;
        }
        return 0;
    default:
        return put_hex(out, v->bytes, v->len);
    }
}
