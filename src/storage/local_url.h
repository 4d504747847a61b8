/* local_url.h - the server's own signed URLs for files on local storage: self-contained HMAC tokens.
 *
 * A URL is "{base}/files/{token}", token = B64URL(payload) "." B64URL(mac):
 *   payload = "1\n" EXPIRY "\n" ROOT "\n" REL      (EXPIRY: epoch seconds)
 *   mac     = HMAC-SHA256(K, "GET\n" payload),  K = local_url_key_derive(server key)
 * ROOT is the absolute directory the URL may read from (the asset's location),
 * REL the file under it.  The token carries everything the file route needs,
 * so serving needs no catalog lookup; tampering with any byte fails the MAC.
 * Signers: the sharing service.  Verifier: src/api/recipient/local_files.c. */
#ifndef OS_STORAGE_LOCAL_URL_H
#define OS_STORAGE_LOCAL_URL_H

#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"

#define LOCAL_URL_KEYLEN 32
/* Longest token the verifier accepts (characters). */
#define LOCAL_URL_MAX_TOKEN 8192

/* Derives the URL-signing key from the server key, so the same secret used for
 * page tokens never signs two kinds of message. */
void local_url_key_derive(const uint8_t *server_key, size_t server_key_len,
                          uint8_t out[LOCAL_URL_KEYLEN]);

/* Appends "{base}/files/{token}" for file `rel` under directory `root`, valid
 * until expires_at_s.  base is the public URL of the route table's mount (e.g.
 * "https://host/opensharing", no trailing '/').  root must be absolute; rel is
 * relative with no "", "." or ".." segments; neither may hold control
 * characters.  Returns 0 or -1 (OS_EINVAL, OS_ENOMEM). */
int local_url_sign(const uint8_t key[LOCAL_URL_KEYLEN], const char *base, const char *root,
                   const char *rel, int64_t expires_at_s, os_buf *url, os_err *err);

/* local_url_sign with the key prepared by the caller (os_hmac_key_new over
 * the LOCAL_URL_KEYLEN key): the same URL, without preparing the key for
 * every file.  Same errors, and OS_EIO when libcrypto fails. */
struct os_hmac_key;
int local_url_sign_prepared(struct os_hmac_key *key, const char *base, const char *root,
                            const char *rel, int64_t expires_at_s, os_buf *url, os_err *err);

/* Appends only the token (the last path segment of the URL). */
int local_url_token(const uint8_t key[LOCAL_URL_KEYLEN], const char *root, const char *rel,
                    int64_t expires_at_s, os_buf *out, os_err *err);

/* Verifies token at now_s.  On success sets *root, *rel (arena strings) and
 * *expires_at_s and returns 0.  A malformed, tampered or expired token is -1
 * with OS_EPERM (message says "invalid" or "expired", never why the MAC
 * failed); OS_ENOMEM.  The MAC is compared in constant time. */
int local_url_verify(const uint8_t key[LOCAL_URL_KEYLEN], const char *token, int64_t now_s,
                     os_arena *a, const char **root, const char **rel, int64_t *expires_at_s,
                     os_err *err);

/* Checks a relative file name: non-empty, no leading '/', no "", "." or ".."
 * segments, no control characters.  Returns 0 or -1 (OS_EINVAL). */
int local_url_check_rel(const char *rel, os_err *err);

#endif
