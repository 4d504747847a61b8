/* test_arena.c - the bump allocator: alignment, zeroed memory, reset keeps one block for reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"

static void test_alloc_is_aligned_and_zeroed(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    for (size_t n = 0; n < 100; n++) {
        unsigned char *p = os_arena_alloc(&a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % sizeof(max_align_t), 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xab, n);
    }
    os_arena_free(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void test_reset_reuses_one_block(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    os_arena_reset(&a);                       /* an empty arena stays empty */
    assert_null(a.head);
    /* Several blocks become one as big as they were together. */
    for (int i = 0; i < 40; i++)
        memset(os_arena_alloc(&a, 1000), 0xcd, 1000);
    assert_non_null(a.head);
    size_t total = a.total;
    assert_true(total >= 40000);
    os_arena_reset(&a);
    assert_int_equal(a.total, 0);
    os_arena_block *kept = a.head;
    assert_non_null(kept);
    /* The same again fits in that block: no new one, and memory comes zeroed. */
    for (int i = 0; i < 40; i++) {
        unsigned char *p = os_arena_alloc(&a, 1000);
        assert_non_null(p);
        for (int k = 0; k < 1000; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xcd, 1000);
    }
    assert_int_equal(a.total, total);
    assert_ptr_equal(a.head, kept);
    os_arena_reset(&a);
    assert_ptr_equal(a.head, kept);           /* one block: kept as it is */
    assert_non_null(os_arena_strdup(&a, "after reset"));
    assert_string_equal(os_arena_sprintf(&a, "%d-%s", 7, "x"), "7-x");
    os_arena_free(&a);
    assert_null(a.head);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_is_aligned_and_zeroed),
        cmocka_unit_test(test_reset_reuses_one_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
