/* buf.c - growable byte buffer. */
#include "base/buf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int os_buf_grow(os_buf *b, size_t extra)
{
    if (extra > ((size_t)-1) / 2 - b->len)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

long os_buf_append_str0(os_buf *b, const void *p, size_t n)
{
    if (n >= (size_t)LONG_MAX || os_buf_reserve(b, n + 1) != 0)
        return -1;
    size_t at = b->len;
    if (n > 0)
        memcpy(b->data + at, p, n);
    b->data[at + n] = '\0';
    b->len = at + n + 1;
    b->data[b->len] = '\0';
    return (long)at;
}

int os_buf_append(os_buf *b, const void *p, size_t n)
{
    if (os_buf_reserve(b, n) != 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int os_buf_puts(os_buf *b, const char *s)
{
    return os_buf_append(b, s, strlen(s));
}

int os_buf_putc(os_buf *b, char c)
{
    return os_buf_append(b, &c, 1);
}

int os_buf_put_i64(os_buf *b, int64_t v)
{
    char tmp[24];
    int i = (int)sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    return os_buf_append(b, tmp + i, sizeof tmp - (size_t)i);
}

int os_buf_vprintf(os_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || os_buf_reserve(b, (size_t)n) != 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int os_buf_printf(os_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = os_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}


void os_buf_free(os_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *os_buf_detach(os_buf *b)
{
    if (b->data == NULL && os_buf_reserve(b, 0) != 0)
        return NULL;
    b->data[b->len] = '\0';
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *os_buf_cstr(const os_buf *b)
{
    return b->data ? b->data : "";
}
