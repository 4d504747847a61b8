/* table_request.h - the request side of a table read: version and timestamp texts, query bodies, and the response format a client can take.
 *
 * Everything here is a client error when it fails (OS_EINVAL, or
 * OS_EUNSUPPORTED for a format the client cannot read), checked before an
 * answer starts. */
#ifndef OS_SHARING_TABLE_REQUEST_H
#define OS_SHARING_TABLE_REQUEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "formats/delta/delta.h"
#include "sharing/capabilities.h"

/* A version given as text (`name` words the error); must be >= 0. */
int table_req_version(const char *text, const char *name, int64_t *v, os_err *err);
/* An ISO-8601 timestamp given as text, in ms since the epoch. */
int table_req_timestamp(const char *text, const char *name, int64_t *ms, os_err *err);
/* The response format for a table with protocol p under the client's
 * capabilities c, or a refusal saying which features to ask for and how.
 * Reader features the server handles itself are not asked of the client. */
int table_req_format(const caps *c, const delta_protocol *p, resp_format *fmt, os_err *err);

/* A query body: the parsed document (owned: json_decref it) and its fields
 * (borrowed from it; JSON null counts as absent). */
typedef struct query_body {
    json_t *doc;
    json_t *version, *timestamp, *starting, *ending, *predicate, *limit, *max_files, *page_token,
        *include_refresh, *refresh_token;
} query_body;

/* Parses and checks a query body (an empty body means no hints).  On error
 * q->doc may still be set and must be released. */
int table_req_body_parse(const char *body, size_t len, query_body *q, os_err *err);
/* A non-negative integer field given as a JSON integer or as text. */
int table_req_body_int(json_t *v, const char *name, int64_t *out, os_err *err);

#endif
