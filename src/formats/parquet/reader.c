/* reader.c - projected, row-group-at-a-time reading: columns in bulk, or records one by one. */
#include "formats/parquet/reader.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static void mark_leaves(const pq_node *n, bool *selected)
{
    if (n->kind == PQ_NODE_PRIMITIVE) {
        selected[n->leaf_index] = true;
        return;
    }
    for (size_t i = 0; i < n->num_children; i++)
        mark_leaves(n->children[i], selected);
}

static bool any_marked(const pq_node *n, const bool *selected)
{
    if (n->kind == PQ_NODE_PRIMITIVE)
        return selected[n->leaf_index];
    for (size_t i = 0; i < n->num_children; i++)
        if (any_marked(n->children[i], selected))
            return true;
    return false;
}

/* A map read in part still needs its keys. */
static void mark_map_keys(const pq_node *n, bool *selected)
{
    if (n->kind == PQ_NODE_MAP && any_marked(n, selected))
        mark_leaves(n->key, selected);
    for (size_t i = 0; i < n->num_children; i++)
        mark_map_keys(n->children[i], selected);
}

pq_reader *pq_reader_open(pq_file *f, const char *const *columns, size_t ncolumns, os_err *err)
{
    pq_reader *r = calloc(1, sizeof *r);
    bool *selected = calloc(f->nleaves + 1, sizeof *selected);
    if (r == NULL || selected == NULL) {
        free(r);
        free(selected);
        os_err_set(err, OS_ENOMEM, "%s: out of memory", f->name);
        return NULL;
    }
    r->f = f;
    r->rg = -1;
    if (columns == NULL || ncolumns == 0) {
        for (size_t i = 0; i < f->nleaves; i++)
            selected[i] = true;
    } else {
        for (size_t i = 0; i < ncolumns; i++) {
            const pq_node *n = pq_file_find(f, columns[i]);
            if (n == NULL) {
                os_err_set(err, OS_EINVAL, "%s: no column '%s' in the file", f->name, columns[i]);
                goto fail;
            }
            mark_leaves(n, selected);
        }
        mark_map_keys(f->root, selected);
    }
    for (size_t i = 0; i < f->nleaves; i++)
        r->ncols += selected[i];
    size_t n = r->ncols ? r->ncols : 1;
    r->cols = calloc(n, sizeof *r->cols);
    r->leaves = calloc(n, sizeof *r->leaves);
    r->cur = calloc(n, sizeof *r->cur);
    if (!r->cols || !r->leaves || !r->cur) {
        os_err_set(err, OS_ENOMEM, "%s: out of memory", f->name);
        goto fail;
    }
    for (size_t i = 0, k = 0; i < f->nleaves; i++)
        if (selected[i])
            r->leaves[k++] = f->leaves[i];
    if (pq_plan_build(r, selected, err))
        goto fail;
    free(selected);
    return r;
fail:
    free(selected);
    pq_reader_close(r);
    return NULL;
}

void pq_reader_close(pq_reader *r)
{
    if (r == NULL)
        return;
    if (r->cols)
        for (size_t i = 0; i < r->ncols; i++)
            pq_column_free(&r->cols[i]);
    free(r->cols);
    free(r->leaves);
    free(r->cur);
    pq_row_mem_free(&r->mem);
    os_arena_free(&r->plan_arena);
    free(r);
}

size_t pq_reader_num_columns(const pq_reader *r) { return r->ncols; }
const pq_node *pq_reader_column(const pq_reader *r, size_t i) { return i < r->ncols ? r->leaves[i] : NULL; }
int64_t pq_reader_row_group_rows(const pq_reader *r) { return r->rg >= 0 ? r->rg_rows : 0; }
long pq_reader_row_group_index(const pq_reader *r) { return r->rg; }

const pq_column_data *pq_reader_column_data(const pq_reader *r, size_t i)
{
    return r->rg >= 0 && i < r->ncols ? &r->cols[i].data : NULL;
}

/* Checks that every column of the loaded group describes exactly rg_rows records. */
static int check_counts(pq_reader *r, os_err *err)
{
    for (size_t i = 0; i < r->ncols; i++) {
        const pq_column_data *d = &r->cols[i].data;
        uint64_t records = d->num_levels;
        if (d->rep) {
            records = 0;
            for (size_t k = 0; k < d->num_levels; k++)
                records += d->rep[k] == 0;
            if (d->num_levels && d->rep[0] != 0)
                return os_err_set(err, OS_ECORRUPT, "%s: row group %ld column %s does not start a record",
                                  r->f->name, r->rg, d->leaf->path);
        }
        if (records != (uint64_t)r->rg_rows)
            return os_err_set(err, OS_ECORRUPT, "%s: row group %ld column %s holds %llu rows, the row group says %lld",
                              r->f->name, r->rg, d->leaf->path, (unsigned long long)records,
                              (long long)r->rg_rows);
    }
    return 0;
}

void pq_reader_skip_all_null(pq_reader *r)
{
    r->skip_all_null = true;
}

/* Whether the statistics of row group rg say every projected column holds
 * nothing but nulls (no statistics: false). */
static bool all_null(const pq_reader *r, size_t rg)
{
    const pq_row_group *g = &r->f->rgs[rg];
    for (size_t i = 0; i < r->ncols; i++) {
        const pq_col_meta *m = &g->cols[r->leaves[i]->leaf_index];
        if (!m->stats.has_null_count || m->stats.null_count != m->num_values)
            return false;
    }
    return r->ncols > 0;
}

void pq_reader_set_threads(pq_reader *r, unsigned n)
{
    r->threads = n > 16 ? 16 : n;
}

/* Decoding the first page of every column of a paged group, shared out among
 * threads: each column is touched by exactly one of them. */
typedef struct predecode {
    pq_reader *r;
    atomic_size_t next;
} predecode;

static void *predecode_run(void *arg)
{
    predecode *p = arg;
    pq_reader *r = p->r;
    size_t i;
    while ((i = atomic_fetch_add(&p->next, 1)) < r->ncols) {
        pq_column *c = &r->cols[i];
        c->pre_rc = pq_column_next_page(c, r->f, &c->pre_err);
        c->pre_data = c->data;
        memset(&c->data, 0, sizeof c->data);   /* not handed out yet */
        c->data.leaf = c->leaf;
        c->pre_ready = true;
    }
    return NULL;
}

/* The columns of a row group are independent until their rows are walked
 * together, and every walk starts with each column's first page: decoding
 * those at once is where a checkpoint's time goes (a writer like DuckDB puts
 * a whole chunk in one page).  Memory stays one page per column.  A thread
 * that cannot be started leaves its share to the others. */
static void predecode_first_pages(pq_reader *r)
{
    predecode p = {.r = r};
    atomic_init(&p.next, 0);
    pthread_t tid[16];
    size_t started = 0;
    size_t want = r->threads - 1 < r->ncols - 1 ? r->threads - 1 : r->ncols - 1;
    for (size_t k = 0; k < want; k++) {
        if (pthread_create(&tid[started], NULL, predecode_run, &p) != 0)
            break;
        started++;
    }
    predecode_run(&p);
    for (size_t k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
}

/* Moves to the next row group and loads its projected columns, whole or
 * page by page.  1, 0 at the end, -1 with err. */
static int load_row_group(pq_reader *r, bool paged, os_err *err)
{
    pq_file *f = r->f;
    if (r->skip_all_null)
        while (r->rg + 1 < (long)f->nrgs && all_null(r, (size_t)(r->rg + 1)))
            r->rg++;
    if (r->rg + 1 >= (long)f->nrgs) {
        r->rg = (long)f->nrgs;
        r->rg_rows = r->row = 0;
        for (size_t i = 0; i < r->ncols; i++)
            pq_column_free(&r->cols[i]);
        return 0;
    }
    r->rg++;
    r->rg_rows = f->rgs[r->rg].num_rows;
    r->row = 0;
    for (size_t i = 0; i < r->ncols; i++) {
        if (pq_column_load(&r->cols[i], f, (size_t)r->rg, r->leaves[i], paged, err))
            return -1;
    }
    if (paged) {
        r->row = r->rg_rows;   /* records are not assembled from a paged group */
        if (r->threads > 1 && r->ncols > 1)
            predecode_first_pages(r);
        return 1;
    }
    if (check_counts(r, err))
        return -1;
    pq_assemble_reset(r);
    return 1;
}

int pq_reader_next_row_group(pq_reader *r, os_err *err)
{
    return load_row_group(r, false, err);
}

int pq_reader_next_row_group_paged(pq_reader *r, os_err *err)
{
    return load_row_group(r, true, err);
}

int pq_reader_next_page(pq_reader *r, size_t i, os_err *err)
{
    if (r->rg < 0 || r->rg >= (long)r->f->nrgs || i >= r->ncols)
        return os_err_set(err, OS_EINVAL, "%s: no row group loaded or no column %zu", r->f->name, i);
    pq_column *c = &r->cols[i];
    if (c->pre_ready) {
        c->pre_ready = false;
        c->data = c->pre_data;
        if (c->pre_rc < 0 && err != NULL)
            *err = c->pre_err;
        return c->pre_rc;
    }
    return pq_column_next_page(c, r->f, err);
}

static int next_row(pq_reader *r, const pq_value **row, os_err *err)
{
    while (r->rg < 0 || (r->rg < (long)r->f->nrgs && r->row >= r->rg_rows)) {
        int rc = pq_reader_next_row_group(r, err);
        if (rc <= 0)
            return rc;
    }
    if (r->rg >= (long)r->f->nrgs)
        return 0;
    if (!r->into)
        pq_row_mem_reset(&r->mem);
    if (pq_assemble_row(r, err))
        return -1;
    r->row++;
    *row = &r->root;
    return 1;
}

int pq_reader_next(pq_reader *r, const pq_value **row, os_err *err)
{
    r->into = NULL;
    return next_row(r, row, err);
}

int pq_reader_next_into(pq_reader *r, os_arena *arena, const pq_value **row, os_err *err)
{
    r->into = arena;
    int rc = next_row(r, row, err);
    r->into = NULL;
    if (rc > 0) {
        /* The root lives in the reader; give the caller its own copy. */
        pq_value *copy = os_arena_alloc(arena, sizeof *copy);
        if (copy == NULL)
            return os_err_set(err, OS_ENOMEM, "%s: out of memory", r->f->name);
        *copy = r->root;
        *row = copy;
    }
    return rc;
}
