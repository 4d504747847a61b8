/* azure_sas.h - Azure Blob / ADLS Gen2 service SAS tokens from an account key (blob, directory, container).
 *
 * Pure functions (times are inputs), equal byte for byte to what
 * @azure/storage-blob generateBlobSASQueryParameters and
 * @azure/storage-file-datalake generateDataLakeSASQueryParameters produce for
 * the same values.  Callers: the sharing service (file URLs, dir-mode
 * credentials) and the Azure object store when its secret is an account key. */
#ifndef OS_STORAGE_AZURE_SAS_H
#define OS_STORAGE_AZURE_SAS_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* The signed version we write unless told otherwise. */
#define AZURE_SAS_VERSION "2022-11-02"

typedef enum azure_sas_scope {
    AZURE_SAS_BLOB = 1,      /* sr=b: one blob, `path` is its name */
    AZURE_SAS_DIRECTORY,     /* sr=d + sdd: an ADLS Gen2 directory (hierarchical namespace) */
    AZURE_SAS_CONTAINER      /* sr=c: the whole container (plain Blob storage's narrowest
                                listable scope); `path` is ignored */
} azure_sas_scope;

/* A user delegation key (Get User Delegation Key answer), for SAS signed
 * with Azure AD rights instead of the account key. */
typedef struct azure_udk {
    const char *signed_oid;     /* SignedOid */
    const char *signed_tid;     /* SignedTid */
    int64_t signed_start_s;     /* SignedStart */
    int64_t signed_expiry_s;    /* SignedExpiry */
    const char *signed_service; /* SignedService ("b") */
    const char *signed_version; /* SignedVersion */
    const char *value;          /* Value: the key, Base64 */
} azure_udk;

typedef struct azure_sas_in {
    const char *account;       /* storage account name */
    const char *account_key;   /* the account key as Azure shows it (Base64) */
    const char *container;
    const char *path;          /* blob name or directory path, without leading '/' */
    azure_sas_scope scope;
    const char *permissions;   /* subset of "rl" in that order ("r", "l", "rl") */
    int64_t start_s;           /* epoch seconds; 0: no start (valid at once) */
    int64_t expiry_s;          /* epoch seconds, required */
    int allow_http;            /* 1: spr=https,http (emulators); 0: spr=https */
    const char *version;       /* NULL: AZURE_SAS_VERSION (must be >= 2020-12-06) */
    const azure_udk *udk;      /* non-NULL: a user delegation SAS signed with this key
                                  (account_key unused; version must be before 2025-07-05) */
} azure_sas_in;

/* Appends the SAS query string (no leading '?', parameters in the SDK's order:
 * sv, spr, st, se, [skoid, sktid, skt, ske, sks, skv,] sr, sp, sig, sdd) to out.  Returns 0, or -1 with OS_EINVAL
 * (bad key, permissions, scope or times; the key never appears in messages),
 * OS_ENOMEM. */
int azure_sas_make(const azure_sas_in *in, os_buf *out, os_err *err);

/* Appends the blob URL "{endpoint}/{container}/{blob}" with the container and
 * each blob path segment percent-encoded ('/' kept).  endpoint is e.g.
 * "https://acct.blob.core.windows.net" or "http://127.0.0.1:10000/devstoreaccount1"
 * (no trailing '/').  Returns 0 or -1 (OS_ENOMEM). */
int azure_blob_url(const char *endpoint, const char *container, const char *blob, os_buf *out,
                   os_err *err);

/* Appends the blob endpoint for a location authority "container@host": the
 * host with ".dfs." turned into ".blob." (ADLS Gen2 URIs name the DFS host),
 * e.g. "https://acct.blob.core.windows.net"; a bare account name gets the
 * public cloud's suffix.  Returns 0 or -1 (OS_EINVAL, OS_ENOMEM). */
int azure_blob_endpoint_of(const char *authority, os_buf *out, os_err *err);

/* Appends a read-only (sp=r) blob URL with its SAS: azure_blob_url + "?" + SAS.
 * Returns 0 or -1 as azure_sas_make. */
int azure_presign_get(const char *endpoint, const char *account, const char *account_key,
                      const char *container, const char *blob, int64_t now_s, int64_t expires_s,
                      int allow_http, os_buf *out, os_err *err);

/* The StringToSign for the inputs (exposed for tests).  Returns 0 or -1. */
int azure_sas_string_to_sign(const azure_sas_in *in, os_buf *out, os_err *err);

#endif
