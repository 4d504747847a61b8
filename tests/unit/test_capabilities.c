/* test_capabilities.c - parsing the delta-sharing-capabilities header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "sharing/capabilities.h"

static void test_defaults_and_lists(void **state)
{
    (void)state;
    caps c;
    os_err e;
    assert_int_equal(caps_parse(NULL, &c, &e), 0);
    assert_true(c.want_parquet && !c.want_delta && !c.format_given && !c.include_end_stream);
    assert_int_equal(caps_parse("ResponseFormat=DELTA,parquet ; ReaderFeatures=DeletionVectors, columnMapping;"
                                "includeEndStreamAction=TRUE;unknown=1;novalue", &c, &e), 0);
    assert_true(c.want_parquet && c.want_delta && c.format_given && c.include_end_stream);
    assert_int_equal(c.n_reader_features, 2);
    assert_true(caps_has_feature(&c, "deletionVectors"));
    assert_true(caps_has_feature(&c, "COLUMNMAPPING"));
    assert_false(caps_has_feature(&c, "timestampNtz"));
    assert_int_equal(caps_parse("responseformat=delta", &c, &e), 0);
    assert_true(c.want_delta && !c.want_parquet);
    assert_int_equal(caps_parse("includeendstreamaction=false", &c, &e), 0);
    assert_false(c.include_end_stream);
    assert_true(c.want_parquet);
}

static void test_errors(void **state)
{
    (void)state;
    caps c;
    os_err e;
    assert_int_equal(caps_parse("responseformat=avro", &c, &e), -1);
    assert_int_equal(e.code, OS_EINVAL);
    assert_non_null(strstr(e.msg, "avro"));
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(caps_parse(big, &c, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_lists),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
