/* test_location.c - storage URI parsing and containment, including symlink escapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "storage/location.h"

static int contains(const char *outer, const char *inner)
{
    os_arena a = OS_ARENA_INIT;
    loc_uri o, i;
    os_err e;
    assert_int_equal(loc_uri_parse(outer, &a, &o, &e), 0);
    assert_int_equal(loc_uri_parse(inner, &a, &i, &e), 0);
    int r = loc_uri_contains(&o, &i);
    os_arena_free(&a);
    return r;
}

static int parses(const char *uri)
{
    os_arena a = OS_ARENA_INIT;
    loc_uri u;
    os_err e;
    int r = loc_uri_parse(uri, &a, &u, &e);
    os_arena_free(&a);
    return r == 0;
}

static void test_parse(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    loc_uri u;
    os_err e;
    assert_int_equal(loc_uri_parse("s3a://bucket/a/b/", &a, &u, &e), 0);
    assert_int_equal(u.scheme, LOC_S3);
    assert_string_equal(u.authority, "bucket");
    assert_string_equal(u.path, "a/b");
    assert_int_equal(loc_uri_parse("file:///srv/data/", &a, &u, &e), 0);
    assert_string_equal(u.path, "/srv/data");
    assert_int_equal(loc_uri_parse("abfss://c@acct.dfs.core.windows.net/x", &a, &u, &e), 0);
    assert_int_equal(u.scheme, LOC_AZURE);
    os_arena_free(&a);
    assert_false(parses("file://relative/path"));
    assert_false(parses("/no/scheme"));
    assert_false(parses("ftp://host/x"));
    assert_false(parses("s3:///nobucket"));
    assert_false(parses("file:///srv/../etc"));
    assert_false(parses("file:///srv/./x"));
    assert_false(parses("s3://b/a//b"));
    assert_false(parses("s3://b/a\\b"));
    assert_false(parses("s3://b/a\nb"));
    assert_true(parses("gs://bucket"));
}

static void test_contains(void **state)
{
    (void)state;
    assert_true(contains("file:///srv/data", "file:///srv/data/t1"));
    assert_true(contains("file:///srv/data/", "file:///srv/data"));
    assert_false(contains("file:///srv/data", "file:///srv/database"));
    assert_false(contains("file:///srv/data", "file:///srv"));
    assert_true(contains("s3://b/p", "s3a://b/p/q"));
    assert_false(contains("s3://b/p", "s3://other/p/q"));
    assert_false(contains("s3://b/p", "gs://b/p/q"));
    assert_true(contains("gs://b", "gs://b/anything"));
}

static void test_symlink_escape(void **state)
{
    (void)state;
    char dir[] = "/tmp/os_test_loc_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char root[128], inside[160], outside[128], link[160];
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(inside, sizeof inside, "%s/t1", root);
    snprintf(outside, sizeof outside, "%s/secret", dir);
    snprintf(link, sizeof link, "%s/escape", root);
    assert_int_equal(mkdir(root, 0700), 0);
    assert_int_equal(mkdir(inside, 0700), 0);
    assert_int_equal(mkdir(outside, 0700), 0);
    assert_int_equal(symlink(outside, link), 0);
    os_err e;
    assert_int_equal(loc_file_check_contained(root, inside, &e), 0);
    assert_int_equal(loc_file_check_contained(root, link, &e), -1);
    assert_int_equal(e.code, OS_EPERM);
    assert_non_null(strstr(e.msg, "outside"));
    char missing[200];
    snprintf(missing, sizeof missing, "%s/nope", root);
    assert_int_equal(loc_file_check_contained(root, missing, &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_symlink_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
