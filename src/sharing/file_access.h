/* file_access.h - reaching an asset's bytes: an object store rooted at its location, and pre-signed URLs for its files. */
#ifndef OS_SHARING_FILE_ACCESS_H
#define OS_SHARING_FILE_ACCESS_H

#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "sharing/service.h"
#include "storage/location.h"
#include "storage/objstore.h"
#include "storage/url_signer.h"

typedef struct file_access {
    const sharing_service *svc;
    const char *uri;            /* the asset's location as configured */
    loc_uri root;               /* ... parsed */
    cat_location *loc;          /* the storage location that holds it */
    url_signer *signer;         /* owned */
} file_access;

/* Finds the storage location that holds the asset at `uri` and opens a URL
 * signer for it (the location's secret is read once here).  On failure
 * nothing needs closing.  Returns 0, or -1: OS_ENOTFOUND when no storage
 * location holds the asset or a local location is gone, OS_EUNSUPPORTED when
 * its storage cannot sign URLs, OS_EINVAL.  Errors about local storage never
 * name a server path (the detail is logged for the provider).  `who` (may be NULL) says to whom
 * the URLs go: local-storage URLs seal it in, so their downloads are audited
 * under the recipient, share and asset that received them. */
int file_access_open(const sharing_service *svc, const char *uri, const local_url_claims *who,
                     os_arena *a, file_access *fa, os_err *err);
/* Releases the signer (and wipes its secrets).  Safe on a zeroed struct. */
void file_access_close(file_access *fa);
/* Opens an object store rooted at the asset's location (caller closes it);
 * it supports objstore_list_recursive. */
int file_access_store(const file_access *fa, objstore *out, os_err *err);
/* Appends a pre-signed GET URL for a file named as in a Delta log (a relative,
 * %-encoded path, or an absolute URI inside the asset's location), valid for
 * the service's URL lifetime from now_ms; sets *expires_ms.  Paths that leave
 * the location are refused (OS_EPERM).  Returns 0 or -1. */
int file_access_sign(const file_access *fa, const char *log_path, int64_t now_ms, os_buf *url,
                     int64_t *expires_ms, os_err *err);
/* The key file_access_sign signs for log_path: decoded and relative to the
 * location root (heap string the caller frees), or NULL with err (OS_ENOMEM,
 * OS_ECORRUPT for a bad %-escape, OS_EPERM outside the location). */
char *file_access_rel(const file_access *fa, const char *log_path, os_err *err);
/* Signs a path already decoded and relative to the location root. */
int file_access_sign_rel(const file_access *fa, const char *rel, int64_t now_ms, os_buf *url,
                         int64_t *expires_ms, os_err *err);

#endif
