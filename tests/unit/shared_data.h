/* shared_data.h - finds the shared test data (golden tables) for unit tests, or skips with one line saying why. */
#ifndef OS_TESTS_SHARED_DATA_H
#define OS_TESTS_SHARED_DATA_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* A unit test binary whose cases skipped for want of the shared data exits with this code
 * (when nothing failed); CMakeLists.txt declares it as every unit test's SKIP_RETURN_CODE,
 * so ctest lists the binary as skipped instead of quietly passing. */
#define UT_EXIT_SKIPPED 77

static int ut_skipped __attribute__((unused));

/* Copies into out the directory <shared>/testdata/<sub>, where <shared> is $OS_SHARED_DIR, or
 * else ../shared beside the source tree ($OS_SOURCE_DIR, set by CTest).  Returns 0 when that
 * directory exists; otherwise prints one line naming the test and the missing directory,
 * marks the binary as having skipped, and returns -1: the caller then calls cmocka's skip(). */
static __attribute__((unused)) int ut_shared_testdata(const char *test, const char *sub, char *out, size_t cap)
{
    const char *shared = getenv("OS_SHARED_DIR");
    const char *src = getenv("OS_SOURCE_DIR");
    struct stat st;
    if (shared != NULL && shared[0] != '\0')
        snprintf(out, cap, "%s/testdata/%s", shared, sub);
    else
        snprintf(out, cap, "%s/../shared/testdata/%s", src != NULL ? src : ".", sub);
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    printf("SKIPPED %s: shared test data absent (no directory %s; set OS_SHARED_DIR)\n", test, out);
    fflush(stdout);
    ut_skipped = 1;
    return -1;
}

/* The exit status of a unit test binary given cmocka's count of failed tests. */
static __attribute__((unused)) int ut_exit(int failed)
{
    return failed != 0 ? failed : ut_skipped ? UT_EXIT_SKIPPED : 0;
}

#endif
