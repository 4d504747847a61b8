/* test_avro.c - the Avro container reader on hand-made files: every type, every codec, negative
 * block counts, named types and namespaces, and hostile files (truncations, flipped bytes, huge
 * lengths, bad sync markers, unknown codecs, deep and recursive nesting) that must fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <math.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "base/buf.h"
#include "formats/avro/avro.h"

/* ------------------------------------------------------------ a small writer */

static const uint8_t SYNC[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static void put_long(os_buf *b, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    while (u >= 0x80) {
        os_buf_putc(b, (char)(u | 0x80));
        u >>= 7;
    }
    os_buf_putc(b, (char)u);
}

static void put_bytes(os_buf *b, const void *p, size_t n)
{
    put_long(b, (int64_t)n);
    os_buf_append(b, p, n);
}

static void put_str(os_buf *b, const char *s)
{
    put_bytes(b, s, strlen(s));
}

static void put_double(os_buf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    for (int i = 0; i < 8; i++)
        os_buf_putc(b, (char)(u >> (8 * i)));
}

static void put_float(os_buf *b, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    for (int i = 0; i < 4; i++)
        os_buf_putc(b, (char)(u >> (8 * i)));
}

/* The header: magic, metadata (schema, codec unless NULL, extra pairs), sync. */
static void put_header(os_buf *f, const char *schema, const char *codec)
{
    os_buf_append(f, "Obj\x01", 4);
    put_long(f, codec ? 2 : 1);
    put_str(f, "avro.schema");
    put_str(f, schema);
    if (codec) {
        put_str(f, "avro.codec");
        put_str(f, codec);
    }
    put_long(f, 0);
    os_buf_append(f, SYNC, 16);
}

static void compress_block(const char *codec, const os_buf *raw, os_buf *out)
{
    os_buf_reset(out);
    if (codec == NULL || !strcmp(codec, "null")) {
        os_buf_append(out, raw->data, raw->len);
    } else if (!strcmp(codec, "deflate")) {
        z_stream zs = {0};
        assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
        size_t cap = deflateBound(&zs, raw->len);
        assert_int_equal(os_buf_reserve(out, cap), 0);
        zs.next_in = (Bytef *)raw->data;
        zs.avail_in = (uInt)raw->len;
        zs.next_out = (Bytef *)out->data;
        zs.avail_out = (uInt)cap;
        assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
        out->len = zs.total_out;
        deflateEnd(&zs);
    } else if (!strcmp(codec, "snappy")) {
        size_t cap = snappy_max_compressed_length(raw->len);
        assert_int_equal(os_buf_reserve(out, cap + 4), 0);
        assert_int_equal(snappy_compress(raw->data ? raw->data : "", raw->len, out->data, &cap), SNAPPY_OK);
        out->len = cap;
        uint32_t crc = (uint32_t)crc32(0, (const Bytef *)(raw->data ? raw->data : ""), (uInt)raw->len);
        uint8_t be[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc};
        os_buf_append(out, be, 4);
    } else if (!strcmp(codec, "zstandard")) {
        size_t cap = ZSTD_compressBound(raw->len);
        assert_int_equal(os_buf_reserve(out, cap), 0);
        size_t n = ZSTD_compress(out->data, cap, raw->data ? raw->data : "", raw->len, 3);
        assert_false(ZSTD_isError(n));
        out->len = n;
    } else {
        fail_msg("codec %s", codec);
    }
}

/* Appends one block of count records whose encoding is raw. */
static void put_block(os_buf *f, const char *codec, int64_t count, const os_buf *raw)
{
    os_buf c = OS_BUF_INIT;
    compress_block(codec, raw, &c);
    put_long(f, count);
    put_long(f, (int64_t)c.len);
    os_buf_append(f, c.data ? c.data : "", c.len);
    os_buf_append(f, SYNC, 16);
    os_buf_free(&c);
}

/* A file of one block holding the given record encodings. */
static void one_block_file(os_buf *f, const char *schema, const char *codec, int64_t count, const os_buf *raw)
{
    os_buf_reset(f);
    put_header(f, schema, codec);
    put_block(f, codec, count, raw);
}

/* Reads every record; returns the count, or -1 with err (records freed as it goes). */
static long read_all(const uint8_t *data, size_t len, const avro_limits *lim, os_err *err)
{
    avro_file *f = avro_file_open(data, len, "t.avro", lim, err);
    if (f == NULL)
        return -1;
    os_arena a = OS_ARENA_INIT;
    const avro_value *v;
    long n = 0;
    int rc;
    while ((rc = avro_file_next(f, &a, &v, err)) == 1) {
        n++;
        os_buf j = OS_BUF_INIT;
        assert_int_equal(avro_value_to_json(v, &j, err), 0);
        os_buf_free(&j);
        os_arena_free(&a);
    }
    os_arena_free(&a);
    avro_file_close(f);
    return rc < 0 ? -1 : n;
}

/* The JSON of the first record. */
static char *first_json(const os_buf *file, os_err *err)
{
    avro_file *f = avro_file_open((const uint8_t *)file->data, file->len, "t.avro", NULL, err);
    if (f == NULL)
        return NULL;
    os_arena a = OS_ARENA_INIT;
    const avro_value *v;
    char *out = NULL;
    if (avro_file_next(f, &a, &v, err) == 1) {
        os_buf j = OS_BUF_INIT;
        assert_int_equal(avro_value_to_json(v, &j, err), 0);
        out = os_buf_detach(&j);
    }
    os_arena_free(&a);
    avro_file_close(f);
    return out;
}

static void expect_json(const os_buf *file, const char *want)
{
    os_err err = {0};
    char *got = first_json(file, &err);
    if (got == NULL)
        fail_msg("no record: %s", err.msg);
    assert_string_equal(got, want);
    free(got);
}

static void expect_error(const os_buf *file, os_code code, const char *needle)
{
    os_err err = {0};
    long n = read_all((const uint8_t *)file->data, file->len, NULL, &err);
    if (n >= 0)
        fail_msg("read %ld records, expected an error containing '%s'", n, needle);
    if (err.code != code || strstr(err.msg, needle) == NULL)
        fail_msg("error %s '%s', expected %s containing '%s'", os_code_name(err.code), err.msg, os_code_name(code),
                 needle);
    /* every message names the file first */
    assert_int_equal(strncmp(err.msg, "t.avro", 6), 0);
}

/* ------------------------------------------------------------ types */

static const char *PRIMS =
    "{\"type\":\"record\",\"name\":\"P\",\"fields\":["
    "{\"name\":\"n\",\"type\":\"null\"},{\"name\":\"b\",\"type\":\"boolean\"},"
    "{\"name\":\"i\",\"type\":\"int\"},{\"name\":\"l\",\"type\":\"long\"},"
    "{\"name\":\"f\",\"type\":\"float\"},{\"name\":\"d\",\"type\":\"double\"},"
    "{\"name\":\"y\",\"type\":\"bytes\"},{\"name\":\"s\",\"type\":\"string\"}]}";

static void put_prims(os_buf *r, bool b, int32_t i, int64_t l, float f, double d, const char *y, size_t yl,
                      const char *s)
{
    os_buf_putc(r, b ? 1 : 0);
    put_long(r, i);
    put_long(r, l);
    put_float(r, f);
    put_double(r, d);
    put_bytes(r, y, yl);
    put_str(r, s);
}

static void test_primitives(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    put_prims(&r, true, INT32_MIN, INT64_MIN, 0.1f, -2.5, "\x00\xff\x7f" "a", 4, "h\xc3\xa9\"\n");
    put_prims(&r, false, INT32_MAX, INT64_MAX, NAN, INFINITY, "", 0, "");
    put_prims(&r, false, -1, 1, -INFINITY, 5e-324, "\x80", 1, "x");
    one_block_file(&file, PRIMS, NULL, 3, &r);

    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    assert_non_null(f);
    const avro_schema *s = avro_file_schema(f);
    assert_int_equal(s->type, AVRO_RECORD);
    assert_string_equal(s->name, "P");
    assert_int_equal(s->n_fields, 8);
    assert_int_equal(avro_schema_field_index(s, "l"), 3);
    assert_int_equal(avro_schema_field_index(s, "nope"), -1);
    assert_int_equal(avro_schema_field_index(s->fields[0].schema, "n"), -1);
    assert_null(avro_file_meta(f, "avro.codec", NULL));
    os_arena a = OS_ARENA_INIT;
    const avro_value *v;
    assert_int_equal(avro_file_next(f, &a, &v, &err), 1);
    assert_int_equal(v->type, AVRO_RECORD);
    assert_int_equal(v->n, 8);
    assert_null(avro_record_field(v, 0));            /* null */
    assert_true(avro_record_field(v, 1)->b);
    assert_int_equal(avro_record_field(v, 2)->l, INT32_MIN);
    assert_true(avro_record_field(v, 3)->l == INT64_MIN);
    assert_true(avro_record_field(v, 4)->d == (double)0.1f);
    assert_true(avro_record_field(v, 5)->d == -2.5);
    const avro_value *y = avro_record_field(v, 6);
    assert_int_equal(y->len, 4);
    assert_memory_equal(y->bytes, "\x00\xff\x7f" "a", 4);
    const avro_value *str = avro_record_field(v, 7);
    assert_string_equal((const char *)str->bytes, "h\xc3\xa9\"\n");
    assert_int_equal(str->branch, -1);
    assert_null(avro_record_field(v, 8));
    assert_null(avro_record_field(v, -1));
    assert_null(avro_record_field(y, 0));
    os_buf j = OS_BUF_INIT;
    assert_int_equal(avro_value_to_json(v, &j, &err), 0);
    assert_string_equal(j.data, "{\"n\":null,\"b\":true,\"i\":-2147483648,\"l\":-9223372036854775808,\"f\":0.1,"
                                "\"d\":-2.5,\"y\":\"\\u0000\xc3\xbf\\u007fa\",\"s\":\"h\xc3\xa9\\\"\\n\"}");
    os_arena_free(&a);
    assert_int_equal(avro_file_next(f, &a, &v, &err), 1);
    os_buf_reset(&j);
    assert_int_equal(avro_value_to_json(v, &j, &err), 0);
    assert_string_equal(j.data, "{\"n\":null,\"b\":false,\"i\":2147483647,\"l\":9223372036854775807,\"f\":\"NaN\","
                                "\"d\":\"Infinity\",\"y\":\"\",\"s\":\"\"}");
    os_arena_free(&a);
    assert_int_equal(avro_file_next(f, &a, &v, &err), 1);
    os_buf_reset(&j);
    assert_int_equal(avro_value_to_json(v, &j, &err), 0);
    assert_string_equal(j.data, "{\"n\":null,\"b\":false,\"i\":-1,\"l\":1,\"f\":\"-Infinity\",\"d\":5e-324,"
                                "\"y\":\"\xc2\x80\",\"s\":\"x\"}");
    os_arena_free(&a);
    assert_int_equal(avro_file_next(f, &a, &v, &err), 0);
    assert_int_equal(avro_file_next(f, &a, &v, &err), 0);
    os_buf_free(&j);
    avro_file_close(f);
    os_buf_free(&r);
    os_buf_free(&file);
}

static const char *COMPLEX =
    "{\"type\":\"record\",\"name\":\"org.x.Top\",\"fields\":["
    " {\"name\":\"e\",\"field-id\":1,\"type\":{\"type\":\"enum\",\"name\":\"Color\",\"symbols\":[\"RED\",\"GREEN\"]}},"
    " {\"name\":\"fx\",\"field-id\":\"2\",\"type\":{\"type\":\"fixed\",\"name\":\"F3\",\"namespace\":\"other\",\"size\":3}},"
    " {\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"long\",\"element-id\":7}},"
    " {\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":[\"null\",\"Color\"],\"key-id\":\"8\",\"value-id\":9}},"
    " {\"name\":\"u\",\"type\":[\"null\",\"long\",\"string\",\"other.F3\"]},"
    " {\"name\":\"inner\",\"type\":{\"type\":\"record\",\"name\":\"In\",\"fields\":["
    "    {\"name\":\"c\",\"type\":\"org.x.Color\"},{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}}]}},"
    " {\"name\":\"again\",\"type\":\"In\"}"
    "]}";

static void test_complex_types(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    put_long(&r, 1);                       /* GREEN */
    os_buf_append(&r, "\x01\x02\xff", 3);  /* fixed */
    put_long(&r, 2);                       /* array: block of 2, block of 1, end */
    put_long(&r, 10);
    put_long(&r, -20);
    put_long(&r, 1);
    put_long(&r, 30);
    put_long(&r, 0);
    put_long(&r, 2);                       /* map: two entries */
    put_str(&r, "k1");
    put_long(&r, 0);                       /*   null */
    put_str(&r, "k2");
    put_long(&r, 1);                       /*   Color */
    put_long(&r, 0);                       /*   RED */
    put_long(&r, 0);
    put_long(&r, 3);                       /* union: branch 3, other.F3 */
    os_buf_append(&r, "abc", 3);
    put_long(&r, 0);                       /* inner.c RED */
    put_long(&r, 1700000000000000LL);
    put_long(&r, 1);                       /* again.c GREEN */
    put_long(&r, -1);
    one_block_file(&file, COMPLEX, "null", 1, &r);
    expect_json(&file, "{\"e\":\"GREEN\",\"fx\":\"\\u0001\\u0002\xc3\xbf\",\"a\":[10,-20,30],"
                       "\"m\":{\"k1\":null,\"k2\":\"RED\"},\"u\":\"abc\","
                       "\"inner\":{\"c\":\"RED\",\"ts\":1700000000000000},\"again\":{\"c\":\"GREEN\",\"ts\":-1}}");

    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    assert_non_null(f);
    const avro_schema *s = avro_file_schema(f);
    assert_string_equal(s->name, "org.x.Top");
    assert_int_equal(s->fields[0].field_id, 1);
    assert_int_equal(s->fields[1].field_id, 2);
    assert_int_equal(s->fields[2].field_id, -1);
    assert_string_equal(s->fields[0].schema->name, "org.x.Color");
    assert_string_equal(s->fields[1].schema->name, "other.F3");
    assert_int_equal(s->fields[1].schema->size, 3);
    assert_int_equal(s->fields[2].schema->element_id, 7);
    assert_int_equal(s->fields[3].schema->key_id, 8);
    assert_int_equal(s->fields[3].schema->value_id, 9);
    assert_int_equal(s->fields[3].schema->items->type, AVRO_UNION);
    /* references point at the one definition */
    assert_ptr_equal(s->fields[3].schema->items->branches[1], s->fields[0].schema);
    assert_ptr_equal(s->fields[4].schema->branches[3], s->fields[1].schema);
    assert_ptr_equal(s->fields[6].schema, s->fields[5].schema);
    assert_string_equal(s->fields[5].schema->name, "org.x.In");
    assert_string_equal(s->fields[5].schema->fields[1].schema->logical_type, "timestamp-micros");
    os_arena a = OS_ARENA_INIT;
    const avro_value *v;
    assert_int_equal(avro_file_next(f, &a, &v, &err), 1);
    const avro_value *e = avro_record_field(v, 0);
    assert_int_equal(e->type, AVRO_ENUM);
    assert_int_equal(e->l, 1);
    assert_string_equal((const char *)e->bytes, "GREEN");
    const avro_value *arr = avro_record_field(v, 2);
    assert_int_equal(arr->n, 3);
    assert_int_equal(arr->items[1].l, -20);
    const avro_value *m = avro_record_field(v, 3);
    assert_int_equal(m->n, 2);
    assert_string_equal((const char *)m->keys[1].bytes, "k2");
    assert_int_equal(m->items[0].type, AVRO_NULL);
    assert_int_equal(m->items[0].branch, 0);
    assert_int_equal(m->items[1].type, AVRO_ENUM);
    assert_int_equal(m->items[1].branch, 1);
    const avro_value *u = avro_record_field(v, 4);
    assert_int_equal(u->type, AVRO_FIXED);
    assert_int_equal(u->branch, 3);
    assert_ptr_equal(u->schema, s->fields[1].schema);
    os_arena_free(&a);
    avro_file_close(f);
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_top_level_non_record_and_empty_record(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    put_long(&r, 1);
    put_long(&r, 42);
    one_block_file(&file, "[\"null\",\"int\"]", NULL, 1, &r);
    expect_json(&file, "42");
    os_buf_reset(&r);
    one_block_file(&file, "{\"type\":\"record\",\"name\":\"E\",\"fields\":[]}", NULL, 3, &r);
    os_err err;
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, NULL, &err), 3);
    expect_json(&file, "{}");
    /* a file without blocks */
    os_buf_reset(&file);
    put_header(&file, "\"string\"", "deflate");
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, NULL, &err), 0);
    /* an empty block, then a block */
    put_block(&file, "deflate", 0, &r);
    put_str(&r, "x");
    put_block(&file, "deflate", 1, &r);
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, NULL, &err), 1);
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_negative_block_counts(void **state)
{
    (void)state;
    const char *schema = "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                         "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
                         "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"int\"}}]}";
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT, items = OS_BUF_INIT;
    /* array: -2 items in 6 bytes, then 1 item, then end */
    put_str(&items, "ab");
    put_str(&items, "cd");
    put_long(&r, -2);
    put_long(&r, (int64_t)items.len);
    os_buf_append(&r, items.data, items.len);
    put_long(&r, 1);
    put_str(&r, "e");
    put_long(&r, 0);
    /* map: -1 entry with its size */
    os_buf_reset(&items);
    put_str(&items, "k");
    put_long(&items, -7);
    put_long(&r, -1);
    put_long(&r, (int64_t)items.len);
    os_buf_append(&r, items.data, items.len);
    put_long(&r, 0);
    one_block_file(&file, schema, NULL, 1, &r);
    expect_json(&file, "{\"a\":[\"ab\",\"cd\",\"e\"],\"m\":{\"k\":-7}}");

    /* a block size that does not match what its items take */
    os_buf_reset(&r);
    put_long(&r, -1);
    put_long(&r, 5);
    put_str(&r, "ab");
    put_long(&r, 0);
    put_long(&r, 0);
    put_long(&r, 0);
    put_long(&r, 0);
    one_block_file(&file, schema, NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "declares 5 bytes but holds 3");
    /* the most negative count */
    os_buf_reset(&r);
    put_long(&r, INT64_MIN);
    put_long(&r, 0);
    one_block_file(&file, schema, NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "out of range");
    /* a negative byte size */
    os_buf_reset(&r);
    put_long(&r, -1);
    put_long(&r, -3);
    one_block_file(&file, schema, NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "negative");
    os_buf_free(&items);
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_codecs(void **state)
{
    (void)state;
    static const char *codecs[] = {NULL, "null", "deflate", "snappy", "zstandard"};
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    for (size_t c = 0; c < sizeof codecs / sizeof *codecs; c++) {
        os_buf_reset(&file);
        put_header(&file, PRIMS, codecs[c]);
        long total = 0;
        for (int blk = 0; blk < 4; blk++) {
            os_buf_reset(&r);
            int n = blk == 2 ? 2000 : blk + 1;   /* one block large enough to grow the buffers */
            for (int i = 0; i < n; i++)
                put_prims(&r, i & 1, i, (int64_t)i * 1000003, (float)i, i / 3.0, "bytes", 5,
                          "some string that compresses");
            put_block(&file, codecs[c], n, &r);
            total += n;
        }
        os_err err = {0};
        long got = read_all((const uint8_t *)file.data, file.len, NULL, &err);
        if (got != total)
            fail_msg("codec %s: %ld records (%s)", codecs[c] ? codecs[c] : "(none)", got, err.msg);
        avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
        assert_non_null(f);
        size_t n;
        if (codecs[c])
            assert_string_equal(avro_file_meta(f, "avro.codec", &n), codecs[c]);
        avro_file_close(f);
    }
    /* a block's size limit applies after decompression too */
    os_buf_reset(&r);
    for (int i = 0; i < 20000; i++)
        put_prims(&r, 0, 0, 0, 0, 0, "", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    for (size_t c = 2; c < sizeof codecs / sizeof *codecs; c++) {
        one_block_file(&file, PRIMS, codecs[c], 20000, &r);
        avro_limits lim = {.max_block_bytes = 100000};
        os_err err = {0};
        assert_true(file.len < 100000);
        assert_int_equal(read_all((const uint8_t *)file.data, file.len, &lim, &err), -1);
        assert_int_equal(err.code, OS_ELIMIT);
        assert_non_null(strstr(err.msg, "max_block_bytes"));
        lim.max_block_bytes = r.len;   /* exactly enough */
        assert_int_equal(read_all((const uint8_t *)file.data, file.len, &lim, &err), 20000);
    }
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_bad_compressed_data(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    put_prims(&r, 1, 2, 3, 4, 5, "six", 3, "seven");
    /* snappy with a wrong checksum */
    one_block_file(&file, PRIMS, "snappy", 1, &r);
    file.data[file.len - 17] ^= 0x01;
    expect_error(&file, OS_ECORRUPT, "checksum mismatch");
    /* garbage for each codec */
    static const char *codecs[] = {"deflate", "snappy", "zstandard"};
    os_buf junk = OS_BUF_INIT;
    for (int i = 0; i < 40; i++)
        os_buf_putc(&junk, (char)(i * 37 + 11));
    for (size_t c = 0; c < 3; c++) {
        os_buf_reset(&file);
        put_header(&file, PRIMS, codecs[c]);
        put_long(&file, 1);
        put_long(&file, (int64_t)junk.len);
        os_buf_append(&file, junk.data, junk.len);
        os_buf_append(&file, SYNC, 16);
        expect_error(&file, OS_ECORRUPT, "block 1");
    }
    /* a cut-off stream for each codec */
    for (size_t c = 0; c < 3; c++) {
        os_buf comp = OS_BUF_INIT;
        compress_block(codecs[c], &r, &comp);
        os_buf_reset(&file);
        put_header(&file, PRIMS, codecs[c]);
        put_long(&file, 1);
        put_long(&file, (int64_t)comp.len / 2);
        os_buf_append(&file, comp.data, comp.len / 2);
        os_buf_append(&file, SYNC, 16);
        expect_error(&file, OS_ECORRUPT, "block 1");
        os_buf_free(&comp);
    }
    /* deflate followed by a zlib trailer's remains (as fastavro wrote): read */
    os_buf comp = OS_BUF_INIT;
    compress_block("deflate", &r, &comp);
    os_buf_append(&comp, "\x12\x34\x56", 3);
    os_buf_reset(&file);
    put_header(&file, PRIMS, "deflate");
    put_long(&file, 1);
    put_long(&file, (int64_t)comp.len);
    os_buf_append(&file, comp.data, comp.len);
    os_buf_append(&file, SYNC, 16);
    os_err err;
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, NULL, &err), 1);
    os_buf_free(&comp);
    os_buf_free(&junk);
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_metadata(void **state)
{
    (void)state;
    os_buf file = OS_BUF_INIT;
    os_buf_append(&file, "Obj\x01", 4);
    put_long(&file, -2);            /* a negative count with its byte size */
    put_long(&file, 1000);          /* (not checked against the entries) */
    put_str(&file, "avro.schema");
    put_str(&file, "\"long\"");
    put_str(&file, "format-version");
    put_str(&file, "2");
    put_long(&file, 1);
    put_str(&file, "bin");
    put_bytes(&file, "a\0b", 3);
    put_long(&file, 0);
    os_buf_append(&file, SYNC, 16);
    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    assert_non_null(f);
    size_t n = 99;
    assert_string_equal(avro_file_meta(f, "format-version", &n), "2");
    assert_int_equal(n, 1);
    assert_memory_equal(avro_file_meta(f, "bin", &n), "a\0b", 4);
    assert_int_equal(n, 3);
    assert_null(avro_file_meta(f, "nope", &n));
    assert_int_equal(avro_file_meta_count(f), 3);
    const char *k;
    assert_string_equal(avro_file_meta_at(f, 1, &k, &n), "2");
    assert_string_equal(k, "format-version");
    assert_null(avro_file_meta_at(f, 3, &k, &n));
    assert_int_equal(avro_file_schema(f)->type, AVRO_LONG);
    avro_file_close(f);

    /* a key twice */
    os_buf_reset(&file);
    os_buf_append(&file, "Obj\x01", 4);
    put_long(&file, 2);
    put_str(&file, "avro.schema");
    put_str(&file, "\"long\"");
    put_str(&file, "avro.schema");
    put_str(&file, "\"int\"");
    put_long(&file, 0);
    os_buf_append(&file, SYNC, 16);
    assert_null(avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err));
    assert_non_null(strstr(err.msg, "appears twice"));
    /* no schema */
    os_buf_reset(&file);
    os_buf_append(&file, "Obj\x01", 4);
    put_long(&file, 0);
    os_buf_append(&file, SYNC, 16);
    assert_null(avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err));
    assert_int_equal(err.code, OS_ECORRUPT);
    assert_non_null(strstr(err.msg, "t.avro: the header has no avro.schema"));
    /* unknown codec */
    os_buf_reset(&file);
    put_header(&file, "\"long\"", "bzip2");
    assert_null(avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err));
    assert_int_equal(err.code, OS_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "'bzip2' is not supported"));
    /* not Avro */
    assert_null(avro_file_open((const uint8_t *)"PAR1", 4, "t.avro", NULL, &err));
    assert_non_null(strstr(err.msg, "magic"));
    assert_null(avro_file_open(NULL, 0, "t.avro", NULL, &err));
    /* a schema over the limit */
    os_buf_reset(&file);
    put_header(&file, PRIMS, NULL);
    avro_limits lim = {.max_schema_bytes = 20};
    assert_null(avro_file_open((const uint8_t *)file.data, file.len, "t.avro", &lim, &err));
    assert_int_equal(err.code, OS_ELIMIT);
    os_buf_free(&file);
}

static void expect_schema_error(const char *schema, os_code code, const char *needle)
{
    os_buf file = OS_BUF_INIT;
    put_header(&file, schema, NULL);
    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    if (f) {
        avro_file_close(f);
        fail_msg("schema accepted: %s", schema);
    }
    if (err.code != code || strstr(err.msg, needle) == NULL)
        fail_msg("schema %s: error %s '%s', expected '%s'", schema, os_code_name(err.code), err.msg, needle);
    os_buf_free(&file);
}

static void test_schema_errors(void **state)
{
    (void)state;
    expect_schema_error("{", OS_ECORRUPT, "not JSON");
    expect_schema_error("\"nosuch\"", OS_ECORRUPT, "unknown type 'nosuch'");
    expect_schema_error("42", OS_ECORRUPT, "neither");
    expect_schema_error("[]", OS_ECORRUPT, "no branches");
    expect_schema_error("[\"int\",[\"null\",\"long\"]]", OS_ECORRUPT, "itself a union");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\"}", OS_ECORRUPT, "no \"fields\"");
    expect_schema_error("{\"type\":\"record\",\"fields\":[]}", OS_ECORRUPT, "\"name\" attribute is missing");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\"}]}", OS_ECORRUPT,
                        "has no type");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
                        "\"field-id\":\"x1\"}]}",
                        OS_ECORRUPT, "field-id");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
                        "\"field-id\":-4}]}",
                        OS_ECORRUPT, "field-id");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
                        "{\"type\":\"fixed\",\"name\":\"R\",\"size\":1}}]}",
                        OS_ECORRUPT, "defined twice");
    expect_schema_error("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[1]}", OS_ECORRUPT, "not a string");
    expect_schema_error("{\"type\":\"fixed\",\"name\":\"F\",\"size\":-1}", OS_ECORRUPT, "size");
    expect_schema_error("{\"type\":\"array\"}", OS_ECORRUPT, "no \"items\"");
    expect_schema_error("{\"type\":\"map\",\"values\":\"int\",\"key-id\":1.5}", OS_ECORRUPT, "key-id");
    /* a name in another namespace needs its full name */
    expect_schema_error("{\"type\":\"record\",\"name\":\"a.R\",\"fields\":["
                        "{\"name\":\"x\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"namespace\":\"b\",\"size\":1}},"
                        "{\"name\":\"y\",\"type\":\"c.F\"}]}",
                        OS_ECORRUPT, "unknown type 'c.F'");
    /* nesting past the limit */
    os_buf deep = OS_BUF_INIT;
    for (int i = 0; i < 100; i++)
        os_buf_puts(&deep, "{\"type\":\"array\",\"items\":");
    os_buf_puts(&deep, "\"int\"");
    for (int i = 0; i < 100; i++)
        os_buf_putc(&deep, '}');
    expect_schema_error(deep.data, OS_ELIMIT, "deeper than 64");
    os_buf_free(&deep);
}

static void test_namespaces(void **state)
{
    (void)state;
    /* A short name resolves in the enclosing namespace, a "namespace" attribute
     * changes it, a dotted name carries its own, and a name of the null namespace
     * is found from inside another one (as Java's parser does). */
    const char *schema =
        "{\"type\":\"record\",\"name\":\"Top\",\"namespace\":\"n1\",\"fields\":["
        " {\"name\":\"a\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"X\"]}},"
        " {\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"n2.Sub\",\"fields\":["
        "    {\"name\":\"c\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":1}},"
        "    {\"name\":\"d\",\"type\":\"F\"},"
        "    {\"name\":\"e\",\"type\":\"n1.E\"},"
        "    {\"name\":\"g\",\"type\":{\"type\":\"enum\",\"name\":\"G\",\"namespace\":\"\",\"symbols\":[\"Y\"]}}]}},"
        " {\"name\":\"h\",\"type\":\"E\"},"
        " {\"name\":\"i\",\"type\":\"n2.F\"},"
        " {\"name\":\"j\",\"type\":\"G\"},"
        " {\"name\":\"k\",\"type\":{\"type\":\"fixed\",\"name\":\"E\",\"namespace\":\"n3\",\"size\":2}}]}";
    os_buf file = OS_BUF_INIT;
    put_header(&file, schema, NULL);
    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    if (f == NULL)
        fail_msg("%s", err.msg);
    const avro_schema *s = avro_file_schema(f);
    assert_string_equal(s->name, "n1.Top");
    assert_string_equal(s->fields[0].schema->name, "n1.E");
    const avro_schema *sub = s->fields[1].schema;
    assert_string_equal(sub->name, "n2.Sub");
    assert_string_equal(sub->fields[0].schema->name, "n2.F");
    assert_ptr_equal(sub->fields[1].schema, sub->fields[0].schema);
    assert_ptr_equal(sub->fields[2].schema, s->fields[0].schema);
    assert_string_equal(sub->fields[3].schema->name, "G");
    assert_ptr_equal(s->fields[2].schema, s->fields[0].schema);
    assert_ptr_equal(s->fields[3].schema, sub->fields[0].schema);
    assert_ptr_equal(s->fields[4].schema, sub->fields[3].schema);
    assert_string_equal(s->fields[5].schema->name, "n3.E");
    avro_file_close(f);
    os_buf_free(&file);
}

static const char *LIST = "{\"type\":\"record\",\"name\":\"Node\",\"fields\":["
                          "{\"name\":\"v\",\"type\":\"int\"},{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}";

/* A linked list of n nodes. */
static void put_list(os_buf *r, int n)
{
    for (int i = 0; i < n; i++) {
        put_long(r, i);
        put_long(r, i + 1 < n ? 1 : 0);
    }
}

static void test_recursive_schema(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    put_list(&r, 3);
    one_block_file(&file, LIST, NULL, 1, &r);
    expect_json(&file, "{\"v\":0,\"next\":{\"v\":1,\"next\":{\"v\":2,\"next\":null}}}");
    /* deeper than the limit: an error, not a stack overflow */
    os_buf_reset(&r);
    put_list(&r, 100000);
    one_block_file(&file, LIST, "deflate", 1, &r);
    expect_error(&file, OS_ELIMIT, "deeper than 64");
    avro_limits lim = {.max_depth = 1000};
    os_err err;
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, &lim, &err), -1);
    assert_int_equal(err.code, OS_ELIMIT);
    /* a record that contains itself directly can hold no value */
    os_buf_reset(&r);
    put_long(&r, 1);
    one_block_file(&file, "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"r\",\"type\":\"R\"}]}", NULL,
                   1, &r);
    expect_error(&file, OS_ELIMIT, "deeper");
    os_buf_free(&r);
    os_buf_free(&file);
}

/* ------------------------------------------------------------ hostile values */

static void test_bad_values(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    const char *rec_u = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"u\",\"type\":[\"null\",\"int\"]}]}";
    put_long(&r, 2);
    one_block_file(&file, rec_u, NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "field 'u': union branch 2 is out of range (2 branches)");
    os_buf_reset(&r);
    put_long(&r, -1);
    one_block_file(&file, rec_u, NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "union branch -1");

    os_buf_reset(&r);
    put_long(&r, 5);
    one_block_file(&file, "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}", NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "enum 'E' index 5 is out of range");

    os_buf_reset(&r);
    put_long(&r, (int64_t)1 << 40);
    one_block_file(&file, "\"int\"", NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "out of the 32-bit range");

    os_buf_reset(&r);
    os_buf_putc(&r, 2);
    one_block_file(&file, "\"boolean\"", NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "boolean byte is 2");

    /* a varint of 11 bytes */
    os_buf_reset(&r);
    for (int i = 0; i < 10; i++)
        os_buf_putc(&r, (char)0xff);
    os_buf_putc(&r, 1);
    one_block_file(&file, "\"long\"", NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "longer than 10 bytes");

    /* huge lengths */
    os_buf_reset(&r);
    put_long(&r, INT64_MAX);
    one_block_file(&file, "\"string\"", NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "string length 9223372036854775807 exceeds the 0 bytes left");
    os_buf_reset(&r);
    put_long(&r, -5);
    one_block_file(&file, "\"bytes\"", NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "bytes length -5 is negative");
    os_buf_reset(&r);
    put_long(&r, (int64_t)1 << 62);
    os_buf_append(&r, "xxxx", 4);
    one_block_file(&file, "{\"type\":\"array\",\"items\":\"long\"}", NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "cannot fit in the 4 bytes left");
    /* items that take no bytes: bounded by the record's memory */
    os_buf_reset(&r);
    put_long(&r, (int64_t)1 << 62);
    put_long(&r, 0);
    one_block_file(&file, "{\"type\":\"array\",\"items\":\"null\"}", NULL, 1, &r);
    expect_error(&file, OS_ELIMIT, "max_record_bytes");
    os_buf_reset(&r);
    put_long(&r, 1000);
    put_long(&r, 0);
    one_block_file(&file, "{\"type\":\"array\",\"items\":\"null\"}", NULL, 1, &r);
    os_err err;
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, NULL, &err), 1);
    avro_limits lim = {.max_record_bytes = 10000};
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, &lim, &err), -1);
    assert_int_equal(err.code, OS_ELIMIT);
    /* many one-item blocks grow the array by doubling: at most four times the final size */
    os_buf_reset(&r);
    for (int i = 0; i < 5000; i++) {
        put_long(&r, 1);
        put_long(&r, i);
    }
    put_long(&r, 0);
    one_block_file(&file, "{\"type\":\"array\",\"items\":\"long\"}", NULL, 1, &r);
    lim.max_record_bytes = 5000 * sizeof(avro_value) * 4 + 4096;
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, &lim, &err), 1);

    /* fixed longer than the data */
    os_buf_reset(&r);
    put_long(&r, 1);
    os_buf_append(&r, "ab", 2);
    one_block_file(&file, "[\"null\",{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}]", NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "needs 3 bytes but 2 are left");

    /* a record that claims more records than the block holds */
    os_buf_reset(&r);
    put_long(&r, 1);
    one_block_file(&file, "\"long\"", NULL, 2, &r);
    expect_error(&file, OS_ECORRUPT, "2 records cannot fit in a block of 1 bytes");
    /* bytes after the last record */
    os_buf_reset(&r);
    put_long(&r, 1);
    put_long(&r, 1);
    one_block_file(&file, "\"long\"", NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "1 bytes follow its last record");
    /* the error is sticky */
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    os_arena a = OS_ARENA_INIT;
    const avro_value *v;
    assert_int_equal(avro_file_next(f, &a, &v, &err), -1);
    os_err again = {0};
    assert_int_equal(avro_file_next(f, &a, &v, &again), -1);
    assert_string_equal(again.msg, err.msg);
    assert_int_equal(avro_file_next(f, &a, &v, NULL), -1);
    os_arena_free(&a);
    avro_file_close(f);
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_bad_blocks(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    put_long(&r, 7);
    /* a bad sync marker after the second block */
    os_buf_reset(&file);
    put_header(&file, "\"long\"", NULL);
    put_block(&file, NULL, 1, &r);
    put_block(&file, NULL, 1, &r);
    file.data[file.len - 3] ^= 0x40;
    os_err err;
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    os_arena a = OS_ARENA_INIT;
    const avro_value *v;
    assert_int_equal(avro_file_next(f, &a, &v, &err), 1);
    assert_int_equal(v->l, 7);
    assert_int_equal(avro_file_next(f, &a, &v, &err), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    assert_non_null(strstr(err.msg, "t.avro: block 2 at offset"));
    assert_non_null(strstr(err.msg, "sync marker"));
    os_arena_free(&a);
    avro_file_close(f);
    /* a block size past the end, a negative block count and size, a huge block */
    os_buf_reset(&file);
    put_header(&file, "\"long\"", NULL);
    size_t hdr = file.len;
    put_long(&file, 1);
    put_long(&file, 1000);
    os_buf_append(&file, "\x0e", 1);
    os_buf_append(&file, SYNC, 16);
    expect_error(&file, OS_ECORRUPT, "exceed the");
    file.len = hdr;
    put_long(&file, -1);
    put_long(&file, 1);
    expect_error(&file, OS_ECORRUPT, "record count -1 is negative");
    file.len = hdr;
    put_long(&file, 1);
    put_long(&file, -1);
    expect_error(&file, OS_ECORRUPT, "block size -1 is negative");
    file.len = hdr;
    put_long(&file, 1);
    put_long(&file, INT64_MAX);
    expect_error(&file, OS_ELIMIT, "max_block_bytes");
    /* a block of no records with bytes */
    file.len = hdr;
    put_block(&file, NULL, 0, &r);
    expect_error(&file, OS_ECORRUPT, "no records holds 1 bytes");
    /* junk after the last block */
    file.len = hdr;
    put_block(&file, NULL, 1, &r);
    os_buf_putc(&file, 2);
    expect_error(&file, OS_ECORRUPT, "block 2");
    os_buf_free(&r);
    os_buf_free(&file);
}

/* A valid file with several blocks and every type, for the mutation tests. */
static void sample_file(os_buf *file, const char *codec)
{
    os_buf r = OS_BUF_INIT;
    os_buf_reset(file);
    put_header(file, COMPLEX, codec);
    for (int blk = 0; blk < 3; blk++) {
        os_buf_reset(&r);
        for (int i = 0; i < 2; i++) {
            put_long(&r, i & 1);
            os_buf_append(&r, "xyz", 3);
            put_long(&r, -1);
            put_long(&r, 1);
            put_long(&r, blk);
            put_long(&r, 0);
            put_long(&r, 1);
            put_str(&r, "key");
            put_long(&r, 1);
            put_long(&r, 1);
            put_long(&r, 0);
            put_long(&r, 2);
            put_str(&r, "str");
            put_long(&r, 1);
            put_long(&r, 99);
            put_long(&r, 0);
            put_long(&r, -99);
        }
        put_block(file, codec, 2, &r);
    }
    os_buf_free(&r);
}

static void test_every_truncation(void **state)
{
    (void)state;
    static const char *codecs[] = {"null", "deflate", "snappy", "zstandard"};
    os_buf file = OS_BUF_INIT;
    for (size_t c = 0; c < 4; c++) {
        sample_file(&file, codecs[c]);
        os_err err;
        assert_int_equal(read_all((const uint8_t *)file.data, file.len, NULL, &err), 6);
        for (size_t len = 0; len < file.len; len++) {
            uint8_t *copy = malloc(len ? len : 1);   /* exact size, so ASan sees any overread */
            memcpy(copy, file.data, len);
            long n = read_all(copy, len, NULL, &err);
            /* cut at a block's end the file is shorter but valid; anywhere else an error */
            assert_true(n < 6);
            if (n < 0)
                assert_true(err.code == OS_ECORRUPT || err.code == OS_ELIMIT);
            free(copy);
        }
    }
    os_buf_free(&file);
}

static void test_byte_flips(void **state)
{
    (void)state;
    static const char *codecs[] = {"null", "deflate", "snappy", "zstandard"};
    static const uint8_t flips[] = {0x01, 0x80, 0xff, 0x7f};
    os_buf file = OS_BUF_INIT;
    for (size_t c = 0; c < 4; c++) {
        sample_file(&file, codecs[c]);
        uint8_t *copy = malloc(file.len);
        for (size_t i = 0; i < file.len; i++) {
            for (size_t k = 0; k < sizeof flips; k++) {
                memcpy(copy, file.data, file.len);
                copy[i] ^= flips[k];
                os_err err = {0};
                long n = read_all(copy, file.len, NULL, &err);
                if (n < 0)
                    assert_true(err.msg[0] != '\0');
            }
        }
        free(copy);
    }
    os_buf_free(&file);
}

/* ------------------------------------------------------------ skipped fields */

/* Marks fields of f's top-level record to skip: mode 1 every field, 2 every
 * other field, 3 the fields of the nested record type In only. */
static void skip_some(avro_file *f, int mode)
{
    const avro_schema *top = avro_file_schema(f);
    for (size_t i = 0; i < top->n_fields; i++) {
        if (mode == 1 || (mode == 2 && i % 2 == 1))
            assert_int_equal(avro_file_skip_field(f, top, (int)i), 0);
        const avro_schema *fs = top->fields[i].schema;
        if (mode == 3 && fs->type == AVRO_RECORD)
            for (size_t k = 0; k < fs->n_fields; k++)
                assert_int_equal(avro_file_skip_field(f, fs, (int)k), 0);
    }
}

/* read_all with some fields skipped; the JSON of every record goes to json. */
static long read_all_skip(const uint8_t *data, size_t len, const avro_limits *lim, int mode, os_buf *json,
                          os_err *err)
{
    avro_file *f = avro_file_open(data, len, "t.avro", lim, err);
    if (f == NULL)
        return -1;
    skip_some(f, mode);
    os_arena a = OS_ARENA_INIT;
    const avro_value *v;
    long n = 0;
    int rc;
    while ((rc = avro_file_next(f, &a, &v, err)) == 1) {
        n++;
        assert_int_equal(avro_value_to_json(v, json, err), 0);
        os_buf_putc(json, '\n');
        os_arena_reset(&a);
    }
    os_arena_free(&a);
    avro_file_close(f);
    return rc < 0 ? -1 : n;
}

static void test_skip_fields(void **state)
{
    (void)state;
    os_buf file = OS_BUF_INIT, json = OS_BUF_INIT;
    sample_file(&file, "deflate");
    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    assert_non_null(f);
    const avro_schema *top = avro_file_schema(f);
    assert_int_equal(avro_file_skip_field(f, top, -1), -1);
    assert_int_equal(avro_file_skip_field(f, top, (int)top->n_fields), -1);
    assert_int_equal(avro_file_skip_field(f, top->fields[0].schema, 0), -1);   /* an enum */
    assert_int_equal(avro_file_skip_field(NULL, top, 0), -1);
    avro_file_close(f);
    assert_int_equal(read_all_skip((const uint8_t *)file.data, file.len, NULL, 2, &json, &err), 6);
    /* the skipped fields read as null, the others as always */
    const char *first = "{\"e\":\"RED\",\"fx\":null,\"a\":[0],\"m\":null,\"u\":\"str\",\"inner\":null,"
                        "\"again\":{\"c\":\"RED\",\"ts\":-99}}\n";
    if (strncmp(json.data, first, strlen(first)) != 0)
        fail_msg("got %s", json.data);
    os_buf_reset(&json);
    assert_int_equal(read_all_skip((const uint8_t *)file.data, file.len, NULL, 3, &json, &err), 6);
    assert_non_null(strstr(json.data, "\"inner\":{\"c\":null,\"ts\":null},\"again\":{\"c\":null,\"ts\":null}"));
    os_buf_free(&json);
    os_buf_free(&file);
}

/* Skipping changes nothing but what is kept: every truncation, byte flip and
 * memory limit gives the same records and the same error with and without. */
static void expect_same_outcome(const uint8_t *data, size_t len, const avro_limits *lim)
{
    os_err e0 = {0};
    os_buf j0 = OS_BUF_INIT;
    long n0 = read_all_skip(data, len, lim, 0, &j0, &e0);
    for (int mode = 1; mode <= 3; mode++) {
        os_err e = {0};
        os_buf j = OS_BUF_INIT;
        long n = read_all_skip(data, len, lim, mode, &j, &e);
        if (n != n0 || (n < 0 && (e.code != e0.code || strcmp(e.msg, e0.msg) != 0)))
            fail_msg("mode %d: %ld records '%s', without skipping %ld '%s'", mode, n, e.msg, n0, e0.msg);
        os_buf_free(&j);
    }
    os_buf_free(&j0);
}

static void test_skip_same_errors(void **state)
{
    (void)state;
    static const uint8_t flips[] = {0x01, 0x80, 0xff, 0x7f};
    os_buf file = OS_BUF_INIT;
    sample_file(&file, "null");
    for (size_t len = 0; len <= file.len; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, file.data, len);
        expect_same_outcome(copy, len, NULL);
        free(copy);
    }
    uint8_t *copy = malloc(file.len);
    for (size_t i = 0; i < file.len; i++)
        for (size_t k = 0; k < sizeof flips; k++) {
            memcpy(copy, file.data, file.len);
            copy[i] ^= flips[k];
            expect_same_outcome(copy, file.len, NULL);
        }
    free(copy);
    /* the memory budget counts skipped values as if kept */
    for (size_t max = 1; max < 2048; max += 7) {
        avro_limits lim = {.max_record_bytes = max};
        expect_same_outcome((const uint8_t *)file.data, file.len, &lim);
    }
    os_buf_free(&file);
}

static void test_json_numbers(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    const double ds[] = {0.1, 1e300, -0.0, 123456789012345678.0, 1.0 / 3, 2.5e-308};
    const char *want[] = {"0.1", "1e+300", "-0", "1.2345678901234568e+17", "0.3333333333333333", "2.5e-308"};
    for (size_t i = 0; i < sizeof ds / sizeof *ds; i++) {
        os_buf_reset(&r);
        put_double(&r, ds[i]);
        one_block_file(&file, "\"double\"", NULL, 1, &r);
        expect_json(&file, want[i]);
    }
    const float fs[] = {0.1f, 16777216.0f, 3.4028235e38f, 1e-45f};
    const char *fwant[] = {"0.1", "16777216", "3.4028235e+38", "1e-45"};
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++) {
        os_buf_reset(&r);
        put_float(&r, fs[i]);
        one_block_file(&file, "\"float\"", NULL, 1, &r);
        expect_json(&file, fwant[i]);
    }
    os_buf_free(&r);
    os_buf_free(&file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primitives),
        cmocka_unit_test(test_complex_types),
        cmocka_unit_test(test_top_level_non_record_and_empty_record),
        cmocka_unit_test(test_negative_block_counts),
        cmocka_unit_test(test_codecs),
        cmocka_unit_test(test_bad_compressed_data),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_schema_errors),
        cmocka_unit_test(test_namespaces),
        cmocka_unit_test(test_recursive_schema),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_blocks),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_byte_flips),
        cmocka_unit_test(test_json_numbers),
        cmocka_unit_test(test_skip_fields),
        cmocka_unit_test(test_skip_same_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
