/* test_page_token.c - page tokens: round trip, tampering, other listing or caller, expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "auth/page_token.h"

static const uint8_t KEY[PAGE_TOKEN_KEYLEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static void test_round_trip(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    page_pos in = {"schema_a", "table\"b"}, out;
    char *t = page_token_encode(KEY, "tables:x:*", 7, &in, 2000, &a);
    assert_non_null(t);
    os_err e;
    assert_int_equal(page_token_decode(KEY, t, "tables:x:*", 7, 1000, &a, &out, &e), 0);
    assert_string_equal(out.k1, "schema_a");
    assert_string_equal(out.k2, "table\"b");
    page_pos one = {"k", NULL};
    t = page_token_encode(KEY, "shares", 7, &one, 2000, &a);
    assert_int_equal(page_token_decode(KEY, t, "shares", 7, 1000, &a, &out, &e), 0);
    assert_null(out.k2);
    os_arena_free(&a);
}

static void test_tamper_every_byte(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    page_pos in = {"abc", "def"}, out;
    char *t = page_token_encode(KEY, "shares", 1, &in, 5000, &a);
    size_t n = strlen(t);
    os_err e;
    for (size_t i = 0; i < n; i++) {
        char saved = t[i];
        t[i] = saved == 'A' ? 'B' : 'A';
        assert_int_equal(page_token_decode(KEY, t, "shares", 1, 1000, &a, &out, &e), -1);
        assert_int_equal(e.code, OS_EINVAL);
        t[i] = saved;
    }
    assert_int_equal(page_token_decode(KEY, "", "shares", 1, 1000, &a, &out, &e), -1);
    assert_int_equal(page_token_decode(KEY, "no-dot", "shares", 1, 1000, &a, &out, &e), -1);
    assert_int_equal(page_token_decode(KEY, "a.b.c", "shares", 1, 1000, &a, &out, &e), -1);
    /* another key */
    uint8_t other[PAGE_TOKEN_KEYLEN] = {9};
    assert_int_equal(page_token_decode(other, t, "shares", 1, 1000, &a, &out, &e), -1);
    os_arena_free(&a);
}

static void test_other_listing_caller_expiry(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    page_pos in = {"abc", NULL}, out;
    char *t = page_token_encode(KEY, "schemas:s1", 1, &in, 5000, &a);
    os_err e;
    assert_int_equal(page_token_decode(KEY, t, "schemas:s2", 1, 1000, &a, &out, &e), -1);
    assert_non_null(strstr(e.msg, "another listing"));
    assert_int_equal(page_token_decode(KEY, t, "schemas:s1", 2, 1000, &a, &out, &e), -1);
    assert_int_equal(page_token_decode(KEY, t, "schemas:s1", 1, 5000, &a, &out, &e), -1);
    assert_non_null(strstr(e.msg, "expired"));
    assert_int_equal(page_token_decode(KEY, t, "schemas:s1", 1, 4999, &a, &out, &e), 0);
    os_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tamper_every_byte),
        cmocka_unit_test(test_other_listing_caller_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
