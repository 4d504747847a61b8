/* store_factory.c - objstore_open_location: from a catalog location and an asset URI to the right backend. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "catalog/config.h"
#include "storage/azure_sas.h"
#include "storage/location.h"
#include "storage/store_int.h"
#include "storage/store_open.h"

/* Reads the location's secret (heap string; the caller wipes and frees). */
static char *secret_read(const cat_location *loc, os_err *err)
{
    const char *ref = loc->secret_ref;
    if (ref == NULL || *ref == '\0') {
        os_err_set(err, OS_EINVAL, "storage location '%s' has no secret", loc->name);
        return NULL;
    }
    cfg_secret s;
    memset(&s, 0, sizeof s);
    if (strncmp(ref, "env:", 4) == 0)
        s.env = ref + 4;
    else if (strncmp(ref, "file:", 5) == 0)
        s.file = ref + 5;
    else {
        os_err_set(err, OS_EINVAL, "storage location '%s': secret reference must be env: or file:",
                   loc->name);
        return NULL;
    }
    char *v = config_secret_read(&s, err);
    if (v == NULL)
        os_err_wrap(err, "storage location '%s'", loc->name);
    return v;
}

static void secret_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

const char *sto_loc_opt(json_t *opts, const char *name)
{
    json_t *v = opts ? json_object_get(opts, name) : NULL;
    if (json_is_true(v))
        return "true";
    if (json_is_false(v))
        return "false";
    return json_string_value(v);
}

static int open_s3(const cat_location *loc, const loc_uri *u, json_t *opts, objstore *out,
                   os_err *err)
{
    char *sec = secret_read(loc, err);
    if (sec == NULL)
        return -1;
    json_error_t je;
    json_t *sj = json_loads(sec, 0, &je);
    int ret = -1;
    const char *ak = json_string_value(json_object_get(sj, "access_key_id"));
    const char *sk = json_string_value(json_object_get(sj, "secret_access_key"));
    if (!json_is_object(sj) || ak == NULL || sk == NULL) {
        os_err_set(err, OS_EINVAL,
                   "storage location '%s': S3 secret must be JSON with access_key_id and "
                   "secret_access_key", loc->name);
        goto done;
    }
    const char *ps = sto_loc_opt(opts, "path_style");
    s3_store_config cfg = {
        .target = {sto_loc_opt(opts, "endpoint"), sto_loc_opt(opts, "region"),
                   ps && strcmp(ps, "true") == 0, u->authority},
        .creds = {ak, sk, json_string_value(json_object_get(sj, "session_token"))},
        .prefix = u->path};
    ret = objstore_s3_open(&cfg, out, err);
done:
    json_decref(sj);
    secret_free(sec);
    return ret;
}

static int open_azure(const cat_location *loc, const loc_uri *u, json_t *opts, objstore *out,
                      os_err *err, os_arena *a)
{
    /* authority: container@account.<dfs|blob>.core.windows.net */
    const char *at = strchr(u->authority, '@');
    if (at == NULL || at == u->authority || at[1] == '\0')
        return os_err_set(err, OS_EINVAL, "Azure location '%s' must be container@account.host",
                          loc->uri);
    char *container = os_arena_strndup(a, u->authority, (size_t)(at - u->authority));
    char *account = os_arena_strndup(a, at + 1, strcspn(at + 1, "."));
    const char *endpoint = sto_loc_opt(opts, "endpoint");
    if (container == NULL || account == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (sto_loc_opt(opts, "account"))
        account = (char *)sto_loc_opt(opts, "account");
    if (endpoint == NULL) {
        os_buf ep = OS_BUF_INIT;
        if (azure_blob_endpoint_of(u->authority, &ep, err) != 0) {
            os_buf_free(&ep);
            return -1;
        }
        endpoint = os_arena_strdup(a, ep.data);
        os_buf_free(&ep);
        if (endpoint == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    char *sec = secret_read(loc, err);
    if (sec == NULL)
        return -1;
    json_error_t je;
    json_t *sj = json_loads(sec, 0, &je);
    int ret = -1;
    const char *key = json_string_value(json_object_get(sj, "account_key"));
    const char *sas = json_string_value(json_object_get(sj, "sas"));
    const char *tid = json_string_value(json_object_get(sj, "tenant_id"));
    const char *cid = json_string_value(json_object_get(sj, "client_id"));
    const char *csec = json_string_value(json_object_get(sj, "client_secret"));
    if (!json_is_object(sj) || (key == NULL && sas == NULL && (!tid || !cid || !csec))) {
        os_err_set(err, OS_EINVAL,
                   "storage location '%s': Azure secret must be JSON with account_key, sas, or "
                   "tenant_id, client_id and client_secret", loc->name);
        goto done;
    }
    azure_store_config cfg = {endpoint, account, key, sas, container, u->path,
                              sto_loc_opt(opts, "aad_authority"), tid, cid, csec};
    ret = objstore_azure_open(&cfg, out, err);
done:
    json_decref(sj);
    secret_free(sec);
    return ret;
}

static int open_gcs(const cat_location *loc, const loc_uri *u, json_t *opts, objstore *out,
                    os_err *err)
{
    char *sec = secret_read(loc, err);
    if (sec == NULL)
        return -1;
    gcs_store_config cfg = {sto_loc_opt(opts, "endpoint"), sto_loc_opt(opts, "token_uri"), sec,
                            u->authority, u->path};
    int ret = objstore_gcs_open(&cfg, out, err);
    secret_free(sec);
    return ret;
}

int objstore_open_location(const cat_location *loc, const char *asset_uri, objstore *out,
                           os_err *err)
{
    os_arena a = OS_ARENA_INIT;
    loc_uri lu, au;
    json_t *opts = NULL;
    int ret = -1;
    out->v = NULL;
    out->ctx = NULL;
    if (loc == NULL || loc->uri == NULL) {
        os_err_set(err, OS_EINVAL, "storage location is missing");
        goto done;
    }
    if (loc_uri_parse(loc->uri, &a, &lu, err) != 0 ||
        loc_uri_parse(asset_uri ? asset_uri : loc->uri, &a, &au, err) != 0)
        goto done;
    if (!loc_uri_contains(&lu, &au)) {
        os_err_set(err, OS_EINVAL, "asset location '%s' is outside storage location '%s'",
                   asset_uri, loc->name ? loc->name : loc->uri);
        goto done;
    }
    if (loc->options_json && *loc->options_json) {
        json_error_t je;
        opts = json_loads(loc->options_json, 0, &je);
        if (!json_is_object(opts)) {
            os_err_set(err, OS_EINVAL, "storage location '%s': options must be a JSON object",
                       loc->name);
            goto done;
        }
    }
    switch (au.scheme) {
    case LOC_FILE:
        if (loc_file_check_contained(lu.path, au.path, err) != 0)
            goto done;
        ret = sto_localw_open(au.path, out, err);
        break;
    case LOC_S3:
        ret = open_s3(loc, &au, opts, out, err);
        break;
    case LOC_AZURE:
        ret = open_azure(loc, &au, opts, out, err, &a);
        break;
    case LOC_GCS:
        ret = open_gcs(loc, &au, opts, out, err);
        break;
    default:
        os_err_set(err, OS_EUNSUPPORTED, "unsupported storage scheme");
    }
done:
    json_decref(opts);
    os_arena_free(&a);
    return ret;
}
