/* objstore.h - an object-store-neutral read interface (list, stat, read whole, read range) with pluggable backends. */
#ifndef OS_STORAGE_OBJSTORE_H
#define OS_STORAGE_OBJSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Keys are '/'-separated names relative to the store's root, never starting
 * with '/' and never containing "." or ".." segments (backends refuse them).
 * Formats (Delta, Iceberg, Parquet) read tables only through this interface, so
 * s3/azure/gcs backends plug in without the formats knowing. */

/* One listed object.  name is the full key; valid only during the callback. */
typedef struct objstore_entry {
    const char *name;
    int64_t size;       /* bytes */
    int64_t mtime_ms;   /* last modification, ms since the epoch */
} objstore_entry;

/* List callback: return 0 to continue, 1 to stop early (not an error), or -1
 * after filling err to abort the listing with that error. */
typedef int (*objstore_list_cb)(void *cbctx, const objstore_entry *e, os_err *err);

typedef struct objstore_vtbl {
    /* Lists the objects directly under `dir` (a key prefix ending in '/', or ""
     * for the root; not recursive: sub-"directories" are skipped) in ascending
     * byte order of name, calling cb for each name > start_after (NULL: all).
     * Returns 0 (also when cb stopped early), or -1: OS_ENOTFOUND when dir does
     * not exist, OS_EIO on failure, or the callback's error. */
    int (*list)(void *ctx, const char *dir, const char *start_after,
                objstore_list_cb cb, void *cbctx, os_err *err);
    /* Fills *out (name points at key) for one object.  Returns 0, or -1 with
     * OS_ENOTFOUND when absent (or not a regular object), OS_EIO otherwise. */
    int (*stat)(void *ctx, const char *key, objstore_entry *out, os_err *err);
    /* Reads a whole object into out (appended).  An object larger than max
     * bytes is refused with OS_ELIMIT before reading.  Returns 0 or -1
     * (OS_ENOTFOUND, OS_ELIMIT, OS_EIO, OS_ENOMEM). */
    int (*read_all)(void *ctx, const char *key, size_t max, os_buf *out, os_err *err);
    /* Reads up to len bytes at offset into dst; *got is set to the count read
     * (short only at end of object).  Returns 0 or -1 (OS_ENOTFOUND, OS_EIO). */
    int (*read_range)(void *ctx, const char *key, uint64_t offset, size_t len,
                      void *dst, size_t *got, os_err *err);
    /* Releases ctx. */
    void (*close)(void *ctx);
} objstore_vtbl;

/* A store: a vtable plus its backend's context.  Copyable by value; owned by
 * whoever opened it and released once with objstore_close. */
typedef struct objstore {
    const objstore_vtbl *v;
    void *ctx;
} objstore;

/* Opens a store over the local directory root_dir (absolute or relative).
 * Keys are resolved under it; keys with "..", "." or empty segments, a
 * leading '/', or control characters are refused with OS_EINVAL.  Returns 0 or
 * -1 (OS_ENOTFOUND when root_dir is not a directory, OS_ENOMEM). */
int objstore_local_open(const char *root_dir, objstore *out, os_err *err);

/* Convenience wrappers over the vtable; same contracts as above. */
int objstore_list(const objstore *s, const char *dir, const char *start_after,
                  objstore_list_cb cb, void *cbctx, os_err *err);
int objstore_stat(const objstore *s, const char *key, objstore_entry *out, os_err *err);
int objstore_read_all(const objstore *s, const char *key, size_t max, os_buf *out, os_err *err);
int objstore_read_range(const objstore *s, const char *key, uint64_t offset, size_t len,
                        void *dst, size_t *got, os_err *err);
/* Releases the store (NULL-safe, idempotent on a zeroed store). */
void objstore_close(objstore *s);

#endif
