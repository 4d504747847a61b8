/* jw.h - a small streaming JSON writer into an os_buf: objects, arrays, strings escaped once, numbers exact. */
#ifndef OS_JSON_JW_H
#define OS_JSON_JW_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define JW_MAX_DEPTH 32

/* The writer tracks nesting to place commas; it never allocates beyond the
 * buffer it appends to.  Out-of-memory is sticky: check jw_failed() once at the
 * end of a line. */
typedef struct jw {
    os_buf *out;
    int depth;
    unsigned char first[JW_MAX_DEPTH];  /* 1 when nothing was written at that level yet */
    int failed;
} jw;

void jw_init(jw *w, os_buf *out);
void jw_obj_begin(jw *w);
void jw_obj_end(jw *w);
void jw_arr_begin(jw *w);
void jw_arr_end(jw *w);
/* A key inside an object; the next call writes its value. */
void jw_key(jw *w, const char *key);
void jw_str(jw *w, const char *s);          /* NULL writes null */
void jw_strn(jw *w, const char *s, size_t n);
void jw_int(jw *w, int64_t v);
void jw_bool(jw *w, int v);
void jw_null(jw *w);
/* Writes already-serialised JSON text as a value (the caller vouches for it). */
void jw_raw(jw *w, const char *json, size_t n);
/* Convenience: key + value. */
void jw_kstr(jw *w, const char *key, const char *s);
void jw_kint(jw *w, const char *key, int64_t v);
/* 1 when an allocation failed or nesting was unbalanced. */
int jw_failed(const jw *w);

/* Appends s (n bytes) to out as a JSON string literal, quotes included:
 * RFC 8259 escapes, control bytes as \u00XX, invalid UTF-8 as U+FFFD (never
 * passed through).  Returns 0, or -1 when out of memory (out then holds a
 * partial literal).  For writers that build JSON text without a jw. */
int jw_escape(os_buf *out, const char *s, size_t n);

#endif
