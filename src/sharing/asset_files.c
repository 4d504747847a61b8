/* asset_files.c - lists an asset's files through its object store and signs each one. */
#include "sharing/asset_files.h"

#include <string.h>

#include "base/strutil.h"
#include "base/timeutil.h"
#include "sharing/file_access.h"
#include "storage/local_url.h"
#include "storage/store_open.h"

typedef struct list_ctx {
    const file_access *fa;
    const char *prefix;
    int limit;
    json_t *items;
    int count;
    int more;
    const char *last;         /* path of the last item returned (arena) */
    os_arena *a;
    os_buf url;
    int64_t now;
} list_ctx;

static int on_entry(void *cbctx, const objstore_entry *e, os_err *err)
{
    list_ctx *c = cbctx;
    if (c->prefix && strncmp(e->name, c->prefix, strlen(c->prefix)) != 0)
        return 0;
    if (c->count >= c->limit) {
        c->more = 1;
        return 1;
    }
    int64_t exp;
    os_buf_reset(&c->url);
    if (file_access_sign_rel(c->fa, e->name, c->now, &c->url, &exp, err) != 0)
        return -1;
    json_t *it = json_pack("{s:s,s:I,s:I,s:s,s:I}", "path", e->name, "size", (json_int_t)e->size,
                           "modificationTime", (json_int_t)e->mtime_ms, "url", os_buf_cstr(&c->url),
                           "expirationTimestamp", (json_int_t)exp);
    if (it == NULL)
        return os_err_set(err, OS_EINVAL, "a file name in the asset is not valid UTF-8");
    json_array_append_new(c->items, it);
    c->count++;
    c->last = os_arena_strdup(c->a, e->name);
    return 0;
}

static const char *kind_tag(cat_asset_kind k)
{
    return k == CAT_ASSET_VOLUME ? "volume" : k == CAT_ASSET_SKILL ? "skill" : "model";
}

int sharing_asset_files(sharing_service *svc, const sharing_caller *who, const asset_files_req *r,
                        os_arena *a, json_t **out, os_err *err)
{
    cat_asset *x;
    if (sharing_resolve_asset(svc, who, r->kind, r->share, r->schema, r->name, a, &x, err) != 0)
        return -1;
    const char *location = x->location;
    const char *listing_id = x->uuid;
    if (r->kind == CAT_ASSET_MODEL) {
        int64_t v;
        cat_model_version *mv;
        if (os_parse_i64(r->version, &v) != 0 || v < 1)
            return os_err_set(err, OS_EINVAL, "model version must be a positive integer, got '%.40s'",
                              r->version);
        if (store_model_version_get(svc->store, x->id, v, a, &mv, err) != 0)
            return -1;
        if (strcmp(mv->status, "READY") != 0)
            return os_err_set(err, OS_EINVAL,
                              "model version %lld is %s: only READY versions can be read", (long long)v,
                              mv->status);
        location = mv->location;
        listing_id = mv->uuid;
    }
    if (location == NULL)
        return os_err_set(err, OS_ENOTFOUND, "this %s has no storage location", kind_tag(r->kind));
    const char *prefix = r->prefix && *r->prefix ? r->prefix : NULL;
    if (prefix) {
        /* A prefix is a path start: refuse anything that could climb out. */
        if (prefix[0] == '/' || strstr(prefix, "..") || strchr(prefix, '\\'))
            return os_err_set(err, OS_EINVAL, "prefix must be a relative path without '..'");
    }
    /* Paging: reuse the discovery page rules, keyed by the last path. */
    int limit = svc->max_results_cap;
    if (r->page.max_results) {
        int64_t v;
        if (os_parse_i64(r->page.max_results, &v) != 0 || v < 0)
            return os_err_set(err, OS_EINVAL, "maxResults must be a non-negative integer, got '%.40s'",
                              r->page.max_results);
        limit = v > limit ? limit : (int)v;
    }
    const char *listing = os_arena_sprintf(a, "files:%s:%s", listing_id, prefix ? prefix : "");
    page_pos pos = {NULL, NULL};
    if (r->page.page_token && *r->page.page_token &&
        page_token_decode(svc->page_key, r->page.page_token, listing, who->recipient_id,
                          os_now_ms(), a, &pos, err) != 0)
        return -1;
    file_access fa;
    objstore st;
    local_url_claims claims = {who->recipient_id, who->recipient_name, x->share_name,
                               x->schema_name, x->name};
    if (file_access_open(svc, location, &claims, a, &fa, err) != 0)
        return -1;
    if (file_access_store(&fa, &st, err) != 0) {
        file_access_close(&fa);
        return -1;
    }
    list_ctx c;
    memset(&c, 0, sizeof c);
    c.fa = &fa;
    c.prefix = prefix;
    c.limit = limit;
    c.items = json_array();
    c.a = a;
    c.now = os_now_ms();
    c.last = pos.k1;
    /* List from the directory part of the prefix. */
    char *dir = os_arena_strdup(a, prefix ? prefix : "");
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (dir)
        *(slash ? slash + 1 : dir) = '\0';
    int rc = objstore_list_recursive(&st, dir ? dir : "", pos.k1 && *pos.k1 ? pos.k1 : NULL, on_entry,
                                     &c, err);
    objstore_close(&st);
    file_access_close(&fa);
    os_buf_free(&c.url);
    if (rc != 0 && err->code == OS_ENOTFOUND && prefix) {
        rc = 0;   /* a prefix naming no directory lists nothing */
    }
    if (rc != 0) {
        json_decref(c.items);
        return -1;
    }
    json_t *o = json_object();
    json_object_set_new(o, "items", c.items);
    if (c.more) {
        page_pos next = {c.last, NULL};
        char *tok = page_token_encode(svc->page_key, listing, who->recipient_id, &next,
                                      os_now_ms() + svc->page_token_ttl_ms, a);
        if (tok)
            json_object_set_new(o, "nextPageToken", json_string(tok));
    }
    *out = o;
    return 0;
}
