/* schema.c - Iceberg schemas and partition specs from metadata JSON: types, field ids, transforms. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "formats/iceberg/iceberg_int.h"

#define MAX_TYPE_DEPTH 64

static const struct {
    const char *name;
    iceberg_kind kind;
} PRIMITIVES[] = {
    {"boolean", ICE_BOOLEAN},        {"int", ICE_INT},
    {"long", ICE_LONG},              {"float", ICE_FLOAT},
    {"double", ICE_DOUBLE},          {"date", ICE_DATE},
    {"time", ICE_TIME},              {"timestamp", ICE_TIMESTAMP},
    {"timestamptz", ICE_TIMESTAMPTZ}, {"timestamp_ns", ICE_TIMESTAMP_NS},
    {"timestamptz_ns", ICE_TIMESTAMPTZ_NS}, {"string", ICE_STRING},
    {"uuid", ICE_UUID},              {"binary", ICE_BINARY},
    {"unknown", ICE_UNKNOWN},        {"variant", ICE_VARIANT},
};

bool iceberg_kind_is_primitive(iceberg_kind k)
{
    return k != ICE_STRUCT && k != ICE_LIST && k != ICE_MAP;
}

/* Parses "decimal(P, S)" / "fixed[L]" / a plain primitive name. */
static int parse_primitive(const char *s, const char *where, iceberg_type *t, os_err *err)
{
    t->text = s;
    for (size_t i = 0; i < sizeof PRIMITIVES / sizeof PRIMITIVES[0]; i++)
        if (strcmp(s, PRIMITIVES[i].name) == 0) {
            t->kind = PRIMITIVES[i].kind;
            return 0;
        }
    if (strncmp(s, "decimal(", 8) == 0) {
        char *end;
        long p = strtol(s + 8, &end, 10);
        while (*end == ' ')
            end++;
        if (*end == ',') {
            long sc = strtol(end + 1, &end, 10);
            while (*end == ' ')
                end++;
            if (*end == ')' && end[1] == '\0' && p >= 1 && p <= 38 && sc >= 0 && sc <= p) {
                t->kind = ICE_DECIMAL;
                t->precision = (int32_t)p;
                t->scale = (int32_t)sc;
                return 0;
            }
        }
        return os_err_set(err, OS_ECORRUPT, "%s: decimal type '%.60s' is not decimal(P,S) with "
                          "1 <= P <= 38 and 0 <= S <= P", where, s);
    }
    if (strncmp(s, "fixed[", 6) == 0) {
        char *end;
        long l = strtol(s + 6, &end, 10);
        if (*end == ']' && end[1] == '\0' && l >= 1 && l <= (1L << 24)) {
            t->kind = ICE_FIXED;
            t->length = (int32_t)l;
            return 0;
        }
        return os_err_set(err, OS_ECORRUPT, "%s: fixed type '%.60s' is not fixed[L]", where, s);
    }
    if (strncmp(s, "geometry", 8) == 0) {
        t->kind = ICE_GEOMETRY;
        return 0;
    }
    if (strncmp(s, "geography", 9) == 0) {
        t->kind = ICE_GEOGRAPHY;
        return 0;
    }
    return os_err_set(err, OS_EUNSUPPORTED, "%s: unknown Iceberg type '%.60s'", where, s);
}

static int parse_type(json_t *j, const char *where, os_arena *a, int depth, iceberg_type *t,
                      os_err *err);

static int get_id(json_t *o, const char *key, const char *where, int32_t *id, os_err *err)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
        return os_err_set(err, OS_ECORRUPT, "%s: '%s' must be a non-negative integer", where, key);
    *id = (int32_t)json_integer_value(v);
    return 0;
}

/* Reads a part of a list or map ("element", "key", "value") into f. */
static int parse_part(json_t *j, const char *id_key, const char *type_key, const char *req_key,
                      bool default_required, const char *name, const char *where, os_arena *a,
                      int depth, iceberg_field *f, os_err *err)
{
    f->name = name;
    if (get_id(j, id_key, where, &f->id, err) != 0)
        return -1;
    json_t *req = json_object_get(j, req_key);
    f->required = req ? json_is_true(req) : default_required;
    iceberg_type *t = os_arena_alloc(a, sizeof *t);
    if (t == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (parse_type(json_object_get(j, type_key), where, a, depth + 1, t, err) != 0)
        return -1;
    f->type = t;
    return 0;
}

static char *dump_compact(json_t *v, os_arena *a)
{
    if (v == NULL)
        return NULL;
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    char *out = s ? os_arena_strdup(a, s) : NULL;
    free(s);
    return out;
}

static int parse_struct(json_t *j, const char *where, os_arena *a, int depth, iceberg_type *t,
                        os_err *err)
{
    json_t *fields = json_object_get(j, "fields");
    if (!json_is_array(fields))
        return os_err_set(err, OS_ECORRUPT, "%s: a struct type needs a 'fields' array", where);
    t->kind = ICE_STRUCT;
    t->n_fields = json_array_size(fields);
    iceberg_field *fs = os_arena_alloc(a, (t->n_fields ? t->n_fields : 1) * sizeof *fs);
    if (fs == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->n_fields; i++) {
        json_t *f = json_array_get(fields, i);
        if (!json_is_object(f))
            return os_err_set(err, OS_ECORRUPT, "%s: a struct field must be an object", where);
        json_t *name = json_object_get(f, "name");
        if (!json_is_string(name))
            return os_err_set(err, OS_ECORRUPT, "%s: a struct field has no name", where);
        fs[i].name = os_arena_strdup(a, json_string_value(name));
        if (get_id(f, "id", where, &fs[i].id, err) != 0)
            return os_err_wrap(err, "field '%.80s'", fs[i].name);
        fs[i].required = json_is_true(json_object_get(f, "required"));
        json_t *doc = json_object_get(f, "doc");
        fs[i].doc = json_is_string(doc) ? os_arena_strdup(a, json_string_value(doc)) : NULL;
        fs[i].initial_default = dump_compact(json_object_get(f, "initial-default"), a);
        fs[i].write_default = dump_compact(json_object_get(f, "write-default"), a);
        iceberg_type *ft = os_arena_alloc(a, sizeof *ft);
        if (ft == NULL || fs[i].name == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        if (parse_type(json_object_get(f, "type"), where, a, depth + 1, ft, err) != 0)
            return -1;
        fs[i].type = ft;
    }
    t->fields = fs;
    return 0;
}

static int parse_type(json_t *j, const char *where, os_arena *a, int depth, iceberg_type *t,
                      os_err *err)
{
    memset(t, 0, sizeof *t);
    if (depth > MAX_TYPE_DEPTH)
        return os_err_set(err, OS_ELIMIT, "%s: types nest deeper than %d levels", where, MAX_TYPE_DEPTH);
    if (json_is_string(j)) {
        const char *s = os_arena_strdup(a, json_string_value(j));
        if (s == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        return parse_primitive(s, where, t, err);
    }
    if (!json_is_object(j))
        return os_err_set(err, OS_ECORRUPT, "%s: a type must be a name or an object", where);
    const char *kind = json_string_value(json_object_get(j, "type"));
    if (kind == NULL)
        return os_err_set(err, OS_ECORRUPT, "%s: a nested type has no 'type'", where);
    if (strcmp(kind, "struct") == 0)
        return parse_struct(j, where, a, depth, t, err);
    if (strcmp(kind, "list") == 0) {
        t->kind = ICE_LIST;
        return parse_part(j, "element-id", "element", "element-required", false, "element", where,
                          a, depth, &t->element, err);
    }
    if (strcmp(kind, "map") == 0) {
        t->kind = ICE_MAP;
        if (parse_part(j, "key-id", "key", "key-required", true, "key", where, a, depth, &t->key,
                       err) != 0)
            return -1;
        t->key.required = true;
        return parse_part(j, "value-id", "value", "value-required", false, "value", where, a, depth,
                          &t->value, err);
    }
    return os_err_set(err, OS_EUNSUPPORTED, "%s: unknown nested type '%.40s'", where, kind);
}

int ice_schema_parse(json_t *j, const char *where, os_arena *a, iceberg_schema *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(j))
        return os_err_set(err, OS_ECORRUPT, "%s: a schema must be an object", where);
    json_t *id = json_object_get(j, "schema-id");
    out->schema_id = json_is_integer(id) ? (int32_t)json_integer_value(id) : 0;
    if (parse_struct(j, where, a, 0, &out->root, err) != 0)
        return -1;
    json_t *ids = json_object_get(j, "identifier-field-ids");
    if (json_is_array(ids) && json_array_size(ids) > 0) {
        int32_t *v = os_arena_alloc(a, json_array_size(ids) * sizeof *v);
        if (v == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        for (size_t i = 0; i < json_array_size(ids); i++)
            v[i] = (int32_t)json_integer_value(json_array_get(ids, i));
        out->identifier_ids = v;
        out->n_identifier_ids = json_array_size(ids);
    }
    return 0;
}

/* Depth-first search for id under t; builds the dotted path on the way back. */
static const iceberg_field *find_in(const iceberg_type *t, int32_t id, os_arena *a, const char **path,
                                    int depth)
{
    if (depth > MAX_TYPE_DEPTH)
        return NULL;
    const iceberg_field *parts[2];
    size_t n = 0;
    if (t->kind == ICE_STRUCT) {
        for (size_t i = 0; i < t->n_fields; i++) {
            const iceberg_field *f = &t->fields[i];
            const char *sub = NULL;
            const iceberg_field *hit = f->id == id ? f : find_in(f->type, id, a, path ? &sub : NULL, depth + 1);
            if (hit) {
                if (path && a)
                    *path = f->id == id ? f->name : os_arena_sprintf(a, "%s.%s", f->name, sub);
                return hit;
            }
        }
        return NULL;
    }
    if (t->kind == ICE_LIST)
        parts[n++] = &t->element;
    else if (t->kind == ICE_MAP) {
        parts[n++] = &t->key;
        parts[n++] = &t->value;
    }
    for (size_t i = 0; i < n; i++) {
        const char *sub = NULL;
        const iceberg_field *hit = parts[i]->id == id ? parts[i]
                                                      : find_in(parts[i]->type, id, a, path ? &sub : NULL, depth + 1);
        if (hit) {
            if (path && a)
                *path = parts[i]->id == id ? parts[i]->name
                                           : os_arena_sprintf(a, "%s.%s", parts[i]->name, sub);
            return hit;
        }
    }
    return NULL;
}

const iceberg_field *iceberg_schema_find(const iceberg_schema *s, int32_t id, os_arena *a,
                                         const char **path)
{
    return find_in(&s->root, id, a, path, 0);
}

/* ---- partition specs ---------------------------------------------------- */

static int parse_transform(const char *s, iceberg_partition_field *pf)
{
    pf->transform_text = s;
    static const struct {
        const char *name;
        iceberg_transform t;
    } plain[] = {{"identity", ICE_T_IDENTITY}, {"year", ICE_T_YEAR}, {"month", ICE_T_MONTH},
                 {"day", ICE_T_DAY},           {"hour", ICE_T_HOUR}, {"void", ICE_T_VOID}};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (strcmp(s, plain[i].name) == 0) {
            pf->transform = plain[i].t;
            return 0;
        }
    const char *arg = NULL;
    if (strncmp(s, "bucket[", 7) == 0) {
        pf->transform = ICE_T_BUCKET;
        arg = s + 7;
    } else if (strncmp(s, "truncate[", 9) == 0) {
        pf->transform = ICE_T_TRUNCATE;
        arg = s + 9;
    }
    if (arg) {
        char *end;
        long n = strtol(arg, &end, 10);
        if (*end == ']' && end[1] == '\0' && n > 0 && n <= INT32_MAX) {
            pf->param = (int32_t)n;
            return 0;
        }
    }
    pf->transform = ICE_T_OTHER;
    return 0;
}

int ice_spec_parse(json_t *fields, int32_t spec_id, const char *where, os_arena *a, iceberg_spec *out,
                   os_err *err)
{
    memset(out, 0, sizeof *out);
    out->spec_id = spec_id;
    if (!json_is_array(fields))
        return os_err_set(err, OS_ECORRUPT, "%s: a partition spec needs a 'fields' array", where);
    size_t n = json_array_size(fields);
    iceberg_partition_field *pf = os_arena_alloc(a, (n ? n : 1) * sizeof *pf);
    if (pf == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_array_get(fields, i);
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *tr = json_string_value(json_object_get(f, "transform"));
        if (name == NULL || tr == NULL || get_id(f, "source-id", where, &pf[i].source_id, err) != 0)
            return os_err_set(err, OS_ECORRUPT, "%s: partition field %zu needs name, transform and "
                              "source-id", where, i);
        /* v1 specs may leave field-id out: ids are then 1000, 1001, ... */
        if (json_object_get(f, "field-id")) {
            if (get_id(f, "field-id", where, &pf[i].field_id, err) != 0)
                return -1;
        } else {
            pf[i].field_id = 1000 + (int32_t)i;
        }
        pf[i].name = os_arena_strdup(a, name);
        if (pf[i].name == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        parse_transform(os_arena_strdup(a, tr), &pf[i]);
    }
    out->fields = pf;
    out->n_fields = n;
    return 0;
}

static const iceberg_type ICE_INT_TYPE = {.kind = ICE_INT, .text = "int"};
static const iceberg_type ICE_DATE_TYPE = {.kind = ICE_DATE, .text = "date"};

const iceberg_type *iceberg_partition_type(const iceberg_partition_field *pf, const iceberg_schema *s)
{
    const iceberg_field *src = iceberg_schema_find(s, pf->source_id, NULL, NULL);
    switch (pf->transform) {
    case ICE_T_BUCKET:
    case ICE_T_YEAR:
    case ICE_T_MONTH:
    case ICE_T_HOUR:
        return &ICE_INT_TYPE;
    case ICE_T_DAY:
        return &ICE_DATE_TYPE;
    default:
        return src ? src->type : NULL;
    }
}
