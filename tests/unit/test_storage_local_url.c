/* test_storage_local_url.c - local signed URLs: round trip, every-byte tampering, expiry, wrong key, path rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/base64.h"
#include "storage/local_url.h"

static const local_url_claims WHO = {42, "acme", "sales", "default", "trips"};

static void key_of(uint8_t k[LOCAL_URL_KEYLEN], char fill)
{
    uint8_t sk[32];
    memset(sk, fill, sizeof sk);
    local_url_key_derive(sk, sizeof sk, k);
}

static void test_round_trip(void **state)
{
    (void)state;
    uint8_t k[LOCAL_URL_KEYLEN];
    key_of(k, 7);
    os_buf u = OS_BUF_INIT;
    os_err e;
    assert_int_equal(local_url_sign(k, "https://h/p/", "/srv/data/t", "a b/\xc3\xa9=1.parquet",
                                    &WHO, 2000, &u, &e), 0);
    assert_true(strncmp(u.data, "https://h/p/files/", 18) == 0);
    const char *tok = u.data + 18;
    assert_null(strchr(tok, '/'));
    assert_null(strchr(tok, '+'));
    os_arena a = OS_ARENA_INIT;
    local_url_grant g;
    assert_int_equal(local_url_verify(k, tok, 1000, &a, &g, &e), 0);
    assert_string_equal(g.root, "/srv/data/t");
    assert_string_equal(g.rel, "a b/\xc3\xa9=1.parquet");
    assert_int_equal(g.expires_at_s, 2000);
    assert_int_equal(g.who.recipient_id, 42);
    assert_string_equal(g.who.recipient, "acme");
    assert_string_equal(g.who.share, "sales");
    assert_string_equal(g.who.schema, "default");
    assert_string_equal(g.who.asset, "trips");
    /* opaque: neither the path nor the names appear in the token */
    assert_null(strchr(tok, '.'));
    uint8_t raw[1024];
    long rn = os_base64_decode(tok, strlen(tok), raw, sizeof raw, 1);
    assert_true(rn > 0);
    assert_null(memmem(raw, (size_t)rn, "/srv/data", 9));
    assert_null(memmem(raw, (size_t)rn, "trips", 5));
    assert_null(memmem(raw, (size_t)rn, "acme", 4));
    /* two signatures of the same file differ (random nonce) */
    os_buf u2 = OS_BUF_INIT;
    assert_int_equal(local_url_sign(k, "https://h/p", "/srv/data/t", "a b/\xc3\xa9=1.parquet",
                                    &WHO, 2000, &u2, &e), 0);
    assert_string_not_equal(u.data, u2.data);
    os_buf_free(&u2);
    assert_int_equal(local_url_verify(k, tok, 2000, &a, &g, &e), 0);
    /* expired */
    assert_int_equal(local_url_verify(k, tok, 2001, &a, &g, &e), -1);
    assert_int_equal(e.code, OS_EPERM);
    assert_non_null(strstr(e.msg, "expired"));
    /* ... but still says whose it was, for the audit */
    assert_int_equal(g.who.recipient_id, 42);
    assert_string_equal(g.rel, "a b/\xc3\xa9=1.parquet");
    /* wrong key */
    uint8_t k2[LOCAL_URL_KEYLEN];
    key_of(k2, 8);
    assert_int_equal(local_url_verify(k2, tok, 1000, &a, &g, &e), -1);
    assert_int_equal(e.code, OS_EPERM);
    assert_null(g.root);
    assert_int_equal(g.who.recipient_id, 0);
    /* every single-character change is refused */
    size_t n = strlen(tok);
    char *t = os_arena_strdup(&a, tok);
    const char alphabet[] = "AZaz09-_";
    for (size_t i = 0; i < n; i++) {
        char orig = t[i];
        for (const char *c = alphabet; *c; c++) {
            if (*c == orig)
                continue;
            t[i] = *c;
            if (local_url_verify(k, t, 1000, &a, &g, &e) == 0)
                fail_msg("tampered token accepted at %zu", i);
            assert_int_equal(e.code, OS_EPERM);
        }
        t[i] = orig;
    }
    /* truncations and junk */
    for (size_t i = 0; i < n; i++) {
        char *p = os_arena_strndup(&a, tok, i);
        assert_int_equal(local_url_verify(k, p, 1000, &a, &g, &e), -1);
    }
    assert_int_equal(local_url_verify(k, "", 1000, &a, &g, &e), -1);
    assert_int_equal(local_url_verify(k, NULL, 1000, &a, &g, &e), -1);
    assert_int_equal(local_url_verify(k, "....", 1000, &a, &g, &e), -1);
    os_arena_free(&a);
    os_buf_free(&u);
}

static void test_path_rules(void **state)
{
    (void)state;
    uint8_t k[LOCAL_URL_KEYLEN];
    key_of(k, 1);
    os_buf u = OS_BUF_INIT;
    os_err e;
    const char *bad_rel[] = {"", "/abs", "../x", "a/../b", "a/./b", "a//b", "a/", ".", "..",
                             "a\nb", "x\x7f", NULL};
    for (int i = 0; bad_rel[i]; i++) {
        assert_int_equal(local_url_sign(k, "http://h", "/r", bad_rel[i], NULL, 10, &u, &e), -1);
        assert_int_equal(e.code, OS_EINVAL);
    }
    assert_int_equal(local_url_sign(k, "http://h", "relative", "x", NULL, 10, &u, &e), -1);
    assert_int_equal(local_url_sign(k, "http://h", "/r\n", "x", NULL, 10, &u, &e), -1);
    assert_int_equal(local_url_sign(k, "http://h", "/r", "..a/b..", NULL, 10, &u, &e), 0);
    os_buf_free(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_path_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
