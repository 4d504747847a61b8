/* admin_shares.c - shares: create, list, get (with assets), update (metadata and a batch of asset ADD/REMOVE updates in one transaction), delete. */
#include <string.h>
#include <strings.h>

#include "api/admin/admin_api.h"
#include "api/http_errors.h"
#include "catalog/names.h"

static json_t *share_json(admin_api *api, const cat_share *s, int with_assets, os_arena *a)
{
    json_t *o = json_pack("{s:s,s:s}", "name", s->name, "id", s->uuid);
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "display_name", s->display_name ? json_string(s->display_name) : json_null());
    json_object_set_new(o, "comment", s->comment ? json_string(s->comment) : json_null());
    admin_json_raw(o, "properties", s->properties_json);
    cat_meta m;
    os_err err;
    if (store_meta_get(api->store, "shares", s->id, a, &m, &err) == 0)
        admin_json_meta(o, &m);
    if (with_assets) {
        cat_page page;
        json_t *arr = json_array();
        if (store_share_assets(api->store, s->id, a, &page, &err) == 0)
            for (int i = 0; i < page.count; i++)
                json_array_append_new(arr, admin_asset_json(api, page.items[i], a));
        json_object_set_new(o, "assets", arr);
    }
    return o;
}

static int send_share(admin_api *api, http_response *res, int status, const char *name, os_arena *a)
{
    os_err err;
    cat_share *s;
    if (store_share_get(api->store, 0, name, a, &s, &err) != 0)
        return api_send_error(res, &err);
    return api_send_json(res, status, share_json(api, s, 1, a));
}

int admin_h_share_create(http_request *req, http_response *res, void *ctx)
{
    static const char *const keys[] = {"name", "display_name", "comment", "properties", NULL};
    admin_api *api = ctx;
    const char *actor;
    json_t *body = admin_gate_body(req, res, api, &actor);
    if (body == NULL)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_share s;
    memset(&s, 0, sizeof s);
    cat_tx *tx = NULL;
    int rc = -1;
    if (admin_only_keys(body, "a share", keys, &err) ||
        admin_req_str(body, "name", "a share", &s.name, &err) ||
        name_check(NAME_SHARE, s.name, "share name", &err) ||
        admin_opt_str(body, "display_name", &s.display_name, &err) ||
        admin_opt_str(body, "comment", &s.comment, &err) ||
        admin_opt_props(body, "properties", a, &s.properties_json, NULL, &err))
        goto out;
    s.name = os_arena_strdup(a, s.name);
    s.display_name = os_arena_strdup(a, s.display_name);
    s.comment = os_arena_strdup(a, s.comment);
    if ((tx = store_tx_begin(api->store, &err)) == NULL)
        goto out;
    if (admin_tx_name_free(tx, "shares", "share", s.name, &err) != 0 ||
        store_share_put(tx, &s, 0, actor, NULL, &err) != 0) {
        store_tx_rollback(tx);
        goto out;
    }
    rc = admin_tx_finish(tx, actor, "share.create", s.name, &err);
out:
    json_decref(body);
    if (rc != 0)
        return api_send_error(res, &err);
    return send_share(api, res, 201, s.name, a);
}

static const char *share_name(const void *item)
{
    return ((const cat_share *)item)->name;
}

/* A listing leaves out each share's assets; GET of one share has them. */
static json_t *share_item_json(admin_api *api, const void *item, os_arena *a)
{
    return share_json(api, item, 0, a);
}

int admin_h_share_list(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    os_err err;
    cat_page page;
    if (store_share_list(api->store, 0, NULL, 100000, http_request_arena(req), &page, &err) != 0)
        return api_send_error(res, &err);
    return admin_send_list(req, res, api, &page, "shares", share_name, share_item_json);
}

int admin_h_share_get(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    return send_share(api, res, 200, http_request_param(req, "share"), http_request_arena(req));
}

/* Applies the `updates` list: each {action: ADD|REMOVE, data_object: {...}}. */
static int apply_updates(admin_api *api, cat_tx *tx, int64_t share_id, const json_t *updates,
                         const char *actor, os_arena *a, os_err *err)
{
    static const char *const keys[] = {"action", "data_object", NULL};
    if (!json_is_array(updates))
        return os_err_set(err, OS_EINVAL, "'updates' must be a list of {action, data_object}");
    if (json_array_size(updates) > 10000)
        return os_err_set(err, OS_ELIMIT, "at most 10000 updates per request");
    size_t i;
    json_t *u;
    json_array_foreach(updates, i, u)
    {
        const char *action;
        json_t *obj = json_object_get(u, "data_object");
        if (!json_is_object(u) || admin_only_keys(u, "an update", keys, err) ||
            admin_req_str(u, "action", "an update", &action, err))
            return os_err_wrap(err, "updates[%zu]", i);
        if (!json_is_object(obj))
            return os_err_set(err, OS_EINVAL, "updates[%zu]: 'data_object' must be an object", i);
        int rc;
        if (!strcasecmp(action, "ADD"))
            rc = admin_asset_add(api, tx, share_id, obj, actor, a, err);
        else if (!strcasecmp(action, "REMOVE"))
            rc = admin_asset_remove(tx, share_id, obj, err);
        else
            return os_err_set(err, OS_EINVAL, "updates[%zu]: 'action' must be ADD or REMOVE", i);
        if (rc != 0)
            return os_err_wrap(err, "updates[%zu]", i);
    }
    return 0;
}

int admin_h_share_update(http_request *req, http_response *res, void *ctx)
{
    static const char *const keys[] = {"display_name", "comment", "properties", "updates", NULL};
    admin_api *api = ctx;
    const char *actor;
    json_t *body = admin_gate_body(req, res, api, &actor);
    if (body == NULL)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_share *cur = NULL;
    cat_tx *tx = NULL;
    int rc = -1;
    const char *name = http_request_param(req, "share");
    if (admin_only_keys(body, "a share update", keys, &err) ||
        store_share_get(api->store, 0, name, a, &cur, &err))
        goto out;
    cat_share s = *cur;
    const char *v;
    int present;
    if (admin_upd_str(body, "display_name", &s.display_name, &err) ||
        admin_upd_str(body, "comment", &s.comment, &err) ||
        admin_opt_props(body, "properties", a, &v, &present, &err))
        goto out;
    if (present)
        s.properties_json = v;
    if ((tx = store_tx_begin(api->store, &err)) == NULL)
        goto out;
    json_t *updates = json_object_get(body, "updates");
    if (store_share_put(tx, &s, 0, actor, NULL, &err) != 0 ||
        (updates && !json_is_null(updates) &&
         apply_updates(api, tx, cur->id, updates, actor, a, &err) != 0)) {
        store_tx_rollback(tx);
        goto out;
    }
    rc = admin_tx_finish(tx, actor, "share.update", s.name, &err);
out:
    json_decref(body);
    if (rc != 0)
        return api_send_error(res, &err);
    return send_share(api, res, 200, name, a);
}

int admin_h_share_delete(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    const char *name = http_request_param(req, "share");
    return admin_send_delete(res, api, actor, store_share_delete, name, "share.delete", name);
}
