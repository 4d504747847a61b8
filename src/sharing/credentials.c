/* credentials.c - resolves the asset and location, asks the location's signer for prefix-scoped credentials, shapes them. */
#include "sharing/credentials.h"

#include <stdio.h>
#include <string.h>

#include "base/strutil.h"
#include "base/timeutil.h"
#include "sharing/file_access.h"

/* Two location URIs name the same place when they differ only by trailing '/'. */
static int same_location(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    while (na > 0 && a[na - 1] == '/')
        na--;
    while (nb > 0 && b[nb - 1] == '/')
        nb--;
    return na == nb && strncmp(a, b, na) == 0;
}

/* Tables: the requested location must be the table's or an auxiliary one. */
static int table_location(const cat_asset *t, const char *body, size_t len, os_arena *a,
                          const char **out, os_err *err)
{
    *out = t->location;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len)
        return 0;
    json_error_t je;
    json_t *doc = json_loadb(body, len, 0, &je);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return os_err_set(err, OS_EINVAL, "the request body must be a JSON object such as "
                          "{\"location\": \"s3://bucket/table\"}");
    }
    json_t *loc = json_object_get(doc, "location");
    int rc = 0;
    if (loc != NULL && !json_is_null(loc)) {
        const char *want = json_string_value(loc);
        if (want == NULL) {
            rc = os_err_set(err, OS_EINVAL, "location must be a string");
        } else if (same_location(want, t->location)) {
            *out = t->location;
        } else {
            json_t *aux = t->aux_locations_json ? json_loads(t->aux_locations_json, 0, NULL) : NULL;
            size_t k;
            json_t *v;
            *out = NULL;
            json_array_foreach(aux, k, v)
                if (json_is_string(v) && same_location(want, json_string_value(v)))
                    *out = os_arena_strdup(a, json_string_value(v));
            json_decref(aux);
            if (*out == NULL)
                rc = os_err_set(err, OS_EINVAL,
                                "location '%.200s' is neither the table's location nor one of its "
                                "auxiliaryLocations", want);
        }
    }
    json_decref(doc);
    return rc;
}

/* {"accessKeyId", "secretAccessKey", "sessionToken"}: AWS and R2 credentials alike. */
static json_t *key_triple(const url_dir_credentials *c)
{
    return json_pack("{s:s,s:s,s:s}", "accessKeyId", c->access_key_id, "secretAccessKey",
                     c->secret_access_key, "sessionToken",
                     c->session_token ? c->session_token : "");
}

static json_t *shape(const url_dir_credentials *c)
{
    json_t *o = json_object();
    switch (c->kind) {
    case URL_DIR_S3:
        json_object_set_new(o, "awsTempCredentials", key_triple(c));
        break;
    case URL_DIR_R2:
        /* Unity Catalog names them r2TempCredentials, OpenSharing's CREDENTIALS.md
         * r2Credentials: the same triple under both names, so either client finds it. */
        json_object_set_new(o, "r2TempCredentials", key_triple(c));
        json_object_set_new(o, "r2Credentials", key_triple(c));
        break;
    case URL_DIR_AZURE_SAS:
        json_object_set_new(o, "azureUserDelegationSas", json_pack("{s:s}", "sasToken", c->sas));
        break;
    case URL_DIR_GCS_TOKEN:
        json_object_set_new(o, "gcpOauthToken", json_pack("{s:s}", "oauthToken", c->oauth_token));
        break;
    }
    json_object_set_new(o, "expirationTime", json_integer(c->expires_at_ms));
    return o;
}

int sharing_temp_credentials(sharing_service *svc, const sharing_caller *who, const cred_req *r,
                             os_arena *a, json_t **out, os_err *err)
{
    cat_asset *x;
    if (sharing_resolve_asset(svc, who, r->kind, r->share, r->schema, r->name, a, &x, err) != 0)
        return -1;
    const char *location = x->location;
    if (r->kind == CAT_ASSET_MODEL) {
        int64_t v;
        cat_model_version *mv;
        if (os_parse_i64(r->version, &v) != 0 || v < 1)
            return os_err_set(err, OS_EINVAL, "model version must be a positive integer, got '%.40s'",
                              r->version);
        if (store_model_version_get(svc->store, x->id, v, a, &mv, err) != 0)
            return -1;
        if (strcmp(mv->status, "READY") != 0)
            return os_err_set(err, OS_EINVAL,
                              "model version %lld is %s: credentials are only given for READY versions",
                              (long long)v, mv->status);
        location = mv->location;
    } else if (r->kind == CAT_ASSET_TABLE) {
        if (table_location(x, r->body, r->body_len, a, &location, err) != 0)
            return -1;
    }
    if (location == NULL)
        return os_err_set(err, OS_ENOTFOUND, "this asset has no storage location");
    sharing_dir_grant g;
    if (sharing_dir_grant_vend(svc, who, location, a, &g, err) != 0)
        return -1;
    json_t *creds = shape(&g.creds);
    sharing_dir_grant_free(&g);
    if (r->kind == CAT_ASSET_TABLE) {
        json_object_set_new(creds, "location", json_string(location));
        *out = json_pack("{s:o}", "credentials", creds);
    } else {
        *out = creds;
    }
    return *out ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
}

/* The S3 client settings of a location: its options endpoint, region and
 * path_style (a string or a boolean). */
static void s3_settings(const cat_location *loc, os_arena *a, sharing_dir_grant *g)
{
    json_t *o = loc->options_json ? json_loads(loc->options_json, 0, NULL) : NULL;
    const char *endpoint = json_string_value(json_object_get(o, "endpoint"));
    const char *region = json_string_value(json_object_get(o, "region"));
    json_t *ps = json_object_get(o, "path_style");
    g->endpoint = endpoint ? os_arena_strdup(a, endpoint) : NULL;
    g->region = region ? os_arena_strdup(a, region) : NULL;
    g->path_style = json_is_true(ps) || (json_is_string(ps) && !strcmp(json_string_value(ps), "true"));
    json_decref(o);
}

int sharing_dir_grant_vend(sharing_service *svc, const sharing_caller *who, const char *location,
                           os_arena *a, sharing_dir_grant *g, os_err *err)
{
    memset(g, 0, sizeof *g);
    if (strncmp(location, "file:", 5) == 0)
        return os_err_set(err, OS_EUNSUPPORTED,
                          "the dir access mode is not available for assets on the provider's local "
                          "storage; read them through the url access mode instead");
    file_access fa;
    if (file_access_open(svc, location, NULL, a, &fa, err) != 0)
        return -1;
    char session[64];
    snprintf(session, sizeof session, "opensharing-recipient-%lld", (long long)who->recipient_id);
    int64_t duration = svc->url_ttl_ms / 1000;
    int rc = url_signer_dir_credentials(fa.signer, os_now_ms() / 1000,
                                        (int)(duration > 43200 ? 43200 : duration), session, &g->creds,
                                        err);
    if (rc == 0)
        s3_settings(fa.loc, a, g);
    file_access_close(&fa);
    return rc;
}

void sharing_dir_grant_free(sharing_dir_grant *g)
{
    if (g)
        url_dir_credentials_free(&g->creds);
}
