/* yaml_tree.c - builds a yaml_node tree from libyaml's event stream. */
#include "catalog/yaml_tree.h"

#include <string.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 64
#define YAML_MAX_NODES 200000

typedef struct builder {
    yaml_parser_t parser;
    os_arena *a;
    size_t nodes;
} builder;

static int fail_at(os_err *err, const yaml_mark_t *m, const char *what)
{
    return os_err_set(err, OS_EINVAL, "%zu:%zu: %s", m->line + 1, m->column + 1, what);
}

static int next_event(builder *b, yaml_event_t *ev, os_err *err)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        const char *problem = b->parser.problem ? b->parser.problem : "invalid YAML";
        return os_err_set(err, OS_EINVAL, "%zu:%zu: %s", b->parser.problem_mark.line + 1,
                          b->parser.problem_mark.column + 1, problem);
    }
    return 0;
}

/* Appends to a growable array in the arena (doubling; old blocks stay in the
 * arena, which is freed as a whole). */
static int push(os_arena *a, yaml_node ***arr, size_t n, yaml_node *x)
{
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? n * 2 : 4;
        yaml_node **p = os_arena_alloc(a, cap * sizeof *p);
        if (p == NULL)
            return -1;
        if (n)
            memcpy(p, *arr, n * sizeof *p);
        *arr = p;
    }
    (*arr)[n] = x;
    return 0;
}

static yaml_node *build(builder *b, yaml_event_t *ev, int depth, os_err *err);

static yaml_node *new_node(builder *b, yaml_node_type t, const yaml_mark_t *m, os_err *err)
{
    if (++b->nodes > YAML_MAX_NODES) {
        fail_at(err, m, "document has too many nodes");
        return NULL;
    }
    yaml_node *n = os_arena_alloc(b->a, sizeof *n);
    if (n == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    n->type = t;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    return n;
}

/* Builds the node that starts with `ev` (consumed; ev is deleted here). */
static yaml_node *build(builder *b, yaml_event_t *ev, int depth, os_err *err)
{
    yaml_node *n = NULL;
    if (depth > YAML_MAX_DEPTH) {
        fail_at(err, &ev->start_mark, "nesting is too deep");
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor) {
            fail_at(err, &ev->start_mark, "anchors are not supported");
            yaml_event_delete(ev);
            return NULL;
        }
        n = new_node(b, YN_SCALAR, &ev->start_mark, err);
        if (n) {
            n->value = os_arena_strndup(b->a, (const char *)ev->data.scalar.value,
                                        ev->data.scalar.length);
            n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            if (strlen(n->value) != ev->data.scalar.length) {
                fail_at(err, &ev->start_mark, "scalar contains a NUL character");
                n = NULL;
            }
        }
        yaml_event_delete(ev);
        return n;
    case YAML_ALIAS_EVENT:
        fail_at(err, &ev->start_mark, "aliases are not supported");
        yaml_event_delete(ev);
        return NULL;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        if ((is_map && ev->data.mapping_start.anchor) || (!is_map && ev->data.sequence_start.anchor)) {
            fail_at(err, &ev->start_mark, "anchors are not supported");
            yaml_event_delete(ev);
            return NULL;
        }
        n = new_node(b, is_map ? YN_MAP : YN_SEQ, &ev->start_mark, err);
        yaml_event_delete(ev);
        if (n == NULL)
            return NULL;
        for (;;) {
            yaml_event_t e;
            if (next_event(b, &e, err) != 0)
                return NULL;
            if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&e);
                return n;
            }
            if (is_map) {
                if (e.type != YAML_SCALAR_EVENT) {
                    fail_at(err, &e.start_mark, "mapping keys must be plain scalars");
                    yaml_event_delete(&e);
                    return NULL;
                }
                yaml_node *k = build(b, &e, depth + 1, err);
                if (k == NULL)
                    return NULL;
                for (size_t i = 0; i < n->n; i++)
                    if (strcmp(n->keys[i]->value, k->value) == 0)
                        return os_err_set(err, OS_EINVAL, "%d:%d: duplicate key '%s'", k->line,
                                          k->col, k->value),
                               NULL;
                yaml_event_t ve;
                if (next_event(b, &ve, err) != 0)
                    return NULL;
                yaml_node *v = build(b, &ve, depth + 1, err);
                if (v == NULL)
                    return NULL;
                if (push(b->a, &n->keys, n->n, k) != 0 || push(b->a, &n->items, n->n, v) != 0)
                    return os_err_set(err, OS_ENOMEM, "out of memory"), NULL;
                n->n++;
            } else {
                yaml_node *v = build(b, &e, depth + 1, err);
                if (v == NULL)
                    return NULL;
                if (push(b->a, &n->items, n->n, v) != 0)
                    return os_err_set(err, OS_ENOMEM, "out of memory"), NULL;
                n->n++;
            }
        }
    }
    default:
        fail_at(err, &ev->start_mark, "unexpected YAML structure");
        yaml_event_delete(ev);
        return NULL;
    }
}

yaml_node *yaml_tree_parse(const char *text, size_t len, os_arena *a, os_err *err)
{
    builder b;
    memset(&b, 0, sizeof b);
    b.a = a;
    if (!yaml_parser_initialize(&b.parser)) {
        os_err_set(err, OS_ENOMEM, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
    yaml_node *root = NULL;
    int done = 0;
    while (!done) {
        yaml_event_t ev;
        if (next_event(&b, &ev, err) != 0)
            break;
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            yaml_event_delete(&ev);
            break;
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            done = 1;
            if (root == NULL) {
                yaml_mark_t m = {0, 0, 0};
                root = new_node(&b, YN_MAP, &m, err);
            }
            break;
        default:
            if (root != NULL) {
                fail_at(err, &ev.start_mark, "only one YAML document is allowed");
                yaml_event_delete(&ev);
                done = -1;
                break;
            }
            root = build(&b, &ev, 0, err);
            if (root == NULL)
                done = -1;
        }
    }
    yaml_parser_delete(&b.parser);
    return done == 1 ? root : NULL;
}

yaml_node *yaml_map_get(const yaml_node *map, const char *key)
{
    if (map == NULL || map->type != YN_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->value, key) == 0)
            return map->items[i];
    return NULL;
}

int yaml_is_null(const yaml_node *n)
{
    return n == NULL || (n->type == YN_SCALAR && n->plain &&
                         (n->value[0] == '\0' || !strcmp(n->value, "~") || !strcmp(n->value, "null")));
}
