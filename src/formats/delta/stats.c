/* stats.c - per-file statistics JSON: numRecords, minValues, maxValues, nullCount, tightBounds. */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct dl_stats {
    json_t *root;
};

dl_stats *dl_stats_parse(const char *json)
{
    if (json == NULL)
        return NULL;
    json_t *root = json_loads(json, 0, NULL);
    if (root == NULL)
        return NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        return NULL;
    }
    dl_stats *s = malloc(sizeof *s);
    if (s == NULL) {
        json_decref(root);
        return NULL;
    }
    s->root = root;
    return s;
}

void dl_stats_free(dl_stats *s)
{
    if (s == NULL)
        return;
    json_decref(s->root);
    free(s);
}

int64_t dl_stats_num_records(const dl_stats *s)
{
    if (s == NULL)
        return -1;
    json_t *v = json_object_get(s->root, "numRecords");
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    return (int64_t)json_integer_value(v);
}

bool dl_stats_tight_bounds(const dl_stats *s)
{
    if (s == NULL)
        return true;
    json_t *v = json_object_get(s->root, "tightBounds");
    return !json_is_false(v);
}

json_t *dl_stats_get(const dl_stats *s, const char *section, const char *path)
{
    if (s == NULL)
        return NULL;
    json_t *cur = json_object_get(s->root, section);
    const char *p = path;
    while (cur != NULL && *p) {
        if (!json_is_object(cur))
            return NULL;
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        cur = json_object_getn(cur, p, n);
        p += n;
        if (*p == '.')
            p++;
    }
    return cur;
}
