/* token.h - recipient bearer tokens: minting, hashing, and authenticating an Authorization header. */
#ifndef OS_AUTH_TOKEN_H
#define OS_AUTH_TOKEN_H

#include <stdint.h>

#include "auth/secret.h"
#include "base/err.h"
#include "catalog/store.h"

/* Room for a minted token: "osr_" + 43 characters of base64url + NUL. */
#define AUTH_TOKEN_BUFLEN AUTH_SECRET_BUFLEN

/* Mints a new random recipient token (AUTH_PREFIX_RECIPIENT_TOKEN + 256 bits) into out.
 * Returns 0 or -1 (random source failed). */
int auth_token_mint(char out[AUTH_TOKEN_BUFLEN]);
/* SHA-256 hex of a token: the only form the catalog stores. */
void auth_token_hash(const char *token, char hash_hex[65]);
/* Authenticates `authorization` (the raw header value, may be NULL) at time
 * now_ms: "Bearer <token>" whose hash is a live token (not expired, not
 * revoked).  Fills *out.  Every failure is OS_EAUTH with a message that says
 * what to fix and never echoes the token. */
int auth_recipient_authenticate(cat_store *st, const char *authorization, int64_t now_ms,
                                cat_token *out, os_err *err);

#endif
