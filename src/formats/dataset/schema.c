/* schema.c - Parquet schema nodes to Delta types, and merging the schemas of a dataset's files. */
#include "formats/dataset/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Parquet -> Delta -------------------------------------------------------- */

static json_t *type_of(const pq_node *n, const char *file, int depth, os_err *err);

static json_t *decimal_type(int32_t p, int32_t s, const pq_node *n, const char *file, os_err *err)
{
    if (p < 1 || p > 38 || s < 0 || s > p) {
        os_err_set(err, OS_EUNSUPPORTED, "'%s': column %s is decimal(%d,%d), which Delta cannot hold "
                   "(precision 1 to 38)", file, n->path, (int)p, (int)s);
        return NULL;
    }
    char t[32];
    snprintf(t, sizeof t, "decimal(%d,%d)", (int)p, (int)s);
    return json_string(t);
}

/* The Delta type of a leaf, as Spark's Parquet reader maps it. */
static json_t *primitive_type(const pq_node *n, const char *file, os_err *err)
{
    const pq_logical_type *lt = &n->logical;
    if (lt->kind == PQ_LT_DECIMAL)
        return decimal_type(lt->precision, lt->scale, n, file, err);
    switch (n->physical) {
    case PQ_BOOLEAN:
        return json_string("boolean");
    case PQ_INT32:
        if (lt->kind == PQ_LT_DATE)
            return json_string("date");
        if (lt->kind == PQ_LT_INTEGER) {
            if (!lt->is_signed)
                return json_string(lt->bit_width <= 8 ? "short" : lt->bit_width <= 16 ? "integer" : "long");
            return json_string(lt->bit_width <= 8 ? "byte" : lt->bit_width <= 16 ? "short" : "integer");
        }
        if (lt->kind == PQ_LT_TIME)
            return json_string("integer");
        return json_string("integer");
    case PQ_INT64:
        if (lt->kind == PQ_LT_TIMESTAMP)
            return json_string(lt->utc_adjusted ? "timestamp" : "timestamp_ntz");
        if (lt->kind == PQ_LT_INTEGER && !lt->is_signed)
            return json_string("decimal(20,0)");
        return json_string("long");
    case PQ_INT96:
        return json_string("timestamp");
    case PQ_FLOAT:
        return json_string("float");
    case PQ_DOUBLE:
        return json_string("double");
    case PQ_BYTE_ARRAY:
        if (lt->kind == PQ_LT_STRING || lt->kind == PQ_LT_ENUM || lt->kind == PQ_LT_JSON)
            return json_string("string");
        return json_string("binary");
    case PQ_FIXED_LEN_BYTE_ARRAY:
        if (lt->kind == PQ_LT_FLOAT16)
            return json_string("float");
        return json_string("binary");
    default:
        break;
    }
    os_err_set(err, OS_EUNSUPPORTED, "'%s': column %s has a physical type this server cannot map",
               file, n->path);
    return NULL;
}

static json_t *field_of(const pq_node *n, const char *file, int depth, os_err *err)
{
    json_t *t = type_of(n, file, depth, err);
    if (t == NULL)
        return NULL;
    bool nullable = n->repetition == PQ_OPTIONAL;
    if (n->repetition == PQ_REPEATED) {
        /* A bare repeated field reads as a list of its values. */
        t = json_pack("{s:s,s:o,s:b}", "type", "array", "elementType", t, "containsNull", 0);
        nullable = false;
    }
    json_t *md = json_object();
    if (n->field_id >= 0)
        json_object_set_new(md, "parquet.field.id", json_integer(n->field_id));
    return json_pack("{s:s,s:o,s:b,s:o}", "name", n->name, "type", t, "nullable", nullable,
                     "metadata", md);
}

static json_t *struct_of(const pq_node *n, const char *file, int depth, os_err *err)
{
    json_t *fields = json_array();
    for (size_t i = 0; i < n->num_children; i++) {
        for (size_t k = 0; k < i; k++)
            if (strcmp(n->children[k]->name, n->children[i]->name) == 0) {
                json_decref(fields);
                os_err_set(err, OS_ECORRUPT, "'%s': column %s appears twice in %s", file,
                           n->children[i]->name, n->path && *n->path ? n->path : "the schema");
                return NULL;
            }
        json_t *f = field_of(n->children[i], file, depth + 1, err);
        if (f == NULL) {
            json_decref(fields);
            return NULL;
        }
        json_array_append_new(fields, f);
    }
    return json_pack("{s:s,s:o}", "type", "struct", "fields", fields);
}

/* The type of n's values, ignoring its own repetition. */
static json_t *type_of(const pq_node *n, const char *file, int depth, os_err *err)
{
    if (depth > 64) {
        os_err_set(err, OS_ELIMIT, "'%s': the schema nests deeper than 64 levels", file);
        return NULL;
    }
    switch (n->kind) {
    case PQ_NODE_PRIMITIVE:
        return primitive_type(n, file, err);
    case PQ_NODE_STRUCT:
        return struct_of(n, file, depth, err);
    case PQ_NODE_LIST: {
        if (n->element == NULL)
            break;
        json_t *e = type_of(n->element, file, depth + 1, err);
        if (e == NULL)
            return NULL;
        return json_pack("{s:s,s:o,s:b}", "type", "array", "elementType", e, "containsNull",
                         n->element->repetition != PQ_REQUIRED);
    }
    case PQ_NODE_MAP: {
        if (n->key == NULL || n->value == NULL)
            break;
        json_t *k = type_of(n->key, file, depth + 1, err);
        json_t *v = k ? type_of(n->value, file, depth + 1, err) : NULL;
        if (v == NULL) {
            json_decref(k);
            return NULL;
        }
        return json_pack("{s:s,s:o,s:o,s:b}", "type", "map", "keyType", k, "valueType", v,
                         "valueContainsNull", n->value->repetition != PQ_REQUIRED);
    }
    }
    os_err_set(err, OS_EUNSUPPORTED, "'%s': column %s is a list or map without its element", file,
               n->path ? n->path : n->name);
    return NULL;
}

json_t *ds_schema_of_file(const pq_file *f, const char *name, os_err *err)
{
    const pq_node *root = pq_file_schema(f);
    if (root == NULL) {
        os_err_set(err, OS_ECORRUPT, "'%s': the file has no schema", name);
        return NULL;
    }
    json_t *t = struct_of(root, name, 0, err);
    if (t == NULL && err->code == OS_OK)
        os_err_set(err, OS_ENOMEM, "out of memory");
    return t;
}

/* ---- merging --------------------------------------------------------------- */

static int int_rank(const char *t)
{
    static const char *const ladder[] = {"byte", "short", "integer", "long", NULL};
    for (int i = 0; ladder[i]; i++)
        if (strcmp(t, ladder[i]) == 0)
            return i + 1;
    return 0;
}

static bool decimal_of(const char *t, int *p, int *s)
{
    int used = 0;
    if (strcmp(t, "byte") == 0)
        return *p = 3, *s = 0, true;
    if (strcmp(t, "short") == 0)
        return *p = 5, *s = 0, true;
    if (strcmp(t, "integer") == 0)
        return *p = 10, *s = 0, true;
    if (strcmp(t, "long") == 0)
        return *p = 20, *s = 0, true;
    return sscanf(t, "decimal(%d,%d)%n", p, s, &used) == 2 && t[used] == '\0';
}

typedef struct merge_ctx {
    const char *acc_file, *next_file;
    char path[512];
} merge_ctx;

static int conflict(merge_ctx *m, const char *a, const char *b, os_err *err)
{
    return os_err_set(err, OS_ECORRUPT,
                      "column %s is %s in '%s' but %s in '%s'; the files cannot be read as one table",
                      m->path, a, m->acc_file, b, m->next_file);
}

static const char *type_text(const json_t *t, char *buf, size_t n)
{
    if (json_is_string(t))
        return json_string_value(t);
    snprintf(buf, n, "%s", json_string_value(json_object_get(t, "type")) ? json_string_value(json_object_get(t, "type")) : "?");
    return buf;
}

/* Merges type b into *a (a slot of acc that may be replaced). */
static int merge_type(merge_ctx *m, json_t *holder, const char *slot, const json_t *b, int depth,
                      os_err *err);

static int merge_struct(merge_ctx *m, json_t *a, const json_t *b, int depth, os_err *err)
{
    json_t *af = json_object_get(a, "fields"), *bf = json_object_get(b, "fields");
    size_t plen = strlen(m->path);
    size_t na = json_array_size(af);
    /* Fields of a missing from b become nullable. */
    for (size_t i = 0; i < na; i++) {
        json_t *fa = json_array_get(af, i);
        const char *name = json_string_value(json_object_get(fa, "name"));
        bool found = false;
        for (size_t j = 0; j < json_array_size(bf) && !found; j++)
            found = strcmp(name, json_string_value(json_object_get(json_array_get(bf, j), "name"))) == 0;
        if (!found)
            json_object_set_new(fa, "nullable", json_true());
    }
    for (size_t j = 0; j < json_array_size(bf); j++) {
        const json_t *fb = json_array_get(bf, j);
        const char *name = json_string_value(json_object_get(fb, "name"));
        json_t *fa = NULL;
        for (size_t i = 0; i < na && fa == NULL; i++)
            if (strcmp(name, json_string_value(json_object_get(json_array_get(af, i), "name"))) == 0)
                fa = json_array_get(af, i);
        if (fa == NULL) {
            json_t *copy = json_deep_copy(fb);
            json_object_set_new(copy, "nullable", json_true());
            json_array_append_new(af, copy);
            continue;
        }
        snprintf(m->path + plen, sizeof m->path - plen, "%s%s", plen ? "." : "", name);
        if (json_is_true(json_object_get(fb, "nullable")))
            json_object_set_new(fa, "nullable", json_true());
        if (merge_type(m, fa, "type", json_object_get(fb, "type"), depth + 1, err) != 0)
            return -1;
        m->path[plen] = '\0';
    }
    return 0;
}

static int merge_type(merge_ctx *m, json_t *holder, const char *slot, const json_t *b, int depth,
                      os_err *err)
{
    json_t *a = json_object_get(holder, slot);
    char ba[64], bb[64];
    /* A file's schema nests at most 64 nodes deep (ds_schema_of_file), each at
     * most two levels here (a bare repeated field adds an array). */
    if (depth > 2 * 64 + 2)
        return os_err_set(err, OS_ELIMIT, "the schemas nest deeper than 64 levels");
    if (json_is_string(a) && json_is_string(b)) {
        const char *ta = json_string_value(a), *tb = json_string_value(b);
        if (strcmp(ta, tb) == 0)
            return 0;
        int ra = int_rank(ta), rb = int_rank(tb);
        if (ra && rb) {
            if (rb > ra)
                json_object_set_new(holder, slot, json_string(tb));
            return 0;
        }
        bool fa = strcmp(ta, "float") == 0, fb = strcmp(tb, "float") == 0;
        bool da = strcmp(ta, "double") == 0, db = strcmp(tb, "double") == 0;
        if ((fa && db) || (da && fb) || (da && rb && rb <= 3) || (db && ra && ra <= 3)) {
            json_object_set_new(holder, slot, json_string("double"));
            return 0;
        }
        int pa, sa, pb, sb;
        if (decimal_of(ta, &pa, &sa) && decimal_of(tb, &pb, &sb)) {
            int s = sa > sb ? sa : sb;
            int ia = pa - sa, ib = pb - sb;
            int p = (ia > ib ? ia : ib) + s;
            if (p <= 38) {
                char t[32];
                snprintf(t, sizeof t, "decimal(%d,%d)", p, s);
                json_object_set_new(holder, slot, json_string(t));
                return 0;
            }
        }
        return conflict(m, ta, tb, err);
    }
    const char *ka = json_string_value(json_object_get(a, "type"));
    const char *kb = json_string_value(json_object_get(b, "type"));
    if (!json_is_object(a) || !json_is_object(b) || ka == NULL || kb == NULL || strcmp(ka, kb) != 0)
        return conflict(m, type_text(a, ba, sizeof ba), type_text(b, bb, sizeof bb), err);
    if (strcmp(ka, "struct") == 0)
        return merge_struct(m, a, b, depth, err);
    if (strcmp(ka, "array") == 0) {
        if (json_is_true(json_object_get(b, "containsNull")))
            json_object_set_new(a, "containsNull", json_true());
        return merge_type(m, a, "elementType", json_object_get(b, "elementType"), depth + 1, err);
    }
    if (strcmp(ka, "map") == 0) {
        if (json_is_true(json_object_get(b, "valueContainsNull")))
            json_object_set_new(a, "valueContainsNull", json_true());
        if (merge_type(m, a, "keyType", json_object_get(b, "keyType"), depth + 1, err) != 0)
            return -1;
        return merge_type(m, a, "valueType", json_object_get(b, "valueType"), depth + 1, err);
    }
    return conflict(m, ka, kb, err);
}

int ds_schema_merge(json_t *acc, const json_t *next, const char *acc_file, const char *next_file,
                    os_err *err)
{
    merge_ctx m = {acc_file, next_file, ""};
    if (!json_is_object(acc) || !json_is_object(next) ||
        !json_is_array(json_object_get(acc, "fields")) || !json_is_array(json_object_get(next, "fields")))
        return os_err_set(err, OS_ECORRUPT, "'%s': not a struct schema", next_file);
    return merge_struct(&m, acc, next, 0, err);
}

/* ---- the table's schema ------------------------------------------------------ */

static bool has_ntz(const json_t *t, int depth)
{
    if (depth > 2 * 64 + 8)
        return false;
    if (json_is_string(t))
        return strcmp(json_string_value(t), "timestamp_ntz") == 0;
    const char *k = json_string_value(json_object_get(t, "type"));
    if (k == NULL)
        return false;
    if (strcmp(k, "struct") == 0) {
        const json_t *fs = json_object_get(t, "fields");
        for (size_t i = 0; i < json_array_size(fs); i++)
            if (has_ntz(json_object_get(json_array_get(fs, i), "type"), depth + 1))
                return true;
        return false;
    }
    if (strcmp(k, "array") == 0)
        return has_ntz(json_object_get(t, "elementType"), depth + 1);
    if (strcmp(k, "map") == 0)
        return has_ntz(json_object_get(t, "keyType"), depth + 1) ||
               has_ntz(json_object_get(t, "valueType"), depth + 1);
    return false;
}

char *ds_schema_string(const json_t *data, const ds_part_col *parts, size_t nparts, bool *ntz,
                       os_err *err)
{
    json_t *fields = json_array();
    const json_t *df = json_object_get(data, "fields");
    for (size_t i = 0; i < json_array_size(df); i++) {
        json_t *f = json_array_get(df, i);
        const char *name = json_string_value(json_object_get(f, "name"));
        bool shadowed = false;
        for (size_t k = 0; k < nparts && !shadowed; k++)
            shadowed = name && strcmp(name, parts[k].name) == 0;
        if (!shadowed)
            json_array_append(fields, f);
    }
    for (size_t k = 0; k < nparts; k++)
        json_array_append_new(fields, json_pack("{s:s,s:s,s:b,s:o}", "name", parts[k].name, "type",
                                                parts[k].type, "nullable", 1, "metadata",
                                                json_object()));
    json_t *root = json_pack("{s:s,s:o}", "type", "struct", "fields", fields);
    *ntz = has_ntz(root, 0);
    char *s = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (s == NULL)
        os_err_set(err, OS_ENOMEM, "out of memory");
    return s;
}
