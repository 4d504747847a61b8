/* iceberg_handlers.c - thin HTTP handlers of the Iceberg REST catalog: authenticate, read parameters, call sharing/iceberg_rest, answer (Iceberg's error body). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/http_errors.h"
#include "api/iceberg/iceberg_api.h"
#include "api/recipient/recipient_api.h"
#include "base/buf.h"
#include "base/log.h"
#include "api/audit_request.h"
#include "sharing/iceberg_rest.h"
#include "storage/sign_util.h"

/* ---- answers ------------------------------------------------------------- */

/* Iceberg's error types by status, with the 404 type naming what is missing. */
static const char *error_type(int status, iceberg_rest_what what)
{
    switch (status) {
    case 400: return "BadRequestException";
    case 401: return "NotAuthorizedException";
    case 403: return "ForbiddenException";
    case 404: return what == ICE_REST_TABLE ? "NoSuchTableException"
                     : what == ICE_REST_NAMESPACE ? "NoSuchNamespaceException"
                                                  : "NotFoundException";
    case 406: return "UnsupportedOperationException";
    case 503: return "ServiceUnavailableException";
    default: return "InternalServerError";
    }
}

static int send_error_raw(http_response *res, int status, const char *type, const char *message)
{
    json_t *doc = json_pack("{s:{s:s,s:s,s:i}}", "error", "message", message, "type", type, "code",
                            status);
    return api_send_json(res, status, doc);
}

/* The error as Iceberg clients read it: {"error": {"message", "type", "code"}}. */
static int send_error(http_response *res, const os_err *err, iceberg_rest_what what)
{
    int status = err->code == OS_EUNSUPPORTED ? 406 : err->code == OS_ELIMIT ? 400
                                                                             : api_status_of(err->code);
    if (err->code == OS_EAUTH)
        http_response_header(res, "WWW-Authenticate", "Bearer");
    if (status >= 500) {
        os_log(OS_LOG_ERROR, "request failed: %s (%s)", err->msg, os_code_name(err->code));
        if (err->code == OS_EUPSTREAM)   /* the storage's answer, said as it came */
            return send_error_raw(res, status, "ServiceFailureException", err->msg);
        if (err->code != OS_ECORRUPT)
            return send_error_raw(res, status, error_type(status, what),
                                  "the server could not complete the request; it has been logged");
        char msg[sizeof err->msg + 64];
        snprintf(msg, sizeof msg, "the shared data is damaged: %s", err->msg);
        return send_error_raw(res, status, error_type(status, what), msg);
    }
    return send_error_raw(res, status, error_type(status, what), err->msg);
}

static int finish(http_response *res, int rc, json_t *doc, const os_err *err, iceberg_rest_what what)
{
    if (rc != 0)
        return send_error(res, err, what);
    return api_send_json(res, 200, doc);
}

#define P(name) http_request_param(req, name)
#define Q(name) http_request_query(req, name)
#define BEGIN                                                  \
    recipient_api *api = ctx;                                  \
    sharing_caller who;                                        \
    json_t *doc = NULL;                                        \
    os_err err;                                                \
    os_arena *a = http_request_arena(req);                     \
    if (recipient_identify(req, api, &who, &err) != 0)         \
        return send_error(res, &err, ICE_REST_WAREHOUSE);      \
    (void)a;                                                   \
    (void)doc

/* HEAD answers carry no body: 204 when found, the status alone otherwise. */
static int head_answer(http_response *res, int rc, json_t *doc, const os_err *err)
{
    json_decref(doc);
    int status = rc == 0 ? 204 : api_status_of(err->code);
    return http_response_body(res, status, "application/json", "", 0);
}

/* ---- routes ---------------------------------------------------------------- */

/* Catalog-only answers (config, namespaces, tables) are kept per catalog
 * generation like the Delta Sharing discovery answers. */
#define CACHED                                                          \
    recipient_answer ans;                                              \
    switch (recipient_answer_cached(req, res, api, &who, &ans)) {      \
    case 1: return 0;                                                  \
    case -1: return -1;                                                \
    }
#define FINISH_KEPT(rc, what) \
    ((rc) != 0 ? send_error(res, &err, what) : recipient_answer_send(req, res, api, &ans, doc))

static int h_config(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    CACHED;
    int rc = iceberg_rest_config(api->svc, &who, Q("warehouse"), a, &doc, &err);
    return FINISH_KEPT(rc, ICE_REST_WAREHOUSE);
}

static int h_namespaces(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    CACHED;
    int rc = iceberg_rest_namespaces(api->svc, &who, P("share"), Q("parent"), Q("pageSize"),
                                     Q("pageToken"), a, &doc, &err);
    return FINISH_KEPT(rc, Q("parent") ? ICE_REST_NAMESPACE : ICE_REST_WAREHOUSE);
}

static int h_namespace(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    int rc = iceberg_rest_namespace(api->svc, &who, P("share"), P("schema"), a, &doc, &err);
    if (strcmp(http_request_method(req), "HEAD") == 0)
        return head_answer(res, rc, doc, &err);
    return finish(res, rc, doc, &err, ICE_REST_NAMESPACE);
}

static int h_tables(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    CACHED;
    int rc = iceberg_rest_tables(api->svc, &who, P("share"), P("schema"), Q("pageSize"), Q("pageToken"),
                                 a, &doc, &err);
    return FINISH_KEPT(rc, ICE_REST_NAMESPACE);
}

static void set_snapshot(http_request *req, int64_t snapshot_id)
{
    audit_record *rec = audit_request_get(req);
    if (rec && snapshot_id >= 0) {
        rec->ev.has_snapshot = true;
        rec->ev.snapshot_id = snapshot_id;
    }
}

static ssize_t load_answer_produce(void *ctx, char *buf, size_t max)
{
    return (ssize_t)iceberg_load_answer_read(ctx, buf, max);
}

static void load_answer_free(void *ctx)
{
    iceberg_load_answer_free(ctx);
    free(ctx);
}

static int h_load_table(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    /* tableExists (HEAD) sends the delegation header too: nothing is vended
     * for an answer without a body. */
    bool head = strcmp(http_request_method(req), "HEAD") == 0;
    const char *deleg = head ? NULL : http_request_header(req, "X-Iceberg-Access-Delegation");
    os_buf url = OS_BUF_INIT;
    if (api->svc->files_base) {
        os_buf_puts(&url, api->svc->files_base);
        os_buf_puts(&url, ICEBERG_API_MOUNT "/v1/shares/");
        sto_uri_encode(&url, P("share"), strlen(P("share")), 0);
        os_buf_puts(&url, "/namespaces/");
        sto_uri_encode(&url, P("schema"), strlen(P("schema")), 0);
        os_buf_puts(&url, "/tables/");
        sto_uri_encode(&url, P("table"), strlen(P("table")), 0);
        os_buf_puts(&url, "/credentials");
    }
    iceberg_load_req r = {P("share"), P("schema"), P("table"), Q("snapshots"),
                          deleg && strstr(deleg, "vended-credentials") != NULL,
                          url.len ? os_buf_cstr(&url) : NULL,
                          http_request_header(req, "If-None-Match")};
    iceberg_load_answer *ans = calloc(1, sizeof *ans);
    if (ans == NULL) {
        os_err_set(&err, OS_ENOMEM, "out of memory");
        os_buf_free(&url);
        return send_error(res, &err, ICE_REST_TABLE);
    }
    int rc = iceberg_rest_load_table(api->svc, &who, &r, a, ans, &err);
    os_buf_free(&url);
    set_snapshot(req, ans->snapshot_id);
    if (rc == 0 && ans->vended)
        audit_request_add_credentials(req, 1);
    if (rc == 0)
        http_response_header(res, "ETag", ans->etag);
    if (head || rc != 0 || ans->not_modified) {
        load_answer_free(ans);
        if (head)
            return http_response_body(res, rc == 0 ? 204 : api_status_of(err.code), "application/json", "", 0);
        if (rc != 0)
            return send_error(res, &err, ICE_REST_TABLE);
        return http_response_body(res, 304, "application/json", "", 0);
    }
    /* Streamed from the shared rendering: megabytes of metadata are never copied per request. */
    return http_response_stream(res, 200, "application/json; charset=utf-8", load_answer_produce, ans,
                                load_answer_free);
}

static int h_credentials(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    int rc = iceberg_rest_credentials(api->svc, &who, P("share"), P("schema"), P("table"), a, &doc, &err);
    if (rc == 0)
        audit_request_add_credentials(req, 1);
    return finish(res, rc, doc, &err, ICE_REST_TABLE);
}

static int h_metrics(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    size_t len;
    const char *body = http_request_body(req, &len);
    int64_t snapshot_id;
    int rc = iceberg_rest_metrics(api->svc, &who, P("share"), P("schema"), P("table"), body, len, a,
                                  &snapshot_id, &err);
    if (rc != 0)
        return send_error(res, &err, ICE_REST_TABLE);
    set_snapshot(req, snapshot_id);
    return http_response_body(res, 204, "application/json", "", 0);
}

/* Every route that would change the catalog: shares are read-only. */
static int h_read_only(http_request *req, http_response *res, void *ctx)
{
    recipient_api *api = ctx;
    sharing_caller who;
    os_err err;
    if (recipient_identify(req, api, &who, &err) != 0)
        return send_error(res, &err, ICE_REST_WAREHOUSE);
    const struct http_route *rt = http_request_route(req);
    char msg[256];
    snprintf(msg, sizeof msg, "shared tables are read-only: %s is not served by this catalog, which "
             "lists and loads the tables a provider shares", rt && rt->operation_id ? rt->operation_id : "this call");
    return send_error_raw(res, 403, "ForbiddenException", msg);
}

/* Whole literals (the OpenAPI test reads route patterns from these macros). */
#define PX "/v1/shares/{share}"
#define NS "/v1/shares/{share}/namespaces/{schema}"
#define TB "/v1/shares/{share}/namespaces/{schema}/tables/{table}"

static const http_route ROUTES[] = {
    {"GET", "/v1/config", h_config, "icebergGetConfig", "Iceberg REST: catalog configuration of a share (warehouse=SHARE)"},
    {"GET", PX "/namespaces", h_namespaces, "icebergListNamespaces", "Iceberg REST: the share's schemas as namespaces"},
    {"GET", NS, h_namespace, "icebergLoadNamespaceMetadata", "Iceberg REST: one namespace"},
    {"HEAD", NS, h_namespace, "icebergNamespaceExists", "Iceberg REST: whether a namespace exists"},
    {"GET", NS "/tables", h_tables, "icebergListTables", "Iceberg REST: the Iceberg tables of a namespace"},
    {"GET", TB, h_load_table, "icebergLoadTable", "Iceberg REST: table metadata, config and vended credentials"},
    {"HEAD", TB, h_load_table, "icebergTableExists", "Iceberg REST: whether a table exists"},
    {"GET", TB "/credentials", h_credentials, "icebergLoadCredentials", "Iceberg REST: fresh vended credentials for a table"},
    {"POST", TB "/metrics", h_metrics, "icebergReportMetrics", "Iceberg REST: accept a scan report (recorded in the audit log)"},
    {"POST", PX "/namespaces", h_read_only, "icebergCreateNamespace", "Iceberg REST: refused (read-only)"},
    {"DELETE", NS, h_read_only, "icebergDropNamespace", "Iceberg REST: refused (read-only)"},
    {"POST", NS "/properties", h_read_only, "icebergUpdateProperties", "Iceberg REST: refused (read-only)"},
    {"POST", NS "/tables", h_read_only, "icebergCreateTable", "Iceberg REST: refused (read-only)"},
    {"POST", NS "/register", h_read_only, "icebergRegisterTable", "Iceberg REST: refused (read-only)"},
    {"POST", TB, h_read_only, "icebergUpdateTable", "Iceberg REST: refused (read-only)"},
    {"DELETE", TB, h_read_only, "icebergDropTable", "Iceberg REST: refused (read-only)"},
    {"POST", PX "/tables/rename", h_read_only, "icebergRenameTable", "Iceberg REST: refused (read-only)"},
    {"POST", PX "/transactions/commit", h_read_only, "icebergCommitTransaction", "Iceberg REST: refused (read-only)"},
    {"GET", NS "/views", h_read_only, "icebergListViews", "Iceberg REST: refused (views are not shared)"},
    {"POST", NS "/views", h_read_only, "icebergCreateView", "Iceberg REST: refused (read-only)"},
    {"GET", NS "/views/{view}", h_read_only, "icebergLoadView", "Iceberg REST: refused (views are not shared)"},
    {"POST", NS "/views/{view}", h_read_only, "icebergReplaceView", "Iceberg REST: refused (read-only)"},
    {"DELETE", NS "/views/{view}", h_read_only, "icebergDropView", "Iceberg REST: refused (read-only)"},
    {"POST", PX "/views/rename", h_read_only, "icebergRenameView", "Iceberg REST: refused (read-only)"},
};

const http_route *iceberg_api_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
