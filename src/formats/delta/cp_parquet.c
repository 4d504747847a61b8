/* cp_parquet.c - reading Delta actions out of a Parquet checkpoint file (or sidecar) through the Parquet reader. */
#include "formats/delta/delta_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "formats/parquet/parquet.h"
#include "json/jw.h"

typedef struct store_src {
    const objstore *store;
    const char *key;
} store_src;

static int src_read_at(void *ctx, uint64_t offset, size_t len, void *dst, os_err *err)
{
    store_src *s = ctx;
    size_t got = 0;
    if (objstore_read_range(s->store, s->key, offset, len, dst, &got, err) < 0)
        return -1;
    if (got != len)
        return os_err_set(err, OS_ECORRUPT, "%s: file shrank while reading", s->key);
    return 0;
}

/* Field lookup by name, resolved once per struct layout: rows of one reader
 * share their schema nodes, so the name comparisons happen once. */
#define MAX_FIELDS 24

typedef struct layout {
    const pq_node *owner;              /* the struct's schema node */
    uint32_t n;                        /* its projected field count */
    int8_t slot[64];                   /* field index -> wanted slot, or -1 */
} layout;

typedef struct conv {
    os_arena *arena;
    const char *key;
    int64_t row;
    const char *action;
    os_err *err;
    layout cache[12];
} conv;

/* Fills out[k] with the field of s named names[k] (NULL when absent or null). */
static void fields_of(conv *c, const pq_value *s, const char *const *names, size_t nnames,
                      const pq_value **out)
{
    for (size_t k = 0; k < nnames; k++)
        out[k] = NULL;
    if (s == NULL || s->kind != PQ_VAL_STRUCT || s->u.strct.n > 64)
        return;
    layout *L = NULL;
    for (size_t i = 0; i < sizeof c->cache / sizeof c->cache[0]; i++) {
        if (c->cache[i].owner == s->node && c->cache[i].n == s->u.strct.n) {
            L = &c->cache[i];
            break;
        }
        if (c->cache[i].owner == NULL) {
            L = &c->cache[i];
            L->owner = s->node;
            L->n = s->u.strct.n;
            for (uint32_t f = 0; f < s->u.strct.n; f++) {
                const pq_node *nd = s->u.strct.fields[f].node;
                L->slot[f] = -1;
                for (size_t k = 0; nd && k < nnames; k++)
                    if (strcmp(nd->name, names[k]) == 0)
                        L->slot[f] = (int8_t)k;
            }
            break;
        }
    }
    if (L == NULL || s->node == NULL) {   /* no room to cache: look up directly */
        for (size_t k = 0; k < nnames; k++) {
            const pq_value *v = pq_value_field(s, names[k]);
            out[k] = (v && v->kind != PQ_VAL_NULL) ? v : NULL;
        }
        return;
    }
    for (uint32_t f = 0; f < s->u.strct.n; f++) {
        int k = L->slot[f];
        if (k >= 0 && s->u.strct.fields[f].kind != PQ_VAL_NULL)
            out[k] = &s->u.strct.fields[f];
    }
}

static int cbad(conv *c, const char *field, const char *what)
{
    return os_err_set(c->err, OS_ECORRUPT, "%s row %lld: %s.%s %s", c->key, (long long)c->row,
                      c->action, field, what);
}

static int cv_str(conv *c, const pq_value *v, const char *name, bool required, const char **out)
{
    *out = NULL;
    if (v == NULL)
        return required ? cbad(c, name, "is missing") : 0;
    if (v->kind != PQ_VAL_BYTES)
        return cbad(c, name, "is not a string");
    *out = os_arena_strndup(c->arena, (const char *)v->u.bytes.ptr, v->u.bytes.len);
    if (*out == NULL)
        return os_err_set(c->err, OS_ENOMEM, "out of memory");
    return 0;
}

static int cv_i64(conv *c, const pq_value *v, const char *name, bool required, bool *has, int64_t *out)
{
    if (has)
        *has = false;
    if (v == NULL)
        return required ? cbad(c, name, "is missing") : 0;
    if (v->kind == PQ_VAL_INT32)
        *out = v->u.i32;
    else if (v->kind == PQ_VAL_INT64)
        *out = v->u.i64;
    else
        return cbad(c, name, "is not an integer");
    if (has)
        *has = true;
    return 0;
}

static int cv_bool(conv *c, const pq_value *v, const char *name, bool dflt, bool *out)
{
    *out = dflt;
    if (v == NULL)
        return 0;
    if (v->kind != PQ_VAL_BOOL)
        return cbad(c, name, "is not a boolean");
    *out = v->u.b;
    return 0;
}

static int cv_map(conv *c, const pq_value *v, const char *name, delta_map *out)
{
    out->items = NULL;
    out->n = 0;
    if (v == NULL)
        return 0;
    if (v->kind != PQ_VAL_MAP)
        return cbad(c, name, "is not a map");
    if (v->u.map.n == 0)
        return 0;
    out->items = os_arena_alloc(c->arena, v->u.map.n * sizeof *out->items);
    if (out->items == NULL)
        return os_err_set(c->err, OS_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < v->u.map.n; i++) {
        const pq_value *k = &v->u.map.keys[i];
        const pq_value *val = v->u.map.values ? &v->u.map.values[i] : NULL;
        if (k->kind != PQ_VAL_BYTES)
            return cbad(c, name, "has a key that is not a string");
        out->items[i].key = os_arena_strndup(c->arena, (const char *)k->u.bytes.ptr, k->u.bytes.len);
        if (val == NULL || val->kind == PQ_VAL_NULL)
            out->items[i].value = NULL;
        else if (val->kind == PQ_VAL_BYTES)
            out->items[i].value = os_arena_strndup(c->arena, (const char *)val->u.bytes.ptr,
                                                   val->u.bytes.len);
        else
            return cbad(c, name, "has a value that is not a string");
        if (out->items[i].key == NULL || (val != NULL && val->kind == PQ_VAL_BYTES && out->items[i].value == NULL))
            return os_err_set(c->err, OS_ENOMEM, "out of memory");
    }
    out->n = v->u.map.n;
    return 0;
}

static int cv_list(conv *c, const pq_value *v, const char *name, bool *has, const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (has)
        *has = false;
    if (v == NULL)
        return 0;
    if (v->kind != PQ_VAL_LIST)
        return cbad(c, name, "is not a list");
    if (has)
        *has = true;
    if (v->u.list.n == 0)
        return 0;
    const char **arr = os_arena_alloc(c->arena, v->u.list.n * sizeof *arr);
    if (arr == NULL)
        return os_err_set(c->err, OS_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < v->u.list.n; i++) {
        const pq_value *e = &v->u.list.items[i];
        if (e->kind != PQ_VAL_BYTES)
            return cbad(c, name, "has an item that is not a string");
        arr[i] = os_arena_strndup(c->arena, (const char *)e->u.bytes.ptr, e->u.bytes.len);
        if (arr[i] == NULL)
            return os_err_set(c->err, OS_ENOMEM, "out of memory");
    }
    *out = arr;
    *n = v->u.list.n;
    return 0;
}

static const char *const dv_names[] = {"storageType", "pathOrInlineDv", "offset", "sizeInBytes", "cardinality"};

static int cv_dv(conv *c, const pq_value *dv, delta_file *f)
{
    if (dv == NULL)
        return 0;
    const pq_value *x[5];
    fields_of(c, dv, dv_names, 5, x);
    const char *saved = c->action;
    c->action = "deletionVector";
    const char *st = NULL, *path = NULL;
    int64_t off = 0, sz = 0, card = 0;
    bool has_off = false;
    int rc = cv_str(c, x[0], "storageType", true, &st);
    if (rc == 0 && !dl_dv_storage_type_ok(st, strlen(st)))
        rc = cbad(c, "storageType", "is not one of u, p, i");
    if (rc == 0)
        rc = cv_str(c, x[1], "pathOrInlineDv", true, &path);
    if (rc == 0)
        rc = cv_i64(c, x[2], "offset", false, &has_off, &off);
    if (rc == 0)
        rc = cv_i64(c, x[3], "sizeInBytes", true, NULL, &sz);
    if (rc == 0)
        rc = cv_i64(c, x[4], "cardinality", true, NULL, &card);
    if (rc == 0 && dl_dv_set(f, st[0], path, has_off, off, sz, card) < 0)
        rc = cbad(c, "offset", "or sizeInBytes or cardinality is out of range");
    c->action = saved;
    return rc < 0 ? -1 : 0;
}

/* stats_parsed -> JSON text, for checkpoints written without JSON stats. */

/* Whether a typed statistic is left out of the JSON rebuilt from it: nulls
 * (Delta leaves absent statistics out), NaN and infinities (JSON has no
 * spelling for them) and binary-encoded decimals (not converted here).  A
 * statistic left out only means a file is never skipped on it. */
static bool stats_absent(const pq_value *v)
{
    switch (v->kind) {
    case PQ_VAL_NULL: return true;
    case PQ_VAL_FLOAT: return !isfinite(v->u.f);
    case PQ_VAL_DOUBLE: return !isfinite(v->u.d);
    case PQ_VAL_BYTES: return v->node != NULL && v->node->logical.kind == PQ_LT_DECIMAL;
    default: return false;
    }
}

static void stats_value(os_buf *b, const pq_value *v)
{
    const pq_logical_type *lt = v->node ? &v->node->logical : NULL;
    char tmp[64];
    switch (v->kind) {
    case PQ_VAL_NULL:
        os_buf_puts(b, "null");
        return;
    case PQ_VAL_FLOAT:
    case PQ_VAL_DOUBLE:
        if (stats_absent(v)) {
            os_buf_puts(b, "null");
            return;
        }
        if (v->kind == PQ_VAL_FLOAT)
            os_buf_printf(b, "%.9g", (double)v->u.f);
        else
            os_buf_printf(b, "%.17g", v->u.d);
        return;
    case PQ_VAL_BOOL:
        os_buf_puts(b, v->u.b ? "true" : "false");
        return;
    case PQ_VAL_INT32:
    case PQ_VAL_INT64: {
        int64_t x = v->kind == PQ_VAL_INT32 ? v->u.i32 : v->u.i64;
        if (lt && lt->kind == PQ_LT_DATE) {
            int64_t y;
            unsigned m, d;
            os_civil_from_days(x, &y, &m, &d);
            snprintf(tmp, sizeof tmp, "\"%04lld-%02u-%02u\"", (long long)y, m, d);
            os_buf_puts(b, tmp);
        } else if (lt && lt->kind == PQ_LT_TIMESTAMP) {
            int64_t ms = lt->unit == PQ_MILLIS ? x : lt->unit == PQ_MICROS ? x / 1000 : x / 1000000;
            if ((lt->unit == PQ_MICROS && x % 1000 < 0) || (lt->unit == PQ_NANOS && x % 1000000 < 0))
                ms--;
            if (ms > 8000000000000000LL || ms < -8000000000000000LL) {
                os_buf_printf(b, "%lld", (long long)x);   /* beyond any calendar: raw */
                return;
            }
            os_time_format_iso(ms, tmp);
            jw_escape(b, tmp, strlen(tmp));
        } else if (lt && lt->kind == PQ_LT_DECIMAL && lt->scale > 0) {
            /* Exact decimal text. */
            char digits[32];
            int neg = x < 0;
            uint64_t u = neg ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
            snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
            size_t nd = strlen(digits);
            if (neg)
                os_buf_putc(b, '-');
            if ((int)nd <= lt->scale) {
                os_buf_puts(b, "0.");
                for (int i = 0; i < lt->scale - (int)nd; i++)
                    os_buf_putc(b, '0');
                os_buf_puts(b, digits);
            } else {
                os_buf_append(b, digits, nd - (size_t)lt->scale);
                os_buf_putc(b, '.');
                os_buf_puts(b, digits + nd - (size_t)lt->scale);
            }
        } else {
            os_buf_printf(b, "%lld", (long long)x);
        }
        return;
    }
    case PQ_VAL_BYTES:
        jw_escape(b, (const char *)v->u.bytes.ptr, v->u.bytes.len);
        return;
    case PQ_VAL_STRUCT:
        os_buf_putc(b, '{');
        for (uint32_t i = 0, out = 0; i < v->u.strct.n; i++) {
            const pq_value *f = &v->u.strct.fields[i];
            if (stats_absent(f))
                continue;
            if (out++)
                os_buf_putc(b, ',');
            const char *nm = f->node ? f->node->name : "?";
            jw_escape(b, nm, strlen(nm));
            os_buf_putc(b, ':');
            stats_value(b, f);
        }
        os_buf_putc(b, '}');
        return;
    default:
        os_buf_puts(b, "null");   /* lists and maps carry no stats */
        return;
    }
}

enum { F_PATH, F_PV, F_SIZE, F_MTIME, F_DC, F_STATS, F_TAGS, F_DV, F_BRID, F_DRCV, F_CP, F_DTS,
       F_EFM, F_SP, F_N };
static const char *const file_names[F_N] = {
    "path", "partitionValues", "size", "modificationTime", "dataChange", "stats", "tags",
    "deletionVector", "baseRowId", "defaultRowCommitVersion", "clusteringProvider",
    "deletionTimestamp", "extendedFileMetadata", "stats_parsed"};

static int conv_file(conv *c, const pq_value *s, delta_action_kind kind, delta_file *f)
{
    memset(f, 0, sizeof *f);
    f->kind = kind == DELTA_ACT_ADD ? DELTA_FILE_ADD : DELTA_FILE_REMOVE;
    const pq_value *x[F_N];
    fields_of(c, s, file_names, F_N, x);
    if (cv_str(c, x[F_PATH], "path", true, &f->path) < 0 ||
        cv_map(c, x[F_PV], "partitionValues", &f->partition_values) < 0 ||
        cv_i64(c, x[F_SIZE], "size", kind == DELTA_ACT_ADD, &f->has_size, &f->size) < 0 ||
        cv_i64(c, x[F_MTIME], "modificationTime", false, &f->has_modification_time, &f->modification_time) < 0 ||
        cv_bool(c, x[F_DC], "dataChange", false, &f->data_change) < 0 ||
        cv_str(c, x[F_STATS], "stats", false, &f->stats) < 0 ||
        cv_map(c, x[F_TAGS], "tags", &f->tags) < 0 ||
        cv_dv(c, x[F_DV], f) < 0 ||
        cv_i64(c, x[F_BRID], "baseRowId", false, &f->has_base_row_id, &f->base_row_id) < 0 ||
        cv_i64(c, x[F_DRCV], "defaultRowCommitVersion", false, &f->has_default_row_commit_version,
               &f->default_row_commit_version) < 0 ||
        cv_str(c, x[F_CP], "clusteringProvider", false, &f->clustering_provider) < 0 ||
        cv_i64(c, x[F_DTS], "deletionTimestamp", false, &f->has_deletion_timestamp, &f->deletion_timestamp) < 0 ||
        cv_bool(c, x[F_EFM], "extendedFileMetadata", false, &f->extended_file_metadata) < 0)
        return -1;
    if (f->path[0] == '\0')
        return cbad(c, "path", "is empty");
    if (f->has_size && f->size < 0)
        return cbad(c, "size", "is negative");
    const pq_value *sp = x[F_SP];
    if (f->stats == NULL && sp != NULL && sp->kind == PQ_VAL_STRUCT) {
        os_buf b = OS_BUF_INIT;
        stats_value(&b, sp);
        f->stats = os_arena_strndup(c->arena, b.data ? b.data : "{}", b.len ? b.len : 2);
        os_buf_free(&b);
    }
    return 0;
}

enum { R_ADD, R_REMOVE, R_META, R_PROTO, R_TXN, R_DOMAIN, R_SIDECAR, R_CPMETA, R_N };
static const char *const row_names[R_N] = {
    "add", "remove", "metaData", "protocol", "txn", "domainMetadata", "sidecar", "checkpointMetadata"};
static const char *const meta_names[] = {
    "id", "name", "description", "schemaString", "partitionColumns", "configuration", "createdTime", "format"};
static const char *const fmt_names[] = {"provider", "options"};
static const char *const proto_names[] = {"minReaderVersion", "minWriterVersion", "readerFeatures", "writerFeatures"};
static const char *const txn_names[] = {"appId", "version", "lastUpdated"};
static const char *const domain_names[] = {"domain", "configuration", "removed"};
static const char *const sidecar_names[] = {"path", "sizeInBytes", "modificationTime"};
static const char *const cpmeta_names[] = {"version"};

static int conv_row(conv *c, const pq_value *row, delta_action *a)
{
    memset(a, 0, sizeof *a);
    a->kind = DELTA_ACT_NONE;
    const pq_value *r[R_N], *x[8];
    fields_of(c, row, row_names, R_N, r);
    int nonnull = 0;
    for (int k = 0; k < R_N; k++)
        nonnull += r[k] != NULL;
    if (nonnull > 1)
        return os_err_set(c->err, OS_ECORRUPT, "%s row %lld: a checkpoint row holds two actions",
                          c->key, (long long)c->row);
    if (r[R_ADD] != NULL) {
        c->action = "add";
        a->kind = DELTA_ACT_ADD;
        return conv_file(c, r[R_ADD], DELTA_ACT_ADD, &a->u.file);
    }
    if (r[R_REMOVE] != NULL) {
        c->action = "remove";
        a->kind = DELTA_ACT_REMOVE;
        return conv_file(c, r[R_REMOVE], DELTA_ACT_REMOVE, &a->u.file);
    }
    if (r[R_META] != NULL) {
        c->action = "metaData";
        a->kind = DELTA_ACT_METADATA;
        delta_metadata *m = &a->u.meta;
        fields_of(c, r[R_META], meta_names, 8, x);
        if (cv_str(c, x[0], "id", true, &m->id) < 0 || cv_str(c, x[1], "name", false, &m->name) < 0 ||
            cv_str(c, x[2], "description", false, &m->description) < 0 ||
            cv_str(c, x[3], "schemaString", false, &m->schema_string) < 0 ||
            cv_list(c, x[4], "partitionColumns", NULL, &m->partition_columns, &m->n_partition_columns) < 0 ||
            cv_map(c, x[5], "configuration", &m->configuration) < 0 ||
            cv_i64(c, x[6], "createdTime", false, &m->has_created_time, &m->created_time) < 0)
            return -1;
        if (x[7] != NULL) {
            const pq_value *y[2];
            fields_of(c, x[7], fmt_names, 2, y);
            c->action = "metaData.format";
            if (cv_str(c, y[0], "provider", false, &m->format_provider) < 0 ||
                cv_map(c, y[1], "options", &m->format_options) < 0)
                return -1;
        }
        if (m->format_provider == NULL)
            m->format_provider = "parquet";
        return 0;
    }
    if (r[R_PROTO] != NULL) {
        c->action = "protocol";
        a->kind = DELTA_ACT_PROTOCOL;
        delta_protocol *p = &a->u.proto;
        fields_of(c, r[R_PROTO], proto_names, 4, x);
        int64_t rv = 0, wv = 0;
        if (cv_i64(c, x[0], "minReaderVersion", true, NULL, &rv) < 0 ||
            cv_i64(c, x[1], "minWriterVersion", true, NULL, &wv) < 0 ||
            cv_list(c, x[2], "readerFeatures", &p->has_reader_features, &p->reader_features,
                    &p->n_reader_features) < 0 ||
            cv_list(c, x[3], "writerFeatures", &p->has_writer_features, &p->writer_features,
                    &p->n_writer_features) < 0)
            return -1;
        if (rv < 1 || rv > INT32_MAX || wv < 1 || wv > INT32_MAX)
            return cbad(c, "minReaderVersion", "or minWriterVersion is out of range");
        p->min_reader_version = (int32_t)rv;
        p->min_writer_version = (int32_t)wv;
        return 0;
    }
    if (r[R_TXN] != NULL) {
        c->action = "txn";
        a->kind = DELTA_ACT_TXN;
        fields_of(c, r[R_TXN], txn_names, 3, x);
        return (cv_str(c, x[0], "appId", true, &a->u.txn.app_id) < 0 ||
                cv_i64(c, x[1], "version", true, NULL, &a->u.txn.version) < 0 ||
                cv_i64(c, x[2], "lastUpdated", false, &a->u.txn.has_last_updated,
                       &a->u.txn.last_updated) < 0) ? -1 : 0;
    }
    if (r[R_DOMAIN] != NULL) {
        c->action = "domainMetadata";
        a->kind = DELTA_ACT_DOMAIN;
        fields_of(c, r[R_DOMAIN], domain_names, 3, x);
        return (cv_str(c, x[0], "domain", true, &a->u.domain.domain) < 0 ||
                cv_str(c, x[1], "configuration", false, &a->u.domain.configuration) < 0 ||
                cv_bool(c, x[2], "removed", false, &a->u.domain.removed) < 0) ? -1 : 0;
    }
    if (r[R_SIDECAR] != NULL) {
        c->action = "sidecar";
        a->kind = DELTA_ACT_SIDECAR;
        fields_of(c, r[R_SIDECAR], sidecar_names, 3, x);
        if (cv_str(c, x[0], "path", true, &a->u.sidecar.path) < 0 ||
            cv_i64(c, x[1], "sizeInBytes", false, NULL, &a->u.sidecar.size_in_bytes) < 0 ||
            cv_i64(c, x[2], "modificationTime", false, NULL, &a->u.sidecar.modification_time) < 0)
            return -1;
        if (a->u.sidecar.path[0] == '\0')
            return cbad(c, "path", "is empty");
        return 0;
    }
    if (r[R_CPMETA] != NULL) {
        c->action = "checkpointMetadata";
        a->kind = DELTA_ACT_CHECKPOINT_META;
        fields_of(c, r[R_CPMETA], cpmeta_names, 1, x);
        return cv_i64(c, x[0], "version", true, NULL, &a->u.checkpoint_version);
    }
    return 0;
}

static const char *const add_fields[] = {
    "path", "partitionValues", "size", "modificationTime", "dataChange", "stats", "tags",
    "deletionVector", "baseRowId", "defaultRowCommitVersion", "clusteringProvider", NULL};
static const char *const remove_fields[] = {
    "path", "deletionTimestamp", "dataChange", "extendedFileMetadata", "partitionValues", "size",
    "tags", "deletionVector", "baseRowId", "defaultRowCommitVersion", NULL};
static const char *const meta_fields[] = {
    "id", "name", "description", "format", "schemaString", "partitionColumns", "configuration",
    "createdTime", NULL};
static const char *const proto_fields[] = {
    "minReaderVersion", "minWriterVersion", "readerFeatures", "writerFeatures", NULL};
static const char *const txn_fields[] = {"appId", "version", "lastUpdated", NULL};
static const char *const domain_fields[] = {"domain", "configuration", "removed", NULL};
static const char *const sidecar_fields[] = {"path", "sizeInBytes", "modificationTime", NULL};
static const char *const cpmeta_fields[] = {"version", NULL};

#define MAX_PROJ 64

static void project(pq_file *f, const char *action, const char *const *fields,
                    char paths[][64], const char **cols, size_t *n)
{
    for (size_t i = 0; fields[i] != NULL && *n < MAX_PROJ; i++) {
        snprintf(paths[*n], 64, "%s.%s", action, fields[i]);
        if (pq_file_find(f, paths[*n]) != NULL) {
            cols[*n] = paths[*n];
            (*n)++;
        }
    }
}

/* The record path: every wanted action of f, row by row, in file order.
 * Returns 0, or -1 with err.  f stays open. */
static int read_records(pq_file *f, const char *key, unsigned wanted, dl_action_cb cb, void *ctx,
                        os_err *err)
{
    char paths[MAX_PROJ][64];
    const char *cols[MAX_PROJ];
    size_t n = 0;
    if (wanted & DL_WANT_ADD) {
        project(f, "add", add_fields, paths, cols, &n);
        /* Typed stats only when a checkpoint has no JSON stats column. */
        if (pq_file_find(f, "add.stats") == NULL && pq_file_find(f, "add.stats_parsed") != NULL &&
            n < MAX_PROJ) {
            snprintf(paths[n], 64, "add.stats_parsed");
            cols[n] = paths[n];
            n++;
        }
    }
    if (wanted & DL_WANT_REMOVE)
        project(f, "remove", remove_fields, paths, cols, &n);
    if (wanted & DL_WANT_METADATA)
        project(f, "metaData", meta_fields, paths, cols, &n);
    if (wanted & DL_WANT_PROTOCOL)
        project(f, "protocol", proto_fields, paths, cols, &n);
    if (wanted & DL_WANT_TXN)
        project(f, "txn", txn_fields, paths, cols, &n);
    if (wanted & DL_WANT_DOMAIN)
        project(f, "domainMetadata", domain_fields, paths, cols, &n);
    if (wanted & DL_WANT_SIDECARS) {
        project(f, "sidecar", sidecar_fields, paths, cols, &n);
        project(f, "checkpointMetadata", cpmeta_fields, paths, cols, &n);
    }
    if (n == 0)
        return 0;
    pq_reader *r = pq_reader_open(f, cols, n, err);
    if (r == NULL)
        return -1;
    /* A checkpoint row is one action: where every wanted column is null the
     * row group holds none of the wanted actions (the protocol and metadata
     * rows of a big checkpoint sit in one row group, not in all of them). */
    pq_reader_skip_all_null(r);
    int rc = 0;
    conv *c = calloc(1, sizeof *c);
    if (c == NULL) {
        pq_reader_close(r);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    c->key = key;
    c->err = err;
    for (;;) {
        const pq_value *row;
        int got = pq_reader_next(r, &row, err);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (got == 0)
            break;
        os_arena arena = OS_ARENA_INIT;
        c->row++;
        c->arena = &arena;
        c->action = "";
        delta_action a;
        int r2 = conv_row(c, row, &a);
        if (r2 == 0 && a.kind != DELTA_ACT_NONE)
            r2 = cb(ctx, &a, err);
        os_arena_free(&arena);
        if (r2 < 0) {
            rc = -1;
            break;
        }
        if (r2 > 0)
            break;
    }
    free(c);
    pq_reader_close(r);
    return rc;
}

int dl_cp_parquet_read(const delta_table *t, const char *key, unsigned wanted,
                       dl_action_cb cb, void *ctx, os_err *err)
{
    objstore_entry info;
    if (objstore_stat(t->store, key, &info, err) < 0)
        return -1;
    store_src ss = {t->store, key};
    pq_source src = {&ss, (uint64_t)info.size, key, src_read_at, NULL};
    pq_file *f = pq_file_open(&src, NULL, err);
    if (f == NULL)
        return -1;
    /* Add rows alone: the columnar fast path (OS_DELTA_CHECKPOINT_RECORDS
     * forces records, for tests).  A v2 top-level file may also name
     * sidecars: those few rows are read as records first, then the adds by
     * columns; sidecar files themselves hold no sidecar rows. */
    unsigned rest = wanted;
    if ((wanted & ~(unsigned)DL_WANT_SIDECARS) == DL_WANT_ADD && getenv("OS_DELTA_CHECKPOINT_RECORDS") == NULL) {
        if ((wanted & DL_WANT_SIDECARS) &&
            (pq_file_find(f, "sidecar") != NULL || pq_file_find(f, "checkpointMetadata") != NULL)) {
            if (read_records(f, key, DL_WANT_SIDECARS, cb, ctx, err) < 0) {
                pq_file_close(f);
                return -1;
            }
            rest &= ~(unsigned)DL_WANT_SIDECARS;
        }
        int fast = dl_cp_columns_read(t, f, key, cb, ctx, err);
        if (fast != 0) {
            pq_file_close(f);
            return fast < 0 ? -1 : 0;
        }
    }
    int rc = read_records(f, key, rest, cb, ctx, err);
    pq_file_close(f);
    return rc;
}
