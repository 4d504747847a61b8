/* url_signer.h - one signer per asset location: pre-signed GET URLs for files under it, whatever the storage kind.
 *
 * The sharing service opens one signer per request (or caches it per asset),
 * then signs every file path of a query or listing with it.  The location's
 * secret is read once at open, kept only inside the signer, and wiped at free. */
#ifndef OS_STORAGE_URL_SIGNER_H
#define OS_STORAGE_URL_SIGNER_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "catalog/model.h"
#include "storage/local_url.h"

typedef struct url_signer url_signer;

/* What file:// locations need: the local URL key and the public base URL of
 * the local_files route table's mount (e.g. "https://host/opensharing"). */
typedef struct url_signer_local {
    const uint8_t *key;       /* LOCAL_URL_KEYLEN bytes (local_url_key_derive) */
    const char *files_base;
    const local_url_claims *who;  /* sealed into every URL for the audit (copied); may be NULL */
} url_signer_local;

/* Opens a signer for files of the asset at asset_uri (NULL: the location's
 * root), which must lie inside loc (same checks and secrets/options as
 * objstore_open_location).  `local` is needed for file:// locations only.
 * Azure locations need an account key in their secret (a given SAS is never
 * handed to recipients: OS_EUNSUPPORTED).  Returns the signer (free with
 * url_signer_free) or NULL with err (OS_EINVAL, OS_EPERM, OS_ENOTFOUND,
 * OS_EUNSUPPORTED, OS_ENOMEM). */
url_signer *url_signer_open(const cat_location *loc, const char *asset_uri,
                            const url_signer_local *local, os_err *err);

/* Appends a GET URL for `rel` (a decoded path relative to the asset root; no
 * "", "." or ".." segments) valid from now_s for expires_s seconds; sets
 * *expires_at_s to when it really expires.  Cloud URLs are capped at 7 days
 * (expires_s beyond that is OS_EINVAL).  Thread-safe.  Returns 0 or -1. */
int url_signer_sign(const url_signer *s, const char *rel, int64_t now_s, int64_t expires_s,
                    os_buf *url, int64_t *expires_at_s, os_err *err);

/* For Azure locations (dir access mode): appends a read+list SAS query string
 * (no '?') for the asset's prefix: a directory SAS (sr=d) when the location's
 * options say {"hierarchical_namespace": "true"}, else a container SAS (sr=c,
 * the narrowest listable scope plain Blob storage offers).  Also appends the
 * container URL to container_url.  Other kinds: OS_EUNSUPPORTED. */
int url_signer_azure_dir_sas(const url_signer *s, int64_t now_s, int64_t expires_s,
                             os_buf *container_url, os_buf *sas, os_err *err);

/* Read-only credentials limited to the asset's prefix (dir access mode). */
typedef enum url_dir_kind {
    URL_DIR_S3 = 1,          /* access_key_id, secret_access_key, session_token */
    URL_DIR_AZURE_SAS,       /* sas (query string) for container_url */
    URL_DIR_GCS_TOKEN,       /* oauth_token */
    URL_DIR_R2               /* access_key_id, secret_access_key, session_token (Cloudflare R2) */
} url_dir_kind;

typedef struct url_dir_credentials {
    url_dir_kind kind;
    char *access_key_id, *secret_access_key, *session_token;
    char *container_url, *sas;
    char *oauth_token;
    int64_t expires_at_ms;
} url_dir_credentials;

/* Vends dir-mode credentials for the asset, valid about duration_s seconds:
 *   R2 (an S3 location that r2_location_is_r2): Cloudflare's temporary
 *          access credentials API (options r2_account_id [default: from an
 *          endpoint https://ACCOUNT.r2.cloudflarestorage.com],
 *          r2_parent_access_key_id [default: the secret's access_key_id],
 *          r2_api_base, max_duration_s; the secret's r2_api_token), permission
 *          object-read-only on prefix/; duration clamped to 900..max.
 *          Cloudflare's refusals are OS_EUPSTREAM.
 *   S3:    STS AssumeRole (location options role_arn [required], sts_endpoint
 *          [default: the S3-compatible endpoint option, else
 *          https://sts.REGION.amazonaws.com], sts_region, max_duration_s) with a
 *          session policy allowing only GetObject under the prefix and ListBucket
 *          under an s3:prefix condition; duration clamped to 900..max.
 *   Azure: url_signer_azure_dir_sas.
 *   GCS:   a Credential Access Boundary token exchange (options sts_uri,
 *          token_uri) limited to the prefix; lives as long as Google allows.
 * session_name names the recipient in STS logs.  Local storage:
 * OS_EUNSUPPORTED.  The result is freed with url_dir_credentials_free.
 * Returns 0 or -1 (OS_EUNSUPPORTED, OS_EINVAL, OS_EPERM, OS_EIO, OS_EUPSTREAM,
 * OS_ENOMEM). */
int url_signer_dir_credentials(const url_signer *s, int64_t now_s, int duration_s,
                               const char *session_name, url_dir_credentials *out, os_err *err);
/* Frees and wipes the credentials (NULL-safe). */
void url_dir_credentials_free(url_dir_credentials *c);

/* Frees the signer and wipes its secrets (NULL-safe). */
void url_signer_free(url_signer *s);

#endif
