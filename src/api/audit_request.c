/* audit_request.c - the per-request audit record: started by the recipient gate, completed by the server's completion callback. */
#include <string.h>

#include "base/timeutil.h"
#include "api/audit_request.h"

/* Copies s into the arena keeping printable ASCII only (at most max bytes),
 * so a hostile header cannot forge log lines or break JSON. */
static const char *clean(os_arena *a, const char *s, size_t max)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s);
    if (n > max)
        n = max;
    char *out = os_arena_strndup(a, s, n);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
            out[i] = '?';
    return out;
}

static void on_complete(http_request *req, int status, uint64_t bytes, void *arg)
{
    audit_record *rec = arg;
    rec->ev.status = status;
    if (rec->ev.file)
        rec->ev.bytes = (int64_t)bytes;
    (void)req;
    audit_sink_write(rec->sink, &rec->ev);
}

/* The asset a route names: the first capture that is not share or schema. */
static const char *asset_param(http_request *req)
{
    static const char *const names[] = {"table", "volume", "skill", "model", NULL};
    for (const char *const *n = names; *n; n++) {
        const char *v = http_request_param(req, *n);
        if (v)
            return v;
    }
    return NULL;
}

audit_record *audit_request_begin(http_request *req)
{
    audit_record *rec = audit_request_get(req);
    if (rec != NULL)
        return rec;
    audit_sink *sink = audit_sink_installed();
    if (sink == NULL)
        return NULL;
    os_arena *a = http_request_arena(req);
    rec = os_arena_alloc(a, sizeof *rec);
    if (rec == NULL)
        return NULL;
    rec->sink = sink;
    cat_audit_event *ev = &rec->ev;
    ev->time_ms = os_now_ms();
    const http_route *route = http_request_route(req);
    ev->operation = route && route->operation_id ? route->operation_id : "unknown";
    ev->method = http_request_method(req);
    ev->path = clean(a, http_request_path(req), 2048);
    ev->share = clean(a, http_request_param(req, "share"), 1024);
    ev->schema = clean(a, http_request_param(req, "schema"), 1024);
    ev->asset = clean(a, asset_param(req), 1024);
    ev->client_ip = clean(a, http_request_client_ip(req), 64);
    ev->user_agent = clean(a, http_request_header(req, "User-Agent"), 256);
    http_request_set_user(req, rec);
    http_request_on_complete(req, on_complete, rec);
    return rec;
}

audit_record *audit_request_get(http_request *req)
{
    audit_record *rec = http_request_user(req);
    return rec;
}

void audit_request_set_recipient(http_request *req, int64_t recipient_id, const char *name)
{
    audit_record *rec = audit_request_get(req);
    if (rec == NULL)
        return;
    rec->ev.recipient_id = recipient_id;
    rec->ev.recipient = clean(http_request_arena(req), name, 1024);
}

void audit_request_set_token(http_request *req, int64_t token_id)
{
    audit_record *rec = audit_request_get(req);
    if (rec != NULL)
        rec->ev.token_id = token_id;
}

void audit_request_add_files(http_request *req, int64_t n)
{
    audit_record *rec = audit_request_get(req);
    if (rec)
        rec->ev.files += n;
}

void audit_request_add_credentials(http_request *req, int64_t n)
{
    audit_record *rec = audit_request_get(req);
    if (rec)
        rec->ev.credentials += n;
}

/* The request path up to its last '/', then "-": the route without its token. */
static const char *path_without_token(os_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) + 1 : 0;
    char *out = os_arena_alloc(a, n + 2);
    if (out == NULL)
        return NULL;
    memcpy(out, path, n);
    out[n] = '-';
    out[n + 1] = '\0';
    return out;
}

void audit_request_set_download(http_request *req, int64_t recipient_id, const char *recipient,
                                const char *share, const char *schema, const char *asset,
                                const char *file)
{
    os_arena *a = http_request_arena(req);
    const char *shown = path_without_token(a, http_request_path(req));
    if (shown)
        http_request_set_log_path(req, shown);
    audit_record *rec = audit_request_begin(req);
    if (rec == NULL)
        return;
    cat_audit_event *ev = &rec->ev;
    ev->path = shown ? shown : "-";
    ev->recipient_id = recipient_id;
    if (recipient)
        ev->recipient = clean(a, recipient, 1024);
    if (share)
        ev->share = clean(a, share, 1024);
    if (schema)
        ev->schema = clean(a, schema, 1024);
    if (asset)
        ev->asset = clean(a, asset, 1024);
    if (file)
        ev->file = clean(a, file, 4096);
}
