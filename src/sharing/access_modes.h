/* access_modes.h - which access modes (url, dir) actually work for an asset, from its format and its storage location. */
#ifndef OS_SHARING_ACCESS_MODES_H
#define OS_SHARING_ACCESS_MODES_H

#include "base/arena.h"
#include "catalog/model.h"
#include "catalog/store.h"

#define ACCESS_URL 1u
#define ACCESS_DIR 2u

/* The storage locations, loaded once per request. */
typedef struct access_ctx {
    cat_page locations;
    int loaded;
} access_ctx;

/* Loads the locations into ctx (first call only).  Returns 0 or -1. */
int access_ctx_load(access_ctx *ctx, cat_store *st, os_arena *a, os_err *err);

/* Modes for an asset stored at `location`:
 *   url: the server can list and sign its files (any supported storage kind;
 *        tables only in the Delta format);
 *   dir: the storage can vend prefix-scoped credentials (S3 with a role to
 *        assume, Azure, GCS); never for local disks.
 * Azure needs the account key in the location's secret for both. 
 * `format` is the table format, or NULL for other assets. */
unsigned access_modes(const access_ctx *ctx, const char *location, const char *format);
/* The storage location holding `location`, or NULL. */
const cat_location *access_location_of(const access_ctx *ctx, const char *location);

#endif
