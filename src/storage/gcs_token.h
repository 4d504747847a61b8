/* gcs_token.h - Google OAuth2 access tokens for a service account (JWT bearer grant) and their downscoping to one bucket prefix.
 *
 * Callers: the GCS object store (read token) and url_signer's dir credentials
 * (a Credential Access Boundary token exchange limited to the asset's prefix). */
#ifndef OS_STORAGE_GCS_TOKEN_H
#define OS_STORAGE_GCS_TOKEN_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "storage/gcs_sign.h"

#define GCS_READ_SCOPE "https://www.googleapis.com/auth/devstorage.read_only"
#define GCS_STS_DEFAULT "https://sts.googleapis.com/v1/token"

/* Exchanges an RS256 JWT (iss = the key's email, aud = token_uri, scope
 * `scope`, one hour) for an access token at token_uri.  Appends the token to
 * `token` and sets *expires_at_s.  Returns 0, or -1: OS_EPERM when the
 * endpoint refuses the grant, OS_EIO (transport, malformed answer), OS_ENOMEM. */
int gcs_token_fetch(const gcs_signer *s, const char *token_uri, const char *scope, int64_t now_s,
                    os_buf *token, int64_t *expires_at_s, os_err *err);

/* Appends the Credential Access Boundary (the token exchange's `options`
 * JSON): roles/storage.objectViewer on the bucket, available only for objects
 * under prefix/ and for listings whose prefix starts with prefix/. */
int gcs_downscope_options(const char *bucket, const char *prefix, os_buf *out, os_err *err);

/* Token exchange (RFC 8693, Google STS) of access_token for a downscoped
 * token limited to bucket/prefix.  sts_uri NULL: GCS_STS_DEFAULT.  Appends the
 * token and sets *expires_at_s (the exchange's expires_in, else
 * fallback_expiry_s).  Returns 0 or -1 (OS_EPERM, OS_EIO, OS_ENOMEM). */
int gcs_token_downscope(const char *sts_uri, const char *access_token, const char *bucket,
                        const char *prefix, int64_t now_s, int64_t fallback_expiry_s,
                        os_buf *token, int64_t *expires_at_s, os_err *err);

#endif
