/* test_objstore_local.c - the local-filesystem objstore: reads, ranges, stat, sorted listing, refused keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "storage/objstore.h"

static char dir[256];

static void put(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
    *slash = '/';
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/test_objstore.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void test_objstore_local(void **state)
{
    (void)state;
    os_err e;
    put("a/x1", "hello");
    put("a/x0", "");
    put("a/sub/y", "no");
    objstore st;
    assert_int_equal(objstore_local_open(dir, &st, &e), 0);
    os_buf b = OS_BUF_INIT;
    assert_int_equal(objstore_read_all(&st, "a/x1", 100, &b, &e), 0);
    assert_string_equal(b.data, "hello");
    os_buf_reset(&b);
    assert_int_equal(objstore_read_all(&st, "a/x1", 3, &b, &e), -1);
    assert_int_equal(e.code, OS_ELIMIT);
    assert_int_equal(objstore_read_all(&st, "a/nope", 3, &b, &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    const char *bad[] = {"../x", "a/../x", "/etc/passwd", "a//x", "a/./x", "a/", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(objstore_read_all(&st, bad[i], 3, &b, &e), -1);
        assert_int_equal(e.code, OS_EINVAL);
    }
    char buf[8];
    size_t got;
    assert_int_equal(objstore_read_range(&st, "a/x1", 3, 8, buf, &got, &e), 0);
    assert_int_equal(got, 2);
    assert_memory_equal(buf, "lo", 2);
    objstore_entry en;
    assert_int_equal(objstore_stat(&st, "a/x1", &en, &e), 0);
    assert_int_equal(en.size, 5);
    assert_int_equal(objstore_stat(&st, "a/sub", &en, &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    os_buf_free(&b);
    objstore_close(&st);
}

static int list_cb(void *ctx, const objstore_entry *en, os_err *err)
{
    (void)err;
    char *s = ctx;
    strcat(s, en->name);
    strcat(s, ";");
    return 0;
}

static void test_objstore_list(void **state)
{
    (void)state;
    os_err e;
    put("d/b", "1");
    put("d/a", "1");
    put("d/c", "1");
    put("d/sub/z", "1");
    objstore st;
    assert_int_equal(objstore_local_open(dir, &st, &e), 0);
    char s[256] = "";
    assert_int_equal(objstore_list(&st, "d/", NULL, list_cb, s, &e), 0);
    assert_string_equal(s, "d/a;d/b;d/c;");
    s[0] = '\0';
    assert_int_equal(objstore_list(&st, "d/", "d/a", list_cb, s, &e), 0);
    assert_string_equal(s, "d/b;d/c;");
    assert_int_equal(objstore_list(&st, "nope/", NULL, list_cb, s, &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    assert_int_equal(objstore_list(&st, "d", NULL, list_cb, s, &e), -1);
    assert_int_equal(e.code, OS_EINVAL);
    objstore_close(&st);
}

static void test_symlinks_and_fifos(void **state)
{
    (void)state;
    os_err e;
    put("in/ok", "data");
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/in/escape", dir);
    assert_int_equal(symlink("/etc/hostname", a), 0);
    snprintf(a, sizeof a, "%s/in/inside", dir);
    snprintf(b, sizeof b, "%s/in/ok", dir);
    assert_int_equal(symlink("ok", a), 0);
    snprintf(a, sizeof a, "%s/in/fifo", dir);
    assert_int_equal(mkfifo(a, 0600), 0);
    objstore st;
    assert_int_equal(objstore_local_open(dir, &st, &e), 0);
    os_buf buf = OS_BUF_INIT;
    assert_int_equal(objstore_read_all(&st, "in/escape", 100, &buf, &e), -1);
    assert_int_equal(e.code, OS_EINVAL);
    assert_int_equal(objstore_read_all(&st, "in/inside", 100, &buf, &e), 0);   /* stays beneath */
    assert_string_equal(buf.data, "data");
    objstore_entry en;
    assert_int_equal(objstore_stat(&st, "in/fifo", &en, &e), -1);           /* never blocks */
    assert_int_equal(e.code, OS_ENOTFOUND);
    os_buf_free(&buf);
    objstore_close(&st);
}

static void test_open_errors(void **state)
{
    (void)state;
    objstore st;
    os_err e;
    assert_int_equal(objstore_local_open("/nonexistent/dir/for/sure", &st, &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    assert_int_equal(objstore_local_open("", &st, &e), -1);
    objstore_close(&st);   /* safe on a failed open */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_objstore_local, setup, teardown),
        cmocka_unit_test_setup_teardown(test_objstore_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks_and_fifos, setup, teardown),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
