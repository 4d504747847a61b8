/* asset_files_handlers.c - thin HTTP handlers for url access mode on volumes, skills and model versions. */
#include "api/http_errors.h"
#include "api/recipient/recipient_api.h"
#include "sharing/asset_files.h"
#include "api/audit_request.h"

static int list_files(http_request *req, http_response *res, void *ctx, cat_asset_kind kind,
                      const char *param)
{
    recipient_api *api = ctx;
    sharing_caller who;
    if (recipient_authenticate(req, res, api, &who) != 0)
        return 0;
    asset_files_req r = {kind,
                         http_request_param(req, "share"),
                         http_request_param(req, "schema"),
                         http_request_param(req, param),
                         http_request_param(req, "version"),
                         http_request_query(req, "prefix"),
                         {http_request_query(req, "maxResults"), http_request_query(req, "pageToken")}};
    json_t *doc = NULL;
    os_err err;
    if (sharing_asset_files(api->svc, &who, &r, http_request_arena(req), &doc, &err) != 0)
        return api_send_error(res, &err);
    audit_request_add_files(req, (int64_t)json_array_size(json_object_get(doc, "items")));
    return api_send_json(res, 200, doc);
}

static int h_volume_files(http_request *q, http_response *r, void *c) { return list_files(q, r, c, CAT_ASSET_VOLUME, "volume"); }
static int h_skill_files(http_request *q, http_response *r, void *c) { return list_files(q, r, c, CAT_ASSET_SKILL, "skill"); }
static int h_version_files(http_request *q, http_response *r, void *c) { return list_files(q, r, c, CAT_ASSET_MODEL, "model"); }

#define SS "/shares/{share}/schemas/{schema}"

static const http_route ROUTES[] = {
    {"GET", SS "/volumes/{volume}/files", h_volume_files, "listVolumeFiles", "The volume's files with pre-signed URLs (url access mode)"},
    {"GET", SS "/skills/{skill}/files", h_skill_files, "listSkillFiles", "The skill's files with pre-signed URLs (url access mode)"},
    {"GET", SS "/agent-skills/{skill}/files", h_skill_files, "listAgentSkillFiles", "The skill's files with pre-signed URLs (same as listSkillFiles)"},
    {"GET", SS "/models/{model}/versions/{version}/files", h_version_files, "listModelVersionFiles", "A READY model version's files with pre-signed URLs (url access mode)"},
};

const http_route *asset_files_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
