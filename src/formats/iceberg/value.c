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

/* The shortest "%.{p}g" text of d that reads back as d, with printf and
 * strtod: the fewest significant digits that round-trip.  A precision that
 * round-trips makes every larger one round-trip too (the correctly rounded
 * longer text is at least as close), so: 17 when 16 does not, 16 when 15 does
 * not (most measured doubles need that many), else a binary search over 1..15. */
static void shortest_printf(double d, char best[40])
{
    char t[40];
    if (!round_trips(d, 16, best)) {
        snprintf(best, 40, "%.17g", d);
        return;
    }
    if (!round_trips(d, 15, t))
        return;
    memcpy(best, t, 40);
    int lo = 1, hi = 15;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (round_trips(d, mid, t)) {
            memcpy(best, t, 40);
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

static const uint64_t POW10[20] = {
    UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000), UINT64_C(100000),
    UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
    UINT64_C(10000000000), UINT64_C(100000000000), UINT64_C(1000000000000),
    UINT64_C(10000000000000), UINT64_C(100000000000000), UINT64_C(1000000000000000),
    UINT64_C(10000000000000000), UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
    UINT64_C(10000000000000000000)};

/* 10^k for 0 <= k <= 38. */
static u128 pow10_u128(int k)
{
    return k < 20 ? (u128)POW10[k] : (u128)POW10[19] * pow10_u128(k - 19);
}

/* The same text as shortest_printf, computed exactly with 128-bit integers
 * for the doubles most bounds are (1e-6 <= |d| < 2^53, normal): the value is
 * m * 2^e, its p-digit rounding (ties to even, as printf rounds) is the
 * quotient of m * 10^s by 2^-e, and whether that reads back as d (strtod
 * rounds to nearest, ties to the even mantissa) is decided by the remainder
 * against half the gap to the neighbouring doubles.  Returns false when d is
 * outside that range (the caller then uses printf). */
static bool shortest_exact(double d, char out[40])
{
    uint64_t bits;
    memcpy(&bits, &d, 8);
    bool neg = bits >> 63;
    int be = (int)((bits >> 52) & 0x7ff);
    if (be == 0 || be == 0x7ff)
        return false;                          /* zero, subnormal, inf, nan */
    uint64_t m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    int e = be - 1075;                         /* d = m * 2^e */
    if (e > 0 || e < -74)
        return false;
    u128 P = (u128)1 << -e;
    /* E = floor(log10 |d|), from an estimate checked exactly. */
    int E = (int)floor(log10(fabs(d)));
    for (int k = 0; k < 2; k++) {
        /* 10^E <= m/P < 10^(E+1) */
        bool ge = E >= 0 ? pow10_u128(E) * P <= m : P <= (u128)m * pow10_u128(-E);
        bool lt = E + 1 >= 0 ? (u128)m < pow10_u128(E + 1) * P : (u128)m * pow10_u128(-E - 1) < P;
        if (ge && lt)
            break;
        E += ge ? 1 : -1;
        if (k == 1)
            return false;
    }
    if (E < -6 || E > 15)
        return false;
    bool pow2 = m == UINT64_C(1) << 52;        /* the gap below is half the gap above */
    uint64_t digits = 0;
    int p = 0, exp10 = E;
    for (int prec = 1; prec <= 17; prec++) {
        int sh = prec - 1 - E;
        u128 q, r, den;
        if (sh >= 0) {
            u128 w = (u128)m * pow10_u128(sh);     /* < 2^53 * 10^22 < 2^127 */
            den = P;
            q = w >> -e;
            r = w & (P - 1);
        } else {
            den = P * pow10_u128(-sh);             /* <= m */
            q = m / den;
            r = m % den;
        }
        bool up = 2 * r > den || (2 * r == den && (q & 1));
        u128 n = up ? q + 1 : q;
        u128 diff = up ? den - r : r;               /* |n * 10^-sh - d| * P, scaled by 10^sh when sh >= 0 */
        /* Reads back as d when |n * 10^-sh - d| < half the gap (<= when m is even). */
        bool ok;
        if (sh >= 0) {
            u128 gap = pow10_u128(sh);          /* one gap (2^e) in these units is 10^sh / P * P */
            u128 twice = (pow2 && !up) ? 4 * diff : 2 * diff;
            ok = twice < gap || (twice == gap && !(m & 1));
        } else {
            ok = diff == 0;                     /* the gap is at most 1 and the grid at least 10 */
        }
        if (ok) {
            digits = (uint64_t)n;
            p = prec;
            if (digits == (uint64_t)pow10_u128(prec)) {   /* 9.99 -> 10.0 */
                digits /= 10;
                exp10 = E + 1;
            }
            break;
        }
    }
    if (p == 0)
        return false;
    /* Format as "%.{p}g" does: digits, exponent exp10, trailing zeros removed. */
    char dg[24];
    for (int i = p - 1; i >= 0; i--) {
        dg[i] = (char)('0' + digits % 10);
        digits /= 10;
    }
    int nd = p;
    while (nd > 1 && dg[nd - 1] == '0')
        nd--;
    char *o = out;
    if (neg)
        *o++ = '-';
    if (exp10 < -4 || exp10 >= p) {
        *o++ = dg[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, dg + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        int x = exp10 < 0 ? -exp10 : exp10;
        *o++ = 'e';
        *o++ = exp10 < 0 ? '-' : '+';
        if (x >= 100)
            *o++ = (char)('0' + x / 100);
        *o++ = (char)('0' + x / 10 % 10);
        *o++ = (char)('0' + x % 10);
    } else if (exp10 >= 0) {
        int whole = exp10 + 1;                   /* digits before the point (< p) */
        for (int i = 0; i < whole; i++)
            *o++ = i < nd ? dg[i] : '0';
        if (nd > whole) {
            *o++ = '.';
            memcpy(o, dg + whole, (size_t)(nd - whole));
            o += nd - whole;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -exp10 - 1; i++)
            *o++ = '0';
        memcpy(o, dg, (size_t)nd);
        o += nd;
    }
    *o = '\0';
    return true;
}
#endif

static int put_double(os_buf *out, double d)
{
    if (isnan(d))
        return os_buf_puts(out, "NaN");
    if (isinf(d))
        return os_buf_puts(out, d > 0 ? "Infinity" : "-Infinity");
    char best[40];
#ifdef __SIZEOF_INT128__
    if (!shortest_exact(d, best))
#endif
        shortest_printf(d, best);
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
