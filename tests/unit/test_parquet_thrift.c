/* test_parquet_thrift.c - Thrift compact protocol: field headers, values, skipping unknown fields, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "formats/parquet/internal.h"
#include "formats/parquet/thrift.h"

static void test_short_and_long_field_headers(void **state)
{
    (void)state;
    /* field 1 i32 = 150 (zigzag 300 = ac 02); field 3 binary "hi"; long form: id 300 i64 = -1; stop */
    const uint8_t in[] = {0x15, 0xac, 0x02, 0x28, 0x02, 'h', 'i', 0x06, 0xd8, 0x04, 0x01, 0x00};
    pq_thrift t;
    pq_thrift_init(&t, in, sizeof in);
    int16_t last = 0, id;
    int type;
    int32_t v;
    int64_t w;
    const uint8_t *p;
    uint32_t n;
    assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 1);
    assert_int_equal(id, 1);
    assert_int_equal(type, PQ_T_I32);
    assert_int_equal(pq_thrift_i32(&t, type, &v), 0);
    assert_int_equal(v, 150);
    assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 1);
    assert_int_equal(id, 3);
    assert_int_equal(pq_thrift_binary(&t, type, &p, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(p, "hi", 2);
    assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 1);
    assert_int_equal(id, 300);
    assert_int_equal(pq_thrift_i64(&t, type, &w), 0);
    assert_int_equal(w, -1);
    assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 0);
    assert_int_equal(pq_thrift_pos(&t), sizeof in);
}

static void test_bool_fields(void **state)
{
    (void)state;
    const uint8_t in[] = {0x11, 0x12, 0x00};
    pq_thrift t;
    pq_thrift_init(&t, in, sizeof in);
    int16_t last = 0, id;
    int type;
    bool b;
    assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 1);
    assert_int_equal(pq_thrift_bool(&t, type, &b), 0);
    assert_true(b);
    assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 1);
    assert_int_equal(id, 2);
    assert_int_equal(pq_thrift_bool(&t, type, &b), 0);
    assert_false(b);
    assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 0);
}

static void test_skip_every_type(void **state)
{
    (void)state;
    const uint8_t in[] = {
        0x13, 0x7f,                         /* 1: byte */
        0x14, 0x04,                         /* 2: i16 */
        0x17, 1, 2, 3, 4, 5, 6, 7, 8,       /* 3: double */
        0x19, 0x35, 0x02, 0x04, 0x06,       /* 4: list<i32> of 3 */
        0x1a, 0x21, 0x01, 0x02,             /* 5: set<bool> of 2 */
        0x1b, 0x02, 0x85, 0x01, 'k', 0x02, 0x01, 'v', 0x04, /* 6: map<binary,i32> of 2 */
        0x1c, 0x15, 0x02, 0x1c, 0x11, 0x00, 0x00, /* 7: struct { i32, struct { bool } } */
        0x19, 0xf5, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 8: list, long count 17 */
        0x11,                               /* 9: bool true */
        0x00};
    pq_thrift t;
    pq_thrift_init(&t, in, sizeof in);
    int16_t last = 0, id;
    int type, rc, seen = 0;
    while ((rc = pq_thrift_field(&t, &last, &id, &type)) > 0) {
        assert_int_equal(pq_thrift_skip(&t, type), 0);
        seen++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(seen, 9);
    assert_int_equal(pq_thrift_pos(&t), sizeof in);
}

static void test_truncated_input_fails(void **state)
{
    (void)state;
    const uint8_t in[] = {0x15, 0xac, 0x02, 0x28, 0x02, 'h', 'i', 0x1c, 0x15, 0x02, 0x00, 0x00};
    for (size_t cut = 0; cut < sizeof in; cut++) {
        pq_thrift t;
        pq_thrift_init(&t, in, cut);
        assert_int_equal(pq_thrift_skip(&t, PQ_T_STRUCT), -1);
        assert_non_null(t.why);
    }
    pq_thrift t;
    pq_thrift_init(&t, in, sizeof in);
    assert_int_equal(pq_thrift_skip(&t, PQ_T_STRUCT), 0);
}

static void test_hostile_sizes_and_nesting(void **state)
{
    (void)state;
    pq_thrift t;
    /* binary claiming 2^32 bytes */
    const uint8_t big[] = {0x18, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
    pq_thrift_init(&t, big, sizeof big);
    assert_int_equal(pq_thrift_skip(&t, PQ_T_STRUCT), -1);
    /* list claiming a million elements in 3 bytes */
    const uint8_t lst[] = {0x19, 0xf5, 0xc0, 0x84, 0x3d, 0x00};
    pq_thrift_init(&t, lst, sizeof lst);
    assert_int_equal(pq_thrift_skip(&t, PQ_T_STRUCT), -1);
    /* varint longer than 10 bytes */
    const uint8_t vi[] = {0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00};
    pq_thrift_init(&t, vi, sizeof vi);
    assert_int_equal(pq_thrift_skip(&t, PQ_T_STRUCT), -1);
    /* structs nested 1000 deep */
    uint8_t deep[2001];
    for (int i = 0; i < 1000; i++)
        deep[i] = 0x1c;
    memset(deep + 1000, 0, 1001);
    pq_thrift_init(&t, deep, sizeof deep);
    assert_int_equal(pq_thrift_skip(&t, PQ_T_STRUCT), -1);
    assert_non_null(strstr(t.why, "deep"));
    /* unknown type nibble */
    const uint8_t bad[] = {0x1d, 0x00};
    pq_thrift_init(&t, bad, sizeof bad);
    assert_int_equal(pq_thrift_skip(&t, PQ_T_STRUCT), -1);
    /* an i32 field that does not fit */
    const uint8_t wide[] = {0x16, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00};
    pq_thrift_init(&t, wide, sizeof wide);
    int16_t last = 0, id;
    int type;
    int32_t v;
    assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 1);
    assert_int_equal(pq_thrift_i32(&t, type, &v), -1);
}

static void test_statistics(void **state)
{
    (void)state;
    /* legacy max (1) and min (2) only, null_count (3) = 4 */
    const uint8_t legacy[] = {0x18, 0x01, 'z', 0x18, 0x01, 'a', 0x16, 0x08, 0x00};
    pq_thrift t;
    pq_stats st;
    pq_thrift_init(&t, legacy, sizeof legacy);
    assert_int_equal(pq_stats_decode(&t, PQ_T_STRUCT, &st), 0);
    assert_true(st.legacy_min_max && st.has_min && st.has_max && st.has_null_count);
    assert_memory_equal(st.min, "a", 1);
    assert_memory_equal(st.max, "z", 1);
    assert_int_equal(st.null_count, 4);
    /* both: max_value (5) / min_value (6) win over the legacy fields; distinct_count (4) */
    const uint8_t both[] = {0x18, 0x01, 'z', 0x18, 0x01, 'a', 0x26, 0x0a, 0x18, 0x01, 'y', 0x18, 0x01, 'b', 0x00};
    pq_thrift_init(&t, both, sizeof both);
    assert_int_equal(pq_stats_decode(&t, PQ_T_STRUCT, &st), 0);
    assert_false(st.legacy_min_max);
    assert_memory_equal(st.min, "b", 1);
    assert_memory_equal(st.max, "y", 1);
    assert_true(st.has_distinct_count);
    assert_int_equal(st.distinct_count, 5);
    assert_false(st.has_null_count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_and_long_field_headers),
        cmocka_unit_test(test_bool_fields),
        cmocka_unit_test(test_skip_every_type),
        cmocka_unit_test(test_truncated_input_fails),
        cmocka_unit_test(test_hostile_sizes_and_nesting),
        cmocka_unit_test(test_statistics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
