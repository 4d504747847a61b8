/* audit.h - the recipient audit log: one record per recipient request, appended to the catalog and to DATA_DIR/audit.jsonl.
 *
 * The sink (audit.c) writes finished events, given as plain values
 * (cat_audit_event): the HTTP details they hold (client IP, route, user
 * agent) are taken from the request by src/api/audit_request.c. */
#ifndef OS_SHARING_AUDIT_H
#define OS_SHARING_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "catalog/store.h"

typedef struct audit_sink audit_sink;

/* How long events are kept and how the JSON-lines file is rotated. */
typedef struct audit_sink_opts {
    int64_t retention_ms;         /* events older than this are deleted (hourly); 0 = never */
    uint64_t max_file_bytes;      /* audit.jsonl is rotated past this size; 0 = never */
    unsigned keep_files;          /* rotated files kept: audit.jsonl.1 (newest) .. .N */
} audit_sink_opts;

/* Opens the sink: events go to the store's audit table and are appended to
 * DATA_DIR/audit.jsonl (created 0600).  opts may be NULL (keep everything,
 * never rotate).  Returns NULL with err. */
audit_sink *audit_sink_open(cat_store *st, const char *data_dir, const audit_sink_opts *opts,
                            os_err *err);
/* Asks the writer to reopen audit.jsonl before its next write (after an
 * external logrotate moved it; the server calls this on SIGHUP).  Safe from
 * any thread. */
void audit_sink_reopen(audit_sink *s);
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

#endif
