/* column.c - reads one column chunk and decodes all its pages into level and value arrays. */
#include "formats/parquet/column.h"

#include <stdlib.h>
#include <string.h>

static void column_clear(pq_column *c)
{
    pq_blocks_free(&c->blocks);
    c->dict = NULL;
    c->dict_n = 0;
    c->has_dict = false;
    c->nlevels = c->nvalues = 0;
    memset(&c->data, 0, sizeof c->data);
}

void pq_column_free(pq_column *c)
{
    column_clear(c);
    free(c->def);
    free(c->rep);
    free(c->values);
    free(c->scratch);
    free(c->idx);
    memset(c, 0, sizeof *c);
}

/* Grows p to hold n elements of size sz (contents need not survive). */
static int ensure(uint8_t **p, size_t n, size_t sz)
{
    uint8_t *np = realloc(*p, n > 0 && sz > 0 ? n * sz : 1);
    if (np == NULL)
        return -1;
    *p = np;
    return 0;
}

int pq_column_load(pq_column *c, pq_file *f, size_t rg, const pq_node *leaf, os_err *err)
{
    column_clear(c);
    c->leaf = leaf;
    const pq_col_meta *m = &f->rgs[rg].cols[leaf->leaf_index];
    size_t vs = pq_value_size(leaf->physical);
    c->budget = f->opts.max_chunk_bytes;
    c->data.leaf = leaf;

    uint64_t nv = (uint64_t)m->num_values;
    uint64_t per = vs + (leaf->max_def > 0) + (leaf->max_rep > 0);
    if (nv > SIZE_MAX / 32 || nv * per > c->budget)
        return os_err_set(err, OS_ELIMIT, "%s: row group %zu column %s declares %llu values, over the memory limit",
                          f->name, rg, leaf->path, (unsigned long long)nv);
    c->budget -= nv * per;
    if (nv > c->cap_levels) {
        if ((leaf->max_def > 0 && ensure(&c->def, nv, 1)) || (leaf->max_rep > 0 && ensure(&c->rep, nv, 1)) ||
            ensure(&c->values, nv, vs))
            return os_err_set(err, OS_ENOMEM, "%s: out of memory for column %s", f->name, leaf->path);
        c->cap_levels = nv;
    }
    c->cap_levels = nv > c->cap_levels ? nv : c->cap_levels;
    size_t limit = (size_t)nv;
    if (nv == 0)
        goto done;

    int64_t start = m->data_page_offset;
    if (m->dictionary_page_offset > 0 && m->dictionary_page_offset < start)
        start = m->dictionary_page_offset;
    uint64_t len = (uint64_t)m->total_compressed_size;
    if (start < 4 || (uint64_t)start > f->src->size || len > f->src->size - (uint64_t)start)
        return os_err_set(err, OS_ECORRUPT, "%s: row group %zu column %s: chunk at offset %lld of %llu bytes lies outside the file",
                          f->name, rg, leaf->path, (long long)start, (unsigned long long)len);
    uint8_t *buf = pq_blocks_alloc(&c->blocks, (size_t)len);
    if (buf == NULL)
        return os_err_set(err, OS_ENOMEM, "%s: out of memory reading column %s", f->name, leaf->path);
    if (f->src->read_at(f->src->ctx, (uint64_t)start, (size_t)len, buf, err))
        return -1;
    size_t pos = 0;
    int page = 0;
    /* Decode against the declared count: pages never write past limit. */
    size_t saved_cap = c->cap_levels;
    c->cap_levels = limit;
    while (c->nlevels < limit) {
        if (pos >= len) {
            c->cap_levels = saved_cap;
            return os_err_set(err, OS_ECORRUPT, "%s: row group %zu column %s: chunk ends after %zu of %zu values",
                              f->name, rg, leaf->path, c->nlevels, limit);
        }
        size_t used;
        if (pq_page_decode(c, f, m->codec, buf + pos, (size_t)len - pos, &used, err)) {
            c->cap_levels = saved_cap;
            return os_err_wrap(err, "%s: row group %zu column %s page %d", f->name, rg, leaf->path, page);
        }
        pos += used;
        page++;
    }
    c->cap_levels = saved_cap;
done:
    c->data.num_levels = c->nlevels;
    c->data.def = leaf->max_def > 0 ? c->def : NULL;
    c->data.rep = leaf->max_rep > 0 ? c->rep : NULL;
    c->data.num_values = c->nvalues;
    c->data.values = c->values;
    return 0;
}
