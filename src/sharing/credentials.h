/* credentials.h - dir access mode: short-lived, read-only storage credentials scoped to one asset's prefix. */
#ifndef OS_SHARING_CREDENTIALS_H
#define OS_SHARING_CREDENTIALS_H

#include <jansson.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "sharing/service.h"

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

#endif
