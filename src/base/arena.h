/* arena.h - a bump allocator: many small allocations freed together (one per request). */
#ifndef OS_BASE_ARENA_H
#define OS_BASE_ARENA_H

#include <stddef.h>

typedef struct os_arena_block os_arena_block;

typedef struct os_arena {
    os_arena_block *head;
    size_t total;   /* bytes handed out, for limits and tests */
} os_arena;

#define OS_ARENA_INIT {NULL, 0}

/* Returns n bytes aligned for any type, zeroed, or NULL when out of memory.
 * The memory lives until os_arena_free. */
void *os_arena_alloc(os_arena *a, size_t n);
/* Copies s (NULL gives NULL) into the arena. */
char *os_arena_strdup(os_arena *a, const char *s);
/* Copies n bytes of s and NUL-terminates. */
char *os_arena_strndup(os_arena *a, const char *s, size_t n);
/* printf into the arena; NULL on failure. */
char *os_arena_sprintf(os_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees every block; the arena is empty and reusable. */
void os_arena_free(os_arena *a);
/* Empties the arena but keeps memory for the next round: its one block is
 * reused as it is; several are replaced by one block as big as they were
 * together (which may fail: the arena is then simply empty).  For a loop that
 * fills and empties an arena per item, so it stops calling malloc once one
 * block holds an item.  Everything allocated before is invalid. */
void os_arena_reset(os_arena *a);

#endif
