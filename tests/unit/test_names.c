/* test_names.c - the naming rules of OVERVIEW.md and AGENT_SKILLS.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "catalog/names.h"

static void test_share_and_schema_names(void **state)
{
    (void)state;
    os_err e;
    assert_int_equal(name_check(NAME_SHARE, "sales_2026", "share name", &e), 0);
    assert_int_equal(name_check(NAME_SHARE, "with.dot", "share name", &e), 0);
    assert_int_equal(name_check(NAME_SCHEMA, "with.dot", "schema name", &e), -1);
    assert_non_null(strstr(e.msg, "'.'"));
    assert_int_equal(name_check(NAME_SHARE, "a b", "share name", &e), -1);
    assert_non_null(strstr(e.msg, "space"));
    assert_int_equal(name_check(NAME_SHARE, "a/b", "share name", &e), -1);
    assert_int_equal(name_check(NAME_SHARE, "a\tb", "share name", &e), -1);
    assert_int_equal(name_check(NAME_SHARE, "a\x7f", "share name", &e), -1);
    assert_int_equal(name_check(NAME_SHARE, "", "share name", &e), -1);
    assert_int_equal(e.code, OS_EINVAL);
    char longname[300];
    memset(longname, 'a', 255);
    longname[255] = '\0';
    assert_int_equal(name_check(NAME_SCHEMA, longname, "x", &e), 0);
    longname[255] = 'a';
    longname[256] = '\0';
    assert_int_equal(name_check(NAME_SCHEMA, longname, "x", &e), -1);
    /* UTF-8 is allowed */
    assert_int_equal(name_check(NAME_SCHEMA, "caf\xc3\xa9", "x", &e), 0);
}

static void test_skill_names(void **state)
{
    (void)state;
    os_err e;
    assert_int_equal(name_check(NAME_SKILL, "pdf-tools2", "skill", &e), 0);
    assert_int_equal(name_check(NAME_SKILL, "PDF", "skill", &e), -1);
    assert_int_equal(name_check(NAME_SKILL, "-pdf", "skill", &e), -1);
    assert_int_equal(name_check(NAME_SKILL, "pdf-", "skill", &e), -1);
    assert_int_equal(name_check(NAME_SKILL, "pdf--tools", "skill", &e), -1);
    assert_non_null(strstr(e.msg, "consecutive"));
    assert_int_equal(name_check(NAME_SKILL, "pdf_tools", "skill", &e), -1);
    char n[70];
    memset(n, 'a', 64);
    n[64] = '\0';
    assert_int_equal(name_check(NAME_SKILL, n, "skill", &e), 0);
    n[64] = 'a';
    n[65] = '\0';
    assert_int_equal(name_check(NAME_SKILL, n, "skill", &e), -1);
}

static void test_keys(void **state)
{
    (void)state;
    char k[16];
    assert_int_equal(name_key("SaLeS", k, sizeof k), 0);
    assert_string_equal(k, "sales");
    assert_int_equal(name_key("0123456789abcdefXYZ", k, sizeof k), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_share_and_schema_names),
        cmocka_unit_test(test_skill_names),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
