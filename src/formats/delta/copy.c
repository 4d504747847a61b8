/* copy.c - deep copies of actions into an arena (what outlives a streamed checkpoint row). */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <string.h>

static int copy_str(os_arena *a, const char **dst, const char *src)
{
    if (src == NULL) {
        *dst = NULL;
        return 0;
    }
    *dst = os_arena_strdup(a, src);
    return *dst ? 0 : -1;
}

static int copy_map(os_arena *a, delta_map *dst, const delta_map *src)
{
    dst->n = 0;
    dst->items = NULL;
    if (src->n == 0)
        return 0;
    dst->items = os_arena_alloc(a, src->n * sizeof *dst->items);
    if (dst->items == NULL)
        return -1;
    for (size_t i = 0; i < src->n; i++)
        if (copy_str(a, &dst->items[i].key, src->items[i].key) < 0 ||
            copy_str(a, &dst->items[i].value, src->items[i].value) < 0)
            return -1;
    dst->n = src->n;
    return 0;
}

static int copy_list(os_arena *a, const char ***dst, size_t *dn, const char *const *src, size_t n)
{
    *dst = NULL;
    *dn = 0;
    if (n == 0)
        return 0;
    const char **arr = os_arena_alloc(a, n * sizeof *arr);
    if (arr == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (copy_str(a, &arr[i], src[i]) < 0)
            return -1;
    *dst = arr;
    *dn = n;
    return 0;
}

int dl_protocol_copy(os_arena *a, delta_protocol *dst, const delta_protocol *src)
{
    *dst = *src;
    if (copy_list(a, &dst->reader_features, &dst->n_reader_features, src->reader_features,
                  src->n_reader_features) < 0 ||
        copy_list(a, &dst->writer_features, &dst->n_writer_features, src->writer_features,
                  src->n_writer_features) < 0)
        return -1;
    return 0;
}

int dl_metadata_copy(os_arena *a, delta_metadata *dst, const delta_metadata *src)
{
    *dst = *src;
    if (copy_str(a, &dst->id, src->id) < 0 || copy_str(a, &dst->name, src->name) < 0 ||
        copy_str(a, &dst->description, src->description) < 0 ||
        copy_str(a, &dst->format_provider, src->format_provider) < 0 ||
        copy_map(a, &dst->format_options, &src->format_options) < 0 ||
        copy_str(a, &dst->schema_string, src->schema_string) < 0 ||
        copy_list(a, &dst->partition_columns, &dst->n_partition_columns, src->partition_columns,
                  src->n_partition_columns) < 0 ||
        copy_map(a, &dst->configuration, &src->configuration) < 0)
        return -1;
    return 0;
}
