/* table_source_parquet.c - a Parquet dataset seen through Delta's model, from the versions and inventory the catalog records.
 *
 * Mapping (docs/protocol.md, "Parquet datasets"):
 * - versions: the re-listings that found a change, numbered from 0, each
 *   with the time it was recorded (sharing/dataset_refresh.c makes them);
 * - schema: the files' footers merged, partition columns appended;
 * - files: the inventory live at the version, with stats from the footers
 *   and partition values from the key=value directories;
 * - history: a version adds the files that appeared (or changed) and removes
 *   those that disappeared (or changed); the change feed is always on.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "catalog/store_dataset.h"
#include "formats/dataset/dataset.h"
#include "sharing/dataset_refresh.h"
#include "sharing/table_source.h"

#define PAGE_FILES 1000

typedef struct pqd_src {
    cat_store *cat;
    int64_t asset_id;
    char *table_id;
    os_arena arena;
    cat_ds_version **versions;   /* oldest first */
    int n;
} pqd_src;

typedef struct pqd_snap {
    pqd_src *src;
    os_arena arena;
    cat_ds_version *v;
    delta_protocol proto;
    delta_metadata meta;
    delta_colmap *cm;
} pqd_snap;

static int p_latest(void *impl, int64_t *v, os_err *err)
{
    pqd_src *s = impl;
    if (s->n == 0)
        return os_err_set(err, OS_ENOTFOUND, "the dataset has no recorded version");
    *v = s->versions[s->n - 1]->version;
    return 0;
}

static int p_at_ts(void *impl, int64_t ts, delta_ts_rule rule, int64_t *v, os_err *err)
{
    pqd_src *s = impl;
    if (s->n == 0)
        return os_err_set(err, OS_ENOTFOUND, "the dataset has no recorded version");
    int64_t first = s->versions[0]->timestamp_ms, last = s->versions[s->n - 1]->timestamp_ms;
    if (ts > last)
        return os_err_set(err, OS_EINVAL, "the timestamp is after the dataset's latest version, "
                          "recorded at %lld ms", (long long)last);
    if (rule == DELTA_TS_AT_OR_BEFORE) {
        if (ts < first)
            return os_err_set(err, OS_EINVAL, "the timestamp is before the dataset's first recorded "
                              "version (%lld ms)", (long long)first);
        for (int i = s->n - 1; i >= 0; i--)
            if (s->versions[i]->timestamp_ms <= ts) {
                *v = s->versions[i]->version;
                return 0;
            }
    } else {
        for (int i = 0; i < s->n; i++)
            if (s->versions[i]->timestamp_ms >= ts) {
                *v = s->versions[i]->version;
                return 0;
            }
    }
    return os_err_set(err, OS_EINVAL, "no recorded version of the dataset matches the timestamp");
}

static void p_free(void *p)
{
    pqd_snap *s = p;
    if (s == NULL)
        return;
    delta_colmap_free(s->cm);
    os_arena_free(&s->arena);
    free(s);
}

static const char *const NTZ[] = {"timestampNtz"};
static delta_kv CDF_ON = {"delta.enableChangeDataFeed", "true"};

/* Fills the snapshot's protocol and metadata from a recorded version. */
static int build_meta(pqd_snap *s, os_err *err)
{
    json_error_t je;
    json_t *parts = json_loads(s->v->partition_columns_json, 0, &je);
    size_t np = json_array_size(parts);
    const char **names = os_arena_alloc(&s->arena, (np + 1) * sizeof *names);
    if (names == NULL) {
        json_decref(parts);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < np; k++)
        names[k] = os_arena_strdup(&s->arena, json_string_value(json_object_get(json_array_get(parts, k), "name")));
    json_decref(parts);
    s->meta.id = s->src->table_id;
    s->meta.format_provider = "parquet";
    s->meta.schema_string = s->v->schema_string;
    s->meta.partition_columns = names;
    s->meta.n_partition_columns = np;
    s->meta.configuration.items = &CDF_ON;
    s->meta.configuration.n = 1;
    s->meta.has_created_time = true;
    s->meta.created_time = s->src->versions[0]->timestamp_ms;
    bool ntz = strstr(s->v->schema_string, "\"timestamp_ntz\"") != NULL;
    if (ntz) {
        s->proto.min_reader_version = 3;
        s->proto.min_writer_version = 7;
        s->proto.has_reader_features = s->proto.has_writer_features = true;
        s->proto.reader_features = s->proto.writer_features = (const char **)NTZ;
        s->proto.n_reader_features = s->proto.n_writer_features = 1;
    } else {
        s->proto.min_reader_version = 1;
        s->proto.min_writer_version = 2;
    }
    s->cm = delta_colmap_build(&s->meta, err);
    return s->cm ? 0 : -1;
}

static void *p_load(void *impl, const delta_snapshot_opts *o, os_err *err)
{
    pqd_src *src = impl;
    int64_t v = 0;
    if (o && o->has_version) {
        v = o->version;
    } else if (o && o->has_timestamp) {
        if (p_at_ts(impl, o->timestamp_ms, DELTA_TS_AT_OR_BEFORE, &v, err) != 0)
            return NULL;
    } else if (p_latest(impl, &v, err) != 0) {
        return NULL;
    }
    pqd_snap *s = calloc(1, sizeof *s);
    if (s == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    s->src = src;
    if (store_ds_version_get(src->cat, src->asset_id, v, &s->arena, &s->v, err) != 0 ||
        build_meta(s, err) != 0) {
        p_free(s);
        return NULL;
    }
    return s;
}

static int64_t p_version(const void *s)
{
    return ((const pqd_snap *)s)->v->version;
}

static int64_t p_timestamp(const void *s)
{
    return ((const pqd_snap *)s)->v->timestamp_ms;
}

static const delta_protocol *p_protocol(const void *s)
{
    return &((const pqd_snap *)s)->proto;
}

static const delta_metadata *p_metadata(const void *s)
{
    return &((const pqd_snap *)s)->meta;
}

/* A relative path as a Delta log writes it: %-encoded where a URI needs it. */
static char *encode_path(const char *p, os_arena *a)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(p);
    char *out = os_arena_alloc(a, 3 * n + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~/=", c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

/* The delta_file of an inventory row, in arena a. */
static int to_delta_file(const pqd_snap *s, const cat_ds_file *r, delta_file_kind kind, int64_t ts,
                         os_arena *a, delta_file *f, os_err *err)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->path = encode_path(r->path, a);
    if (f->path == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    ds_part *parts;
    int np = ds_partitions_parse(r->path, a, &parts, err);
    if (np < 0)
        return -1;
    size_t want = s->meta.n_partition_columns;
    if (want) {
        delta_kv *kv = os_arena_alloc(a, want * sizeof *kv);
        if (kv == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        for (size_t k = 0; k < want; k++) {
            kv[k].key = s->meta.partition_columns[k];
            kv[k].value = NULL;
            for (int i = 0; i < np; i++)
                if (strcmp(parts[i].name, kv[k].key) == 0)
                    kv[k].value = parts[i].value;
        }
        f->partition_values.items = kv;
        f->partition_values.n = want;
    }
    f->has_size = true;
    f->size = r->size;
    f->has_modification_time = true;
    f->modification_time = r->mtime_ms;
    f->data_change = true;
    f->stats = kind == DELTA_FILE_REMOVE ? NULL : r->stats_json;
    if (kind == DELTA_FILE_REMOVE) {
        f->has_deletion_timestamp = true;
        f->deletion_timestamp = ts;
        f->extended_file_metadata = true;
    }
    return 0;
}

static int64_t rows_of(const char *stats)
{
    const char *p = stats ? strstr(stats, "\"numRecords\":") : NULL;
    return p ? strtoll(p + 13, NULL, 10) : -1;
}

static int p_scan(void *snap, const delta_scan_opts *o, delta_file_cb cb, void *ctx, os_err *err)
{
    pqd_snap *s = snap;
    os_arena page_arena = {0};
    char *after = NULL;
    int64_t covered = 0;
    int rc = 0;
    for (;;) {
        cat_page pg;
        os_arena_reset(&page_arena);
        if (store_ds_files(s->src->cat, s->src->asset_id, s->v->version, after, PAGE_FILES,
                           &page_arena, &pg, err) != 0) {
            rc = -1;
            break;
        }
        os_arena fa = {0};
        for (int i = 0; i < pg.count && rc == 0; i++) {
            const cat_ds_file *r = pg.items[i];
            delta_file f;
            os_arena_reset(&fa);
            if (to_delta_file(s, r, DELTA_FILE_ADD, 0, &fa, &f, err) != 0) {
                rc = -1;
                break;
            }
            delta_tristate t = DELTA_TRUE;
            if (o && o->predicate) {
                t = delta_predicate_eval(o->predicate, s->cm, &f);
                if (t == DELTA_FALSE)
                    continue;
            }
            int r2 = cb(ctx, &f, err);
            if (r2 != 0) {
                rc = r2 < 0 ? -1 : 1;
                break;
            }
            if (o && o->limit_hint > 0 && t == DELTA_TRUE) {
                int64_t n = rows_of(r->stats_json);
                if (n >= 0 && (covered += n) >= o->limit_hint)
                    rc = 1;
            }
        }
        os_arena_free(&fa);
        if (rc != 0 || !pg.more)
            break;
        free(after);
        after = strdup(((cat_ds_file *)pg.items[pg.count - 1])->path);
        if (after == NULL) {
            rc = os_err_set(err, OS_ENOMEM, "out of memory");
            break;
        }
    }
    free(after);
    os_arena_free(&page_arena);
    return rc < 0 ? -1 : 0;
}

static int p_changes_allowed(const void *s, int64_t version, os_err *err)
{
    (void)s;
    (void)version;
    (void)err;
    return 0;
}

/* Streams the files added (or removed) by one version as changes. */
static int changes_of(pqd_snap *s, int64_t version, int64_t ts, int removed, delta_change_cb cb,
                      void *ctx, os_err *err)
{
    os_arena pa = {0}, fa = {0};
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        cat_page pg;
        os_arena_reset(&pa);
        if (store_ds_changes(s->src->cat, s->src->asset_id, version, removed, after, PAGE_FILES, &pa,
                             &pg, err) != 0) {
            rc = -1;
            break;
        }
        for (int i = 0; i < pg.count && rc == 0; i++) {
            const cat_ds_file *r = pg.items[i];
            delta_file f;
            os_arena_reset(&fa);
            if (to_delta_file(s, r, removed ? DELTA_FILE_REMOVE : DELTA_FILE_ADD, ts, &fa, &f, err) != 0) {
                rc = -1;
                break;
            }
            delta_change c = {removed ? DELTA_CHANGE_REMOVE : DELTA_CHANGE_ADD, version, ts, &f,
                              NULL, NULL, NULL};
            rc = cb(ctx, &c, err);
        }
        if (rc != 0 || !pg.more)
            break;
        after = ((cat_ds_file *)pg.items[pg.count - 1])->id;
    }
    os_arena_free(&pa);
    os_arena_free(&fa);
    return rc;
}

static int p_history(void *impl, const delta_history_opts *o, delta_change_cb cb, void *ctx,
                     os_err *err)
{
    pqd_src *src = impl;
    int64_t end = o->has_end_version ? o->end_version : src->n ? src->versions[src->n - 1]->version : -1;
    const char *prev_schema = NULL, *prev_parts = NULL;
    int rc = 0;
    for (int64_t v = o->start_version; v <= end && rc == 0; v++) {
        delta_snapshot_opts so = {.has_version = true, .version = v};
        pqd_snap *s = p_load(impl, &so, err);
        if (s == NULL)
            return -1;
        delta_change c = {DELTA_CHANGE_COMMIT, v, s->v->timestamp_ms, NULL, NULL, NULL, NULL};
        rc = cb(ctx, &c, err);
        bool meta_changed = prev_schema == NULL || strcmp(prev_schema, s->v->schema_string) != 0 ||
                            strcmp(prev_parts, s->v->partition_columns_json) != 0;
        if (rc == 0 && meta_changed) {
            delta_change m = {DELTA_CHANGE_METADATA, v, s->v->timestamp_ms, NULL, NULL, &s->meta, NULL};
            rc = cb(ctx, &m, err);
        }
        if (rc == 0)
            rc = changes_of(s, v, s->v->timestamp_ms, 1, cb, ctx, err);
        if (rc == 0)
            rc = changes_of(s, v, s->v->timestamp_ms, 0, cb, ctx, err);
        /* Keep the texts to compare with the next version (copied: s goes). */
        free((char *)prev_schema);
        free((char *)prev_parts);
        prev_schema = strdup(s->v->schema_string);
        prev_parts = strdup(s->v->partition_columns_json);
        p_free(s);
        if (prev_schema == NULL || prev_parts == NULL)
            rc = os_err_set(err, OS_ENOMEM, "out of memory");
    }
    free((char *)prev_schema);
    free((char *)prev_parts);
    return rc < 0 ? -1 : 0;
}

static int p_history_check(void *impl, int64_t start, int64_t end, os_err *err)
{
    pqd_src *s = impl;
    int64_t latest = s->n ? s->versions[s->n - 1]->version : -1;
    if (start < 0 || end > latest)
        return os_err_set(err, OS_EINVAL, "versions %lld to %lld are not all recorded (latest %lld)",
                          (long long)start, (long long)end, (long long)latest);
    return 0;
}

static void p_close(void *impl)
{
    pqd_src *s = impl;
    free(s->table_id);
    os_arena_free(&s->arena);
    free(s);
}

static const table_source_ops PARQUET_OPS = {
    p_latest, p_at_ts, p_load, p_free, p_version, p_timestamp, p_protocol, p_metadata, p_scan,
    p_changes_allowed, p_history, p_history_check, p_close,
    NULL,   /* snapshots not cached: a dataset version is read from the catalog */
};

int table_source_open_parquet(table_source *ts, const objstore *store, const table_source_opts *o,
                              os_err *err)
{
    ts->ops = NULL;
    ts->impl = NULL;
    ds_refresh_opts ro = {o->catalog, store, o->asset_id, o->location, o->partition_columns_json,
                          o->refresh_interval_ms, false, 0};
    ds_refresh_result rr;
    if (ds_refresh(&ro, &rr, err) != 0)
        return -1;
    pqd_src *s = calloc(1, sizeof *s);
    if (s == NULL || (s->table_id = strdup(o->fallback_id ? o->fallback_id : "")) == NULL) {
        free(s);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    s->cat = o->catalog;
    s->asset_id = o->asset_id;
    cat_page pg;
    if (store_ds_versions(s->cat, s->asset_id, &s->arena, &pg, err) != 0) {
        p_close(s);
        return -1;
    }
    s->versions = (cat_ds_version **)pg.items;
    s->n = pg.count;
    if (s->n == 0) {
        p_close(s);
        return os_err_set(err, OS_ECORRUPT, "the dataset has no recorded version");
    }
    ts->ops = &PARQUET_OPS;
    ts->impl = s;
    return 0;
}
