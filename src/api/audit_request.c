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
    (void)bytes;
    audit_record *rec = arg;
    rec->ev.status = status;
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
