/* admin_grants.c - grants of shares to recipients: list a share's recipients, change them in one idempotent batch, list a recipient's shares. */
#include <string.h>
#include <strings.h>

#include "api/admin/admin_api.h"
#include "api/http_errors.h"

/* The grants of a page as [{KEY: name, privileges: ["SELECT"], granted_at, granted_by}];
 * key names the other side of each grant (its recipient or its share). */
static json_t *grants_json(const cat_page *page, const char *key, int by_recipient)
{
    json_t *arr = json_array();
    for (int i = 0; i < page->count; i++) {
        const cat_grant_info *g = page->items[i];
        json_t *o = json_pack("{s:s,s:[s]}", key, by_recipient ? g->recipient_name : g->share_name,
                              "privileges", "SELECT");
        admin_json_time(o, "granted_at", g->created_ms);
        json_object_set_new(o, "granted_by", g->created_by ? json_string(g->created_by) : json_null());
        json_array_append_new(arr, o);
    }
    return arr;
}

static int send_share_permissions(admin_api *api, http_response *res, const char *share, os_arena *a)
{
    os_err err;
    cat_share *s;
    cat_page page;
    if (store_share_get(api->store, 0, share, a, &s, &err) != 0 ||
        store_grant_list(api->store, s->id, 0, a, &page, &err) != 0)
        return api_send_error(res, &err);
    return api_send_json(res, 200, json_pack("{s:s,s:o}", "share_name", s->name,
                                             "privilege_assignments",
                                             grants_json(&page, "principal", 1)));
}

int admin_h_share_permissions_get(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    return send_share_permissions(api, res, http_request_param(req, "share"), http_request_arena(req));
}

/* Reads a privilege list (only "SELECT" exists); *has_select set when listed. */
static int read_privileges(const json_t *v, const char *what, size_t i, int *has_select, os_err *err)
{
    *has_select = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return os_err_set(err, OS_EINVAL, "changes[%zu].%s must be a list of privileges", i, what);
    size_t k;
    json_t *p;
    json_array_foreach(v, k, p)
    {
        if (!json_is_string(p) || strcasecmp(json_string_value(p), "SELECT") != 0)
            return os_err_set(err, OS_EINVAL, "changes[%zu].%s: the only privilege is SELECT", i, what);
        *has_select = 1;
    }
    return 0;
}

int admin_h_share_permissions_update(http_request *req, http_response *res, void *ctx)
{
    static const char *const keys[] = {"changes", NULL};
    static const char *const ckeys[] = {"recipient_name", "principal", "add", "remove", NULL};
    admin_api *api = ctx;
    const char *actor;
    json_t *body = admin_gate_body(req, res, api, &actor);
    if (body == NULL)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    const char *share = http_request_param(req, "share");
    json_t *changes = json_object_get(body, "changes");
    cat_tx *tx = NULL;
    int rc = -1;
    int64_t sid;
    if (admin_only_keys(body, "a permissions update", keys, &err))
        goto out;
    if (!json_is_array(changes)) {
        os_err_set(&err, OS_EINVAL,
                   "a permissions update needs 'changes': [{\"recipient_name\", \"add\"|\"remove\": [\"SELECT\"]}]");
        goto out;
    }
    if ((tx = store_tx_begin(api->store, &err)) == NULL)
        goto out;
    if (store_tx_share_id(tx, share, &sid, &err) != 0)
        goto fail;
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c)
    {
        const char *who = NULL;
        int add, remove;
        int64_t rid;
        if (!json_is_object(c) || admin_only_keys(c, "a permission change", ckeys, &err) ||
            admin_opt_str(c, "recipient_name", &who, &err) ||
            (who == NULL && admin_opt_str(c, "principal", &who, &err)) ||
            read_privileges(json_object_get(c, "add"), "add", i, &add, &err) ||
            read_privileges(json_object_get(c, "remove"), "remove", i, &remove, &err)) {
            if (!json_is_object(c))
                os_err_set(&err, OS_EINVAL, "changes[%zu] must be an object", i);
            goto fail;
        }
        if (who == NULL || *who == '\0') {
            os_err_set(&err, OS_EINVAL, "changes[%zu] needs 'recipient_name'", i);
            goto fail;
        }
        if (add && remove) {
            os_err_set(&err, OS_EINVAL, "changes[%zu] both adds and removes SELECT", i);
            goto fail;
        }
        if (store_tx_recipient_id(tx, who, &rid, &err) != 0) {
            os_err_wrap(&err, "changes[%zu]", i);
            goto fail;
        }
        if ((add && store_grant_put(tx, sid, rid, 0, actor, &err) != 0) ||
            (remove && store_grant_delete(tx, sid, rid, &err) != 0))
            goto fail;
        if ((add || remove) && store_admin_event(tx, actor, add ? "grant" : "revoke",
                                                 os_arena_sprintf(a, "%s -> %s", share, who), &err) != 0)
            goto fail;
    }
    rc = store_tx_commit(tx, &err);
    goto out;
fail:
    store_tx_rollback(tx);
out:
    json_decref(body);
    if (rc != 0)
        return api_send_error(res, &err);
    return send_share_permissions(api, res, share, a);
}

int admin_h_recipient_permissions(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_recipient_admin *x;
    cat_page page;
    if (store_recipient_admin_get(api->store, http_request_param(req, "recipient"), a, &x, &err) != 0 ||
        store_grant_list(api->store, 0, x->r.id, a, &page, &err) != 0)
        return api_send_error(res, &err);
    return api_send_json(res, 200, json_pack("{s:s,s:o}", "recipient_name", x->r.name,
                                             "permissions_out", grants_json(&page, "share_name", 0)));
}
