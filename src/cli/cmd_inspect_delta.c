/* cmd_inspect_delta.c - `opensharing inspect delta`: a Delta table's protocol, metadata, active files or changes as NDJSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/strutil.h"
#include "base/timeutil.h"
#include "cli/cli.h"
#include "formats/delta/delta.h"
#include "json/jw.h"
#include "storage/objstore.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opensharing inspect delta TABLE_DIR [--version V | --timestamp TS]\n"
            "                                 [--changes FROM[..TO] [--cdf]]\n"
            "                                 [--predicate JSON] [--limit N] [--count]\n");
}

/* Appends s as a JSON string (null for NULL). */
static void j_str(os_buf *b, const char *s)
{
    if (s == NULL)
        os_buf_puts(b, "null");
    else
        jw_escape(b, s, strlen(s));
}

static void j_key(os_buf *b, const char *k, int *first)
{
    if (!*first)
        os_buf_putc(b, ',');
    *first = 0;
    j_str(b, k);
    os_buf_putc(b, ':');
}

static void j_map(os_buf *b, const delta_map *m)
{
    os_buf_putc(b, '{');
    for (size_t i = 0; i < m->n; i++) {
        if (i)
            os_buf_putc(b, ',');
        j_str(b, m->items[i].key);
        os_buf_putc(b, ':');
        j_str(b, m->items[i].value);
    }
    os_buf_putc(b, '}');
}

static void j_list(os_buf *b, const char *const *l, size_t n)
{
    os_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            os_buf_putc(b, ',');
        j_str(b, l[i]);
    }
    os_buf_putc(b, ']');
}

static void j_protocol(os_buf *b, const delta_protocol *p, int64_t version)
{
    os_buf_printf(b, "{\"protocol\":{\"minReaderVersion\":%d,\"minWriterVersion\":%d",
                  (int)p->min_reader_version, (int)p->min_writer_version);
    if (p->has_reader_features) {
        os_buf_puts(b, ",\"readerFeatures\":");
        j_list(b, p->reader_features, p->n_reader_features);
    }
    if (p->has_writer_features) {
        os_buf_puts(b, ",\"writerFeatures\":");
        j_list(b, p->writer_features, p->n_writer_features);
    }
    os_buf_puts(b, "}");
    if (version >= 0)
        os_buf_printf(b, ",\"version\":%lld", (long long)version);
    os_buf_puts(b, "}\n");
}

static void j_metadata(os_buf *b, const delta_metadata *m, int64_t version, int64_t ts)
{
    int first = 1;
    os_buf_puts(b, "{\"metaData\":{");
    j_key(b, "id", &first);
    j_str(b, m->id);
    if (m->name) {
        j_key(b, "name", &first);
        j_str(b, m->name);
    }
    if (m->description) {
        j_key(b, "description", &first);
        j_str(b, m->description);
    }
    j_key(b, "format", &first);
    os_buf_puts(b, "{\"provider\":");
    j_str(b, m->format_provider);
    os_buf_puts(b, ",\"options\":");
    j_map(b, &m->format_options);
    os_buf_putc(b, '}');
    if (m->schema_string) {
        j_key(b, "schemaString", &first);
        j_str(b, m->schema_string);
    }
    j_key(b, "partitionColumns", &first);
    j_list(b, m->partition_columns, m->n_partition_columns);
    j_key(b, "configuration", &first);
    j_map(b, &m->configuration);
    if (m->has_created_time) {
        j_key(b, "createdTime", &first);
        os_buf_put_i64(b, m->created_time);
    }
    os_buf_puts(b, "}");
    if (version >= 0)
        os_buf_printf(b, ",\"version\":%lld", (long long)version);
    if (ts >= 0) {
        os_buf_puts(b, ",\"timestamp\":");
        os_buf_put_i64(b, ts);
        if (ts < 8000000000000000LL) {
            char iso[32];
            os_time_format_iso(ts, iso);
            os_buf_printf(b, ",\"timestampIso\":\"%s\"", iso);
        }
    }
    os_buf_puts(b, "}\n");
}

static void j_file(os_buf *b, const delta_file *f, int64_t version, int64_t ts)
{
    int first = 1;
    const char *kind = f->kind == DELTA_FILE_ADD ? "add" : f->kind == DELTA_FILE_REMOVE ? "remove" : "cdc";
    os_buf_printf(b, "{\"%s\":{", kind);
    j_key(b, "path", &first);
    j_str(b, f->path);
    j_key(b, "partitionValues", &first);
    j_map(b, &f->partition_values);
    if (f->has_size) {
        j_key(b, "size", &first);
        os_buf_put_i64(b, f->size);
    }
    if (f->has_modification_time) {
        j_key(b, "modificationTime", &first);
        os_buf_put_i64(b, f->modification_time);
    }
    if (f->has_deletion_timestamp) {
        j_key(b, "deletionTimestamp", &first);
        os_buf_put_i64(b, f->deletion_timestamp);
    }
    j_key(b, "dataChange", &first);
    os_buf_puts(b, f->data_change ? "true" : "false");
    if (f->stats) {
        j_key(b, "stats", &first);
        j_str(b, f->stats);
    }
    if (f->tags.n) {
        j_key(b, "tags", &first);
        j_map(b, &f->tags);
    }
    if (f->has_dv) {
        j_key(b, "deletionVector", &first);
        os_buf_printf(b, "{\"storageType\":\"%c\",\"pathOrInlineDv\":", f->dv.storage_type);
        j_str(b, f->dv.path_or_inline_dv);
        if (f->dv.has_offset)
            os_buf_printf(b, ",\"offset\":%d", (int)f->dv.offset);
        os_buf_printf(b, ",\"sizeInBytes\":%d,\"cardinality\":%lld}", (int)f->dv.size_in_bytes,
                      (long long)f->dv.cardinality);
    }
    if (f->has_base_row_id) {
        j_key(b, "baseRowId", &first);
        os_buf_put_i64(b, f->base_row_id);
    }
    if (f->has_default_row_commit_version) {
        j_key(b, "defaultRowCommitVersion", &first);
        os_buf_put_i64(b, f->default_row_commit_version);
    }
    if (f->clustering_provider) {
        j_key(b, "clusteringProvider", &first);
        j_str(b, f->clustering_provider);
    }
    if (version >= 0) {
        j_key(b, "version", &first);
        os_buf_put_i64(b, version);
        j_key(b, "timestamp", &first);
        os_buf_put_i64(b, ts);
    }
    os_buf_puts(b, "}}\n");
}

typedef struct out_state {
    os_buf b;
    int64_t start;
    int64_t count;
    int count_only;
} out_state;

static void flush(out_state *o, int force)
{
    if (o->b.len > (force ? 0 : 1u << 16)) {
        fwrite(o->b.data, 1, o->b.len, stdout);
        os_buf_reset(&o->b);
    }
}

static int on_file(void *ctx, const delta_file *f, os_err *err)
{
    (void)err;
    out_state *o = ctx;
    o->count++;
    if (o->count_only)
        return 0;
    j_file(&o->b, f, -1, -1);
    flush(o, 0);
    return 0;
}

static int on_change(void *ctx, const delta_change *c, os_err *err)
{
    (void)err;
    out_state *o = ctx;
    switch (c->kind) {
    case DELTA_CHANGE_COMMIT:
        break;
    case DELTA_CHANGE_PROTOCOL:
        if (c->version != o->start)
            j_protocol(&o->b, c->protocol, c->version);
        break;
    case DELTA_CHANGE_METADATA:
        if (c->version != o->start)
            j_metadata(&o->b, c->metadata, c->version, c->timestamp);
        break;
    default:
        o->count++;
        if (!o->count_only)
            j_file(&o->b, c->file, c->version, c->timestamp);
        break;
    }
    flush(o, 0);
    return 0;
}

static int parse_changes(const char *s, int64_t *from, int64_t *to, int *has_to)
{
    const char *dots = strstr(s, "..");
    char tmp[64];
    if (strlen(s) >= sizeof tmp)
        return -1;
    if (dots == NULL) {
        *has_to = 0;
        return os_parse_i64(s, from);
    }
    memcpy(tmp, s, (size_t)(dots - s));
    tmp[dots - s] = '\0';
    if (os_parse_i64(tmp, from) < 0)
        return -1;
    if (dots[2] == '\0') {
        *has_to = 0;
        return 0;
    }
    *has_to = 1;
    return os_parse_i64(dots + 2, to);
}

int cli_inspect_delta(int argc, char **argv)
{
    const char *dir = NULL, *pred_json = NULL, *changes = NULL;
    int has_version = 0, has_ts = 0, cdf = 0, count_only = 0;
    int64_t version = 0, ts = 0, limit = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version") && val) {
            if (os_parse_i64(val, &version) < 0 || version < 0) {
                fprintf(stderr, "opensharing inspect delta: --version '%s' is not a version\n", val);
                return 2;
            }
            has_version = 1;
            i++;
        } else if (!strcmp(a, "--timestamp") && val) {
            if (os_time_parse_iso(val, &ts) < 0) {
                fprintf(stderr, "opensharing inspect delta: --timestamp '%s' is not an ISO-8601 time\n", val);
                return 2;
            }
            has_ts = 1;
            i++;
        } else if (!strcmp(a, "--changes") && val) {
            changes = val;
            i++;
        } else if (!strcmp(a, "--predicate") && val) {
            pred_json = val;
            i++;
        } else if (!strcmp(a, "--limit") && val) {
            if (os_parse_i64(val, &limit) < 0 || limit < 0) {
                fprintf(stderr, "opensharing inspect delta: --limit '%s' is not a count\n", val);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--cdf")) {
            cdf = 1;
        } else if (!strcmp(a, "--count")) {
            count_only = 1;
        } else if (a[0] == '-' || dir != NULL) {
            fprintf(stderr, "opensharing inspect delta: unexpected argument '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            dir = a;
        }
    }
    if (dir == NULL || (has_version && has_ts) || (changes && (has_version || has_ts))) {
        usage(stderr);
        return 2;
    }
    int64_t from = 0, to = 0;
    int has_to = 0;
    if (changes && (parse_changes(changes, &from, &to, &has_to) < 0 || from < 0)) {
        fprintf(stderr, "opensharing inspect delta: --changes '%s' is not FROM[..TO]\n", changes);
        return 2;
    }
    os_err err;
    os_err_clear(&err);
    objstore st = {0};
    delta_table t = {0};
    delta_predicate *pred = NULL;
    delta_snapshot *snap = NULL;
    out_state o = {OS_BUF_INIT, from, 0, count_only};
    int rc = 1;
    if (pred_json && (pred = delta_predicate_parse(pred_json, strlen(pred_json), &err)) == NULL)
        goto fail;
    if (objstore_local_open(dir, &st, &err) < 0 || delta_table_init(&t, &st, "", NULL, &err) < 0)
        goto fail;
    delta_snapshot_opts so = {.has_version = has_version || changes, .version = changes ? from : version,
                              .has_timestamp = has_ts, .timestamp_ms = ts};
    snap = delta_snapshot_load(&t, &so, &err);
    if (snap == NULL)
        goto fail;
    if (!count_only) {
        j_protocol(&o.b, delta_snapshot_protocol(snap), -1);
        j_metadata(&o.b, delta_snapshot_metadata(snap), delta_snapshot_version(snap),
                   delta_snapshot_timestamp(snap));
    }
    if (changes) {
        delta_snapshot_free(snap);
        snap = NULL;
        delta_history_opts ho = {from, has_to != 0, to, cdf != 0};
        if (delta_history_scan(&t, &ho, on_change, &o, &err) < 0)
            goto fail;
    } else {
        delta_scan_opts sc = {.predicate = pred, .limit_hint = limit};
        if (delta_snapshot_scan(snap, &sc, on_file, &o, &err) < 0)
            goto fail;
    }
    if (count_only)
        os_buf_printf(&o.b, "{\"files\":%lld}\n", (long long)o.count);
    flush(&o, 1);
    rc = 0;
    goto done;
fail:
    flush(&o, 1);
    fflush(stdout);
    fprintf(stderr, "opensharing inspect delta: %s: %s\n", os_code_name(err.code), err.msg);
    rc = 1;
done:
    fflush(stdout);
    os_buf_free(&o.b);
    delta_snapshot_free(snap);
    delta_predicate_free(pred);
    delta_table_free(&t);
    objstore_close(&st);
    return rc;
}
