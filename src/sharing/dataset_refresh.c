/* dataset_refresh.c - lists a Parquet dataset, diffs it with the catalog's inventory, reads new footers in parallel, records a version. */
#include "sharing/dataset_refresh.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "catalog/store_dataset.h"
#include "formats/dataset/dataset.h"
#include "storage/location.h"
#include "storage/store_open.h"

/* Footers read, then written to the cache, per batch: bounds memory. */
#define FOOTER_BATCH 2048
#define MAX_THREADS 16

/* One process refreshes one dataset at a time (a second caller waits, then
 * finds the listing fresh). */
static pthread_mutex_t refresh_lock = PTHREAD_MUTEX_INITIALIZER;

typedef cat_ds_file listed;   /* path, size, mtime_ms */

typedef struct listing {
    os_arena arena;
    listed *items;
    size_t n, cap;
} listing;

static int on_entry(void *ctx, const objstore_entry *e, os_err *err)
{
    listing *l = ctx;
    if (!ds_is_data_file(e->name))
        return 0;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 1024;
        listed *ni = realloc(l->items, nc * sizeof *ni);
        if (ni == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        l->items = ni;
        l->cap = nc;
    }
    const char *p = os_arena_strdup(&l->arena, e->name);
    if (p == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    listed *it = &l->items[l->n++];
    memset(it, 0, sizeof *it);
    it->path = p;
    it->size = e->size;
    it->mtime_ms = e->mtime_ms;
    return 0;
}

static int listed_cmp(const void *a, const void *b)
{
    return strcmp(((const listed *)a)->path, ((const listed *)b)->path);
}

/* ---- footers read in parallel ------------------------------------------------ */

typedef struct footer_job {
    const ds_refresh_opts *o;
    const listed **files;
    ds_footer_facts *facts;
    os_err *errs;
    int *failed;
    size_t n;
    size_t next;
    pthread_mutex_t lock;
} footer_job;

static void *footer_worker(void *arg)
{
    footer_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t i = j->next++;
        pthread_mutex_unlock(&j->lock);
        if (i >= j->n)
            return NULL;
        const listed *f = j->files[i];
        os_err_clear(&j->errs[i]);
        j->failed[i] = ds_footer_read(j->o->store, f->path, f->size, f->path, &j->facts[i],
                                      &j->errs[i]) != 0;
    }
}

/* The footer cache keys of the dataset's files start with this (malloc'd). */
static char *uri_prefix(const ds_refresh_opts *o)
{
    size_t n = strlen(o->location);
    bool slash = n > 0 && o->location[n - 1] == '/';
    char *s = malloc(n + 2);
    if (s)
        sprintf(s, "%s%s", o->location, slash ? "" : "/");
    return s;
}

/* Reads the footers of files (n of them) and writes them to the cache.  The
 * first failing file (in path order) gives the error. */
static int read_footers(const ds_refresh_opts *o, const listed **files, size_t n, os_err *err)
{
    ds_footer_facts *facts = calloc(n ? n : 1, sizeof *facts);
    os_err *errs = calloc(n ? n : 1, sizeof *errs);
    int *failed = calloc(n ? n : 1, sizeof *failed);
    int rc = 0;
    if (facts == NULL || errs == NULL || failed == NULL) {
        rc = os_err_set(err, OS_ENOMEM, "out of memory");
        goto out;
    }
    footer_job j = {o, files, facts, errs, failed, n, 0, PTHREAD_MUTEX_INITIALIZER};
    unsigned nt = o->threads ? o->threads : 16;
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    if (nt > n)
        nt = (unsigned)n;
    pthread_t th[MAX_THREADS];
    unsigned started = 0;
    for (unsigned t = 1; t < nt; t++) {
        if (pthread_create(&th[started], NULL, footer_worker, &j) != 0)
            break;
        started++;
    }
    footer_worker(&j);
    for (unsigned t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    pthread_mutex_destroy(&j.lock);
    for (size_t i = 0; i < n; i++)
        if (failed[i]) {
            *err = errs[i];
            rc = -1;
            goto out;
        }
    cat_footer *cf = calloc(n ? n : 1, sizeof *cf);
    char *prefix = uri_prefix(o);
    cat_tx *tx = cf && prefix ? store_tx_begin(o->catalog, err) : NULL;
    if (tx == NULL) {
        if (cf == NULL || prefix == NULL)
            os_err_set(err, OS_ENOMEM, "out of memory");
        free(cf);
        free(prefix);
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        cf[i] = (cat_footer){facts[i].num_rows, facts[i].digest, facts[i].schema_json, facts[i].stats_json};
    rc = store_tx_footer_put_many(tx, prefix, files, cf, n, err);
    if (rc == 0)
        rc = store_tx_commit(tx, err);
    else
        store_tx_rollback(tx);
    free(cf);
    free(prefix);
out:
    if (facts)
        for (size_t i = 0; i < n; i++)
            ds_footer_facts_free(&facts[i]);
    free(facts);
    free(errs);
    free(failed);
    return rc;
}

/* ---- the new version ---------------------------------------------------------- */

/* Merges the live files' schemas (inside tx, after the inventory moved). */
static char *merged_schema(cat_tx *tx, int64_t asset_id, const char *parts_json, os_err *err)
{
    os_arena a = {0};
    cat_page pg;
    char *out = NULL;
    json_t *acc = NULL, *parts = NULL;
    if (store_tx_ds_schemas(tx, asset_id, &a, &pg, err) != 0)
        goto done;
    const char *acc_file = NULL;
    for (int i = 0; i < pg.count; i++) {
        const cat_ds_schema *s = pg.items[i];
        json_error_t je;
        json_t *t = json_loads(s->schema_json, 0, &je);
        if (t == NULL) {
            os_err_set(err, OS_ECORRUPT, "'%s': its cached schema is not JSON", s->first_path);
            goto done;
        }
        if (acc == NULL) {
            acc = t;
            acc_file = s->first_path;
            continue;
        }
        int rc = ds_schema_merge(acc, t, acc_file, s->first_path, err);
        json_decref(t);
        if (rc != 0)
            goto done;
    }
    if (acc == NULL) {
        os_err_set(err, OS_ECORRUPT, "the dataset has no Parquet files");
        goto done;
    }
    json_error_t je;
    parts = json_loads(parts_json, 0, &je);
    size_t np = json_array_size(parts);
    ds_part_col *pc = calloc(np + 1, sizeof *pc);
    if (pc == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < np; k++) {
        pc[k].name = json_string_value(json_object_get(json_array_get(parts, k), "name"));
        pc[k].type = json_string_value(json_object_get(json_array_get(parts, k), "type"));
    }
    bool ntz;
    out = ds_schema_string(acc, pc, np, &ntz, err);
    free(pc);
done:
    json_decref(acc);
    json_decref(parts);
    os_arena_free(&a);
    return out;
}

/* Moves the inventory to what the listing found and records the version
 * head + 1.  Returns 0 (r->changed false when another refresh recorded a
 * version meanwhile), or -1. */
static int record_version(const ds_refresh_opts *o, const listing *l, const cat_page *live,
                          int64_t head, int64_t head_ts, const char *parts_json,
                          ds_refresh_result *r, os_err *err)
{
    cat_tx *tx = store_tx_begin(o->catalog, err);
    if (tx == NULL)
        return -1;
    int64_t cur = -1;
    int found = store_tx_ds_head(tx, o->asset_id, &cur, err);
    if (found < 0)
        goto fail;
    if (!found)
        cur = -1;
    if (cur != head) {
        store_tx_rollback(tx);
        r->changed = false;
        r->version = cur;
        return 0;
    }
    int64_t v = head + 1;
    size_t i = 0, k = 0, nadd = 0;
    cat_ds_file *adds = malloc((l->n ? l->n : 1) * sizeof *adds);
    char *prefix = uri_prefix(o);
    if (adds == NULL || prefix == NULL) {
        free(adds);
        free(prefix);
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto fail;
    }
    while (i < l->n || k < (size_t)live->count) {
        const listed *a = i < l->n ? &l->items[i] : NULL;
        const cat_ds_file *b = k < (size_t)live->count ? live->items[k] : NULL;
        int c = a == NULL ? 1 : b == NULL ? -1 : strcmp(a->path, b->path);
        bool same = c == 0 && a->size == b->size && a->mtime_ms == b->mtime_ms;
        if (c > 0 || (c == 0 && !same)) {
            if (store_tx_ds_remove(tx, o->asset_id, b->path, v, err) != 0) {
                free(adds);
                free(prefix);
                goto fail;
            }
            r->removed++;
        }
        if (c < 0 || (c == 0 && !same))
            adds[nadd++] = *a;
        if (c <= 0)
            i++;
        if (c >= 0)
            k++;
    }
    int arc = store_tx_ds_add_many(tx, o->asset_id, prefix, adds, nadd, v, err);
    free(adds);
    free(prefix);
    if (arc != 0)
        goto fail;
    r->added = (int64_t)nadd;
    char *schema = merged_schema(tx, o->asset_id, parts_json, err);
    if (schema == NULL)
        goto fail;
    int64_t now = os_now_ms();
    cat_ds_version cv = {v, now > head_ts ? now : head_ts + 1, (int64_t)l->n, schema, parts_json};
    int rc = store_tx_ds_version_put(tx, o->asset_id, &cv, err);
    free(schema);
    if (rc != 0 || store_tx_ds_listed(tx, o->asset_id, now, err) != 0)
        goto fail;
    if (store_tx_commit(tx, err) != 0)
        return -1;
    r->changed = true;
    r->version = v;
    return 0;
fail:
    store_tx_rollback(tx);
    return -1;
}

static int touch(const ds_refresh_opts *o, os_err *err)
{
    cat_tx *tx = store_tx_begin(o->catalog, err);
    if (tx == NULL)
        return -1;
    if (store_tx_ds_listed(tx, o->asset_id, os_now_ms(), err) != 0) {
        store_tx_rollback(tx);
        return -1;
    }
    return store_tx_commit(tx, err);
}

static int refresh_locked(const ds_refresh_opts *o, ds_refresh_result *r, os_err *err)
{
    os_arena a = {0};
    listing l = {{0}, NULL, 0, 0};
    const listed **missing = NULL;
    char *parts_json = NULL;
    const char **paths = NULL;
    int rc = -1;
    /* What the catalog holds. */
    cat_page versions, live;
    if (store_ds_versions(o->catalog, o->asset_id, &a, &versions, err) != 0)
        goto done;
    int64_t head = versions.count ? ((cat_ds_version *)versions.items[versions.count - 1])->version : -1;
    int64_t head_ts = versions.count ? ((cat_ds_version *)versions.items[versions.count - 1])->timestamp_ms : 0;
    r->version = head;
    if (!o->force && head >= 0) {
        int64_t listed_ms;
        int f = store_ds_listed(o->catalog, o->asset_id, &listed_ms, err);
        if (f < 0)
            goto done;
        if (f == 1 && os_now_ms() - listed_ms < o->interval_ms) {
            rc = 0;
            goto done;
        }
    }
    r->listed = true;
    int64_t t0 = os_mono_ms();
    /* The listing. */
    if (objstore_list_recursive(o->store, "", NULL, on_entry, &l, err) != 0) {
        if (err->code == OS_ENOTFOUND || err->code == OS_EIO) {
            err->code = OS_ECORRUPT;
            os_err_wrap(err, "the dataset's location cannot be listed");
        }
        goto done;
    }
    if (l.n == 0) {
        os_err_set(err, OS_ECORRUPT, "the dataset has no Parquet files (*.parquet) under its "
                   "location");
        goto done;
    }
    qsort(l.items, l.n, sizeof *l.items, listed_cmp);
    r->files = (int64_t)l.n;
    paths = malloc(l.n * sizeof *paths);
    if (paths == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < l.n; i++)
        paths[i] = l.items[i].path;
    if ((parts_json = ds_partition_columns(paths, l.n, o->partition_columns_json, err)) == NULL)
        goto done;
    r->list_ms = os_mono_ms() - t0;
    if (store_ds_live(o->catalog, o->asset_id, &a, &live, err) != 0)
        goto done;
    /* New or changed files: their footers, from the cache or the store. */
    char *prefix = uri_prefix(o);
    cat_page keys;
    if (prefix == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    int krc = store_footer_keys(o->catalog, prefix, &a, &keys, err);
    free(prefix);
    if (krc != 0)
        goto done;
    size_t nchanged = 0, nremoved = 0, k = 0, c = 0;
    missing = malloc(l.n * sizeof *missing);
    if (missing == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    size_t nmissing = 0;
    for (size_t i = 0; i < l.n; i++) {
        const listed *f = &l.items[i];
        while (k < (size_t)live.count && strcmp(((cat_ds_file *)live.items[k])->path, f->path) < 0)
            k++, nremoved++;
        const cat_ds_file *b = k < (size_t)live.count ? live.items[k] : NULL;
        if (b && strcmp(b->path, f->path) == 0) {
            k++;
            if (b->size == f->size && b->mtime_ms == f->mtime_ms)
                continue;
            nremoved++;
        }
        nchanged++;
        /* the cache's entries for this path (several when the file changed) */
        while (c < (size_t)keys.count && strcmp(((cat_ds_file *)keys.items[c])->path, f->path) < 0)
            c++;
        bool hit = false;
        for (size_t j = c; j < (size_t)keys.count && !hit; j++) {
            const cat_ds_file *e = keys.items[j];
            if (strcmp(e->path, f->path) != 0)
                break;
            hit = e->size == f->size && e->mtime_ms == f->mtime_ms;
        }
        if (!hit)
            missing[nmissing++] = f;
    }
    nremoved += (size_t)live.count - k;
    /* Partition types and a new declaration change the schema too. */
    const char *head_parts = NULL;
    if (head >= 0) {
        cat_ds_version *hv;
        if (store_ds_version_get(o->catalog, o->asset_id, head, &a, &hv, err) != 0)
            goto done;
        head_parts = hv->partition_columns_json;
    }
    if (nchanged == 0 && nremoved == 0 && head >= 0 && head_parts && strcmp(head_parts, parts_json) == 0) {
        rc = touch(o, err);
        goto done;
    }
    int64_t t1 = os_mono_ms();
    r->diff_ms = t1 - t0 - r->list_ms;
    for (size_t i = 0; i < nmissing; i += FOOTER_BATCH) {
        size_t n = nmissing - i < FOOTER_BATCH ? nmissing - i : FOOTER_BATCH;
        if (read_footers(o, missing + i, n, err) != 0)
            goto done;
        r->footers_read += (int64_t)n;
    }
    int64_t t2 = os_mono_ms();
    r->footers_ms = t2 - t1;
    rc = record_version(o, &l, &live, head, head_ts, parts_json, r, err);
    r->record_ms = os_mono_ms() - t2;
done:
    free(paths);
    free(missing);
    free(parts_json);
    free(l.items);
    os_arena_free(&l.arena);
    os_arena_free(&a);
    return rc;
}

int ds_refresh(const ds_refresh_opts *o, ds_refresh_result *r, os_err *err)
{
    memset(r, 0, sizeof *r);
    r->version = -1;
    /* Fresh enough: no lock, so reads of other datasets never wait on a long listing. */
    int64_t listed_ms;
    if (!o->force) {
        int f = store_ds_listed(o->catalog, o->asset_id, &listed_ms, err);
        if (f < 0)
            return -1;
        if (f == 1 && os_now_ms() - listed_ms < o->interval_ms)
            return 0;
    }
    pthread_mutex_lock(&refresh_lock);
    int rc = refresh_locked(o, r, err);
    pthread_mutex_unlock(&refresh_lock);
    if (rc == 0 && r->changed)
        os_log(OS_LOG_INFO, "dataset %lld: version %lld recorded (%lld files, %lld added, %lld removed, "
               "%lld footers read; ms: list %lld, diff %lld, footers %lld, record %lld)",
               (long long)o->asset_id, (long long)r->version, (long long)r->files, (long long)r->added,
               (long long)r->removed, (long long)r->footers_read, (long long)r->list_ms,
               (long long)r->diff_ms, (long long)r->footers_ms, (long long)r->record_ms);
    return rc;
}

int ds_refresh_asset(cat_store *st, const cat_asset *x, bool force, int64_t interval_ms,
                     ds_refresh_result *r, os_err *err)
{
    memset(r, 0, sizeof *r);
    r->version = -1;
    if (x->kind != CAT_ASSET_TABLE || x->format == NULL || strcmp(x->format, "parquet") != 0)
        return os_err_set(err, OS_EINVAL, "'%s' is not a Parquet dataset (format: parquet): only "
                          "datasets are listed and refreshed", x->name);
    os_arena a = {0};
    cat_page page;
    loc_uri root;
    const cat_location *loc = NULL;
    int rc = -1;
    if (loc_uri_parse(x->location, &a, &root, err) != 0 ||
        store_location_list(st, &a, &page, err) != 0)
        goto out;
    for (int i = 0; i < page.count && loc == NULL; i++) {
        cat_location *l = page.items[i];
        loc_uri lu;
        if (loc_uri_parse(l->uri, &a, &lu, NULL) == 0 && loc_uri_contains(&lu, &root))
            loc = l;
    }
    if (loc == NULL) {
        os_err_set(err, OS_ENOTFOUND, "no storage location holds this table any more");
        goto out;
    }
    objstore store;
    if (objstore_open_location(loc, x->location, &store, err) != 0) {
        if (err->code == OS_ENOTFOUND)
            os_err_set(err, OS_ECORRUPT, "the dataset's location cannot be listed: it does not "
                       "exist or is not a directory");
        goto out;
    }
    ds_refresh_opts o = {st, &store, x->id, x->location, x->partition_columns_json, interval_ms,
                         force, 0};
    rc = ds_refresh(&o, r, err);
    objstore_close(&store);
out:
    os_arena_free(&a);
    return rc;
}
