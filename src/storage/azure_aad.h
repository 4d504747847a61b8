/* azure_aad.h - Azure AD (Entra ID) client-credentials tokens and user delegation keys, for SAS without an account key.
 *
 * Callers: url_signer (user delegation SAS for file URLs and dir mode) and the
 * Azure object store (a container SAS minted from a user delegation key). */
#ifndef OS_STORAGE_AZURE_AAD_H
#define OS_STORAGE_AZURE_AAD_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "storage/azure_sas.h"

#define AZURE_AAD_AUTHORITY "https://login.microsoftonline.com"

/* A service principal's client credentials. */
typedef struct azure_aad_client {
    const char *authority;      /* NULL: AZURE_AAD_AUTHORITY */
    const char *tenant_id;
    const char *client_id;
    const char *client_secret;
} azure_aad_client;

/* A user delegation key with owned strings (free with azure_udk_owned_free). */
typedef struct azure_udk_owned {
    azure_udk key;              /* points into the strings below */
    char *oid, *tid, *service, *version, *value;
} azure_udk_owned;

/* Client-credentials grant for scope "https://storage.azure.com/.default".
 * Appends the access token and sets *expires_at_s.  Returns 0 or -1 (OS_EPERM
 * when refused, OS_EIO, OS_EINVAL, OS_ENOMEM); secrets never in messages. */
int azure_aad_token(const azure_aad_client *c, int64_t now_s, os_buf *token,
                    int64_t *expires_at_s, os_err *err);

/* Get User Delegation Key from the blob endpoint ("https://acct.blob.core.windows.net")
 * with a bearer token, valid from start_s to expiry_s (at most 7 days).
 * Returns 0 or -1 (OS_EPERM, OS_EIO, OS_ENOMEM). */
int azure_udk_fetch(const char *endpoint, const char *bearer, int64_t start_s, int64_t expiry_s,
                    azure_udk_owned *out, os_err *err);

/* Frees and wipes the key (NULL-safe). */
void azure_udk_owned_free(azure_udk_owned *k);

#endif
