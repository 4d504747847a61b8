/* test_dv_path.c - deletion-vector file names: the encoding, bad names, and (with the shared test data) the golden table's file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "formats/delta/dv_path.h"
#include "shared_data.h"

static void test_known_encoding(void **state)
{
    (void)state;
    /* From the golden table dv-with-columnmapping: the file beside its log. */
    delta_dv dv = {'u', "5DxE90SCJoMhWOS&LEbJ", 1, 1, 34, 1};
    os_buf b = OS_BUF_INIT;
    os_err e;
    assert_int_equal(delta_dv_file_path(&dv, &b, &e), 0);
    /* The name the writer (Spark) gave that file in the golden table. */
    assert_string_equal(os_buf_cstr(&b), "deletion_vector_10ffbe3a-01fe-457d-95fe-a4a7e1c22c07.bin");
    /* a prefix becomes a directory */
    os_buf_reset(&b);
    delta_dv pre = {'u', "ab5DxE90SCJoMhWOS&LEbJ", 0, 0, 34, 1};
    assert_int_equal(delta_dv_file_path(&pre, &b, &e), 0);
    assert_true(strncmp(os_buf_cstr(&b), "ab/deletion_vector_", 19) == 0);
    os_buf_free(&b);
}

/* The decoded name is the file that sits beside the golden table's log (needs the shared data). */
static void test_golden_file_present(void **state)
{
    (void)state;
    char dir[1024], path[1200];
    if (ut_shared_testdata("test_dv_path golden_file_present", "delta-golden/dv-with-columnmapping",
                           dir, sizeof dir) != 0)
        skip();
    delta_dv dv = {'u', "5DxE90SCJoMhWOS&LEbJ", 1, 1, 34, 1};
    os_buf b = OS_BUF_INIT;
    os_err e;
    assert_int_equal(delta_dv_file_path(&dv, &b, &e), 0);
    snprintf(path, sizeof path, "%s/%s", dir, os_buf_cstr(&b));
    os_buf_free(&b);
    assert_int_equal(access(path, F_OK), 0);
}

static void test_bad(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    os_err e;
    delta_dv shortdv = {'u', "abc", 0, 0, 1, 1};
    assert_int_equal(delta_dv_file_path(&shortdv, &b, &e), -1);
    delta_dv bad = {'u', "5DxE90SCJoMhWOS&LEb ", 0, 0, 1, 1};
    assert_int_equal(delta_dv_file_path(&bad, &b, &e), -1);
    delta_dv over = {'u', "#####5DxE90SCJoMhWOS", 0, 0, 1, 1};
    assert_int_equal(delta_dv_file_path(&over, &b, &e), -1);
    delta_dv inl = {'i', "abc", 0, 0, 1, 1};
    assert_int_equal(delta_dv_file_path(&inl, &b, &e), -1);
    delta_dv abs = {'p', "s3://b/x.bin", 0, 0, 1, 1};
    assert_int_equal(delta_dv_file_path(&abs, &b, &e), 0);
    assert_string_equal(os_buf_cstr(&b), "s3://b/x.bin");
    os_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_encoding),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_golden_file_present),
    };
    return ut_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
