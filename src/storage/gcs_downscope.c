/* gcs_downscope.c - Credential Access Boundary token exchange: a GCS token that can only read one bucket prefix. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "storage/gcs_token.h"
#include "storage/sign_util.h"
#include "storage/sto_oauth.h"

/* Appends s as the body of a CEL single-quoted string literal. */
static int cel_quote(os_buf *b, const char *s)
{
    int rc = 0;
    for (; *s; s++) {
        if (*s == '\\' || *s == '\'')
            rc |= os_buf_putc(b, '\\');
        rc |= os_buf_putc(b, *s);
    }
    return rc;
}

int gcs_downscope_options(const char *bucket, const char *prefix, os_buf *out, os_err *err)
{
    const char *p = prefix ? prefix : "";
    os_buf res = OS_BUF_INIT, expr = OS_BUF_INIT;
    int rc = os_buf_printf(&res, "//storage.googleapis.com/projects/_/buckets/%s", bucket);
    if (*p) {
        rc |= os_buf_printf(&expr, "resource.name.startsWith('projects/_/buckets/");
        rc |= cel_quote(&expr, bucket);
        rc |= os_buf_puts(&expr, "/objects/");
        rc |= cel_quote(&expr, p);
        rc |= os_buf_puts(&expr, "/') || api.getAttribute('storage.googleapis.com/objectListPrefix', "
                                 "'').startsWith('");
        rc |= cel_quote(&expr, p);
        rc |= os_buf_puts(&expr, "/')");
    }
    json_t *rule = rc ? NULL : json_pack("{s:[s],s:s}", "availablePermissions",
                                         "inRole:roles/storage.objectViewer", "availableResource",
                                         res.data);
    if (rule && *p)
        json_object_set_new(rule, "availabilityCondition",
                            json_pack("{s:s}", "expression", expr.data));
    json_t *doc = rule ? json_pack("{s:{s:[o]}}", "accessBoundary", "accessBoundaryRules", rule)
                       : NULL;
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    rc = text && os_buf_puts(out, text) == 0 ? 0 : -1;
    free(text);
    json_decref(doc);
    os_buf_free(&res);
    os_buf_free(&expr);
    return rc ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
}

int gcs_token_downscope(const char *sts_uri, const char *access_token, const char *bucket,
                        const char *prefix, int64_t now_s, int64_t fallback_expiry_s,
                        os_buf *token, int64_t *expires_at_s, os_err *err)
{
    const char *uri = sts_uri && *sts_uri ? sts_uri : GCS_STS_DEFAULT;
    os_buf opts = OS_BUF_INIT, body = OS_BUF_INIT;
    int ret = gcs_downscope_options(bucket, prefix, &opts, err);
    if (ret == 0) {
        int rc = sto_query_add(&body, "grant_type",
                               "urn:ietf:params:oauth:grant-type:token-exchange");
        rc |= sto_query_add(&body, "subject_token_type",
                            "urn:ietf:params:oauth:token-type:access_token");
        rc |= sto_query_add(&body, "requested_token_type",
                            "urn:ietf:params:oauth:token-type:access_token");
        rc |= sto_query_add(&body, "subject_token", access_token);
        rc |= sto_query_add(&body, "options", opts.data);
        if (rc)
            ret = os_err_set(err, OS_ENOMEM, "out of memory");
    }
    if (ret == 0) {
        sto_oauth_req rq = {.url = uri, .form = &body, .refused_403 = 1, .max_token = 8192,
                            .endpoint_name = "GCS token exchange",
                            .issuer_name = "GCS token exchange"};
        int64_t exp = 0;
        ret = sto_oauth_token_post(&rq, token, &exp, err);
        if (ret == 0)
            *expires_at_s = exp ? now_s + exp : fallback_expiry_s;
    }
    if (body.data)
        memset(body.data, 0, body.len);
    os_buf_free(&opts);
    os_buf_free(&body);
    return ret;
}
