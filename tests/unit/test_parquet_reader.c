/* test_parquet_reader.c - opening files, schema and projection, rows and columns, and hostile files
 * (truncations, flipped bytes, crafted footers and pages) that must fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/parquet/parquet.h"
#include "pq_craft.h"

/* ------------------------------------------------------------ helpers */

static uint8_t *load(const char *name, size_t *len)
{
    const char *top = getenv("OS_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/parquet_pages/%s", top ? top : ".", name);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *d = malloc(*len);
    assert_int_equal(fread(d, 1, *len, fp), *len);
    fclose(fp);
    return d;
}

/* Reads every column page by page; returns the level entries seen, or -1 with err. */
static long read_paged(const uint8_t *data, size_t len, os_err *err)
{
    pq_source src;
    pq_source_init_mem(&src, data, len, "t.parquet");
    pq_options opts = {.max_chunk_bytes = 64u << 20};
    pq_file *f = pq_file_open(&src, &opts, err);
    if (f == NULL)
        return -1;
    pq_reader *r = pq_reader_open(f, NULL, 0, err);
    long n = 0;
    int rc = r ? 1 : -1;
    if (r)
        pq_reader_set_threads(r, 3);   /* errors must surface from the threads too */
    while (rc > 0 && (rc = pq_reader_next_row_group_paged(r, err)) > 0) {
        for (size_t i = 0; i < pq_reader_num_columns(r) && rc > 0; i++) {
            int pr;
            while ((pr = pq_reader_next_page(r, i, err)) > 0)
                n += (long)pq_reader_column_data(r, i)->num_levels;
            if (pr < 0)
                rc = -1;
        }
    }
    pq_reader_close(r);
    pq_file_close(f);
    return rc < 0 ? -1 : n;
}

/* Reads every row of every column (and, when that works, every page of every
 * column); returns the rows read, or -1 with err. */
static long read_all(const uint8_t *data, size_t len, os_err *err)
{
    pq_source src;
    pq_source_init_mem(&src, data, len, "t.parquet");
    pq_options opts = {.max_chunk_bytes = 64u << 20};
    pq_file *f = pq_file_open(&src, &opts, err);
    if (f == NULL)
        return -1;
    pq_reader *r = pq_reader_open(f, NULL, 0, err);
    long n = 0;
    int rc = -1;
    if (r) {
        os_buf b = OS_BUF_INIT;
        const pq_value *row;
        while ((rc = pq_reader_next(r, &row, err)) > 0) {
            n++;
            os_buf_reset(&b);
            if (pq_value_to_json(row, &b, err)) {
                rc = -1;
                break;
            }
        }
        os_buf_free(&b);
    }
    pq_reader_close(r);
    pq_file_close(f);
    if (rc < 0)
        return -1;
    return read_paged(data, len, err) < 0 ? -1 : n;
}

/* Appends value k of d as text to out (bytes verbatim, numbers in decimal). */
static void value_text(const pq_column_data *d, size_t k, os_buf *out)
{
    char tmp[64];
    switch (d->leaf->physical) {
    case PQ_BOOLEAN: snprintf(tmp, sizeof tmp, "%u", ((const uint8_t *)d->values)[k]); break;
    case PQ_INT32: snprintf(tmp, sizeof tmp, "%d", ((const int32_t *)d->values)[k]); break;
    case PQ_INT64: snprintf(tmp, sizeof tmp, "%lld", (long long)((const int64_t *)d->values)[k]); break;
    case PQ_FLOAT: snprintf(tmp, sizeof tmp, "%a", (double)((const float *)d->values)[k]); break;
    case PQ_DOUBLE: snprintf(tmp, sizeof tmp, "%a", ((const double *)d->values)[k]); break;
    default: {
        const pq_bytes *b = (const pq_bytes *)d->values + k;
        os_buf_printf(out, "%u:", b->len);
        os_buf_append(out, b->ptr, b->len);
        os_buf_append(out, "|", 1);
        return;
    }
    }
    os_buf_append(out, tmp, strlen(tmp));
    os_buf_append(out, "|", 1);
}

/* Appends d's levels and values to out as text. */
static void column_text(const pq_column_data *d, os_buf *out)
{
    size_t v = 0;
    for (size_t k = 0; k < d->num_levels; k++) {
        int def = d->def ? d->def[k] : d->leaf->max_def;
        os_buf_printf(out, "r%dd%d=", d->rep ? d->rep[k] : 0, def);
        if (def == d->leaf->max_def)
            value_text(d, v++, out);
        else
            os_buf_append(out, "null|", 5);
    }
    assert_int_equal(v, d->num_values);
}

/* Every column of every row group read page by page equals the same column
 * decoded whole; returns the number of pages seen. */
static long assert_paged_equals_whole(const uint8_t *data, size_t len)
{
    pq_source src;
    pq_source_init_mem(&src, data, len, "t.parquet");
    os_err err;
    pq_file *f = pq_file_open(&src, NULL, &err);
    if (f == NULL)
        fail_msg("%s", err.msg);
    pq_reader *whole = pq_reader_open(f, NULL, 0, &err), *paged = pq_reader_open(f, NULL, 0, &err);
    assert_non_null(whole);
    assert_non_null(paged);
    pq_reader_set_threads(paged, 2);
    os_buf a = OS_BUF_INIT, b = OS_BUF_INIT;
    long pages = 0;
    int rc;
    while ((rc = pq_reader_next_row_group(whole, &err)) > 0) {
        assert_int_equal(pq_reader_next_row_group_paged(paged, &err), 1);
        for (size_t i = 0; i < pq_reader_num_columns(whole); i++) {
            os_buf_reset(&a);
            os_buf_reset(&b);
            column_text(pq_reader_column_data(whole, i), &a);
            int pr;
            while ((pr = pq_reader_next_page(paged, i, &err)) > 0) {
                column_text(pq_reader_column_data(paged, i), &b);
                pages++;
            }
            if (pr < 0)
                fail_msg("%s", err.msg);
            assert_int_equal(a.len, b.len);
            assert_memory_equal(a.data, b.data, a.len);
        }
    }
    if (rc < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(pq_reader_next_row_group_paged(paged, &err), 0);
    os_buf_free(&a);
    os_buf_free(&b);
    pq_reader_close(whole);
    pq_reader_close(paged);
    pq_file_close(f);
    return pages;
}

/* ------------------------------------------------------------ a real file */

static void test_schema_and_metadata(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = load("duck-nested-v1-gzip.parquet", &len);
    pq_source src;
    pq_source_init_mem(&src, d, len, "nested.parquet");
    os_err err;
    pq_file *f = pq_file_open(&src, NULL, &err);
    assert_non_null(f);
    assert_int_equal(pq_file_num_rows(f), 40);
    assert_int_equal(pq_file_num_row_groups(f), 1);
    assert_non_null(strstr(pq_file_created_by(f), "DuckDB"));
    const pq_node *root = pq_file_schema(f);
    assert_int_equal(root->kind, PQ_NODE_STRUCT);
    const pq_node *l = pq_file_find(f, "l");
    assert_int_equal(l->kind, PQ_NODE_LIST);
    assert_int_equal(l->element->physical, PQ_INT64);
    assert_int_equal(l->element->max_rep, 1);
    const pq_node *m = pq_file_find(f, "m");
    assert_int_equal(m->kind, PQ_NODE_MAP);
    assert_int_equal(m->key->logical.kind, PQ_LT_STRING);
    const pq_node *c = pq_file_find(f, "s.b.c");
    assert_non_null(c);
    assert_int_equal(c->max_def, 3);
    assert_null(pq_file_find(f, "s.nope"));
    assert_null(pq_file_find(f, "s.b.c.d"));
    pq_chunk_info ci;
    assert_int_equal(pq_file_chunk_info(f, 0, 0, &ci, &err), 0);
    assert_int_equal(ci.codec, 2);
    assert_true(ci.stats.has_min && ci.stats.has_max);
    int64_t mn, mx;
    memcpy(&mn, ci.stats.min, 8);
    memcpy(&mx, ci.stats.max, 8);
    assert_int_equal(mn, 0);
    assert_int_equal(mx, 39);
    assert_int_equal(pq_file_chunk_info(f, 1, 0, &ci, &err), -1);
    pq_file_close(f);
    free(d);
}

static void test_rows_projection_and_columns(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = load("duck-nested-v1-gzip.parquet", &len);
    pq_source src;
    pq_source_init_mem(&src, d, len, "nested.parquet");
    os_err err;
    pq_file *f = pq_file_open(&src, NULL, &err);
    const char *cols[] = {"s.b.c", "m.key_value.value", "l"};
    pq_reader *r = pq_reader_open(f, cols, 3, &err);
    assert_non_null(r);
    assert_int_equal(pq_reader_num_columns(r), 4); /* the map's keys come along */
    const pq_value *row;
    os_buf b = OS_BUF_INIT;
    int n = 0;
    while (pq_reader_next(r, &row, &err) > 0) {
        os_buf_reset(&b);
        assert_int_equal(pq_value_to_json(row, &b, &err), 0);
        if (n == 2)
            assert_string_equal(b.data, "{\"s\":{\"b\":{\"c\":\"x2\"}},\"l\":[2,null,3],\"m\":{\"k2\":2,\"q\":null}}");
        if (n == 0)
            assert_string_equal(b.data, "{\"s\":null,\"l\":null,\"m\":null}");
        if (n == 1)
            assert_string_equal(pq_value_field(row, "l")->kind == PQ_VAL_LIST ? "list" : "?", "list");
        n++;
    }
    assert_int_equal(n, 40);
    os_buf_free(&b);
    pq_reader_close(r);

    const char *bad[] = {"nope"};
    assert_null(pq_reader_open(f, bad, 1, &err));
    assert_int_equal(err.code, OS_EINVAL);
    assert_non_null(strstr(err.msg, "nope"));

    /* columnar access to "l" */
    const char *lc[] = {"l"};
    r = pq_reader_open(f, lc, 1, &err);
    assert_int_equal(pq_reader_next_row_group(r, &err), 1);
    const pq_column_data *cd = pq_reader_column_data(r, 0);
    assert_int_equal(pq_reader_row_group_rows(r), 40);
    assert_non_null(cd->def);
    assert_non_null(cd->rep);
    size_t nulls = 0;
    for (size_t i = 0; i < cd->num_levels; i++)
        nulls += cd->def[i] < cd->leaf->max_def;
    assert_int_equal(cd->num_values + nulls, cd->num_levels);
    assert_int_equal(pq_reader_next_row_group(r, &err), 0);
    pq_reader_close(r);

    /* records copied into a caller's arena outlive the reader */
    os_arena arena = OS_ARENA_INIT;
    const char *sc[] = {"s"};
    r = pq_reader_open(f, sc, 1, &err);
    const pq_value *keep[40];
    for (int i = 0; i < 40; i++)
        assert_int_equal(pq_reader_next_into(r, &arena, &keep[i], &err), 1);
    assert_int_equal(pq_reader_next_into(r, &arena, &row, &err), 0);
    pq_reader_close(r);
    const pq_value *s7 = pq_value_field(keep[7], "s");
    const pq_value *c7 = pq_value_field(pq_value_field(s7, "b"), "c");
    assert_int_equal(c7->kind, PQ_VAL_BYTES);
    assert_memory_equal(c7->u.bytes.ptr, "x7", 2);
    os_arena_free(&arena);
    pq_file_close(f);
    free(d);
}

static void test_every_seed_reads(void **state)
{
    (void)state;
    const char *names[] = {"duck-flat-v1-snappy.parquet", "duck-flat-v2-zstd.parquet",
                           "duck-flat-v2-uncompressed.parquet", "duck-nested-v1-gzip.parquet",
                           "duck-nested-v2-lz4.parquet", "hy-encodings.parquet",
                           "duck-arrays-v1-snappy.parquet"};
    const long rows[] = {60, 60, 60, 40, 40, 50, 30};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len;
        uint8_t *d = load(names[i], &len);
        os_err err;
        assert_int_equal(read_all(d, len, &err), rows[i]);
        assert_true(assert_paged_equals_whole(d, len) > 0);
        free(d);
    }
}

/* ------------------------------------------------------------ damaged real files */

static void test_truncated_files_fail_cleanly(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = load("duck-nested-v2-lz4.parquet", &len);
    for (size_t cut = 0; cut < len; cut++) {
        os_err err;
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, d, cut);
        assert_int_equal(read_all(copy, cut, &err), -1);
        assert_true(err.code != OS_OK);
        assert_non_null(strstr(err.msg, "t.parquet"));
        free(copy);
    }
    free(d);
}

static void test_flipped_bytes_never_crash(void **state)
{
    (void)state;
    const char *names[] = {"duck-flat-v2-uncompressed.parquet", "hy-encodings.parquet"};
    for (size_t k = 0; k < 2; k++) {
        size_t len;
        uint8_t *d = load(names[k], &len);
        for (size_t i = 0; i < len; i++) {
            static const uint8_t xors[] = {0x01, 0x80, 0xff};
            for (size_t x = 0; x < 3; x++) {
                d[i] ^= xors[x];
                os_err err = {0};
                if (read_all(d, len, &err) < 0)
                    assert_true(err.code != OS_OK && err.msg[0] != '\0');
                d[i] ^= xors[x];
            }
        }
        free(d);
    }
}

/* ------------------------------------------------------------ crafted files */

typedef struct craft {
    int dict_n;           /* dictionary entries declared */
    uint8_t index;        /* the third dictionary index of the data page */
    int64_t num_values;   /* column chunk num_values */
    int64_t chunk_offset; /* override of dictionary_page_offset (0: real) */
    int depth;            /* extra group levels around the column */
    int32_t children;     /* root's num_children (0: right) */
    int32_t page_size;    /* override of the data page's uncompressed size (0: real) */
} craft;

/* One optional INT32 column "x" of 4 rows: dictionary {100, 200, 300} (plain) and a
 * data page with definition levels 1,1,1,1 and RLE_DICTIONARY indexes 0, 1, index, 2. */
static size_t build_file(const craft *c, uint8_t *out)
{
    tw w = {.n = 0};
    memcpy(w.b, "PAR1", 4);
    w.n = 4;
    /* dictionary page */
    size_t dict_at = w.n;
    tw_begin(&w, 0);
    tw_i32(&w, 1, 2);
    tw_i32(&w, 2, 12);
    tw_i32(&w, 3, 12);
    tw_begin(&w, 7);
    tw_i32(&w, 1, c->dict_n);
    tw_i32(&w, 2, 0);
    tw_end(&w);
    tw_end(&w);
    const int32_t dict[3] = {100, 200, 300};
    memcpy(w.b + w.n, dict, 12);
    w.n += 12;
    /* data page: levels (4-byte length + RLE run of 4 x 1), bit width 2, bit-packed indexes */
    size_t data_at = w.n;
    uint8_t body[] = {2, 0, 0, 0, 0x08, 0x01, 2, 0x03, 0, 0};
    uint8_t idx[4] = {0, 1, c->index, 2};
    body[8] = (uint8_t)(idx[0] | idx[1] << 2 | idx[2] << 4 | idx[3] << 6);
    int32_t usize = c->page_size ? c->page_size : (int32_t)sizeof body;
    tw_begin(&w, 0);
    tw_i32(&w, 1, 0);
    tw_i32(&w, 2, usize);
    tw_i32(&w, 3, (int32_t)sizeof body);
    tw_begin(&w, 5);
    tw_i32(&w, 1, 4);
    tw_i32(&w, 2, 8);
    tw_i32(&w, 3, 3);
    tw_i32(&w, 4, 3);
    tw_end(&w);
    tw_end(&w);
    memcpy(w.b + w.n, body, sizeof body);
    w.n += sizeof body;
    size_t chunk_len = w.n - dict_at;
    /* footer */
    size_t footer_at = w.n;
    tw_begin(&w, 0);
    tw_i32(&w, 1, 1);
    tw_list(&w, 2, 12, (unsigned)(2 + c->depth));
    tw_elem_begin(&w);
    tw_str(&w, 4, "schema");
    tw_i32(&w, 5, c->children ? c->children : 1);
    tw_end(&w);
    for (int k = 0; k < c->depth; k++) {
        tw_elem_begin(&w);
        tw_i32(&w, 3, 1);
        tw_str(&w, 4, "g");
        tw_i32(&w, 5, 1);
        tw_end(&w);
    }
    tw_elem_begin(&w);
    tw_i32(&w, 1, 1);
    tw_i32(&w, 3, 1);
    tw_str(&w, 4, "x");
    tw_end(&w);
    tw_i64(&w, 3, 4);
    tw_list(&w, 4, 12, 1);
    tw_elem_begin(&w);
    tw_list(&w, 1, 12, 1);
    tw_elem_begin(&w);
    tw_i64(&w, 2, (int64_t)dict_at);
    tw_begin(&w, 3);
    tw_i32(&w, 1, 1);
    tw_list(&w, 2, 5, 1);
    tw_zz(&w, 8);
    tw_list(&w, 3, 8, 1);
    tw_varint(&w, 1);
    tw_byte(&w, 'x');
    w.last[w.depth] = 3;
    tw_i32(&w, 4, 0);
    tw_i64(&w, 5, c->num_values ? c->num_values : 4);
    tw_i64(&w, 6, (int64_t)chunk_len);
    tw_i64(&w, 7, (int64_t)chunk_len);
    tw_i64(&w, 9, c->chunk_offset ? c->chunk_offset : (int64_t)data_at);
    tw_i64(&w, 11, c->chunk_offset ? c->chunk_offset : (int64_t)dict_at);
    tw_end(&w);
    tw_end(&w);
    tw_i64(&w, 2, (int64_t)chunk_len);
    tw_i64(&w, 3, 4);
    tw_end(&w);
    tw_end(&w);
    uint32_t flen = (uint32_t)(w.n - footer_at);
    memcpy(w.b + w.n, &flen, 4);
    memcpy(w.b + w.n + 4, "PAR1", 4);
    w.n += 8;
    memcpy(out, w.b, w.n);
    return w.n;
}

static long read_crafted(const craft *c, os_err *err, char *json, size_t cap)
{
    static uint8_t buf[1 << 16];
    size_t n = build_file(c, buf);
    pq_source src;
    pq_source_init_mem(&src, buf, n, "crafted.parquet");
    pq_file *f = pq_file_open(&src, NULL, err);
    if (f == NULL)
        return -1;
    pq_reader *r = pq_reader_open(f, NULL, 0, err);
    long rows = 0;
    int rc = -1;
    os_buf b = OS_BUF_INIT;
    if (r) {
        const pq_value *row;
        while ((rc = pq_reader_next(r, &row, err)) > 0) {
            pq_value_to_json(row, &b, err);
            rows++;
        }
    }
    if (json)
        snprintf(json, cap, "%s", os_buf_cstr(&b));
    os_buf_free(&b);
    pq_reader_close(r);
    pq_file_close(f);
    return rc < 0 ? -1 : rows;
}

static void test_crafted_file_reads(void **state)
{
    (void)state;
    craft c = {.dict_n = 3, .index = 1};
    os_err err;
    char json[256];
    assert_int_equal(read_crafted(&c, &err, json, sizeof json), 4);
    assert_string_equal(json, "{\"x\":100}{\"x\":200}{\"x\":200}{\"x\":300}");
}

static void test_dictionary_index_out_of_range(void **state)
{
    (void)state;
    craft c = {.dict_n = 3, .index = 3};
    os_err err;
    assert_int_equal(read_crafted(&c, &err, NULL, 0), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    assert_non_null(strstr(err.msg, "crafted.parquet"));
    assert_non_null(strstr(err.msg, "column x"));
    assert_non_null(strstr(err.msg, "dictionary index 3 out of range"));
    /* a dictionary claiming more entries than its bytes hold */
    c = (craft){.dict_n = 1000, .index = 1};
    assert_int_equal(read_crafted(&c, &err, NULL, 0), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
}

static void test_absurd_declared_sizes(void **state)
{
    (void)state;
    os_err err;
    craft c = {.dict_n = 3, .index = 1, .num_values = (int64_t)1 << 50};
    assert_int_equal(read_crafted(&c, &err, NULL, 0), -1);
    assert_int_equal(err.code, OS_ELIMIT);
    c = (craft){.dict_n = 3, .index = 1, .num_values = 5};
    assert_int_equal(read_crafted(&c, &err, NULL, 0), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    c = (craft){.dict_n = 3, .index = 1, .chunk_offset = (int64_t)1 << 40};
    assert_int_equal(read_crafted(&c, &err, NULL, 0), -1);
    assert_non_null(strstr(err.msg, "outside the file"));
    c = (craft){.dict_n = 3, .index = 1, .page_size = 2000000000};
    assert_int_equal(read_crafted(&c, &err, NULL, 0), -1);
    assert_int_equal(err.code, OS_ELIMIT);
    c = (craft){.dict_n = 3, .index = 1, .page_size = 100};
    assert_int_equal(read_crafted(&c, &err, NULL, 0), -1);
    c = (craft){.dict_n = 3, .index = 1, .children = 1000000};
    assert_int_equal(read_crafted(&c, &err, NULL, 0), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    assert_non_null(strstr(err.msg, "children"));
}

/* A footer of 4 MB whose schema list claims 4,000,000 one-byte (empty)
 * structs: decoding them would take 288 MB, so it is refused before any
 * allocation instead of being allocated and zeroed. */
static void test_footer_lists_bounded_by_footer_size(void **state)
{
    (void)state;
    size_t n = 4000000, cap = n + 64;
    uint8_t *b = malloc(cap);
    assert_non_null(b);
    size_t w = 0;
    memcpy(b, "PAR1", 4);
    w = 4;
    size_t footer_at = w;
    b[w++] = 0x29;   /* field 2 (delta 2), type list */
    b[w++] = 0xfc;   /* list of structs, count follows as a varint */
    for (uint64_t v = n; ; v >>= 7) {
        b[w++] = (uint8_t)(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
        if (v < 0x80)
            break;
    }
    memset(b + w, 0, n);   /* n empty structs */
    w += n;
    b[w++] = 0;            /* end of FileMetaData */
    uint32_t flen = (uint32_t)(w - footer_at);
    memcpy(b + w, &flen, 4);
    memcpy(b + w + 4, "PAR1", 4);
    w += 8;
    pq_source src;
    pq_source_init_mem(&src, b, w, "wide.parquet");
    os_err err;
    assert_null(pq_file_open(&src, NULL, &err));
    assert_non_null(strstr(err.msg, "more entries than the footer's size can hold"));
    free(b);
}

/* A decimal whose precision no real type can hold is refused when the schema
 * is read (its scale would otherwise ask for billions of zeros in text). */
static void test_absurd_decimal_precision(void **state)
{
    (void)state;
    static tw w;
    int32_t precisions[] = {2000000000, 309, 308};
    for (int k = 0; k < 3; k++) {
        memset(&w, 0, sizeof w);
        memcpy(w.b, "PAR1", 4);
        w.n = 4;
        size_t footer_at = w.n;
        tw_begin(&w, 0);
        tw_i32(&w, 1, 1);
        tw_list(&w, 2, 12, 2);
        tw_elem_begin(&w);
        tw_str(&w, 4, "schema");
        tw_i32(&w, 5, 1);
        tw_end(&w);
        tw_elem_begin(&w);
        tw_i32(&w, 1, 7);            /* FIXED_LEN_BYTE_ARRAY(128) */
        tw_i32(&w, 2, 128);
        tw_i32(&w, 3, 1);
        tw_str(&w, 4, "d");
        tw_i32(&w, 6, 5);            /* DECIMAL */
        tw_i32(&w, 7, precisions[k]);
        tw_i32(&w, 8, precisions[k]);
        tw_end(&w);
        tw_i64(&w, 3, 0);
        tw_list(&w, 4, 12, 0);
        tw_end(&w);
        uint32_t flen = (uint32_t)(w.n - footer_at);
        memcpy(w.b + w.n, &flen, 4);
        memcpy(w.b + w.n + 4, "PAR1", 4);
        w.n += 8;
        pq_source src;
        pq_source_init_mem(&src, w.b, w.n, "dec.parquet");
        os_err err;
        pq_file *f = pq_file_open(&src, NULL, &err);
        if (k < 2) {
            assert_null(f);
            assert_non_null(strstr(err.msg, "invalid decimal"));
        } else {
            if (f == NULL)
                fail_msg("%s", err.msg);
            pq_file_close(f);
        }
    }
}

static void test_deep_nesting(void **state)
{
    (void)state;
    os_err err;
    char json[1024];
    craft c = {.dict_n = 3, .index = 1, .depth = 3};
    /* definition level 1 under three optional groups: only the outer group is defined */
    assert_int_equal(read_crafted(&c, &err, json, sizeof json), 4);
    assert_string_equal(json, "{\"g\":{\"g\":null}}{\"g\":{\"g\":null}}{\"g\":{\"g\":null}}{\"g\":{\"g\":null}}");
    c.depth = 200;
    assert_int_equal(read_crafted(&c, &err, NULL, 0), -1);
    assert_int_equal(err.code, OS_ELIMIT);
    assert_non_null(strstr(err.msg, "nesting"));
}


/* ------------------------------------------------------------ legacy list and map shapes */

/* The same records whether each column is one page or split into pages
 * anywhere, even inside a record (data page v1 allows it). */
static void check_legacy_shapes(bool split)
{
    const gelem el[] = {
        {"schema", -1, -1, 5, -1},
        {"a", -1, 1, 1, 3}, {"array", 1, 2, 0, -1},                           /* two-level, primitive */
        {"b", -1, 1, 1, 3}, {"array", -1, 2, 1, -1}, {"x", 1, 0, 0, -1},      /* "array" group is the element */
        {"c", -1, 1, 1, 3}, {"c_tuple", -1, 2, 1, -1}, {"x", 1, 0, 0, -1},    /* "<name>_tuple" is the element */
        {"r", 1, 2, 0, -1},                                                   /* bare repeated field */
        {"m", -1, 1, 1, 1}, {"map", -1, 2, 2, 2}, {"key", 6, 0, 0, 0}, {"value", 1, 1, 0, -1},
    };
    static const uint8_t a_rep[] = {0, 1, 0, 0}, a_def[] = {2, 2, 1, 0};
    static const int32_t a_val[] = {1, 2};
    static const uint8_t b_rep[] = {0, 0, 0, 1}, b_def[] = {2, 0, 2, 2};
    static const int32_t b_val[] = {5, 6, 7};
    static const uint8_t c_rep[] = {0, 0, 1, 0}, c_def[] = {0, 2, 2, 1};
    static const int32_t c_val[] = {8, 9};
    static const uint8_t r_rep[] = {0, 0, 0, 1, 1}, r_def[] = {1, 0, 1, 1, 1};
    static const int32_t r_val[] = {7, 1, 2, 3};
    static const uint8_t k_rep[] = {0, 0, 0, 1}, k_def[] = {2, 0, 2, 2};
    static const char *const k_val[] = {"k", "a", "b"};
    static const uint8_t v_rep[] = {0, 0, 0, 1}, v_def[] = {3, 0, 2, 3};
    static const int32_t v_val[] = {1, 2};
    static const int at1[] = {1}, at3[] = {3}, at123[] = {1, 2, 3}, at34[] = {3, 4};
    int np = split ? 1 : 0;
    const gcol cols[] = {
        {1, 2, 1, 4, a_rep, a_def, a_val, NULL, 2, at1, np, 0, false},            /* between records */
        {1, 2, 1, 4, b_rep, b_def, b_val, NULL, 3, at3, np, 0, false},            /* inside the third */
        {1, 2, 1, 4, c_rep, c_def, c_val, NULL, 2, at123, split ? 3 : 0, 0, false},
        {1, 1, 1, 5, r_rep, r_def, r_val, NULL, 4, at34, split ? 2 : 0, 0, false}, /* twice inside */
        {6, 2, 1, 4, k_rep, k_def, NULL, k_val, 3, at3, np, 0, false},            /* a map entry per page */
        {1, 3, 1, 4, v_rep, v_def, v_val, NULL, 2, at1, np, 0, false},            /* keys and values split apart */
    };
    static uint8_t buf[1 << 16];
    size_t n = build_generic(el, (int)(sizeof el / sizeof el[0]), cols, 6, 3, buf);
    pq_source src;
    pq_source_init_mem(&src, buf, n, "legacy.parquet");
    os_err err;
    pq_file *f = pq_file_open(&src, NULL, &err);
    if (f == NULL)
        fail_msg("%s", err.msg);
    assert_int_equal(pq_file_find(f, "a")->kind, PQ_NODE_LIST);
    assert_string_equal(pq_file_find(f, "a")->element->path, "a.array");
    assert_string_equal(pq_file_find(f, "b")->element->path, "b.array");
    assert_string_equal(pq_file_find(f, "c")->element->path, "c.c_tuple");
    assert_int_equal(pq_file_find(f, "m")->kind, PQ_NODE_MAP);
    assert_int_equal(pq_file_num_row_groups(f), 2);
    assert_int_equal(pq_file_row_group_num_rows(f, 0), 0);
    pq_reader *r = pq_reader_open(f, NULL, 0, &err);
    const pq_value *row;
    os_buf b = OS_BUF_INIT;
    const char *want[] = {
        "{\"a\":[1,2],\"b\":[{\"x\":5}],\"c\":null,\"r\":[7],\"m\":{\"k\":1}}",
        "{\"a\":[],\"b\":null,\"c\":[{\"x\":8},{\"x\":9}],\"r\":[],\"m\":null}",
        "{\"a\":null,\"b\":[{\"x\":6},{\"x\":7}],\"c\":[],\"r\":[1,2,3],\"m\":{\"a\":null,\"b\":2}}",
    };
    for (int i = 0; i < 3; i++) {
        int rc = pq_reader_next(r, &row, &err);
        if (rc != 1)
            fail_msg("row %d: %s", i, err.msg);
        os_buf_reset(&b);
        assert_int_equal(pq_value_to_json(row, &b, &err), 0);
        assert_string_equal(b.data, want[i]);
    }
    assert_int_equal(pq_reader_next(r, &row, &err), 0);
    os_buf_free(&b);
    pq_reader_close(r);
    pq_file_close(f);
    long pages = assert_paged_equals_whole(buf, n);
    assert_int_equal(pages, split ? 6 + 1 + 1 + 3 + 2 + 1 + 1 : 6);
    assert_int_equal(read_paged(buf, n, &err), 4 + 4 + 4 + 5 + 4 + 4);
}

static void test_legacy_lists_maps_and_bare_repeated(void **state)
{
    (void)state;
    check_legacy_shapes(false);
}

static void test_pages_split_anywhere(void **state)
{
    (void)state;
    check_legacy_shapes(true);
}

/* ------------------------------------------------------------ DuckDB's fixed-size arrays */

/* DuckDB writes an ARRAY column (INTEGER[3]) as a LIST, but a null array (or
 * one under a null parent) takes one level entry per element: the first at the
 * record's repetition level, the others deeper, all defining nothing.  `bad`
 * makes one of those entries define a value, which is corrupt. */
static size_t build_arrays(uint8_t *buf, bool split, bool bad)
{
    const gelem el[] = {
        {"schema", -1, -1, 2, -1},
        {"a", -1, 1, 1, 3}, {"list", -1, 2, 1, -1}, {"element", 1, 1, 0, -1},       /* INTEGER[3] */
        {"n", -1, 1, 1, 3}, {"list", -1, 2, 1, -1}, {"element", -1, 1, 1, 3},      /* INTEGER[2][2] */
        {"list", -1, 2, 1, -1}, {"element", 1, 1, 0, -1},
    };
    /* [1,null,3]; null; [4,5,6]; null */
    static const uint8_t a_rep[] = {0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1};
    static uint8_t a_def[] = {3, 2, 3, 0, 0, 0, 3, 3, 3, 0, 0, 0};
    static const int32_t a_val[] = {1, 3, 4, 5, 6, 99};
    /* [[1,2],[3,null]]; null; [null,[7,8]]; [[null,9],null] */
    static const uint8_t n_rep[] = {0, 2, 1, 2, 0, 2, 1, 2, 0, 2, 1, 2, 0, 2, 1, 2};
    static const uint8_t n_def[] = {5, 5, 5, 4, 0, 0, 0, 0, 2, 2, 5, 5, 4, 5, 2, 2};
    static const int32_t n_val[] = {1, 2, 3, 7, 8, 9};
    a_def[4] = bad ? 3 : 0;
    static const int a_at[] = {4, 10}, n_at[] = {5, 7, 14};
    const gcol cols[] = {
        {1, 3, 1, 12, a_rep, a_def, a_val, NULL, bad ? 6 : 5, a_at, split ? 2 : 0, 0, false},
        {1, 5, 2, 16, n_rep, n_def, n_val, NULL, 6, n_at, split ? 3 : 0, 0, false},
    };
    return build_generic(el, (int)(sizeof el / sizeof el[0]), cols, 2, 4, buf);
}

static void test_duckdb_null_arrays(void **state)
{
    (void)state;
    static uint8_t buf[1 << 16];
    const char *want[] = {
        "{\"a\":[1,null,3],\"n\":[[1,2],[3,null]]}",
        "{\"a\":null,\"n\":null}",
        "{\"a\":[4,5,6],\"n\":[null,[7,8]]}",
        "{\"a\":null,\"n\":[[null,9],null]}",
    };
    for (int split = 0; split < 2; split++) {
        size_t n = build_arrays(buf, split, false);
        pq_source src;
        pq_source_init_mem(&src, buf, n, "arrays.parquet");
        os_err err;
        pq_file *f = pq_file_open(&src, NULL, &err);
        if (f == NULL)
            fail_msg("%s", err.msg);
        for (int proj = 0; proj < 3; proj++) {
            const char *col = proj == 1 ? "a" : "n";
            pq_reader *r = pq_reader_open(f, proj ? &col : NULL, proj ? 1 : 0, &err);
            assert_non_null(r);
            const pq_value *row;
            os_buf b = OS_BUF_INIT;
            for (int i = 0; i < 4; i++) {
                if (pq_reader_next(r, &row, &err) != 1)
                    fail_msg("split %d row %d: %s", split, i, err.msg);
                os_buf_reset(&b);
                assert_int_equal(pq_value_to_json(row, &b, &err), 0);
                if (proj == 0) {
                    assert_string_equal(b.data, want[i]);
                } else { /* the projected half of the same record */
                    const char *at = strstr(want[i], proj == 1 ? ",\"n\"" : "\"n\"");
                    char one[128];
                    if (proj == 1)
                        snprintf(one, sizeof one, "%.*s}", (int)(at - want[i]), want[i]);
                    else
                        snprintf(one, sizeof one, "{%s", at);
                    assert_string_equal(b.data, one);
                }
            }
            assert_int_equal(pq_reader_next(r, &row, &err), 0);
            os_buf_free(&b);
            pq_reader_close(r);
        }
        pq_file_close(f);
        assert_int_equal(assert_paged_equals_whole(buf, n), split ? 3 + 4 : 2);
    }
    /* padding that defines a value is corrupt, not a value */
    size_t n = build_arrays(buf, true, true);
    os_err err;
    assert_int_equal(read_all(buf, n, &err), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    assert_non_null(strstr(err.msg, "column a.list.element"));
    assert_non_null(strstr(err.msg, "a value where its parent is null"));
}

/* Two INT32 columns, rows 1..3 in the second row group; null counts as given. */
static size_t build_two(uint8_t *buf, bool stats, int64_t nc_a, int64_t nc_b)
{
    const gelem el[] = {{"schema", -1, -1, 2, -1}, {"a", 1, 1, 0, -1}, {"b", 1, 1, 0, -1}};
    static const uint8_t def[] = {1, 1, 1};
    static const int32_t va[] = {1, 2, 3}, vb[] = {4, 5, 6};
    gcol cols[] = {
        {1, 1, 0, 3, NULL, def, va, NULL, 3, NULL, 0, nc_a, stats},
        {1, 1, 0, 3, NULL, def, vb, NULL, 3, NULL, 0, nc_b, stats},
    };
    return build_generic(el, 3, cols, 2, 3, buf);
}

/* Rows read from a file with skip_all_null on, projecting `col` (NULL: all). */
static long rows_skipping(const uint8_t *buf, size_t n, const char *col)
{
    pq_source src;
    pq_source_init_mem(&src, buf, n, "t.parquet");
    os_err err;
    pq_file *f = pq_file_open(&src, NULL, &err);
    assert_non_null(f);
    pq_reader *r = pq_reader_open(f, col ? &col : NULL, col ? 1 : 0, &err);
    assert_non_null(r);
    pq_reader_skip_all_null(r);
    const pq_value *row;
    long rows = 0;
    int rc;
    while ((rc = pq_reader_next(r, &row, &err)) > 0)
        rows++;
    assert_int_equal(rc, 0);
    pq_reader_close(r);
    pq_file_close(f);
    return rows;
}

static void test_skip_all_null_row_groups(void **state)
{
    (void)state;
    static uint8_t buf[1 << 16];
    /* No statistics: nothing is skipped. */
    size_t n = build_two(buf, false, 0, 0);
    assert_int_equal(rows_skipping(buf, n, NULL), 3);
    /* Statistics saying a is all null (they lie here, which is how the test
     * sees the group skipped): skipped when only a is read, not with b. */
    n = build_two(buf, true, 3, 0);
    assert_int_equal(rows_skipping(buf, n, "a"), 0);
    assert_int_equal(rows_skipping(buf, n, "b"), 3);
    assert_int_equal(rows_skipping(buf, n, NULL), 3);
    /* Both all null: the group is skipped whatever is projected. */
    n = build_two(buf, true, 3, 3);
    assert_int_equal(rows_skipping(buf, n, NULL), 0);
    /* Fewer nulls than values: read. */
    n = build_two(buf, true, 2, 3);
    assert_int_equal(rows_skipping(buf, n, NULL), 3);
}

static void test_paged_api_misuse(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = load("duck-flat-v1-snappy.parquet", &len);
    pq_source src;
    pq_source_init_mem(&src, d, len, "t.parquet");
    os_err err;
    pq_file *f = pq_file_open(&src, NULL, &err);
    assert_non_null(f);
    pq_reader *r = pq_reader_open(f, NULL, 0, &err);
    assert_non_null(r);
    /* no row group yet */
    assert_int_equal(pq_reader_next_page(r, 0, &err), -1);
    assert_int_equal(err.code, OS_EINVAL);
    /* a whole group has no pages to hand out */
    assert_int_equal(pq_reader_next_row_group(r, &err), 1);
    assert_int_equal(pq_reader_next_page(r, 0, &err), -1);
    assert_int_equal(err.code, OS_EINVAL);
    /* records go on with the next group after a paged one */
    pq_reader_close(r);
    r = pq_reader_open(f, NULL, 0, &err);
    assert_int_equal(pq_reader_next_row_group_paged(r, &err), 1);
    assert_int_equal(pq_reader_next_page(r, 999, &err), -1);
    int64_t first = pq_reader_row_group_rows(r);
    long rows = 0;
    const pq_value *row;
    int rc;
    while ((rc = pq_reader_next(r, &row, &err)) > 0)
        rows++;
    assert_int_equal(rc, 0);
    assert_int_equal(rows + first, 60);
    pq_reader_close(r);
    pq_file_close(f);
    free(d);
}

static void test_not_parquet(void **state)
{
    (void)state;
    os_err err;
    uint8_t small[] = "PAR1PAR1";
    pq_source src;
    pq_source_init_mem(&src, small, 8, "small.parquet");
    assert_null(pq_file_open(&src, NULL, &err));
    assert_non_null(strstr(err.msg, "too small"));
    uint8_t magic[16] = "PAR1xxxxxxxxPAR0";
    pq_source_init_mem(&src, magic, 16, "magic.parquet");
    assert_null(pq_file_open(&src, NULL, &err));
    assert_non_null(strstr(err.msg, "magic"));
    uint8_t len[16] = {'P', 'A', 'R', '1', 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 'P', 'A', 'R', '1'};
    pq_source_init_mem(&src, len, 16, "len.parquet");
    assert_null(pq_file_open(&src, NULL, &err));
    assert_non_null(strstr(err.msg, "exceeds the file size"));
    assert_int_equal(pq_source_open_file(&src, "/nonexistent/x.parquet", &err), -1);
    assert_int_equal(err.code, OS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/x.parquet"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_and_metadata),
        cmocka_unit_test(test_rows_projection_and_columns),
        cmocka_unit_test(test_every_seed_reads),
        cmocka_unit_test(test_truncated_files_fail_cleanly),
        cmocka_unit_test(test_flipped_bytes_never_crash),
        cmocka_unit_test(test_crafted_file_reads),
        cmocka_unit_test(test_dictionary_index_out_of_range),
        cmocka_unit_test(test_absurd_declared_sizes),
        cmocka_unit_test(test_footer_lists_bounded_by_footer_size),
        cmocka_unit_test(test_absurd_decimal_precision),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_legacy_lists_maps_and_bare_repeated),
        cmocka_unit_test(test_pages_split_anywhere),
        cmocka_unit_test(test_duckdb_null_arrays),
        cmocka_unit_test(test_paged_api_misuse),
        cmocka_unit_test(test_skip_all_null_row_groups),
        cmocka_unit_test(test_not_parquet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
