/* audit_request.h - the per-request audit record: the HTTP details an audit event needs, taken from the request and handed to the sink as plain values.
 *
 * The recipient authentication gate calls audit_request_begin() once per
 * request, which fills the operation from the matched route, share/schema/
 * asset from the path captures, the client IP, user agent and time, and
 * registers a completion callback that writes the record with the final HTTP
 * status once the response is done.  A handler only adds what it alone knows:
 * audit_request_add_files / _add_credentials (a streaming producer may keep
 * the audit_record pointer and add as it goes). */
#ifndef OS_API_AUDIT_REQUEST_H
#define OS_API_AUDIT_REQUEST_H

#include "net/http.h"
#include "sharing/audit.h"

/* One request's record; lives in the request's arena. */
typedef struct audit_record {
    cat_audit_event ev;
    audit_sink *sink;
} audit_record;

/* Starts (or returns the already started) record of this request and
 * arranges for it to be written at completion.  NULL when no sink is
 * installed or out of memory. */
audit_record *audit_request_begin(http_request *req);
/* The caller, once authenticated (name is copied). */
void audit_request_set_recipient(http_request *req, int64_t recipient_id, const char *name);
/* The token the caller authenticated with (its last use is recorded). */
void audit_request_set_token(http_request *req, int64_t token_id);
/* Counts of files (signed URLs) and storage credentials vended. */
void audit_request_add_files(http_request *req, int64_t n);
void audit_request_add_credentials(http_request *req, int64_t n);
/* Makes the record of a download through a local signed URL: the URL's
 * recipient (0/NULL when it cannot be opened), share, schema, asset and
 * file key (all copied; NULL leaves a field unset); the bytes sent are filled
 * in at completion.  The recorded path and the access log's path keep only
 * the route ("{prefix}/files/-"), never the URL token, which is a credential
 * until it expires.  Starts the record when needed. */
void audit_request_set_download(http_request *req, int64_t recipient_id, const char *recipient,
                                const char *share, const char *schema, const char *asset,
                                const char *file);
/* The record of a request, or NULL when auditing did not start. */
audit_record *audit_request_get(http_request *req);

#endif
