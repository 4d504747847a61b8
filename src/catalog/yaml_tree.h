/* yaml_tree.h - a YAML document as a small tree of scalars, mappings and sequences, with line and column of every node. */
#ifndef OS_CATALOG_YAML_TREE_H
#define OS_CATALOG_YAML_TREE_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

typedef enum { YN_SCALAR, YN_MAP, YN_SEQ } yaml_node_type;

typedef struct yaml_node yaml_node;
struct yaml_node {
    yaml_node_type type;
    int line, col;           /* 1-based position in the file */
    const char *value;       /* scalars */
    int plain;               /* scalar was unquoted (so "null", "~" mean null) */
    /* maps: keys[i] -> items[i]; sequences: items[i] */
    yaml_node **keys;
    yaml_node **items;
    size_t n;
};

/* Parses the whole text (one document; anchors and aliases refused, depth
 * limited) into a tree in the arena.  On a syntax error returns NULL with an
 * OS_EINVAL message "LINE:COL: what".  An empty document gives an empty map. */
yaml_node *yaml_tree_parse(const char *text, size_t len, os_arena *a, os_err *err);
/* The value node of `key` in a map, or NULL. */
yaml_node *yaml_map_get(const yaml_node *map, const char *key);
/* 1 when the node is a plain null scalar (null, ~, empty). */
int yaml_is_null(const yaml_node *n);

#endif
