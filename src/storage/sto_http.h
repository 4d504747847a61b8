/* sto_http.h - the outbound HTTP call the object-store backends make (libcurl), bounded and hostile-safe.
 *
 * Internal to src/storage.  Only http:// and https:// are allowed, redirects
 * are not followed, bodies are capped, and nothing about the request's
 * credentials is ever put in an error message. */
#ifndef OS_STORAGE_STO_HTTP_H
#define OS_STORAGE_STO_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "storage/objstore.h"

typedef struct sto_http_req {
    const char *method;            /* "GET", "HEAD" or "POST" */
    const char *url;
    const char *const *headers;    /* "Name: value" strings, NULL-terminated; may be NULL */
    const char *body;              /* POST body, or NULL */
    size_t body_len;
    const char *aws_sigv4;         /* e.g. "aws:amz:us-east-1:s3": sign with SigV4, or NULL */
    const char *aws_key_id;        /* with aws_sigv4 */
    const char *aws_secret;
    int has_range;                 /* 1: send "Range: bytes=start-(start+len-1)" */
    uint64_t range_start, range_len;
    void *dst;                     /* with has_range: write the body here (at most range_len) */
    size_t max_body;               /* otherwise: the body goes to resp->body, refused beyond this */
    long timeout_s;                /* 0: 600 (stalls under 1 KiB/s for 30 s fail sooner) */
} sto_http_req;

typedef struct sto_http_resp {
    long status;
    os_buf body;                   /* owned by the caller: os_buf_free; for non-2xx answers
                                      the error body (at most 64 KiB) */
    size_t got;                    /* bytes written to dst for ranged reads */
    int64_t content_length;        /* -1 when absent */
    int64_t last_modified_ms;      /* from Last-Modified, -1 when absent */
    int too_large;                 /* the body passed max_body (transfer stopped) */
} sto_http_resp;

/* Performs the request.  Returns 0 when a response arrived (any status; the
 * caller maps it), or -1 with OS_EIO for transport failures (the message names
 * the host, never credentials) and OS_ENOMEM.  resp must be zeroed first. */
int sto_http_do(const sto_http_req *req, sto_http_resp *resp, os_err *err);

/* Maps a non-2xx status to an error on `what` (an object name): 404 ->
 * OS_ENOTFOUND, 401/403 -> OS_EPERM, else OS_EIO.  Returns -1. */
int sto_http_status_err(long status, const char *store, const char *what, os_err *err);

/* The answers to the three object calls every backend makes, mapped the same
 * way.  Each is called only when sto_http_do succeeded; store names the
 * backend ("S3") and key the object as the caller asked for it, both for
 * messages.  Each returns 0, or -1 with err set; none frees rs->body. */

/* A HEAD on key: fills *out (out->name = key, borrowed).  Non-200 gives the
 * sto_http_status_err error, a 200 without Content-Length OS_EIO. */
int sto_http_stat_take(const sto_http_resp *rs, const char *store, const char *key,
                       objstore_entry *out, os_err *err);

/* A whole-object GET on key: appends the body to out.  A body past max gives
 * OS_ELIMIT (checked before the status), non-200 the sto_http_status_err
 * error, a failed append OS_ENOMEM. */
int sto_http_body_take(const sto_http_resp *rs, const char *store, const char *key, size_t max,
                       os_buf *out, os_err *err);

/* A ranged GET on key: sets *got to the bytes written to the request's dst;
 * 416 (offset at or past the end) is 0 bytes, not an error.  Other statuses
 * than 200 and 206 give the sto_http_status_err error (*got untouched). */
int sto_http_range_take(const sto_http_resp *rs, const char *store, const char *key,
                        size_t *got, os_err *err);

/* Parses an HTTP date ("Tue, 14 Nov 2023 22:13:20 GMT") to epoch ms; 0 or -1. */
int sto_http_date_parse(const char *s, size_t n, int64_t *ms);

#endif
