/* schema.c - the writer schema of a container file: JSON to schema nodes, named types resolved with namespaces. */
#include "formats/avro/internal.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Named types by full name: open addressing over arena memory. */
typedef struct name_table {
    avro_node **slots;
    size_t cap;      /* a power of two, or 0 */
    size_t n;
} name_table;

typedef struct parse_ctx {
    os_arena *a;
    name_table names;
    size_t max_depth;
    os_err *err;
} parse_ctx;

static const char *const PRIMITIVES[] = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};
static const avro_type PRIMITIVE_TYPES[] = {AVRO_NULL,  AVRO_BOOLEAN, AVRO_INT,   AVRO_LONG,
                                            AVRO_FLOAT, AVRO_DOUBLE,  AVRO_BYTES, AVRO_STRING};
static const size_t PRIMITIVE_MIN[] = {0, 1, 1, 1, 4, 8, 1, 1};

static int oom(parse_ctx *c)
{
    return os_err_set(c->err, OS_ENOMEM, "out of memory while parsing the schema");
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static avro_node *names_find(const name_table *t, const char *full)
{
    if (t->cap == 0)
        return NULL;
    for (size_t i = hash_str(full) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        avro_node *n = t->slots[i];
        if (n == NULL)
            return NULL;
        if (!strcmp(n->pub.name, full))
            return n;
    }
}

static int names_add(parse_ctx *c, avro_node *node)
{
    name_table *t = &c->names;
    if (names_find(t, node->pub.name))
        return os_err_set(c->err, OS_ECORRUPT, "the type '%s' is defined twice", node->pub.name);
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        avro_node **slots = os_arena_alloc(c->a, cap * sizeof *slots);
        if (slots == NULL)
            return oom(c);
        for (size_t i = 0; i < t->cap; i++) {
            avro_node *n = t->slots[i];
            if (n == NULL)
                continue;
            size_t j = hash_str(n->pub.name) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = n;
        }
        t->slots = slots;
        t->cap = cap;
    }
    size_t j = hash_str(node->pub.name) & (t->cap - 1);
    while (t->slots[j])
        j = (j + 1) & (t->cap - 1);
    t->slots[j] = node;
    t->n++;
    return 0;
}

static avro_node *new_node(parse_ctx *c, avro_type type)
{
    avro_node *n = os_arena_alloc(c->a, sizeof *n);
    if (n == NULL)
        return NULL;
    n->pub.type = type;
    n->pub.element_id = n->pub.key_id = n->pub.value_id = -1;
    return n;
}

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* The value of an Iceberg id attribute (an int, or a string of digits), -1
 * when absent.  Returns 0, or -1 when present but not a non-negative int32. */
static int id_attr(parse_ctx *c, json_t *o, const char *key, int32_t *out)
{
    json_t *v = json_object_get(o, key);
    *out = -1;
    if (v == NULL || json_is_null(v))
        return 0;
    int64_t x = -1;
    if (json_is_integer(v)) {
        x = (int64_t)json_integer_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n == 0 || n > 10)
            x = -1;
        else
            for (x = 0; *s; s++) {
                if (*s < '0' || *s > '9') {
                    x = -1;
                    break;
                }
                x = x * 10 + (*s - '0');
            }
    }
    if (x < 0 || x > INT32_MAX)
        return os_err_set(c->err, OS_ECORRUPT, "the \"%s\" attribute is not a non-negative 32-bit integer", key);
    *out = (int32_t)x;
    return 0;
}

/* A JSON string attribute copied into the arena, NULL when absent. */
static int str_attr(parse_ctx *c, json_t *o, const char *key, bool required, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL) {
        if (required)
            return os_err_set(c->err, OS_ECORRUPT, "a \"%s\" attribute is missing", key);
        return 0;
    }
    if (!json_is_string(v))
        return os_err_set(c->err, OS_ECORRUPT, "the \"%s\" attribute is not a string", key);
    if ((*out = os_arena_strndup(c->a, json_string_value(v), json_string_length(v))) == NULL)
        return oom(c);
    return 0;
}

static const avro_schema *parse(parse_ctx *c, json_t *j, const char *ns, size_t depth);

/* Prepends one step of the path to the fault while the message has room;
 * past that the outer steps become one "...".  Returns -1. */
static int wrap(parse_ctx *c, const char *step)
{
    if (c->err == NULL)
        return -1;
    if (strlen(c->err->msg) > 300) {
        if (strncmp(c->err->msg, "...: ", 5))
            os_err_wrap(c->err, "...");
        return -1;
    }
    return os_err_wrap(c->err, "%s", step);
}

/* The full name of a named type from its "name" and "namespace" attributes
 * and the enclosing namespace; *own_ns gets the namespace its children use. */
static int full_name(parse_ctx *c, json_t *o, const char *ns, const char **full, const char **own_ns)
{
    const char *name, *space;
    if (str_attr(c, o, "name", true, &name) || str_attr(c, o, "namespace", false, &space))
        return -1;
    if (name[0] == '\0')
        return os_err_set(c->err, OS_ECORRUPT, "a named type has an empty name");
    const char *dot = strrchr(name, '.');
    if (dot) {
        *full = name;
        *own_ns = os_arena_strndup(c->a, name, (size_t)(dot - name));
        if (*own_ns == NULL)
            return oom(c);
        return 0;
    }
    if (space)
        ns = space[0] ? space : NULL;
    *own_ns = ns;
    *full = ns ? os_arena_sprintf(c->a, "%s.%s", ns, name) : name;
    return *full ? 0 : oom(c);
}

static const avro_schema *reference(parse_ctx *c, const char *s, const char *ns)
{
    for (size_t i = 0; i < sizeof PRIMITIVES / sizeof *PRIMITIVES; i++)
        if (!strcmp(s, PRIMITIVES[i])) {
            avro_node *n = new_node(c, PRIMITIVE_TYPES[i]);
            if (n == NULL) {
                oom(c);
                return NULL;
            }
            n->min_bytes = PRIMITIVE_MIN[i];
            n->done = true;
            return &n->pub;
        }
    avro_node *n = NULL;
    if (strchr(s, '.') == NULL && ns) {
        char *q = os_arena_sprintf(c->a, "%s.%s", ns, s);
        if (q == NULL) {
            oom(c);
            return NULL;
        }
        n = names_find(&c->names, q);
    }
    if (n == NULL)
        n = names_find(&c->names, s);
    if (n == NULL) {
        os_err_set(c->err, OS_ECORRUPT, "unknown type '%.200s'", s);
        return NULL;
    }
    return &n->pub;
}

static const avro_schema *parse_union(parse_ctx *c, json_t *arr, const char *ns, size_t depth)
{
    size_t nb = json_array_size(arr);
    avro_node *n = new_node(c, AVRO_UNION);
    const avro_schema **br = nb ? os_arena_alloc(c->a, nb * sizeof *br) : NULL;
    if (n == NULL || (nb && br == NULL)) {
        oom(c);
        return NULL;
    }
    if (nb == 0) {
        os_err_set(c->err, OS_ECORRUPT, "a union has no branches");
        return NULL;
    }
    size_t min = SIZE_MAX;
    for (size_t i = 0; i < nb; i++) {
        if ((br[i] = parse(c, json_array_get(arr, i), ns, depth + 1)) == NULL) {
            char step[48];
            snprintf(step, sizeof step, "union branch %zu", i);
            wrap(c, step);
            return NULL;
        }
        if (br[i]->type == AVRO_UNION) {
            os_err_set(c->err, OS_ECORRUPT, "union branch %zu is itself a union", i);
            return NULL;
        }
        const avro_node *b = avro_node_of(br[i]);
        size_t m = b->done ? b->min_bytes : 0;
        if (m < min)
            min = m;
    }
    n->pub.branches = br;
    n->pub.n_branches = nb;
    n->min_bytes = sat_add(min, 1);
    n->done = true;
    return &n->pub;
}

static int parse_fields(parse_ctx *c, avro_node *n, json_t *o, const char *ns, size_t depth)
{
    json_t *fs = json_object_get(o, "fields");
    if (!json_is_array(fs))
        return os_err_set(c->err, OS_ECORRUPT, "record '%s' has no \"fields\" array", n->pub.name);
    size_t nf = json_array_size(fs);
    avro_field *f = nf ? os_arena_alloc(c->a, nf * sizeof *f) : NULL;
    if (nf && f == NULL)
        return oom(c);
    size_t min = 0;
    for (size_t i = 0; i < nf; i++) {
        json_t *fj = json_array_get(fs, i);
        if (!json_is_object(fj))
            return os_err_set(c->err, OS_ECORRUPT, "record '%s': field %zu is not an object", n->pub.name, i);
        char step[256];
        if (str_attr(c, fj, "name", true, &f[i].name) || id_attr(c, fj, "field-id", &f[i].field_id)) {
            snprintf(step, sizeof step, "record '%.100s': field %zu", n->pub.name, i);
            return wrap(c, step);
        }
        json_t *t = json_object_get(fj, "type");
        if (t == NULL)
            return os_err_set(c->err, OS_ECORRUPT, "record '%s': field '%s' has no type", n->pub.name, f[i].name);
        if ((f[i].schema = parse(c, t, ns, depth + 1)) == NULL) {
            snprintf(step, sizeof step, "record '%.100s': field '%.100s'", n->pub.name, f[i].name);
            return wrap(c, step);
        }
        const avro_node *fn = avro_node_of(f[i].schema);
        min = sat_add(min, fn->done ? fn->min_bytes : 0);
    }
    n->pub.fields = f;
    n->pub.n_fields = nf;
    n->min_bytes = min;
    return 0;
}

static int parse_symbols(parse_ctx *c, avro_node *n, json_t *o)
{
    json_t *sj = json_object_get(o, "symbols");
    if (!json_is_array(sj))
        return os_err_set(c->err, OS_ECORRUPT, "enum '%s' has no \"symbols\" array", n->pub.name);
    size_t ns = json_array_size(sj);
    const char **sym = ns ? os_arena_alloc(c->a, ns * sizeof *sym) : NULL;
    if (ns && sym == NULL)
        return oom(c);
    for (size_t i = 0; i < ns; i++) {
        json_t *s = json_array_get(sj, i);
        if (!json_is_string(s))
            return os_err_set(c->err, OS_ECORRUPT, "enum '%s': symbol %zu is not a string", n->pub.name, i);
        if ((sym[i] = os_arena_strndup(c->a, json_string_value(s), json_string_length(s))) == NULL)
            return oom(c);
    }
    n->pub.symbols = sym;
    n->pub.n_symbols = ns;
    n->min_bytes = 1;
    return 0;
}

static int parse_fixed_size(parse_ctx *c, avro_node *n, json_t *o)
{
    json_t *sz = json_object_get(o, "size");
    if (!json_is_integer(sz) || json_integer_value(sz) < 0 || json_integer_value(sz) > INT32_MAX)
        return os_err_set(c->err, OS_ECORRUPT, "fixed '%s' has no valid \"size\"", n->pub.name);
    n->pub.size = (size_t)json_integer_value(sz);
    n->min_bytes = n->pub.size;
    return 0;
}

/* A named type: record, enum or fixed.  The name is registered before the
 * fields are parsed, so a record may refer to itself. */
static const avro_schema *parse_named(parse_ctx *c, json_t *o, avro_type type, const char *ns, size_t depth)
{
    avro_node *n = new_node(c, type);
    if (n == NULL) {
        oom(c);
        return NULL;
    }
    const char *own_ns = NULL;
    if (full_name(c, o, ns, &n->pub.name, &own_ns) ||
        str_attr(c, o, "logicalType", false, &n->pub.logical_type) || names_add(c, n))
        return NULL;
    int rc = type == AVRO_RECORD ? parse_fields(c, n, o, own_ns, depth)
             : type == AVRO_ENUM ? parse_symbols(c, n, o)
                                 : parse_fixed_size(c, n, o);
    if (rc)
        return NULL;
    n->done = true;
    return &n->pub;
}

static const avro_schema *parse_object(parse_ctx *c, json_t *o, const char *ns, size_t depth)
{
    json_t *t = json_object_get(o, "type");
    if (t == NULL) {
        os_err_set(c->err, OS_ECORRUPT, "a schema object has no \"type\"");
        return NULL;
    }
    if (!json_is_string(t)) {
        /* {"type": {...}} or {"type": [...]}: the inner schema, as lenient readers do. */
        return parse(c, t, ns, depth + 1);
    }
    const char *ts = json_string_value(t);
    if (!strcmp(ts, "record") || !strcmp(ts, "error"))
        return parse_named(c, o, AVRO_RECORD, ns, depth);
    if (!strcmp(ts, "enum"))
        return parse_named(c, o, AVRO_ENUM, ns, depth);
    if (!strcmp(ts, "fixed"))
        return parse_named(c, o, AVRO_FIXED, ns, depth);
    const char *logical;
    if (str_attr(c, o, "logicalType", false, &logical))
        return NULL;
    if (!strcmp(ts, "array") || !strcmp(ts, "map")) {
        bool arr = ts[0] == 'a';
        avro_node *n = new_node(c, arr ? AVRO_ARRAY : AVRO_MAP);
        if (n == NULL) {
            oom(c);
            return NULL;
        }
        json_t *it = json_object_get(o, arr ? "items" : "values");
        if (it == NULL) {
            os_err_set(c->err, OS_ECORRUPT, "%s has no \"%s\"", ts, arr ? "items" : "values");
            return NULL;
        }
        if (arr ? id_attr(c, o, "element-id", &n->pub.element_id)
                : id_attr(c, o, "key-id", &n->pub.key_id) || id_attr(c, o, "value-id", &n->pub.value_id))
            return NULL;
        if ((n->pub.items = parse(c, it, ns, depth + 1)) == NULL) {
            wrap(c, arr ? "array items" : "map values");
            return NULL;
        }
        n->pub.logical_type = logical;
        n->min_bytes = 1;
        n->done = true;
        return &n->pub;
    }
    const avro_schema *s = reference(c, ts, ns);
    if (s == NULL)
        return NULL;
    /* A logical type annotates this use of a primitive (a fresh node, never
     * shared); on a reference to a named type it means nothing and is ignored. */
    if (logical && s->name == NULL)
        ((avro_node *)avro_node_of(s))->pub.logical_type = logical;
    return s;
}

static const avro_schema *parse(parse_ctx *c, json_t *j, const char *ns, size_t depth)
{
    if (depth > c->max_depth) {
        os_err_set(c->err, OS_ELIMIT, "the schema nests deeper than %zu levels", c->max_depth);
        return NULL;
    }
    if (json_is_string(j))
        return reference(c, json_string_value(j), ns);
    if (json_is_array(j))
        return parse_union(c, j, ns, depth);
    if (json_is_object(j))
        return parse_object(c, j, ns, depth);
    os_err_set(c->err, OS_ECORRUPT, "a schema is neither a string, an array nor an object");
    return NULL;
}

const avro_schema *avro_schema_parse(const char *json, size_t len, os_arena *a, size_t max_depth,
                                     os_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_DECODE_ANY, &jerr);
    if (root == NULL) {
        os_err_set(err, OS_ECORRUPT, "the schema is not JSON: %s at line %d column %d", jerr.text, jerr.line,
                   jerr.column);
        return NULL;
    }
    parse_ctx c = {.a = a, .max_depth = max_depth, .err = err};
    const avro_schema *s = parse(&c, root, NULL, 0);
    json_decref(root);
    return s;
}

int avro_schema_field_index(const avro_schema *s, const char *name)
{
    if (s == NULL || s->type != AVRO_RECORD || name == NULL)
        return -1;
    for (size_t i = 0; i < s->n_fields && i < INT32_MAX; i++)
        if (!strcmp(s->fields[i].name, name))
            return (int)i;
    return -1;
}
