/* iceberg_rest.h - the Iceberg REST catalog over shares: a share is a warehouse, its schemas are namespaces, its Iceberg tables are tables.
 *
 * Read-only: config, namespaces, tables, loadTable (with vended storage
 * credentials when asked), loadCredentials and reportMetrics.  Callers are
 * the handlers of src/api/iceberg; answers are JSON documents in the shapes of
 * the Iceberg REST OpenAPI document.  As everywhere, what is not granted to
 * the caller is OS_ENOTFOUND, exactly like what does not exist.
 */
#ifndef OS_SHARING_ICEBERG_REST_H
#define OS_SHARING_ICEBERG_REST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "sharing/service.h"

/* Where each answer says it comes from (for the Iceberg error type). */
typedef enum iceberg_rest_what {
    ICE_REST_WAREHOUSE,
    ICE_REST_NAMESPACE,
    ICE_REST_TABLE
} iceberg_rest_what;

/* GET /v1/config?warehouse=SHARE: the prefix "shares/SHARE" and the
 * endpoints served.  OS_EINVAL without a warehouse, OS_ENOTFOUND for a share
 * that is absent or not granted. */
int iceberg_rest_config(sharing_service *svc, const sharing_caller *who, const char *warehouse,
                        os_arena *a, json_t **out, os_err *err);

/* GET namespaces: the share's schemas as one-level namespaces.  A `parent`
 * that names a schema has no children (an empty list); any other parent is
 * OS_ENOTFOUND.  page_size / page_token as the REST spec's pageSize /
 * pageToken (NULL when absent). */
int iceberg_rest_namespaces(sharing_service *svc, const sharing_caller *who, const char *share,
                            const char *parent, const char *page_size, const char *page_token,
                            os_arena *a, json_t **out, os_err *err);

/* GET namespaces/{ns}: {"namespace": [ns], "properties": {}}. */
int iceberg_rest_namespace(sharing_service *svc, const sharing_caller *who, const char *share,
                           const char *ns, os_arena *a, json_t **out, os_err *err);

/* GET namespaces/{ns}/tables: the namespace's Iceberg tables (Delta tables and
 * datasets are left out; a page may hold fewer than page_size). */
int iceberg_rest_tables(sharing_service *svc, const sharing_caller *who, const char *share,
                        const char *ns, const char *page_size, const char *page_token, os_arena *a,
                        json_t **out, os_err *err);

typedef struct iceberg_load_req {
    const char *share, *ns, *table;
    const char *snapshots;         /* "all" (default) or "refs" */
    bool vended;                   /* X-Iceberg-Access-Delegation asks for vended-credentials */
    const char *credentials_url;   /* absolute URL of this table's loadCredentials route */
    const char *if_none_match;     /* the request's If-None-Match, or NULL */
} iceberg_load_req;

/* The answer of loadTable: JSON in three parts, written out by
 * iceberg_load_answer_read (the metadata part is shared with the cache, never
 * copied per request) and released by iceberg_load_answer_free. */
typedef struct iceberg_load_answer {
    char *head, *tail;             /* malloc'd: '{"metadata-location":...,"metadata":' and ',"config":...}' */
    void *metadata;                /* a reference to the rendered metadata */
    size_t part, offset;           /* read position */
    char etag[40];                 /* a quoted tag of the metadata file and the snapshots mode */
    bool not_modified;             /* If-None-Match named this etag: answer 304 */
    int64_t snapshot_id;           /* the current snapshot, -1 when none (for the audit record) */
    bool vended;                   /* storage-credentials were vended */
} iceberg_load_answer;

/* loadTable: {"metadata-location", "metadata", "config", "storage-credentials"}.
 * Errors: OS_ENOTFOUND, OS_EINVAL (snapshots neither all nor refs), and the
 * table's read and vending errors. */
int iceberg_rest_load_table(sharing_service *svc, const sharing_caller *who, const iceberg_load_req *r,
                            os_arena *a, iceberg_load_answer *ans, os_err *err);
/* Copies up to max bytes of the answer's JSON into buf, continuing where the
 * last call stopped; returns the count, 0 at the end. */
size_t iceberg_load_answer_read(iceberg_load_answer *ans, char *buf, size_t max);
/* Releases the answer's parts (safe on a zeroed or failed answer). */
void iceberg_load_answer_free(iceberg_load_answer *ans);

/* loadCredentials: {"storage-credentials": [{"prefix", "config"}]}; local
 * storage has none to vend (OS_EUNSUPPORTED saying so). */
int iceberg_rest_credentials(sharing_service *svc, const sharing_caller *who, const char *share,
                             const char *ns, const char *table, os_arena *a, json_t **out, os_err *err);

/* Whether ns names a namespace of this catalog: non-empty and one level (no
 * multi-level separator 0x1F). */
bool iceberg_rest_namespace_valid(const char *ns);

/* The body check of reportMetrics, with no I/O: body (len bytes, need not be
 * NUL-terminated; NULL is empty) must be a ReportMetricsRequest JSON object
 * with report-type "scan-report" (commit reports are refused: shared tables
 * are read-only), a string table-name, an integer snapshot-id and a metrics
 * object.  Returns 0 with *snapshot_id set, or -1 (OS_EINVAL naming what is
 * wrong; *snapshot_id is -1). */
int iceberg_rest_metrics_parse(const char *body, size_t len, int64_t *snapshot_id, os_err *err);

/* reportMetrics: checks the body is a ReportMetricsRequest (report-type,
 * table-name, snapshot-id) for this table; *snapshot_id gets its snapshot.
 * Returns 0 or -1 (OS_EINVAL naming what is wrong, OS_ENOTFOUND). */
int iceberg_rest_metrics(sharing_service *svc, const sharing_caller *who, const char *share,
                         const char *ns, const char *table, const char *body, size_t len, os_arena *a,
                         int64_t *snapshot_id, os_err *err);

/* Frees the loadTable cache (rendered metadata of the tables last loaded;
 * entries in use are freed when released).  Call once at shutdown. */
void iceberg_rest_cache_clear(void);

#endif
