/* store_open.h - opening object stores for catalog locations (local, S3, Azure, GCS) and walking them recursively.
 *
 * The sharing service calls objstore_open_location for an asset and then
 * reads through objstore.h; it never needs to know which cloud is behind.
 * The S3, Azure and GCS stores may be used from several threads at once
 * (their token/SAS caches are locked); each call is one or more blocking
 * HTTP requests (cut when stalled for 30 s, or after 10 minutes). */
#ifndef OS_STORAGE_STORE_OPEN_H
#define OS_STORAGE_STORE_OPEN_H

#include "catalog/model.h"
#include "storage/objstore.h"
#include "storage/s3_sign.h"

/* Opens the backend for `asset_uri` (NULL: the location's own root), which
 * must lie inside loc->uri.  The store is rooted at the asset: its keys are
 * relative to the asset's prefix.  file:// opens objstore_local_open (after
 * checking, with symlinks resolved, that the asset is inside the location);
 * s3/s3a, abfss/wasbs and gs open the remote backends with the location's
 * secret (read through config_secret_read, wiped after use) and options:
 *   s3:    secret {"access_key_id","secret_access_key","session_token"?};
 *          options region, endpoint, path_style ("true"/"false")
 *   azure: secret {"account_key"}, {"sas"} or Azure AD client credentials
 *          {"tenant_id","client_id","client_secret"}; options endpoint (blob
 *          endpoint, default https://{account}.blob.core.windows.net),
 *          account, aad_authority
 *   gcs:   secret = the service-account JSON key; options endpoint (default
 *          https://storage.googleapis.com), token_uri (overrides the key's)
 * Returns 0, or -1: OS_EINVAL (bad URI, asset outside the location, bad
 * options or secret; messages never contain secret values), OS_EPERM (escape),
 * OS_ENOTFOUND (missing local root), OS_ENOMEM. */
int objstore_open_location(const cat_location *loc, const char *asset_uri, objstore *out,
                           os_err *err);

/* S3 / S3-compatible store over `bucket`, rooted at `prefix` ("" or a key
 * prefix without leading or trailing '/').  Strings are copied. */
typedef struct s3_store_config {
    s3_target target;
    s3_creds creds;
    const char *prefix;
} s3_store_config;
int objstore_s3_open(const s3_store_config *cfg, objstore *out, os_err *err);

/* Azure Blob (also ADLS Gen2 through its blob endpoint) over one container,
 * rooted at prefix.  Authenticates with a SAS: `sas` as given, or one minted
 * (container scope, read+list, one hour, renewed) from account_key or from a
 * user delegation key obtained with Azure AD client credentials. */
typedef struct azure_store_config {
    const char *endpoint;     /* "https://acct.blob.core.windows.net" or an emulator's */
    const char *account;
    const char *account_key;  /* or NULL with sas or the aad_* fields */
    const char *sas;          /* query string without '?', or NULL */
    const char *container;
    const char *prefix;
    const char *aad_authority;     /* NULL: login.microsoftonline.com */
    const char *aad_tenant_id;     /* all three, or NULL */
    const char *aad_client_id;
    const char *aad_client_secret;
} azure_store_config;
int objstore_azure_open(const azure_store_config *cfg, objstore *out, os_err *err);

/* Google Cloud Storage over one bucket through the JSON API, rooted at prefix,
 * with OAuth2 access tokens from a service-account key (JWT bearer grant). */
typedef struct gcs_store_config {
    const char *endpoint;     /* NULL: "https://storage.googleapis.com" */
    const char *token_uri;    /* NULL: the key's token_uri */
    const char *sa_json;      /* the service-account key */
    const char *bucket;
    const char *prefix;
} gcs_store_config;
int objstore_gcs_open(const gcs_store_config *cfg, objstore *out, os_err *err);

/* Lists every object under dir (recursively) in ascending byte order of name,
 * names > start_after only, through the store's non-recursive list.  Same
 * callback contract as objstore_list.  Depth is bounded (64 levels). */
int objstore_list_recursive(const objstore *s, const char *dir, const char *start_after,
                            objstore_list_cb cb, void *cbctx, os_err *err);

#endif
