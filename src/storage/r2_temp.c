/* r2_temp.c - Cloudflare R2 temporary access credentials: a read-only, prefix-scoped key pair and session token from Cloudflare's API. */
#include "storage/r2_temp.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "storage/sto_http.h"

/* The host of an http(s) URL: [*host, *host + *len). 0, or -1 when there is none. */
static int url_host(const char *url, const char **host, size_t *len)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (p == NULL)
        return -1;
    p += 3;
    const char *at = p + strcspn(p, "/?#");
    const char *cred = memchr(p, '@', (size_t)(at - p));
    if (cred)
        p = cred + 1;
    size_t n = strcspn(p, ":/?#");
    if (n == 0)
        return -1;
    *host = p;
    *len = n;
    return 0;
}

/* Whether host[0..n) ends in the R2 suffix after at least one label. */
static int host_is_r2(const char *host, size_t n)
{
    size_t sl = strlen(R2_ENDPOINT_SUFFIX);
    return n > sl && strncasecmp(host + n - sl, R2_ENDPOINT_SUFFIX, sl) == 0;
}

bool r2_location_is_r2(const char *options_json)
{
    if (options_json == NULL || *options_json == '\0')
        return false;
    json_t *o = json_loads(options_json, 0, NULL);
    const char *provider = json_string_value(json_object_get(o, "provider"));
    const char *endpoint = json_string_value(json_object_get(o, "endpoint"));
    const char *host;
    size_t n;
    bool yes = (provider && strcasecmp(provider, "r2") == 0) ||
               (url_host(endpoint, &host, &n) == 0 && host_is_r2(host, n));
    json_decref(o);
    return yes;
}

int r2_account_of_endpoint(const char *endpoint, char *out, size_t cap)
{
    const char *host;
    size_t n;
    if (url_host(endpoint, &host, &n) != 0 || !host_is_r2(host, n))
        return -1;
    size_t label = strcspn(host, ".");
    if (label == 0 || label + 1 > cap)
        return -1;
    memcpy(out, host, label);
    out[label] = '\0';
    return 0;
}

void r2_temp_result_free(r2_temp_result *r)
{
    if (r == NULL)
        return;
    char *v[] = {r->access_key_id, r->secret_access_key, r->session_token};
    for (int i = 0; i < 3; i++)
        if (v[i]) {
            memset(v[i], 0, strlen(v[i]));
            free(v[i]);
        }
    memset(r, 0, sizeof *r);
}

/* Account ids go into the URL path: letters and digits only. */
static int account_ok(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
              (s[n] >= '0' && s[n] <= '9')))
            return 0;
    return n > 0 && n <= 64;
}

/* Appends Cloudflare's words for a refusal to out: printable ASCII, at most
 * 200 bytes, and never the token (should a server echo it). */
static void say_safely(char *out, size_t cap, const char *text, const char *token)
{
    size_t k = strlen(out);
    for (const char *c = text; *c && k + 1 < cap && k < 200; c++)
        out[k++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
    out[k] = '\0';
    if (token && *token)
        for (char *t = strstr(out, token); t; t = strstr(t, token))
            memset(t, '*', strlen(token));
}

/* The first {"code", "message"} of an error answer, as "CODE: MESSAGE". */
static void first_error(json_t *doc, const char *token, char *out, size_t cap)
{
    out[0] = '\0';
    json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    json_t *code = json_object_get(e, "code");
    const char *msg = json_string_value(json_object_get(e, "message"));
    char num[32] = "";
    if (json_is_integer(code))
        snprintf(num, sizeof num, "%lld: ", (long long)json_integer_value(code));
    if (msg == NULL && num[0] == '\0')
        return;
    snprintf(out, cap, "; %s", num);
    say_safely(out, cap, msg ? msg : "", token);
}

/* A copy of o's non-empty string field `name`, or NULL (absent, or *oom set). */
static char *dup_field(json_t *o, const char *name, int *oom)
{
    const char *v = json_string_value(json_object_get(o, name));
    char *d = v && *v ? strdup(v) : NULL;
    *oom |= v && *v && d == NULL;
    return d;
}

int r2_temp_credentials(const r2_temp_request *rq, r2_temp_result *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    const char *base = rq->api_base && *rq->api_base ? rq->api_base : R2_API_BASE_DEFAULT;
    if (strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0)
        return os_err_set(err, OS_EINVAL, "the R2 API base must be an http(s) URL");
    if (!account_ok(rq->account_id))
        return os_err_set(err, OS_EINVAL, "the R2 account id must be letters and digits");
    if (rq->api_token == NULL || *rq->api_token == '\0')
        return os_err_set(err, OS_EINVAL, "R2 temporary credentials need the location's API token");
    if (rq->parent_access_key_id == NULL || *rq->parent_access_key_id == '\0')
        return os_err_set(err, OS_EINVAL, "R2 temporary credentials need a parent access key id");
    if (rq->bucket == NULL || *rq->bucket == '\0')
        return os_err_set(err, OS_EINVAL, "R2 temporary credentials need a bucket");
    if (rq->ttl_s < 1 || rq->ttl_s > 604800)
        return os_err_set(err, OS_EINVAL, "R2 temporary credentials live 1..604800 seconds");
    const char *p = rq->prefix ? rq->prefix : "";
    os_buf url = OS_BUF_INIT, auth = OS_BUF_INIT, scope = OS_BUF_INIT;
    char *body = NULL;
    json_t *doc = NULL, *req = NULL;
    sto_http_resp rs = {0};
    int ret = -1;
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    int rc = os_buf_append(&url, base, bl);
    rc |= os_buf_printf(&url, "/accounts/%s/r2/temp-access-credentials", rq->account_id);
    rc |= os_buf_printf(&auth, "Authorization: Bearer %s", rq->api_token);
    if (*p)
        rc |= os_buf_printf(&scope, "%s/", p);
    req = rc ? NULL
             : json_pack("{s:s,s:s,s:s,s:i}", "bucket", rq->bucket, "parentAccessKeyId",
                         rq->parent_access_key_id, "permission", "object-read-only", "ttlSeconds",
                         rq->ttl_s);
    if (req && *p)
        json_object_set_new(req, "prefixes", json_pack("[s]", scope.data));
    body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    if (body == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    const char *hdrs[] = {auth.data, "Content-Type: application/json", "Accept: application/json",
                          NULL};
    sto_http_req hq = {.method = "POST", .url = url.data, .headers = hdrs, .body = body,
                       .body_len = strlen(body), .max_body = 1 << 20, .timeout_s = 60};
    if (sto_http_do(&hq, &rs, err) != 0) {
        if (err && err->code == OS_EIO) {
            err->code = OS_EUPSTREAM;
            os_err_wrap(err, "Cloudflare's R2 temporary credentials API cannot be reached");
        }
        goto done;
    }
    json_error_t je;
    doc = rs.too_large ? NULL : json_loadb(rs.body.data ? rs.body.data : "", rs.body.len, 0, &je);
    json_t *result = json_object_get(doc, "result");
    if (rs.status != 200 || !json_is_true(json_object_get(doc, "success"))) {
        char why[256];
        first_error(doc, rq->api_token, why, sizeof why);
        os_err_set(err, OS_EUPSTREAM,
                   "Cloudflare R2 refused temporary credentials for bucket '%.64s' (HTTP %ld%s)",
                   rq->bucket, rs.status, why);
        goto done;
    }
    int oom = 0;
    out->access_key_id = dup_field(result, "accessKeyId", &oom);
    out->secret_access_key = dup_field(result, "secretAccessKey", &oom);
    out->session_token = dup_field(result, "sessionToken", &oom);
    if (oom) {
        r2_temp_result_free(out);
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    if (out->access_key_id == NULL || out->secret_access_key == NULL || out->session_token == NULL) {
        r2_temp_result_free(out);
        os_err_set(err, OS_EUPSTREAM,
                   "Cloudflare's R2 temporary credentials answer is malformed (no accessKeyId, "
                   "secretAccessKey and sessionToken in its result)");
        goto done;
    }
    ret = 0;
done:
    json_decref(doc);
    json_decref(req);
    if (rs.body.data)
        memset(rs.body.data, 0, rs.body.len);
    os_buf_free(&rs.body);
    if (auth.data)
        memset(auth.data, 0, auth.len);
    os_buf_free(&auth);
    os_buf_free(&url);
    os_buf_free(&scope);
    free(body);
    return ret;
}
