/* base64.h - standard and URL-safe Base64 (RFC 4648) encoding and strict decoding. */
#ifndef OS_BASE_BASE64_H
#define OS_BASE_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed (with NUL) to encode n bytes. */
size_t os_base64_encoded_len(size_t n);
/* Encodes n bytes into out (os_base64_encoded_len(n) bytes).  `url` selects
 * the URL-safe alphabet without padding; otherwise standard with padding.
 * Returns the length written, excluding the NUL. */
size_t os_base64_encode(const uint8_t *in, size_t n, char *out, int url);
/* Decodes text of length n into out, which has room for `cap` bytes.  Accepts
 * the alphabet chosen by `url` (padding optional in URL mode).  Returns the
 * decoded length, or -1 for any invalid character, length or padding, or when
 * the result would not fit in cap bytes (out may then hold a partial result). */
long os_base64_decode(const char *in, size_t n, uint8_t *out, size_t cap, int url);

#endif
