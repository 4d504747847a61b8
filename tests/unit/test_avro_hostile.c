/* test_avro_hostile.c - the Avro container reader on hostile files: bad compressed data, recursion
 * past the depth limit, huge and negative lengths and counts, out-of-range union and enum indexes,
 * bad sync markers, every truncation and byte flips of valid files; all must fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "avro_craft.h"

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


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_compressed_data),
        cmocka_unit_test(test_recursive_schema),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_blocks),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_byte_flips),
        cmocka_unit_test(test_skip_fields),
        cmocka_unit_test(test_skip_same_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
