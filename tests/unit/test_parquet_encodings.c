/* test_parquet_encodings.c - RLE/bit-packed hybrid, PLAIN, dictionaries, DELTA_*, BYTE_STREAM_SPLIT, levels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/parquet/decode.h"

/* ------------------------------------------------------------ test-side encoders */

typedef struct wbuf {
    uint8_t b[1 << 16];
    size_t n;
} wbuf;

static void put_uvarint(wbuf *w, uint64_t v)
{
    while (v >= 0x80) {
        w->b[w->n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    w->b[w->n++] = (uint8_t)v;
}

static void put_zigzag(wbuf *w, int64_t v)
{
    put_uvarint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* LSB-first bit packing of n values of width bw into w. */
static void put_bits(wbuf *w, const uint64_t *v, size_t n, int bw)
{
    size_t bytes = (n * (size_t)bw + 7) / 8;
    memset(w->b + w->n, 0, bytes);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < bw; k++)
            if ((v[i] >> k) & 1) {
                size_t bit = i * (size_t)bw + (size_t)k;
                w->b[w->n + bit / 8] |= (uint8_t)(1u << (bit % 8));
            }
    w->n += bytes;
}

/* DELTA_BINARY_PACKED with 128-value blocks of 4 miniblocks, as the spec describes. */
static void put_delta(wbuf *w, const int64_t *v, size_t n)
{
    put_uvarint(w, 128);
    put_uvarint(w, 4);
    put_uvarint(w, n);
    put_zigzag(w, n ? v[0] : 0);
    for (size_t start = 1; start < n; start += 128) {
        size_t cnt = n - start < 128 ? n - start : 128;
        uint64_t d[128] = {0};
        int64_t min = INT64_MAX;
        for (size_t i = 0; i < cnt; i++) {
            int64_t delta = (int64_t)((uint64_t)v[start + i] - (uint64_t)v[start + i - 1]);
            d[i] = (uint64_t)delta;
            if (delta < min)
                min = delta;
        }
        put_zigzag(w, min);
        int widths[4] = {0};
        for (size_t i = 0; i < cnt; i++) {
            d[i] -= (uint64_t)min;
            int bw = 0;
            while (bw < 64 && (d[i] >> bw))
                bw++;
            if (bw > widths[i / 32])
                widths[i / 32] = bw;
        }
        for (int m = 0; m < 4; m++)
            w->b[w->n++] = (uint8_t)widths[m];
        for (size_t m = 0; m * 32 < cnt; m++)
            put_bits(w, d + m * 32, 32, widths[m]);
    }
}

/* ------------------------------------------------------------ RLE / bit-packed hybrid */

static void test_rle_runs_and_bitpacked(void **state)
{
    (void)state;
    /* RLE run of 5 x 3 (bw 2), bit-packed group of 8: 0..7 mod 4, RLE run of 3 x 1 */
    wbuf w = {.n = 0};
    put_uvarint(&w, 5 << 1);
    w.b[w.n++] = 3;
    put_uvarint(&w, (1 << 1) | 1);
    uint64_t vals[8] = {0, 1, 2, 3, 0, 1, 2, 3};
    put_bits(&w, vals, 8, 2);
    put_uvarint(&w, 3 << 1);
    w.b[w.n++] = 1;
    uint8_t out8[16];
    uint32_t out32[16];
    size_t used;
    os_err err;
    assert_int_equal(pq_rle_decode(w.b, w.n, 2, out8, NULL, 16, &used, &err), 0);
    const uint8_t want[16] = {3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3, 1, 1, 1};
    assert_memory_equal(out8, want, 16);
    assert_int_equal(used, w.n);
    assert_int_equal(pq_rle_decode(w.b, w.n, 2, NULL, out32, 16, NULL, &err), 0);
    for (int i = 0; i < 16; i++)
        assert_int_equal(out32[i], want[i]);
    /* asking for more values than encoded is an error */
    assert_int_equal(pq_rle_decode(w.b, w.n, 2, out8, NULL, 17, NULL, &err), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    /* a run value wider than the bit width */
    const uint8_t wide[] = {0x02, 0x07};
    assert_int_equal(pq_rle_decode(wide, 2, 2, out8, NULL, 1, NULL, &err), -1);
    /* a bit-packed run past the end */
    const uint8_t cut[] = {0x03, 0xff};
    assert_int_equal(pq_rle_decode(cut, 2, 4, out8, NULL, 8, NULL, &err), -1);
    /* width 0: all zeros from a run header alone */
    const uint8_t zero[] = {0x20};
    assert_int_equal(pq_rle_decode(zero, 1, 0, out8, NULL, 16, NULL, &err), 0);
    assert_int_equal(out8[15], 0);
}

static void test_unpack_all_widths(void **state)
{
    (void)state;
    uint64_t v[100], back64[100];
    uint32_t back32[100];
    for (int bw = 1; bw <= 64; bw++) {
        uint64_t mask = bw == 64 ? ~0ull : (1ull << bw) - 1;
        for (int i = 0; i < 100; i++)
            v[i] = ((uint64_t)i * 0x9e3779b97f4a7c15ull) & mask;
        wbuf w = {.n = 0};
        put_bits(&w, v, 100, bw);
        pq_unpack64(w.b, w.n, bw, back64, 100);
        assert_memory_equal(v, back64, sizeof v);
        if (bw <= 32) {
            pq_unpack32(w.b, w.n, bw, back32, 100);
            for (int i = 0; i < 100; i++)
                assert_int_equal(back32[i], v[i]);
        }
    }
}

static void test_legacy_bit_packed_levels(void **state)
{
    (void)state;
    /* MSB first, width 3: 0 1 2 3 4 5 6 7 -> 000 001 010 011 100 101 110 111 */
    const uint8_t in[] = {0x05, 0x39, 0x77};
    uint8_t out[8];
    os_err err;
    assert_int_equal(pq_bitpacked_levels(in, sizeof in, 3, out, 8, &err), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(out[i], i);
    assert_int_equal(pq_bitpacked_levels(in, 2, 3, out, 8, &err), -1);
}

/* ------------------------------------------------------------ PLAIN and dictionaries */

static void test_plain_values(void **state)
{
    (void)state;
    os_err err;
    const uint8_t bools[] = {0xa5, 0x01};
    uint8_t b[9];
    assert_int_equal(pq_plain_decode(PQ_BOOLEAN, 0, bools, 2, b, 9, &err), 2);
    const uint8_t wantb[9] = {1, 0, 1, 0, 0, 1, 0, 1, 1};
    assert_memory_equal(b, wantb, 9);
    const uint8_t ba[] = {3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 1, 0, 0, 0, 'z'};
    pq_bytes s[3];
    assert_int_equal(pq_plain_decode(PQ_BYTE_ARRAY, 0, ba, sizeof ba, s, 3, &err), (long)sizeof ba);
    assert_int_equal(s[0].len, 3);
    assert_memory_equal(s[0].ptr, "abc", 3);
    assert_int_equal(s[1].len, 0);
    assert_int_equal(s[2].len, 1);
    /* a length running past the end, and a truncated length */
    assert_int_equal(pq_plain_decode(PQ_BYTE_ARRAY, 0, ba, sizeof ba - 1, s, 3, &err), -1);
    assert_int_equal(pq_plain_decode(PQ_BYTE_ARRAY, 0, ba, 2, s, 1, &err), -1);
    int64_t i64[2];
    assert_int_equal(pq_plain_decode(PQ_INT64, 0, ba, 15, i64, 2, &err), -1);
    assert_int_equal(pq_plain_decode(PQ_INT64, 0, ba, 16, i64, 2, &err), 16);
    pq_bytes fl[4];
    assert_int_equal(pq_plain_decode(PQ_FIXED_LEN_BYTE_ARRAY, 4, ba, 16, fl, 4, &err), 16);
    assert_int_equal(fl[3].len, 4);
    assert_int_equal(pq_plain_decode(PQ_INT96, 0, ba, 16, fl, 2, &err), -1);
}

static void test_dictionary_gather(void **state)
{
    (void)state;
    os_err err;
    const int64_t dict[3] = {10, -20, 30};
    const uint32_t idx[5] = {2, 0, 1, 1, 2};
    int64_t out[5];
    assert_int_equal(pq_dict_gather(PQ_INT64, dict, 3, idx, out, 5, &err), 0);
    assert_int_equal(out[0], 30);
    assert_int_equal(out[2], -20);
    const uint32_t bad[2] = {1, 3};
    assert_int_equal(pq_dict_gather(PQ_INT64, dict, 3, bad, out, 2, &err), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    assert_non_null(strstr(err.msg, "out of range"));
    pq_bytes sd[1] = {{(const uint8_t *)"x", 1}};
    pq_bytes so[1];
    const uint32_t z[1] = {0};
    assert_int_equal(pq_dict_gather(PQ_BYTE_ARRAY, sd, 1, z, so, 1, &err), 0);
    assert_int_equal(so[0].len, 1);
    assert_int_equal(pq_dict_gather(PQ_BYTE_ARRAY, sd, 0, z, so, 1, &err), -1);
}

/* ------------------------------------------------------------ DELTA_BINARY_PACKED */

static void check_delta_roundtrip(const int64_t *v, size_t n)
{
    static wbuf w;
    w.n = 0;
    put_delta(&w, v, n);
    int64_t *out = malloc((n ? n : 1) * sizeof *out);
    size_t used;
    os_err err;
    assert_int_equal(pq_delta_binary_decode(w.b, w.n, false, out, n, &used, &err), 0);
    assert_int_equal(used, w.n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i], v[i]);
    free(out);
}

static void test_delta_binary_packed(void **state)
{
    (void)state;
    int64_t v[1000];
    /* spec example: 1 2 3 4 5 and 7 5 3 1 2 3 4 5 */
    const int64_t a[] = {1, 2, 3, 4, 5}, b[] = {7, 5, 3, 1, 2, 3, 4, 5};
    check_delta_roundtrip(a, 5);
    check_delta_roundtrip(b, 8);
    check_delta_roundtrip(a, 0);
    check_delta_roundtrip(a, 1);
    for (int i = 0; i < 1000; i++)
        v[i] = 42;
    check_delta_roundtrip(v, 1000); /* bit width 0 everywhere */
    for (int i = 0; i < 1000; i++)
        v[i] = (i & 1) ? INT64_MAX : INT64_MIN; /* deltas need all 64 bits */
    check_delta_roundtrip(v, 1000);
    for (int i = 0; i < 1000; i++)
        v[i] = (int64_t)((uint64_t)i * 0x9e3779b97f4a7c15ull);
    check_delta_roundtrip(v, 129); /* one value in a second block */
    check_delta_roundtrip(v, 1000);
}

static void test_delta_int32_wraps(void **state)
{
    (void)state;
    /* INT32 written with 64-bit deltas (33-bit widths) must wrap to the same values */
    const int64_t v[] = {INT32_MAX, INT32_MIN, INT32_MAX, 0, -1, INT32_MIN};
    wbuf w = {.n = 0};
    put_delta(&w, v, 6);
    int32_t out[6];
    os_err err;
    assert_int_equal(pq_delta_binary_decode(w.b, w.n, true, out, 6, NULL, &err), 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(out[i], (int32_t)v[i]);
}

static void test_delta_bad_input(void **state)
{
    (void)state;
    int64_t v[200];
    for (int i = 0; i < 200; i++)
        v[i] = i * i;
    wbuf w = {.n = 0};
    put_delta(&w, v, 200);
    int64_t out[201];
    os_err err;
    /* Truncation fails, except inside the padding of the last miniblock, where the
     * values are all present and must come out right. */
    for (size_t cut = 0; cut < w.n; cut++) {
        if (pq_delta_binary_decode(w.b, cut, false, out, 200, NULL, &err) == 0) {
            assert_true(cut > w.n - 32);
            for (int i = 0; i < 200; i++)
                assert_int_equal(out[i], v[i]);
        }
    }
    assert_int_equal(pq_delta_binary_decode(w.b, 20, false, out, 200, NULL, &err), -1);
    /* count mismatch */
    assert_int_equal(pq_delta_binary_decode(w.b, w.n, false, out, 201, NULL, &err), -1);
    /* block size not a multiple of 128, miniblocks of 0, width 65 */
    const uint8_t bad1[] = {0x40, 0x04, 0x02, 0x00};
    assert_int_equal(pq_delta_binary_decode(bad1, sizeof bad1, false, out, 2, NULL, &err), -1);
    const uint8_t bad2[] = {0x80, 0x01, 0x00, 0x02, 0x00};
    assert_int_equal(pq_delta_binary_decode(bad2, sizeof bad2, false, out, 2, NULL, &err), -1);
    uint8_t hdr[64];
    size_t h = 0;
    const uint8_t head[] = {0x80, 0x01, 0x04, 0x03, 0x00, 0x00, 65, 0, 0, 0};
    memcpy(hdr, head, sizeof head);
    h = sizeof head;
    memset(hdr + h, 0xff, 32);
    assert_int_equal(pq_delta_binary_decode(hdr, h + 32, false, out, 3, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "too wide"));
}

/* ------------------------------------------------------------ byte-array deltas */

static void test_delta_length_and_byte_array(void **state)
{
    (void)state;
    const char *words[] = {"apple", "applesauce", "apply", "", "banana", "band"};
    wbuf w = {.n = 0};
    int64_t lens[6], pre[6];
    for (int i = 0; i < 6; i++)
        lens[i] = (int64_t)strlen(words[i]);
    put_delta(&w, lens, 6);
    for (int i = 0; i < 6; i++) {
        memcpy(w.b + w.n, words[i], strlen(words[i]));
        w.n += strlen(words[i]);
    }
    pq_bytes out[6];
    pq_blocks blocks = {0};
    os_err err;
    assert_int_equal(pq_delta_length_decode(w.b, w.n, out, 6, &err), 0);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(out[i].len, strlen(words[i]));
        assert_memory_equal(out[i].ptr, words[i], out[i].len);
    }
    assert_int_equal(pq_delta_length_decode(w.b, w.n - 1, out, 6, &err), -1);

    /* DELTA_BYTE_ARRAY: prefix lengths, then suffixes as DELTA_LENGTH_BYTE_ARRAY */
    w.n = 0;
    const char *prev = "";
    int64_t sl[6];
    for (int i = 0; i < 6; i++) {
        size_t p = 0;
        while (prev[p] && prev[p] == words[i][p])
            p++;
        pre[i] = (int64_t)p;
        sl[i] = (int64_t)(strlen(words[i]) - p);
        prev = words[i];
    }
    put_delta(&w, pre, 6);
    put_delta(&w, sl, 6);
    for (int i = 0; i < 6; i++) {
        memcpy(w.b + w.n, words[i] + pre[i], (size_t)sl[i]);
        w.n += (size_t)sl[i];
    }
    assert_int_equal(pq_delta_byte_array_decode(w.b, w.n, out, 6, 0, &blocks, 1 << 20, &err), 0);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(out[i].len, strlen(words[i]));
        assert_memory_equal(out[i].ptr, words[i], out[i].len);
    }
    /* the output limit is enforced before allocating */
    assert_int_equal(pq_delta_byte_array_decode(w.b, w.n, out, 6, 0, &blocks, 10, &err), -1);
    assert_int_equal(err.code, OS_ELIMIT);
    /* fixed length mismatch */
    assert_int_equal(pq_delta_byte_array_decode(w.b, w.n, out, 6, 5, &blocks, 1 << 20, &err), -1);
    /* a prefix longer than the previous value */
    w.n = 0;
    const int64_t badpre[2] = {0, 3}, badsuf[2] = {1, 1};
    put_delta(&w, badpre, 2);
    put_delta(&w, badsuf, 2);
    w.b[w.n++] = 'a';
    w.b[w.n++] = 'b';
    assert_int_equal(pq_delta_byte_array_decode(w.b, w.n, out, 2, 0, &blocks, 1 << 20, &err), -1);
    assert_non_null(strstr(err.msg, "prefix"));
    pq_blocks_free(&blocks);
}

/* ------------------------------------------------------------ BYTE_STREAM_SPLIT */

static void test_byte_stream_split(void **state)
{
    (void)state;
    const float f[3] = {1.5f, -2.25f, 1e30f};
    uint8_t enc[12];
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++)
            enc[k * 3 + i] = ((const uint8_t *)&f[i])[k];
    float back[3];
    pq_blocks blocks = {0};
    os_err err;
    assert_int_equal(pq_bss_decode(PQ_FLOAT, 0, enc, 12, back, 3, &blocks, &err), 0);
    assert_memory_equal(back, f, sizeof f);
    int32_t i32[3];
    assert_int_equal(pq_bss_decode(PQ_INT32, 0, enc, 12, i32, 3, &blocks, &err), 0);
    assert_memory_equal(i32, f, sizeof f);
    pq_bytes fl[2];
    assert_int_equal(pq_bss_decode(PQ_FIXED_LEN_BYTE_ARRAY, 6, enc, 12, fl, 2, &blocks, &err), 0);
    assert_int_equal(fl[1].len, 6);
    assert_int_equal(fl[0].ptr[1], enc[2]);
    /* a size that is not a whole number of values, and a type it does not apply to */
    assert_int_equal(pq_bss_decode(PQ_DOUBLE, 0, enc, 12, back, 2, &blocks, &err), -1);
    assert_int_equal(pq_bss_decode(PQ_BOOLEAN, 0, enc, 12, back, 2, &blocks, &err), -1);
    pq_blocks_free(&blocks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rle_runs_and_bitpacked),
        cmocka_unit_test(test_unpack_all_widths),
        cmocka_unit_test(test_legacy_bit_packed_levels),
        cmocka_unit_test(test_plain_values),
        cmocka_unit_test(test_dictionary_gather),
        cmocka_unit_test(test_delta_binary_packed),
        cmocka_unit_test(test_delta_int32_wraps),
        cmocka_unit_test(test_delta_bad_input),
        cmocka_unit_test(test_delta_length_and_byte_array),
        cmocka_unit_test(test_byte_stream_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
