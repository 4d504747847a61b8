/* store_int.h - private hooks between the remote backends and the recursive lister (not for use outside src/storage). */
#ifndef OS_STORAGE_STORE_INT_H
#define OS_STORAGE_STORE_INT_H

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

/* Page and size limits for listings from remote stores (hostile responses). */
#define STO_LIST_MAX_BODY (16u << 20)
#define STO_LIST_MAX_PAGES 1000000

#endif
