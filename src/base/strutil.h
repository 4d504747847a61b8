/* strutil.h - small string helpers: case folding, parsing integers strictly, percent-decoding. */
#ifndef OS_BASE_STRUTIL_H
#define OS_BASE_STRUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Lower-cases ASCII letters of s in place and returns s.  Non-ASCII bytes are
 * left alone, so UTF-8 names keep their bytes. */
char *os_str_lower(char *s);
/* Parses a base-10 int64 that fills the whole string (optional leading '-').
 * Returns 0, or -1 on empty input, stray characters or overflow. */
int os_parse_i64(const char *s, int64_t *out);
/* Decodes %XX escapes in place (and '+' to space when plus_is_space).  Returns
 * the new length, or -1 for a malformed escape or an encoded NUL. */
long os_url_decode(char *s, int plus_is_space);
/* Returns 1 when s starts with prefix. */
int os_str_starts_with(const char *s, const char *prefix);
/* Returns 1 when s ends with suffix. */
int os_str_ends_with(const char *s, const char *suffix);

#endif
