/* cp_columns.c - the fast path for a checkpoint's add rows: reads the Parquet columns page by page, no record trees. */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/parquet/parquet.h"

/* Scalar fields of add, in the order of delta_file's members we fill. */
enum { S_PATH, S_SIZE, S_MTIME, S_DC, S_STATS, S_BRID, S_DRCV, S_CLUST,
       S_DV_TYPE, S_DV_PATH, S_DV_OFF, S_DV_SIZE, S_DV_CARD, S_N };
static const char *const scalar_paths[S_N] = {
    "add.path", "add.size", "add.modificationTime", "add.dataChange", "add.stats", "add.baseRowId",
    "add.defaultRowCommitVersion", "add.clusteringProvider", "add.deletionVector.storageType",
    "add.deletionVector.pathOrInlineDv", "add.deletionVector.offset",
    "add.deletionVector.sizeInBytes", "add.deletionVector.cardinality"};
/* Physical type each scalar must have: B bytes, I integer (32 or 64), O boolean. */
static const char scalar_kind[S_N] = {'B', 'I', 'I', 'O', 'B', 'I', 'I', 'B', 'B', 'B', 'I', 'I', 'I'};

enum { M_PV, M_TAGS, M_N };
static const char *const map_paths[M_N] = {"add.partitionValues", "add.tags"};

/* One projected leaf and where we stand in its current page. */
typedef struct cur {
    const pq_node *leaf;
    int col;                 /* reader column index, -1 when absent from the file */
    const pq_column_data *cd;
    size_t lvl, val;
} cur;

typedef struct fast {
    const char *key;
    pq_reader *r;
    const pq_node *add, *dv;
    cur s[S_N];
    struct { const pq_node *map, *kv; cur k, v; } m[M_N];
    int64_t row;
    /* per-row scratch: strings and map entries */
    os_buf strings;
    delta_kv *kv[M_N];
    size_t kvcap[M_N];
} fast;

static bool scalar_ok(const pq_node *n, const pq_node *parent, char kind)
{
    if (n == NULL || n->kind != PQ_NODE_PRIMITIVE || n->max_rep != 0 || n->parent != parent)
        return false;
    switch (kind) {
    case 'B': return n->physical == PQ_BYTE_ARRAY;
    case 'I': return n->physical == PQ_INT32 || n->physical == PQ_INT64;
    case 'O': return n->physical == PQ_BOOLEAN;
    }
    return false;
}

/* Checks the file has the shape this path reads; false means "use records". */
static bool shape_ok(pq_file *f, fast *x)
{
    x->add = pq_file_find(f, "add");
    if (x->add == NULL || x->add->kind != PQ_NODE_STRUCT || x->add->max_rep != 0 ||
        x->add->parent != pq_file_schema(f))
        return false;
    if (pq_file_find(f, "add.stats") == NULL && pq_file_find(f, "add.stats_parsed") != NULL)
        return false;   /* typed stats only: the record path rebuilds their JSON */
    x->dv = pq_file_find(f, "add.deletionVector");
    if (x->dv != NULL && (x->dv->kind != PQ_NODE_STRUCT || x->dv->parent != x->add))
        return false;
    for (int i = 0; i < S_N; i++) {
        const pq_node *n = pq_file_find(f, scalar_paths[i]);
        x->s[i].leaf = n;
        x->s[i].col = -1;
        if (n == NULL) {
            if (i == S_PATH)
                return false;
            continue;
        }
        if (!scalar_ok(n, i >= S_DV_TYPE ? x->dv : x->add, scalar_kind[i]))
            return false;
    }
    for (int i = 0; i < M_N; i++) {
        const pq_node *m = pq_file_find(f, map_paths[i]);
        x->m[i].map = m;
        x->m[i].k.col = x->m[i].v.col = -1;
        if (m == NULL)
            continue;
        if (m->kind != PQ_NODE_MAP || m->parent != x->add || m->max_rep != 0 || m->key == NULL ||
            m->value == NULL || m->key->kind != PQ_NODE_PRIMITIVE || m->value->kind != PQ_NODE_PRIMITIVE ||
            m->key->physical != PQ_BYTE_ARRAY || m->value->physical != PQ_BYTE_ARRAY ||
            m->key->max_rep != 1 || m->value->max_rep != 1 || m->key->parent == NULL ||
            m->key->parent != m->value->parent || m->key->parent->parent != m ||
            m->key->max_def != m->key->parent->max_def)   /* keys are required */
            return false;
        x->m[i].kv = m->key->parent;
        x->m[i].k.leaf = m->key;
        x->m[i].v.leaf = m->value;
    }
    return true;
}

static int corrupt(fast *x, const char *what, os_err *err)
{
    return os_err_set(err, OS_ECORRUPT, "%s row %lld: %s", x->key, (long long)x->row, what);
}

/* Definition level of the next entry (max when the column has none). */
static int def_at(const cur *c, size_t i)
{
    return c->cd->def ? c->cd->def[i] : c->leaf->max_def;
}

static int rep_at(const cur *c, size_t i)
{
    return c->cd->rep ? c->cd->rep[i] : 0;
}

/* Makes c->lvl a level entry of the current page, decoding the column's next
 * page when this one is used up.  1, 0 when the chunk has no more, -1 with err. */
static int have(fast *x, cur *c, os_err *err)
{
    while (c->lvl >= c->cd->num_levels) {
        int rc = pq_reader_next_page(x->r, (size_t)c->col, err);
        if (rc <= 0)
            return rc;
        c->lvl = c->val = 0;
    }
    return 1;
}

/* Takes one record's entry of a non-repeated leaf: 1 with a value, 0 null. */
static int take_scalar(fast *x, cur *c, const void **value, os_err *err)
{
    *value = NULL;
    if (c->col < 0)
        return 0;
    int h = have(x, c, err);
    if (h <= 0)
        return h < 0 ? -1 : corrupt(x, "a column ends early", err);
    int d = def_at(c, c->lvl++);
    if (d < c->leaf->max_def)
        return 0;
    if (c->val >= c->cd->num_values)
        return corrupt(x, "a column has fewer values than its levels say", err);
    size_t i = c->val++;
    switch (c->leaf->physical) {
    case PQ_BYTE_ARRAY: *value = (const pq_bytes *)c->cd->values + i; break;
    case PQ_INT32: *value = (const int32_t *)c->cd->values + i; break;
    case PQ_INT64: *value = (const int64_t *)c->cd->values + i; break;
    default: *value = (const uint8_t *)c->cd->values + i; break;
    }
    return 1;
}

static int64_t int_of(const cur *c, const void *v)
{
    return c->leaf->physical == PQ_INT32 ? *(const int32_t *)v : *(const int64_t *)v;
}

/* Room for a row's n bytes of strings; they are laid out only after every
 * length is known, so the buffer never moves under a handed-out string. */
static int scratch(fast *x, size_t n, os_err *err)
{
    os_buf_reset(&x->strings);
    if (os_buf_reserve(&x->strings, n) < 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

/* One record of a map.  The entries are copied as they are taken, since a
 * record may continue on the next page (which frees this one): key k is at
 * buf + k[i], its value at buf + v[i] (NUL-terminated), or null when v[i] is
 * SIZE_MAX.  Everything lives until the next record. */
typedef struct map_tmp {
    size_t *k, *v;
    size_t n, cap;
    os_buf buf;
} map_tmp;

/* Copies b, NUL-terminated, into t->buf; its offset goes to *off.  0 or -1
 * with err. */
static int map_copy(map_tmp *t, const pq_bytes *b, size_t *off, os_err *err)
{
    long at = os_buf_append_str0(&t->buf, b->ptr, b->len);
    if (at < 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    *off = (size_t)at;
    return 0;
}

static int take_map(fast *x, int i, map_tmp *t, os_err *err)
{
    t->n = 0;
    os_buf_reset(&t->buf);
    cur *kc = &x->m[i].k, *vc = &x->m[i].v;
    if (kc->col < 0)
        return 0;
    int entry_def = x->m[i].kv->max_def;
    bool first = true;
    for (;;) {
        int hk = have(x, kc, err);
        if (hk < 0)
            return -1;
        if (hk == 0 || (!first && rep_at(kc, kc->lvl) == 0))
            break;
        int hv = have(x, vc, err);
        if (hv < 0)
            return -1;
        if (hv == 0 || (!first && rep_at(vc, vc->lvl) == 0))
            return corrupt(x, "a map's keys and values disagree", err);
        first = false;
        int kd = def_at(kc, kc->lvl++);
        int vd = def_at(vc, vc->lvl++);
        if (kd < entry_def)
            continue;   /* null or empty map: one level entry, no values */
        if (kc->val >= kc->cd->num_values)
            return corrupt(x, "a map has fewer keys than its levels say", err);
        if (t->n == t->cap) {
            size_t nc = t->cap ? t->cap * 2 : 8;
            size_t *nk = realloc(t->k, nc * sizeof *nk);
            if (nk == NULL)
                return os_err_set(err, OS_ENOMEM, "out of memory");
            t->k = nk;
            size_t *nv = realloc(t->v, nc * sizeof *nv);
            if (nv == NULL)
                return os_err_set(err, OS_ENOMEM, "out of memory");
            t->v = nv;
            t->cap = nc;
        }
        if (map_copy(t, (const pq_bytes *)kc->cd->values + kc->val++, &t->k[t->n], err))
            return -1;
        t->v[t->n] = SIZE_MAX;
        if (vd >= vc->leaf->max_def) {
            if (vc->val >= vc->cd->num_values)
                return corrupt(x, "a map has fewer values than its levels say", err);
            if (map_copy(t, (const pq_bytes *)vc->cd->values + vc->val++, &t->v[t->n], err))
                return -1;
        }
        t->n++;
    }
    if (first)
        return corrupt(x, "a map column ends early", err);
    int hv = have(x, vc, err);
    if (hv < 0)
        return -1;
    if (hv > 0 && rep_at(vc, vc->lvl) > 0)
        return corrupt(x, "a map's keys and values disagree", err);
    return 0;
}

/* Appends b, NUL-terminated, to the row's strings.  scratch() reserved room
 * for the whole row, so appending never moves the strings already handed out. */
static const char *put(fast *x, const pq_bytes *b)
{
    if (b == NULL)
        return NULL;
    /* Stored straight into the reserved room (a call per string showed in
     * the million-file benchmark). */
    char *p = x->strings.data + x->strings.len;
    memcpy(p, b->ptr, b->len);
    p[b->len] = '\0';
    x->strings.len += b->len + 1;
    return p;
}

static int fill_map(fast *x, int i, const map_tmp *t, delta_map *out, os_err *err)
{
    out->items = NULL;
    out->n = 0;
    if (t->n == 0)
        return 0;
    if (t->n > x->kvcap[i]) {
        delta_kv *n = realloc(x->kv[i], t->n * sizeof *n);
        if (n == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        x->kv[i] = n;
        x->kvcap[i] = t->n;
    }
    for (size_t k = 0; k < t->n; k++) {
        x->kv[i][k].key = t->buf.data + t->k[k];
        x->kv[i][k].value = t->v[k] == SIZE_MAX ? NULL : t->buf.data + t->v[k];
    }
    out->items = x->kv[i];
    out->n = t->n;
    return 0;
}

/* Converts the loaded row group. */
static int rows(fast *x, int64_t nrows, map_tmp *mt, dl_action_cb cb, void *ctx, bool *stop, os_err *err)
{
    for (int64_t r = 0; r < nrows && !*stop; r++) {
        x->row++;
        cur *pc = &x->s[S_PATH];
        int h = have(x, pc, err);
        if (h <= 0)
            return h < 0 ? -1 : corrupt(x, "a column ends early", err);
        bool present = def_at(pc, pc->lvl) >= x->add->max_def;
        const void *v[S_N];
        size_t need = 0;
        for (int i = 0; i < S_N; i++) {
            int got = take_scalar(x, &x->s[i], &v[i], err);
            if (got < 0)
                return -1;
            if (got && scalar_kind[i] == 'B')
                need += ((const pq_bytes *)v[i])->len + 1;
        }
        for (int i = 0; i < M_N; i++) {
            if (take_map(x, i, &mt[i], err) < 0)
                return -1;
        }
        if (!present)
            continue;
        if (v[S_PATH] == NULL)
            return corrupt(x, "add.path is missing", err);
        if (scratch(x, need, err) < 0)
            return -1;
        delta_action a;
        memset(&a, 0, sizeof a);
        a.kind = DELTA_ACT_ADD;
        delta_file *f = &a.u.file;
        f->kind = DELTA_FILE_ADD;
        f->path = put(x, v[S_PATH]);
        if (f->path[0] == '\0')
            return corrupt(x, "add.path is empty", err);
        if (v[S_SIZE] == NULL)
            return corrupt(x, "add.size is missing", err);
        f->has_size = true;
        f->size = int_of(&x->s[S_SIZE], v[S_SIZE]);
        if (f->size < 0)
            return corrupt(x, "add.size is negative", err);
        if (v[S_MTIME]) {
            f->has_modification_time = true;
            f->modification_time = int_of(&x->s[S_MTIME], v[S_MTIME]);
        }
        f->data_change = v[S_DC] ? *(const uint8_t *)v[S_DC] != 0 : false;
        f->stats = put(x, v[S_STATS]);
        if (v[S_BRID]) {
            f->has_base_row_id = true;
            f->base_row_id = int_of(&x->s[S_BRID], v[S_BRID]);
        }
        if (v[S_DRCV]) {
            f->has_default_row_commit_version = true;
            f->default_row_commit_version = int_of(&x->s[S_DRCV], v[S_DRCV]);
        }
        f->clustering_provider = put(x, v[S_CLUST]);
        if (v[S_DV_TYPE] || v[S_DV_PATH] || v[S_DV_SIZE] || v[S_DV_CARD]) {
            const pq_bytes *st = v[S_DV_TYPE];
            if (st == NULL || !dl_dv_storage_type_ok((const char *)st->ptr, st->len))
                return corrupt(x, "add.deletionVector.storageType is not one of u, p, i", err);
            if (v[S_DV_PATH] == NULL || v[S_DV_SIZE] == NULL || v[S_DV_CARD] == NULL)
                return corrupt(x, "add.deletionVector is incomplete", err);
            int64_t off64 = v[S_DV_OFF] ? int_of(&x->s[S_DV_OFF], v[S_DV_OFF]) : 0;
            if (dl_dv_set(f, (char)st->ptr[0], put(x, v[S_DV_PATH]), v[S_DV_OFF] != NULL, off64,
                          int_of(&x->s[S_DV_SIZE], v[S_DV_SIZE]), int_of(&x->s[S_DV_CARD], v[S_DV_CARD])) < 0)
                return corrupt(x, "add.deletionVector has a value out of range", err);
        }
        if (fill_map(x, M_PV, &mt[M_PV], &f->partition_values, err) < 0 ||
            fill_map(x, M_TAGS, &mt[M_TAGS], &f->tags, err) < 0)
            return -1;
        int rc = cb(ctx, &a, err);
        if (rc < 0)
            return -1;
        if (rc > 0)
            *stop = true;
    }
    return 0;
}

/* After a row group's rows: a column with levels left holds more rows than
 * the row group says. */
static int check_drained(fast *x, os_err *err)
{
    cur *all[S_N + 2 * M_N];
    size_t n = 0;
    for (int i = 0; i < S_N; i++)
        all[n++] = &x->s[i];
    for (int i = 0; i < M_N; i++) {
        all[n++] = &x->m[i].k;
        all[n++] = &x->m[i].v;
    }
    for (size_t i = 0; i < n; i++) {
        if (all[i]->col < 0)
            continue;
        int h = have(x, all[i], err);
        if (h < 0)
            return -1;
        if (h > 0)
            return os_err_set(err, OS_ECORRUPT, "%s: row group %ld column %s holds more rows than the row group says",
                              x->key, pq_reader_row_group_index(x->r), all[i]->leaf->path);
    }
    return 0;
}

int dl_cp_columns_read(const delta_table *t, pq_file *f, const char *key,
                       dl_action_cb cb, void *ctx, os_err *err)
{
    fast x;
    memset(&x, 0, sizeof x);
    x.key = key;
    if (!shape_ok(f, &x))
        return 0;
    const char *cols[S_N + M_N];
    size_t n = 0;
    for (int i = 0; i < S_N; i++)
        if (x.s[i].leaf)
            cols[n++] = scalar_paths[i];
    for (int i = 0; i < M_N; i++)
        if (x.m[i].map)
            cols[n++] = map_paths[i];
    pq_reader *r = pq_reader_open(f, cols, n, err);
    if (r == NULL)
        return -1;
    x.r = r;
    pq_reader_set_threads(r, t->limits.checkpoint_threads);
    for (size_t i = 0; i < pq_reader_num_columns(r); i++) {
        const pq_node *leaf = pq_reader_column(r, i);
        for (int k = 0; k < S_N; k++)
            if (x.s[k].leaf == leaf)
                x.s[k].col = (int)i;
        for (int k = 0; k < M_N; k++) {
            if (x.m[k].k.leaf == leaf)
                x.m[k].k.col = (int)i;
            if (x.m[k].v.leaf == leaf)
                x.m[k].v.col = (int)i;
        }
    }
    int rc = 0;
    map_tmp mt[M_N];
    memset(mt, 0, sizeof mt);
    bool stop = false;
    if (x.s[S_PATH].col < 0)
        rc = corrupt(&x, "add.path was not projected", err);
    while (rc == 0 && !stop) {
        int got = pq_reader_next_row_group_paged(r, err);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (got == 0)
            break;
        for (int i = 0; i < S_N; i++) {
            x.s[i].lvl = x.s[i].val = 0;
            x.s[i].cd = x.s[i].col >= 0 ? pq_reader_column_data(r, (size_t)x.s[i].col) : NULL;
            if (x.s[i].col >= 0 && x.s[i].cd == NULL)
                rc = corrupt(&x, "a column has no data", err);
        }
        for (int i = 0; i < M_N; i++) {
            cur *cs[2] = {&x.m[i].k, &x.m[i].v};
            for (int j = 0; j < 2; j++) {
                cs[j]->lvl = cs[j]->val = 0;
                cs[j]->cd = cs[j]->col >= 0 ? pq_reader_column_data(r, (size_t)cs[j]->col) : NULL;
                if (cs[j]->col >= 0 && cs[j]->cd == NULL)
                    rc = corrupt(&x, "a column has no data", err);
            }
            if (x.m[i].k.col < 0 && x.m[i].v.col >= 0)
                x.m[i].v.col = -1;
        }
        if (rc == 0)
            rc = rows(&x, pq_reader_row_group_rows(r), mt, cb, ctx, &stop, err);
        if (rc == 0 && !stop)
            rc = check_drained(&x, err);
    }
    for (int i = 0; i < M_N; i++) {
        free(mt[i].k);
        free(mt[i].v);
        os_buf_free(&mt[i].buf);
        free(x.kv[i]);
    }
    os_buf_free(&x.strings);
    pq_reader_close(r);
    return rc < 0 ? -1 : 1;
}
