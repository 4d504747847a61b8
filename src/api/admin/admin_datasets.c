/* admin_datasets.c - the admin refresh of a Parquet dataset: re-list it now and record a version when its files changed. */
#include <string.h>

#include "api/admin/admin_api.h"
#include "api/http_errors.h"
#include "sharing/dataset_refresh.h"

int admin_h_table_refresh(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_share *share;
    cat_schema *schema;
    cat_asset *x;
    ds_refresh_result r;
    if (store_share_get(api->store, 0, http_request_param(req, "share"), a, &share, &err) != 0 ||
        store_schema_get(api->store, share, http_request_param(req, "schema"), a, &schema, &err) != 0 ||
        store_asset_get(api->store, CAT_ASSET_TABLE, share, schema, http_request_param(req, "table"), a,
                        &x, &err) != 0 ||
        ds_refresh_asset(api->store, x, true, 0, &r, &err) != 0)
        return api_send_error(res, &err);
    return api_send_json(res, 200,
                         json_pack("{s:s,s:I,s:b,s:I,s:I,s:I,s:I}", "table", x->name, "version",
                                   (json_int_t)r.version, "changed", r.changed, "files",
                                   (json_int_t)r.files, "added", (json_int_t)r.added, "removed",
                                   (json_int_t)r.removed, "footers_read", (json_int_t)r.footers_read));
}
