/* asset_files.h - url access mode for volumes, skills and model versions: paged file listings with pre-signed URLs. */
#ifndef OS_SHARING_ASSET_FILES_H
#define OS_SHARING_ASSET_FILES_H

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "sharing/service.h"

/* Which asset's files to list. */
typedef struct asset_files_req {
    cat_asset_kind kind;          /* CAT_ASSET_VOLUME, CAT_ASSET_SKILL or CAT_ASSET_MODEL */
    const char *share;
    const char *schema;
    const char *name;
    const char *version;          /* model versions only: the version number text */
    const char *prefix;           /* only files whose path starts with it (may be NULL) */
    sharing_page_req page;
} asset_files_req;

/* Lists files under the asset's location in byte order of path:
 * {"items": [{path, size, modificationTime, url, expirationTimestamp}],
 *  "nextPageToken"}.  Model versions must be READY.  Nothing outside the
 * location is listed or signed.  Returns 0 with *out (caller decrefs) or -1. */
int sharing_asset_files(sharing_service *svc, const sharing_caller *who, const asset_files_req *r,
                        os_arena *a, json_t **out, os_err *err);

#endif
