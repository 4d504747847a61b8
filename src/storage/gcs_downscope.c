/* gcs_downscope.c - Credential Access Boundary token exchange: a GCS token that can only read one bucket prefix. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "storage/gcs_token.h"
#include "storage/sign_util.h"
#include "storage/sto_http.h"

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
    sto_http_resp rs = {0};
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
        static const char *const h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
        sto_http_req rq = {.method = "POST", .url = uri, .headers = h, .body = body.data,
                           .body_len = body.len, .max_body = 1 << 16};
        ret = sto_http_do(&rq, &rs, err);
    }
    if (ret == 0 && (rs.status != 200 || rs.too_large))
        ret = os_err_set(err, rs.status == 400 || rs.status == 401 || rs.status == 403 ? OS_EPERM
                                                                                       : OS_EIO,
                         "GCS token exchange answered HTTP %ld", rs.status);
    if (ret == 0) {
        json_error_t je;
        json_t *doc = json_loadb(rs.body.data ? rs.body.data : "", rs.body.len, 0, &je);
        const char *tok = json_string_value(json_object_get(doc, "access_token"));
        json_int_t exp = json_integer_value(json_object_get(doc, "expires_in"));
        if (tok == NULL || *tok == '\0' || strlen(tok) >= 8192 || strpbrk(tok, "\r\n") != NULL)
            ret = os_err_set(err, OS_EIO, "GCS token exchange gave no usable access_token");
        else if (os_buf_puts(token, tok) != 0)
            ret = os_err_set(err, OS_ENOMEM, "out of memory");
        else
            *expires_at_s = exp > 0 && exp < 86400 ? now_s + exp : fallback_expiry_s;
        json_decref(doc);
    }
    if (body.data)
        memset(body.data, 0, body.len);
    if (rs.body.data)
        memset(rs.body.data, 0, rs.body.len);
    os_buf_free(&opts);
    os_buf_free(&body);
    os_buf_free(&rs.body);
    return ret;
}
