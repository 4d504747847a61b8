/* sign_util.c - percent-encoding, query pairs and timestamp formatting for the URL signers and store clients. */
#include "storage/sign_util.h"

#include <string.h>

#include "base/timeutil.h"

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

int sto_uri_encode(os_buf *b, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    if (os_buf_reserve(b, n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            if (os_buf_putc(b, (char)c) != 0)
                return -1;
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            if (os_buf_append(b, e, 3) != 0)
                return -1;
        }
    }
    return 0;
}

int sto_query_add(os_buf *q, const char *name, const char *value)
{
    int rc = 0;
    if (q->len > 0)
        rc |= os_buf_putc(q, '&');
    rc |= os_buf_printf(q, "%s=", name);
    rc |= sto_uri_encode(q, value, strlen(value), 0);
    return rc;
}

/* Splits epoch seconds into civil UTC fields. */
static void civil(int64_t s, int64_t *y, unsigned *mo, unsigned *d, int *h, int *mi, int *se)
{
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t rem = s - days * 86400;
    os_civil_from_days(days, y, mo, d);
    *h = (int)(rem / 3600);
    *mi = (int)(rem % 3600 / 60);
    *se = (int)(rem % 60);
}

/* Writes v as exactly `width` decimal digits at p; returns p + width. */
static char *digits(char *p, int64_t v, int width)
{
    if (v < 0)
        v = 0;
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

void sto_time_compact(int64_t epoch_s, char date[9], char stamp[17])
{
    int64_t y;
    unsigned mo, d;
    int h, mi, se;
    civil(epoch_s, &y, &mo, &d, &h, &mi, &se);
    char buf[17], *p = buf;
    p = digits(p, y, 4);
    p = digits(p, mo, 2);
    p = digits(p, d, 2);
    *p++ = 'T';
    p = digits(p, h, 2);
    p = digits(p, mi, 2);
    p = digits(p, se, 2);
    *p++ = 'Z';
    *p = '\0';
    if (date) {
        memcpy(date, buf, 8);
        date[8] = '\0';
    }
    if (stamp)
        memcpy(stamp, buf, 17);
}

void sto_time_iso(int64_t epoch_s, char out[21])
{
    int64_t y;
    unsigned mo, d;
    int h, mi, se;
    civil(epoch_s, &y, &mo, &d, &h, &mi, &se);
    char *p = out;
    p = digits(p, y, 4);
    *p++ = '-';
    p = digits(p, mo, 2);
    *p++ = '-';
    p = digits(p, d, 2);
    *p++ = 'T';
    p = digits(p, h, 2);
    *p++ = ':';
    p = digits(p, mi, 2);
    *p++ = ':';
    p = digits(p, se, 2);
    *p++ = 'Z';
    *p = '\0';
}
