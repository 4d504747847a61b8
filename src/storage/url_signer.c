/* url_signer.c - dispatches file URL signing to the right scheme (S3 SigV4, Azure SAS, GCS V4, local HMAC) for one location. */
#include "storage/url_signer.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "base/timeutil.h"
#include "catalog/config.h"
#include "storage/azure_aad.h"
#include "storage/azure_sas.h"
#include "storage/gcs_sign.h"
#include "storage/gcs_token.h"
#include "storage/location.h"
#include "storage/r2_temp.h"
#include "storage/s3_sign.h"
#include "storage/s3_sts.h"
#include "storage/store_int.h"
#include "storage/store_key.h"

struct url_signer {
    loc_scheme scheme;
    char *prefix;                 /* key prefix of the asset ("" or "a/b"); local: real root */
    /* s3 */
    s3_target t;
    s3_creds c;
    char *endpoint, *region, *bucket, *key_id, *secret, *token;
    char *role_arn, *sts_endpoint, *sts_region;
    int max_duration_s;
    /* Cloudflare R2 (an S3 location recognised by r2_location_is_r2) */
    int r2;
    char *r2_account, *r2_parent, *r2_api_base, *r2_token;
    /* azure */
    char *az_endpoint, *account, *account_key, *container;
    int hns;
    azure_udk_owned udk;          /* with Azure AD credentials instead of an account key */
    int has_udk;
    /* gcs */
    gcs_signer *gcs;
    char *gcs_endpoint, *token_uri, *sts_uri;
    /* local */
    uint8_t local_key[LOCAL_URL_KEYLEN];
    char *files_base;
    local_url_claims who;         /* sealed into local URLs; strings owned */
};

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

void url_signer_free(url_signer *s)
{
    if (s == NULL)
        return;
    free(s->prefix);
    free(s->endpoint);
    free(s->region);
    free(s->bucket);
    free(s->key_id);
    free(s->role_arn);
    free(s->sts_endpoint);
    free(s->sts_region);
    free(s->r2_account);
    free(s->r2_parent);
    free(s->r2_api_base);
    wipe_free(s->r2_token);
    free(s->token_uri);
    free(s->sts_uri);
    wipe_free(s->secret);
    wipe_free(s->token);
    free(s->az_endpoint);
    free(s->account);
    wipe_free(s->account_key);
    azure_udk_owned_free(&s->udk);
    free(s->container);
    gcs_signer_free(s->gcs);
    free(s->gcs_endpoint);
    free(s->files_base);
    free((char *)s->who.recipient);
    free((char *)s->who.share);
    free((char *)s->who.schema);
    free((char *)s->who.asset);
    memset(s->local_key, 0, sizeof s->local_key);
    free(s);
}

static char *secret_read(const cat_location *loc, os_err *err)
{
    cfg_secret sec;
    memset(&sec, 0, sizeof sec);
    const char *ref = loc->secret_ref ? loc->secret_ref : "";
    if (strncmp(ref, "env:", 4) == 0)
        sec.env = ref + 4;
    else if (strncmp(ref, "file:", 5) == 0)
        sec.file = ref + 5;
    else {
        os_err_set(err, OS_EINVAL, "storage location '%s' has no usable secret reference",
                   loc->name ? loc->name : "");
        return NULL;
    }
    return config_secret_read(&sec, err);
}

static char *dup_opt(const char *v, int *oom)
{
    if (v == NULL)
        return NULL;
    char *d = strdup(v);
    *oom |= d == NULL;
    return d;
}

static int open_cloud(url_signer *s, const cat_location *loc, const loc_uri *u, json_t *opts,
                      os_arena *a, os_err *err)
{
    char *sec = secret_read(loc, err);
    if (sec == NULL)
        return -1;
    int oom = 0, ret = -1;
    json_error_t je;
    json_t *sj = NULL;
    if (u->scheme == LOC_GCS) {
        s->gcs = gcs_signer_new(sec, err);
        s->gcs_endpoint = dup_opt(sto_loc_opt(opts, "endpoint"), &oom);
        s->token_uri = dup_opt(sto_loc_opt(opts, "token_uri"), &oom);
        s->sts_uri = dup_opt(sto_loc_opt(opts, "sts_uri"), &oom);
        s->bucket = dup_opt(u->authority, &oom);
        ret = s->gcs ? 0 : -1;
        goto done;
    }
    sj = json_loads(sec, 0, &je);
    if (!json_is_object(sj)) {
        os_err_set(err, OS_EINVAL, "storage location '%s': secret must be a JSON object",
                   loc->name);
        goto done;
    }
    if (u->scheme == LOC_S3) {
        const char *ak = json_string_value(json_object_get(sj, "access_key_id"));
        const char *sk = json_string_value(json_object_get(sj, "secret_access_key"));
        if (ak == NULL || sk == NULL) {
            os_err_set(err, OS_EINVAL, "storage location '%s': S3 secret is incomplete", loc->name);
            goto done;
        }
        s->key_id = dup_opt(ak, &oom);
        s->secret = dup_opt(sk, &oom);
        s->token = dup_opt(json_string_value(json_object_get(sj, "session_token")), &oom);
        s->endpoint = dup_opt(sto_loc_opt(opts, "endpoint"), &oom);
        s->region = dup_opt(sto_loc_opt(opts, "region"), &oom);
        s->bucket = dup_opt(u->authority, &oom);
        s->role_arn = dup_opt(sto_loc_opt(opts, "role_arn"), &oom);
        s->sts_endpoint = dup_opt(sto_loc_opt(opts, "sts_endpoint"), &oom);
        s->sts_region = dup_opt(sto_loc_opt(opts, "sts_region"), &oom);
        const char *md = sto_loc_opt(opts, "max_duration_s");
        s->max_duration_s = md ? atoi(md) : 3600;
        if (s->max_duration_s < 900 || s->max_duration_s > 43200)
            s->max_duration_s = 3600;
        if ((s->r2 = r2_location_is_r2(loc->options_json))) {
            char acct[65];
            const char *ao = sto_loc_opt(opts, "r2_account_id");
            if (ao == NULL && r2_account_of_endpoint(s->endpoint, acct, sizeof acct) == 0)
                ao = acct;
            const char *po = sto_loc_opt(opts, "r2_parent_access_key_id");
            s->r2_account = dup_opt(ao, &oom);
            s->r2_parent = dup_opt(po ? po : ak, &oom);
            s->r2_api_base = dup_opt(sto_loc_opt(opts, "r2_api_base"), &oom);
            s->r2_token = dup_opt(json_string_value(json_object_get(sj, "r2_api_token")), &oom);
        }
        const char *ps = sto_loc_opt(opts, "path_style");
        s->t = (s3_target){s->endpoint, s->region, ps && strcmp(ps, "true") == 0, s->bucket};
        s->c = (s3_creds){s->key_id, s->secret, s->token};
        ret = oom ? os_err_set(err, OS_ENOMEM, "out of memory")
                  : s3_target_resolve(&s->t, NULL, NULL, NULL, NULL, err);
    } else {
        const char *key = json_string_value(json_object_get(sj, "account_key"));
        const char *at = strchr(u->authority, '@');
        azure_aad_client aad = {sto_loc_opt(opts, "aad_authority"),
                                json_string_value(json_object_get(sj, "tenant_id")),
                                json_string_value(json_object_get(sj, "client_id")),
                                json_string_value(json_object_get(sj, "client_secret"))};
        if (key == NULL && (aad.tenant_id == NULL || aad.client_id == NULL ||
                            aad.client_secret == NULL)) {
            os_err_set(err, OS_EUNSUPPORTED,
                       "storage location '%s': signing Azure URLs needs an account key or Azure AD "
                       "client credentials", loc->name);
            goto done;
        }
        if (at == NULL || at == u->authority || at[1] == '\0') {
            os_err_set(err, OS_EINVAL, "Azure location must be container@account.host");
            goto done;
        }
        s->container = strndup(u->authority, (size_t)(at - u->authority));
        oom |= s->container == NULL;
        s->account = sto_loc_opt(opts, "account") ? dup_opt(sto_loc_opt(opts, "account"), &oom)
                                                  : strndup(at + 1, strcspn(at + 1, "."));
        oom |= s->account == NULL;
        s->account_key = dup_opt(key, &oom);
        const char *ep = sto_loc_opt(opts, "endpoint");
        if (ep) {
            s->az_endpoint = dup_opt(ep, &oom);
        } else {
            os_buf eb = OS_BUF_INIT;
            if (azure_blob_endpoint_of(u->authority, &eb, err) != 0) {
                os_buf_free(&eb);
                goto done;
            }
            s->az_endpoint = os_buf_detach(&eb);
            oom |= s->az_endpoint == NULL;
        }
        const char *hns = sto_loc_opt(opts, "hierarchical_namespace");
        s->hns = hns && strcmp(hns, "true") == 0;
        ret = oom ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
        if (ret == 0 && key == NULL) {
            /* Azure AD: a user delegation key for the next seven days signs every SAS. */
            os_buf tok = OS_BUF_INIT;
            int64_t now = os_now_ms() / 1000, texp;
            ret = azure_aad_token(&aad, now, &tok, &texp, err);
            if (ret == 0)
                ret = azure_udk_fetch(s->az_endpoint, tok.data, now - 300, now + 7 * 86400 - 600,
                                      &s->udk, err);
            if (tok.data)
                memset(tok.data, 0, tok.len);
            os_buf_free(&tok);
            s->has_udk = ret == 0;
        }
    }
done:
    if (oom && ret == 0)
        ret = os_err_set(err, OS_ENOMEM, "out of memory");
    json_decref(sj);
    wipe_free(sec);
    return ret;
}

url_signer *url_signer_open(const cat_location *loc, const char *asset_uri,
                            const url_signer_local *local, os_err *err)
{
    os_arena a = OS_ARENA_INIT;
    json_t *opts = NULL;
    url_signer *s = calloc(1, sizeof *s);
    loc_uri lu, au;
    if (s == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto fail;
    }
    if (loc == NULL || loc->uri == NULL || loc_uri_parse(loc->uri, &a, &lu, err) != 0 ||
        loc_uri_parse(asset_uri ? asset_uri : loc->uri, &a, &au, err) != 0) {
        if (loc == NULL || loc->uri == NULL)
            os_err_set(err, OS_EINVAL, "storage location is missing");
        goto fail;
    }
    if (!loc_uri_contains(&lu, &au)) {
        os_err_set(err, OS_EINVAL, "asset location is outside its storage location");
        goto fail;
    }
    if (loc->options_json && *loc->options_json) {
        json_error_t je;
        opts = json_loads(loc->options_json, 0, &je);
        if (!json_is_object(opts)) {
            os_err_set(err, OS_EINVAL, "storage location options must be a JSON object");
            goto fail;
        }
    }
    s->scheme = au.scheme;
    if (au.scheme == LOC_FILE) {
        char real[PATH_MAX];
        if (local == NULL || local->key == NULL || local->files_base == NULL) {
            os_err_set(err, OS_EINVAL, "local storage needs the server's URL key and base");
            goto fail;
        }
        if (loc_file_check_contained(lu.path, au.path, err) != 0)
            goto fail;
        if (loc_file_realpath(au.path, real) != 0) {
            os_err_set(err, errno == ENOENT ? OS_ENOTFOUND : OS_EIO,
                       "the asset's storage is not reachable");
            goto fail;
        }
        memcpy(s->local_key, local->key, LOCAL_URL_KEYLEN);
        s->prefix = strdup(real);
        s->files_base = strdup(local->files_base);
        const local_url_claims *w = local->who;
        s->who.recipient_id = w ? w->recipient_id : 0;
        int dup_failed = 0;
        const char *const from[4] = {w ? w->recipient : NULL, w ? w->share : NULL,
                                     w ? w->schema : NULL, w ? w->asset : NULL};
        const char **to[4] = {&s->who.recipient, &s->who.share, &s->who.schema, &s->who.asset};
        for (int i = 0; i < 4; i++)
            if (from[i] != NULL && (*to[i] = strdup(from[i])) == NULL)
                dup_failed = 1;
        if (s->prefix == NULL || s->files_base == NULL || dup_failed) {
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto fail;
        }
    } else {
        if ((s->prefix = strdup(au.path)) == NULL) {
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto fail;
        }
        if (open_cloud(s, loc, &au, opts, &a, err) != 0)
            goto fail;
    }
    json_decref(opts);
    os_arena_free(&a);
    return s;
fail:
    json_decref(opts);
    os_arena_free(&a);
    url_signer_free(s);
    return NULL;
}

int url_signer_sign(const url_signer *s, const char *rel, int64_t now_s, int64_t expires_s,
                    os_buf *url, int64_t *expires_at_s, os_err *err)
{
    if (sto_key_check(rel, 0, err) != 0)
        return -1;
    if (expires_s < 1)
        return os_err_set(err, OS_EINVAL, "URL lifetime must be positive");
    if (s->scheme == LOC_FILE) {
        if (local_url_sign(s->local_key, s->files_base, s->prefix, rel, &s->who, now_s + expires_s, url,
                           err) != 0)
            return -1;
        *expires_at_s = now_s + expires_s;
        return 0;
    }
    os_buf key = OS_BUF_INIT;
    if (sto_key_join(&key, s->prefix, rel) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    int rc;
    if (s->scheme == LOC_S3)
        rc = s3_presign_get(&s->t, &s->c, key.data, now_s, expires_s, 0, url, err);
    else if (s->scheme == LOC_AZURE && !s->has_udk)
        rc = azure_presign_get(s->az_endpoint, s->account, s->account_key, s->container, key.data,
                               now_s, expires_s, strncmp(s->az_endpoint, "http://", 7) == 0, url,
                               err);
    else if (s->scheme == LOC_AZURE) {
        /* A user delegation SAS cannot outlive its key. */
        if (now_s + expires_s > s->udk.key.signed_expiry_s)
            expires_s = s->udk.key.signed_expiry_s - now_s;
        azure_sas_in in = {.account = s->account, .container = s->container, .path = key.data,
                           .scope = AZURE_SAS_BLOB, .permissions = "r",
                           .expiry_s = now_s + expires_s,
                           .allow_http = strncmp(s->az_endpoint, "http://", 7) == 0,
                           .udk = &s->udk.key};
        rc = expires_s < 1 ? os_err_set(err, OS_EINVAL, "the user delegation key has expired")
             : azure_blob_url(s->az_endpoint, s->container, key.data, url, err) != 0 ||
                     os_buf_putc(url, '?') != 0
                 ? os_err_set(err, OS_ENOMEM, "out of memory")
                 : azure_sas_make(&in, url, err);
    }
    else
        rc = gcs_sign_url(s->gcs, s->gcs_endpoint, s->bucket, key.data, now_s, expires_s, url,
                          err);
    os_buf_free(&key);
    if (rc == 0)
        *expires_at_s = now_s + expires_s;
    return rc;
}

int url_signer_azure_dir_sas(const url_signer *s, int64_t now_s, int64_t expires_s,
                             os_buf *container_url, os_buf *sas, os_err *err)
{
    if (s->scheme != LOC_AZURE)
        return os_err_set(err, OS_EUNSUPPORTED, "directory SAS exists only for Azure storage");
    azure_sas_in in = {.account = s->account, .account_key = s->account_key,
                       .container = s->container, .path = s->prefix,
                       .scope = s->hns && *s->prefix ? AZURE_SAS_DIRECTORY : AZURE_SAS_CONTAINER,
                       .permissions = "rl", .expiry_s = now_s + expires_s,
                       .allow_http = strncmp(s->az_endpoint, "http://", 7) == 0,
                       .udk = s->has_udk ? &s->udk.key : NULL};
    if (s->has_udk && in.expiry_s > s->udk.key.signed_expiry_s)
        in.expiry_s = s->udk.key.signed_expiry_s;
    if (expires_s < 1 || in.expiry_s <= now_s)
        return os_err_set(err, OS_EINVAL, "SAS lifetime must be positive");
    if (azure_blob_url(s->az_endpoint, s->container, NULL, container_url, err) != 0)
        return -1;
    return azure_sas_make(&in, sas, err);
}

void url_dir_credentials_free(url_dir_credentials *c)
{
    if (c == NULL)
        return;
    free(c->access_key_id);
    wipe_free(c->secret_access_key);
    wipe_free(c->session_token);
    free(c->container_url);
    wipe_free(c->sas);
    wipe_free(c->oauth_token);
    memset(c, 0, sizeof *c);
}

/* R2: Cloudflare's temporary access credentials API, read-only, for the asset's prefix. */
static int dir_r2(const url_signer *s, int64_t now_s, int duration_s, url_dir_credentials *out,
                  os_err *err)
{
    if (s->r2_account == NULL)
        return os_err_set(err, OS_EUNSUPPORTED,
                          "dir access on R2 needs the account id: an r2_account_id option, or an "
                          "endpoint https://ACCOUNT_ID" R2_ENDPOINT_SUFFIX);
    if (s->r2_token == NULL || *s->r2_token == '\0')
        return os_err_set(err, OS_EUNSUPPORTED,
                          "dir access on R2 needs a Cloudflare API token: r2_api_token in the "
                          "storage location's secret");
    int d = duration_s < 900 ? 900 : duration_s;
    if (d > s->max_duration_s)
        d = s->max_duration_s;
    r2_temp_request rq = {s->r2_api_base, s->r2_account, s->r2_token, s->r2_parent, s->bucket,
                          s->prefix, d};
    r2_temp_result r;
    if (r2_temp_credentials(&rq, &r, err) != 0) {
        if (err && err->code == OS_EINVAL) { /* the location's settings, not the caller's */
            err->code = OS_EUNSUPPORTED;
            os_err_wrap(err, "dir access on R2 is misconfigured");
        }
        return -1;
    }
    out->kind = URL_DIR_R2;
    out->access_key_id = r.access_key_id;
    out->secret_access_key = r.secret_access_key;
    out->session_token = r.session_token;
    out->expires_at_ms = (now_s + d) * 1000;
    return 0;
}

static int dir_s3(const url_signer *s, int duration_s, const char *session_name,
                  url_dir_credentials *out, os_err *err)
{
    if (s->role_arn == NULL)
        return os_err_set(err, OS_EUNSUPPORTED,
                          "dir access needs a role_arn in the storage location's options");
    const char *region = s->sts_region ? s->sts_region : s->region ? s->region : "us-east-1";
    os_buf ep = OS_BUF_INIT;
    int rc = 0;
    if (s->sts_endpoint)
        rc = os_buf_puts(&ep, s->sts_endpoint);
    else if (s->endpoint)
        rc = os_buf_puts(&ep, s->endpoint);   /* MinIO / Ceph serve STS on the S3 endpoint */
    else
        rc = os_buf_printf(&ep, "https://sts.%s.amazonaws.com", region);
    if (rc) {
        os_buf_free(&ep);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    int d = duration_s < 900 ? 900 : duration_s;
    if (d > s->max_duration_s)
        d = s->max_duration_s;
    s3_sts_request rq = {ep.data, region, &s->c, s->role_arn, session_name, s->bucket, s->prefix,
                         d};
    s3_sts_result r;
    int ret = s3_sts_assume_role(&rq, &r, err);
    os_buf_free(&ep);
    if (ret != 0)
        return -1;
    out->kind = URL_DIR_S3;
    out->access_key_id = r.access_key_id;
    out->secret_access_key = r.secret_access_key;
    out->session_token = r.session_token;
    out->expires_at_ms = r.expiration_ms;
    return 0;
}

static int dir_gcs(const url_signer *s, int64_t now_s, url_dir_credentials *out, os_err *err)
{
    os_buf src = OS_BUF_INIT, tok = OS_BUF_INIT;
    int64_t src_exp = 0, exp = 0;
    const char *turi = s->token_uri ? s->token_uri : gcs_signer_token_uri(s->gcs);
    int ret = gcs_token_fetch(s->gcs, turi, "https://www.googleapis.com/auth/cloud-platform",
                              now_s, &src, &src_exp, err);
    if (ret == 0)
        ret = gcs_token_downscope(s->sts_uri, src.data, s->bucket, s->prefix, now_s, src_exp, &tok,
                                  &exp, err);
    if (src.data)
        memset(src.data, 0, src.len);
    os_buf_free(&src);
    if (ret != 0) {
        os_buf_free(&tok);
        return -1;
    }
    out->kind = URL_DIR_GCS_TOKEN;
    out->oauth_token = os_buf_detach(&tok);
    out->expires_at_ms = exp * 1000;
    return out->oauth_token ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
}

int url_signer_dir_credentials(const url_signer *s, int64_t now_s, int duration_s,
                               const char *session_name, url_dir_credentials *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    if (s->scheme == LOC_S3 && s->r2)
        return dir_r2(s, now_s, duration_s, out, err);
    if (s->scheme == LOC_S3)
        return dir_s3(s, duration_s, session_name, out, err);
    if (s->scheme == LOC_GCS)
        return dir_gcs(s, now_s, out, err);
    if (s->scheme == LOC_AZURE) {
        os_buf cu = OS_BUF_INIT, sas = OS_BUF_INIT;
        int64_t d = duration_s > 0 ? duration_s : 3600;
        if (url_signer_azure_dir_sas(s, now_s, d, &cu, &sas, err) != 0) {
            os_buf_free(&cu);
            os_buf_free(&sas);
            return -1;
        }
        out->kind = URL_DIR_AZURE_SAS;
        out->container_url = os_buf_detach(&cu);
        out->sas = os_buf_detach(&sas);
        out->expires_at_ms = (now_s + d) * 1000;
        if (out->container_url == NULL || out->sas == NULL) {
            url_dir_credentials_free(out);
            return os_err_set(err, OS_ENOMEM, "out of memory");
        }
        return 0;
    }
    return os_err_set(err, OS_EUNSUPPORTED, "local storage has no dir access mode");
}
