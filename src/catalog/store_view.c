/* store_view.c - lookups in the in-memory copy of the recipient-facing catalog (see store_view.h). */
#include "catalog/store_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_view_free(store_view *v)
{
    if (v == NULL)
        return;
    os_arena_free(&v->arena);
    free(v);
}

/* ---- building ------------------------------------------------------------ */

static int cmp_id(const void *x, const void *y)
{
    const sv_id *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

static const sv_id *find_id(const sv_id *ids, size_t n, int64_t id)
{
    sv_id k = {id, 0};
    return n ? bsearch(&k, ids, n, sizeof *ids, cmp_id) : NULL;
}

/* An index of rows by id; NULL when out of memory (n == 0 gives a valid empty index). */
static sv_id *index_ids(os_arena *a, size_t n, const void *rows, size_t stride, size_t id_offset)
{
    sv_id *ids = os_arena_alloc(a, (n ? n : 1) * sizeof *ids);
    if (ids == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        memcpy(&ids[i].id, (const char *)rows + i * stride + id_offset, sizeof(int64_t));
        ids[i].idx = i;
    }
    qsort(ids, n, sizeof *ids, cmp_id);
    return ids;
}

int store_view_index(store_view *v, os_err *err)
{
    v->share_ids = index_ids(&v->arena, v->nshares, v->shares, sizeof *v->shares,
                             offsetof(sv_share, row.id));
    v->schema_ids = index_ids(&v->arena, v->nschemas, v->schemas, sizeof *v->schemas,
                              offsetof(sv_schema, row.id));
    if (v->share_ids == NULL || v->schema_ids == NULL)
        return os_err_set(err, OS_ENOMEM, "catalog cache: out of memory");
    /* Schemas come ordered by (share key, schema key), so each share's are
     * one run; the same holds for assets within their schema. */
    for (size_t i = 0; i < v->nschemas; i++) {
        const sv_id *s = find_id(v->share_ids, v->nshares, v->schemas[i].row.share_id);
        if (s == NULL)
            return os_err_set(err, OS_ECORRUPT, "catalog cache: schema %lld belongs to no share",
                              (long long)v->schemas[i].row.id);
        sv_share *sh = &v->shares[s->idx];
        if (sh->schema_count == 0)
            sh->schema_first = i;
        else if (sh->schema_first + sh->schema_count != i)
            return os_err_set(err, OS_ECORRUPT, "catalog cache: schemas of share '%s' out of order",
                              sh->row.name);
        sh->schema_count++;
    }
    for (size_t i = 0; i < v->nassets; i++) {
        const sv_id *s = find_id(v->schema_ids, v->nschemas, v->assets[i].row.schema_id);
        if (s == NULL)
            return os_err_set(err, OS_ECORRUPT, "catalog cache: asset %lld belongs to no schema",
                              (long long)v->assets[i].row.id);
        sv_schema *sc = &v->schemas[s->idx];
        if (sc->asset_count == 0)
            sc->asset_first = i;
        else if (sc->asset_first + sc->asset_count != i)
            return os_err_set(err, OS_ECORRUPT, "catalog cache: assets of schema '%s' out of order",
                              sc->row.name);
        sc->asset_count++;
    }
    return 0;
}

static sv_recipient *find_recipient(const store_view *v, int64_t id)
{
    size_t lo = 0, hi = v->nrecipients;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t m = v->recipients[mid].row.id;
        if (m == id)
            return &v->recipients[mid];
        if (m < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int store_view_grant(store_view *v, int64_t recipient_id, int64_t share_id, os_err *err)
{
    sv_recipient *r = find_recipient(v, recipient_id);
    const sv_id *s = find_id(v->share_ids, v->nshares, share_id);
    if (r == NULL || s == NULL)
        return os_err_set(err, OS_ECORRUPT, "catalog cache: a grant names no recipient or share");
    if (r->nshares > 0 && r->shares[r->nshares - 1] >= s->idx)
        return os_err_set(err, OS_ECORRUPT, "catalog cache: grants out of order");
    if (r->nshares == r->shares_cap) {
        size_t cap = r->shares_cap ? r->shares_cap * 2 : 4;
        size_t *bigger = os_arena_alloc(&v->arena, cap * sizeof *bigger);
        if (bigger == NULL)
            return os_err_set(err, OS_ENOMEM, "catalog cache: out of memory");
        if (r->nshares)
            memcpy(bigger, r->shares, r->nshares * sizeof *bigger);
        r->shares = bigger;
        r->shares_cap = cap;
    }
    r->shares[r->nshares++] = s->idx;
    return 0;
}

/* ---- copying out ----------------------------------------------------------- */

/* Copies strings into the caller's arena, remembering any failure. */
typedef struct copier {
    os_arena *a;
    int oom;
} copier;

static const char *cp(copier *c, const char *s)
{
    if (s == NULL)
        return NULL;
    char *d = os_arena_strdup(c->a, s);
    if (d == NULL)
        c->oom = 1;
    return d;
}

static void *copy_share(copier *c, const void *from)
{
    const cat_share *s = from;
    cat_share *d = os_arena_alloc(c->a, sizeof *d);
    if (d == NULL)
        return NULL;
    d->id = s->id;
    d->name = cp(c, s->name);
    d->uuid = cp(c, s->uuid);
    d->display_name = cp(c, s->display_name);
    d->comment = cp(c, s->comment);
    d->properties_json = cp(c, s->properties_json);
    return c->oom ? NULL : d;
}

static void *copy_schema(copier *c, const void *from)
{
    const cat_schema *s = from;
    cat_schema *d = os_arena_alloc(c->a, sizeof *d);
    if (d == NULL)
        return NULL;
    d->id = s->id;
    d->share_id = s->share_id;
    d->name = cp(c, s->name);
    d->share_name = cp(c, s->share_name);
    return c->oom ? NULL : d;
}

static void *copy_asset(copier *c, const void *from)
{
    const cat_asset *s = from;
    cat_asset *d = os_arena_alloc(c->a, sizeof *d);
    if (d == NULL)
        return NULL;
    *d = *s;
    d->name = cp(c, s->name);
    d->uuid = cp(c, s->uuid);
    d->share_name = cp(c, s->share_name);
    d->share_uuid = cp(c, s->share_uuid);
    d->schema_name = cp(c, s->schema_name);
    d->location = cp(c, s->location);
    d->comment = cp(c, s->comment);
    d->format = cp(c, s->format);
    d->aux_locations_json = cp(c, s->aux_locations_json);
    d->metadata_location = cp(c, s->metadata_location);
    d->partition_columns_json = cp(c, s->partition_columns_json);
    d->description = cp(c, s->description);
    d->license = cp(c, s->license);
    d->compatibility = cp(c, s->compatibility);
    d->allowed_tools = cp(c, s->allowed_tools);
    d->metadata_json = cp(c, s->metadata_json);
    return c->oom ? NULL : d;
}

static void *copy_location(copier *c, const void *from)
{
    const cat_location *s = from;
    cat_location *d = os_arena_alloc(c->a, sizeof *d);
    if (d == NULL)
        return NULL;
    d->id = s->id;
    d->name = cp(c, s->name);
    d->uri = cp(c, s->uri);
    d->secret_ref = cp(c, s->secret_ref);
    d->options_json = cp(c, s->options_json);
    return c->oom ? NULL : d;
}

/* A page being filled: at most `limit` items, then `more`. */
typedef struct pager {
    copier c;
    cat_page *page;
    int limit;
    size_t cap;
    int failed;
} pager;

static void pager_init(pager *p, os_arena *a, cat_page *page, int limit)
{
    memset(p, 0, sizeof *p);
    p->c.a = a;
    p->page = page;
    p->limit = limit < 0 ? 0 : limit;
    memset(page, 0, sizeof *page);
}

/* Adds one row (copied by fn); returns 0 to go on, 1 when the page is full. */
static int pager_add(pager *p, void *(*fn)(copier *, const void *), const void *row)
{
    if (p->failed)
        return 1;
    if (p->page->count >= p->limit) {
        p->page->more = 1;
        return 1;
    }
    if ((size_t)p->page->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        void **bigger = os_arena_alloc(p->c.a, cap * sizeof *bigger);
        if (bigger == NULL) {
            p->failed = 1;
            return 1;
        }
        if (p->page->count)
            memcpy(bigger, p->page->items, (size_t)p->page->count * sizeof *bigger);
        p->page->items = bigger;
        p->cap = cap;
    }
    void *item = fn(&p->c, row);
    if (item == NULL) {
        p->failed = 1;
        return 1;
    }
    p->page->items[p->page->count++] = item;
    return 0;
}

static int pager_end(pager *p, os_err *err)
{
    if (!p->failed)
        return 0;
    memset(p->page, 0, sizeof *p->page);
    return os_err_set(err, OS_ENOMEM, "out of memory");
}

/* ---- lookups --------------------------------------------------------------- */

int store_view_token_find(const store_view *v, const char *hash_hex, cat_token *out, os_err *err)
{
    size_t lo = 0, hi = v->ntokens;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v->tokens[mid].hash_hex, hash_hex);
        if (c == 0) {
            *out = v->tokens[mid];
            return 0;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return os_err_set(err, OS_ENOTFOUND, "unknown token");
}

int store_view_recipient_get(const store_view *v, int64_t recipient_id, os_arena *a,
                             cat_recipient **out, os_err *err)
{
    const sv_recipient *r = find_recipient(v, recipient_id);
    if (r == NULL)
        return os_err_set(err, OS_ENOTFOUND, "recipient %lld does not exist",
                          (long long)recipient_id);
    copier c = {a, 0};
    cat_recipient *d = os_arena_alloc(a, sizeof *d);
    if (d == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    d->id = r->row.id;
    d->name = cp(&c, r->row.name);
    d->uuid = cp(&c, r->row.uuid);
    d->comment = cp(&c, r->row.comment);
    d->ip_allow_json = cp(&c, r->row.ip_allow_json);
    if (c.oom)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    *out = d;
    return 0;
}

/* Index of the share with this key, or -1. */
static long share_by_key(const store_view *v, const char *key)
{
    size_t lo = 0, hi = v->nshares;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v->shares[mid].key, key);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int granted(const sv_recipient *r, size_t share_idx)
{
    size_t lo = 0, hi = r->nshares;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->shares[mid] == share_idx)
            return 1;
        if (r->shares[mid] < share_idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int store_view_share_get(const store_view *v, int64_t recipient_id, const char *key,
                         const char *name, os_arena *a, cat_share **out, os_err *err)
{
    long i = share_by_key(v, key);
    if (i >= 0 && recipient_id != 0) {
        const sv_recipient *r = find_recipient(v, recipient_id);
        if (r == NULL || !granted(r, (size_t)i))
            i = -1;
    }
    if (i < 0)
        return os_err_set(err, OS_ENOTFOUND, "share '%s' does not exist", name);
    copier c = {a, 0};
    cat_share *d = copy_share(&c, &v->shares[i].row);
    if (d == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    *out = d;
    return 0;
}

int store_view_share_list(const store_view *v, int64_t recipient_id, const char *after_key,
                          int limit, os_arena *a, cat_page *page, os_err *err)
{
    const char *after = after_key ? after_key : "";
    pager p;
    pager_init(&p, a, page, limit);
    if (recipient_id != 0) {
        const sv_recipient *r = find_recipient(v, recipient_id);
        for (size_t i = 0; r != NULL && i < r->nshares; i++) {
            const sv_share *sh = &v->shares[r->shares[i]];
            if (strcmp(sh->key, after) > 0 && pager_add(&p, copy_share, &sh->row))
                break;
        }
    } else {
        for (size_t i = 0; i < v->nshares; i++)
            if (strcmp(v->shares[i].key, after) > 0 && pager_add(&p, copy_share, &v->shares[i].row))
                break;
    }
    return pager_end(&p, err);
}

int store_view_schema_list(const store_view *v, int64_t share_id, const char *after_key, int limit,
                           os_arena *a, cat_page *page, os_err *err)
{
    const char *after = after_key ? after_key : "";
    pager p;
    pager_init(&p, a, page, limit);
    const sv_id *s = find_id(v->share_ids, v->nshares, share_id);
    if (s != NULL) {
        const sv_share *sh = &v->shares[s->idx];
        for (size_t i = sh->schema_first; i < sh->schema_first + sh->schema_count; i++)
            if (strcmp(v->schemas[i].key, after) > 0 &&
                pager_add(&p, copy_schema, &v->schemas[i].row))
                break;
    }
    return pager_end(&p, err);
}

int store_view_schema_get(const store_view *v, const cat_share *share, const char *key,
                          const char *name, os_arena *a, cat_schema **out, os_err *err)
{
    const sv_id *s = find_id(v->share_ids, v->nshares, share->id);
    if (s != NULL) {
        const sv_share *sh = &v->shares[s->idx];
        size_t lo = sh->schema_first, hi = sh->schema_first + sh->schema_count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(v->schemas[mid].key, key);
            if (c == 0) {
                copier cpy = {a, 0};
                cat_schema *d = copy_schema(&cpy, &v->schemas[mid].row);
                if (d == NULL)
                    return os_err_set(err, OS_ENOMEM, "out of memory");
                *out = d;
                return 0;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return os_err_set(err, OS_ENOTFOUND, "schema '%s' does not exist in share '%s'", name,
                      share->name);
}

/* Adds the assets of one schema of `kind` whose key is after `after`; 1 when the page is full. */
static int add_assets(const store_view *v, const sv_schema *sc, cat_asset_kind kind,
                      const char *after, pager *p)
{
    for (size_t i = sc->asset_first; i < sc->asset_first + sc->asset_count; i++) {
        const sv_asset *x = &v->assets[i];
        if (x->row.kind == kind && strcmp(x->key, after) > 0 && pager_add(p, copy_asset, &x->row))
            return 1;
    }
    return 0;
}

int store_view_asset_list(const store_view *v, cat_asset_kind kind, int64_t share_id,
                          const cat_schema *schema, const char *after_schema_key,
                          const char *after_name_key, int limit, os_arena *a, cat_page *page,
                          os_err *err)
{
    const char *ask = after_schema_key ? after_schema_key : "";
    const char *ank = after_name_key ? after_name_key : "";
    pager p;
    pager_init(&p, a, page, limit);
    if (schema != NULL) {
        const sv_id *s = find_id(v->schema_ids, v->nschemas, schema->id);
        if (s != NULL)
            add_assets(v, &v->schemas[s->idx], kind, ank, &p);
        return pager_end(&p, err);
    }
    const sv_id *s = find_id(v->share_ids, v->nshares, share_id);
    if (s != NULL) {
        const sv_share *sh = &v->shares[s->idx];
        for (size_t i = sh->schema_first; i < sh->schema_first + sh->schema_count; i++) {
            int c = strcmp(v->schemas[i].key, ask);
            if (c < 0)
                continue;
            if (add_assets(v, &v->schemas[i], kind, c == 0 ? ank : "", &p))
                break;
        }
    }
    return pager_end(&p, err);
}

static const char *kind_word(cat_asset_kind kind)
{
    switch (kind) {
    case CAT_ASSET_TABLE: return "table";
    case CAT_ASSET_VOLUME: return "volume";
    case CAT_ASSET_SKILL: return "skill";
    case CAT_ASSET_MODEL: return "model";
    }
    return "asset";
}

int store_view_asset_get(const store_view *v, cat_asset_kind kind, const cat_share *share,
                         const cat_schema *schema, const char *key, const char *name,
                         os_arena *a, cat_asset **out, os_err *err)
{
    const sv_id *s = find_id(v->schema_ids, v->nschemas, schema->id);
    if (s != NULL) {
        const sv_schema *sc = &v->schemas[s->idx];
        size_t lo = sc->asset_first, hi = sc->asset_first + sc->asset_count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(v->assets[mid].key, key);
            if (c == 0) {
                if (v->assets[mid].row.kind != kind)
                    break;
                copier cpy = {a, 0};
                cat_asset *d = copy_asset(&cpy, &v->assets[mid].row);
                if (d == NULL)
                    return os_err_set(err, OS_ENOMEM, "out of memory");
                *out = d;
                return 0;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return os_err_set(err, OS_ENOTFOUND, "%s '%s.%s.%s' does not exist", kind_word(kind),
                      share->name, schema->name, name);
}

int store_view_location_list(const store_view *v, int limit, os_arena *a, cat_page *page,
                             os_err *err)
{
    pager p;
    pager_init(&p, a, page, limit);
    for (size_t i = 0; i < v->nlocations; i++)
        if (pager_add(&p, copy_location, &v->locations[i]))
            break;
    return pager_end(&p, err);
}
