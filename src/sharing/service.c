/* service.c - discovery for recipients: grant-checked lookups and keyset paging with signed page tokens. */
#include "sharing/service.h"

#include <stdio.h>
#include <string.h>

#include "base/strutil.h"
#include "base/timeutil.h"
#include "catalog/names.h"
#include "sharing/access_modes.h"
#include "sharing/json_shapes.h"

/* ---- paging -------------------------------------------------------------- */

typedef struct page_ctx {
    const char *listing;
    int limit;
    page_pos pos;      /* where to continue from (keys NULL at the start) */
} page_ctx;

static int page_begin(sharing_service *svc, const sharing_caller *who, const sharing_page_req *pg,
                      const char *listing, os_arena *a, page_ctx *pc, os_err *err)
{
    memset(pc, 0, sizeof *pc);
    pc->listing = listing;
    pc->limit = svc->max_results_cap;
    if (pg->max_results != NULL) {
        int64_t v;
        if (os_parse_i64(pg->max_results, &v) != 0)
            return os_err_set(err, OS_EINVAL, "maxResults must be a non-negative integer, got '%.40s'",
                              pg->max_results);
        if (v < 0)
            return os_err_set(err, OS_EINVAL, "maxResults must not be negative");
        pc->limit = v > svc->max_results_cap ? svc->max_results_cap : (int)v;
    }
    if (pg->page_token != NULL && *pg->page_token != '\0')
        return page_token_decode(svc->page_key, pg->page_token, listing, who->recipient_id,
                                 os_now_ms(), a, &pc->pos, err);
    return 0;
}

/* The token of the page after this one (NULL when this is the last page);
 * `last` is the position after the last returned item. */
static int page_next(sharing_service *svc, const sharing_caller *who, const page_ctx *pc,
                     const cat_page *page, const page_pos *last, os_arena *a, const char **next,
                     os_err *err)
{
    *next = NULL;
    if (!page->more)
        return 0;
    *next = page_token_encode(svc->page_key, pc->listing, who->recipient_id, last,
                              os_now_ms() + svc->page_token_ttl_ms, a);
    return *next ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
}

/* Wraps items into {"items": [...], "nextPageToken": ...}. */
static int page_finish(sharing_service *svc, const sharing_caller *who, const page_ctx *pc,
                       json_t *items, const cat_page *page, const page_pos *last, os_arena *a,
                       json_t **out, os_err *err)
{
    const char *next;
    if (page_next(svc, who, pc, page, last, a, &next, err) != 0) {
        json_decref(items);
        return -1;
    }
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    if (next)
        json_object_set_new(o, "nextPageToken", json_string(next));
    *out = o;
    return 0;
}

static int raw_finish(const cat_page *page, const char *next, sharing_page *out)
{
    out->items = page->items;
    out->count = page->count;
    out->next_token = next;
    return 0;
}

static const char *key_dup(os_arena *a, const char *name)
{
    char *k = os_arena_strdup(a, name);
    return k ? os_str_lower(k) : NULL;
}

/* ---- shares and schemas -------------------------------------------------- */

int sharing_shares_list(sharing_service *svc, const sharing_caller *who,
                        const sharing_page_req *pg, os_arena *a, json_t **out, os_err *err)
{
    page_ctx pc;
    cat_page page;
    if (page_begin(svc, who, pg, "shares", a, &pc, err) != 0 ||
        store_share_list(svc->store, who->recipient_id, pc.pos.k1, pc.limit, a, &page, err) != 0)
        return -1;
    json_t *items = json_array();
    page_pos last = pc.pos;
    for (int i = 0; i < page.count; i++) {
        const cat_share *s = page.items[i];
        json_array_append_new(items, shape_share(s));
        last.k1 = key_dup(a, s->name);
    }
    return page_finish(svc, who, &pc, items, &page, &last, a, out, err);
}

int sharing_share_get(sharing_service *svc, const sharing_caller *who, const char *share,
                      os_arena *a, json_t **out, os_err *err)
{
    cat_share *s;
    if (store_share_get(svc->store, who->recipient_id, share, a, &s, err) != 0)
        return -1;
    *out = json_pack("{s:o}", "share", shape_share(s));
    return 0;
}

int sharing_schemas_page(sharing_service *svc, const sharing_caller *who, const char *share,
                         const sharing_page_req *pg, os_arena *a, sharing_page *out, os_err *err)
{
    cat_share *s;
    if (store_share_get(svc->store, who->recipient_id, share, a, &s, err) != 0)
        return -1;
    page_ctx pc;
    cat_page page;
    const char *listing = os_arena_sprintf(a, "schemas:%s", s->uuid);
    if (page_begin(svc, who, pg, listing, a, &pc, err) != 0 ||
        store_schema_list(svc->store, s, pc.pos.k1, pc.limit, a, &page, err) != 0)
        return -1;
    page_pos last = pc.pos;
    if (page.count > 0)
        last.k1 = key_dup(a, ((const cat_schema *)page.items[page.count - 1])->name);
    const char *next;
    if (page_next(svc, who, &pc, &page, &last, a, &next, err) != 0)
        return -1;
    return raw_finish(&page, next, out);
}

int sharing_schemas_list(sharing_service *svc, const sharing_caller *who, const char *share,
                         const sharing_page_req *pg, os_arena *a, json_t **out, os_err *err)
{
    sharing_page p;
    if (sharing_schemas_page(svc, who, share, pg, a, &p, err) != 0)
        return -1;
    json_t *items = json_array();
    for (int i = 0; i < p.count; i++)
        json_array_append_new(items, shape_schema(p.items[i]));
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    if (p.next_token)
        json_object_set_new(o, "nextPageToken", json_string(p.next_token));
    *out = o;
    return 0;
}

int sharing_schema_get(sharing_service *svc, const sharing_caller *who, const char *share,
                       const char *schema, os_arena *a, cat_schema **out, os_err *err)
{
    cat_share *s;
    if (store_share_get(svc->store, who->recipient_id, share, a, &s, err) != 0 ||
        store_schema_get(svc->store, s, schema, a, out, err) != 0)
        return -1;
    return 0;
}

/* ---- assets -------------------------------------------------------------- */

static const char *kind_tag(cat_asset_kind kind)
{
    switch (kind) {
    case CAT_ASSET_TABLE: return "tables";
    case CAT_ASSET_VOLUME: return "volumes";
    case CAT_ASSET_SKILL: return "skills";
    case CAT_ASSET_MODEL: return "models";
    }
    return "assets";
}

int sharing_assets_page(sharing_service *svc, const sharing_caller *who, cat_asset_kind kind,
                        const char *share, const char *schema, const sharing_page_req *pg,
                        os_arena *a, sharing_page *out, os_err *err)
{
    cat_share *s;
    cat_schema *sc = NULL;
    if (store_share_get(svc->store, who->recipient_id, share, a, &s, err) != 0)
        return -1;
    if (schema != NULL && store_schema_get(svc->store, s, schema, a, &sc, err) != 0)
        return -1;
    const char *listing = os_arena_sprintf(a, "%s:%s:%s", kind_tag(kind), s->uuid,
                                           sc ? key_dup(a, sc->name) : "*");
    page_ctx pc;
    cat_page page;
    if (page_begin(svc, who, pg, listing, a, &pc, err) != 0)
        return -1;
    /* In a one-schema listing the position is the asset key alone. */
    const char *after_schema = sc ? NULL : pc.pos.k1;
    const char *after_name = sc ? pc.pos.k1 : pc.pos.k2;
    if (store_asset_list(svc->store, kind, s, sc, after_schema, after_name, pc.limit, a, &page,
                         err) != 0)
        return -1;
    page_pos last = pc.pos;
    if (page.count > 0) {
        const cat_asset *x = page.items[page.count - 1];
        if (sc) {
            last.k1 = key_dup(a, x->name);
            last.k2 = NULL;
        } else {
            last.k1 = key_dup(a, x->schema_name);
            last.k2 = key_dup(a, x->name);
        }
    }
    const char *next;
    if (page_next(svc, who, &pc, &page, &last, a, &next, err) != 0)
        return -1;
    return raw_finish(&page, next, out);
}

int sharing_assets_list(sharing_service *svc, const sharing_caller *who, cat_asset_kind kind,
                        const char *share, const char *schema, const sharing_page_req *pg,
                        os_arena *a, json_t **out, os_err *err)
{
    sharing_page p;
    if (sharing_assets_page(svc, who, kind, share, schema, pg, a, &p, err) != 0)
        return -1;
    access_ctx ac = {0};
    if (access_ctx_load(&ac, svc->store, a, err) != 0)
        return -1;
    json_t *items = json_array();
    for (int i = 0; i < p.count; i++) {
        const cat_asset *x = p.items[i];
        unsigned modes = access_modes(&ac, x->location, x->kind == CAT_ASSET_TABLE ? x->format : NULL);
        json_array_append_new(items, shape_asset(x, modes));
    }
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    if (p.next_token)
        json_object_set_new(o, "nextPageToken", json_string(p.next_token));
    *out = o;
    return 0;
}

int sharing_resolve_asset(sharing_service *svc, const sharing_caller *who, cat_asset_kind kind,
                          const char *share, const char *schema, const char *name, os_arena *a,
                          cat_asset **out, os_err *err)
{
    cat_share *s;
    cat_schema *sc;
    if (store_share_get(svc->store, who->recipient_id, share, a, &s, err) != 0 ||
        store_schema_get(svc->store, s, schema, a, &sc, err) != 0 ||
        store_asset_get(svc->store, kind, s, sc, name, a, out, err) != 0)
        return -1;
    return 0;
}

int sharing_asset_get(sharing_service *svc, const sharing_caller *who, cat_asset_kind kind,
                      const char *share, const char *schema, const char *name, os_arena *a,
                      json_t **out, os_err *err)
{
    cat_asset *x;
    if (sharing_resolve_asset(svc, who, kind, share, schema, name, a, &x, err) != 0)
        return -1;
    access_ctx ac = {0};
    if (kind != CAT_ASSET_TABLE && access_ctx_load(&ac, svc->store, a, err) != 0)
        return -1;
    *out = kind == CAT_ASSET_TABLE ? shape_table_detail(x) : shape_asset(x, access_modes(&ac, x->location, NULL));
    return 0;
}

/* ---- models -------------------------------------------------------------- */

int sharing_model_versions_list(sharing_service *svc, const sharing_caller *who, const char *share,
                                const char *schema, const char *model, const sharing_page_req *pg,
                                os_arena *a, json_t **out, os_err *err)
{
    cat_asset *m;
    if (sharing_resolve_asset(svc, who, CAT_ASSET_MODEL, share, schema, model, a, &m, err) != 0)
        return -1;
    page_ctx pc;
    cat_page page;
    const char *listing = os_arena_sprintf(a, "versions:%s", m->uuid);
    if (page_begin(svc, who, pg, listing, a, &pc, err) != 0)
        return -1;
    int64_t after = 0;
    if (pc.pos.k1 && os_parse_i64(pc.pos.k1, &after) != 0)
        return os_err_set(err, OS_EINVAL, "pageToken is not valid");
    if (store_model_version_list(svc->store, m->id, 1, after, pc.limit, a, &page, err) != 0)
        return -1;
    access_ctx ac = {0};
    if (access_ctx_load(&ac, svc->store, a, err) != 0)
        return -1;
    json_t *items = json_array();
    page_pos last = pc.pos;
    for (int i = 0; i < page.count; i++) {
        const cat_model_version *v = page.items[i];
        json_array_append_new(items, shape_model_version(m, v, access_modes(&ac, v->location, NULL)));
        last.k1 = os_arena_sprintf(a, "%lld", (long long)v->version);
    }
    return page_finish(svc, who, &pc, items, &page, &last, a, out, err);
}

int sharing_model_version_get(sharing_service *svc, const sharing_caller *who, const char *share,
                              const char *schema, const char *model, const char *version_or_alias,
                              int alias, os_arena *a, json_t **out, os_err *err)
{
    cat_asset *m;
    if (sharing_resolve_asset(svc, who, CAT_ASSET_MODEL, share, schema, model, a, &m, err) != 0)
        return -1;
    int64_t version;
    if (alias) {
        if (store_model_alias_get(svc->store, m->id, version_or_alias, &version, err) != 0)
            return -1;
    } else if (os_parse_i64(version_or_alias, &version) != 0 || version < 1) {
        return os_err_set(err, OS_EINVAL, "model version must be a positive integer, got '%.40s'",
                          version_or_alias);
    }
    cat_model_version *v;
    if (store_model_version_get(svc->store, m->id, version, a, &v, err) != 0)
        return -1;
    access_ctx ac = {0};
    if (access_ctx_load(&ac, svc->store, a, err) != 0)
        return -1;
    *out = shape_model_version(m, v, access_modes(&ac, v->location, NULL));
    return 0;
}
