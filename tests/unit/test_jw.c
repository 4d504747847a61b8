/* test_jw.c - the streaming JSON writer: commas, nesting, escaping, invalid UTF-8, round trips through jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "json/jw.h"

static void test_structure(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "a", "x");
    jw_kint(&w, "n", -9007199254740993LL);
    jw_key(&w, "arr");
    jw_arr_begin(&w);
    jw_int(&w, 1);
    jw_obj_begin(&w);
    jw_obj_end(&w);
    jw_null(&w);
    jw_bool(&w, 1);
    jw_arr_end(&w);
    jw_key(&w, "ext");
    jw_arr_begin(&w);
    jw_int(&w, INT64_MIN);
    jw_int(&w, INT64_MAX);
    jw_int(&w, 0);
    jw_arr_end(&w);
    jw_key(&w, "empty");
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_kstr(&w, "nil", NULL);
    jw_obj_end(&w);
    assert_false(jw_failed(&w));
    assert_string_equal(os_buf_cstr(&b),
                        "{\"a\":\"x\",\"n\":-9007199254740993,\"arr\":[1,{},null,true],"
                        "\"ext\":[-9223372036854775808,9223372036854775807,0],\"empty\":[],\"nil\":null}");
    os_buf_free(&b);
}

static void test_escaping(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    jw w;
    jw_init(&w, &b);
    const char in[] = "q\"b\\s/\n\r\t\x01\x7f caf\xc3\xa9 \xf0\x9f\x98\x80 bad\xff\xc3 ov\xc0\xaf";
    jw_strn(&w, in, sizeof in - 1);
    assert_false(jw_failed(&w));
    json_error_t e;
    json_t *v = json_loadb(b.data, b.len, JSON_DECODE_ANY, &e);
    assert_non_null(v);
    assert_string_equal(json_string_value(v),
                        "q\"b\\s/\n\r\t\x01\x7f caf\xc3\xa9 \xf0\x9f\x98\x80 bad\xef\xbf\xbd\xef\xbf\xbd ov\xef\xbf\xbd\xef\xbf\xbd");
    json_decref(v);
    os_buf_free(&b);
}

/* Random strings: valid UTF-8 comes back exactly through jansson; arbitrary
 * bytes always give a JSON string jansson accepts. */
static void test_escaping_random(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\x01", "\x1f",
                                         "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "{", "}",
                                         ":", ","};
    unsigned seed = 12345;
    for (int round = 0; round < 3000; round++) {
        char in[600];
        size_t n = 0;
        bool arbitrary = round % 3 == 2;
        int count = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 120;
        for (int k = 0; k < count; k++) {
            seed = seed * 1103515245u + 12345u;
            if (arbitrary) {
                in[n++] = (char)(seed >> 16);
            } else {
                const char *pc = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
                memcpy(in + n, pc, strlen(pc));
                n += strlen(pc);
            }
        }
        os_buf b = OS_BUF_INIT;
        jw w;
        jw_init(&w, &b);
        jw_strn(&w, in, n);
        assert_false(jw_failed(&w));
        json_error_t e;
        json_t *v = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        if (v == NULL)
            fail_msg("round %d: %s in %s", round, e.text, b.data);
        if (!arbitrary) {
            assert_int_equal(json_string_length(v), n);
            assert_memory_equal(json_string_value(v), in, n);
        }
        json_decref(v);
        os_buf_free(&b);
    }
}

static void test_unbalanced(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    assert_true(jw_failed(&w));
    jw_obj_end(&w);
    assert_false(jw_failed(&w));
    jw_obj_end(&w);
    assert_true(jw_failed(&w));
    os_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_escaping_random),
        cmocka_unit_test(test_unbalanced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
