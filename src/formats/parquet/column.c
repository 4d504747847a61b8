/* column.c - reads one column chunk and decodes its pages, all at once or one data page at a time. */
#include "formats/parquet/column.h"

#include <stdlib.h>
#include <string.h>

static void column_clear(pq_column *c)
{
    pq_blocks_free(&c->blocks);
    pq_blocks_free(&c->page_blocks);
    c->dict = NULL;
    c->dict_n = 0;
    c->has_dict = false;
    c->nlevels = c->nvalues = 0;
    c->limit = c->before = 0;
    c->paged = false;
    free(c->chunk);
    c->chunk = NULL;
    c->chunk_pinned = false;
    c->chunk_off = 0;
    c->chunk_len = c->pos = 0;
    c->page = 0;
    c->pre_ready = false;
    c->pg_pos = c->pg_vals = 0;
    c->pg_lazy = 0;
    c->pg_p = NULL;
    c->pg_len = c->pg_off = 0;
    memset(&c->data, 0, sizeof c->data);
}

void pq_column_free(pq_column *c)
{
    column_clear(c);
    free(c->def);
    free(c->rep);
    free(c->values);
    pq_scratch_free(&c->scratch);
    pq_scratch_free(&c->idx);
    pq_scratch_free(&c->page_buf);
    pq_scratch_free(&c->bvals);
    memset(c, 0, sizeof *c);
}

/* Grows p to hold n elements of size sz (contents must survive: a page may
 * be decoded into arrays that already hold earlier pages). */
static int grow(uint8_t **p, size_t n, size_t sz)
{
    uint8_t *np = realloc(*p, n > 0 && sz > 0 ? n * sz : 1);
    if (np == NULL)
        return -1;
    *p = np;
    return 0;
}

/* A capacity for n entries: doubling, never past the chunk's count, never 0
 * (callers index the arrays even for an empty page). */
static size_t next_cap(size_t have, size_t n, size_t limit)
{
    size_t cap = have * 2 > n ? have * 2 : n;
    if (cap > limit)
        cap = n > limit ? n : limit;
    return cap ? cap : 1;
}

int pq_column_reserve_levels(pq_column *c, size_t n, os_err *err)
{
    const pq_node *leaf = c->leaf;
    bool need_def = leaf->max_def > 0 && c->def == NULL, need_rep = leaf->max_rep > 0 && c->rep == NULL;
    if (!need_def && !need_rep && n <= c->lev_cap)
        return 0;
    size_t cap = next_cap(c->lev_cap, n, c->limit);
    if ((leaf->max_def > 0 && grow(&c->def, cap, 1)) || (leaf->max_rep > 0 && grow(&c->rep, cap, 1)))
        return os_err_set(err, OS_ENOMEM, "out of memory for %zu levels of column %s", cap, leaf->path);
    c->lev_cap = cap;
    return 0;
}

int pq_column_reserve_values(pq_column *c, size_t n, os_err *err)
{
    if (c->values != NULL && n <= c->val_cap)
        return 0;
    size_t cap = next_cap(c->val_cap, n, c->limit);
    if (grow(&c->values, cap, pq_value_size(c->leaf->physical)))
        return os_err_set(err, OS_ENOMEM, "out of memory for %zu values of column %s", cap, c->leaf->path);
    c->val_cap = cap;
    return 0;
}

/* Points the public view at what the arrays hold. */
static void publish(pq_column *c)
{
    c->data.num_levels = c->nlevels;
    c->data.def = c->leaf->max_def > 0 ? c->def : NULL;
    c->data.rep = c->leaf->max_rep > 0 ? c->rep : NULL;
    c->data.num_values = c->nvalues;
    c->data.values = c->values;
}

/* Decodes the page at c->pos and moves past it, reading the chunk first when
 * this is its first page and freeing it after the last page when nothing
 * points into it.  0 or -1 with err. */
static int next_page_raw(pq_column *c, pq_file *f, os_err *err)
{
    const pq_node *leaf = c->leaf;
    if (c->chunk == NULL && c->pos == 0 && c->chunk_len > 0) {
        c->chunk = malloc(c->chunk_len);
        if (c->chunk == NULL)
            return os_err_set(err, OS_ENOMEM, "%s: out of memory reading column %s", f->name, leaf->path);
        if (f->src->read_at(f->src->ctx, c->chunk_off, c->chunk_len, c->chunk, err))
            return -1;
    }
    if (c->pos >= c->chunk_len || c->chunk == NULL)
        return os_err_set(err, OS_ECORRUPT, "%s: row group %zu column %s: chunk ends after %zu of %zu values",
                          f->name, c->rg, leaf->path, c->before + c->nlevels, c->limit);
    size_t used;
    if (pq_page_decode(c, f, c->codec, c->chunk + c->pos, c->chunk_len - c->pos, &used, err))
        return os_err_wrap(err, "%s: row group %zu column %s page %d", f->name, c->rg, leaf->path, c->page);
    c->pos += used;
    c->page++;
    if (c->pos >= c->chunk_len && !c->chunk_pinned) {
        free(c->chunk);   /* every page decoded: values live in their own buffers */
        c->chunk = NULL;
    }
    return 0;
}

int pq_column_load(pq_column *c, pq_file *f, size_t rg, const pq_node *leaf, bool paged, os_err *err)
{
    column_clear(c);
    c->leaf = leaf;
    c->rg = rg;
    c->paged = paged;
    const pq_col_meta *m = &f->rgs[rg].cols[leaf->leaf_index];
    size_t vs = pq_value_size(leaf->physical);
    c->budget = f->opts.max_chunk_bytes;
    c->data.leaf = leaf;
    c->codec = m->codec;

    /* The declared count bounds the arrays in either mode, so it is charged
     * whole even when pages come one at a time. */
    uint64_t nv = (uint64_t)m->num_values;
    uint64_t per = vs + (leaf->max_def > 0) + (leaf->max_rep > 0);
    if (nv > SIZE_MAX / 32 || nv * per > c->budget)
        return os_err_set(err, OS_ELIMIT, "%s: row group %zu column %s declares %llu values, over the memory limit",
                          f->name, rg, leaf->path, (unsigned long long)nv);
    c->budget -= nv * per;
    c->limit = (size_t)nv;
    if (!paged && (pq_column_reserve_levels(c, c->limit, err) || pq_column_reserve_values(c, c->limit, err)))
        return os_err_wrap(err, "%s", f->name);
    if (nv == 0) {
        publish(c);
        return 0;
    }

    int64_t start = m->data_page_offset;
    if (m->dictionary_page_offset > 0 && m->dictionary_page_offset < start)
        start = m->dictionary_page_offset;
    uint64_t len = (uint64_t)m->total_compressed_size;
    if (start < 4 || (uint64_t)start > f->src->size || len > f->src->size - (uint64_t)start)
        return os_err_set(err, OS_ECORRUPT, "%s: row group %zu column %s: chunk at offset %lld of %llu bytes lies outside the file",
                          f->name, rg, leaf->path, (long long)start, (unsigned long long)len);
    c->chunk_off = (uint64_t)start;
    c->chunk_len = (size_t)len;
    c->budget_kept = c->budget;
    if (paged)
        return 0;
    while (c->nlevels < c->limit)
        if (next_page_raw(c, f, err))
            return -1;
    publish(c);
    return 0;
}

/* Hands out the next batch of the current page.  1, or -1 with err. */
static int next_batch(pq_column *c, pq_file *f, os_err *err)
{
    const pq_node *leaf = c->leaf;
    size_t k = c->nlevels - c->pg_pos;
    if (k > PQ_BATCH)
        k = PQ_BATCH;
    size_t nn = k;
    if (leaf->max_def > 0) {
        const uint8_t *d = c->def + c->pg_pos;
        uint8_t maxd = (uint8_t)leaf->max_def;
        nn = 0;
        for (size_t i = 0; i < k; i++)
            nn += d[i] == maxd;
    }
    size_t vs = pq_value_size(leaf->physical);
    const void *values;
    if (c->pg_lazy == 0) {
        values = c->values + c->pg_vals * vs;
    } else if (nn == 0) {
        values = NULL;   /* nothing to decode (the index buffer may not even exist) */
    } else {
        void *out = pq_scratch_get(&c->bvals, PQ_BATCH * vs);   /* nn <= PQ_BATCH */
        if (out == NULL)
            return os_err_set(err, OS_ENOMEM, "%s: out of memory for column %s", f->name, leaf->path);
        int rc = 0;
        if (c->pg_lazy == PQ_LAZY_PLAIN) {
            long used = pq_plain_decode(leaf->physical, leaf->type_length, c->pg_p + c->pg_off,
                                        c->pg_len - c->pg_off, out, nn, err);
            rc = used < 0 ? -1 : 0;
            c->pg_off += used < 0 ? 0 : (size_t)used;
        } else {
            rc = pq_dict_gather(leaf->physical, c->dict, c->dict_n, (const uint32_t *)c->idx.p + c->pg_vals, out,
                                nn, err);
        }
        if (rc < 0)
            return os_err_wrap(err, "%s: row group %zu column %s page %d", f->name, c->rg, leaf->path, c->page - 1);
        values = out;
    }
    c->data.num_levels = k;
    c->data.def = leaf->max_def > 0 ? c->def + c->pg_pos : NULL;
    c->data.rep = leaf->max_rep > 0 ? c->rep + c->pg_pos : NULL;
    c->data.num_values = nn;
    c->data.values = values;
    c->pg_pos += k;
    c->pg_vals += nn;
    return 1;
}

int pq_column_next_page(pq_column *c, pq_file *f, os_err *err)
{
    if (!c->paged)
        return os_err_set(err, OS_EINVAL, "%s: column %s was not loaded page by page", f->name,
                          c->leaf ? c->leaf->path : "?");
    if (c->pg_pos < c->nlevels)
        return next_batch(c, f, err);
    /* The page is used up: its buffers and budget come back. */
    pq_blocks_free(&c->page_blocks);
    c->budget = c->budget_kept;
    c->before += c->nlevels;
    c->nlevels = c->nvalues = 0;
    c->pg_pos = c->pg_vals = 0;
    while (c->nlevels == 0 && c->before < c->limit) {
        bool had_dict = c->has_dict;
        if (next_page_raw(c, f, err))
            return -1;
        if (!had_dict && c->has_dict)
            c->budget_kept = c->budget;   /* the dictionary lives for the chunk */
    }
    if (c->nlevels == 0) {
        publish(c);
        return 0;
    }
    return next_batch(c, f, err);
}
