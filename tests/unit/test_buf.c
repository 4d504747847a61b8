/* test_buf.c - the growable buffer: appends, printf, and decimal integers without printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/buf.h"

static void test_put_i64_matches_printf(void **state)
{
    (void)state;
    const int64_t vals[] = {0, 1, -1, 9, 10, -10, 1234567890123LL, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        os_buf a = OS_BUF_INIT, b = OS_BUF_INIT;
        assert_int_equal(os_buf_puts(&a, "x="), 0);
        assert_int_equal(os_buf_put_i64(&a, vals[i]), 0);
        assert_int_equal(os_buf_printf(&b, "x=%lld", (long long)vals[i]), 0);
        assert_string_equal(a.data, b.data);
        assert_int_equal(a.len, b.len);
        os_buf_free(&a);
        os_buf_free(&b);
    }
}

static void test_appends_stay_terminated(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    assert_string_equal(os_buf_cstr(&b), "");
    for (int i = 0; i < 10000; i++)
        assert_int_equal(os_buf_putc(&b, (char)('a' + i % 26)), 0);
    assert_int_equal(b.len, 10000);
    assert_int_equal(b.data[b.len], '\0');
    os_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(os_buf_cstr(&b), "");
    os_buf_free(&b);
}

static void test_string_table(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    long a = os_buf_append_str0(&b, "path", 4);
    long e = os_buf_append_str0(&b, "", 0);
    char big[5000];
    memset(big, 'x', sizeof big);
    long c = os_buf_append_str0(&b, big, sizeof big);   /* grows: offsets stay good */
    assert_int_equal(a, 0);
    assert_int_equal(e, 5);
    assert_int_equal(c, 6);
    assert_string_equal(b.data + a, "path");
    assert_string_equal(b.data + e, "");
    assert_int_equal(strlen(b.data + c), sizeof big);
    assert_int_equal(b.len, 6 + sizeof big + 1);
    assert_int_equal(b.data[b.len], '\0');
    os_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_i64_matches_printf),
        cmocka_unit_test(test_appends_stay_terminated),
        cmocka_unit_test(test_string_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
