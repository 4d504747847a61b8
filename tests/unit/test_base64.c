/* test_base64.c - RFC 4648 vectors, URL alphabet, strict decoding and output capacity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "base/base64.h"

static void test_vectors(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char out[16];
        uint8_t back[16];
        size_t n = strlen(plain[i]);
        os_base64_encode((const uint8_t *)plain[i], n, out, 0);
        assert_string_equal(out, std[i]);
        os_base64_encode((const uint8_t *)plain[i], n, out, 1);
        assert_string_equal(out, url[i]);
        assert_int_equal(os_base64_decode(std[i], strlen(std[i]), back, sizeof back, 0), (long)n);
        assert_memory_equal(back, plain[i], n);
        assert_int_equal(os_base64_decode(url[i], strlen(url[i]), back, sizeof back, 1), (long)n);
        assert_memory_equal(back, plain[i], n);
    }
    uint8_t bin[3] = {0xfb, 0xff, 0xfe};
    char out[8];
    os_base64_encode(bin, 3, out, 0);
    assert_string_equal(out, "+//+");
    os_base64_encode(bin, 3, out, 1);
    assert_string_equal(out, "-__-");
}

static void test_strict(void **state)
{
    (void)state;
    uint8_t b[16];
    assert_int_equal(os_base64_decode("Zm9", 3, b, sizeof b, 0), -1);     /* missing padding */
    assert_int_equal(os_base64_decode("Zm9v!", 5, b, sizeof b, 0), -1);
    assert_int_equal(os_base64_decode("Zh==", 4, b, sizeof b, 0), -1);    /* non-zero trailing bits */
    assert_int_equal(os_base64_decode("Z", 1, b, sizeof b, 1), -1);
    assert_int_equal(os_base64_decode("Zm+v", 4, b, sizeof b, 1), -1);    /* '+' not in URL alphabet */
    assert_int_equal(os_base64_decode("Zm9vYmFy", 8, b, 5, 0), -1);       /* does not fit */
    assert_int_equal(os_base64_decode("Zm9vYmFy", 8, b, 6, 0), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
