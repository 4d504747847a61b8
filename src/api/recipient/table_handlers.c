/* table_handlers.c - thin HTTP handlers for table reads: version, metadata, query, changes. */
#include <stdio.h>
#include <string.h>

#include "api/http_errors.h"
#include "api/recipient/recipient_api.h"
#include "api/audit_request.h"
#include "sharing/line_stream.h"
#include "sharing/table_read.h"

#define NDJSON "application/x-ndjson; charset=utf-8"

static table_ref ref_of(const http_request *req)
{
    table_ref r = {http_request_param(req, "share"), http_request_param(req, "schema"),
                   http_request_param(req, "table")};
    return r;
}

static void version_header(http_response *res, int64_t version)
{
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)version);
    http_response_header(res, "Delta-Table-Version", v);
}

static void answer_headers(http_response *res, const table_answer *ans)
{
    version_header(res, ans->version);
    char value[96];
    snprintf(value, sizeof value, "responseformat=%s%s",
             ans->format == RESP_DELTA ? "delta" : "parquet",
             ans->end_stream ? ";includeendstreamaction=true" : "");
    http_response_header(res, "delta-sharing-capabilities", value);
}

static int h_version(http_request *req, http_response *res, void *ctx)
{
    recipient_api *api = ctx;
    sharing_caller who;
    if (recipient_authenticate(req, res, api, &who) != 0)
        return 0;
    table_ref ref = ref_of(req);
    int64_t version;
    os_err err;
    if (table_read_version(api->svc, &who, &ref, http_request_query(req, "startingTimestamp"),
                           http_request_arena(req), &version, &err) != 0)
        return api_send_error(res, &err);
    version_header(res, version);
    return http_response_body(res, 200, "application/json; charset=utf-8", "", 0);
}

static int h_metadata(http_request *req, http_response *res, void *ctx)
{
    recipient_api *api = ctx;
    sharing_caller who;
    if (recipient_authenticate(req, res, api, &who) != 0)
        return 0;
    table_ref ref = ref_of(req);
    table_answer ans = {0};
    os_buf out = OS_BUF_INIT;
    os_err err;
    int rc;
    if (table_read_metadata(api->svc, &who, &ref,
                            http_request_header(req, "delta-sharing-capabilities"),
                            http_request_query(req, "version"), http_request_arena(req), &out, &ans,
                            &err) != 0) {
        rc = api_send_error(res, &err);
    } else {
        answer_headers(res, &ans);
        rc = http_response_body(res, 200, NDJSON, os_buf_cstr(&out), out.len);
    }
    os_buf_free(&out);
    return rc;
}

/* Called while the request is alive, when its stream ended cleanly. */
static void count_files(void *req, int64_t files)
{
    audit_request_add_files(req, files);
}

static int send_stream(http_request *req, http_response *res, void *stream,
                       const table_answer *ans, const os_err *err)
{
    if (stream == NULL)
        return api_send_error(res, err);
    line_stream_on_end(stream, count_files, req);
    answer_headers(res, ans);
    /* NDJSON compresses 5-8x: send it compressed when the client can read it. */
    line_encoding enc = line_encoding_choose(http_request_header(req, "Accept-Encoding"));
    os_err e2;
    http_response_header(res, "Vary", "Accept-Encoding");
    if (enc != LINE_ENC_IDENTITY && line_stream_set_encoding(stream, enc, &e2) == 0)
        http_response_header(res, "Content-Encoding", line_encoding_name(enc));
    return http_response_stream(res, 200, NDJSON, line_stream_read, stream, line_stream_free);
}

static int h_query(http_request *req, http_response *res, void *ctx)
{
    recipient_api *api = ctx;
    sharing_caller who;
    if (recipient_authenticate(req, res, api, &who) != 0)
        return 0;
    table_ref ref = ref_of(req);
    size_t len;
    /* Some clients send JSON with a form Content-Type: the body is read as
     * JSON whatever the header says. */
    const char *body = http_request_body(req, &len);
    table_answer ans = {0};
    os_err err;
    void *stream = table_read_query(api->svc, &who, &ref,
                                    http_request_header(req, "delta-sharing-capabilities"), body,
                                    len, http_request_arena(req), &ans, &err);
    return send_stream(req, res, stream, &ans, &err);
}

static int h_changes(http_request *req, http_response *res, void *ctx)
{
    recipient_api *api = ctx;
    sharing_caller who;
    if (recipient_authenticate(req, res, api, &who) != 0)
        return 0;
    table_ref ref = ref_of(req);
    changes_params p = {http_request_query(req, "startingVersion"),
                        http_request_query(req, "startingTimestamp"),
                        http_request_query(req, "endingVersion"),
                        http_request_query(req, "endingTimestamp"),
                        http_request_query(req, "includeHistoricalMetadata")};
    table_answer ans = {0};
    os_err err;
    void *stream = table_read_changes(api->svc, &who, &ref,
                                      http_request_header(req, "delta-sharing-capabilities"), &p,
                                      http_request_arena(req), &ans, &err);
    return send_stream(req, res, stream, &ans, &err);
}

#define T "/shares/{share}/schemas/{schema}/tables/{table}"

static const http_route ROUTES[] = {
    {"GET", T "/version", h_version, "getTableVersion", "The table's version (or the first at or after startingTimestamp)"},
    {"HEAD", T, h_version, "headTableVersion", "The table's version in the Delta-Table-Version header (legacy)"},
    {"GET", T "/metadata", h_metadata, "getTableMetadata", "The table's protocol and metadata"},
    {"POST", T "/query", h_query, "queryTable", "The table's files with pre-signed URLs"},
    {"GET", T "/changes", h_changes, "getTableChanges", "The table's change data feed"},
};

const http_route *table_api_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
