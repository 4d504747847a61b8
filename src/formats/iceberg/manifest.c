/* manifest.c - a snapshot's manifest list and manifests (Avro), streamed entry by entry. */
#include <stdlib.h>
#include <string.h>

#include "formats/avro/avro.h"
#include "formats/iceberg/iceberg_int.h"

/* One manifest as the manifest list describes it. */
typedef struct manifest_ref {
    const char *path;
    int32_t spec_id;
    bool has_spec_id;
    int content;                   /* 0 data, 1 deletes */
    int64_t sequence_number;
    int64_t added_snapshot_id;
    bool has_added_snapshot_id;
} manifest_ref;

typedef struct scan_state {
    const iceberg_table *t;
    const iceberg_snapshot *snap;
    iceberg_scan_opts opts;
    iceberg_entry_cb cb;
    void *ctx;
    os_buf key;                    /* relocated key of the file being read */
    os_buf file_key;               /* relocated key of an entry's data file */
    os_buf bytes;                  /* the manifest list / manifest being read */
} scan_state;

static int64_t value_long(const avro_value *v, int64_t dflt)
{
    if (v == NULL)
        return dflt;
    if (v->type == AVRO_INT || v->type == AVRO_LONG)
        return v->l;
    return dflt;
}

static const char *value_str(const avro_value *v)
{
    if (v == NULL || (v->type != AVRO_STRING && v->type != AVRO_BYTES))
        return NULL;
    return (const char *)v->bytes;
}

/* Reads the object a recorded path names into st->bytes. */
static int read_file(scan_state *st, const char *path, const char *what, os_err *err)
{
    if (iceberg_path_to_key(st->t, path, &st->key, err) != 0)
        return -1;
    os_buf_reset(&st->bytes);
    if (objstore_read_all(st->t->store, os_buf_cstr(&st->key), st->t->limits.max_manifest_bytes,
                          &st->bytes, err) != 0) {
        if (err->code == OS_ENOTFOUND)
            return os_err_set(err, OS_ENOTFOUND, "the table's %s '%.300s' does not exist", what, path);
        return os_err_wrap(err, "%s '%.300s'", what, path);
    }
    return 0;
}

/* ---- the partition record of a data file --------------------------------- */

static int partition_value(const iceberg_type *t, const avro_value *v, os_arena *a, iceberg_value *out,
                           os_err *err)
{
    memset(out, 0, sizeof *out);
    if (v == NULL || v->type == AVRO_NULL || t == NULL) {
        out->is_null = true;
        return 0;
    }
    switch (v->type) {
    case AVRO_BOOLEAN:
        out->i = v->b;
        return 0;
    case AVRO_INT:
    case AVRO_LONG:
        out->i = v->l;
        out->d = (double)v->l;
        return 0;
    case AVRO_FLOAT:
    case AVRO_DOUBLE:
        out->d = v->d;
        return 0;
    case AVRO_STRING:
        if (t->kind == ICE_UUID) {   /* uuid as text: keep its 16 bytes */
            uint8_t *b = os_arena_alloc(a, 16);
            size_t n = 0;
            for (size_t i = 0; b && i < v->len && n < 32; i++) {
                int c = v->bytes[i], x = c >= '0' && c <= '9' ? c - '0'
                                       : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10 : -1;
                if (c == '-')
                    continue;
                if (x < 0)
                    return os_err_set(err, OS_ECORRUPT, "a uuid partition value is not a uuid");
                b[n / 2] = (uint8_t)(n % 2 ? b[n / 2] | x : x << 4);
                n++;
            }
            if (b == NULL || n != 32)
                return os_err_set(err, OS_ECORRUPT, "a uuid partition value is not a uuid");
            out->bytes = b;
            out->len = 16;
            return 0;
        }
        out->bytes = v->bytes;
        out->len = v->len;
        return 0;
    case AVRO_BYTES:
    case AVRO_FIXED:
        if (t->kind == ICE_DECIMAL)
            return iceberg_value_from_binary(t, v->bytes, v->len, out, err);
        out->bytes = v->bytes;
        out->len = v->len;
        return 0;
    default:
        return os_err_set(err, OS_ECORRUPT, "a partition value of Avro type %d", (int)v->type);
    }
}

/* ---- column statistics ---------------------------------------------------- */

typedef struct stats_acc {
    iceberg_col_stats *v;
    size_t n, cap;
    os_arena *a;
} stats_acc;

/* The slot of field id, added when new.  hint: where it is likely to be (the
 * stats maps of one file usually list the same ids in the same order), so the
 * usual lookup is one comparison instead of a scan of every column. */
static iceberg_col_stats *stats_slot(stats_acc *acc, int32_t id, size_t hint)
{
    if (hint < acc->n && acc->v[hint].field_id == id)
        return &acc->v[hint];
    for (size_t i = 0; i < acc->n; i++)
        if (acc->v[i].field_id == id)
            return &acc->v[i];
    if (acc->n == acc->cap) {
        size_t cap = acc->cap ? acc->cap * 2 : 16;
        iceberg_col_stats *nv = os_arena_alloc(acc->a, cap * sizeof *nv);
        if (nv == NULL)
            return NULL;
        if (acc->n)
            memcpy(nv, acc->v, acc->n * sizeof *nv);
        acc->v = nv;
        acc->cap = cap;
    }
    iceberg_col_stats *s = &acc->v[acc->n++];
    memset(s, 0, sizeof *s);
    s->field_id = id;
    return s;
}

enum { ST_VALUES, ST_NULLS, ST_NANS, ST_LOWER, ST_UPPER };

/* Reads one of the stats columns: an array of {key: int, value} records (or an
 * Avro map keyed by the id's text) into acc. */
static int stats_column(stats_acc *acc, const avro_value *col, int which, const char *where, os_err *err)
{
    if (col == NULL)
        return 0;
    if (col->type != AVRO_ARRAY && col->type != AVRO_MAP)
        return os_err_set(err, OS_ECORRUPT, "%s: a column statistics field is not an array", where);
    for (size_t i = 0; i < col->n; i++) {
        const avro_value *k, *v;
        if (col->type == AVRO_MAP) {
            k = &col->keys[i];
            v = &col->items[i];
        } else {
            const avro_value *kv = &col->items[i];
            if (kv->type != AVRO_RECORD || kv->n < 2)
                return os_err_set(err, OS_ECORRUPT, "%s: a column statistics entry is not a key/value "
                                  "record", where);
            k = &kv->items[0];
            v = &kv->items[1];
        }
        int64_t id;
        if (k->type == AVRO_INT || k->type == AVRO_LONG)
            id = k->l;
        else if (k->type == AVRO_STRING)
            id = strtoll((const char *)k->bytes, NULL, 10);
        else
            return os_err_set(err, OS_ECORRUPT, "%s: a column statistics key is not a field id", where);
        if (id < 0 || id > INT32_MAX)
            continue;
        iceberg_col_stats *s = stats_slot(acc, (int32_t)id, i);
        if (s == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        if (v->type == AVRO_NULL)
            continue;
        switch (which) {
        case ST_VALUES:
            s->has_value_count = true;
            s->value_count = v->l;
            break;
        case ST_NULLS:
            s->has_null_count = true;
            s->null_count = v->l;
            break;
        case ST_NANS:
            s->has_nan_count = true;
            s->nan_count = v->l;
            break;
        case ST_LOWER:
        case ST_UPPER:
            if (v->type != AVRO_BYTES && v->type != AVRO_FIXED)
                return os_err_set(err, OS_ECORRUPT, "%s: a bound is not binary", where);
            if (which == ST_LOWER) {
                s->has_lower = true;
                s->lower = v->bytes;
                s->lower_len = v->len;
            } else {
                s->has_upper = true;
                s->upper = v->bytes;
                s->upper_len = v->len;
            }
            break;
        }
    }
    return 0;
}

/* ---- manifests ------------------------------------------------------------ */

typedef struct entry_fields {
    int status, snapshot_id, seq, file_seq, data_file;
    int content, path, format, partition, records, size, sizes, values, nulls, nans, lower, upper,
        eq_ids, ref_file, offset, csize;
} entry_fields;

static void find_fields(const avro_schema *top, entry_fields *f)
{
    f->status = avro_schema_field_index(top, "status");
    f->snapshot_id = avro_schema_field_index(top, "snapshot_id");
    f->seq = avro_schema_field_index(top, "sequence_number");
    f->file_seq = avro_schema_field_index(top, "file_sequence_number");
    f->data_file = avro_schema_field_index(top, "data_file");
    const avro_schema *df = f->data_file >= 0 ? top->fields[f->data_file].schema : NULL;
    /* data_file may be written as a union with null by some writers */
    if (df && df->type == AVRO_UNION)
        for (size_t i = 0; i < df->n_branches; i++)
            if (df->branches[i]->type == AVRO_RECORD)
                df = df->branches[i];
    f->content = avro_schema_field_index(df, "content");
    f->path = avro_schema_field_index(df, "file_path");
    f->format = avro_schema_field_index(df, "file_format");
    f->partition = avro_schema_field_index(df, "partition");
    f->records = avro_schema_field_index(df, "record_count");
    f->size = avro_schema_field_index(df, "file_size_in_bytes");
    f->sizes = avro_schema_field_index(df, "column_sizes");
    f->values = avro_schema_field_index(df, "value_counts");
    f->nulls = avro_schema_field_index(df, "null_value_counts");
    f->nans = avro_schema_field_index(df, "nan_value_counts");
    f->lower = avro_schema_field_index(df, "lower_bounds");
    f->upper = avro_schema_field_index(df, "upper_bounds");
    f->eq_ids = avro_schema_field_index(df, "equality_ids");
    f->ref_file = avro_schema_field_index(df, "referenced_data_file");
    f->offset = avro_schema_field_index(df, "content_offset");
    f->csize = avro_schema_field_index(df, "content_size_in_bytes");
}

/* The data_file record of a manifest entry schema (writers may wrap it in a
 * union with null), or NULL. */
static const avro_schema *data_file_schema(const avro_schema *top, const entry_fields *f)
{
    const avro_schema *df = f->data_file >= 0 ? top->fields[f->data_file].schema : NULL;
    if (df && df->type == AVRO_UNION)
        for (size_t i = 0; i < df->n_branches; i++)
            if (df->branches[i]->type == AVRO_RECORD)
                df = df->branches[i];
    return df && df->type == AVRO_RECORD ? df : NULL;
}

static bool is_one_of(int i, const int *keep, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (keep[k] == i)
            return true;
    return false;
}

/* Lets the Avro reader pass over the fields no entry carries (column sizes,
 * key metadata, split offsets, sort order, fields of later format versions):
 * checked as always, not kept.  lean: of data_file only its content and path
 * are kept (paths are checked in every scan), for a scan that wants no data
 * file in a data manifest.  A field that cannot
 * be marked is simply decoded. */
static void skip_unused(avro_file *af, const entry_fields *f, bool lean)
{
    const avro_schema *top = avro_file_schema(af);
    const int top_keep[] = {f->status, f->snapshot_id, f->seq, f->file_seq, f->data_file};
    for (size_t i = 0; top->type == AVRO_RECORD && i < top->n_fields; i++)
        if (!is_one_of((int)i, top_keep, sizeof top_keep / sizeof top_keep[0]))
            (void)avro_file_skip_field(af, top, (int)i);
    const avro_schema *df = data_file_schema(top, f);
    const int df_keep[] = {f->content, f->path,   f->format, f->partition, f->records,  f->size,
                           f->values,  f->nulls,  f->nans,   f->lower,     f->upper,    f->eq_ids,
                           f->ref_file, f->offset, f->csize};
    for (size_t i = 0; df && i < df->n_fields; i++)
        if (lean ? (int)i != f->content && (int)i != f->path
                 : !is_one_of((int)i, df_keep, sizeof df_keep / sizeof df_keep[0]))
            (void)avro_file_skip_field(af, df, (int)i);
}

/* The partition spec a manifest was written with: from the table's metadata by
 * id, else from the manifest's own header. */
static const iceberg_spec *manifest_spec(scan_state *st, avro_file *af, const manifest_ref *m,
                                         os_arena *a, const char *where, os_err *err)
{
    int32_t id = m->spec_id;
    bool has = m->has_spec_id;
    const char *hid = avro_file_meta(af, "partition-spec-id", NULL);
    if (!has && hid) {
        id = (int32_t)strtol(hid, NULL, 10);
        has = true;
    }
    if (!has)
        id = st->t->meta.default_spec_id;
    const iceberg_spec *spec = iceberg_spec_by_id(&st->t->meta, id);
    if (spec)
        return spec;
    const char *text = avro_file_meta(af, "partition-spec", NULL);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    iceberg_spec *s = os_arena_alloc(a, sizeof *s);
    int rc = (j && s) ? ice_spec_parse(j, id, where, a, s, err) : -1;
    json_decref(j);
    if (rc != 0) {
        os_err_set(err, OS_ECORRUPT, "%s: partition spec %d is neither in the table's metadata nor "
                   "in the manifest", where, (int)id);
        return NULL;
    }
    return s;
}

/* Streams a manifest's entries; 1 when the callback stopped.  lean (a scan
 * that wants no data file, over a data manifest): data_file is read for its
 * content only, and 2 is returned at the first entry that is not a data file
 * (not found in a valid table), before any callback: the caller then reads
 * the manifest again in full, so the result is the same either way. */
static int read_entries(scan_state *st, const manifest_ref *m, const char *where, bool lean, os_err *err)
{
    avro_file *af = avro_file_open((const uint8_t *)st->bytes.data, st->bytes.len, where, NULL, err);
    if (af == NULL)
        return -1;
    os_arena spec_arena = OS_ARENA_INIT, rec = OS_ARENA_INIT;
    const iceberg_schema *schema = iceberg_current_schema(&st->t->meta);
    entry_fields f;
    find_fields(avro_file_schema(af), &f);
    skip_unused(af, &f, lean);
    int rc = 0;
    const iceberg_spec *spec = manifest_spec(st, af, m, &spec_arena, where, err);
    if (spec == NULL)
        rc = -1;
    else if (f.status < 0 || f.data_file < 0 || f.path < 0 || f.records < 0 || f.size < 0)
        rc = os_err_set(err, OS_ECORRUPT, "%s: not an Iceberg manifest (status, data_file, file_path, "
                        "record_count or file_size_in_bytes is missing)", where);
    /* Which partition record field holds each spec field: by field id, else by name. */
    int pidx[256];
    size_t np = spec ? spec->n_fields : 0;
    if (rc == 0 && np > 256)
        rc = os_err_set(err, OS_ELIMIT, "%s: more than 256 partition fields", where);
    const avro_schema *pschema = NULL;
    if (rc == 0 && f.partition >= 0) {
        const avro_schema *top = avro_file_schema(af);
        const avro_schema *df = top->fields[f.data_file].schema;
        if (df->type == AVRO_UNION)
            for (size_t i = 0; i < df->n_branches; i++)
                if (df->branches[i]->type == AVRO_RECORD)
                    df = df->branches[i];
        pschema = df->fields[f.partition].schema;
    }
    /* The type of each partition field's values, looked up once per manifest. */
    const iceberg_type *ptype[256];
    for (size_t i = 0; rc == 0 && i < np; i++) {
        ptype[i] = iceberg_partition_type(&spec->fields[i], schema);
        pidx[i] = -1;
        for (size_t k = 0; pschema && pschema->type == AVRO_RECORD && k < pschema->n_fields; k++)
            if (pschema->fields[k].field_id == spec->fields[i].field_id ||
                (pschema->fields[k].field_id < 0 && strcmp(pschema->fields[k].name, spec->fields[i].name) == 0))
                pidx[i] = (int)k;
    }
    const avro_value *r;
    while (rc == 0 && (rc = avro_file_next(af, &rec, &r, err)) == 1) {
        rc = 0;
        iceberg_entry e;
        memset(&e, 0, sizeof e);
        e.status = (int)value_long(avro_record_field(r, f.status), -1);
        e.snapshot_id = value_long(avro_record_field(r, f.snapshot_id), m->added_snapshot_id);
        if (e.status == 2)
            goto next;
        if (e.status != 0 && e.status != 1) {
            rc = os_err_set(err, OS_ECORRUPT, "%s: an entry has status %d (0, 1 or 2 expected)", where,
                            e.status);
            break;
        }
        if (st->opts.only_added && (e.status != 1 || e.snapshot_id != st->snap->snapshot_id))
            goto next;
        const avro_value *seq = avro_record_field(r, f.seq);
        e.sequence_number = seq ? seq->l : (e.status == 1 ? m->sequence_number : 0);
        const avro_value *fseq = avro_record_field(r, f.file_seq);
        e.file_sequence_number = fseq ? fseq->l : e.sequence_number;
        const avro_value *df = avro_record_field(r, f.data_file);
        if (df == NULL || df->type != AVRO_RECORD) {
            rc = os_err_set(err, OS_ECORRUPT, "%s: an entry has no data_file", where);
            break;
        }
        e.content = (iceberg_content)value_long(avro_record_field(df, f.content), m->content ? 1 : 0);
        e.path = value_str(avro_record_field(df, f.path));
        if (e.path == NULL) {
            rc = os_err_set(err, OS_ECORRUPT, "%s: an entry lacks file_path", where);
            break;
        }
        /* Every live file must lie in the table, also those this scan skips:
         * a scan for delete files then refuses a stray data file before a
         * caller has started to answer with the others. */
        if (iceberg_path_to_key(st->t, e.path, &st->file_key, err) != 0) {
            rc = -1;
            break;
        }
        if (lean && e.content != ICE_DATA) {
            rc = 2;   /* read it again in full */
            break;
        }
        if ((e.content == ICE_DATA && !st->opts.data) || (e.content != ICE_DATA && !st->opts.deletes))
            goto next;
        e.file_format = value_str(avro_record_field(df, f.format));
        const avro_value *rc_v = avro_record_field(df, f.records), *sz_v = avro_record_field(df, f.size);
        if (rc_v == NULL || sz_v == NULL) {
            rc = os_err_set(err, OS_ECORRUPT, "%s: an entry lacks file_path, record_count or "
                            "file_size_in_bytes", where);
            break;
        }
        e.record_count = rc_v->l;
        e.file_size = sz_v->l;
        if (e.record_count < 0 || e.file_size < 0) {
            rc = os_err_set(err, OS_ECORRUPT, "%s: '%.200s' has a negative record count or size", where,
                            e.path);
            break;
        }
        e.key = os_buf_cstr(&st->file_key);
        e.spec = spec;
        iceberg_value *pv = os_arena_alloc(&rec, (np ? np : 1) * sizeof *pv);
        const avro_value *prec = avro_record_field(df, f.partition);
        if (pv == NULL) {
            rc = os_err_set(err, OS_ENOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; i < np && rc == 0; i++) {
            const avro_value *v = (prec && pidx[i] >= 0) ? avro_record_field(prec, pidx[i]) : NULL;
            rc = partition_value(ptype[i], v, &rec, &pv[i], err);
            if (rc != 0)
                os_err_wrap(err, "%s: partition field '%s' of '%.200s'", where, spec->fields[i].name, e.path);
        }
        if (rc != 0)
            break;
        e.partition = pv;
        stats_acc acc = {NULL, 0, 0, &rec};
        if (stats_column(&acc, avro_record_field(df, f.values), ST_VALUES, where, err) != 0 ||
            stats_column(&acc, avro_record_field(df, f.nulls), ST_NULLS, where, err) != 0 ||
            stats_column(&acc, avro_record_field(df, f.nans), ST_NANS, where, err) != 0 ||
            stats_column(&acc, avro_record_field(df, f.lower), ST_LOWER, where, err) != 0 ||
            stats_column(&acc, avro_record_field(df, f.upper), ST_UPPER, where, err) != 0) {
            rc = -1;
            break;
        }
        e.stats = acc.v;
        e.n_stats = acc.n;
        const avro_value *eq = avro_record_field(df, f.eq_ids);
        if (eq && eq->type == AVRO_ARRAY && eq->n > 0) {
            int32_t *ids = os_arena_alloc(&rec, eq->n * sizeof *ids);
            if (ids == NULL) {
                rc = os_err_set(err, OS_ENOMEM, "out of memory");
                break;
            }
            for (size_t i = 0; i < eq->n; i++)
                ids[i] = (int32_t)eq->items[i].l;
            e.equality_ids = ids;
            e.n_equality_ids = eq->n;
        }
        e.referenced_data_file = value_str(avro_record_field(df, f.ref_file));
        const avro_value *off = avro_record_field(df, f.offset);
        if (off) {
            e.has_content_offset = true;
            e.content_offset = off->l;
            e.content_size = value_long(avro_record_field(df, f.csize), 0);
        }
        rc = st->cb(st->ctx, &e, err);
        if (rc == 1) {
            os_arena_free(&rec);
            avro_file_close(af);
            os_arena_free(&spec_arena);
            return 1;
        }
    next:
        os_arena_reset(&rec);   /* keeps its block for the next entry */
    }
    if (rc > 0 && !(lean && rc == 2))   /* a lean pass calls no callback: 2 is its own */
        rc = 0;
    os_arena_free(&rec);
    avro_file_close(af);
    os_arena_free(&spec_arena);
    return rc;
}

/* Reads one manifest and streams its entries; 1 when the callback stopped. */
static int scan_manifest(scan_state *st, const manifest_ref *m, os_err *err)
{
    if (read_file(st, m->path, "manifest", err) != 0)
        return -1;
    /* A scan for delete files alone reads a data manifest for the entries'
     * content only (it wants none of them); in full if one is not data. */
    bool lean = !st->opts.data && m->content == 0;
    int rc = read_entries(st, m, m->path, lean, err);
    if (rc == 2)
        rc = read_entries(st, m, m->path, false, err);
    return rc;
}

/* ---- the manifest list ---------------------------------------------------- */

static int scan_manifest_list(scan_state *st, os_err *err)
{
    const char *where = st->snap->manifest_list;
    if (read_file(st, where, "manifest list", err) != 0)
        return -1;
    /* The list's bytes are replaced by each manifest's: keep them apart. */
    os_buf list = st->bytes;
    st->bytes = (os_buf)OS_BUF_INIT;
    avro_file *af = avro_file_open((const uint8_t *)list.data, list.len, where, NULL, err);
    if (af == NULL) {
        os_buf_free(&list);
        return -1;
    }
    const avro_schema *top = avro_file_schema(af);
    int i_path = avro_schema_field_index(top, "manifest_path");
    int i_spec = avro_schema_field_index(top, "partition_spec_id");
    int i_content = avro_schema_field_index(top, "content");
    int i_seq = avro_schema_field_index(top, "sequence_number");
    int i_snap = avro_schema_field_index(top, "added_snapshot_id");
    int rc = 0;
    if (i_path < 0)
        rc = os_err_set(err, OS_ECORRUPT, "%s: not an Iceberg manifest list (manifest_path is missing)",
                        where);
    os_arena a = OS_ARENA_INIT;
    const avro_value *r;
    int got = 0;
    while (rc == 0 && (got = avro_file_next(af, &a, &r, err)) != 0) {
        if (got < 0) {
            rc = -1;
            break;
        }
        manifest_ref m;
        memset(&m, 0, sizeof m);
        m.path = value_str(avro_record_field(r, i_path));
        const avro_value *spec = avro_record_field(r, i_spec);
        m.has_spec_id = spec != NULL;
        m.spec_id = spec ? (int32_t)spec->l : 0;
        m.content = (int)value_long(avro_record_field(r, i_content), 0);
        m.sequence_number = value_long(avro_record_field(r, i_seq), 0);
        const avro_value *snap = avro_record_field(r, i_snap);
        m.has_added_snapshot_id = snap != NULL;
        m.added_snapshot_id = snap ? snap->l : st->snap->snapshot_id;
        if (m.path == NULL) {
            rc = os_err_set(err, OS_ECORRUPT, "%s: a manifest has no path", where);
            break;
        }
        bool wanted = m.content == 0 ? (st->opts.data || st->opts.deletes) : st->opts.deletes;
        if (st->opts.only_added && m.has_added_snapshot_id && m.added_snapshot_id != st->snap->snapshot_id)
            wanted = false;   /* a manifest written earlier holds no file this snapshot added */
        rc = wanted ? scan_manifest(st, &m, err) : 0;
        os_arena_reset(&a);
    }
    os_arena_free(&a);
    avro_file_close(af);
    os_buf_free(&list);
    return rc;
}

int iceberg_scan(const iceberg_table *t, const iceberg_snapshot *s, const iceberg_scan_opts *opts,
                 iceberg_entry_cb cb, void *ctx, os_err *err)
{
    scan_state st;
    memset(&st, 0, sizeof st);
    st.t = t;
    st.snap = s;
    st.cb = cb;
    st.ctx = ctx;
    st.opts.data = true;
    if (opts) {
        st.opts = *opts;
        if (!opts->deletes)
            st.opts.data = true;
    }
    int rc = 0;
    if (s == NULL)
        rc = 0;
    else if (s->manifest_list)
        rc = scan_manifest_list(&st, err);
    else
        for (size_t i = 0; rc == 0 && i < s->n_manifests; i++) {
            manifest_ref m = {s->manifests[i], 0, false, 0, 0, s->snapshot_id, false};
            rc = scan_manifest(&st, &m, err);
        }
    os_buf_free(&st.key);
    os_buf_free(&st.file_key);
    os_buf_free(&st.bytes);
    return rc < 0 ? -1 : 0;
}
