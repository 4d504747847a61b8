/* r2_temp.h - Cloudflare R2: recognising R2 locations, and read-only temporary credentials for one bucket prefix from Cloudflare's API.
 *
 * An S3 location is R2 when its options say {"provider": "r2"} or its
 * endpoint's host ends in ".r2.cloudflarestorage.com".  Its dir-mode
 * credentials come from POST {api_base}/accounts/{account_id}/r2/temp-access-credentials
 * with the provider's API token as bearer, permission "object-read-only" and
 * the asset's prefix.  Caller: url_signer's dir credentials; access_modes asks
 * r2_location_is_r2. */
#ifndef OS_STORAGE_R2_TEMP_H
#define OS_STORAGE_R2_TEMP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define R2_API_BASE_DEFAULT "https://api.cloudflare.com/client/v4"
#define R2_ENDPOINT_SUFFIX ".r2.cloudflarestorage.com"

/* Whether a location with these options (a JSON object text, or NULL) is on
 * R2: "provider" is "r2" (any case), or "endpoint" is a URL whose host ends in
 * R2_ENDPOINT_SUFFIX.  Never fails (unreadable options: false). */
bool r2_location_is_r2(const char *options_json);

/* The Cloudflare account id named by an R2 endpoint URL: the first label of
 * its host when the host ends in R2_ENDPOINT_SUFFIX ("https://ACCOUNT.r2..."
 * or "https://ACCOUNT.eu.r2...").  Copies it into out (cap bytes) and returns
 * 0, or -1 when the endpoint names none. */
int r2_account_of_endpoint(const char *endpoint, char *out, size_t cap);

typedef struct r2_temp_request {
    const char *api_base;              /* NULL: R2_API_BASE_DEFAULT; http(s) only */
    const char *account_id;            /* letters and digits (Cloudflare's are 32 hex) */
    const char *api_token;             /* the provider's API token: sent as bearer, never
                                          put in a message */
    const char *parent_access_key_id;  /* access key id of the R2 token the credentials derive from */
    const char *bucket;
    const char *prefix;                /* "" (whole bucket) or "a/b": scoped to "a/b/" */
    int ttl_s;                         /* 1..604800 */
} r2_temp_request;

/* The temporary credentials: heap strings freed and wiped by r2_temp_result_free. */
typedef struct r2_temp_result {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;
} r2_temp_result;

/* Asks Cloudflare for credentials reading only bucket/prefix/ (object-read-only).
 * Returns 0 with *out filled, or -1: OS_EINVAL for bad inputs (naming the
 * field), OS_EUPSTREAM when the API cannot be reached, refuses (its HTTP status
 * and first error code and message are named; never the token) or answers
 * something malformed, OS_ENOMEM. */
int r2_temp_credentials(const r2_temp_request *rq, r2_temp_result *out, os_err *err);

/* Frees and wipes the result's strings (NULL-safe). */
void r2_temp_result_free(r2_temp_result *r);

#endif
