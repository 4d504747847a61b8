/* s3_sts.c - STS AssumeRole with an inline session policy limited to one bucket prefix, read-only. */
#include "storage/s3_sts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "storage/sign_util.h"
#include "storage/sto_http.h"
#include "storage/xml_scan.h"

int s3_sts_policy(const char *bucket, const char *prefix, os_buf *out, os_err *err)
{
    const char *p = prefix ? prefix : "";
    char *objects = NULL, *dir = NULL, *under = NULL, *bucket_arn = NULL;
    int ok = 0;
    if (*p) {
        ok = asprintf(&objects, "arn:aws:s3:::%s/%s/*", bucket, p) > 0 &&
             asprintf(&dir, "%s/", p) > 0 && asprintf(&under, "%s/*", p) > 0;
    } else {
        ok = asprintf(&objects, "arn:aws:s3:::%s/*", bucket) > 0;
    }
    ok = ok && asprintf(&bucket_arn, "arn:aws:s3:::%s", bucket) > 0;
    json_t *doc = NULL;
    if (ok) {
        json_t *list = json_pack("{s:s,s:[s],s:[s]}", "Effect", "Allow", "Action", "s3:ListBucket",
                                 "Resource", bucket_arn);
        if (list && *p)
            json_object_set_new(list, "Condition",
                                json_pack("{s:{s:[s,s]}}", "StringLike", "s3:prefix", dir, under));
        doc = json_pack("{s:s,s:[{s:s,s:[s],s:[s]},o]}", "Version", "2012-10-17", "Statement",
                        "Effect", "Allow", "Action", "s3:GetObject", "Resource", objects, list);
    }
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    int rc = text && os_buf_puts(out, text) == 0 ? 0 : -1;
    free(text);
    json_decref(doc);
    free(objects);
    free(dir);
    free(under);
    free(bucket_arn);
    return rc ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
}

/* Fields of an AssumeRole answer; session tokens run to a few KiB. */
static char *xml_get(xml_span in, const char *tag)
{
    return xml_child_text_dup(in, tag, 4096);
}

void s3_sts_result_free(s3_sts_result *r)
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

int s3_sts_assume_role(const s3_sts_request *rq, s3_sts_result *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    if (rq->endpoint == NULL || (strncmp(rq->endpoint, "https://", 8) != 0 &&
                                 strncmp(rq->endpoint, "http://", 7) != 0))
        return os_err_set(err, OS_EINVAL, "STS endpoint must be an http(s) URL");
    if (rq->role_arn == NULL || *rq->role_arn == '\0' || rq->creds == NULL ||
        rq->creds->access_key_id == NULL || rq->creds->secret_access_key == NULL)
        return os_err_set(err, OS_EINVAL, "STS needs a role ARN and the location's credentials");
    if (rq->duration_s < 900 || rq->duration_s > 43200)
        return os_err_set(err, OS_EINVAL, "STS session duration must be 900..43200 seconds");
    if (rq->bucket == NULL || *rq->bucket == '\0')
        return os_err_set(err, OS_EINVAL, "STS policy needs a bucket");
    const char *region = rq->region && *rq->region ? rq->region : "us-east-1";
    if (strlen(region) > 48 || strchr(region, ':'))
        return os_err_set(err, OS_EINVAL, "STS region is malformed");
    /* Session names allow [\w+=,.@-]{2,64}; anything else becomes '-'. */
    char name[65];
    const char *sn = rq->session_name && *rq->session_name ? rq->session_name : "opensharing";
    size_t n = 0;
    for (; sn[n] && n < 64; n++) {
        char ch = sn[n];
        int okc = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  strchr("+=,.@_-", ch) != NULL;
        name[n] = okc ? ch : '-';
    }
    if (n < 2)
        name[n++] = '-';
    name[n] = '\0';
    os_buf policy = OS_BUF_INIT, body = OS_BUF_INIT, url = OS_BUF_INIT, tokh = OS_BUF_INIT;
    int ret = -1;
    char dur[16], sigv4[80];
    snprintf(dur, sizeof dur, "%d", rq->duration_s);
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:sts", region);
    if (s3_sts_policy(rq->bucket, rq->prefix, &policy, err) != 0)
        goto done;
    int rc = sto_query_add(&body, "Action", "AssumeRole");
    rc |= sto_query_add(&body, "DurationSeconds", dur);
    rc |= sto_query_add(&body, "Policy", policy.data);
    rc |= sto_query_add(&body, "RoleArn", rq->role_arn);
    rc |= sto_query_add(&body, "RoleSessionName", name);
    rc |= sto_query_add(&body, "Version", "2011-06-15");
    size_t el = strlen(rq->endpoint);
    while (el > 0 && rq->endpoint[el - 1] == '/')
        el--;
    rc |= os_buf_append(&url, rq->endpoint, el);
    rc |= os_buf_putc(&url, '/');
    const char *hdrs[3] = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8", NULL,
                           NULL};
    if (rq->creds->session_token && *rq->creds->session_token) {
        rc |= os_buf_printf(&tokh, "x-amz-security-token: %s", rq->creds->session_token);
        hdrs[1] = tokh.data;
    }
    if (rc) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    sto_http_req hq = {.method = "POST", .url = url.data, .headers = hdrs, .body = body.data,
                       .body_len = body.len, .aws_sigv4 = sigv4,
                       .aws_key_id = rq->creds->access_key_id,
                       .aws_secret = rq->creds->secret_access_key, .max_body = 1 << 20};
    sto_http_resp rs = {0};
    if (sto_http_do(&hq, &rs, err) != 0) {
        os_buf_free(&rs.body);
        goto done;
    }
    xml_span doc = {rs.body.data ? rs.body.data : "", rs.body.len}, sp;
    if (rs.status != 200) {
        char *code = NULL;
        if (xml_child(doc, "Error", &sp) == 1)
            code = xml_get(sp, "Code");
        int safe = code != NULL;
        for (const char *c = code; c && *c; c++)
            if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                  *c == '.'))
                safe = 0;
        os_err_set(err, rs.status == 403 || rs.status == 400 ? OS_EPERM : OS_EIO,
                   "STS AssumeRole was refused (HTTP %ld%s%s)", rs.status, safe ? ", " : "",
                   safe ? code : "");
        free(code);
        os_buf_free(&rs.body);
        goto done;
    }
    xml_span cred;
    char *exp = NULL;
    if (xml_child(doc, "Credentials", &cred) == 1) {
        out->access_key_id = xml_get(cred, "AccessKeyId");
        out->secret_access_key = xml_get(cred, "SecretAccessKey");
        out->session_token = xml_get(cred, "SessionToken");
        exp = xml_get(cred, "Expiration");
    }
    if (out->access_key_id == NULL || out->secret_access_key == NULL ||
        out->session_token == NULL || exp == NULL ||
        os_time_parse_iso(exp, &out->expiration_ms) != 0) {
        s3_sts_result_free(out);
        os_err_set(err, OS_EIO, "STS AssumeRole answer is malformed");
    } else {
        ret = 0;
    }
    free(exp);
    if (rs.body.data)
        memset(rs.body.data, 0, rs.body.len);
    os_buf_free(&rs.body);
done:
    if (tokh.data)
        memset(tokh.data, 0, tokh.len);
    os_buf_free(&tokh);
    os_buf_free(&policy);
    os_buf_free(&body);
    os_buf_free(&url);
    return ret;
}
