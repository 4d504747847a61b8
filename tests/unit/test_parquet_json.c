/* test_parquet_json.c - rendering values as JSON: decimals, dates, times, timestamps, INT96,
 * floats, UUIDs, strings, binary and maps. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "formats/parquet/parquet.h"

static pq_node leaf(pq_physical_type t, pq_logical_kind k)
{
    pq_node n;
    memset(&n, 0, sizeof n);
    n.name = "v";
    n.physical = t;
    n.logical.kind = k;
    n.leaf_index = 0;
    return n;
}

static void expect(const pq_value *v, const char *want)
{
    os_buf b = OS_BUF_INIT;
    os_err err;
    assert_int_equal(pq_value_to_json(v, &b, &err), 0);
    assert_string_equal(os_buf_cstr(&b), want);
    os_buf_free(&b);
}

static void expect_i64(pq_node *n, int64_t x, const char *want)
{
    pq_value v = {.kind = PQ_VAL_INT64, .node = n};
    v.u.i64 = x;
    expect(&v, want);
}

static void expect_bytes(pq_node *n, const void *p, uint32_t len, const char *want)
{
    pq_value v = {.kind = PQ_VAL_BYTES, .node = n};
    v.u.bytes.ptr = p;
    v.u.bytes.len = len;
    expect(&v, want);
}

static void test_decimals(void **state)
{
    (void)state;
    pq_node n = leaf(PQ_INT64, PQ_LT_DECIMAL);
    n.logical.precision = 18;
    n.logical.scale = 2;
    expect_i64(&n, 12345, "\"123.45\"");
    expect_i64(&n, -5, "\"-0.05\"");
    expect_i64(&n, 0, "\"0.00\"");
    expect_i64(&n, INT64_MIN, "\"-92233720368547758.08\"");
    n.logical.scale = 0;
    expect_i64(&n, -7, "\"-7\"");
    pq_node f = leaf(PQ_FIXED_LEN_BYTE_ARRAY, PQ_LT_DECIMAL);
    f.logical.precision = 38;
    f.logical.scale = 10;
    /* 10^30 + 1 as 16 big-endian bytes, and its negation */
    const uint8_t pos[16] = {0x00, 0x00, 0x00, 0x0c, 0x9f, 0x2c, 0x9c, 0xd0, 0x46, 0x74, 0xed, 0xea, 0x40, 0x00, 0x00, 0x01};
    expect_bytes(&f, pos, 16, "\"100000000000000000000.0000000001\"");
    uint8_t neg[16];
    int carry = 1;
    for (int i = 15; i >= 0; i--) {
        int x = (uint8_t)~pos[i] + carry;
        neg[i] = (uint8_t)x;
        carry = x >> 8;
    }
    expect_bytes(&f, neg, 16, "\"-100000000000000000000.0000000001\"");
    expect_bytes(&f, pos, 0, "\"0.0000000000\"");
}

static void test_dates_and_timestamps(void **state)
{
    (void)state;
    pq_node d = leaf(PQ_INT32, PQ_LT_DATE);
    pq_value v = {.kind = PQ_VAL_INT32, .node = &d};
    v.u.i32 = 18878;
    expect(&v, "\"2021-09-08\"");
    v.u.i32 = -719893;
    expect(&v, "\"-0001-01-01\"");
    v.u.i32 = 2932897;
    expect(&v, "\"+10000-01-01\"");
    pq_node t = leaf(PQ_INT64, PQ_LT_TIMESTAMP);
    t.logical.unit = PQ_MICROS;
    t.logical.utc_adjusted = true;
    expect_i64(&t, 1631099471123456, "\"2021-09-08T11:11:11.123456Z\"");
    expect_i64(&t, -1, "\"1969-12-31T23:59:59.999999Z\"");
    t.logical.utc_adjusted = false;
    expect_i64(&t, 0, "\"1970-01-01T00:00:00.000000\"");
    t.logical.unit = PQ_MILLIS;
    t.logical.utc_adjusted = true;
    expect_i64(&t, 1631099471123, "\"2021-09-08T11:11:11.123Z\"");
    t.logical.unit = PQ_NANOS;
    expect_i64(&t, INT64_MIN, "\"1677-09-21T00:12:43.145224192Z\"");
    pq_node tm = leaf(PQ_INT64, PQ_LT_TIME);
    tm.logical.unit = PQ_MICROS;
    expect_i64(&tm, 3723000004, "\"01:02:03.000004\"");
    expect_i64(&tm, -5, "-5");
}

static void test_int96(void **state)
{
    (void)state;
    pq_node n = leaf(PQ_INT96, PQ_LT_INT96_TIMESTAMP);
    uint8_t b[12];
    uint64_t nanos = 40271123456789ULL; /* 11:11:11.123456789 */
    uint32_t jd = 2440588 + 18878;
    memcpy(b, &nanos, 8);
    memcpy(b + 8, &jd, 4);
    expect_bytes(&n, b, 12, "\"2021-09-08T11:11:11.123456789Z\"");
    /* the largest Julian day must not overflow anything */
    jd = UINT32_MAX;
    nanos = UINT64_MAX;
    memcpy(b, &nanos, 8);
    memcpy(b + 8, &jd, 4);
    os_buf buf = OS_BUF_INIT;
    os_err err;
    pq_value v = {.kind = PQ_VAL_BYTES, .node = &n};
    v.u.bytes.ptr = b;
    v.u.bytes.len = 12;
    assert_int_equal(pq_value_to_json(&v, &buf, &err), 0);
    assert_non_null(strchr(buf.data, 'Z'));
    os_buf_free(&buf);
}

static void test_floats(void **state)
{
    (void)state;
    pq_node n = leaf(PQ_DOUBLE, PQ_LT_NONE);
    pq_value v = {.kind = PQ_VAL_DOUBLE, .node = &n};
    v.u.d = 0.1;
    expect(&v, "0.1");
    v.u.d = NAN;
    expect(&v, "\"NaN\"");
    v.u.d = -INFINITY;
    expect(&v, "\"-Infinity\"");
    v.u.d = 1e300;
    expect(&v, "1e+300");
    v.u.d = -0.0;
    expect(&v, "-0");
    pq_node fn = leaf(PQ_FLOAT, PQ_LT_NONE);
    pq_value f = {.kind = PQ_VAL_FLOAT, .node = &fn};
    f.u.f = 1.0f / 3.0f;
    expect(&f, "0.33333334");
    f.u.f = INFINITY;
    expect(&f, "\"Infinity\"");
    pq_node h = leaf(PQ_FIXED_LEN_BYTE_ARRAY, PQ_LT_FLOAT16);
    const uint8_t half[2] = {0x00, 0xc1}; /* -2.5 */
    expect_bytes(&h, half, 2, "-2.5");
}

static void test_strings_binary_uuid_ints(void **state)
{
    (void)state;
    pq_node s = leaf(PQ_BYTE_ARRAY, PQ_LT_STRING);
    expect_bytes(&s, "a\"b\\c\n\x01", 7, "\"a\\\"b\\\\c\\n\\u0001\"");
    expect_bytes(&s, "\xc3\xa9\xff" "x", 4, "\"\xc3\xa9\\ufffdx\"");
    expect_bytes(&s, "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""); /* a surrogate is not UTF-8 */
    pq_node b = leaf(PQ_BYTE_ARRAY, PQ_LT_NONE);
    expect_bytes(&b, "\x00\xff\x10", 3, "\"AP8Q\"");
    pq_node u = leaf(PQ_FIXED_LEN_BYTE_ARRAY, PQ_LT_UUID);
    const uint8_t id[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    expect_bytes(&u, id, 16, "\"12345678-9abc-def0-0123-456789abcdef\"");
    pq_node un = leaf(PQ_INT64, PQ_LT_INTEGER);
    un.logical.bit_width = 64;
    expect_i64(&un, -1, "18446744073709551615");
    pq_node u32 = leaf(PQ_INT32, PQ_LT_INTEGER);
    u32.logical.bit_width = 32;
    pq_value v = {.kind = PQ_VAL_INT32, .node = &u32};
    v.u.i32 = -1;
    expect(&v, "4294967295");
    pq_node plain = leaf(PQ_INT64, PQ_LT_NONE);
    expect_i64(&plain, INT64_MIN, "-9223372036854775808");
}

static void test_structs_lists_maps(void **state)
{
    (void)state;
    pq_node k = leaf(PQ_INT32, PQ_LT_NONE), val = leaf(PQ_BYTE_ARRAY, PQ_LT_STRING);
    pq_node m;
    memset(&m, 0, sizeof m);
    m.name = "m";
    m.kind = PQ_NODE_MAP;
    m.physical = PQ_GROUP;
    m.key = &k;
    m.value = &val;
    pq_value keys[2] = {{.kind = PQ_VAL_INT32, .node = &k}, {.kind = PQ_VAL_INT32, .node = &k}};
    keys[0].u.i32 = 1;
    keys[1].u.i32 = 2;
    pq_value vals[2] = {{.kind = PQ_VAL_BYTES, .node = &val}, {.kind = PQ_VAL_NULL, .node = &val}};
    vals[0].u.bytes.ptr = (const uint8_t *)"x";
    vals[0].u.bytes.len = 1;
    pq_value mv = {.kind = PQ_VAL_MAP, .node = &m};
    mv.u.map.keys = keys;
    mv.u.map.values = vals;
    mv.u.map.n = 2;
    expect(&mv, "[{\"key\":1,\"value\":\"x\"},{\"key\":2,\"value\":null}]");
    pq_node sk = leaf(PQ_BYTE_ARRAY, PQ_LT_STRING);
    m.key = &sk;
    pq_value skeys[2] = {{.kind = PQ_VAL_BYTES, .node = &sk}, {.kind = PQ_VAL_BYTES, .node = &sk}};
    skeys[0].u.bytes.ptr = (const uint8_t *)"a";
    skeys[0].u.bytes.len = 1;
    skeys[1].u.bytes.ptr = (const uint8_t *)"b\"";
    skeys[1].u.bytes.len = 2;
    mv.u.map.keys = skeys;
    expect(&mv, "{\"a\":\"x\",\"b\\\"\":null}");
    pq_node fa = leaf(PQ_BOOLEAN, PQ_LT_NONE);
    fa.name = "flag";
    pq_value fields[2] = {{.kind = PQ_VAL_BOOL, .node = &fa}, mv};
    fields[0].u.b = true;
    pq_value list = {.kind = PQ_VAL_LIST, .node = &m};
    list.u.list.items = fields;
    list.u.list.n = 0;
    fields[1] = list;
    pq_node sn;
    memset(&sn, 0, sizeof sn);
    sn.name = "root";
    sn.kind = PQ_NODE_STRUCT;
    pq_value st = {.kind = PQ_VAL_STRUCT, .node = &sn};
    st.u.strct.fields = fields;
    st.u.strct.n = 2;
    expect(&st, "{\"flag\":true,\"m\":[]}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_dates_and_timestamps),
        cmocka_unit_test(test_int96),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_strings_binary_uuid_ints),
        cmocka_unit_test(test_structs_lists_maps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
