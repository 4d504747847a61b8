/* page_token.h - opaque, tamper-proof list continuation tokens bound to one listing and one caller. */
#ifndef OS_AUTH_PAGE_TOKEN_H
#define OS_AUTH_PAGE_TOKEN_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

#define PAGE_TOKEN_KEYLEN 32

/* Where a listing stopped: up to two sort keys of the last item returned. */
typedef struct page_pos {
    const char *k1;
    const char *k2;   /* may be NULL */
} page_pos;

/* Encodes a token for `listing` (an identifier of what is listed, e.g.
 * "tables:<share uuid>:<schema key>") and `principal` (caller id), valid until
 * expires_ms.  Returns the token (arena) or NULL on allocation failure. */
char *page_token_encode(const uint8_t key[PAGE_TOKEN_KEYLEN], const char *listing,
                        int64_t principal, const page_pos *pos, int64_t expires_ms, os_arena *a);
/* Decodes and verifies a token: its MAC, listing, principal and expiry at
 * now_ms.  Any mismatch is OS_EINVAL with a message saying the token is
 * invalid, expired or for another listing. */
int page_token_decode(const uint8_t key[PAGE_TOKEN_KEYLEN], const char *token, const char *listing,
                      int64_t principal, int64_t now_ms, os_arena *a, page_pos *pos, os_err *err);

#endif
