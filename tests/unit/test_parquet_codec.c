/* test_parquet_codec.c - page decompression for each codec, size checks and invalid data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "formats/parquet/decode.h"

#define N 10000

static uint8_t plain[N];

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < N; i++)
        plain[i] = (uint8_t)("parquet pages compress well "[i % 28] ^ (i / 1000));
    return 0;
}

static void expect_roundtrip(int32_t codec, const uint8_t *comp, size_t clen)
{
    uint8_t *out = malloc(N);
    os_err err;
    assert_int_equal(pq_codec_decompress(codec, comp, clen, out, N, &err), 0);
    assert_memory_equal(out, plain, N);
    /* the declared size must match exactly */
    assert_int_equal(pq_codec_decompress(codec, comp, clen, out, N - 1, &err), -1);
    uint8_t *big = malloc(N + 1);
    assert_int_equal(pq_codec_decompress(codec, comp, clen, big, N + 1, &err), -1);
    /* truncated compressed data */
    assert_int_equal(pq_codec_decompress(codec, comp, clen / 2, out, N, &err), -1);
    /* garbage */
    uint8_t junk[64];
    for (int i = 0; i < 64; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    assert_int_equal(pq_codec_decompress(codec, junk, sizeof junk, out, N, &err), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    free(out);
    free(big);
}

static void test_uncompressed(void **state)
{
    (void)state;
    uint8_t out[N];
    os_err err;
    assert_int_equal(pq_codec_decompress(PQ_CODEC_UNCOMPRESSED, plain, N, out, N, &err), 0);
    assert_memory_equal(out, plain, N);
    assert_int_equal(pq_codec_decompress(PQ_CODEC_UNCOMPRESSED, plain, N, out, N - 1, &err), -1);
}

static void test_snappy(void **state)
{
    (void)state;
    size_t clen = snappy_max_compressed_length(N);
    char *c = malloc(clen);
    assert_int_equal(snappy_compress((const char *)plain, N, c, &clen), SNAPPY_OK);
    expect_roundtrip(PQ_CODEC_SNAPPY, (const uint8_t *)c, clen);
    free(c);
}

static void test_gzip_and_zlib(void **state)
{
    (void)state;
    uint8_t c[N + 1024];
    z_stream zs = {0};
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = plain;
    zs.avail_in = N;
    zs.next_out = c;
    zs.avail_out = sizeof c;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t clen = zs.total_out;
    deflateEnd(&zs);
    expect_roundtrip(PQ_CODEC_GZIP, c, clen);
    /* zlib framing is accepted too */
    uLongf zl = sizeof c;
    assert_int_equal(compress(c, &zl, plain, N), Z_OK);
    uint8_t *out = malloc(N);
    os_err err;
    assert_int_equal(pq_codec_decompress(PQ_CODEC_GZIP, c, zl, out, N, &err), 0);
    assert_memory_equal(out, plain, N);
    free(out);
}

static void test_zstd(void **state)
{
    (void)state;
    size_t cap = ZSTD_compressBound(N);
    uint8_t *c = malloc(cap);
    size_t clen = ZSTD_compress(c, cap, plain, N, 3);
    assert_false(ZSTD_isError(clen));
    expect_roundtrip(PQ_CODEC_ZSTD, c, clen);
    free(c);
}

static void test_lz4_raw_and_hadoop(void **state)
{
    (void)state;
    int cap = LZ4_compressBound(N);
    uint8_t *c = malloc((size_t)cap + 8);
    int clen = LZ4_compress_default((const char *)plain, (char *)c + 8, N, cap);
    assert_true(clen > 0);
    expect_roundtrip(PQ_CODEC_LZ4_RAW, c + 8, (size_t)clen);
    /* Hadoop framing: big-endian raw size and compressed size before the block */
    c[0] = 0; c[1] = 0; c[2] = (uint8_t)(N >> 8); c[3] = (uint8_t)N;
    c[4] = (uint8_t)(clen >> 24); c[5] = (uint8_t)(clen >> 16); c[6] = (uint8_t)(clen >> 8); c[7] = (uint8_t)clen;
    uint8_t *out = malloc(N);
    os_err err;
    assert_int_equal(pq_codec_decompress(PQ_CODEC_LZ4, c, (size_t)clen + 8, out, N, &err), 0);
    assert_memory_equal(out, plain, N);
    /* the deprecated LZ4 codec also accepts a bare block */
    assert_int_equal(pq_codec_decompress(PQ_CODEC_LZ4, c + 8, (size_t)clen, out, N, &err), 0);
    assert_memory_equal(out, plain, N);
    free(out);
    free(c);
}

static void test_unsupported_codecs(void **state)
{
    (void)state;
    uint8_t out[4];
    os_err err;
    assert_int_equal(pq_codec_decompress(PQ_CODEC_BROTLI, plain, 4, out, 4, &err), -1);
    assert_int_equal(err.code, OS_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "BROTLI"));
    assert_int_equal(pq_codec_decompress(PQ_CODEC_LZO, plain, 4, out, 4, &err), -1);
    assert_int_equal(err.code, OS_EUNSUPPORTED);
    assert_int_equal(pq_codec_decompress(99, plain, 4, out, 4, &err), -1);
    assert_int_equal(err.code, OS_EUNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uncompressed),
        cmocka_unit_test(test_snappy),
        cmocka_unit_test(test_gzip_and_zlib),
        cmocka_unit_test(test_zstd),
        cmocka_unit_test(test_lz4_raw_and_hadoop),
        cmocka_unit_test(test_unsupported_codecs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
