/* gcs_sign.h - a Google service-account key held in memory, RS256 signing with it, and GCS V4 signed URLs.
 *
 * gcs_sign_url is pure given its inputs (time included) and equals
 * @google-cloud/storage getSignedUrl({version:'v4', action:'read'}) byte for
 * byte.  The GCS object store uses the same signer for its OAuth JWT. */
#ifndef OS_STORAGE_GCS_SIGN_H
#define OS_STORAGE_GCS_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

typedef struct gcs_signer gcs_signer;

/* Longest V4 signed URL lifetime (7 days). */
#define GCS_SIGN_MAX_EXPIRES 604800

/* Parses a service-account JSON key (client_email, private_key PEM, optional
 * token_uri) and loads the RSA key.  The caller frees the signer with
 * gcs_signer_free; the key material is wiped then.  Returns NULL with
 * OS_EINVAL (the message never quotes the key) or OS_ENOMEM. */
gcs_signer *gcs_signer_new(const char *sa_json, os_err *err);
/* Frees the signer (NULL-safe). */
void gcs_signer_free(gcs_signer *s);
/* The key's client_email (owned by the signer). */
const char *gcs_signer_email(const gcs_signer *s);
/* The key's token_uri, or Google's default token endpoint when absent. */
const char *gcs_signer_token_uri(const gcs_signer *s);

/* RSASSA-PKCS1-v1_5 over SHA-256 of data; appends the raw signature to sig.
 * Thread-safe.  Returns 0 or -1 (OS_EINTERNAL, OS_ENOMEM). */
int gcs_signer_sign(const gcs_signer *s, const void *data, size_t n, os_buf *sig, os_err *err);

/* Appends a V4 signed GET URL for gs://bucket/object, signed at now_s, valid
 * expires_s seconds (1..GCS_SIGN_MAX_EXPIRES).  endpoint NULL means
 * "https://storage.googleapis.com"; otherwise "http(s)://host[:port]" (the
 * signed host header is the host name without port, as Google's SDK does).
 * Returns 0 or -1 (OS_EINVAL, OS_ENOMEM, OS_EINTERNAL). */
int gcs_sign_url(const gcs_signer *s, const char *endpoint, const char *bucket,
                 const char *object, int64_t now_s, int64_t expires_s, os_buf *url, os_err *err);

#endif
