/* location.h - storage URIs: parsing, normalising, and proving that an asset lies inside its storage location. */
#ifndef OS_STORAGE_LOCATION_H
#define OS_STORAGE_LOCATION_H

#include <limits.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

typedef enum loc_scheme {
    LOC_FILE = 1,   /* file:///abs/path */
    LOC_S3,         /* s3://bucket/key, s3a://bucket/key */
    LOC_AZURE,      /* abfss://container@account.dfs.core.windows.net/path, wasbs://... */
    LOC_GCS         /* gs://bucket/path */
} loc_scheme;

typedef struct loc_uri {
    loc_scheme scheme;
    const char *scheme_text;  /* as written: "file", "s3", "s3a", "abfss", "wasbs", "gs" */
    const char *authority;    /* bucket / container@account; "" for file */
    const char *path;         /* file: absolute path; others: key prefix without leading '/' */
} loc_uri;

/* Parses uri into out (strings in the arena).  Refuses unknown schemes, empty
 * buckets, relative file paths, "." or ".." segments, empty segments ("//")
 * inside the path, backslashes and control characters.  Trailing slashes are
 * dropped.  Returns 0 or -1 (OS_EINVAL naming the problem). */
int loc_uri_parse(const char *uri, os_arena *a, loc_uri *out, os_err *err);

/* Returns 1 when `inner` is `outer` itself or lies under it (same scheme family
 * and authority, path prefix ending at a segment boundary), else 0.  Both must
 * be parsed URIs. */
int loc_uri_contains(const loc_uri *outer, const loc_uri *inner);

/* For file URIs: resolves both to real paths (following symlinks) and checks
 * that the real asset path lies under the real root, so a symlink cannot lead
 * outside.  The asset path must exist.  Returns 0, or -1 with OS_EPERM when it
 * escapes, OS_ENOTFOUND when missing. */
int loc_file_check_contained(const char *root_path, const char *asset_path, os_err *err);
/* realpath(path, real), remembered for a second (resolving costs a readlink
 * per component and every request resolves its asset's root).  Returns 0, or
 * -1 with errno set by realpath (failures are not remembered). */
int loc_file_realpath(const char *path, char real[PATH_MAX]);

#endif
