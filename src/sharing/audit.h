/* audit.h - the recipient audit log: one record per recipient request, appended to the catalog and to DATA_DIR/audit.jsonl.
 *
 * Two halves.  The sink (audit.c) writes finished events.  The request glue
 * (audit_request.c) is what handlers see: the recipient authentication gate
 * calls audit_request_begin() once per request, which fills the operation from
 * the matched route, share/schema/asset from the path captures, the client IP,
 * user agent and time, and registers a completion callback that writes the
 * record with the final HTTP status once the response is done.  A handler only
 * adds what it alone knows: audit_request_add_files / _add_credentials (a
 * streaming producer may keep the audit_record pointer and add as it goes). */
#ifndef OS_SHARING_AUDIT_H
#define OS_SHARING_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "catalog/store.h"
#include "net/http.h"

typedef struct audit_sink audit_sink;

/* Opens the sink: events go to the store's audit table and are appended to
 * DATA_DIR/audit.jsonl (created 0600).  Returns NULL with err. */
audit_sink *audit_sink_open(cat_store *st, const char *data_dir, os_err *err);
/* Closes the file and frees the sink.  NULL is a no-op. */
void audit_sink_close(audit_sink *s);
/* Queues one event (copied) for the writer thread, which commits events in
 * batches to the store and then appends their JSON lines.  Waits only while
 * the queue is full.  Thread-safe.  Failures are logged, not returned:
 * auditing never fails a request. */
void audit_sink_write(audit_sink *s, const cat_audit_event *ev);
/* Waits until every event queued before the call is written (for readers of
 * the audit log that must see their own requests). */
void audit_sink_flush(audit_sink *s);
/* Renders an event as one JSON object (the JSON-lines and GET /admin/audit
 * shape); heap string the caller frees, or NULL. */
char *audit_event_json(const cat_audit_event *ev);

/* The process-wide sink the request glue writes to (NULL: auditing off).
 * Install once before serving; the sink must outlive the server. */
void audit_sink_install(audit_sink *s);
/* The installed sink, or NULL. */
audit_sink *audit_sink_installed(void);

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
