/* credential_handlers.c - thin HTTP handlers for dir access mode: temporary credentials per asset. */
#include "api/http_errors.h"
#include "api/recipient/recipient_api.h"
#include "api/audit_request.h"
#include "sharing/credentials.h"

static int vend(http_request *req, http_response *res, void *ctx, cat_asset_kind kind,
                const char *param)
{
    recipient_api *api = ctx;
    sharing_caller who;
    if (recipient_authenticate(req, res, api, &who) != 0)
        return 0;
    size_t len;
    const char *body = http_request_body(req, &len);
    cred_req r = {kind, http_request_param(req, "share"), http_request_param(req, "schema"),
                  http_request_param(req, param), http_request_param(req, "version"), body, len};
    json_t *doc = NULL;
    os_err err;
    if (sharing_temp_credentials(api->svc, &who, &r, http_request_arena(req), &doc, &err) != 0)
        return api_send_error(res, &err);
    audit_request_add_credentials(req, 1);
    return api_send_json(res, 200, doc);
}

static int h_table(http_request *q, http_response *r, void *c) { return vend(q, r, c, CAT_ASSET_TABLE, "table"); }
static int h_volume(http_request *q, http_response *r, void *c) { return vend(q, r, c, CAT_ASSET_VOLUME, "volume"); }
static int h_skill(http_request *q, http_response *r, void *c) { return vend(q, r, c, CAT_ASSET_SKILL, "skill"); }
static int h_version(http_request *q, http_response *r, void *c) { return vend(q, r, c, CAT_ASSET_MODEL, "model"); }

#define SS "/shares/{share}/schemas/{schema}"

static const http_route ROUTES[] = {
    {"POST", SS "/tables/{table}/temporary-table-credentials", h_table, "generateTemporaryTableCredentials", "Read-only credentials for the table's location (dir access mode)"},
    {"POST", SS "/volumes/{volume}/temporary-volume-credentials", h_volume, "generateTemporaryVolumeCredentials", "Read-only credentials for the volume's location (dir access mode)"},
    {"POST", SS "/skills/{skill}/temporary-skill-credentials", h_skill, "generateTemporarySkillCredentials", "Read-only credentials for the skill's location (dir access mode)"},
    {"POST", SS "/agent-skills/{skill}/temporary-skill-credentials", h_skill, "generateTemporaryAgentSkillCredentials", "Read-only credentials for the skill's location (same as generateTemporarySkillCredentials)"},
    {"POST", SS "/models/{model}/versions/{version}/temporary-model-version-credentials", h_version, "generateTemporaryModelVersionCredentials", "Read-only credentials for a READY model version's location (dir access mode)"},
};

const http_route *credential_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
