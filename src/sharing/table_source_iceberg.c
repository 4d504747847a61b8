/* table_source_iceberg.c - an Iceberg table seen through Delta's model, so Delta Sharing clients read it unchanged.
 *
 * Mapping (docs/protocol.md, "Iceberg tables"):
 * - versions: the snapshots of the current branch's history, oldest first;
 *   the k-th has version max(its sequence number, previous version + 1), so
 *   in format 2 and 3 tables a version is the snapshot's sequence number.  A
 *   table without a snapshot is at version 0.
 * - schema: the snapshot's schema as a Delta schemaString; field ids become
 *   column mapping ids (id mode) when the client asked for columnMapping.
 * - partitionColumns: identity partitions present in every partition spec.
 * - files: live data files with Delta statistics from the column bounds.
 * - history: append snapshots add their files; replace snapshots (compaction)
 *   change nothing; any other operation is refused with a message.
 * - snapshots with delete files cannot be expressed: they are refused.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "formats/iceberg/iceberg.h"
#include "json/jw.h"
#include "sharing/iceberg_delta.h"
#include "sharing/table_source.h"
#include "storage/sign_util.h"

#define MAX_DELETE_NAMES 3

typedef struct ice_src {
    iceberg_table t;
    table_source_opts opts;
    char *fallback_id;
    os_arena arena;                        /* ancestry, versions */
    const iceberg_snapshot **hist;         /* the current branch's snapshots, oldest first */
    int64_t *versions;
    long n;
} ice_src;

typedef struct ice_snap {
    ice_src *src;
    const iceberg_snapshot *snap;          /* NULL: the empty table */
    int64_t version, timestamp;
    const iceberg_schema *schema;
    os_arena arena;
    delta_protocol proto;
    delta_metadata meta;
    delta_colmap *cm;
    /* partition columns: their source ids, in partitionColumns order */
    int32_t *part_ids;
    const iceberg_type **part_types;
    /* The stats objects' keys ("name": escaped), made once per snapshot:
     * an open-addressing table by field, keys[i] of key_len[i] bytes. */
    const iceberg_field **key_fields;
    const char **keys;
    size_t *key_len;
    size_t key_cap;                        /* a power of two, or 0 */
} ice_snap;

/* ---- statistics ------------------------------------------------------------------ */

enum { ST_MIN, ST_MAX, ST_NULLS };

static size_t field_slot(const ice_snap *s, const iceberg_field *f)
{
    uintptr_t h = (uintptr_t)f;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 7) & (s->key_cap - 1);
}

/* Appends f's stats key ("name":) from the snapshot's table, or escapes it. */
static void put_key(const ice_snap *s, const iceberg_field *f, os_buf *out)
{
    for (size_t i = s->key_cap ? field_slot(s, f) : 0; s->key_cap && s->key_fields[i]; i = (i + 1) & (s->key_cap - 1))
        if (s->key_fields[i] == f) {
            os_buf_append(out, s->keys[i], s->key_len[i]);
            return;
        }
    jw_escape(out, f->name, strlen(f->name));
    os_buf_putc(out, ':');
}

static size_t count_fields(const iceberg_type *st, int depth)
{
    size_t n = 0;
    for (size_t i = 0; depth <= 32 && i < st->n_fields; i++)
        n += 1 + (st->fields[i].type->kind == ICE_STRUCT ? count_fields(st->fields[i].type, depth + 1) : 0);
    return n;
}

static int add_keys(ice_snap *s, const iceberg_type *st, int depth, os_buf *tmp)
{
    for (size_t i = 0; depth <= 32 && i < st->n_fields; i++) {
        const iceberg_field *f = &st->fields[i];
        size_t k = field_slot(s, f);
        while (s->key_fields[k] && s->key_fields[k] != f)
            k = (k + 1) & (s->key_cap - 1);
        os_buf_reset(tmp);
        if (jw_escape(tmp, f->name, strlen(f->name)) != 0 || os_buf_putc(tmp, ':') != 0 ||
            (s->keys[k] = os_arena_strndup(&s->arena, tmp->data, tmp->len)) == NULL)
            return -1;
        s->key_fields[k] = f;
        s->key_len[k] = tmp->len;
        if (f->type->kind == ICE_STRUCT && add_keys(s, f->type, depth + 1, tmp) != 0)
            return -1;
    }
    return 0;
}

/* The table of stats keys for the snapshot's schema; without it (out of
 * memory) keys are escaped file by file. */
static void build_keys(ice_snap *s)
{
    size_t n = count_fields(&s->schema->root, 0), cap = 16;
    while (cap < 2 * n && cap < SIZE_MAX / 4)
        cap *= 2;
    s->key_fields = os_arena_alloc(&s->arena, cap * sizeof *s->key_fields);
    s->keys = os_arena_alloc(&s->arena, cap * sizeof *s->keys);
    s->key_len = os_arena_alloc(&s->arena, cap * sizeof *s->key_len);
    if (s->key_fields == NULL || s->keys == NULL || s->key_len == NULL)
        return;
    s->key_cap = cap;
    os_buf tmp = OS_BUF_INIT;
    if (add_keys(s, &s->schema->root, 0, &tmp) != 0)
        s->key_cap = 0;
    os_buf_free(&tmp);
}

/* Writes {"name": value, ...} of one statistic over a struct's fields
 * (nested structs as nested objects; lists and maps have none).  Returns the
 * number of values written; writes nothing when that is 0. */
static int stats_struct(const ice_snap *sn, const iceberg_type *st, const iceberg_entry *e, int which,
                        os_buf *out, os_buf *tmp, int depth, size_t *hint)
{
    size_t mark = out->len;
    int count = 0;
    if (depth > 32 || os_buf_putc(out, '{') != 0)
        return 0;
    for (size_t i = 0; i < st->n_fields; i++) {
        const iceberg_field *f = &st->fields[i];
        size_t before = out->len;
        if (count > 0)
            os_buf_putc(out, ',');
        put_key(sn, f, out);
        int wrote = 0;
        if (f->type->kind == ICE_STRUCT) {
            wrote = stats_struct(sn, f->type, e, which, out, tmp, depth + 1, hint);
        } else if (iceberg_kind_is_primitive(f->type->kind)) {
            const iceberg_col_stats *s = ice_delta_stats_of(e, f->id, hint);
            if (s && which == ST_NULLS && s->has_null_count)
                wrote = os_buf_put_i64(out, s->null_count) == 0;
            else if (s && which == ST_MIN && s->has_lower)
                wrote = ice_delta_bound_json(f->type, s->lower, s->lower_len, false, out, tmp);
            else if (s && which == ST_MAX && s->has_upper)
                wrote = ice_delta_bound_json(f->type, s->upper, s->upper_len, true, out, tmp);
        }
        if (wrote)
            count += wrote;
        else
            out->len = before;
    }
    if (count == 0 || os_buf_putc(out, '}') != 0) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
        return 0;
    }
    return count;
}

static int stats_json(const ice_snap *s, const iceberg_entry *e, os_buf *out, os_buf *tmp)
{
    os_buf_reset(out);
    os_buf_puts(out, "{\"numRecords\":");
    os_buf_put_i64(out, e->record_count);
    static const char *const names[] = {",\"minValues\":", ",\"maxValues\":", ",\"nullCount\":"};
    for (int w = 0; w < 3; w++) {
        size_t mark = out->len;
        os_buf_puts(out, names[w]);
        size_t hint = 0;
        if (stats_struct(s, &s->schema->root, e, w, out, tmp, 0, &hint) == 0) {
            out->len = mark;
            out->data[mark] = '\0';
        }
    }
    return os_buf_putc(out, '}');
}

/* ---- snapshots ------------------------------------------------------------------- */

static bool type_has_ntz(const iceberg_type *t, int depth)
{
    if (depth > 64)
        return false;
    if (t->kind == ICE_TIMESTAMP || t->kind == ICE_TIMESTAMP_NS)
        return true;
    if (t->kind == ICE_STRUCT) {
        for (size_t i = 0; i < t->n_fields; i++)
            if (type_has_ntz(t->fields[i].type, depth + 1))
                return true;
        return false;
    }
    if (t->kind == ICE_LIST)
        return type_has_ntz(t->element.type, depth + 1);
    if (t->kind == ICE_MAP)
        return type_has_ntz(t->key.type, depth + 1) || type_has_ntz(t->value.type, depth + 1);
    return false;
}

/* Partition columns: top-level primitive columns with an identity partition in
 * every spec of the table (a column partitioned in some specs only would lose
 * its values in files written under the others). */
static int build_partitions(ice_snap *s, os_err *err)
{
    const iceberg_metadata *m = &s->src->t.meta;
    const iceberg_spec *def = iceberg_spec_by_id(m, m->default_spec_id);
    size_t n = 0;
    const char **names = os_arena_alloc(&s->arena, (def->n_fields + 1) * sizeof *names);
    s->part_ids = os_arena_alloc(&s->arena, (def->n_fields + 1) * sizeof *s->part_ids);
    s->part_types = os_arena_alloc(&s->arena, (def->n_fields + 1) * sizeof *s->part_types);
    if (names == NULL || s->part_ids == NULL || s->part_types == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    for (size_t i = 0; i < def->n_fields; i++) {
        const iceberg_partition_field *pf = &def->fields[i];
        if (pf->transform != ICE_T_IDENTITY)
            continue;
        const iceberg_field *col = NULL;
        for (size_t k = 0; k < s->schema->root.n_fields; k++)
            if (s->schema->root.fields[k].id == pf->source_id)
                col = &s->schema->root.fields[k];
        if (col == NULL || !iceberg_kind_is_primitive(col->type->kind))
            continue;
        bool everywhere = true;
        for (size_t sp = 0; sp < m->n_specs && everywhere; sp++) {
            bool found = false;
            for (size_t k = 0; k < m->specs[sp].n_fields; k++)
                if (m->specs[sp].fields[k].source_id == pf->source_id &&
                    m->specs[sp].fields[k].transform == ICE_T_IDENTITY)
                    found = true;
            everywhere = found;
        }
        if (!everywhere)
            continue;
        names[n] = col->name;
        s->part_ids[n] = col->id;
        s->part_types[n] = col->type;
        n++;
    }
    s->meta.partition_columns = names;
    s->meta.n_partition_columns = n;
    return 0;
}

static int build_metadata(ice_snap *s, os_err *err)
{
    ice_src *src = s->src;
    const iceberg_metadata *m = &src->t.meta;
    bool cm = src->opts.column_mapping, ntz = false;
    json_t *schema = ice_delta_type(&s->schema->root, cm, &ntz);
    char *text = schema ? json_dumps(schema, JSON_COMPACT) : NULL;
    json_decref(schema);
    if (text == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    s->meta.schema_string = os_arena_strdup(&s->arena, text);
    free(text);
    s->meta.id = m->table_uuid ? m->table_uuid : src->fallback_id;
    s->meta.description = iceberg_property(m, "comment");
    s->meta.format_provider = "parquet";
    if (cm) {
        delta_kv *kv = os_arena_alloc(&s->arena, 2 * sizeof *kv);
        if (kv == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        kv[0].key = "delta.columnMapping.mode";
        kv[0].value = "id";
        kv[1].key = "delta.columnMapping.maxColumnId";
        kv[1].value = os_arena_sprintf(&s->arena, "%d", (int)m->last_column_id);
        s->meta.configuration.items = kv;
        s->meta.configuration.n = 2;
    }
    if (build_partitions(s, err) != 0)
        return -1;
    /* Protocol: what a reader of these files must know. */
    static const char *const NTZ[] = {"timestampNtz"}, *const BOTH[] = {"columnMapping", "timestampNtz"};
    ntz = ntz || type_has_ntz(&s->schema->root, 0);
    if (ntz) {
        s->proto.min_reader_version = 3;
        s->proto.min_writer_version = 7;
        s->proto.has_reader_features = s->proto.has_writer_features = true;
        s->proto.reader_features = s->proto.writer_features = (const char **)(cm ? BOTH : NTZ);
        s->proto.n_reader_features = s->proto.n_writer_features = cm ? 2 : 1;
    } else if (cm) {
        s->proto.min_reader_version = 2;
        s->proto.min_writer_version = 5;
    } else {
        s->proto.min_reader_version = 1;
        s->proto.min_writer_version = 2;
    }
    s->cm = delta_colmap_build(&s->meta, err);
    return s->cm ? 0 : -1;
}

/* iceberg_scan, where a missing manifest list or manifest is damage to the
 * table (500, the message naming the file), not a missing version: the
 * engine's OS_ENOTFOUND would otherwise read as "no such version". */
static int scan(const iceberg_table *t, const iceberg_snapshot *s, const iceberg_scan_opts *o,
                iceberg_entry_cb cb, void *ctx, os_err *err)
{
    int rc = iceberg_scan(t, s, o, cb, ctx, err);
    if (rc != 0 && err->code == OS_ENOTFOUND)
        err->code = OS_ECORRUPT;
    return rc;
}

typedef struct delete_probe {
    os_buf names;
    int count;
} delete_probe;

static int on_delete_file(void *ctx, const iceberg_entry *e, os_err *err)
{
    delete_probe *p = ctx;
    (void)err;
    if (p->count < MAX_DELETE_NAMES)
        os_buf_printf(&p->names, "%s%s (%s)", p->count ? ", " : "", e->path,
                      e->content == ICE_POSITION_DELETES
                          ? (e->referenced_data_file ? "deletion vector" : "position deletes")
                          : "equality deletes");
    p->count++;
    return 0;
}

/* Delete files change which rows of a data file are live; the Delta Sharing
 * answer has no way to say so (except deletion vectors, not mapped yet). */
static int refuse_deletes(ice_snap *s, os_err *err)
{
    delete_probe p = {OS_BUF_INIT, 0};
    iceberg_scan_opts so = {true, false, false};
    int rc = scan(&s->src->t, s->snap, &so, on_delete_file, &p, err);
    if (rc == 0 && p.count > 0)
        rc = os_err_set(err, OS_EUNSUPPORTED,
                        "this Iceberg table's snapshot %" PRId64 " (version %" PRId64 ") has %d delete "
                        "file(s), which the Delta Sharing API cannot express: %s%s; read the table "
                        "through the Iceberg REST catalog instead",
                        s->snap->snapshot_id, s->version, p.count, os_buf_cstr(&p.names),
                        p.count > MAX_DELETE_NAMES ? ", ..." : "");
    os_buf_free(&p.names);
    return rc;
}

static void snap_free(void *p)
{
    ice_snap *s = p;
    if (s == NULL)
        return;
    delta_colmap_free(s->cm);
    os_arena_free(&s->arena);
    free(s);
}

static ice_snap *snap_make(ice_src *src, long idx, bool check_deletes, os_err *err)
{
    ice_snap *s = calloc(1, sizeof *s);
    if (s == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    s->src = src;
    const iceberg_metadata *m = &src->t.meta;
    if (idx >= 0) {
        s->snap = src->hist[idx];
        s->version = src->versions[idx];
        s->timestamp = s->snap->timestamp_ms;
    } else {
        s->version = 0;
        s->timestamp = m->last_updated_ms;
    }
    s->schema = (s->snap && s->snap->has_schema_id) ? iceberg_schema_by_id(m, s->snap->schema_id) : NULL;
    if (s->schema == NULL)
        s->schema = iceberg_current_schema(m);
    build_keys(s);
    if (build_metadata(s, err) != 0 || (check_deletes && s->snap && refuse_deletes(s, err) != 0)) {
        snap_free(s);
        return NULL;
    }
    return s;
}

/* ---- ops --------------------------------------------------------------------------- */

static int i_latest(void *impl, int64_t *v, os_err *err)
{
    ice_src *src = impl;
    (void)err;
    *v = src->n > 0 ? src->versions[src->n - 1] : 0;
    return 0;
}

static int i_at_ts(void *impl, int64_t ts, delta_ts_rule rule, int64_t *v, os_err *err)
{
    ice_src *src = impl;
    if (src->n == 0)
        return os_err_set(err, OS_EINVAL, "the table has no snapshot yet, so no version at any time");
    if (rule == DELTA_TS_AT_OR_BEFORE) {
        if (ts < src->hist[0]->timestamp_ms)
            return os_err_set(err, OS_EINVAL, "the timestamp is before the table's first snapshot");
        for (long i = src->n; i-- > 0;)
            if (src->hist[i]->timestamp_ms <= ts) {
                *v = src->versions[i];
                return 0;
            }
    } else {
        for (long i = 0; i < src->n; i++)
            if (src->hist[i]->timestamp_ms >= ts) {
                *v = src->versions[i];
                return 0;
            }
    }
    return os_err_set(err, OS_EINVAL, "the timestamp is after the table's latest snapshot");
}

static long index_of_version(const ice_src *src, int64_t v)
{
    for (long i = 0; i < src->n; i++)
        if (src->versions[i] == v)
            return i;
    return -2;
}

static void *i_load(void *impl, const delta_snapshot_opts *o, os_err *err)
{
    ice_src *src = impl;
    long idx = src->n - 1;
    if (o && o->has_version) {
        idx = o->version == 0 && src->n == 0 ? -1 : index_of_version(src, o->version);
        if (idx == -2) {
            os_err_set(err, OS_ENOTFOUND, "version %" PRId64 " is not a snapshot of this Iceberg table's "
                       "current history (versions are the snapshots' sequence numbers%s)",
                       o->version, src->n ? "; see GET .../version for the latest" : "");
            return NULL;
        }
    } else if (o && o->has_timestamp) {
        int64_t v = 0;
        if (i_at_ts(src, o->timestamp_ms, DELTA_TS_AT_OR_BEFORE, &v, err) != 0)
            return NULL;
        idx = index_of_version(src, v);
    }
    return snap_make(src, idx, true, err);
}

static int64_t i_version(const void *s)
{
    return ((const ice_snap *)s)->version;
}

static int64_t i_timestamp(const void *s)
{
    return ((const ice_snap *)s)->timestamp;
}

static const delta_protocol *i_protocol(const void *s)
{
    return &((const ice_snap *)s)->proto;
}

static const delta_metadata *i_metadata(const void *s)
{
    return &((const ice_snap *)s)->meta;
}

/* Turning entries into Delta file actions. */
typedef struct conv {
    ice_snap *s;
    const delta_predicate *pred;
    int64_t limit, rows;
    delta_file_cb cb;
    delta_change_cb ccb;
    void *ctx;
    int64_t version, timestamp;    /* history: the snapshot's */
    os_buf path, stats, tmp, parts;
    delta_kv *kv;
    /* The snapshot that added the last entry: consecutive entries share it. */
    bool has_added;
    int64_t added_id;
    const iceberg_snapshot *added;
} conv;

static int to_delta_file(conv *c, const iceberg_entry *e, delta_file *f, os_err *err)
{
    memset(f, 0, sizeof *f);
    ice_snap *s = c->s;
    f->kind = DELTA_FILE_ADD;
    os_buf_reset(&c->path);
    if (sto_uri_encode(&c->path, e->key, strlen(e->key), 1) != 0 || stats_json(s, e, &c->stats, &c->tmp) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    f->path = os_buf_cstr(&c->path);
    f->has_size = true;
    f->size = e->file_size;
    if (!c->has_added || c->added_id != e->snapshot_id) {
        c->added = iceberg_snapshot_by_id(&s->src->t.meta, e->snapshot_id);
        c->added_id = e->snapshot_id;
        c->has_added = true;
    }
    const iceberg_snapshot *added = c->added;
    f->has_modification_time = true;
    f->modification_time = added ? added->timestamp_ms : s->timestamp;
    f->data_change = true;
    f->stats = os_buf_cstr(&c->stats);
    /* Partition values: one string per partition column, offsets into c->parts. */
    size_t np = s->meta.n_partition_columns;
    size_t offs[64];
    bool null[64];
    if (np > 64)
        np = 64;
    os_buf_reset(&c->parts);
    for (size_t i = 0; i < np; i++) {
        null[i] = true;
        offs[i] = c->parts.len;
        for (size_t k = 0; k < e->spec->n_fields; k++) {
            const iceberg_partition_field *pf = &e->spec->fields[k];
            if (pf->source_id == s->part_ids[i] && pf->transform == ICE_T_IDENTITY && !e->partition[k].is_null) {
                if (ice_delta_partition_text(s->part_types[i], &e->partition[k], &c->parts) != 0)
                    return os_err_set(err, OS_ENOMEM, "out of memory");
                null[i] = false;
                break;
            }
        }
        if (os_buf_putc(&c->parts, '\0') != 0)
            return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < np; i++) {
        c->kv[i].key = s->meta.partition_columns[i];
        c->kv[i].value = null[i] ? NULL : c->parts.data + offs[i];
    }
    f->partition_values.items = c->kv;
    f->partition_values.n = np;
    return 0;
}

static int on_entry(void *ctx, const iceberg_entry *e, os_err *err)
{
    conv *c = ctx;
    delta_file f;
    if (to_delta_file(c, e, &f, err) != 0)
        return -1;
    if (c->ccb) {
        delta_change ch = {DELTA_CHANGE_ADD, c->version, c->timestamp, &f, NULL, NULL, NULL};
        return c->ccb(c->ctx, &ch, err);
    }
    if (c->pred && delta_predicate_eval(c->pred, c->s->cm, &f) == DELTA_FALSE)
        return 0;
    int rc = c->cb(c->ctx, &f, err);
    if (rc != 0)
        return rc;
    c->rows += e->record_count;
    /* Without a predicate every row of a listed file counts toward the hint. */
    if (c->limit > 0 && c->pred == NULL && c->rows >= c->limit)
        return 1;
    return 0;
}

static void conv_free(conv *c)
{
    os_buf_free(&c->path);
    os_buf_free(&c->stats);
    os_buf_free(&c->tmp);
    os_buf_free(&c->parts);
    free(c->kv);
}

static int i_scan(void *snap, const delta_scan_opts *o, delta_file_cb cb, void *ctx, os_err *err)
{
    ice_snap *s = snap;
    if (s->snap == NULL)
        return 0;
    conv c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.pred = o ? o->predicate : NULL;
    c.limit = o ? o->limit_hint : 0;
    c.cb = cb;
    c.ctx = ctx;
    c.kv = calloc(s->meta.n_partition_columns + 1, sizeof *c.kv);
    if (c.kv == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    int rc = scan(&s->src->t, s->snap, NULL, on_entry, &c, err);
    conv_free(&c);
    return rc;
}

static int i_changes_allowed(const void *snap, int64_t version, os_err *err)
{
    (void)snap;
    (void)version;
    (void)err;
    return 0;   /* append snapshots always have a change feed; the window is checked per snapshot */
}

/* Whether snapshot h can be told as Delta changes: appends add files,
 * replaces (compaction) change no rows; anything else is refused. */
static int history_kind(const iceberg_snapshot *h, int64_t version, os_err *err)
{
    if (h->operation == NULL || strcmp(h->operation, "append") == 0)
        return 1;
    if (strcmp(h->operation, "replace") == 0)
        return 0;
    return os_err_set(err, OS_EINVAL, "version %" PRId64 " of this Iceberg table (snapshot %" PRId64
                      ") is a '%s', not an append: changes are served over append-only snapshot ranges; "
                      "read the table at a version instead", version, h->snapshot_id, h->operation);
}

static int i_history_check(void *impl, int64_t start, int64_t end, os_err *err)
{
    ice_src *src = impl;
    for (long i = 0; i < src->n; i++) {
        if (src->versions[i] < start || src->versions[i] > end)
            continue;
        if (history_kind(src->hist[i], src->versions[i], err) < 0)
            return -1;
    }
    return 0;
}

static int i_history(void *impl, const delta_history_opts *o, delta_change_cb cb, void *ctx, os_err *err)
{
    ice_src *src = impl;
    int64_t end = o->has_end_version ? o->end_version : (src->n ? src->versions[src->n - 1] : 0);
    if (i_history_check(impl, o->start_version, end, err) != 0)
        return -1;
    conv c;
    memset(&c, 0, sizeof c);
    int rc = 0;
    for (long i = 0; i < src->n && rc == 0; i++) {
        if (src->versions[i] < o->start_version || src->versions[i] > end)
            continue;
        const iceberg_snapshot *h = src->hist[i];
        delta_change commit = {DELTA_CHANGE_COMMIT, src->versions[i], h->timestamp_ms, NULL, NULL, NULL, NULL};
        if ((rc = cb(ctx, &commit, err)) != 0)
            break;
        if (history_kind(h, src->versions[i], err) == 0)
            continue;
        ice_snap *s = snap_make(src, i, false, err);
        if (s == NULL) {
            rc = -1;
            break;
        }
        bool schema_changed = i > 0 && h->has_schema_id && src->hist[i - 1]->has_schema_id &&
                              h->schema_id != src->hist[i - 1]->schema_id;
        if (schema_changed) {
            delta_change mc = {DELTA_CHANGE_METADATA, src->versions[i], h->timestamp_ms, NULL, NULL,
                               &s->meta, NULL};
            rc = cb(ctx, &mc, err);
        }
        if (rc == 0) {
            conv_free(&c);
            memset(&c, 0, sizeof c);
            c.s = s;
            c.ccb = cb;
            c.ctx = ctx;
            c.version = src->versions[i];
            c.timestamp = h->timestamp_ms;
            c.kv = calloc(s->meta.n_partition_columns + 1, sizeof *c.kv);
            iceberg_scan_opts so = {false, true, true};
            rc = c.kv ? scan(&src->t, h, &so, on_entry, &c, err)
                      : os_err_set(err, OS_ENOMEM, "out of memory");
        }
        snap_free(s);
    }
    conv_free(&c);
    return rc < 0 ? -1 : 0;
}

static void i_close(void *impl)
{
    ice_src *src = impl;
    iceberg_table_close(&src->t);
    os_arena_free(&src->arena);
    free(src->fallback_id);
    free(src);
}

static const table_source_ops ICEBERG_OPS = {
    i_latest, i_at_ts, i_load, snap_free, i_version, i_timestamp, i_protocol, i_metadata, i_scan,
    i_changes_allowed, i_history, i_history_check, i_close, NULL,
};

int table_source_open_iceberg(table_source *ts, const objstore *store, const table_source_opts *o,
                              os_err *err)
{
    ts->ops = NULL;
    ts->impl = NULL;
    ice_src *src = calloc(1, sizeof *src);
    if (src == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (o)
        src->opts = *o;
    src->opts.metadata_key = NULL;
    src->fallback_id = strdup(o && o->fallback_id ? o->fallback_id : "00000000-0000-0000-0000-000000000000");
    if (src->fallback_id == NULL) {
        free(src);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    if (iceberg_table_open(&src->t, store, "", o ? o->metadata_key : NULL, NULL, err) != 0) {
        free(src->fallback_id);
        free(src);
        return -1;
    }
    const iceberg_snapshot *cur = iceberg_snapshot_current(&src->t);
    src->n = cur ? iceberg_ancestry(&src->t, cur, &src->arena, &src->hist, err) : 0;
    if (src->n > 0)
        src->versions = os_arena_alloc(&src->arena, (size_t)src->n * sizeof *src->versions);
    if (src->n < 0 || (src->n > 0 && src->versions == NULL)) {
        if (src->n >= 0)
            os_err_set(err, OS_ENOMEM, "out of memory");
        i_close(src);
        return -1;
    }
    int64_t prev = 0;
    for (long i = 0; i < src->n; i++) {
        int64_t v = src->hist[i]->sequence_number;
        src->versions[i] = prev = v > prev ? v : prev + 1;
    }
    ts->ops = &ICEBERG_OPS;
    ts->impl = src;
    return 0;
}
