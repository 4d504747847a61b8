/* arena.c - bump allocator over a list of malloc'd blocks. */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct os_arena_block {
    os_arena_block *next;
    size_t used;
    size_t size;
    max_align_t data[];
};

#define ARENA_BLOCK_MIN 8192

void *os_arena_alloc(os_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX - align)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (n == 0)
        n = align;
    os_arena_block *b = a->head;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK_MIN ? n : ARENA_BLOCK_MIN;
        b = malloc(sizeof *b + size);
        if (b == NULL)
            return NULL;
        b->size = size;
        b->used = 0;
        /* A block made for one big request goes second so the current small
         * block keeps serving small requests. */
        if (a->head != NULL && size > ARENA_BLOCK_MIN) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

char *os_arena_strndup(os_arena *a, const char *s, size_t n)
{
    if (s == NULL)
        return NULL;
    char *p = os_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *os_arena_strdup(os_arena *a, const char *s)
{
    return s ? os_arena_strndup(a, s, strlen(s)) : NULL;
}

char *os_arena_sprintf(os_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = os_arena_alloc(a, (size_t)n + 1);
    if (p == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void os_arena_free(os_arena *a)
{
    os_arena_block *b = a->head;
    while (b) {
        os_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void os_arena_reset(os_arena *a)
{
    os_arena_block *b = a->head;
    a->total = 0;
    if (b == NULL)
        return;
    if (b->next == NULL) {
        b->used = 0;
        return;
    }
    size_t size = 0;
    for (os_arena_block *x = b; x; x = x->next)
        size = size > SIZE_MAX - x->size ? SIZE_MAX : size + x->size;
    os_arena_free(a);
    if (size > SIZE_MAX - sizeof *b)
        return;
    b = malloc(sizeof *b + size);
    if (b == NULL)
        return;
    b->next = NULL;
    b->used = 0;
    b->size = size;
    a->head = b;
}
