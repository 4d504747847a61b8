/* strutil.c - string helpers. */
#include "base/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *os_str_lower(char *s)
{
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

int os_parse_i64(const char *s, int64_t *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long os_url_decode(char *s, int plus_is_space)
{
    /* Most names hold no escape at all (one per file of a table is decoded):
     * find the first byte that changes with the library's fast scan. */
    char *w = plus_is_space ? strpbrk(s, "%+") : strchr(s, '%');
    if (w == NULL)
        return (long)strlen(s);
    for (const char *r = w; *r; r++) {
        if (*r == '%') {
            int hi = hexval(r[1]);
            int lo = hi < 0 ? -1 : hexval(r[2]);
            if (hi < 0 || lo < 0)
                return -1;
            char c = (char)(hi * 16 + lo);
            if (c == '\0')
                return -1;
            *w++ = c;
            r += 2;
        } else if (*r == '+' && plus_is_space) {
            *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (long)(w - s);
}

int os_str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int os_str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}
