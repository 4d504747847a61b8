/* local_url.h - the server's own signed URLs for files on local storage: opaque, AEAD-sealed tokens.
 *
 * A URL is "{base}/files/{token}", token = B64URL(VERSION || NONCE || CT || TAG):
 *   VERSION = 0x02, NONCE = 12 bytes, (CT, TAG) = AES-256-GCM(K, NONCE,
 *   plaintext, aad = "GET"), K = local_url_key_derive(server key), and
 *   plaintext = EXPIRY(i64 BE) RECIPIENT_ID(i64 BE) then six strings, each a
 *   u16 BE length and its bytes: recipient, share, schema, asset, ROOT, REL.
 * ROOT is the absolute directory the URL may read from (the asset's location),
 * REL the file under it.  A recipient learns nothing from a token (no path, no
 * expiry, no names: they are encrypted); the server learns everything the file
 * route needs, including who the URL was given to (for the audit log), with no
 * catalog lookup.  Changing any byte fails the tag.  Nonces count up from a
 * random 96-bit start drawn once per process (see local_url.c): never repeated
 * within a process, and across processes only if their ranges meet.
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
/* Longest recipient/share/schema/asset name sealed in (longer ones are cut). */
#define LOCAL_URL_MAX_NAME 1024

/* Who a URL was given to, for the audit of downloads.  NULL strings are
 * sealed as empty; recipient_id 0 means "no recipient" (e.g. tools). */
typedef struct local_url_claims {
    int64_t recipient_id;
    const char *recipient, *share, *schema, *asset;
} local_url_claims;

/* What a valid token grants (strings in the verifier's arena). */
typedef struct local_url_grant {
    const char *root, *rel;
    int64_t expires_at_s;
    local_url_claims who;
} local_url_grant;

/* Derives the URL-sealing key from the server key, so the same secret used for
 * page tokens never keys two kinds of message. */
void local_url_key_derive(const uint8_t *server_key, size_t server_key_len,
                          uint8_t out[LOCAL_URL_KEYLEN]);

/* Appends "{base}/files/{token}" for file `rel` under directory `root`, valid
 * until expires_at_s, given to `who` (NULL: nobody in particular).  base is
 * the public URL of the route table's mount (e.g. "https://host/opensharing",
 * no trailing '/').  root must be absolute; rel is relative with no "", "." or
 * ".." segments; neither may hold control characters.  Returns 0 or -1
 * (OS_EINVAL, OS_ENOMEM, OS_EINTERNAL when the cipher fails). */
int local_url_sign(const uint8_t key[LOCAL_URL_KEYLEN], const char *base, const char *root,
                   const char *rel, const local_url_claims *who, int64_t expires_at_s, os_buf *url,
                   os_err *err);

/* Appends only the token (the last path segment of the URL). */
int local_url_token(const uint8_t key[LOCAL_URL_KEYLEN], const char *root, const char *rel,
                    const local_url_claims *who, int64_t expires_at_s, os_buf *out, os_err *err);

/* Opens token at now_s into *g (arena strings) and returns 0.  A malformed or
 * tampered token is -1 with OS_EPERM "the file URL is invalid" and *g zeroed;
 * an authentic but expired one is -1 with OS_EPERM "... has expired" and *g
 * filled (so the refusal can be audited with its recipient); OS_ENOMEM. */
int local_url_verify(const uint8_t key[LOCAL_URL_KEYLEN], const char *token, int64_t now_s,
                     os_arena *a, local_url_grant *g, os_err *err);

/* Checks a relative file name: non-empty, no leading '/', no "", "." or ".."
 * segments, no control characters.  Returns 0 or -1 (OS_EINVAL). */
int local_url_check_rel(const char *rel, os_err *err);

#endif
