/* cmd_inspect_iceberg.c - `opensharing inspect iceberg`: an Iceberg table's schema, specs, snapshots and files. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/strutil.h"
#include "base/timeutil.h"
#include "cli/cli.h"
#include "formats/iceberg/iceberg.h"
#include "json/jw.h"
#include "storage/objstore.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opensharing inspect iceberg TABLE_DIR [--snapshot ID | --as-of TS | --ref NAME]\n"
            "                                   [--metadata FILE] [--files] [--deletes] [--count] [--json]\n");
}

typedef struct opts {
    const char *dir, *metadata, *ref, *as_of;
    int64_t snapshot_id;
    int has_snapshot, files, deletes, count, json;
} opts;

typedef struct out_state {
    os_buf b;
    const iceberg_table *t;
    const iceberg_schema *schema;
    int json;
    int64_t files, records, bytes, deletes;
    os_arena names;
    os_buf tmp;                    /* one value's text, reused */
    /* Column fields by the position of their stats: files list the same ids in
     * the same order, so each is looked up in the schema once, not per file. */
    int32_t col_ids[64];
    const iceberg_field *col_fields[64];
    size_t n_cols;
    /* Partition value types of the last spec seen (its fields' sources and
     * transforms, which decide the types, are kept to tell it again). */
    size_t n_pfields;
    iceberg_partition_field pfields[64];
    const iceberg_type *ptypes[64];
} out_state;

static void flush(out_state *o, int force)
{
    if (o->b.len > (force ? 0 : 1u << 16)) {
        fwrite(o->b.data, 1, o->b.len, stdout);
        os_buf_reset(&o->b);
    }
}

static const char *type_text(const iceberg_type *t)
{
    switch (t->kind) {
    case ICE_STRUCT:
        return "struct";
    case ICE_LIST:
        return "list";
    case ICE_MAP:
        return "map";
    default:
        return t->text;
    }
}

/* ---- text and JSON pieces --------------------------------------------------- */

static void json_type(jw *w, const iceberg_type *t);

static void json_field(jw *w, const iceberg_field *f)
{
    jw_obj_begin(w);
    jw_kint(w, "id", f->id);
    jw_kstr(w, "name", f->name);
    jw_key(w, "required");
    jw_bool(w, f->required);
    jw_key(w, "type");
    json_type(w, f->type);
    if (f->doc)
        jw_kstr(w, "doc", f->doc);
    if (f->initial_default) {
        jw_key(w, "initial-default");
        jw_raw(w, f->initial_default, strlen(f->initial_default));
    }
    jw_obj_end(w);
}

static void json_type(jw *w, const iceberg_type *t)
{
    if (iceberg_kind_is_primitive(t->kind)) {
        jw_str(w, t->text);
        return;
    }
    jw_obj_begin(w);
    jw_kstr(w, "type", type_text(t));
    if (t->kind == ICE_STRUCT) {
        jw_key(w, "fields");
        jw_arr_begin(w);
        for (size_t i = 0; i < t->n_fields; i++)
            json_field(w, &t->fields[i]);
        jw_arr_end(w);
    } else if (t->kind == ICE_LIST) {
        jw_key(w, "element");
        json_field(w, &t->element);
    } else {
        jw_key(w, "key");
        json_field(w, &t->key);
        jw_key(w, "value");
        json_field(w, &t->value);
    }
    jw_obj_end(w);
}

static void text_type(os_buf *b, const iceberg_type *t, int indent)
{
    const iceberg_field *parts[2] = {NULL, NULL};
    const iceberg_field *fs = NULL;
    size_t n = 0;
    if (t->kind == ICE_STRUCT) {
        fs = t->fields;
        n = t->n_fields;
    } else if (t->kind == ICE_LIST) {
        parts[0] = &t->element;
        n = 1;
    } else if (t->kind == ICE_MAP) {
        parts[0] = &t->key;
        parts[1] = &t->value;
        n = 2;
    }
    for (size_t i = 0; i < n; i++) {
        const iceberg_field *f = fs ? &fs[i] : parts[i];
        os_buf_printf(b, "%*s%-5d %s  %s%s\n", indent, "", (int)f->id, f->name, type_text(f->type),
                      f->required ? "  required" : "");
        text_type(b, f->type, indent + 2);
    }
}

static const char *transform_text(const iceberg_partition_field *pf)
{
    return pf->transform_text ? pf->transform_text : "?";
}

/* ---- file lines ------------------------------------------------------------- */

static void put_value(out_state *o, jw *w, const iceberg_type *t, const uint8_t *b, size_t n)
{
    iceberg_value v;
    os_err err;
    os_buf_reset(&o->tmp);
    if (t == NULL || !iceberg_kind_is_primitive(t->kind) ||
        iceberg_value_from_binary(t, b, n, &v, &err) != 0 || iceberg_value_to_text(t, &v, true, &o->tmp) != 0)
        jw_null(w);
    else
        jw_strn(w, o->tmp.data ? o->tmp.data : "", o->tmp.len);
}

/* The schema field of the i-th stats column of a file (id), or NULL. */
static const iceberg_field *column_field(out_state *o, size_t i, int32_t id)
{
    if (i < o->n_cols && o->col_ids[i] == id)
        return o->col_fields[i];
    const iceberg_field *f = iceberg_schema_find(o->schema, id, NULL, NULL);
    if (i < sizeof o->col_ids / sizeof o->col_ids[0]) {
        o->col_ids[i] = id;
        o->col_fields[i] = f;
        if (o->n_cols <= i)
            o->n_cols = i + 1;
    }
    return f;
}

/* The types of the partition values of spec into o->ptypes; 0, or -1 when
 * the spec has too many fields to keep (then callers look each up). */
static int partition_types(out_state *o, const iceberg_spec *spec)
{
    size_t n = spec->n_fields;
    if (n > sizeof o->ptypes / sizeof o->ptypes[0])
        return -1;
    bool same = n == o->n_pfields;
    for (size_t k = 0; same && k < n; k++)
        same = spec->fields[k].source_id == o->pfields[k].source_id &&
               spec->fields[k].transform == o->pfields[k].transform;
    if (!same) {
        for (size_t k = 0; k < n; k++) {
            o->pfields[k] = spec->fields[k];
            o->ptypes[k] = iceberg_partition_type(&spec->fields[k], o->schema);
        }
        o->n_pfields = n;
    }
    return 0;
}

/* The type of partition field i of spec, or NULL. */
static const iceberg_type *partition_type(out_state *o, const iceberg_spec *spec, size_t i, int cached)
{
    return cached == 0 ? o->ptypes[i] : iceberg_partition_type(&spec->fields[i], o->schema);
}

static const char *content_name(iceberg_content c)
{
    return c == ICE_DATA ? "data" : c == ICE_POSITION_DELETES ? "position-deletes" : "equality-deletes";
}

static int on_entry(void *ctx, const iceberg_entry *e, os_err *err)
{
    out_state *o = ctx;
    (void)err;
    if (e->content == ICE_DATA) {
        o->files++;
        o->records += e->record_count;
        o->bytes += e->file_size;
    } else {
        o->deletes++;
    }
    if (o->b.data == NULL && o->json < 0)
        return 0;
    if (o->json < 0)
        return 0;
    if (!o->json) {
        os_buf_printf(&o->b, "%s\t%s\t%" PRId64 "\t%" PRId64, content_name(e->content), e->key,
                      e->record_count, e->file_size);
        int cached = partition_types(o, e->spec);
        for (size_t i = 0; i < e->spec->n_fields; i++) {
            const iceberg_type *pt = partition_type(o, e->spec, i, cached);
            os_buf_printf(&o->b, "\t%s=", e->spec->fields[i].name);
            if (e->partition[i].is_null || pt == NULL)
                os_buf_puts(&o->b, "null");
            else
                iceberg_value_to_text(pt, &e->partition[i], true, &o->b);
        }
        os_buf_putc(&o->b, '\n');
        flush(o, 0);
        return 0;
    }
    jw w;
    jw_init(&w, &o->b);
    jw_obj_begin(&w);
    jw_key(&w, "file");
    jw_obj_begin(&w);
    jw_kstr(&w, "content", content_name(e->content));
    jw_kstr(&w, "path", e->path);
    jw_kstr(&w, "key", e->key);
    jw_kstr(&w, "format", e->file_format);
    jw_kint(&w, "recordCount", e->record_count);
    jw_kint(&w, "fileSizeInBytes", e->file_size);
    jw_kint(&w, "status", e->status);
    jw_kint(&w, "snapshotId", e->snapshot_id);
    jw_kint(&w, "sequenceNumber", e->sequence_number);
    jw_kint(&w, "specId", e->spec->spec_id);
    jw_key(&w, "partition");
    jw_obj_begin(&w);
    int cached = partition_types(o, e->spec);
    for (size_t i = 0; i < e->spec->n_fields; i++) {
        const iceberg_type *pt = partition_type(o, e->spec, i, cached);
        jw_key(&w, e->spec->fields[i].name);
        os_buf_reset(&o->tmp);
        if (e->partition[i].is_null || pt == NULL || iceberg_value_to_text(pt, &e->partition[i], true, &o->tmp) != 0)
            jw_null(&w);
        else
            jw_strn(&w, o->tmp.data ? o->tmp.data : "", o->tmp.len);
    }
    jw_obj_end(&w);
    jw_key(&w, "columns");
    jw_obj_begin(&w);
    for (size_t i = 0; i < e->n_stats; i++) {
        const iceberg_col_stats *s = &e->stats[i];
        char id[16], *p = id + sizeof id;
        uint32_t u = (uint32_t)s->field_id;   /* ids are >= 0 */
        *--p = '\0';
        do {
            *--p = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        const iceberg_field *f = column_field(o, i, s->field_id);
        jw_key(&w, p);
        jw_obj_begin(&w);
        if (s->has_value_count)
            jw_kint(&w, "valueCount", s->value_count);
        if (s->has_null_count)
            jw_kint(&w, "nullCount", s->null_count);
        if (s->has_nan_count)
            jw_kint(&w, "nanCount", s->nan_count);
        if (s->has_lower) {
            jw_key(&w, "lower");
            put_value(o, &w, f ? f->type : NULL, s->lower, s->lower_len);
        }
        if (s->has_upper) {
            jw_key(&w, "upper");
            put_value(o, &w, f ? f->type : NULL, s->upper, s->upper_len);
        }
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    if (e->n_equality_ids) {
        jw_key(&w, "equalityIds");
        jw_arr_begin(&w);
        for (size_t i = 0; i < e->n_equality_ids; i++)
            jw_int(&w, e->equality_ids[i]);
        jw_arr_end(&w);
    }
    if (e->referenced_data_file)
        jw_kstr(&w, "referencedDataFile", e->referenced_data_file);
    if (e->has_content_offset) {
        jw_kint(&w, "contentOffset", e->content_offset);
        jw_kint(&w, "contentSizeInBytes", e->content_size);
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
    os_buf_putc(&o->b, '\n');
    flush(o, 0);
    return jw_failed(&w) ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
}

/* ---- the table -------------------------------------------------------------- */

static void print_table(out_state *o, const iceberg_table *t, const iceberg_snapshot *sel)
{
    const iceberg_metadata *m = &t->meta;
    if (o->json) {
        jw w;
        jw_init(&w, &o->b);
        jw_obj_begin(&w);
        jw_key(&w, "table");
        jw_obj_begin(&w);
        jw_kint(&w, "formatVersion", m->format_version);
        jw_kstr(&w, "tableUuid", m->table_uuid);
        jw_kstr(&w, "location", m->location);
        jw_kstr(&w, "metadataFile", m->key);
        jw_kint(&w, "lastSequenceNumber", m->last_sequence_number);
        jw_kint(&w, "lastUpdatedMs", m->last_updated_ms);
        if (sel)
            jw_kint(&w, "snapshotId", sel->snapshot_id);
        jw_key(&w, "properties");
        jw_obj_begin(&w);
        for (size_t i = 0; i < m->n_properties; i++)
            jw_kstr(&w, m->properties[i].key, m->properties[i].value);
        jw_obj_end(&w);
        jw_obj_end(&w);
        jw_obj_end(&w);
        os_buf_putc(&o->b, '\n');
        jw_init(&w, &o->b);
        jw_obj_begin(&w);
        jw_key(&w, "schema");
        jw_obj_begin(&w);
        jw_kint(&w, "schemaId", o->schema->schema_id);
        jw_key(&w, "type");
        json_type(&w, &o->schema->root);
        jw_obj_end(&w);
        jw_obj_end(&w);
        os_buf_putc(&o->b, '\n');
        const iceberg_spec *spec = iceberg_spec_by_id(m, m->default_spec_id);
        jw_init(&w, &o->b);
        jw_obj_begin(&w);
        jw_key(&w, "partitionSpec");
        jw_obj_begin(&w);
        jw_kint(&w, "specId", spec->spec_id);
        jw_key(&w, "fields");
        jw_arr_begin(&w);
        for (size_t i = 0; i < spec->n_fields; i++) {
            jw_obj_begin(&w);
            jw_kstr(&w, "name", spec->fields[i].name);
            jw_kstr(&w, "transform", transform_text(&spec->fields[i]));
            jw_kint(&w, "sourceId", spec->fields[i].source_id);
            jw_kint(&w, "fieldId", spec->fields[i].field_id);
            jw_obj_end(&w);
        }
        jw_arr_end(&w);
        jw_obj_end(&w);
        jw_obj_end(&w);
        os_buf_putc(&o->b, '\n');
        for (size_t i = 0; i < m->n_snapshots; i++) {
            const iceberg_snapshot *s = &m->snapshots[i];
            jw_init(&w, &o->b);
            jw_obj_begin(&w);
            jw_key(&w, "snapshot");
            jw_obj_begin(&w);
            jw_kint(&w, "snapshotId", s->snapshot_id);
            if (s->has_parent)
                jw_kint(&w, "parentSnapshotId", s->parent_id);
            jw_kint(&w, "sequenceNumber", s->sequence_number);
            jw_kint(&w, "timestampMs", s->timestamp_ms);
            jw_kstr(&w, "operation", s->operation);
            jw_key(&w, "current");
            jw_bool(&w, m->has_current_snapshot && m->current_snapshot_id == s->snapshot_id);
            jw_obj_end(&w);
            jw_obj_end(&w);
            os_buf_putc(&o->b, '\n');
        }
        return;
    }
    os_buf_printf(&o->b, "table %s  format-version %d  location %s\nmetadata %s\n",
                  m->table_uuid ? m->table_uuid : "-", m->format_version, m->location, m->key);
    os_buf_printf(&o->b, "schema %d:\n", (int)o->schema->schema_id);
    text_type(&o->b, &o->schema->root, 2);
    const iceberg_spec *spec = iceberg_spec_by_id(m, m->default_spec_id);
    os_buf_printf(&o->b, "partition spec %d:%s\n", (int)spec->spec_id, spec->n_fields ? "" : " unpartitioned");
    for (size_t i = 0; i < spec->n_fields; i++) {
        const iceberg_field *src = iceberg_schema_find(o->schema, spec->fields[i].source_id, NULL, NULL);
        os_buf_printf(&o->b, "  %s = %s(%s)\n", spec->fields[i].name, transform_text(&spec->fields[i]),
                      src ? src->name : "?");
    }
    os_buf_printf(&o->b, "snapshots: %zu\n", m->n_snapshots);
    for (size_t i = 0; i < m->n_snapshots; i++) {
        const iceberg_snapshot *s = &m->snapshots[i];
        char iso[32];
        os_time_format_iso(s->timestamp_ms, iso);
        os_buf_printf(&o->b, "  %" PRId64 "  seq %" PRId64 "  %s  %s%s%s\n", s->snapshot_id,
                      s->sequence_number, iso, s->operation ? s->operation : "-",
                      s == sel ? "  <- selected" : "",
                      m->has_current_snapshot && m->current_snapshot_id == s->snapshot_id ? "  (current)" : "");
    }
}

static int parse_args(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--files"))
            o->files = 1;
        else if (!strcmp(a, "--deletes"))
            o->deletes = 1;
        else if (!strcmp(a, "--count"))
            o->count = 1;
        else if (!strcmp(a, "--json"))
            o->json = 1;
        else if (!strcmp(a, "--snapshot") && next) {
            if (os_parse_i64(next, &o->snapshot_id) != 0) {
                fprintf(stderr, "opensharing inspect iceberg: --snapshot takes a snapshot id\n");
                return -1;
            }
            o->has_snapshot = 1;
            i++;
        } else if (!strcmp(a, "--as-of") && next) {
            o->as_of = next;
            i++;
        } else if (!strcmp(a, "--ref") && next) {
            o->ref = next;
            i++;
        } else if (!strcmp(a, "--metadata") && next) {
            o->metadata = next;
            i++;
        } else if (a[0] != '-' && o->dir == NULL)
            o->dir = a;
        else {
            fprintf(stderr, "opensharing inspect iceberg: unexpected argument '%s'\n", a);
            return -1;
        }
    }
    if (o->dir == NULL || (o->has_snapshot + (o->as_of != NULL) + (o->ref != NULL)) > 1) {
        usage(stderr);
        return -1;
    }
    return 0;
}

static const iceberg_snapshot *select_snapshot(const iceberg_table *t, const opts *o, os_err *err)
{
    if (o->has_snapshot) {
        const iceberg_snapshot *s = iceberg_snapshot_by_id(&t->meta, o->snapshot_id);
        if (s == NULL)
            os_err_set(err, OS_ENOTFOUND, "the table has no snapshot %" PRId64, o->snapshot_id);
        return s;
    }
    if (o->ref)
        return iceberg_snapshot_at_ref(t, o->ref, err);
    if (o->as_of) {
        int64_t ms;
        if (os_time_parse_iso(o->as_of, &ms) != 0 && os_parse_i64(o->as_of, &ms) != 0) {
            os_err_set(err, OS_EINVAL, "--as-of takes an ISO-8601 time or epoch milliseconds");
            return NULL;
        }
        return iceberg_snapshot_as_of(t, ms, err);
    }
    os_err_clear(err);
    return iceberg_snapshot_current(t);
}

int cli_inspect_iceberg(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    opts o;
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    os_err err;
    os_err_clear(&err);
    objstore st;
    if (objstore_local_open(o.dir, &st, &err) != 0) {
        fprintf(stderr, "opensharing inspect iceberg: %s\n", err.msg);
        return 1;
    }
    iceberg_table t;
    if (iceberg_table_open(&t, &st, "", o.metadata, NULL, &err) != 0) {
        fprintf(stderr, "opensharing inspect iceberg: %s\n", err.msg);
        objstore_close(&st);
        return 1;
    }
    int rc = 0;
    out_state out;
    memset(&out, 0, sizeof out);
    out.t = &t;
    out.json = o.json;
    const iceberg_snapshot *sel = select_snapshot(&t, &o, &err);
    if (sel == NULL && err.code != OS_OK) {
        fprintf(stderr, "opensharing inspect iceberg: %s\n", err.msg);
        rc = 1;
        goto done;
    }
    out.schema = sel && sel->has_schema_id && iceberg_schema_by_id(&t.meta, sel->schema_id)
                     ? iceberg_schema_by_id(&t.meta, sel->schema_id)
                     : iceberg_current_schema(&t.meta);
    if (!o.count)
        print_table(&out, &t, sel);
    if (o.files || o.count) {
        iceberg_scan_opts so = {o.deletes != 0, true, false};
        if (o.count)
            out.json = -1;   /* totals only */
        if (!o.json && !o.count)
            os_buf_puts(&out.b, "files (content, key, records, bytes, partition):\n");
        if (iceberg_scan(&t, sel, &so, on_entry, &out, &err) != 0) {
            flush(&out, 1);
            fprintf(stderr, "opensharing inspect iceberg: %s\n", err.msg);
            rc = 1;
            goto done;
        }
        if (o.count && o.json)
            os_buf_printf(&out.b, "{\"count\":{\"dataFiles\":%" PRId64 ",\"records\":%" PRId64
                          ",\"bytes\":%" PRId64 ",\"deleteFiles\":%" PRId64 "}}\n",
                          out.files, out.records, out.bytes, out.deletes);
        else if (o.count)
            os_buf_printf(&out.b, "%" PRId64 " data files, %" PRId64 " records, %" PRId64 " bytes, %"
                          PRId64 " delete files\n", out.files, out.records, out.bytes, out.deletes);
        else if (!o.json)
            os_buf_printf(&out.b, "total: %" PRId64 " data files, %" PRId64 " records, %" PRId64
                          " bytes, %" PRId64 " delete files\n", out.files, out.records, out.bytes,
                          out.deletes);
    }
    flush(&out, 1);
done:
    os_buf_free(&out.b);
    os_buf_free(&out.tmp);
    iceberg_table_close(&t);
    objstore_close(&st);
    return rc;
}
