/* s3_store.c - the objstore interface over S3 and S3-compatible stores (ListObjectsV2, HEAD, ranged GET; SigV4 by libcurl). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "base/timeutil.h"
#include "storage/s3_sign.h"
#include "storage/sign_util.h"
#include "storage/store_int.h"
#include "storage/store_key.h"
#include "storage/store_open.h"
#include "storage/sto_http.h"
#include "storage/xml_scan.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct s3_ctx {
    s3_target t;
    char *endpoint, *region, *bucket;
    char *key_id, *secret, *token;
    char *prefix;            /* "" or "a/b" */
    char sigv4[96];          /* "aws:amz:REGION:s3" */
} s3_ctx;

static void s3_close(void *vctx)
{
    s3_ctx *c = vctx;
    if (c == NULL)
        return;
    if (c->secret)
        memset(c->secret, 0, strlen(c->secret));
    if (c->token)
        memset(c->token, 0, strlen(c->token));
    free(c->endpoint);
    free(c->region);
    free(c->bucket);
    free(c->key_id);
    free(c->secret);
    free(c->token);
    free(c->prefix);
    free(c);
}

/* Performs a signed request for `key` (NULL: the bucket) with `query`
 * (canonical: sorted and encoded, may be NULL). */
static int s3_call(s3_ctx *c, const char *method, const char *key, const char *query,
                   sto_http_req *rq, sto_http_resp *rs, os_err *err)
{
    os_buf url = OS_BUF_INIT, tokh = OS_BUF_INIT;
    const char *hdrs[3] = {"x-amz-content-sha256: " EMPTY_SHA256, NULL, NULL};
    int ret = -1;
    if (s3_target_resolve(&c->t, key, &url, NULL, &url, err) != 0)
        goto done;
    if ((query && *query && (os_buf_putc(&url, '?') != 0 || os_buf_puts(&url, query) != 0))) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    if (c->token && *c->token) {
        if (os_buf_printf(&tokh, "x-amz-security-token: %s", c->token) != 0) {
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto done;
        }
        hdrs[1] = tokh.data;
    }
    rq->method = method;
    rq->url = url.data;
    rq->headers = hdrs;
    rq->aws_sigv4 = c->sigv4;
    rq->aws_key_id = c->key_id;
    rq->aws_secret = c->secret;
    ret = sto_http_do(rq, rs, err);
done:
    if (tokh.data)
        memset(tokh.data, 0, tokh.len);
    os_buf_free(&tokh);
    os_buf_free(&url);
    return ret;
}

/* Shared lister: with delimited=1 only direct children of dir (common
 * prefixes skipped), else everything under it. */
static int s3_list_impl(s3_ctx *c, const char *dir, const char *start_after, int delimited,
                        objstore_list_cb cb, void *cbctx, os_err *err)
{
    sto_list_scope ls;
    if (sto_list_begin(&ls, c->prefix, dir, start_after, delimited, err) != 0)
        return -1;
    os_buf ctoken = OS_BUF_INIT, q = OS_BUF_INIT, name = OS_BUF_INIT, txt = OS_BUF_INIT;
    int ret = -1, seen = 0;
    for (long page = 0; page < STO_LIST_MAX_PAGES; page++) {
        os_buf_reset(&q);
        int rc = 0;
        if (ctoken.len)
            rc |= sto_query_add(&q, "continuation-token", ctoken.data);
        if (delimited)
            rc |= sto_query_add(&q, "delimiter", "/");
        rc |= sto_query_add(&q, "list-type", "2");
        rc |= sto_query_add(&q, "prefix", os_buf_cstr(&ls.full));
        if (start_after && !ctoken.len)
            rc |= sto_query_add(&q, "start-after", os_buf_cstr(&ls.after));
        if (rc) {
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto done;
        }
        sto_http_req rq = {.max_body = STO_LIST_MAX_BODY};
        sto_http_resp rs = {0};
        if (s3_call(c, "GET", NULL, q.data, &rq, &rs, err) != 0) {
            os_buf_free(&rs.body);
            goto done;
        }
        if (rs.too_large || rs.status != 200) {
            if (rs.too_large)
                os_err_set(err, OS_ELIMIT, "S3 listing page is too large");
            else if (rs.status == 404)
                os_err_set(err, OS_ENOTFOUND, "S3 bucket '%s' not found", c->bucket);
            else
                sto_http_status_err(rs.status, "S3", os_buf_cstr(&ls.full), err);
            os_buf_free(&rs.body);
            goto done;
        }
        const char *doc = os_buf_cstr(&rs.body);
        size_t len = rs.body.len, pos = 0;
        xml_span item, sp;
        int r;
        int stop = 0;
        while (!stop && (r = xml_next(doc, len, &pos, "Contents", &item)) == 1) {
            os_buf_reset(&name);
            os_buf_reset(&txt);
            int64_t size = -1, mtime = 0;
            if (xml_child(item, "Key", &sp) != 1 || xml_text(sp, &name) != 0)
                r = -1;
            else if (xml_child(item, "Size", &sp) == 1 && xml_text(sp, &txt) == 0 &&
                     os_parse_i64(os_buf_cstr(&txt), &size) == 0 && size >= 0) {
                os_buf_reset(&txt);
                if (xml_child(item, "LastModified", &sp) == 1 && xml_text(sp, &txt) == 0)
                    (void)os_time_parse_iso(os_buf_cstr(&txt), &mtime);
            } else
                r = -1;
            if (r == -1)
                break;
            seen = 1;
            const char *k = os_buf_cstr(&name);
            if (sto_list_order_check(&ls, k, name.len, "S3 listing is not in ascending key order",
                                     err) != 0) {
                os_buf_free(&rs.body);
                goto done;
            }
            int cr = sto_list_emit(&ls, k, name.len, size, mtime, cb, cbctx, err);
            if (cr < 0) {
                os_buf_free(&rs.body);
                goto done;
            }
            if (cr > 0)
                stop = 1;
        }
        if (!stop && r == -1) {
            os_buf_free(&rs.body);
            os_err_set(err, OS_EIO, "S3 listing response is malformed");
            goto done;
        }
        size_t p2 = 0;
        if (!seen && xml_next(doc, len, &p2, "CommonPrefixes", &sp) == 1)
            seen = 1;
        int truncated = 0;
        os_buf_reset(&txt);
        if (xml_child((xml_span){doc, len}, "IsTruncated", &sp) == 1 && xml_text(sp, &txt) == 0)
            truncated = strcmp(os_buf_cstr(&txt), "true") == 0;
        os_buf next = OS_BUF_INIT;
        if (truncated && (xml_child((xml_span){doc, len}, "NextContinuationToken", &sp) != 1 ||
                          xml_text(sp, &next) != 0 || next.len == 0 ||
                          (ctoken.len && strcmp(next.data, ctoken.data) == 0))) {
            os_buf_free(&next);
            os_buf_free(&rs.body);
            os_err_set(err, OS_EIO, "S3 listing is truncated without a usable continuation token");
            goto done;
        }
        os_buf_free(&ctoken);
        ctoken = next;
        os_buf_free(&rs.body);
        if (stop || !truncated) {
            ret = sto_list_finish(&ls, seen, stop, err);
            goto done;
        }
    }
    os_err_set(err, OS_ELIMIT, "S3 listing has too many pages");
done:
    sto_list_end(&ls);
    os_buf_free(&ctoken);
    os_buf_free(&q);
    os_buf_free(&name);
    os_buf_free(&txt);
    return ret;
}

static int s3_list(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                   void *cbctx, os_err *err)
{
    return s3_list_impl(ctx, dir, start_after, 1, cb, cbctx, err);
}

int sto_s3_list_all(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                    void *cbctx, os_err *err)
{
    return s3_list_impl(ctx, dir, start_after, 0, cb, cbctx, err);
}

/* Builds the full key for `key` under the root, after checking it. */
static int full_key(s3_ctx *c, const char *key, os_buf *out, os_err *err)
{
    if (sto_key_check(key, 0, err) != 0)
        return -1;
    if (sto_key_join(out, c->prefix, key) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

static int s3_stat(void *ctx, const char *key, objstore_entry *out, os_err *err)
{
    s3_ctx *c = ctx;
    os_buf k = OS_BUF_INIT;
    if (full_key(c, key, &k, err) != 0)
        return -1;
    sto_http_req rq = {.max_body = 0};
    sto_http_resp rs = {0};
    int ret = s3_call(c, "HEAD", k.data, NULL, &rq, &rs, err);
    if (ret == 0)
        ret = sto_http_stat_take(&rs, "S3", key, out, err);
    os_buf_free(&rs.body);
    os_buf_free(&k);
    return ret;
}

static int s3_read_all(void *ctx, const char *key, size_t max, os_buf *out, os_err *err)
{
    s3_ctx *c = ctx;
    os_buf k = OS_BUF_INIT;
    if (full_key(c, key, &k, err) != 0)
        return -1;
    sto_http_req rq = {.max_body = max};
    sto_http_resp rs = {0};
    int ret = s3_call(c, "GET", k.data, NULL, &rq, &rs, err);
    if (ret == 0)
        ret = sto_http_body_take(&rs, "S3", key, max, out, err);
    os_buf_free(&rs.body);
    os_buf_free(&k);
    return ret;
}

static int s3_read_range(void *ctx, const char *key, uint64_t offset, size_t len, void *dst,
                         size_t *got, os_err *err)
{
    s3_ctx *c = ctx;
    *got = 0;
    os_buf k = OS_BUF_INIT;
    if (full_key(c, key, &k, err) != 0)
        return -1;
    if (len == 0) {
        os_buf_free(&k);
        return 0;
    }
    sto_http_req rq = {.has_range = 1, .range_start = offset, .range_len = len, .dst = dst};
    sto_http_resp rs = {0};
    int ret = s3_call(c, "GET", k.data, NULL, &rq, &rs, err);
    if (ret == 0)
        ret = sto_http_range_take(&rs, "S3", key, got, err);
    os_buf_free(&rs.body);
    os_buf_free(&k);
    return ret;
}

static const objstore_vtbl s3_vtbl = {s3_list, s3_stat, s3_read_all, s3_read_range, s3_close};

const objstore_vtbl *sto_s3_vtbl(void)
{
    return &s3_vtbl;
}

static char *dup_or_null(const char *s, int *oom)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        *oom = 1;
    return d;
}

int objstore_s3_open(const s3_store_config *cfg, objstore *out, os_err *err)
{
    const char *prefix = cfg->prefix ? cfg->prefix : "";
    if (cfg->creds.access_key_id == NULL || cfg->creds.secret_access_key == NULL)
        return os_err_set(err, OS_EINVAL, "S3 credentials are incomplete");
    if (*prefix && (prefix[0] == '/' || prefix[strlen(prefix) - 1] == '/' ||
                    sto_key_check(prefix, 0, err) != 0))
        return os_err_set(err, OS_EINVAL, "S3 root prefix is malformed");
    if (s3_target_resolve(&cfg->target, NULL, NULL, NULL, NULL, err) != 0)
        return -1;
    s3_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    int oom = 0;
    c->endpoint = dup_or_null(cfg->target.endpoint, &oom);
    c->region = dup_or_null(cfg->target.region && *cfg->target.region ? cfg->target.region
                                                                      : "us-east-1", &oom);
    c->bucket = dup_or_null(cfg->target.bucket, &oom);
    c->key_id = dup_or_null(cfg->creds.access_key_id, &oom);
    c->secret = dup_or_null(cfg->creds.secret_access_key, &oom);
    c->token = dup_or_null(cfg->creds.session_token, &oom);
    c->prefix = dup_or_null(prefix, &oom);
    if (oom) {
        s3_close(c);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    c->t.endpoint = c->endpoint;
    c->t.region = c->region;
    c->t.path_style = cfg->target.path_style;
    c->t.bucket = c->bucket;
    if (strlen(c->region) > 48 || strchr(c->region, ':')) {
        s3_close(c);
        return os_err_set(err, OS_EINVAL, "S3 region is malformed");
    }
    snprintf(c->sigv4, sizeof c->sigv4, "aws:amz:%s:s3", c->region);
    out->v = &s3_vtbl;
    out->ctx = c;
    return 0;
}
