/* activation.h - single-use activation links: issued to a recipient by the provider, redeemed once for a bearer token inside a profile file. */
#ifndef OS_AUTH_ACTIVATION_H
#define OS_AUTH_ACTIVATION_H

#include <jansson.h>
#include <stdint.h>

#include "auth/token.h"
#include "base/err.h"
#include "catalog/store.h"

/* Room for a link code: "osact_" + 43 characters of base64url + NUL. */
#define ACTIVATION_CODE_BUFLEN AUTH_SECRET_BUFLEN

/* Mints a random code (AUTH_PREFIX_ACTIVATION_CODE + 256 bits), stores only its SHA-256 (valid until now_ms + ttl_ms)
 * inside the caller's transaction and writes the code into code_out; the
 * caller shows it once and forgets it. */
int activation_issue(cat_tx *tx, int64_t recipient_id, int64_t now_ms, int64_t ttl_ms,
                     const char *actor, char code_out[ACTIVATION_CODE_BUFLEN],
                     int64_t *expires_ms, os_err *err);
/* Redeems a code in one transaction: the link must be known, unused and
 * unexpired (else OS_ENOTFOUND); it is marked used, a bearer token is minted
 * and its hash stored (source "activation") with an expiry of the
 * recipient's token lifetime, or default_lifetime_ms when the recipient has
 * none (0: never).  Fills token_out, *recipient_id and *expires_ms (0: never). */
int activation_redeem(cat_store *st, const char *code, int64_t now_ms, int64_t default_lifetime_ms,
                      char token_out[AUTH_TOKEN_BUFLEN], int64_t *recipient_id,
                      int64_t *expires_ms, os_err *err);
/* The profile file (config.share) for a token: shareCredentialsVersion 1,
 * endpoint, bearerToken and, when expires_ms != 0, expirationTime in ISO-8601
 * with milliseconds and Z.  NULL when out of memory. */
json_t *activation_profile(const char *endpoint, const char *token, int64_t expires_ms);

#endif
