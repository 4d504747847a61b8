/* store_int.h - private hooks between the remote backends, the recursive lister and the location openers (not for use outside src/storage). */
#ifndef OS_STORAGE_STORE_INT_H
#define OS_STORAGE_STORE_INT_H

#include <jansson.h>

#include "storage/objstore.h"

/* Lists every object under dir recursively, in byte order, names > start_after. */
typedef int (*sto_list_all_fn)(void *ctx, const char *dir, const char *start_after,
                               objstore_list_cb cb, void *cbctx, os_err *err);

/* Each backend: its vtable (to recognise a store) and its recursive lister. */
const objstore_vtbl *sto_s3_vtbl(void);
int sto_s3_list_all(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                    void *cbctx, os_err *err);
const objstore_vtbl *sto_azure_vtbl(void);
int sto_azure_list_all(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                       void *cbctx, os_err *err);
const objstore_vtbl *sto_gcs_vtbl(void);
int sto_gcs_list_all(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                     void *cbctx, os_err *err);
const objstore_vtbl *sto_localw_vtbl(void);
int sto_localw_list_all(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                        void *cbctx, os_err *err);
/* Wraps a local store rooted at root_dir so it can also list recursively. */
int sto_localw_open(const char *root_dir, objstore *out, os_err *err);

/* A storage location's option `name` from its options object (may be NULL)
 * as a string borrowed from opts, booleans as "true"/"false"; NULL when
 * absent or of another type. */
const char *sto_loc_opt(json_t *opts, const char *name);

/* Page and size limits for listings from remote stores (hostile responses). */
#define STO_LIST_MAX_BODY (16u << 20)
#define STO_LIST_MAX_PAGES 1000000

/* One listing call of a remote lister (store_list.c): what was asked, rooted
 * under the store's prefix, and the last name seen. */
typedef struct sto_list_scope {
    const char *dir;          /* as asked; "" for the root (borrowed) */
    const char *start_after;  /* as asked, or NULL (borrowed) */
    int delimited;            /* 1: direct children of dir only */
    size_t rootlen;           /* bytes of "root/" before every listed name */
    os_buf full;              /* root + dir: the prefix to ask the store for */
    os_buf after;             /* root + start_after */
    os_buf prev;              /* the last name listed */
} sto_list_scope;

/* Checks dir (a key allowing "" or a trailing '/', which it must have when
 * not "") and roots dir and start_after under root.  Returns 0, or -1 with
 * OS_EINVAL or OS_ENOMEM; on -1 nothing is left to free, on 0 the caller
 * ends with sto_list_end (which is also safe after a failed begin). */
int sto_list_begin(sto_list_scope *s, const char *root, const char *dir, const char *start_after,
                   int delimited, os_err *err);
void sto_list_end(sto_list_scope *s);

/* Records name[0..len) as listed.  Returns 0, or -1 with OS_EIO and msg when
 * it does not sort after the previous name, or OS_ENOMEM. */
int sto_list_order_check(sto_list_scope *s, const char *name, size_t len, const char *msg,
                         os_err *err);

/* Hands a listed name (full key, len bytes) to cb as an entry relative to
 * the root, unless it is not ours to show (outside dir, a directory marker,
 * deeper than a delimited listing, at or before start_after, not a valid
 * key).  Returns 0 (skipped or delivered), or what cb returned when nonzero:
 * > 0 to stop, < 0 an error cb set.  The entry's name is only valid during cb. */
int sto_list_emit(const sto_list_scope *s, const char *name, size_t len, int64_t size,
                  int64_t mtime_ms, objstore_list_cb cb, void *cbctx, os_err *err);

/* At the end of a listing: OS_ENOTFOUND (-1) when a named directory showed
 * nothing at all (no objects, no subdirectories) and the caller neither
 * stopped early nor resumed with start_after; else 0. */
int sto_list_finish(const sto_list_scope *s, int seen, int stopped, os_err *err);

#endif
