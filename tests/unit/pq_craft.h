/* pq_craft.h - writes small Parquet files byte by byte for tests: a Thrift compact writer and a
 * builder of uncompressed v1 PLAIN files whose column chunks may be split into pages anywhere. */
#ifndef OS_TESTS_PQ_CRAFT_H
#define OS_TESTS_PQ_CRAFT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define PQC_UNUSED __attribute__((unused))

typedef struct tw {
    uint8_t b[1 << 18];
    size_t n;
    int16_t last[64];
    int depth;
} tw;

static PQC_UNUSED void tw_byte(tw *w, uint8_t c) { w->b[w->n++] = c; }
static PQC_UNUSED void tw_varint(tw *w, uint64_t v)
{
    while (v >= 0x80) {
        tw_byte(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    tw_byte(w, (uint8_t)v);
}
static PQC_UNUSED void tw_zz(tw *w, int64_t v) { tw_varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); }
static PQC_UNUSED void tw_field(tw *w, int id, int type)
{
    int delta = id - w->last[w->depth];
    if (delta > 0 && delta <= 15) {
        tw_byte(w, (uint8_t)(delta << 4 | type));
    } else {
        tw_byte(w, (uint8_t)type);
        tw_zz(w, id);
    }
    w->last[w->depth] = (int16_t)id;
}
static PQC_UNUSED void tw_i32(tw *w, int id, int64_t v) { tw_field(w, id, 5); tw_zz(w, v); }
static PQC_UNUSED void tw_i64(tw *w, int id, int64_t v) { tw_field(w, id, 6); tw_zz(w, v); }
static PQC_UNUSED void tw_str(tw *w, int id, const char *s)
{
    tw_field(w, id, 8);
    tw_varint(w, strlen(s));
    memcpy(w->b + w->n, s, strlen(s));
    w->n += strlen(s);
}
static PQC_UNUSED void tw_begin(tw *w, int id) { if (id) tw_field(w, id, 12); w->last[++w->depth] = 0; }
static PQC_UNUSED void tw_end(tw *w) { tw_byte(w, 0); w->depth--; }
static PQC_UNUSED void tw_list(tw *w, int id, int type, unsigned n)
{
    tw_field(w, id, 9);
    if (n < 15)
        tw_byte(w, (uint8_t)(n << 4 | type));
    else {
        tw_byte(w, (uint8_t)(0xf0 | type));
        tw_varint(w, n);
    }
}
static PQC_UNUSED void tw_elem_begin(tw *w) { w->last[++w->depth] = 0; }

/* One leaf column of the single data row group: its level entries, its non-null
 * values, and where pages start (level indexes, ascending; none: one page). */
typedef struct gcol {
    int physical;            /* 1 INT32, 2 INT64, 6 BYTE_ARRAY */
    int max_def, max_rep;
    int n;                   /* level entries */
    const uint8_t *rep, *def;
    const int32_t *ivals;    /* non-null values (INT32 and INT64) */
    const char *const *svals;
    int nvals;
    const int *page_starts;  /* levels where a new page begins (after 0), or NULL */
    int npage_starts;
    int64_t null_count;      /* written as the chunk's statistics when stats is set */
    bool stats;
} gcol;

typedef struct gelem {
    const char *name;
    int type;                /* -1 group */
    int repetition;          /* -1 root */
    int children;            /* groups */
    int converted;           /* -1 none */
} gelem;

static PQC_UNUSED void put_levels(tw *w, const uint8_t *lv, int n, int max)
{
    /* RLE runs of one value each: valid hybrid data, simple to write */
    int bytes = (max > 0) ? 1 : 0;
    uint32_t len = (uint32_t)(n * (1 + bytes));
    memcpy(w->b + w->n, &len, 4);
    w->n += 4;
    for (int i = 0; i < n; i++) {
        tw_byte(w, 2);
        tw_byte(w, lv[i]);
    }
}

/* Writes one uncompressed v1 PLAIN data page of levels [from, to) of g, whose
 * values start at value index *vi (advanced past them). */
static PQC_UNUSED void put_page(tw *w, const gcol *g, int from, int to, int *vi)
{
    static tw body;
    body.n = 0;
    int n = to - from;
    if (g->max_rep)
        put_levels(&body, g->rep + from, n, g->max_rep);
    if (g->max_def)
        put_levels(&body, g->def + from, n, g->max_def);
    for (int i = from; i < to; i++) {
        if (g->max_def && g->def[i] < g->max_def)
            continue;
        int v = (*vi)++;
        if (g->physical == 1) {
            memcpy(body.b + body.n, &g->ivals[v], 4);
            body.n += 4;
        } else if (g->physical == 2) {
            int64_t x = g->ivals[v];
            memcpy(body.b + body.n, &x, 8);
            body.n += 8;
        } else {
            uint32_t l = (uint32_t)strlen(g->svals[v]);
            memcpy(body.b + body.n, &l, 4);
            memcpy(body.b + body.n + 4, g->svals[v], l);
            body.n += 4 + l;
        }
    }
    tw_begin(w, 0);
    tw_i32(w, 1, 0);
    tw_i32(w, 2, (int64_t)body.n);
    tw_i32(w, 3, (int64_t)body.n);
    tw_begin(w, 5);
    tw_i32(w, 1, n);
    tw_i32(w, 2, 0);
    tw_i32(w, 3, 3);
    tw_i32(w, 4, 3);
    tw_end(w);
    tw_end(w);
    memcpy(w->b + w->n, body.b, body.n);
    w->n += body.n;
}

/* Writes a file with an empty row group and then one holding every column,
 * each chunk split into pages at g->page_starts.  Returns the file size. */
static PQC_UNUSED size_t build_generic(const gelem *el, int nel, const gcol *cols, int ncols, int64_t rows, uint8_t *out)
{
    static tw w;
    memset(&w, 0, sizeof w);
    memcpy(w.b, "PAR1", 4);
    w.n = 4;
    size_t at[16], len[16];
    for (int c = 0; c < ncols; c++) {
        const gcol *g = &cols[c];
        at[c] = w.n;
        int from = 0, vi = 0;
        for (int k = 0; k <= g->npage_starts; k++) {
            int to = k < g->npage_starts ? g->page_starts[k] : g->n;
            put_page(&w, g, from, to, &vi);
            from = to;
        }
        len[c] = w.n - at[c];
    }
    size_t footer_at = w.n;
    tw_begin(&w, 0);
    tw_i32(&w, 1, 1);
    tw_list(&w, 2, 12, (unsigned)nel);
    for (int i = 0; i < nel; i++) {
        tw_elem_begin(&w);
        if (el[i].type >= 0)
            tw_i32(&w, 1, el[i].type);
        if (el[i].repetition >= 0)
            tw_i32(&w, 3, el[i].repetition);
        tw_str(&w, 4, el[i].name);
        if (el[i].children > 0)
            tw_i32(&w, 5, el[i].children);
        if (el[i].converted >= 0)
            tw_i32(&w, 6, el[i].converted);
        tw_end(&w);
    }
    tw_i64(&w, 3, rows);
    /* an empty row group first, then the one with the data */
    tw_list(&w, 4, 12, 2);
    for (int g = 0; g < 2; g++) {
        tw_elem_begin(&w);
        tw_list(&w, 1, 12, (unsigned)ncols);
        for (int c = 0; c < ncols; c++) {
            tw_elem_begin(&w);
            tw_i64(&w, 2, (int64_t)at[c]);
            tw_begin(&w, 3);
            tw_i32(&w, 1, cols[c].physical);
            tw_list(&w, 2, 5, 1);
            tw_zz(&w, 0);
            tw_list(&w, 3, 8, 1);
            tw_varint(&w, 1);
            tw_byte(&w, 'x');
            w.last[w.depth] = 3;
            tw_i32(&w, 4, 0);
            tw_i64(&w, 5, g ? cols[c].n : 0);
            tw_i64(&w, 6, g ? (int64_t)len[c] : 0);
            tw_i64(&w, 7, g ? (int64_t)len[c] : 0);
            tw_i64(&w, 9, (int64_t)at[c]);
            if (cols[c].stats) {
                tw_begin(&w, 12);
                tw_i64(&w, 3, g ? cols[c].null_count : 0);
                tw_end(&w);
            }
            tw_end(&w);
            tw_end(&w);
        }
        tw_i64(&w, 3, g ? rows : 0);
        tw_end(&w);
    }
    tw_end(&w);
    uint32_t flen = (uint32_t)(w.n - footer_at);
    memcpy(w.b + w.n, &flen, 4);
    memcpy(w.b + w.n + 4, "PAR1", 4);
    w.n += 8;
    memcpy(out, w.b, w.n);
    return w.n;
}


#endif
