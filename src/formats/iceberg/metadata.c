/* metadata.c - Iceberg table metadata JSON (format versions 1-3, plain or gzip) into plain structs. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/iceberg/iceberg_int.h"

#define MAX_INFLATED_DEFAULT (64u << 20)

int ice_gunzip(const void *data, size_t len, size_t max, os_buf *out, const char *where, os_err *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK)   /* +32: gzip or zlib header */
        return os_err_set(err, OS_ENOMEM, "out of memory");
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    int rc = Z_OK;
    size_t start = out->len;
    while (rc != Z_STREAM_END) {
        if (out->len - start >= max) {
            inflateEnd(&z);
            return os_err_set(err, OS_ELIMIT, "%s: inflates to more than %zu bytes", where, max);
        }
        if (os_buf_reserve(out, 64 * 1024) != 0) {
            inflateEnd(&z);
            return os_err_set(err, OS_ENOMEM, "out of memory");
        }
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = 64 * 1024;
        rc = inflate(&z, Z_NO_FLUSH);
        out->len += 64 * 1024 - z.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&z);
            return os_err_set(err, OS_ECORRUPT, "%s: gzip data is damaged (%s)", where,
                              z.msg ? z.msg : "truncated");
        }
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z);
            return os_err_set(err, OS_ECORRUPT, "%s: gzip data is truncated", where);
        }
    }
    inflateEnd(&z);
    out->data[out->len] = '\0';
    return 0;
}

/* ---- field readers: each names the field in its error ------------------- */

static int req_i64(json_t *o, const char *key, const char *where, int64_t *v, os_err *err)
{
    json_t *x = json_object_get(o, key);
    if (!json_is_integer(x))
        return os_err_set(err, OS_ECORRUPT, "%s: '%s' is missing or not an integer", where, key);
    *v = json_integer_value(x);
    return 0;
}

static int opt_i64(json_t *o, const char *key, const char *where, bool *has, int64_t *v, os_err *err)
{
    json_t *x = json_object_get(o, key);
    *has = false;
    if (x == NULL || json_is_null(x))
        return 0;
    if (!json_is_integer(x))
        return os_err_set(err, OS_ECORRUPT, "%s: '%s' is not an integer", where, key);
    *has = true;
    *v = json_integer_value(x);
    return 0;
}

static const char *opt_str(json_t *o, const char *key, os_arena *a)
{
    json_t *x = json_object_get(o, key);
    return json_is_string(x) ? os_arena_strdup(a, json_string_value(x)) : NULL;
}

/* A string -> string object into kv pairs (non-string values as compact JSON). */
static int parse_kv(json_t *o, const char *what, const char *where, os_arena *a, const iceberg_kv **out,
                    size_t *n, os_err *err)
{
    *out = NULL;
    *n = 0;
    if (o == NULL || json_is_null(o))
        return 0;
    if (!json_is_object(o))
        return os_err_set(err, OS_ECORRUPT, "%s: '%s' must be an object", where, what);
    iceberg_kv *kv = os_arena_alloc(a, (json_object_size(o) + 1) * sizeof *kv);
    if (kv == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach(o, k, v)
    {
        kv[i].key = os_arena_strdup(a, k);
        if (json_is_string(v))
            kv[i].value = os_arena_strdup(a, json_string_value(v));
        else {
            char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            kv[i].value = s ? os_arena_strdup(a, s) : NULL;
            free(s);
        }
        if (kv[i].key == NULL || kv[i].value == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        i++;
    }
    *out = kv;
    *n = i;
    return 0;
}

static int parse_snapshot(json_t *j, int fv, const char *where, os_arena *a, iceberg_snapshot *s,
                          os_err *err)
{
    memset(s, 0, sizeof *s);
    if (!json_is_object(j))
        return os_err_set(err, OS_ECORRUPT, "%s: a snapshot must be an object", where);
    bool has;
    int64_t v;
    if (req_i64(j, "snapshot-id", where, &s->snapshot_id, err) != 0 ||
        req_i64(j, "timestamp-ms", where, &s->timestamp_ms, err) != 0 ||
        opt_i64(j, "parent-snapshot-id", where, &s->has_parent, &s->parent_id, err) != 0 ||
        opt_i64(j, "sequence-number", where, &has, &s->sequence_number, err) != 0 ||
        opt_i64(j, "schema-id", where, &s->has_schema_id, &v, err) != 0)
        return -1;
    if (fv >= 2 && !has)
        return os_err_set(err, OS_ECORRUPT, "%s: snapshot %lld has no sequence-number (required "
                          "from format version 2)", where, (long long)s->snapshot_id);
    s->schema_id = (int32_t)v;
    s->manifest_list = opt_str(j, "manifest-list", a);
    json_t *ms = json_object_get(j, "manifests");
    if (s->manifest_list == NULL) {
        if (!json_is_array(ms))
            return os_err_set(err, OS_ECORRUPT, "%s: snapshot %lld has neither 'manifest-list' nor "
                              "'manifests'", where, (long long)s->snapshot_id);
        size_t n = json_array_size(ms);
        const char **list = os_arena_alloc(a, (n + 1) * sizeof *list);
        if (list == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(ms, i);
            if (!json_is_string(e))
                return os_err_set(err, OS_ECORRUPT, "%s: snapshot %lld lists a manifest that is not "
                                  "a string", where, (long long)s->snapshot_id);
            if ((list[i] = os_arena_strdup(a, json_string_value(e))) == NULL)
                return os_err_set(err, OS_ENOMEM, "out of memory");
        }
        s->manifests = list;
        s->n_manifests = n;
    }
    json_t *summary = json_object_get(j, "summary");
    if (parse_kv(summary, "summary", where, a, &s->summary, &s->n_summary, err) != 0)
        return -1;
    for (size_t i = 0; i < s->n_summary; i++)
        if (strcmp(s->summary[i].key, "operation") == 0)
            s->operation = s->summary[i].value;
    return 0;
}

static int parse_schemas(json_t *root, int fv, const char *where, os_arena *a, iceberg_metadata *m,
                         os_err *err)
{
    json_t *list = json_object_get(root, "schemas");
    json_t *cur = json_object_get(root, "current-schema-id");
    if (json_is_array(list) && json_array_size(list) > 0) {
        size_t n = json_array_size(list);
        iceberg_schema *s = os_arena_alloc(a, n * sizeof *s);
        if (s == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            if (ice_schema_parse(json_array_get(list, i), where, a, &s[i], err) != 0)
                return -1;
        m->schemas = s;
        m->n_schemas = n;
        if (!json_is_integer(cur))
            return os_err_set(err, OS_ECORRUPT, "%s: 'current-schema-id' is missing", where);
        m->current_schema_id = (int32_t)json_integer_value(cur);
    } else {
        if (fv >= 2)
            return os_err_set(err, OS_ECORRUPT, "%s: 'schemas' is missing (required from format "
                              "version 2)", where);
        iceberg_schema *s = os_arena_alloc(a, sizeof *s);
        if (s == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        if (ice_schema_parse(json_object_get(root, "schema"), where, a, s, err) != 0)
            return -1;
        m->schemas = s;
        m->n_schemas = 1;
        m->current_schema_id = s->schema_id;
    }
    if (iceberg_current_schema(m) == NULL)
        return os_err_set(err, OS_ECORRUPT, "%s: current-schema-id %d names no schema", where,
                          (int)m->current_schema_id);
    return 0;
}

static int parse_specs(json_t *root, int fv, const char *where, os_arena *a, iceberg_metadata *m,
                       os_err *err)
{
    json_t *list = json_object_get(root, "partition-specs");
    if (json_is_array(list) && json_array_size(list) > 0) {
        size_t n = json_array_size(list);
        iceberg_spec *s = os_arena_alloc(a, n * sizeof *s);
        if (s == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            json_t *spec = json_array_get(list, i);
            json_t *id = json_object_get(spec, "spec-id");
            if (!json_is_integer(id))
                return os_err_set(err, OS_ECORRUPT, "%s: a partition spec has no spec-id", where);
            if (ice_spec_parse(json_object_get(spec, "fields"), (int32_t)json_integer_value(id), where,
                               a, &s[i], err) != 0)
                return -1;
        }
        m->specs = s;
        m->n_specs = n;
        json_t *def = json_object_get(root, "default-spec-id");
        if (!json_is_integer(def))
            return os_err_set(err, OS_ECORRUPT, "%s: 'default-spec-id' is missing", where);
        m->default_spec_id = (int32_t)json_integer_value(def);
    } else {
        if (fv >= 2)
            return os_err_set(err, OS_ECORRUPT, "%s: 'partition-specs' is missing (required from "
                              "format version 2)", where);
        iceberg_spec *s = os_arena_alloc(a, sizeof *s);
        if (s == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        json_t *spec = json_object_get(root, "partition-spec");
        if (spec == NULL)
            spec = json_array();   /* unpartitioned */
        else
            json_incref(spec);
        int rc = ice_spec_parse(spec, 0, where, a, s, err);
        json_decref(spec);
        if (rc != 0)
            return -1;
        m->specs = s;
        m->n_specs = 1;
        m->default_spec_id = 0;
    }
    if (iceberg_spec_by_id(m, m->default_spec_id) == NULL)
        return os_err_set(err, OS_ECORRUPT, "%s: default-spec-id %d names no partition spec", where,
                          (int)m->default_spec_id);
    return 0;
}

static int parse_refs(json_t *root, const char *where, os_arena *a, iceberg_metadata *m, os_err *err)
{
    json_t *refs = json_object_get(root, "refs");
    if (refs == NULL || json_is_null(refs))
        return 0;
    if (!json_is_object(refs))
        return os_err_set(err, OS_ECORRUPT, "%s: 'refs' must be an object", where);
    iceberg_ref *r = os_arena_alloc(a, (json_object_size(refs) + 1) * sizeof *r);
    if (r == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach(refs, k, v)
    {
        const char *type = json_string_value(json_object_get(v, "type"));
        if (req_i64(v, "snapshot-id", where, &r[i].snapshot_id, err) != 0 || type == NULL ||
            (strcmp(type, "branch") != 0 && strcmp(type, "tag") != 0))
            return os_err_set(err, OS_ECORRUPT, "%s: ref '%.80s' needs a snapshot-id and a type "
                              "'branch' or 'tag'", where, k);
        r[i].name = os_arena_strdup(a, k);
        r[i].is_tag = strcmp(type, "tag") == 0;
        if (r[i].name == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        i++;
    }
    m->refs = r;
    m->n_refs = i;
    return 0;
}

static int parse_root(json_t *root, const char *where, os_arena *a, iceberg_metadata *m, os_err *err)
{
    if (!json_is_object(root))
        return os_err_set(err, OS_ECORRUPT, "%s: table metadata must be a JSON object", where);
    int64_t fv = 0;
    if (req_i64(root, "format-version", where, &fv, err) != 0)
        return -1;
    if (fv < 1 || fv > 3)
        return os_err_set(err, OS_EUNSUPPORTED, "%s: format-version %lld is not one this server "
                          "reads (1, 2 and 3)", where, (long long)fv);
    m->format_version = (int)fv;
    m->table_uuid = opt_str(root, "table-uuid", a);
    m->location = opt_str(root, "location", a);
    if (m->location == NULL)
        return os_err_set(err, OS_ECORRUPT, "%s: 'location' is missing", where);
    if (fv >= 2 && m->table_uuid == NULL)
        return os_err_set(err, OS_ECORRUPT, "%s: 'table-uuid' is missing", where);
    bool has;
    int64_t v = 0;
    if (opt_i64(root, "last-sequence-number", where, &has, &m->last_sequence_number, err) != 0 ||
        req_i64(root, "last-updated-ms", where, &m->last_updated_ms, err) != 0 ||
        opt_i64(root, "last-column-id", where, &has, &v, err) != 0)
        return -1;
    m->last_column_id = (int32_t)v;
    if (parse_schemas(root, m->format_version, where, a, m, err) != 0 ||
        parse_specs(root, m->format_version, where, a, m, err) != 0 ||
        parse_kv(json_object_get(root, "properties"), "properties", where, a, &m->properties,
                 &m->n_properties, err) != 0)
        return -1;
    json_t *snaps = json_object_get(root, "snapshots");
    if (snaps && !json_is_null(snaps)) {
        if (!json_is_array(snaps))
            return os_err_set(err, OS_ECORRUPT, "%s: 'snapshots' must be an array", where);
        size_t n = json_array_size(snaps);
        iceberg_snapshot *s = os_arena_alloc(a, (n + 1) * sizeof *s);
        if (s == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            if (parse_snapshot(json_array_get(snaps, i), m->format_version, where, a, &s[i], err) != 0)
                return -1;
        m->snapshots = s;
        m->n_snapshots = n;
    }
    if (opt_i64(root, "current-snapshot-id", where, &m->has_current_snapshot, &m->current_snapshot_id,
                err) != 0)
        return -1;
    if (m->has_current_snapshot && m->current_snapshot_id == -1)
        m->has_current_snapshot = false;
    if (parse_refs(root, where, a, m, err) != 0)
        return -1;
    /* A "main" branch overrides current-snapshot-id when both are written. */
    for (size_t i = 0; i < m->n_refs; i++)
        if (strcmp(m->refs[i].name, "main") == 0 && !m->refs[i].is_tag) {
            m->has_current_snapshot = true;
            m->current_snapshot_id = m->refs[i].snapshot_id;
        }
    if (m->has_current_snapshot && iceberg_snapshot_by_id(m, m->current_snapshot_id) == NULL)
        return os_err_set(err, OS_ECORRUPT, "%s: the current snapshot %lld is not in 'snapshots'",
                          where, (long long)m->current_snapshot_id);
    for (size_t i = 0; i < m->n_refs; i++)
        if (iceberg_snapshot_by_id(m, m->refs[i].snapshot_id) == NULL)
            return os_err_set(err, OS_ECORRUPT, "%s: ref '%.80s' points at snapshot %lld, which is "
                              "not in 'snapshots'", where, m->refs[i].name,
                              (long long)m->refs[i].snapshot_id);
    json_t *log = json_object_get(root, "snapshot-log");
    if (json_is_array(log) && json_array_size(log) > 0) {
        size_t n = json_array_size(log);
        iceberg_log_entry *l = os_arena_alloc(a, n * sizeof *l);
        if (l == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            if (req_i64(json_array_get(log, i), "timestamp-ms", where, &l[i].timestamp_ms, err) != 0 ||
                req_i64(json_array_get(log, i), "snapshot-id", where, &l[i].snapshot_id, err) != 0)
                return -1;
        m->snapshot_log = l;
        m->n_snapshot_log = n;
    }
    return 0;
}

int iceberg_metadata_parse(const char *text, size_t len, const char *where, os_arena *a,
                           iceberg_metadata *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    os_buf inflated = OS_BUF_INIT;
    if (len >= 2 && (unsigned char)text[0] == 0x1f && (unsigned char)text[1] == 0x8b) {
        if (ice_gunzip(text, len, MAX_INFLATED_DEFAULT, &inflated, where, err) != 0) {
            os_buf_free(&inflated);
            return -1;
        }
        text = inflated.data;
        len = inflated.len;
    }
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    os_buf_free(&inflated);
    if (root == NULL)
        return os_err_set(err, OS_ECORRUPT, "%s: not valid JSON: %s (line %d, column %d)", where,
                          jerr.text, jerr.line, jerr.column);
    int rc = parse_root(root, where, a, out, err);
    json_decref(root);
    return rc;
}

/* ---- lookups ------------------------------------------------------------- */

const char *iceberg_property(const iceberg_metadata *m, const char *key)
{
    for (size_t i = 0; i < m->n_properties; i++)
        if (strcmp(m->properties[i].key, key) == 0)
            return m->properties[i].value;
    return NULL;
}

const iceberg_schema *iceberg_schema_by_id(const iceberg_metadata *m, int32_t id)
{
    for (size_t i = 0; i < m->n_schemas; i++)
        if (m->schemas[i].schema_id == id)
            return &m->schemas[i];
    return NULL;
}

const iceberg_schema *iceberg_current_schema(const iceberg_metadata *m)
{
    return iceberg_schema_by_id(m, m->current_schema_id);
}

const iceberg_spec *iceberg_spec_by_id(const iceberg_metadata *m, int32_t id)
{
    for (size_t i = 0; i < m->n_specs; i++)
        if (m->specs[i].spec_id == id)
            return &m->specs[i];
    return NULL;
}

const iceberg_snapshot *iceberg_snapshot_by_id(const iceberg_metadata *m, int64_t id)
{
    for (size_t i = 0; i < m->n_snapshots; i++)
        if (m->snapshots[i].snapshot_id == id)
            return &m->snapshots[i];
    return NULL;
}
