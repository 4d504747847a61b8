/* value.c - typed values: partition value parsing by Delta type, timestamps to microseconds, comparison. */
#include "formats/delta/delta.h"

#include <stdio.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/timeutil.h"
#include "formats/delta/delta_int.h"

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Parses "YYYY-M[M]-D[D]" at s; returns chars used or 0. */
static size_t parse_date_part(const char *s, int64_t *days)
{
    size_t i = 0;
    int sign = 1;
    if (s[0] == '-' || s[0] == '+') {
        sign = s[0] == '-' ? -1 : 1;
        i++;
    }
    int64_t y = 0;
    size_t ys = i;
    while (s[i] >= '0' && s[i] <= '9' && i - ys < 6)
        y = y * 10 + (s[i++] - '0');
    if (i - ys < 4 || s[i] != '-')
        return 0;
    i++;
    int m = 0, d = 0;
    if (s[i] >= '0' && s[i] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        digits(s + i, 2, &m);
        i += 2;
    } else if (s[i] >= '0' && s[i] <= '9') {
        m = s[i++] - '0';
    } else {
        return 0;
    }
    if (s[i] != '-')
        return 0;
    i++;
    if (s[i] >= '0' && s[i] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        digits(s + i, 2, &d);
        i += 2;
    } else if (s[i] >= '0' && s[i] <= '9') {
        d = s[i++] - '0';
    } else {
        return 0;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    int64_t yy = sign * y;
    bool leap = (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return 0;
    *days = os_days_from_civil(sign * y, (unsigned)m, (unsigned)d);
    return i;
}

static int parse_ts(const char *s, int64_t *us, bool *has_zone)
{
    int64_t days;
    size_t i = parse_date_part(s, &days);
    *has_zone = false;
    if (i == 0 || days > 100000000 || days < -100000000)   /* about +-273,000 years */
        return -1;
    int64_t secs = days * 86400, frac_us = 0;
    if (s[i] == ' ' || s[i] == 'T') {
        i++;
        int hh, mm, ss = 0;
        if (!digits(s + i, 2, &hh) || s[i + 2] != ':' || !digits(s + i + 3, 2, &mm))
            return -1;
        i += 5;
        if (s[i] == ':') {
            if (!digits(s + i + 1, 2, &ss))
                return -1;
            i += 3;
        }
        if (hh > 23 || mm > 59 || ss > 60)
            return -1;
        secs += hh * 3600 + mm * 60 + ss;
        if (s[i] == '.') {
            i++;
            int n = 0;
            int64_t f = 0;
            while (s[i] >= '0' && s[i] <= '9') {
                if (n < 6) {
                    f = f * 10 + (s[i] - '0');
                }
                n++;
                i++;
                if (n > 9)
                    return -1;
            }
            if (n == 0)
                return -1;
            for (int k = n; k < 6; k++)
                f *= 10;
            frac_us = f;
        }
    }
    if (s[i] == 'Z' || s[i] == 'z') {
        *has_zone = true;
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int oh, om = 0;
        int sign = s[i] == '-' ? -1 : 1;
        if (!digits(s + i + 1, 2, &oh))
            return -1;
        i += 3;
        if (s[i] == ':')
            i++;
        if (s[i] >= '0' && s[i] <= '9') {
            if (!digits(s + i, 2, &om))
                return -1;
            i += 2;
        }
        if (oh > 18 || om > 59)
            return -1;
        secs -= sign * (oh * 3600 + om * 60);
        *has_zone = true;
    }
    if (s[i] != '\0')
        return -1;
    *us = secs * 1000000 + frac_us;
    return 0;
}

int delta_parse_timestamp_us(const char *s, int64_t *us)
{
    bool z;
    return s ? parse_ts(s, us, &z) : -1;
}

/* Like delta_parse_timestamp_us, also telling whether a zone was written. */
int dl_parse_timestamp_zone(const char *s, int64_t *us, bool *has_zone)
{
    return s ? parse_ts(s, us, has_zone) : -1;
}

int dl_parse_date(const char *s, int64_t *days)
{
    size_t n = parse_date_part(s, days);
    return (n > 0 && s[n] == '\0') ? 0 : -1;
}

static bool parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!(*s == '-' || (*s >= '0' && *s <= '9')))
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    if (*s == '\0')
        return false;
    if (strcmp(s, "NaN") == 0) {
        *out = NAN;
        return true;
    }
    if (strcmp(s, "Infinity") == 0) {
        *out = INFINITY;
        return true;
    }
    if (strcmp(s, "-Infinity") == 0) {
        *out = -INFINITY;
        return true;
    }
    if (!strchr("-+.0123456789", *s) || strpbrk(s, "xXpP") != NULL)
        return false;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

/* A decimal literal: [-+]digits[.digits][E[-+]digits] without exponent here. */
static bool is_decimal_text(const char *s)
{
    size_t i = 0, nd = 0;
    if (s[i] == '-' || s[i] == '+')
        i++;
    while (s[i] >= '0' && s[i] <= '9') {
        i++;
        nd++;
    }
    if (s[i] == '.') {
        i++;
        while (s[i] >= '0' && s[i] <= '9') {
            i++;
            nd++;
        }
    }
    return nd > 0 && s[i] == '\0';
}

int delta_partition_value_parse(const char *type, const char *raw, delta_value *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    out->kind = DELTA_V_NULL;
    if (raw == NULL || raw[0] == '\0')
        return 0;
    if (type == NULL)
        type = "string";
    if (!strcmp(type, "string") || !strcmp(type, "binary")) {
        out->kind = DELTA_V_STRING;
        out->s = raw;
        out->len = strlen(raw);
        return 0;
    }
    if (!strcmp(type, "boolean")) {
        out->kind = DELTA_V_BOOL;
        if (!strcasecmp(raw, "true"))
            out->b = true;
        else if (!strcasecmp(raw, "false"))
            out->b = false;
        else
            goto bad;
        return 0;
    }
    struct { const char *name; int64_t lo, hi; } ints[] = {
        {"byte", INT8_MIN, INT8_MAX}, {"short", INT16_MIN, INT16_MAX},
        {"integer", INT32_MIN, INT32_MAX}, {"int", INT32_MIN, INT32_MAX},
        {"long", INT64_MIN, INT64_MAX},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (!strcmp(type, ints[i].name)) {
            out->kind = DELTA_V_INT;
            if (!parse_int(raw, ints[i].lo, ints[i].hi, &out->i))
                goto bad;
            return 0;
        }
    if (!strcmp(type, "float") || !strcmp(type, "double")) {
        out->kind = DELTA_V_DOUBLE;
        if (!parse_double(raw, &out->d))
            goto bad;
        return 0;
    }
    if (!strcmp(type, "date")) {
        out->kind = DELTA_V_DATE;
        if (dl_parse_date(raw, &out->i) < 0)
            goto bad;
        return 0;
    }
    if (!strcmp(type, "timestamp") || !strcmp(type, "timestamp_ntz")) {
        out->kind = DELTA_V_TIMESTAMP;
        if (delta_parse_timestamp_us(raw, &out->i) < 0)
            goto bad;
        return 0;
    }
    if (!strncmp(type, "decimal", 7)) {
        out->kind = DELTA_V_DECIMAL;
        if (!is_decimal_text(raw))
            goto bad;
        out->s = raw;
        out->len = strlen(raw);
        return 0;
    }
    return os_err_set(err, OS_EUNSUPPORTED, "partition type '%s' is not supported", type);
bad:
    out->kind = DELTA_V_NULL;
    return os_err_set(err, OS_ECORRUPT, "partition value '%s' is not a valid %s", raw, type);
}

/* Compares decimal texts numerically. */
static int decimal_cmp(const char *a, const char *b)
{
    int sa = 1, sb = 1;
    if (*a == '-' || *a == '+') sa = *a++ == '-' ? -1 : 1;
    if (*b == '-' || *b == '+') sb = *b++ == '-' ? -1 : 1;
    while (*a == '0' && a[1] >= '0' && a[1] <= '9') a++;
    while (*b == '0' && b[1] >= '0' && b[1] <= '9') b++;
    const char *da = strchr(a, '.'), *db = strchr(b, '.');
    size_t ia = da ? (size_t)(da - a) : strlen(a), ib = db ? (size_t)(db - b) : strlen(b);
    const char *fa = da ? da + 1 : "", *fb = db ? db + 1 : "";
    bool za = true, zb = true;
    for (size_t i = 0; i < ia; i++) if (a[i] != '0') za = false;
    for (const char *p = fa; *p; p++) if (*p != '0') za = false;
    for (size_t i = 0; i < ib; i++) if (b[i] != '0') zb = false;
    for (const char *p = fb; *p; p++) if (*p != '0') zb = false;
    if (za) sa = 1;
    if (zb) sb = 1;
    if (za && zb) return 0;
    if (sa != sb) return sa < sb ? -1 : 1;
    int mag;
    if (ia != ib) {
        mag = ia < ib ? -1 : 1;
    } else {
        int c = strncmp(a, b, ia);
        mag = 0;
        if (c != 0) {
            mag = c < 0 ? -1 : 1;
        } else {
            while (*fa || *fb) {
                char x = *fa ? *fa++ : '0', y = *fb ? *fb++ : '0';
                if (x != y) {
                    mag = x < y ? -1 : 1;
                    break;
                }
            }
        }
    }
    return sa * mag;
}

int delta_value_compare(const delta_value *a, const delta_value *b, int *cmp)
{
    if (a->kind == DELTA_V_NULL || b->kind == DELTA_V_NULL)
        return -1;
    bool an = a->kind == DELTA_V_INT || a->kind == DELTA_V_DOUBLE || a->kind == DELTA_V_DECIMAL;
    bool bn = b->kind == DELTA_V_INT || b->kind == DELTA_V_DOUBLE || b->kind == DELTA_V_DECIMAL;
    if (an && bn) {
        if (a->kind == DELTA_V_INT && b->kind == DELTA_V_INT) {
            *cmp = a->i < b->i ? -1 : a->i > b->i;
            return 0;
        }
        if (a->kind == DELTA_V_DECIMAL && b->kind == DELTA_V_DECIMAL) {
            *cmp = decimal_cmp(a->s, b->s);
            return 0;
        }
        double x = a->kind == DELTA_V_INT ? (double)a->i : a->kind == DELTA_V_DOUBLE ? a->d : strtod(a->s, NULL);
        double y = b->kind == DELTA_V_INT ? (double)b->i : b->kind == DELTA_V_DOUBLE ? b->d : strtod(b->s, NULL);
        if (isnan(x) || isnan(y)) {
            /* Spark orders NaN above every number. */
            *cmp = isnan(x) && isnan(y) ? 0 : isnan(x) ? 1 : -1;
            return 0;
        }
        *cmp = x < y ? -1 : x > y;
        return 0;
    }
    if (a->kind != b->kind)
        return -1;
    switch (a->kind) {
    case DELTA_V_BOOL:
        *cmp = (int)a->b - (int)b->b;
        return 0;
    case DELTA_V_DATE:
    case DELTA_V_TIMESTAMP:
        *cmp = a->i < b->i ? -1 : a->i > b->i;
        return 0;
    case DELTA_V_STRING: {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->s, b->s, n);
        *cmp = c != 0 ? (c < 0 ? -1 : 1) : (a->len < b->len ? -1 : a->len > b->len);
        return 0;
    }
    default:
        return -1;
    }
}
