/* gcs_store.c - the objstore interface over Google Cloud Storage's JSON API with service-account OAuth2 tokens. */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "base/timeutil.h"
#include "storage/gcs_sign.h"
#include "storage/gcs_token.h"
#include "storage/sign_util.h"
#include "storage/store_int.h"
#include "storage/store_key.h"
#include "storage/store_open.h"
#include "storage/sto_http.h"

#define GCS_TOKEN_MARGIN 120

typedef struct gcs_ctx {
    gcs_signer *signer;
    char *endpoint, *token_uri, *bucket, *prefix;
    pthread_mutex_t lock;
    char *auth_header;     /* "Authorization: Bearer ..." */
    int64_t token_expiry;  /* epoch seconds */
} gcs_ctx;

static void gcs_close(void *vctx)
{
    gcs_ctx *c = vctx;
    if (c == NULL)
        return;
    gcs_signer_free(c->signer);
    if (c->auth_header)
        memset(c->auth_header, 0, strlen(c->auth_header));
    free(c->auth_header);
    free(c->endpoint);
    free(c->token_uri);
    free(c->bucket);
    free(c->prefix);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Ensures a fresh access token; copies the Authorization header into hdr. */
static int auth_header(gcs_ctx *c, os_buf *hdr, os_err *err)
{
    int ret = 0;
    pthread_mutex_lock(&c->lock);
    int64_t now = os_now_ms() / 1000;
    if (c->auth_header == NULL || now + GCS_TOKEN_MARGIN >= c->token_expiry) {
        os_buf tok = OS_BUF_INIT, h = OS_BUF_INIT;
        int64_t exp = 0;
        ret = gcs_token_fetch(c->signer, c->token_uri, GCS_READ_SCOPE, now, &tok, &exp, err);
        if (ret == 0 && os_buf_printf(&h, "Authorization: Bearer %s", tok.data) != 0)
            ret = os_err_set(err, OS_ENOMEM, "out of memory");
        if (ret == 0) {
            if (c->auth_header) {
                memset(c->auth_header, 0, strlen(c->auth_header));
                free(c->auth_header);
            }
            c->auth_header = os_buf_detach(&h);
            c->token_expiry = exp;
        }
        if (tok.data)
            memset(tok.data, 0, tok.len);
        os_buf_free(&tok);
        os_buf_free(&h);
    }
    if (ret == 0 && os_buf_puts(hdr, c->auth_header) != 0)
        ret = os_err_set(err, OS_ENOMEM, "out of memory");
    pthread_mutex_unlock(&c->lock);
    return ret;
}

static int gcs_call(gcs_ctx *c, const char *url, sto_http_req *rq, sto_http_resp *rs, os_err *err)
{
    os_buf h = OS_BUF_INIT;
    if (auth_header(c, &h, err) != 0) {
        os_buf_free(&h);
        return -1;
    }
    const char *hdrs[] = {h.data, NULL};
    rq->method = "GET";
    rq->url = url;
    rq->headers = hdrs;
    int r = sto_http_do(rq, rs, err);
    memset(h.data, 0, h.len);
    os_buf_free(&h);
    return r;
}

static int gcs_list_impl(gcs_ctx *c, const char *dir, const char *start_after, int delimited,
                         objstore_list_cb cb, void *cbctx, os_err *err)
{
    sto_list_scope ls;
    if (sto_list_begin(&ls, c->prefix, dir, start_after, delimited, err) != 0)
        return -1;
    os_buf ptoken = OS_BUF_INIT, url = OS_BUF_INIT;
    int ret = -1, seen = 0;
    for (long page = 0; page < STO_LIST_MAX_PAGES; page++) {
        os_buf_reset(&url);
        int rc = os_buf_printf(&url, "%s/storage/v1/b/", c->endpoint);
        rc |= sto_uri_encode(&url, c->bucket, strlen(c->bucket), 0);
        rc |= os_buf_puts(&url, "/o?fields=items(name,size,updated),prefixes,nextPageToken");
        if (delimited)
            rc |= sto_query_add(&url, "delimiter", "/");
        if (ptoken.len)
            rc |= sto_query_add(&url, "pageToken", ptoken.data);
        rc |= sto_query_add(&url, "prefix", os_buf_cstr(&ls.full));
        if (start_after) /* repeated on every page, as the API expects */
            rc |= sto_query_add(&url, "startOffset", os_buf_cstr(&ls.after));
        if (rc) {
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto done;
        }
        sto_http_req rq = {.max_body = STO_LIST_MAX_BODY};
        sto_http_resp rs = {0};
        if (gcs_call(c, url.data, &rq, &rs, err) != 0) {
            os_buf_free(&rs.body);
            goto done;
        }
        if (rs.too_large || rs.status != 200) {
            if (rs.too_large)
                os_err_set(err, OS_ELIMIT, "GCS listing page is too large");
            else
                sto_http_status_err(rs.status, "GCS", os_buf_cstr(&ls.full), err);
            os_buf_free(&rs.body);
            goto done;
        }
        json_error_t je;
        json_t *doc = json_loadb(rs.body.data ? rs.body.data : "", rs.body.len, 0, &je);
        os_buf_free(&rs.body);
        json_t *items = json_object_get(doc, "items");
        if (!json_is_object(doc) || (items && !json_is_array(items))) {
            json_decref(doc);
            os_err_set(err, OS_EIO, "GCS listing response is malformed");
            goto done;
        }
        size_t i;
        json_t *it;
        int stop = 0;
        json_array_foreach(items, i, it) {
            const char *k = json_string_value(json_object_get(it, "name"));
            json_t *sz = json_object_get(it, "size");
            int64_t size = -1, mtime = 0;
            if (json_is_string(sz))
                (void)os_parse_i64(json_string_value(sz), &size);
            else if (json_is_integer(sz))
                size = json_integer_value(sz);
            if (k == NULL || size < 0) {
                json_decref(doc);
                os_err_set(err, OS_EIO, "GCS listing response is malformed");
                goto done;
            }
            const char *upd = json_string_value(json_object_get(it, "updated"));
            if (upd)
                (void)os_time_parse_iso(upd, &mtime);
            seen = 1;
            size_t kl = strlen(k);
            if (sto_list_order_check(&ls, k, kl, "GCS listing is not in ascending name order",
                                     err) != 0) {
                json_decref(doc);
                goto done;
            }
            int cr = sto_list_emit(&ls, k, kl, size, mtime, cb, cbctx, err);
            if (cr < 0) {
                json_decref(doc);
                goto done;
            }
            if (cr > 0) {
                stop = 1;
                break;
            }
        }
        if (json_array_size(json_object_get(doc, "prefixes")) > 0)
            seen = 1;
        const char *next = json_string_value(json_object_get(doc, "nextPageToken"));
        if (next && ptoken.len && strcmp(next, ptoken.data) == 0) {
            json_decref(doc);
            os_err_set(err, OS_EIO, "GCS listing repeats its page token");
            goto done;
        }
        os_buf_reset(&ptoken);
        if (next && *next && os_buf_puts(&ptoken, next) != 0) {
            json_decref(doc);
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto done;
        }
        json_decref(doc);
        if (stop || ptoken.len == 0) {
            ret = sto_list_finish(&ls, seen, stop, err);
            goto done;
        }
    }
    os_err_set(err, OS_ELIMIT, "GCS listing has too many pages");
done:
    sto_list_end(&ls);
    os_buf_free(&ptoken);
    os_buf_free(&url);
    return ret;
}

static int gcs_list(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                    void *cbctx, os_err *err)
{
    return gcs_list_impl(ctx, dir, start_after, 1, cb, cbctx, err);
}

int sto_gcs_list_all(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                     void *cbctx, os_err *err)
{
    return gcs_list_impl(ctx, dir, start_after, 0, cb, cbctx, err);
}

/* "{endpoint}/storage/v1/b/{bucket}/o/{object, '/' encoded}" + suffix. */
static int object_url(gcs_ctx *c, const char *key, const char *suffix, os_buf *url, os_err *err)
{
    if (sto_key_check(key, 0, err) != 0)
        return -1;
    os_buf k = OS_BUF_INIT;
    int rc = sto_key_join(&k, c->prefix, key);
    rc |= os_buf_printf(url, "%s/storage/v1/b/", c->endpoint);
    rc |= sto_uri_encode(url, c->bucket, strlen(c->bucket), 0);
    rc |= os_buf_puts(url, "/o/");
    rc |= sto_uri_encode(url, k.data, k.len, 0);
    rc |= os_buf_puts(url, suffix);
    os_buf_free(&k);
    return rc ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
}

static int gcs_stat(void *ctx, const char *key, objstore_entry *out, os_err *err)
{
    gcs_ctx *c = ctx;
    os_buf url = OS_BUF_INIT;
    int ret = object_url(c, key, "?fields=name,size,updated", &url, err);
    sto_http_req rq = {.max_body = 1 << 16};
    sto_http_resp rs = {0};
    if (ret == 0)
        ret = gcs_call(c, url.data, &rq, &rs, err);
    if (ret == 0 && (rs.status != 200 || rs.too_large))
        ret = rs.too_large ? os_err_set(err, OS_EIO, "GCS metadata response is too large")
                           : sto_http_status_err(rs.status, "GCS", key, err);
    if (ret == 0) {
        json_error_t je;
        json_t *doc = json_loadb(rs.body.data ? rs.body.data : "", rs.body.len, 0, &je);
        json_t *sz = json_object_get(doc, "size");
        int64_t size = -1, mtime = 0;
        if (json_is_string(sz))
            (void)os_parse_i64(json_string_value(sz), &size);
        const char *upd = json_string_value(json_object_get(doc, "updated"));
        if (upd)
            (void)os_time_parse_iso(upd, &mtime);
        if (size < 0)
            ret = os_err_set(err, OS_EIO, "GCS metadata for '%s' is malformed", key);
        out->name = key;
        out->size = size;
        out->mtime_ms = mtime;
        json_decref(doc);
    }
    os_buf_free(&rs.body);
    os_buf_free(&url);
    return ret;
}

static int gcs_read_all(void *ctx, const char *key, size_t max, os_buf *out, os_err *err)
{
    gcs_ctx *c = ctx;
    os_buf url = OS_BUF_INIT;
    int ret = object_url(c, key, "?alt=media", &url, err);
    sto_http_req rq = {.max_body = max};
    sto_http_resp rs = {0};
    if (ret == 0)
        ret = gcs_call(c, url.data, &rq, &rs, err);
    if (ret == 0)
        ret = sto_http_body_take(&rs, "GCS", key, max, out, err);
    os_buf_free(&rs.body);
    os_buf_free(&url);
    return ret;
}

static int gcs_read_range(void *ctx, const char *key, uint64_t offset, size_t len, void *dst,
                          size_t *got, os_err *err)
{
    gcs_ctx *c = ctx;
    *got = 0;
    os_buf url = OS_BUF_INIT;
    int ret = object_url(c, key, "?alt=media", &url, err);
    if (ret == 0 && len > 0) {
        sto_http_req rq = {.has_range = 1, .range_start = offset, .range_len = len, .dst = dst};
        sto_http_resp rs = {0};
        ret = gcs_call(c, url.data, &rq, &rs, err);
        if (ret == 0)
            ret = sto_http_range_take(&rs, "GCS", key, got, err);
        os_buf_free(&rs.body);
    }
    os_buf_free(&url);
    return ret;
}

static const objstore_vtbl gcs_vtbl = {gcs_list, gcs_stat, gcs_read_all, gcs_read_range,
                                       gcs_close};

const objstore_vtbl *sto_gcs_vtbl(void)
{
    return &gcs_vtbl;
}

int objstore_gcs_open(const gcs_store_config *cfg, objstore *out, os_err *err)
{
    const char *prefix = cfg->prefix ? cfg->prefix : "";
    const char *ep = cfg->endpoint && *cfg->endpoint ? cfg->endpoint
                                                     : "https://storage.googleapis.com";
    if (strncmp(ep, "https://", 8) != 0 && strncmp(ep, "http://", 7) != 0)
        return os_err_set(err, OS_EINVAL, "GCS endpoint must be an http(s) URL");
    if (cfg->bucket == NULL || *cfg->bucket == '\0')
        return os_err_set(err, OS_EINVAL, "GCS store needs a bucket");
    if (*prefix && (prefix[strlen(prefix) - 1] == '/' || sto_key_check(prefix, 0, err) != 0))
        return os_err_set(err, OS_EINVAL, "GCS root prefix is malformed");
    gcs_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    pthread_mutex_init(&c->lock, NULL);
    if ((c->signer = gcs_signer_new(cfg->sa_json, err)) == NULL) {
        gcs_close(c);
        return -1;
    }
    const char *turi = cfg->token_uri && *cfg->token_uri ? cfg->token_uri
                                                         : gcs_signer_token_uri(c->signer);
    size_t el = strlen(ep);
    while (el > 0 && ep[el - 1] == '/')
        el--;
    c->endpoint = strndup(ep, el);
    c->token_uri = strdup(turi);
    c->bucket = strdup(cfg->bucket);
    c->prefix = strdup(prefix);
    if (!c->endpoint || !c->token_uri || !c->bucket || !c->prefix) {
        gcs_close(c);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    if (strncmp(c->token_uri, "https://", 8) != 0 && strncmp(c->token_uri, "http://", 7) != 0) {
        gcs_close(c);
        return os_err_set(err, OS_EINVAL, "GCS token_uri must be an http(s) URL");
    }
    out->v = &gcs_vtbl;
    out->ctx = c;
    return 0;
}
