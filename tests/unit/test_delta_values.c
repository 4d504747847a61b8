/* test_delta_values.c - partition values by Delta type (nulls, escapes, ranges), timestamps, value comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "formats/delta/delta.h"

/* raw may be NULL (a null partition value); the failure message says so rather than
 * handing NULL to %s. */
static delta_value parse_ok(const char *type, const char *raw)
{
    delta_value v;
    os_err e;
    if (delta_partition_value_parse(type, raw, &v, &e) != 0)
        fail_msg("%s %s%s%s: %s", type, raw ? "'" : "", raw ? raw : "null", raw ? "'" : "", e.msg);
    return v;
}

static void parse_bad(const char *type, const char *raw)
{
    delta_value v;
    os_err e;
    os_err_clear(&e);
    assert_int_equal(delta_partition_value_parse(type, raw, &v, &e), -1);
    assert_true(e.code == OS_ECORRUPT || e.code == OS_EUNSUPPORTED);
}

static void test_types(void **state)
{
    (void)state;
    delta_value v = parse_ok("integer", "-42");
    assert_int_equal(v.kind, DELTA_V_INT);
    assert_int_equal(v.i, -42);
    assert_int_equal(parse_ok("byte", "127").i, 127);
    parse_bad("byte", "128");
    parse_bad("short", "40000");
    parse_bad("integer", "2147483648");
    assert_int_equal(parse_ok("long", "9223372036854775807").i, 9223372036854775807LL);
    parse_bad("long", "9223372036854775808");
    parse_bad("integer", "1.5");
    parse_bad("integer", " 1");
    assert_true(parse_ok("boolean", "true").b);
    assert_false(parse_ok("boolean", "false").b);
    parse_bad("boolean", "yes");
    assert_true(parse_ok("double", "1.5").d == 1.5);
    assert_true(parse_ok("float", "-0.0").d == 0.0);
    assert_true(parse_ok("double", "NaN").d != parse_ok("double", "NaN").d);
    parse_bad("double", "1.5x");
    v = parse_ok("date", "2021-09-08");
    assert_int_equal(v.kind, DELTA_V_DATE);
    assert_int_equal(v.i, 18878);
    assert_int_equal(parse_ok("date", "1970-01-01").i, 0);
    assert_int_equal(parse_ok("date", "1969-12-31").i, -1);
    parse_bad("date", "2021-13-01");
    parse_bad("date", "2021-02-30");
    parse_bad("date", "20210908");
    v = parse_ok("timestamp", "2021-09-08 11:11:11");
    assert_int_equal(v.kind, DELTA_V_TIMESTAMP);
    assert_int_equal(v.i, (int64_t)1631099471 * 1000000);
    assert_int_equal(parse_ok("timestamp", "2021-09-08 11:11:11.123456").i, (int64_t)1631099471123456);
    assert_int_equal(parse_ok("timestamp", "2021-09-08T11:11:11.5Z").i, (int64_t)1631099471500000);
    assert_int_equal(parse_ok("timestamp", "2021-09-08T13:11:11+02:00").i, (int64_t)1631099471 * 1000000);
    assert_int_equal(parse_ok("timestamp_ntz", "2021-09-08 11:11:11").i, (int64_t)1631099471 * 1000000);
    parse_bad("timestamp", "2021-09-08 25:00:00");
    parse_bad("timestamp", "999999-01-01T00:00:00Z");   /* would overflow microseconds */
    parse_bad("timestamp", "-999999-01-01T00:00:00Z");
    parse_bad("timestamp", "2021-09-08 11:11:11 junk");
    v = parse_ok("decimal(10,2)", "-12.50");
    assert_int_equal(v.kind, DELTA_V_DECIMAL);
    parse_bad("decimal(10,2)", "1e5");
    parse_bad("interval", "1");
}

static void test_nulls_and_escapes(void **state)
{
    (void)state;
    /* null and "" are null partitions for every type */
    const char *types[] = {"string", "integer", "date", "timestamp", "boolean", "double", "decimal(1,0)"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        assert_int_equal(parse_ok(types[i], NULL).kind, DELTA_V_NULL);
        assert_int_equal(parse_ok(types[i], "").kind, DELTA_V_NULL);
    }
    /* Values are stored unescaped in partitionValues: taken byte for byte. */
    delta_value v = parse_ok("string", "bar+%21");
    assert_int_equal(v.kind, DELTA_V_STRING);
    assert_string_equal(v.s, "bar+%21");
    v = parse_ok("string", "+ =%0");
    assert_int_equal(v.len, 5);
    v = parse_ok("string", "null");   /* the text "null" is a value */
    assert_int_equal(v.kind, DELTA_V_STRING);
    v = parse_ok("binary", "\x01\xff");
    assert_int_equal(v.len, 2);
}

static int cmpv(delta_value a, delta_value b)
{
    int c = 99;
    if (delta_value_compare(&a, &b, &c) < 0)
        return 99;
    return c;
}

static void test_compare(void **state)
{
    (void)state;
    assert_int_equal(cmpv(parse_ok("integer", "2"), parse_ok("long", "10")), -1);
    assert_int_equal(cmpv(parse_ok("integer", "2"), parse_ok("double", "1.5")), 1);
    assert_int_equal(cmpv(parse_ok("decimal(5,2)", "10.50"), parse_ok("decimal(5,1)", "10.5")), 0);
    assert_int_equal(cmpv(parse_ok("decimal(5,2)", "-0.00"), parse_ok("decimal(5,1)", "0")), 0);
    assert_int_equal(cmpv(parse_ok("decimal(5,2)", "-1.5"), parse_ok("decimal(5,1)", "-1.25")), -1);
    assert_int_equal(cmpv(parse_ok("decimal(5,2)", "100"), parse_ok("decimal(5,1)", "99.99")), 1);
    assert_int_equal(cmpv(parse_ok("string", "ab"), parse_ok("string", "abc")), -1);
    assert_int_equal(cmpv(parse_ok("string", "\xc3\xa9"), parse_ok("string", "z")), 1);  /* bytes order */
    assert_int_equal(cmpv(parse_ok("date", "2020-01-01"), parse_ok("date", "2019-12-31")), 1);
    assert_int_equal(cmpv(parse_ok("boolean", "false"), parse_ok("boolean", "true")), -1);
    assert_int_equal(cmpv(parse_ok("double", "NaN"), parse_ok("double", "1e308")), 1);
    /* incomparable kinds */
    assert_int_equal(cmpv(parse_ok("string", "1"), parse_ok("integer", "1")), 99);
    assert_int_equal(cmpv(parse_ok("date", "2020-01-01"), parse_ok("timestamp", "2020-01-01 00:00:00")), 99);
    assert_int_equal(cmpv(parse_ok("string", NULL), parse_ok("string", "a")), 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_nulls_and_escapes),
        cmocka_unit_test(test_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
