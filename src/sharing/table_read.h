/* table_read.h - Delta Sharing table reads: version, metadata, query and changes, with format negotiation and paging. */
#ifndef OS_SHARING_TABLE_READ_H
#define OS_SHARING_TABLE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "sharing/capabilities.h"
#include "sharing/service.h"

/* Where the table lives, as the protocol names it. */
typedef struct table_ref {
    const char *share;
    const char *schema;
    const char *table;
} table_ref;

/* What every successful read answers besides its body.  Streams report the
 * number of files they signed through line_stream_on_end. */
typedef struct table_answer {
    int64_t version;            /* Delta-Table-Version */
    resp_format format;         /* echoed in delta-sharing-capabilities */
    int end_stream;             /* 1: the body ends with an endStreamAction */
} table_answer;

/* The table's version, or with starting_timestamp (ISO-8601, may be NULL) the
 * first version committed at or after it.  Returns 0 or -1 with err. */
int table_read_version(sharing_service *svc, const sharing_caller *who, const table_ref *ref,
                       const char *starting_timestamp, os_arena *a, int64_t *version, os_err *err);

/* Protocol and metadata lines into out (version_text may be NULL: latest). */
int table_read_metadata(sharing_service *svc, const sharing_caller *who, const table_ref *ref,
                        const char *capabilities, const char *version_text, os_arena *a,
                        os_buf *out, table_answer *ans, os_err *err);

/* Validates a query (JSON body) or a changes request (query parameters),
 * loads what must be known before answering 200 (so every client error is a
 * 4xx, not a broken stream), and returns a stream to pass to
 * http_response_stream with line_stream_read / line_stream_free.  Returns NULL
 * with err. */
void *table_read_query(sharing_service *svc, const sharing_caller *who, const table_ref *ref,
                       const char *capabilities, const char *body, size_t body_len, os_arena *a,
                       table_answer *ans, os_err *err);

typedef struct changes_params {
    const char *starting_version;
    const char *starting_timestamp;
    const char *ending_version;
    const char *ending_timestamp;
    const char *include_historical_metadata;
} changes_params;

void *table_read_changes(sharing_service *svc, const sharing_caller *who, const table_ref *ref,
                         const char *capabilities, const changes_params *p, os_arena *a,
                         table_answer *ans, os_err *err);

#endif
