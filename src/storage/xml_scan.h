/* xml_scan.h - a minimal, bounded scanner for the flat XML listings S3 and Azure return (no DTDs, no recursion).
 *
 * Internal to src/storage.  It finds elements by name and decodes their text;
 * it never allocates except into the caller's buffer (or the string
 * xml_child_text_dup returns), never reads past the given length, and treats
 * anything it does not understand as malformed. */
#ifndef OS_STORAGE_XML_SCAN_H
#define OS_STORAGE_XML_SCAN_H

#include <stddef.h>

#include "base/buf.h"

typedef struct xml_span {
    const char *p;
    size_t n;
} xml_span;

/* Finds the next element `tag` (exact name; attributes allowed) starting at
 * *pos in doc[0..len).  On success sets *inner to its content (empty for
 * <tag/>), advances *pos past its end tag and returns 1.  Returns 0 when there
 * is none, -1 when an opened element has no end tag.  Elements with the same
 * name must not nest (true of the listings we read). */
int xml_next(const char *doc, size_t len, size_t *pos, const char *tag, xml_span *inner);

/* The first child element `tag` inside parent: 1 found, 0 absent, -1 malformed. */
int xml_child(xml_span parent, const char *tag, xml_span *inner);

/* Appends the text of s to out with the five predefined entities and numeric
 * character references decoded (UTF-8 encoded) and CDATA sections copied.
 * Returns 0, or -1 for a malformed or unknown entity, a character reference
 * to NUL or beyond U+10FFFF, a raw '<' outside CDATA, or out of memory. */
int xml_text(xml_span s, os_buf *out);

/* The decoded text of the first child `tag` of parent as a new heap string
 * (the caller frees it), or NULL when the child is absent or malformed, its
 * text is empty, longer than max bytes or holds a NUL, or memory ran out:
 * callers treat every one of these as a malformed answer. */
char *xml_child_text_dup(xml_span parent, const char *tag, size_t max);

#endif
