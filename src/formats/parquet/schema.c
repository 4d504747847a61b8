/* schema.c - turns the flat list of SchemaElements into a typed node tree with levels, LISTs and MAPs. */
#include "formats/parquet/internal.h"

#include <string.h>

typedef struct schema_ctx {
    pq_file *f;
    size_t next;       /* next element to consume */
    size_t nleaves;
    os_err *err;
} schema_ctx;

/* ConvertedType (legacy) to the unified logical type. */
static void logical_from_converted(const pq_schema_elem *e, pq_logical_type *lt)
{
    memset(lt, 0, sizeof *lt);
    switch (e->converted_type) {
    case 0: lt->kind = PQ_LT_STRING; break;
    case 1: case 2: lt->kind = PQ_LT_MAP; break;
    case 3: lt->kind = PQ_LT_LIST; break;
    case 4: lt->kind = PQ_LT_ENUM; break;
    case 5:
        lt->kind = PQ_LT_DECIMAL;
        lt->precision = e->precision;
        lt->scale = e->scale;
        break;
    case 6: lt->kind = PQ_LT_DATE; break;
    case 7: case 8:
        lt->kind = PQ_LT_TIME;
        lt->unit = e->converted_type == 7 ? PQ_MILLIS : PQ_MICROS;
        lt->utc_adjusted = true;
        break;
    case 9: case 10:
        lt->kind = PQ_LT_TIMESTAMP;
        lt->unit = e->converted_type == 9 ? PQ_MILLIS : PQ_MICROS;
        lt->utc_adjusted = true;
        break;
    case 11: case 12: case 13: case 14:
        lt->kind = PQ_LT_INTEGER;
        lt->bit_width = 8 << (e->converted_type - 11);
        lt->is_signed = false;
        break;
    case 15: case 16: case 17: case 18:
        lt->kind = PQ_LT_INTEGER;
        lt->bit_width = 8 << (e->converted_type - 15);
        lt->is_signed = true;
        break;
    case 19: lt->kind = PQ_LT_JSON; break;
    case 20: lt->kind = PQ_LT_BSON; break;
    case 21: lt->kind = PQ_LT_INTERVAL; break;
    default: break;
    }
}

static const char *join_path(pq_file *f, const pq_node *parent, const char *name)
{
    if (parent == NULL)
        return "";
    if (parent->parent == NULL)
        return os_arena_strdup(&f->arena, name);
    return os_arena_sprintf(&f->arena, "%s.%s", parent->path, name);
}

static int check_leaf(schema_ctx *c, pq_node *n)
{
    pq_file *f = c->f;
    if (n->physical < PQ_BOOLEAN || n->physical > PQ_FIXED_LEN_BYTE_ARRAY)
        return os_err_set(c->err, OS_ECORRUPT, "%s: column %s has unknown physical type %d",
                          f->name, n->path, (int)n->physical);
    if (n->physical == PQ_FIXED_LEN_BYTE_ARRAY && (n->type_length <= 0 || n->type_length > (1 << 24)))
        return os_err_set(c->err, OS_ECORRUPT, "%s: column %s has invalid fixed length %d",
                          f->name, n->path, (int)n->type_length);
    if (n->physical == PQ_INT96)
        n->logical.kind = PQ_LT_INT96_TIMESTAMP;
    /* 308 digits is what the widest decimal we print (128 bytes) can hold; a
     * bigger precision would let one value's scale ask for gigabytes of
     * zeros when it is written out as text. */
    if (n->logical.kind == PQ_LT_DECIMAL &&
        (n->logical.scale < 0 || n->logical.precision <= 0 || n->logical.precision > 308 ||
         n->logical.scale > n->logical.precision))
        return os_err_set(c->err, OS_ECORRUPT, "%s: column %s has invalid decimal(%d,%d)", f->name,
                          n->path, (int)n->logical.precision, (int)n->logical.scale);
    if (n->logical.kind == PQ_LT_UUID && !(n->physical == PQ_FIXED_LEN_BYTE_ARRAY && n->type_length == 16))
        n->logical.kind = PQ_LT_NONE;
    return 0;
}

/* Classifies a group annotated LIST or MAP; anything malformed stays a struct. */
static void classify_group(pq_node *n)
{
    n->kind = PQ_NODE_STRUCT;
    if (n->num_children != 1 || n->children[0]->repetition != PQ_REPEATED)
        return;
    pq_node *mid = n->children[0];
    if (n->logical.kind == PQ_LT_LIST) {
        n->kind = PQ_NODE_LIST;
        if (mid->physical != PQ_GROUP || mid->num_children != 1) {
            n->element = mid; /* legacy two-level list */
        } else {
            size_t ln = strlen(n->name);
            bool tuple = strlen(mid->name) == ln + 6 && !strncmp(mid->name, n->name, ln) &&
                         !strcmp(mid->name + ln, "_tuple");
            if (!strcmp(mid->name, "array") || tuple)
                n->element = mid;
            else
                n->element = mid->children[0];
        }
    } else if (n->logical.kind == PQ_LT_MAP) {
        if (mid->physical != PQ_GROUP || mid->num_children < 1 || mid->num_children > 2)
            return;
        if (mid->children[0]->repetition == PQ_REPEATED ||
            (mid->num_children == 2 && mid->children[1]->repetition == PQ_REPEATED))
            return;
        n->kind = PQ_NODE_MAP;
        n->key = mid->children[0];
        n->value = mid->num_children == 2 ? mid->children[1] : NULL;
    }
}

static pq_node *build_node(schema_ctx *c, pq_node *parent, int depth)
{
    pq_file *f = c->f;
    if (c->next >= f->nelems) {
        os_err_set(c->err, OS_ECORRUPT, "%s: schema declares more children than elements", f->name);
        return NULL;
    }
    if (depth > f->opts.max_depth) {
        os_err_set(c->err, OS_ELIMIT, "%s: schema nesting deeper than %d levels", f->name,
                   f->opts.max_depth);
        return NULL;
    }
    const pq_schema_elem *e = &f->elems[c->next++];
    pq_node *n = os_arena_alloc(&f->arena, sizeof *n);
    if (n == NULL) {
        os_err_set(c->err, OS_ENOMEM, "%s: out of memory building the schema", f->name);
        return NULL;
    }
    n->name = e->name;
    n->parent = parent;
    n->path = join_path(f, parent, e->name);
    n->converted_type = e->converted_type;
    n->field_id = e->field_id;
    n->leaf_index = -1;
    if (parent == NULL) {
        n->repetition = PQ_REQUIRED;
    } else {
        if (e->repetition < 0 || e->repetition > 2) {
            os_err_set(c->err, OS_ECORRUPT, "%s: column %s has invalid repetition %d", f->name,
                       n->path ? n->path : "?", (int)e->repetition);
            return NULL;
        }
        n->repetition = (pq_repetition)e->repetition;
        n->max_def = (int16_t)(parent->max_def + (n->repetition != PQ_REQUIRED));
        n->max_rep = (int16_t)(parent->max_rep + (n->repetition == PQ_REPEATED));
    }
    if (n->path == NULL) {
        os_err_set(c->err, OS_ENOMEM, "%s: out of memory building the schema", f->name);
        return NULL;
    }
    if (e->has_logical && e->logical.kind != PQ_LT_NONE) {
        n->logical = e->logical;
        if (n->logical.kind == PQ_LT_DECIMAL && n->logical.precision == 0) {
            n->logical.precision = e->precision;
            n->logical.scale = e->scale;
        }
    } else {
        logical_from_converted(e, &n->logical);
    }
    bool is_group = e->num_children > 0 || (parent == NULL) || e->type < 0;
    if (!is_group) {
        n->kind = PQ_NODE_PRIMITIVE;
        n->physical = (pq_physical_type)e->type;
        n->type_length = e->type_length;
        n->leaf_index = (int)c->nleaves++;
        if (check_leaf(c, n))
            return NULL;
        return n;
    }
    n->physical = PQ_GROUP;
    if (e->num_children <= 0) {
        os_err_set(c->err, OS_EUNSUPPORTED, "%s: group %s has no children", f->name,
                   parent ? n->path : "(root)");
        return NULL;
    }
    if ((size_t)e->num_children > f->nelems - c->next) {
        os_err_set(c->err, OS_ECORRUPT, "%s: group %s declares %d children but only %zu elements remain",
                   f->name, parent ? n->path : "(root)", (int)e->num_children, f->nelems - c->next);
        return NULL;
    }
    n->num_children = (size_t)e->num_children;
    n->children = os_arena_alloc(&f->arena, n->num_children * sizeof *n->children);
    if (n->children == NULL) {
        os_err_set(c->err, OS_ENOMEM, "%s: out of memory building the schema", f->name);
        return NULL;
    }
    for (size_t i = 0; i < n->num_children; i++)
        if ((n->children[i] = build_node(c, n, depth + 1)) == NULL)
            return NULL;
    if (parent != NULL)
        classify_group(n);
    else
        n->kind = PQ_NODE_STRUCT;
    return n;
}

static void collect_leaves(pq_node *n, pq_node **leaves)
{
    if (n->kind == PQ_NODE_PRIMITIVE) {
        leaves[n->leaf_index] = n;
        return;
    }
    for (size_t i = 0; i < n->num_children; i++)
        collect_leaves(n->children[i], leaves);
}

int pq_schema_build(pq_file *f, os_err *err)
{
    schema_ctx c = {f, 0, 0, err};
    f->root = build_node(&c, NULL, 0);
    if (f->root == NULL)
        return -1;
    if (c.next != f->nelems)
        return os_err_set(err, OS_ECORRUPT, "%s: schema has %zu elements but the tree uses %zu",
                          f->name, f->nelems, c.next);
    f->nleaves = c.nleaves;
    f->leaves = os_arena_alloc(&f->arena, (c.nleaves ? c.nleaves : 1) * sizeof *f->leaves);
    if (f->leaves == NULL)
        return os_err_set(err, OS_ENOMEM, "%s: out of memory building the schema", f->name);
    collect_leaves(f->root, f->leaves);
    return 0;
}
