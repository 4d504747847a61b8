/* credentials.h - dir access mode: short-lived, read-only storage credentials scoped to one asset's prefix. */
#ifndef OS_SHARING_CREDENTIALS_H
#define OS_SHARING_CREDENTIALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "sharing/service.h"
#include "storage/url_signer.h"

typedef struct cred_req {
    cat_asset_kind kind;          /* table, volume, skill, or model (a version of it) */
    const char *share;
    const char *schema;
    const char *name;
    const char *version;          /* models: the version number text */
    const char *body;             /* tables: optional JSON {"location": ...} */
    size_t body_len;
} cred_req;

/* Vends credentials in the shape of CREDENTIALS.md (exactly one kind, and
 * expirationTime in epoch ms; R2's under both r2TempCredentials and
 * r2Credentials); tables wrap them as {"credentials": {..., "location"}}.  Local storage has no dir mode: OS_EUNSUPPORTED saying so.
 * Model versions must be READY.  Returns 0 with *out (caller decrefs) or -1. */
int sharing_temp_credentials(sharing_service *svc, const sharing_caller *who, const cred_req *r,
                             os_arena *a, json_t **out, os_err *err);

/* Credentials vended for one location, with what a client needs to reach the
 * store: for S3-compatible stores the location's endpoint (NULL: AWS),
 * region and addressing style (strings in the arena). */
typedef struct sharing_dir_grant {
    url_dir_credentials creds;
    const char *endpoint, *region;
    bool path_style;
} sharing_dir_grant;

/* Vends read-only credentials scoped to `location` (an asset's location, or
 * one of a table's auxiliary locations, already checked by the caller) for the
 * caller, valid for the service's URL lifetime (at most 12 hours).  The one
 * place dir-mode credentials are made: temporary-*-credentials and the
 * Iceberg REST catalog both come here.  Local storage: OS_EUNSUPPORTED.
 * Returns 0 (free with sharing_dir_grant_free) or -1. */
int sharing_dir_grant_vend(sharing_service *svc, const sharing_caller *who, const char *location,
                           os_arena *a, sharing_dir_grant *g, os_err *err);
void sharing_dir_grant_free(sharing_dir_grant *g);

#endif
