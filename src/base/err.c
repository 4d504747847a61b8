/* err.c - construction and formatting of os_err values. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int os_err_set(os_err *err, os_code code, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int os_err_wrap(os_err *err, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    char prefix[256];
    char old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Build by hand: the combined text is cut at the buffer's end on purpose. */
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    err->msg[n++] = ':';
    err->msg[n++] = ' ';
    size_t rest = sizeof err->msg - 1 - n;
    size_t m = strlen(old);
    if (m > rest)
        m = rest;
    memcpy(err->msg + n, old, m);
    err->msg[n + m] = '\0';
    return -1;
}

void os_err_clear(os_err *err)
{
    if (err == NULL)
        return;
    err->code = OS_OK;
    err->msg[0] = '\0';
}

const char *os_code_name(os_code code)
{
    switch (code) {
    case OS_OK: return "OK";
    case OS_EINVAL: return "EINVAL";
    case OS_ENOTFOUND: return "ENOTFOUND";
    case OS_EEXIST: return "EEXIST";
    case OS_EAUTH: return "EAUTH";
    case OS_EPERM: return "EPERM";
    case OS_EUNSUPPORTED: return "EUNSUPPORTED";
    case OS_ECORRUPT: return "ECORRUPT";
    case OS_EIO: return "EIO";
    case OS_ENOMEM: return "ENOMEM";
    case OS_ELIMIT: return "ELIMIT";
    case OS_EINTERNAL: return "EINTERNAL";
    case OS_EUPSTREAM: return "EUPSTREAM";
    case OS_EBUSY: return "EBUSY";
    }
    return "UNKNOWN";
}
