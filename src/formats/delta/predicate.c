/* predicate.c - parsing Delta Sharing JSON predicates (jsonPredicateHints) into a checked tree. */
#include "formats/delta/pred_int.h"

#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name; pred_op op; } ops[] = {
    {"column", P_COLUMN}, {"literal", P_LITERAL}, {"isNull", P_ISNULL},
    {"equal", P_EQ}, {"lessThan", P_LT}, {"lessThanOrEqual", P_LE},
    {"greaterThan", P_GT}, {"greaterThanOrEqual", P_GE},
    {"and", P_AND}, {"or", P_OR}, {"not", P_NOT},
};

const char *pred_delta_type(const char *t)
{
    if (t == NULL) return NULL;
    if (!strcmp(t, "bool") || !strcmp(t, "boolean")) return "boolean";
    if (!strcmp(t, "int")) return "integer";
    if (!strcmp(t, "long")) return "long";
    if (!strcmp(t, "string")) return "string";
    if (!strcmp(t, "date")) return "date";
    if (!strcmp(t, "float")) return "float";
    if (!strcmp(t, "double")) return "double";
    if (!strcmp(t, "timestamp")) return "timestamp";
    return NULL;
}

typedef struct pp {
    delta_predicate *p;
    size_t nodes;
    os_err *err;
} pp;

static bool is_leaf(const pred_node *n)
{
    return n->op == P_COLUMN || n->op == P_LITERAL;
}

static pred_node *parse_node(pp *c, json_t *j, int depth)
{
    if (depth > PRED_MAX_DEPTH) {
        os_err_set(c->err, OS_ELIMIT, "predicate is nested deeper than %d", PRED_MAX_DEPTH);
        return NULL;
    }
    if (++c->nodes > PRED_MAX_NODES) {
        os_err_set(c->err, OS_ELIMIT, "predicate has more than %d nodes", PRED_MAX_NODES);
        return NULL;
    }
    if (!json_is_object(j)) {
        os_err_set(c->err, OS_EINVAL, "predicate node is not a JSON object");
        return NULL;
    }
    const char *opname = json_string_value(json_object_get(j, "op"));
    if (opname == NULL) {
        os_err_set(c->err, OS_EINVAL, "predicate node has no \"op\" string");
        return NULL;
    }
    pred_node *n = os_arena_alloc(&c->p->arena, sizeof *n);
    if (n == NULL) {
        os_err_set(c->err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(opname, ops[i].name))
            n->op = ops[i].op;
    if (n->op == 0) {
        os_err_set(c->err, OS_EINVAL, "predicate op '%.64s' is not supported", opname);
        return NULL;
    }
    json_t *kids = json_object_get(j, "children");
    if (n->op == P_COLUMN || n->op == P_LITERAL) {
        if (kids != NULL && !(json_is_array(kids) && json_array_size(kids) == 0)) {
            os_err_set(c->err, OS_EINVAL, "predicate %s op takes no children", opname);
            return NULL;
        }
        const char *vt = json_string_value(json_object_get(j, "valueType"));
        const char *dt = pred_delta_type(vt);
        if (dt == NULL) {
            os_err_set(c->err, OS_EINVAL, "predicate %s has unsupported valueType '%.64s'",
                       opname, vt ? vt : "(missing)");
            return NULL;
        }
        n->value_type = dt;
        if (n->op == P_COLUMN) {
            const char *name = json_string_value(json_object_get(j, "name"));
            if (name == NULL || name[0] == '\0') {
                os_err_set(c->err, OS_EINVAL, "predicate column has no name");
                return NULL;
            }
            n->name = os_arena_strdup(&c->p->arena, name);
            if (n->name == NULL) {
                os_err_set(c->err, OS_ENOMEM, "out of memory");
                return NULL;
            }
        } else {
            json_t *v = json_object_get(j, "value");
            if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
                os_err_set(c->err, OS_EINVAL, "predicate literal value must be a string");
                return NULL;
            }
            const char *raw = json_string_value(v);
            char *copy = raw ? os_arena_strndup(&c->p->arena, raw, json_string_length(v)) : NULL;
            if (raw && copy == NULL) {
                os_err_set(c->err, OS_ENOMEM, "out of memory");
                return NULL;
            }
            if (copy && strlen(copy) != json_string_length(v)) {
                os_err_set(c->err, OS_EINVAL, "predicate literal holds a NUL byte");
                return NULL;
            }
            /* A string literal "" is the empty string, not null. */
            if (copy && copy[0] == '\0' && !strcmp(dt, "string")) {
                n->lit.kind = DELTA_V_STRING;
                n->lit.s = copy;
                n->lit.len = 0;
            } else if (copy == NULL || copy[0] == '\0') {
                if (copy == NULL && v != NULL && !json_is_null(v)) {
                    os_err_set(c->err, OS_EINVAL, "predicate literal value is invalid");
                    return NULL;
                }
                if (copy != NULL) {
                    os_err_set(c->err, OS_EINVAL, "predicate literal of type %s is empty", vt);
                    return NULL;
                }
                n->lit.kind = DELTA_V_NULL;
            } else {
                os_err e2;
                if (delta_partition_value_parse(dt, copy, &n->lit, &e2) < 0) {
                    os_err_set(c->err, OS_EINVAL, "predicate literal '%.64s' is not a valid %s",
                               copy, vt);
                    return NULL;
                }
            }
        }
        return n;
    }
    if (!json_is_array(kids)) {
        os_err_set(c->err, OS_EINVAL, "predicate %s op needs a children array", opname);
        return NULL;
    }
    size_t nk = json_array_size(kids);
    size_t want_min = 0, want_max = 0;
    switch (n->op) {
    case P_ISNULL: case P_NOT: want_min = want_max = 1; break;
    case P_AND: case P_OR: want_min = 2; want_max = PRED_MAX_NODES; break;
    default: want_min = want_max = 2; break;
    }
    if (nk < want_min || nk > want_max) {
        os_err_set(c->err, OS_EINVAL, "predicate %s op takes %s%zu children, not %zu", opname,
                   want_max > want_min ? "at least " : "", want_min, nk);
        return NULL;
    }
    n->kids = os_arena_alloc(&c->p->arena, nk * sizeof *n->kids);
    if (n->kids == NULL) {
        os_err_set(c->err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < nk; i++) {
        n->kids[i] = parse_node(c, json_array_get(kids, i), depth + 1);
        if (n->kids[i] == NULL)
            return NULL;
    }
    n->nkids = nk;
    switch (n->op) {
    case P_ISNULL:
        if (!is_leaf(n->kids[0])) {
            os_err_set(c->err, OS_EINVAL, "predicate isNull needs a column or literal child");
            return NULL;
        }
        break;
    case P_EQ: case P_LT: case P_LE: case P_GT: case P_GE:
        if (!is_leaf(n->kids[0]) || !is_leaf(n->kids[1])) {
            os_err_set(c->err, OS_EINVAL, "predicate %s needs two column or literal children", opname);
            return NULL;
        }
        break;
    default:
        for (size_t i = 0; i < nk; i++)
            if (is_leaf(n->kids[i]) && strcmp(n->kids[i]->value_type, "boolean") != 0) {
                os_err_set(c->err, OS_EINVAL, "predicate %s has a non-boolean leaf child", opname);
                return NULL;
            }
        break;
    }
    return n;
}

delta_predicate *delta_predicate_parse(const char *json, size_t len, os_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (root == NULL) {
        os_err_set(err, OS_EINVAL, "predicate is not valid JSON: %s", jerr.text);
        return NULL;
    }
    delta_predicate *p = calloc(1, sizeof *p);
    if (p == NULL) {
        json_decref(root);
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    pp c = {p, 0, err};
    p->root = parse_node(&c, root, 0);
    json_decref(root);
    if (p->root == NULL || (p->root->op == P_COLUMN || p->root->op == P_LITERAL)) {
        if (p->root != NULL && strcmp(p->root->value_type, "boolean") != 0) {
            os_err_set(err, OS_EINVAL, "predicate root must be a boolean expression");
            delta_predicate_free(p);
            return NULL;
        }
        if (p->root == NULL) {
            delta_predicate_free(p);
            return NULL;
        }
    }
    return p;
}

void delta_predicate_free(delta_predicate *p)
{
    if (p == NULL)
        return;
    os_arena_free(&p->arena);
    free(p);
}
