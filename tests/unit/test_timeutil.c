/* test_timeutil.c - ISO-8601 formatting and parsing, calendar arithmetic, clamping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/timeutil.h"

static void test_format(void **state)
{
    (void)state;
    char b[32];
    os_time_format_iso(0, b);
    assert_string_equal(b, "1970-01-01T00:00:00.000Z");
    os_time_format_iso(1700000000123LL, b);
    assert_string_equal(b, "2023-11-14T22:13:20.123Z");
    os_time_format_iso(-1, b);
    assert_string_equal(b, "1969-12-31T23:59:59.999Z");
    os_time_format_iso(951782400000LL, b);          /* leap day 2000 */
    assert_string_equal(b, "2000-02-29T00:00:00.000Z");
    os_time_format_iso(INT64_MAX / 2, b);
    assert_string_equal(b, "9999-12-31T23:59:59.999Z");
    os_time_format_iso(INT64_MIN / 2, b);
    assert_string_equal(b, "0000-01-01T00:00:00.000Z");
}

static void test_parse(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(os_time_parse_iso("2023-11-14T22:13:20.123Z", &ms), 0);
    assert_int_equal(ms, 1700000000123LL);
    assert_int_equal(os_time_parse_iso("2023-11-14T23:13:20.123+01:00", &ms), 0);
    assert_int_equal(ms, 1700000000123LL);
    assert_int_equal(os_time_parse_iso("2023-11-14", &ms), 0);
    assert_int_equal(ms, 1699920000000LL);
    assert_int_equal(os_time_parse_iso("2023-11-14 22:13:20.1234567Z", &ms), 0);
    assert_int_equal(ms, 1700000000123LL);
    assert_int_equal(os_time_parse_iso("2023-02-29T00:00:00Z", &ms), -1);
    assert_int_equal(os_time_parse_iso("2023-13-01", &ms), -1);
    assert_int_equal(os_time_parse_iso("2023-11-14T25:00Z", &ms), -1);
    assert_int_equal(os_time_parse_iso("2023-11-14Tx", &ms), -1);
    assert_int_equal(os_time_parse_iso("2023-11-14T22:13:20.Z", &ms), -1);
    assert_int_equal(os_time_parse_iso("", &ms), -1);
    assert_int_equal(os_time_parse_iso(NULL, &ms), -1);
    char b[32];
    for (int64_t t = -86400000LL * 800; t < 86400000LL * 80000; t += 86400000LL * 37 + 12345) {
        os_time_format_iso(t, b);
        assert_int_equal(os_time_parse_iso(b, &ms), 0);
        assert_int_equal(ms, t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
