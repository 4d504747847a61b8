/* admin_audit.c - GET audit: the recipient audit log with filters (recipient, share, asset, time range) and paging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin/admin_api.h"
#include "api/http_errors.h"
#include "base/strutil.h"
#include "base/timeutil.h"
#include "sharing/audit.h"

#define AUDIT_PAGE_DEFAULT 100
#define AUDIT_PAGE_MAX 1000

static int parse_time(const char *text, const char *what, int64_t *ms, os_err *err)
{
    *ms = 0;
    if (text == NULL || *text == '\0')
        return 0;
    if (os_time_parse_iso(text, ms) != 0)
        return os_err_set(err, OS_EINVAL, "'%s' must be an ISO-8601 time such as 2026-01-31T12:00:00Z",
                          what);
    return 0;
}

int admin_h_audit_list(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    /* Events are written in batches: let the provider see every request made so far. */
    audit_sink_flush(audit_sink_installed());
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_audit_filter f;
    memset(&f, 0, sizeof f);
    f.recipient = http_request_query(req, "recipient");
    f.share = http_request_query(req, "share");
    f.asset = http_request_query(req, "asset");
    int64_t limit = AUDIT_PAGE_DEFAULT, after = 0;
    const char *mr = http_request_query(req, "max_results");
    const char *pt = http_request_query(req, "page_token");
    if (parse_time(http_request_query(req, "start_time"), "start_time", &f.since_ms, &err) ||
        parse_time(http_request_query(req, "end_time"), "end_time", &f.until_ms, &err))
        return api_send_error(res, &err);
    if (mr && (os_parse_i64(mr, &limit) != 0 || limit < 0)) {
        os_err_set(&err, OS_EINVAL, "max_results must be a non-negative integer");
        return api_send_error(res, &err);
    }
    if (limit > AUDIT_PAGE_MAX)
        limit = AUDIT_PAGE_MAX;
    if (pt && *pt && (os_parse_i64(pt, &after) != 0 || after < 0)) {
        os_err_set(&err, OS_EINVAL, "page_token is not one this server issued");
        return api_send_error(res, &err);
    }
    cat_page page;
    if (store_audit_list(api->store, &f, after, (int)limit, a, &page, &err) != 0)
        return api_send_error(res, &err);
    json_t *arr = json_array();
    int64_t last = after;
    for (int i = 0; i < page.count; i++) {
        const cat_audit_event *ev = page.items[i];
        char *text = audit_event_json(ev);
        json_t *o = text ? json_loads(text, 0, NULL) : NULL;
        free(text);
        if (o)
            json_array_append_new(arr, o);
        last = ev->id;
    }
    json_t *doc = json_pack("{s:o}", "events", arr);
    if (page.more) {
        char tok[32];
        snprintf(tok, sizeof tok, "%lld", (long long)last);
        json_object_set_new(doc, "next_page_token", json_string(tok));
    }
    return api_send_json(res, 200, doc);
}
