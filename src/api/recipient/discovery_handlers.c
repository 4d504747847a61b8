/* discovery_handlers.c - thin HTTP handlers for discovery: authenticate, read parameters, call the sharing service, write JSON. */
#include <stdio.h>
#include <string.h>

#include "api/http_errors.h"
#include "api/recipient/recipient_api.h"

static sharing_page_req page_req(const http_request *req)
{
    sharing_page_req pg = {http_request_query(req, "maxResults"),
                           http_request_query(req, "pageToken")};
    return pg;
}

static int finish(http_request *req, http_response *res, recipient_api *api,
                  const recipient_answer *ans, int rc, json_t *doc, const os_err *err)
{
    if (rc != 0)
        return api_send_error(res, err);
    return recipient_answer_send(req, res, api, ans, doc);
}

#define P(name) http_request_param(req, name)
#define BEGIN                                                              \
    recipient_api *api = ctx;                                              \
    sharing_caller who;                                                    \
    json_t *doc = NULL;                                                    \
    os_err err;                                                            \
    os_arena *a = http_request_arena(req);                                 \
    recipient_answer ans;                                                  \
    if (recipient_authenticate(req, res, api, &who) != 0)                  \
        return 0;                                                          \
    switch (recipient_answer_cached(req, res, api, &who, &ans)) {          \
    case 1: return 0;                                                      \
    case -1: return -1;                                                    \
    }                                                                      \
    (void)a
#define FINISH(rc) finish(req, res, api, &ans, rc, doc, &err)

static int h_shares(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    sharing_page_req pg = page_req(req);
    int rc = sharing_shares_list(api->svc, &who, &pg, a, &doc, &err);
    return FINISH(rc);
}

static int h_share(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    int rc = sharing_share_get(api->svc, &who, P("share"), a, &doc, &err);
    return FINISH(rc);
}

static int h_schemas(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    sharing_page_req pg = page_req(req);
    int rc = sharing_schemas_list(api->svc, &who, P("share"), &pg, a, &doc, &err);
    return FINISH(rc);
}

static int list_assets(http_request *req, http_response *res, void *ctx, cat_asset_kind kind,
                       int in_schema)
{
    BEGIN;
    sharing_page_req pg = page_req(req);
    int rc = sharing_assets_list(api->svc, &who, kind, P("share"), in_schema ? P("schema") : NULL,
                                 &pg, a, &doc, &err);
    return FINISH(rc);
}

static int get_asset(http_request *req, http_response *res, void *ctx, cat_asset_kind kind,
                     const char *param)
{
    BEGIN;
    int rc = sharing_asset_get(api->svc, &who, kind, P("share"), P("schema"), P(param), a, &doc,
                               &err);
    return FINISH(rc);
}

static int h_tables(http_request *q, http_response *r, void *c) { return list_assets(q, r, c, CAT_ASSET_TABLE, 1); }
static int h_all_tables(http_request *q, http_response *r, void *c) { return list_assets(q, r, c, CAT_ASSET_TABLE, 0); }
static int h_table(http_request *q, http_response *r, void *c) { return get_asset(q, r, c, CAT_ASSET_TABLE, "table"); }
static int h_volumes(http_request *q, http_response *r, void *c) { return list_assets(q, r, c, CAT_ASSET_VOLUME, 1); }
static int h_all_volumes(http_request *q, http_response *r, void *c) { return list_assets(q, r, c, CAT_ASSET_VOLUME, 0); }
static int h_volume(http_request *q, http_response *r, void *c) { return get_asset(q, r, c, CAT_ASSET_VOLUME, "volume"); }
static int h_skills(http_request *q, http_response *r, void *c) { return list_assets(q, r, c, CAT_ASSET_SKILL, 1); }
static int h_all_skills(http_request *q, http_response *r, void *c) { return list_assets(q, r, c, CAT_ASSET_SKILL, 0); }
static int h_skill(http_request *q, http_response *r, void *c) { return get_asset(q, r, c, CAT_ASSET_SKILL, "skill"); }
static int h_models(http_request *q, http_response *r, void *c) { return list_assets(q, r, c, CAT_ASSET_MODEL, 1); }
static int h_all_models(http_request *q, http_response *r, void *c) { return list_assets(q, r, c, CAT_ASSET_MODEL, 0); }
static int h_model(http_request *q, http_response *r, void *c) { return get_asset(q, r, c, CAT_ASSET_MODEL, "model"); }

static int h_model_versions(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    sharing_page_req pg = page_req(req);
    int rc = sharing_model_versions_list(api->svc, &who, P("share"), P("schema"), P("model"), &pg,
                                         a, &doc, &err);
    return FINISH(rc);
}

static int h_model_version(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    int rc = sharing_model_version_get(api->svc, &who, P("share"), P("schema"), P("model"),
                                       P("version"), 0, a, &doc, &err);
    return FINISH(rc);
}

static int h_model_alias(http_request *req, http_response *res, void *ctx)
{
    BEGIN;
    int rc = sharing_model_version_get(api->svc, &who, P("share"), P("schema"), P("model"),
                                       P("alias"), 1, a, &doc, &err);
    return FINISH(rc);
}

#define SS "/shares/{share}/schemas/{schema}"

static const http_route ROUTES[] = {
    {"GET", "/shares", h_shares, "listShares", "List the shares granted to the caller"},
    {"GET", "/shares/{share}", h_share, "getShare", "Get a share"},
    {"GET", "/shares/{share}/schemas", h_schemas, "listSchemas", "List the schemas of a share"},
    {"GET", SS "/tables", h_tables, "listTables", "List the tables of a schema"},
    {"GET", "/shares/{share}/all-tables", h_all_tables, "listAllTables", "List every table of a share"},
    {"GET", SS "/tables/{table}", h_table, "getTable", "Get a table and its format"},
    {"GET", SS "/volumes", h_volumes, "listVolumes", "List the volumes of a schema"},
    {"GET", "/shares/{share}/all-volumes", h_all_volumes, "listAllVolumes", "List every volume of a share"},
    {"GET", SS "/volumes/{volume}", h_volume, "getVolume", "Get a volume"},
    {"GET", SS "/skills", h_skills, "listSkills", "List the agent skills of a schema"},
    {"GET", "/shares/{share}/all-skills", h_all_skills, "listAllSkills", "List every agent skill of a share"},
    {"GET", SS "/skills/{skill}", h_skill, "getSkill", "Get an agent skill"},
    /* The OpenSharing announcement spells the skill routes agent-skills: the same handlers. */
    {"GET", SS "/agent-skills", h_skills, "listAgentSkills", "List the agent skills of a schema (same as listSkills)"},
    {"GET", "/shares/{share}/all-agent-skills", h_all_skills, "listAllAgentSkills", "List every agent skill of a share (same as listAllSkills)"},
    {"GET", SS "/agent-skills/{skill}", h_skill, "getAgentSkill", "Get an agent skill (same as getSkill)"},
    {"GET", SS "/models", h_models, "listModels", "List the models of a schema"},
    {"GET", "/shares/{share}/all-models", h_all_models, "listAllModels", "List every model of a share"},
    {"GET", SS "/models/{model}", h_model, "getModel", "Get a model"},
    {"GET", SS "/models/{model}/versions", h_model_versions, "listModelVersions", "List the READY versions of a model"},
    {"GET", SS "/models/{model}/versions/{version}", h_model_version, "getModelVersion", "Get a model version"},
    {"GET", SS "/models/{model}/aliases/{alias}", h_model_alias, "getModelVersionByAlias", "Resolve a model alias to its version"},
};

const http_route *recipient_api_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
