/* test_crypto.c - SHA-256 and HMAC-SHA256 (one-shot and with a prepared key) against RFC 4231 vectors, constant-time compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "base/crypto.h"

/* The one-shot HMAC, checked to equal the prepared key's over every split of
 * the message in two parts (the key used again and again). */
static void hmac_hex(const void *key, size_t kn, const void *data, size_t n, char hex[65])
{
    uint8_t mac[OS_SHA256_LEN], again[OS_SHA256_LEN];
    os_hmac_sha256(key, kn, data, n, mac);
    os_hex_encode(mac, sizeof mac, hex);
    os_hmac_key *k = os_hmac_key_new(key, kn);
    assert_non_null(k);
    for (size_t cut = 0; cut <= n; cut++) {
        assert_int_equal(os_hmac_sha256_prepared(k, data, cut, (const char *)data + cut, n - cut, again), 0);
        assert_memory_equal(again, mac, sizeof mac);
    }
    os_hmac_key_free(k);
}

static void test_rfc4231(void **state)
{
    (void)state;
    char hex[65];
    uint8_t k1[20];
    memset(k1, 0x0b, sizeof k1);
    hmac_hex(k1, sizeof k1, "Hi There", 8, hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* test case 6: a key longer than the block is hashed first */
    uint8_t k6[131];
    memset(k6, 0xaa, sizeof k6);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    hmac_hex(k6, sizeof k6, m6, strlen(m6), hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    hmac_hex("", 0, "", 0, hex);
    assert_string_equal(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void test_sha_and_compare(void **state)
{
    (void)state;
    char hex[65];
    os_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_true(os_ct_equal("abc", "abc", 3));
    assert_false(os_ct_equal("abc", "abd", 3));
    uint8_t a[32], b[32];
    assert_int_equal(os_random_bytes(a, sizeof a), 0);
    assert_int_equal(os_random_bytes(b, sizeof b), 0);
    assert_false(os_ct_equal(a, b, sizeof a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231),
        cmocka_unit_test(test_sha_and_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
