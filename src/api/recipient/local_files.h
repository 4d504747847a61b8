/* local_files.h - the route table that serves local-storage files behind the server's signed URLs.
 *
 * Mount it (e.g. under the server's prefix) with a local_files_ctx; the URLs it
 * answers are made by local_url_sign with "{public base}{mount prefix}" as
 * base.  No bearer token is needed: the signature is the authority. */
#ifndef OS_API_RECIPIENT_LOCAL_FILES_H
#define OS_API_RECIPIENT_LOCAL_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "net/http.h"
#include "storage/local_url.h"

/* The mount's ctx.  Must outlive the server. */
typedef struct local_files_ctx {
    uint8_t key[LOCAL_URL_KEYLEN];  /* local_url_key_derive(server key) */
    int64_t (*now_s)(void);         /* clock for expiry; NULL: wall clock */
} local_files_ctx;

/* GET and HEAD "/files/{token}": 200 with the whole file, or 206 with
 * Content-Range for one satisfiable "Range: bytes=..." (multiple ranges or a
 * malformed header are ignored and the whole file sent), 416 with
 * a Content-Range that names the size when unsatisfiable, 403 when the token is
 * invalid, tampered or expired, 404 when the file is gone, is not a regular
 * file, or resolves (through symlinks) outside the signed root.  Bodies are
 * sent zero-copy from the file.  Every request is audited (when a sink is
 * installed) under the recipient, share and asset sealed in its URL, with the
 * file key, status and bytes sent; the token never reaches a log.  Sets *n to
 * the number of routes. */
const http_route *local_files_routes(size_t *n);

/* Range header outcomes. */
typedef enum local_range {
    LOCAL_RANGE_NONE = 0,        /* absent, malformed or multi-range: send all (200) */
    LOCAL_RANGE_OK = 1,          /* send [*start, *start + *len) (206) */
    LOCAL_RANGE_UNSATISFIABLE = 2 /* 416 */
} local_range;

/* Parses a Range header value against an object of `size` bytes.  Accepts
 * "bytes=A-B", "bytes=A-" and "bytes=-N" (no spaces).  An end past the
 * object is clamped; a suffix longer than the object means the whole object.
 * Never fails. */
local_range local_files_range_parse(const char *header, uint64_t size, uint64_t *start,
                                    uint64_t *len);

#endif
