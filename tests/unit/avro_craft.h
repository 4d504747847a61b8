/* avro_craft.h - writes small Avro container files byte by byte for the tests (zigzag varints,
 * headers, blocks in each codec) and reads them back; include after cmocka.h. */
#ifndef OS_TESTS_AVRO_CRAFT_H
#define OS_TESTS_AVRO_CRAFT_H

#include <math.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "base/buf.h"
#include "formats/avro/avro.h"

#define AVC_UNUSED __attribute__((unused))

static AVC_UNUSED const uint8_t SYNC[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static AVC_UNUSED void put_long(os_buf *b, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    while (u >= 0x80) {
        os_buf_putc(b, (char)(u | 0x80));
        u >>= 7;
    }
    os_buf_putc(b, (char)u);
}

static AVC_UNUSED void put_bytes(os_buf *b, const void *p, size_t n)
{
    put_long(b, (int64_t)n);
    os_buf_append(b, p, n);
}

static AVC_UNUSED void put_str(os_buf *b, const char *s)
{
    put_bytes(b, s, strlen(s));
}

static AVC_UNUSED void put_double(os_buf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    for (int i = 0; i < 8; i++)
        os_buf_putc(b, (char)(u >> (8 * i)));
}

static AVC_UNUSED void put_float(os_buf *b, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    for (int i = 0; i < 4; i++)
        os_buf_putc(b, (char)(u >> (8 * i)));
}

/* The header: magic, metadata (schema, codec unless NULL, extra pairs), sync. */
static AVC_UNUSED void put_header(os_buf *f, const char *schema, const char *codec)
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

static AVC_UNUSED void compress_block(const char *codec, const os_buf *raw, os_buf *out)
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
static AVC_UNUSED void put_block(os_buf *f, const char *codec, int64_t count, const os_buf *raw)
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
static AVC_UNUSED void one_block_file(os_buf *f, const char *schema, const char *codec, int64_t count, const os_buf *raw)
{
    os_buf_reset(f);
    put_header(f, schema, codec);
    put_block(f, codec, count, raw);
}

/* Reads every record; returns the count, or -1 with err (records freed as it goes). */
static AVC_UNUSED long read_all(const uint8_t *data, size_t len, const avro_limits *lim, os_err *err)
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
static AVC_UNUSED char *first_json(const os_buf *file, os_err *err)
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

static AVC_UNUSED void expect_json(const os_buf *file, const char *want)
{
    os_err err = {0};
    char *got = first_json(file, &err);
    if (got == NULL)
        fail_msg("no record: %s", err.msg);
    assert_string_equal(got, want);
    free(got);
}

static AVC_UNUSED void expect_error(const os_buf *file, os_code code, const char *needle)
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

static AVC_UNUSED const char *PRIMS =
    "{\"type\":\"record\",\"name\":\"P\",\"fields\":["
    "{\"name\":\"n\",\"type\":\"null\"},{\"name\":\"b\",\"type\":\"boolean\"},"
    "{\"name\":\"i\",\"type\":\"int\"},{\"name\":\"l\",\"type\":\"long\"},"
    "{\"name\":\"f\",\"type\":\"float\"},{\"name\":\"d\",\"type\":\"double\"},"
    "{\"name\":\"y\",\"type\":\"bytes\"},{\"name\":\"s\",\"type\":\"string\"}]}";

static AVC_UNUSED void put_prims(os_buf *r, bool b, int32_t i, int64_t l, float f, double d, const char *y, size_t yl,
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

/* A record with every type but the primitives, named types in namespaces and references. */
static AVC_UNUSED const char *COMPLEX =
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

#endif
