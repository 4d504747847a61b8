/* store_walk.c - recursive listing over any store opened by this module (remote: undelimited listing; local: a tree walk). */
#include "storage/store_int.h"
#include "storage/store_open.h"

int objstore_list_recursive(const objstore *s, const char *dir, const char *start_after,
                            objstore_list_cb cb, void *cbctx, os_err *err)
{
    if (s == NULL || s->v == NULL)
        return os_err_set(err, OS_EINVAL, "store is not open");
    if (s->v == sto_s3_vtbl())
        return sto_s3_list_all(s->ctx, dir, start_after, cb, cbctx, err);
    if (s->v == sto_azure_vtbl())
        return sto_azure_list_all(s->ctx, dir, start_after, cb, cbctx, err);
    if (s->v == sto_gcs_vtbl())
        return sto_gcs_list_all(s->ctx, dir, start_after, cb, cbctx, err);
    if (s->v == sto_localw_vtbl())
        return sto_localw_list_all(s->ctx, dir, start_after, cb, cbctx, err);
    return os_err_set(err, OS_EUNSUPPORTED,
                      "recursive listing needs a store opened by objstore_open_location");
}
