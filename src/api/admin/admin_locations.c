/* admin_locations.c - storage locations: create, list, get, delete; secrets are env/file references, never values. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin/admin_api.h"
#include "api/http_errors.h"
#include "catalog/config.h"
#include "catalog/names.h"
#include "storage/location.h"

static json_t *location_json(admin_api *api, const cat_location *l, os_arena *a)
{
    json_t *o = json_pack("{s:s,s:s}", "name", l->name, "uri", l->uri);
    if (o == NULL)
        return NULL;
    json_t *sec = json_null();
    if (l->secret_ref && !strncmp(l->secret_ref, "env:", 4))
        sec = json_pack("{s:s}", "env", l->secret_ref + 4);
    else if (l->secret_ref && !strncmp(l->secret_ref, "file:", 5))
        sec = json_pack("{s:s}", "file", l->secret_ref + 5);
    json_object_set_new(o, "secret", sec);
    admin_json_raw(o, "options", l->options_json);
    cat_meta m;
    os_err err;
    if (store_meta_get(api->store, "locations", l->id, a, &m, &err) == 0)
        admin_json_meta(o, &m);
    return o;
}

int admin_h_location_create(http_request *req, http_response *res, void *ctx)
{
    static const char *const keys[] = {"name", "uri", "secret", "options", NULL};
    admin_api *api = ctx;
    const char *actor;
    json_t *body = admin_gate_body(req, res, api, &actor);
    if (body == NULL)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_location loc;
    memset(&loc, 0, sizeof loc);
    loc_uri u;
    int rc = -1;
    cat_tx *tx = NULL;
    if (admin_only_keys(body, "a storage location", keys, &err) ||
        admin_req_str(body, "name", "a storage location", &loc.name, &err) ||
        name_check(NAME_SHARE, loc.name, "storage location name", &err) ||
        admin_req_str(body, "uri", "a storage location", &loc.uri, &err) ||
        loc_uri_parse(loc.uri, a, &u, &err) ||
        admin_opt_props(body, "options", a, &loc.options_json, NULL, &err))
        goto out;
    json_t *sec = json_object_get(body, "secret");
    if (sec != NULL && !json_is_null(sec)) {
        static const char *const skeys[] = {"env", "file", NULL};
        cfg_secret cs;
        memset(&cs, 0, sizeof cs);
        if (!json_is_object(sec)) {
            os_err_set(&err, OS_EINVAL,
                       "'secret' must be {\"env\": \"VARIABLE\"} or {\"file\": \"/path\"}; "
                       "secret values are never accepted through the API");
            goto out;
        }
        if (admin_only_keys(sec, "'secret'", skeys, &err) || admin_opt_str(sec, "env", &cs.env, &err) ||
            admin_opt_str(sec, "file", &cs.file, &err))
            goto out;
        if ((cs.env == NULL) == (cs.file == NULL) || (cs.env && !*cs.env) || (cs.file && !*cs.file)) {
            os_err_set(&err, OS_EINVAL, "'secret' needs exactly one of 'env' or 'file'");
            goto out;
        }
        if (cs.file && cs.file[0] != '/') {
            os_err_set(&err, OS_EINVAL, "'secret.file' must be an absolute path");
            goto out;
        }
        /* The reference must resolve now, so a typo is caught while the provider is here. */
        char *value = config_secret_read(&cs, &err);
        if (value == NULL)
            goto out;
        memset(value, 0, strlen(value));
        free(value);
        loc.secret_ref = cs.env ? os_arena_sprintf(a, "env:%s", cs.env)
                                : os_arena_sprintf(a, "file:%s", cs.file);
    }
    if (u.scheme == LOC_FILE) {
        char real[PATH_MAX];
        if (realpath(u.path, real) == NULL) {
            os_err_set(&err, OS_EINVAL, "storage location '%s': %s does not exist", loc.name, u.path);
            goto out;
        }
    }
    if ((tx = store_tx_begin(api->store, &err)) == NULL)
        goto out;
    if (admin_tx_name_free(tx, "locations", "storage location", loc.name, &err) != 0 ||
        store_location_put(tx, &loc, 0, actor, NULL, &err) != 0) {
        store_tx_rollback(tx);
        goto out;
    }
    if (admin_tx_finish(tx, actor, "location.create", loc.name, &err) != 0)
        goto out;
    cat_location *got = NULL;
    if (store_location_get(api->store, loc.name, a, &got, &err) != 0)
        goto out;
    rc = 0;
out:
    json_decref(body);
    if (rc != 0)
        return api_send_error(res, &err);
    return api_send_json(res, 201, location_json(api, got, a));
}

static const char *location_name(const void *item)
{
    return ((const cat_location *)item)->name;
}

static json_t *location_item_json(admin_api *api, const void *item, os_arena *a)
{
    return location_json(api, item, a);
}

int admin_h_location_list(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    os_err err;
    cat_page page;
    if (store_location_list(api->store, http_request_arena(req), &page, &err) != 0)
        return api_send_error(res, &err);
    return admin_send_list(req, res, api, &page, "storage_locations", location_name,
                           location_item_json);
}

int admin_h_location_get(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_location *l;
    if (store_location_get(api->store, http_request_param(req, "location"), a, &l, &err) != 0)
        return api_send_error(res, &err);
    return api_send_json(res, 200, location_json(api, l, a));
}

int admin_h_location_delete(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    const char *name = http_request_param(req, "location");
    cat_location *l;
    cat_page page;
    loc_uri root;
    if (store_location_get(api->store, name, a, &l, &err) != 0 ||
        loc_uri_parse(l->uri, a, &root, &err) != 0 ||
        store_asset_locations(api->store, a, &page, &err) != 0)
        return api_send_error(res, &err);
    /* Refuse while an asset still lies under it, unless another location covers it. */
    cat_page all;
    if (store_location_list(api->store, a, &all, &err) != 0)
        return api_send_error(res, &err);
    for (int i = 0; i < page.count; i++) {
        loc_uri u;
        if (loc_uri_parse(page.items[i], a, &u, NULL) != 0 || !loc_uri_contains(&root, &u))
            continue;
        int covered = 0;
        for (int j = 0; j < all.count && !covered; j++) {
            cat_location *o = all.items[j];
            loc_uri ou;
            covered = o->id != l->id && loc_uri_parse(o->uri, a, &ou, NULL) == 0 &&
                      loc_uri_contains(&ou, &u);
        }
        if (!covered) {
            os_err_set(&err, OS_EEXIST,
                       "storage location '%s' still holds shared assets (e.g. %s); remove them first",
                       l->name, (const char *)page.items[i]);
            return api_send_error(res, &err);
        }
    }
    return admin_send_delete(res, api, actor, store_location_delete, name, "location.delete",
                             l->name);
}
