/* colmap.c - a table schema's columns: logical to physical names (column mapping), types, partitioning. */
#include "formats/delta/delta.h"

#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/strutil.h"

#define COLMAP_MAX_DEPTH 32
#define COLMAP_MAX_COLUMNS 100000

typedef struct colmap_entry {
    char *logical;     /* dotted, lower-cased */
    char *physical;    /* dotted */
    char *type;
    bool is_partition;
} colmap_entry;

struct delta_colmap {
    colmap_entry *e;
    size_t n, cap;
    bool mapped;       /* mode name or id */
};

static int push(delta_colmap *cm, const char *logical, const char *physical, const char *type)
{
    if (cm->n >= COLMAP_MAX_COLUMNS)
        return -1;
    if (cm->n == cm->cap) {
        size_t nc = cm->cap ? cm->cap * 2 : 16;
        colmap_entry *ne = realloc(cm->e, nc * sizeof *ne);
        if (ne == NULL)
            return -1;
        cm->e = ne;
        cm->cap = nc;
    }
    colmap_entry *x = &cm->e[cm->n];
    x->logical = strdup(logical);
    x->physical = strdup(physical);
    x->type = strdup(type);
    x->is_partition = false;
    if (!x->logical || !x->physical || !x->type) {
        free(x->logical);
        free(x->physical);
        free(x->type);
        return -1;
    }
    os_str_lower(x->logical);
    cm->n++;
    return 0;
}

static int walk(delta_colmap *cm, json_t *strct, const char *lprefix, const char *pprefix, int depth)
{
    if (depth > COLMAP_MAX_DEPTH)
        return -1;
    json_t *fields = json_object_get(strct, "fields");
    if (!json_is_array(fields))
        return -1;
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f) {
        const char *name = json_string_value(json_object_get(f, "name"));
        json_t *type = json_object_get(f, "type");
        if (name == NULL || type == NULL)
            return -1;
        const char *phys = name;
        if (cm->mapped) {
            json_t *md = json_object_get(f, "metadata");
            const char *pn = json_string_value(json_object_get(md, "delta.columnMapping.physicalName"));
            if (pn != NULL)
                phys = pn;
        }
        os_buf lp = OS_BUF_INIT, pp = OS_BUF_INIT;
        if (lprefix[0]) {
            os_buf_printf(&lp, "%s.", lprefix);
            os_buf_printf(&pp, "%s.", pprefix);
        }
        os_buf_puts(&lp, name);
        os_buf_puts(&pp, phys);
        const char *tname = json_is_string(type) ? json_string_value(type)
                          : json_string_value(json_object_get(type, "type"));
        int rc = push(cm, os_buf_cstr(&lp), os_buf_cstr(&pp), tname ? tname : "unknown");
        if (rc == 0 && json_is_object(type) && tname && strcmp(tname, "struct") == 0)
            rc = walk(cm, type, os_buf_cstr(&lp), os_buf_cstr(&pp), depth + 1);
        os_buf_free(&lp);
        os_buf_free(&pp);
        if (rc < 0)
            return -1;
    }
    return 0;
}

delta_colmap *delta_colmap_build(const delta_metadata *m, os_err *err)
{
    delta_colmap *cm = calloc(1, sizeof *cm);
    if (cm == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    const char *mode = delta_map_get(&m->configuration, "delta.columnMapping.mode", NULL);
    cm->mapped = mode && (strcmp(mode, "name") == 0 || strcmp(mode, "id") == 0);
    json_t *root = m->schema_string ? json_loads(m->schema_string, 0, NULL) : NULL;
    if (root == NULL || walk(cm, root, "", "", 0) < 0) {
        json_decref(root);
        delta_colmap_free(cm);
        os_err_set(err, OS_ECORRUPT, "metaData.schemaString is missing or not a valid schema");
        return NULL;
    }
    json_decref(root);
    for (size_t i = 0; i < m->n_partition_columns; i++) {
        char *low = strdup(m->partition_columns[i]);
        if (low == NULL)
            continue;
        os_str_lower(low);
        for (size_t k = 0; k < cm->n; k++)
            if (strcmp(cm->e[k].logical, low) == 0)
                cm->e[k].is_partition = true;
        free(low);
    }
    return cm;
}

void delta_colmap_free(delta_colmap *cm)
{
    if (cm == NULL)
        return;
    for (size_t i = 0; i < cm->n; i++) {
        free(cm->e[i].logical);
        free(cm->e[i].physical);
        free(cm->e[i].type);
    }
    free(cm->e);
    free(cm);
}

int delta_colmap_lookup(const delta_colmap *cm, const char *logical,
                        const char **physical, const char **type, bool *is_partition)
{
    for (size_t i = 0; cm != NULL && i < cm->n; i++) {
        if (strcasecmp(cm->e[i].logical, logical) == 0) {
            if (physical)
                *physical = cm->e[i].physical;
            if (type)
                *type = cm->e[i].type;
            if (is_partition)
                *is_partition = cm->e[i].is_partition;
            return 0;
        }
    }
    return -1;
}
