/* assemble.c - rebuilds nested records (structs, lists, maps, nulls) from repetition and definition levels. */
#include "formats/parquet/reader.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ planning */

typedef struct plan_ctx {
    pq_reader *r;
    const bool *selected;
    const int *col_of_leaf;
    os_err *err;
} plan_ctx;

static pq_plan *plan_new(plan_ctx *c, plan_kind kind, const pq_node *node)
{
    pq_plan *p = os_arena_alloc(&c->r->plan_arena, sizeof *p);
    if (p == NULL) {
        os_err_set(c->err, OS_ENOMEM, "%s: out of memory planning the read", c->r->f->name);
        return NULL;
    }
    p->kind = kind;
    p->node = node;
    p->col = -1;
    p->first_col = -1;
    p->slot_rep = node->max_rep;
    return p;
}

static int plan_cols(plan_ctx *c, pq_plan *p, const pq_node *n)
{
    /* Collect every projected column under node n. */
    size_t cnt = 0;
    for (size_t i = 0; i < c->r->ncols; i++) {
        const pq_node *leaf = c->r->leaves[i];
        for (const pq_node *a = leaf; a; a = a->parent)
            if (a == n) {
                cnt++;
                break;
            }
    }
    p->cols = os_arena_alloc(&c->r->plan_arena, (cnt ? cnt : 1) * sizeof *p->cols);
    if (p->cols == NULL)
        return os_err_set(c->err, OS_ENOMEM, "%s: out of memory planning the read", c->r->f->name);
    for (size_t i = 0; i < c->r->ncols; i++) {
        const pq_node *leaf = c->r->leaves[i];
        for (const pq_node *a = leaf; a; a = a->parent)
            if (a == n) {
                p->cols[p->ncols++] = (int)i;
                break;
            }
    }
    p->first_col = p->ncols ? p->cols[0] : -1;
    return 0;
}

static pq_plan *compile(plan_ctx *c, const pq_node *n, int *failed);

/* The plan of n's own shape, ignoring its repetition. */
static pq_plan *compile_inner(plan_ctx *c, const pq_node *n, int *failed)
{
    pq_plan *p = NULL;
    switch (n->kind) {
    case PQ_NODE_PRIMITIVE:
        if (!c->selected[n->leaf_index])
            return NULL;
        if ((p = plan_new(c, PLAN_PRIM, n)) == NULL)
            break;
        p->col = c->col_of_leaf[n->leaf_index];
        break;
    case PQ_NODE_LIST: {
        const pq_node *mid = n->children[0];
        pq_plan *elem = n->element == mid ? compile_inner(c, mid, failed) : compile(c, n->element, failed);
        if (elem == NULL || (p = plan_new(c, PLAN_LIST, n)) == NULL)
            break;
        p->elem = elem;
        p->rep_def = mid->max_def;
        p->rep_rep = mid->max_rep;
        p->slot_rep = mid->max_rep - 1;
        break;
    }
    case PQ_NODE_MAP: {
        const pq_node *mid = n->children[0];
        pq_plan *k = compile(c, n->key, failed);
        if (*failed)
            return NULL;
        pq_plan *v = n->value ? compile(c, n->value, failed) : NULL;
        if (*failed || (k == NULL && v == NULL))
            return NULL;
        if (k == NULL) {
            os_err_set(c->err, OS_EINTERNAL, "%s: map %s projected without its keys", c->r->f->name, n->path);
            *failed = 1;
            return NULL;
        }
        if ((p = plan_new(c, PLAN_MAP, n)) == NULL)
            break;
        p->key = k;
        p->val = v;
        p->rep_def = mid->max_def;
        p->rep_rep = mid->max_rep;
        p->slot_rep = mid->max_rep - 1;
        break;
    }
    case PQ_NODE_STRUCT: {
        size_t k = 0;
        pq_plan **fields = os_arena_alloc(&c->r->plan_arena, (n->num_children + 1) * sizeof *fields);
        if (fields == NULL) {
            os_err_set(c->err, OS_ENOMEM, "%s: out of memory planning the read", c->r->f->name);
            *failed = 1;
            return NULL;
        }
        for (size_t i = 0; i < n->num_children; i++) {
            pq_plan *f = compile(c, n->children[i], failed);
            if (*failed)
                return NULL;
            if (f)
                fields[k++] = f;
        }
        if (k == 0 && n->parent != NULL)
            return NULL;
        if ((p = plan_new(c, PLAN_STRUCT, n)) == NULL)
            break;
        p->fields = fields;
        p->nfields = k;
        break;
    }
    }
    if (*failed)
        return NULL;
    if (p == NULL) {
        if (c->err->code == OS_ENOMEM)
            *failed = 1;
        return NULL;
    }
    if (plan_cols(c, p, n)) {
        *failed = 1;
        return NULL;
    }
    return p;
}

static pq_plan *compile(plan_ctx *c, const pq_node *n, int *failed)
{
    pq_plan *inner = compile_inner(c, n, failed);
    if (inner == NULL)
        return NULL;
    if (n->repetition == PQ_REPEATED) {
        /* A bare repeated field reads as a list of its values. */
        pq_plan *p = plan_new(c, PLAN_LIST, n);
        if (p == NULL || plan_cols(c, p, n)) {
            *failed = 1;
            return NULL;
        }
        p->elem = inner;
        p->rep_def = n->max_def;
        p->rep_rep = n->max_rep;
        p->slot_rep = n->max_rep - 1;
        return p;
    }
    if (n->repetition == PQ_OPTIONAL) {
        inner->nullable = true;
        inner->null_def = n->max_def;
    }
    return inner;
}

int pq_plan_build(pq_reader *r, const bool *selected, os_err *err)
{
    pq_file *f = r->f;
    int *col_of_leaf = os_arena_alloc(&r->plan_arena, (f->nleaves + 1) * sizeof *col_of_leaf);
    if (col_of_leaf == NULL)
        return os_err_set(err, OS_ENOMEM, "%s: out of memory planning the read", f->name);
    for (size_t i = 0, k = 0; i < f->nleaves; i++)
        col_of_leaf[i] = selected[i] ? (int)k++ : -1;
    os_err_clear(err);
    plan_ctx c = {r, selected, col_of_leaf, err};
    int failed = 0;
    r->plan = compile_inner(&c, f->root, &failed);
    if (failed || r->plan == NULL)
        return err->code ? -1 : os_err_set(err, OS_EINTERNAL, "%s: cannot plan the read", f->name);
    return 0;
}

/* ------------------------------------------------------------ row memory */

#define ROW_BLOCK (64 * 1024)

void pq_row_mem_reset(row_mem *m)
{
    m->cur = 0;
    m->used = 0;
}

void pq_row_mem_free(row_mem *m)
{
    for (size_t i = 0; i < m->nblocks; i++)
        free(m->blocks[i]);
    free(m->blocks);
    memset(m, 0, sizeof *m);
}

/* Block i of a row_mem is ROW_BLOCK << min(i, 16) bytes. */
static size_t block_size(size_t i)
{
    return (size_t)ROW_BLOCK << (i < 16 ? i : 16);
}

static void *row_alloc(pq_reader *r, size_t n)
{
    if (r->into)
        return os_arena_alloc(r->into, n);
    row_mem *m = &r->mem;
    n = (n + 15) & ~(size_t)15;
    for (;;) {
        if (m->cur < m->nblocks && block_size(m->cur) - m->used >= n) {
            void *p = m->blocks[m->cur] + m->used;
            m->used += n;
            return p;
        }
        if (m->cur < m->nblocks && m->used > 0) {
            m->cur++;
            m->used = 0;
            continue;
        }
        if (m->cur < m->nblocks) /* an empty block too small for n */
            m->cur++;
        if (m->cur >= m->nblocks) {
            if (n > block_size(m->nblocks) && m->nblocks >= 16)
                return NULL; /* beyond 4 GiB for one record */
            uint8_t **nb = realloc(m->blocks, (m->nblocks + 1) * sizeof *nb);
            if (nb == NULL)
                return NULL;
            m->blocks = nb;
            if ((nb[m->nblocks] = malloc(block_size(m->nblocks))) == NULL)
                return NULL;
            m->nblocks++;
        }
    }
}

/* ------------------------------------------------------------ assembly */

void pq_assemble_reset(pq_reader *r)
{
    for (size_t i = 0; i < r->ncols; i++) {
        const pq_column_data *d = &r->cols[i].data;
        pq_cursor *c = &r->cur[i];
        c->def = d->def;
        c->rep = d->rep;
        c->values = d->values;
        c->nlev = d->num_levels;
        c->nval = d->num_values;
        c->lpos = c->vpos = 0;
        c->max_def = d->leaf->max_def;
        c->phys = d->leaf->physical;
        c->vsize = pq_value_size(d->leaf->physical);
    }
}

static int corrupt(pq_reader *r, int col, const char *what, os_err *err)
{
    return os_err_set(err, OS_ECORRUPT, "%s: row group %ld column %s: %s", r->f->name, r->rg,
                      r->leaves[col]->path, what);
}

/* After the level entry of a null or empty value that starts at repetition
 * level slot_rep, consumes the entries that follow it at deeper levels.  A
 * valid file has none (a deeper level continues a list inside the value), but
 * DuckDB writes a fixed-size ARRAY that is null, or sits under a null, as one
 * entry per element: [0/0 1/0 1/0] for a null INTEGER[3].  Those entries must
 * define nothing at or below the value (definition level < lim). */
static int skip_padding(pq_reader *r, int col, int slot_rep, int lim, os_err *err)
{
    pq_cursor *c = &r->cur[col];
    while (c->lpos < c->nlev && c->rep[c->lpos] > slot_rep) {
        if ((c->def ? c->def[c->lpos] : c->max_def) >= lim)
            return corrupt(r, col, "a value where its parent is null", err);
        c->lpos++;
    }
    return 0;
}

/* The slot of p is null or empty (its definition level is below lim): every
 * column under p has one level entry for it, and perhaps padding after it. */
static int skip(pq_reader *r, const pq_plan *p, int lim, os_err *err)
{
    for (size_t i = 0; i < p->ncols; i++) {
        int col = p->cols[i];
        pq_cursor *c = &r->cur[col];
        if (c->lpos >= c->nlev)
            return corrupt(r, col, "fewer levels than records need", err);
        if ((c->def ? c->def[c->lpos] : c->max_def) >= c->max_def)
            return corrupt(r, col, "a value where its parent is null", err);
        c->lpos++;
        if (c->rep && skip_padding(r, col, p->slot_rep, lim, err))
            return -1;
    }
    return 0;
}

static int set_bytes(pq_reader *r, pq_value *out, pq_bytes b, os_err *err)
{
    out->kind = PQ_VAL_BYTES;
    if (r->into && b.len) {
        uint8_t *p = os_arena_alloc(r->into, b.len);
        if (p == NULL)
            return os_err_set(err, OS_ENOMEM, "%s: out of memory copying a value", r->f->name);
        memcpy(p, b.ptr, b.len);
        b.ptr = p;
    }
    out->u.bytes = b;
    return 0;
}

static int build(pq_reader *r, const pq_plan *p, pq_value *out, os_err *err);

static inline int build_prim(pq_reader *r, const pq_plan *p, pq_value *out, int d, os_err *err)
{
    int col = p->col;
    pq_cursor *c = &r->cur[col];
    if (d != c->max_def)
        return corrupt(r, col, "a missing value in a required position", err);
    size_t vi = c->vpos++;
    c->lpos++;
    if (vi >= c->nval)
        return corrupt(r, col, "fewer values than definition levels say", err);
    switch (c->phys) {
    case PQ_BOOLEAN:
        out->kind = PQ_VAL_BOOL;
        out->u.b = c->values[vi] != 0;
        return 0;
    case PQ_INT32:
        out->kind = PQ_VAL_INT32;
        memcpy(&out->u.i32, c->values + vi * 4, 4);
        return 0;
    case PQ_INT64:
        out->kind = PQ_VAL_INT64;
        memcpy(&out->u.i64, c->values + vi * 8, 8);
        return 0;
    case PQ_FLOAT:
        out->kind = PQ_VAL_FLOAT;
        memcpy(&out->u.f, c->values + vi * 4, 4);
        return 0;
    case PQ_DOUBLE:
        out->kind = PQ_VAL_DOUBLE;
        memcpy(&out->u.d, c->values + vi * 8, 8);
        return 0;
    default:
        if (r->into)
            return set_bytes(r, out, ((const pq_bytes *)c->values)[vi], err);
        out->kind = PQ_VAL_BYTES;
        out->u.bytes = ((const pq_bytes *)c->values)[vi];
        return 0;
    }
}

/* Counts the elements of the repeated slot starting at the column cursor. */
static size_t count_elems(const pq_cursor *c, int rep)
{
    size_t n = 1;
    for (size_t i = c->lpos + 1; i < c->nlev && c->rep[i] >= rep; i++)
        n += c->rep[i] == rep;
    return n;
}

static int build_repeated(pq_reader *r, const pq_plan *p, pq_value *out, int d, os_err *err)
{
    int col = p->first_col;
    if (d < p->rep_def) { /* empty list or map */
        if (p->kind == PLAN_LIST) {
            out->kind = PQ_VAL_LIST;
            out->u.list.n = 0;
        } else {
            out->kind = PQ_VAL_MAP;
            out->u.map.n = 0;
        }
        return skip(r, p, p->rep_def, err);
    }
    const pq_cursor *c = &r->cur[col];
    size_t n = count_elems(c, p->rep_rep);
    pq_value *a = row_alloc(r, n * sizeof *a * (p->kind == PLAN_MAP ? 2 : 1));
    if (a == NULL)
        return os_err_set(err, OS_ENOMEM, "%s: out of memory assembling a record", r->f->name);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (c->lpos >= c->nlev || c->rep[c->lpos] != p->rep_rep))
            return corrupt(r, col, "repetition levels disagree between columns", err);
        if (p->kind == PLAN_LIST) {
            if (build(r, p->elem, &a[i], err))
                return -1;
        } else {
            if (build(r, p->key, &a[i], err))
                return -1;
            if (p->val) {
                if (build(r, p->val, &a[n + i], err))
                    return -1;
            } else {
                a[n + i].kind = PQ_VAL_NULL;
                a[n + i].node = NULL;
            }
        }
    }
    if (p->kind == PLAN_LIST) {
        out->kind = PQ_VAL_LIST;
        out->u.list.items = a;
        out->u.list.n = (uint32_t)n;
    } else {
        out->kind = PQ_VAL_MAP;
        out->u.map.keys = a;
        out->u.map.values = a + n;
        out->u.map.n = (uint32_t)n;
    }
    return 0;
}

static int build(pq_reader *r, const pq_plan *p, pq_value *out, os_err *err)
{
    out->node = p->node;
    int col = p->first_col;
    const pq_cursor *c = &r->cur[col];
    if (c->lpos >= c->nlev)
        return corrupt(r, col, "fewer levels than records need", err);
    int d = c->def ? c->def[c->lpos] : c->max_def;
    if (p->nullable && d < p->null_def) {
        out->kind = PQ_VAL_NULL;
        if (p->ncols == 1) { /* the common case: skip one column inline */
            pq_cursor *w = &r->cur[col];
            w->lpos++;
            if (w->rep && w->lpos < w->nlev && w->rep[w->lpos] > p->slot_rep)
                return skip_padding(r, col, p->slot_rep, p->null_def, err);
            return 0;
        }
        return skip(r, p, p->null_def, err);
    }
    switch (p->kind) {
    case PLAN_PRIM:
        return build_prim(r, p, out, d, err);
    case PLAN_STRUCT: {
        pq_value *f = row_alloc(r, (p->nfields ? p->nfields : 1) * sizeof *f);
        if (f == NULL)
            return os_err_set(err, OS_ENOMEM, "%s: out of memory assembling a record", r->f->name);
        for (size_t i = 0; i < p->nfields; i++)
            if (build(r, p->fields[i], &f[i], err))
                return -1;
        out->kind = PQ_VAL_STRUCT;
        out->u.strct.fields = f;
        out->u.strct.n = (uint32_t)p->nfields;
        return 0;
    }
    default:
        return build_repeated(r, p, out, d, err);
    }
}

int pq_assemble_row(pq_reader *r, os_err *err)
{
    const pq_plan *p = r->plan;
    pq_value *f = row_alloc(r, (p->nfields ? p->nfields : 1) * sizeof *f);
    if (f == NULL)
        return os_err_set(err, OS_ENOMEM, "%s: out of memory assembling a record", r->f->name);
    for (size_t i = 0; i < r->ncols; i++) {
        const pq_cursor *c = &r->cur[i];
        if (c->lpos >= c->nlev)
            return corrupt(r, (int)i, "fewer levels than rows", err);
        if (c->rep && c->rep[c->lpos] != 0)
            return corrupt(r, (int)i, "a record does not start at repetition level 0", err);
        /* Rows walk many columns at once, more streams than the hardware tracks:
         * fetch each column's levels and values a little ahead. */
        if (c->def && c->lpos + 256 < c->nlev)
            __builtin_prefetch(c->def + c->lpos + 256);
        if (c->vpos + 32 < c->nval)
            __builtin_prefetch(c->values + (c->vpos + 32) * c->vsize);
    }
    for (size_t i = 0; i < p->nfields; i++)
        if (build(r, p->fields[i], &f[i], err))
            return -1;
    r->root.kind = PQ_VAL_STRUCT;
    r->root.node = p->node;
    r->root.u.strct.fields = f;
    r->root.u.strct.n = (uint32_t)p->nfields;
    return 0;
}
