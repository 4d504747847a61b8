/* sto_oauth.h - the OAuth2 token POST that Azure AD, Google's token endpoint and Google STS answer alike.
 *
 * Internal to src/storage.  Each caller builds its own grant (the form body)
 * and keeps its own error texts; this file only sends the form and reads
 * {"access_token": ..., "expires_in": N} back. */
#ifndef OS_STORAGE_STO_OAUTH_H
#define OS_STORAGE_STO_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

typedef struct sto_oauth_req {
    const char *url;
    const os_buf *form;        /* application/x-www-form-urlencoded body (the caller's) */
    int refused_403;           /* 1: HTTP 403 is OS_EPERM too (400 and 401 always are) */
    size_t max_token;          /* tokens of this many bytes or more are refused */
    const char *endpoint_name; /* messages: "<endpoint_name> answered HTTP %ld" */
    const char *issuer_name;   /* messages: "<issuer_name> gave no usable access_token" */
} sto_oauth_req;

/* POSTs rq->form to rq->url and reads the token answer.  Appends the token to
 * `token` and sets *expires_in_s to expires_in when it is 1..86399, else to 0
 * (the caller picks its own default).  Returns 0, or -1: what sto_http_do
 * gives for transport failures; OS_EPERM (400, 401, see refused_403) or
 * OS_EIO (other non-200, or a body past 64 KiB) naming the status; OS_EIO when
 * the token is missing, empty, too long or holds CR/LF; OS_ENOMEM.  The answer
 * is wiped before it is freed; the form stays the caller's to wipe. */
int sto_oauth_token_post(const sto_oauth_req *rq, os_buf *token, int64_t *expires_in_s,
                         os_err *err);

#endif
