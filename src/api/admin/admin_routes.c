/* admin_routes.c - the admin route table, the public routes (activation, protocol OpenAPI) and the OpenAPI handlers. */
#include "api/admin/admin_api.h"
#include "api/http_errors.h"
#include "api/openapi.h"

static int h_admin_openapi(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    (void)actor;
    /* The document is not secret, but the admin API's network rule applies. */
    if (api->loopback_only && !admin_client_is_loopback(http_request_client_ip(req)))
        return api_send_error_raw(res, 403, "PERMISSION_DENIED",
                                  "the admin API answers loopback clients only");
    size_t n;
    const http_route *routes = admin_api_routes(&n);
    http_mount m = {api->admin_prefix, routes, n, api};
    return api_send_json(res, 200,
                         openapi_document("OpenSharing provider admin API",
                                          "Provider administration (snake_case JSON); generated "
                                          "from the server's route table.",
                                          &m, 1));
}

static int h_protocol_openapi(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    (void)req;
    return api_send_json(res, 200,
                         openapi_document("OpenSharing recipient protocol",
                                          "The recipient-facing protocol as this server serves "
                                          "it; generated from the server's route tables.",
                                          api->protocol_mounts, api->nprotocol_mounts));
}

static const http_route ROUTES[] = {
    {"GET", "/openapi.json", h_admin_openapi, "getAdminOpenApi", "This API as an OpenAPI 3 document"},
    {"POST", "/locations", admin_h_location_create, "createStorageLocation", "Create a storage location (secret by env/file reference)"},
    {"GET", "/locations", admin_h_location_list, "listStorageLocations", "List storage locations"},
    {"GET", "/locations/{location}", admin_h_location_get, "getStorageLocation", "Get a storage location"},
    {"DELETE", "/locations/{location}", admin_h_location_delete, "deleteStorageLocation", "Delete an unused storage location"},
    {"POST", "/shares", admin_h_share_create, "createShare", "Create a share"},
    {"GET", "/shares", admin_h_share_list, "listShares", "List shares"},
    {"GET", "/shares/{share}", admin_h_share_get, "getShare", "Get a share with its assets"},
    {"PATCH", "/shares/{share}", admin_h_share_update, "updateShare", "Update a share's metadata and add or remove assets, in one transaction"},
    {"POST", "/shares/{share}/schemas/{schema}/tables/{table}/refresh", admin_h_table_refresh, "refreshTable", "Re-list a Parquet dataset now; records a new version when its files changed"},
    {"DELETE", "/shares/{share}", admin_h_share_delete, "deleteShare", "Delete a share, its assets and its grants"},
    {"GET", "/shares/{share}/permissions", admin_h_share_permissions_get, "getSharePermissions", "List the recipients a share is granted to"},
    {"PATCH", "/shares/{share}/permissions", admin_h_share_permissions_update, "updateSharePermissions", "Grant or revoke a share (idempotent, one transaction)"},
    {"POST", "/recipients", admin_h_recipient_create, "createRecipient", "Create a recipient; returns its activation URL once"},
    {"GET", "/recipients", admin_h_recipient_list, "listRecipients", "List recipients"},
    {"GET", "/recipients/{recipient}", admin_h_recipient_get, "getRecipient", "Get a recipient with its token history"},
    {"PATCH", "/recipients/{recipient}", admin_h_recipient_update, "updateRecipient", "Update a recipient's IP access list, properties or token lifetime"},
    {"DELETE", "/recipients/{recipient}", admin_h_recipient_delete, "deleteRecipient", "Delete a recipient with its tokens and grants"},
    {"POST", "/recipients/{recipient}/rotate-token", admin_h_recipient_rotate, "rotateRecipientToken", "Issue a new activation URL; the current token keeps working for a grace period"},
    {"GET", "/recipients/{recipient}/share-permissions", admin_h_recipient_permissions, "getRecipientSharePermissions", "List the shares granted to a recipient"},
    {"GET", "/audit", admin_h_audit_list, "listAuditEvents", "Recipient requests, filtered by recipient, share, asset and time"},
};

static const http_route PUBLIC_ROUTES[] = {
    {"GET", "/activation", admin_h_activate, "activateRecipient", "Redeem a single-use activation link (?code=...) for a profile file (config.share)"},
    {"GET", "/openapi.json", h_protocol_openapi, "getProtocolOpenApi", "The recipient protocol as an OpenAPI 3 document"},
};

const http_route *admin_api_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}

const http_route *admin_public_routes(size_t *n)
{
    *n = sizeof PUBLIC_ROUTES / sizeof PUBLIC_ROUTES[0];
    return PUBLIC_ROUTES;
}
