/* buf.h - a growable byte buffer, always NUL-terminated, owned by its user. */
#ifndef OS_BASE_BUF_H
#define OS_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct os_buf {
    char *data;   /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
} os_buf;

#define OS_BUF_INIT {NULL, 0, 0}

/* Ensures room for `extra` more bytes plus the terminator.  Returns 0, or -1
 * on allocation failure or overflow (the buffer is unchanged then).  The
 * check is inline: callers on per-row paths pay a call only to grow. */
int os_buf_grow(os_buf *b, size_t extra);
static inline int os_buf_reserve(os_buf *b, size_t extra)
{
    if (extra < b->cap - b->len)   /* cap > len whenever data exists */
        return 0;
    return os_buf_grow(b, extra);
}
/* Appends n bytes.  Returns 0 or -1 (out of memory; buffer unchanged). */
int os_buf_append(os_buf *b, const void *p, size_t n);
/* Appends n bytes and a NUL counted in the length, so several strings can
 * share one buffer (a string table).  Returns the copy's offset, or -1 (out
 * of memory; buffer unchanged).  Offsets stay valid as the buffer grows;
 * pointers stay valid only while it does not (see os_buf_reserve). */
long os_buf_append_str0(os_buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string.  Returns 0 or -1. */
int os_buf_puts(os_buf *b, const char *s);
/* Appends one byte.  Returns 0 or -1. */
int os_buf_putc(os_buf *b, char c);
/* Appends v in decimal (a leading '-' when negative), without printf: for
 * numbers written once per file of a table.  Returns 0 or -1. */
int os_buf_put_i64(os_buf *b, int64_t v);
/* Appends printf-formatted text.  Returns 0 or -1. */
int os_buf_printf(os_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int os_buf_vprintf(os_buf *b, const char *fmt, va_list ap);
/* Empties the buffer, keeping its memory. */
static inline void os_buf_reset(os_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}
/* Frees the memory; the buffer is then empty and reusable. */
void os_buf_free(os_buf *b);
/* Gives the caller ownership of the data (NUL-terminated, never NULL unless
 * allocation fails) and leaves the buffer empty. */
char *os_buf_detach(os_buf *b);
/* Returns the contents as a C string ("" when empty); valid until the next write. */
const char *os_buf_cstr(const os_buf *b);

#endif
