/* err.h - errors as values: a code the HTTP layer can map, and a message a person can act on. */
#ifndef OS_BASE_ERR_H
#define OS_BASE_ERR_H

#include <stddef.h>

/* Error codes.  Each maps to exactly one HTTP status and protocol errorCode in
 * src/api/http_errors.c; modules below the API choose the code that says what
 * went wrong, never an HTTP status. */
typedef enum os_code {
    OS_OK = 0,
    OS_EINVAL,        /* caller supplied a bad value (400 INVALID_PARAMETER_VALUE) */
    OS_ENOTFOUND,     /* named thing does not exist or is not visible (404) */
    OS_EEXIST,        /* already exists (409) */
    OS_EAUTH,         /* missing or bad credentials (401) */
    OS_EPERM,         /* authenticated but not allowed (403) */
    OS_EUNSUPPORTED,  /* valid request we do not serve (400/501 by context) */
    OS_ECORRUPT,      /* stored data is malformed (500-class, names the file) */
    OS_EIO,           /* I/O failure */
    OS_ENOMEM,        /* allocation failed */
    OS_ELIMIT,        /* a size or count limit was exceeded */
    OS_EINTERNAL,     /* a bug or an impossible state */
    OS_EUPSTREAM,     /* a service the server relies on (a storage provider's credentials
                         API...) failed or refused (502 BAD_GATEWAY); its message reaches
                         the caller, so it never holds a secret */
    OS_EBUSY          /* a shared resource stayed busy past its wait (the catalog's write
                         lock held by another process): 503 with Retry-After */
} os_code;

/* An error value.  Functions that can fail take an `os_err *` (may be NULL when
 * the caller does not care) and return -1 (or NULL) after filling it. */
typedef struct os_err {
    os_code code;
    char msg[512];
} os_err;

/* Fills err (when not NULL) with code and a printf-style message; returns -1 so
 * callers can write `return os_err_set(err, OS_EINVAL, "...")`. */
int os_err_set(os_err *err, os_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to err's message, keeping its code.  Returns -1. */
int os_err_wrap(os_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Resets err to OS_OK with an empty message. */
void os_err_clear(os_err *err);

/* A short stable name for a code ("EINVAL"...), for logs and tests. */
const char *os_code_name(os_code code);

#endif
