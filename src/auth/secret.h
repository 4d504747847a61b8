/* secret.h - the secrets the server mints, each kind behind its own prefix so that a leaked one is recognisable (by secret scanners too). */
#ifndef OS_AUTH_SECRET_H
#define OS_AUTH_SECRET_H

#include <stddef.h>

/* The prefixes (docs/admin.md, "Secrets and their prefixes").  None is a prefix of another.
 * Stored hashes are of the whole string, prefix included; lookups hash what they are given. */
#define AUTH_PREFIX_RECIPIENT_TOKEN "osr_"    /* recipient bearer token (profile files) */
#define AUTH_PREFIX_ADMIN_TOKEN "osadm_"      /* admin token of the embedded default */
#define AUTH_PREFIX_ACTIVATION_CODE "osact_"  /* single-use activation link code */
#define AUTH_PREFIX_SERVER_KEY "osk_"         /* secrets/server.key (hex follows) */

/* Room for any minted secret: the longest prefix + 43 characters of base64url + NUL. */
#define AUTH_SECRET_BUFLEN 64

/* Writes prefix followed by 256 random bits in unpadded base64url into out (cap bytes).
 * Returns 0, or -1 when the random source failed or prefix and secret do not fit in cap
 * (out is then the empty string).  No memory is allocated. */
int auth_secret_mint(const char *prefix, char *out, size_t cap);

#endif
