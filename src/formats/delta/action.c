/* action.c - the commit-line parser: one JSON line of a Delta log into a typed action. */
#include "formats/delta/delta.h"

#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/strutil.h"

typedef struct pctx {
    os_arena *arena;
    const char *where;
    const char *action;
    os_err *err;
} pctx;

static int bad(pctx *c, const char *field, const char *what)
{
    return os_err_set(c->err, OS_ECORRUPT, "%s: %s.%s %s", c->where, c->action, field, what);
}

static int oom(pctx *c)
{
    return os_err_set(c->err, OS_ENOMEM, "%s: out of memory", c->where);
}

/* Optional string: NULL when absent or JSON null. */
static int get_str(pctx *c, json_t *o, const char *field, bool required, const char **out)
{
    json_t *v = json_object_get(o, field);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return bad(c, field, "is missing");
        return 0;
    }
    if (!json_is_string(v))
        return bad(c, field, "is not a string");
    *out = os_arena_strndup(c->arena, json_string_value(v), json_string_length(v));
    return *out ? 0 : oom(c);
}

static int get_i64(pctx *c, json_t *o, const char *field, bool required, bool *has, int64_t *out)
{
    json_t *v = json_object_get(o, field);
    if (has)
        *has = false;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return bad(c, field, "is missing");
        return 0;
    }
    if (!json_is_integer(v))
        return bad(c, field, "is not an integer");
    *out = (int64_t)json_integer_value(v);
    if (has)
        *has = true;
    return 0;
}

static int get_bool(pctx *c, json_t *o, const char *field, bool dflt, bool *out)
{
    json_t *v = json_object_get(o, field);
    *out = dflt;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return bad(c, field, "is not a boolean");
    *out = json_is_true(v);
    return 0;
}

/* A map of string -> string|null.  Non-string scalars are refused. */
static int get_map(pctx *c, json_t *o, const char *field, delta_map *out)
{
    json_t *v = json_object_get(o, field);
    out->items = NULL;
    out->n = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return bad(c, field, "is not an object");
    size_t n = json_object_size(v);
    if (n == 0)
        return 0;
    out->items = os_arena_alloc(c->arena, n * sizeof *out->items);
    if (out->items == NULL)
        return oom(c);
    const char *k;
    json_t *e;
    size_t i = 0;
    json_object_foreach(v, k, e) {
        delta_kv *kv = &out->items[i++];
        kv->key = os_arena_strdup(c->arena, k);
        if (kv->key == NULL)
            return oom(c);
        if (json_is_null(e)) {
            kv->value = NULL;
        } else if (json_is_string(e)) {
            kv->value = os_arena_strndup(c->arena, json_string_value(e), json_string_length(e));
            if (kv->value == NULL)
                return oom(c);
        } else {
            return bad(c, field, "has a value that is not a string");
        }
    }
    out->n = i;
    return 0;
}

static int get_str_array(pctx *c, json_t *o, const char *field, bool *has,
                         const char ***out, size_t *n)
{
    json_t *v = json_object_get(o, field);
    *out = NULL;
    *n = 0;
    if (has)
        *has = false;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return bad(c, field, "is not an array");
    size_t cnt = json_array_size(v);
    if (has)
        *has = true;
    if (cnt == 0)
        return 0;
    const char **arr = os_arena_alloc(c->arena, cnt * sizeof *arr);
    if (arr == NULL)
        return oom(c);
    for (size_t i = 0; i < cnt; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e))
            return bad(c, field, "has an item that is not a string");
        arr[i] = os_arena_strndup(c->arena, json_string_value(e), json_string_length(e));
        if (arr[i] == NULL)
            return oom(c);
    }
    *out = arr;
    *n = cnt;
    return 0;
}

bool dl_dv_storage_type_ok(const char *st, size_t n)
{
    return n == 1 && (st[0] == 'u' || st[0] == 'p' || st[0] == 'i');
}

int dl_dv_set(delta_file *f, char storage_type, const char *path, bool has_offset, int64_t offset,
              int64_t size, int64_t cardinality)
{
    if (offset < 0 || offset > INT32_MAX || size < 0 || size > INT32_MAX || cardinality < 0)
        return -1;
    f->has_dv = true;
    f->dv.storage_type = storage_type;
    f->dv.path_or_inline_dv = path;
    f->dv.has_offset = has_offset;
    f->dv.offset = (int32_t)offset;
    f->dv.size_in_bytes = (int32_t)size;
    f->dv.cardinality = cardinality;
    return 0;
}

static int parse_dv(pctx *c, json_t *o, delta_file *f)
{
    json_t *v = json_object_get(o, "deletionVector");
    f->has_dv = false;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return bad(c, "deletionVector", "is not an object");
    const char *st;
    const char *saved = c->action;
    c->action = "deletionVector";
    const char *path = NULL;
    int rc = get_str(c, v, "storageType", true, &st);
    if (rc == 0 && !dl_dv_storage_type_ok(st, strlen(st)))
        rc = bad(c, "storageType", "is not one of u, p, i");
    if (rc == 0)
        rc = get_str(c, v, "pathOrInlineDv", true, &path);
    int64_t off = 0, sz = 0, card = 0;
    bool has_off = false;
    if (rc == 0)
        rc = get_i64(c, v, "offset", false, &has_off, &off);
    if (rc == 0)
        rc = get_i64(c, v, "sizeInBytes", true, NULL, &sz);
    if (rc == 0)
        rc = get_i64(c, v, "cardinality", true, NULL, &card);
    if (rc == 0 && dl_dv_set(f, st[0], path, has_off, off, sz, card) < 0)
        rc = bad(c, "offset", "or sizeInBytes or cardinality is out of range");
    c->action = saved;
    return rc < 0 ? -1 : 0;
}

/* stats is a JSON string; tags a string map. */
static int parse_file(pctx *c, json_t *o, delta_action_kind kind, delta_file *f)
{
    memset(f, 0, sizeof *f);
    f->kind = kind == DELTA_ACT_ADD ? DELTA_FILE_ADD
            : kind == DELTA_ACT_REMOVE ? DELTA_FILE_REMOVE : DELTA_FILE_CDC;
    if (get_str(c, o, "path", true, &f->path) < 0)
        return -1;
    if (f->path[0] == '\0')
        return bad(c, "path", "is empty");
    if (get_map(c, o, "partitionValues", &f->partition_values) < 0)
        return -1;
    if (get_i64(c, o, "size", kind != DELTA_ACT_REMOVE, &f->has_size, &f->size) < 0)
        return -1;
    if (f->has_size && f->size < 0)
        return bad(c, "size", "is negative");
    if (get_i64(c, o, "modificationTime", false, &f->has_modification_time, &f->modification_time) < 0)
        return -1;
    if (get_bool(c, o, "dataChange", kind != DELTA_ACT_CDC, &f->data_change) < 0)
        return -1;
    if (get_str(c, o, "stats", false, &f->stats) < 0)
        return -1;
    if (get_map(c, o, "tags", &f->tags) < 0)
        return -1;
    if (parse_dv(c, o, f) < 0)
        return -1;
    if (get_i64(c, o, "baseRowId", false, &f->has_base_row_id, &f->base_row_id) < 0)
        return -1;
    if (get_i64(c, o, "defaultRowCommitVersion", false, &f->has_default_row_commit_version,
                &f->default_row_commit_version) < 0)
        return -1;
    if (get_str(c, o, "clusteringProvider", false, &f->clustering_provider) < 0)
        return -1;
    if (get_i64(c, o, "deletionTimestamp", false, &f->has_deletion_timestamp,
                &f->deletion_timestamp) < 0)
        return -1;
    if (get_bool(c, o, "extendedFileMetadata", false, &f->extended_file_metadata) < 0)
        return -1;
    return 0;
}

static int parse_meta(pctx *c, json_t *o, delta_metadata *m)
{
    memset(m, 0, sizeof *m);
    if (get_str(c, o, "id", true, &m->id) < 0 ||
        get_str(c, o, "name", false, &m->name) < 0 ||
        get_str(c, o, "description", false, &m->description) < 0 ||
        get_str(c, o, "schemaString", false, &m->schema_string) < 0)
        return -1;
    json_t *fmt = json_object_get(o, "format");
    if (fmt != NULL && !json_is_null(fmt)) {
        if (!json_is_object(fmt))
            return bad(c, "format", "is not an object");
        const char *saved = c->action;
        c->action = "metaData.format";
        int rc = get_str(c, fmt, "provider", false, &m->format_provider);
        if (rc == 0)
            rc = get_map(c, fmt, "options", &m->format_options);
        c->action = saved;
        if (rc < 0)
            return -1;
    }
    if (m->format_provider == NULL)
        m->format_provider = "parquet";
    if (get_str_array(c, o, "partitionColumns", NULL, &m->partition_columns,
                      &m->n_partition_columns) < 0)
        return -1;
    if (get_map(c, o, "configuration", &m->configuration) < 0)
        return -1;
    if (get_i64(c, o, "createdTime", false, &m->has_created_time, &m->created_time) < 0)
        return -1;
    return 0;
}

static int parse_proto(pctx *c, json_t *o, delta_protocol *p)
{
    memset(p, 0, sizeof *p);
    int64_t r = 0, w = 0;
    if (get_i64(c, o, "minReaderVersion", true, NULL, &r) < 0 ||
        get_i64(c, o, "minWriterVersion", true, NULL, &w) < 0)
        return -1;
    if (r < 1 || r > INT32_MAX || w < 1 || w > INT32_MAX)
        return bad(c, "minReaderVersion", "or minWriterVersion is out of range");
    p->min_reader_version = (int32_t)r;
    p->min_writer_version = (int32_t)w;
    if (get_str_array(c, o, "readerFeatures", &p->has_reader_features, &p->reader_features,
                      &p->n_reader_features) < 0 ||
        get_str_array(c, o, "writerFeatures", &p->has_writer_features, &p->writer_features,
                      &p->n_writer_features) < 0)
        return -1;
    return 0;
}

static int parse_commit_info(pctx *c, json_t *o, delta_commit_info *ci)
{
    memset(ci, 0, sizeof *ci);
    if (get_i64(c, o, "inCommitTimestamp", false, &ci->has_in_commit_timestamp,
                &ci->in_commit_timestamp) < 0)
        return -1;
    /* timestamp and operation are informational: tolerate odd types. */
    json_t *ts = json_object_get(o, "timestamp");
    if (json_is_integer(ts)) {
        ci->has_timestamp = true;
        ci->timestamp = (int64_t)json_integer_value(ts);
    }
    json_t *op = json_object_get(o, "operation");
    if (json_is_string(op)) {
        ci->operation = os_arena_strndup(c->arena, json_string_value(op), json_string_length(op));
        if (ci->operation == NULL)
            return oom(c);
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s == NULL)
        return oom(c);
    ci->json = os_arena_strdup(c->arena, s);
    free(s);
    return ci->json ? 0 : oom(c);
}

static int parse_domain(pctx *c, json_t *o, delta_domain *d)
{
    memset(d, 0, sizeof *d);
    if (get_str(c, o, "domain", true, &d->domain) < 0 ||
        get_str(c, o, "configuration", false, &d->configuration) < 0 ||
        get_bool(c, o, "removed", false, &d->removed) < 0)
        return -1;
    return 0;
}

static int parse_txn(pctx *c, json_t *o, delta_txn *t)
{
    memset(t, 0, sizeof *t);
    if (get_str(c, o, "appId", true, &t->app_id) < 0 ||
        get_i64(c, o, "version", true, NULL, &t->version) < 0 ||
        get_i64(c, o, "lastUpdated", false, &t->has_last_updated, &t->last_updated) < 0)
        return -1;
    return 0;
}

static int parse_sidecar(pctx *c, json_t *o, delta_sidecar *s)
{
    memset(s, 0, sizeof *s);
    if (get_str(c, o, "path", true, &s->path) < 0 ||
        get_i64(c, o, "sizeInBytes", false, NULL, &s->size_in_bytes) < 0 ||
        get_i64(c, o, "modificationTime", false, NULL, &s->modification_time) < 0)
        return -1;
    if (s->path[0] == '\0')
        return bad(c, "path", "is empty");
    return 0;
}

static const struct {
    const char *key;
    delta_action_kind kind;
} action_keys[] = {
    {"add", DELTA_ACT_ADD},
    {"remove", DELTA_ACT_REMOVE},
    {"cdc", DELTA_ACT_CDC},
    {"metaData", DELTA_ACT_METADATA},
    {"protocol", DELTA_ACT_PROTOCOL},
    {"txn", DELTA_ACT_TXN},
    {"commitInfo", DELTA_ACT_COMMIT_INFO},
    {"domainMetadata", DELTA_ACT_DOMAIN},
    {"checkpointMetadata", DELTA_ACT_CHECKPOINT_META},
    {"sidecar", DELTA_ACT_SIDECAR},
};

int delta_action_parse(const char *line, size_t len, const char *where,
                       os_arena *arena, delta_action *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    out->kind = DELTA_ACT_NONE;
    if (where == NULL)
        where = "commit";
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
        i++;
    if (i == len)
        return 0;
    json_error_t jerr;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return os_err_set(err, OS_ECORRUPT, "%s: invalid JSON at column %d: %s",
                          where, jerr.column, jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return os_err_set(err, OS_ECORRUPT, "%s: a log line is not a JSON object", where);
    }
    json_t *body = NULL;
    const char *first = NULL;
    for (size_t k = 0; k < sizeof action_keys / sizeof action_keys[0]; k++) {
        json_t *v = json_object_get(root, action_keys[k].key);
        if (v == NULL || json_is_null(v))
            continue;
        if (body != NULL) {
            json_decref(root);
            return os_err_set(err, OS_ECORRUPT, "%s: a log line holds two actions (%s and %s)",
                              where, first, action_keys[k].key);
        }
        if (!json_is_object(v)) {
            json_decref(root);
            return os_err_set(err, OS_ECORRUPT, "%s: action '%s' is not an object",
                              where, action_keys[k].key);
        }
        body = v;
        first = action_keys[k].key;
        out->kind = action_keys[k].kind;
    }
    int rc = 0;
    pctx c = {arena, where, first ? first : "", err};
    switch (out->kind) {
    case DELTA_ACT_NONE:
        break;
    case DELTA_ACT_ADD:
    case DELTA_ACT_REMOVE:
    case DELTA_ACT_CDC:
        rc = parse_file(&c, body, out->kind, &out->u.file);
        break;
    case DELTA_ACT_METADATA:
        rc = parse_meta(&c, body, &out->u.meta);
        break;
    case DELTA_ACT_PROTOCOL:
        rc = parse_proto(&c, body, &out->u.proto);
        break;
    case DELTA_ACT_TXN:
        rc = parse_txn(&c, body, &out->u.txn);
        break;
    case DELTA_ACT_COMMIT_INFO:
        rc = parse_commit_info(&c, body, &out->u.info);
        break;
    case DELTA_ACT_DOMAIN:
        rc = parse_domain(&c, body, &out->u.domain);
        break;
    case DELTA_ACT_CHECKPOINT_META:
        rc = get_i64(&c, body, "version", true, NULL, &out->u.checkpoint_version);
        break;
    case DELTA_ACT_SIDECAR:
        rc = parse_sidecar(&c, body, &out->u.sidecar);
        break;
    }
    json_decref(root);
    if (rc < 0)
        out->kind = DELTA_ACT_NONE;
    return rc;
}

int delta_file_key(const delta_file *f, os_buf *out, os_err *err)
{
    os_buf_reset(out);
    const char *p = f->path;
    /* file:///abs, file://localhost/abs and file:/abs all name /abs. */
    if (strncmp(p, "file:", 5) == 0) {
        p += 5;
        if (p[0] == '/' && p[1] == '/') {
            p += 2;
            const char *slash = strchr(p, '/');
            p = slash ? slash : p + strlen(p);
        }
    }
    /* The same decoding as when the path is signed (os_url_decode), so a
     * path is an identity exactly when it can be served. */
    size_t n = strlen(p);
    if (os_buf_append(out, p, n) < 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (memchr(p, '%', n) != NULL) {
        long dn = os_url_decode(out->data, 0);
        if (dn < 0)
            return os_err_set(err, OS_ECORRUPT, "file path '%s' has a bad %%-escape", f->path);
        out->len = (size_t)dn;
    }
    if (f->has_dv) {
        /* A NUL cannot occur in a decoded path (os_url_decode refuses %00). */
        os_buf_putc(out, '\0');
        os_buf_putc(out, f->dv.storage_type);
        os_buf_puts(out, f->dv.path_or_inline_dv ? f->dv.path_or_inline_dv : "");
        if (f->dv.has_offset)
            os_buf_printf(out, "@%d", (int)f->dv.offset);
    }
    return 0;
}

bool delta_map_true(const delta_map *m, const char *key)
{
    const char *v = delta_map_get(m, key, NULL);
    return v != NULL && strcasecmp(v, "true") == 0;
}

const char *delta_map_get(const delta_map *m, const char *key, bool *found)
{
    for (size_t i = 0; m != NULL && i < m->n; i++)
        if (strcmp(m->items[i].key, key) == 0) {
            if (found)
                *found = true;
            return m->items[i].value;
        }
    if (found)
        *found = false;
    return NULL;
}
