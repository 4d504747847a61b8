/* azure_store.c - the objstore interface over Azure Blob / ADLS Gen2 (List Blobs, Get Blob Properties, ranged Get Blob) with SAS auth. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "base/timeutil.h"
#include "storage/azure_aad.h"
#include "storage/azure_sas.h"
#include "storage/sign_util.h"
#include "storage/store_int.h"
#include "storage/store_key.h"
#include "storage/store_open.h"
#include "storage/sto_http.h"
#include "storage/xml_scan.h"

#define AZ_SAS_LIFETIME 3600
#define AZ_SAS_RENEW_MARGIN 300

typedef struct az_ctx {
    char *endpoint, *account, *key, *container, *prefix;
    pthread_mutex_t lock;
    char *sas;            /* current SAS query (given, or minted from key) */
    int64_t sas_expiry;   /* 0: given SAS, never renewed here */
    char *aad_authority, *tenant, *client, *client_secret;  /* Azure AD, or NULL */
    azure_udk_owned udk;  /* with Azure AD: the key that signs the minted SAS */
} az_ctx;

static void az_close(void *vctx)
{
    az_ctx *c = vctx;
    if (c == NULL)
        return;
    if (c->key)
        memset(c->key, 0, strlen(c->key));
    if (c->sas)
        memset(c->sas, 0, strlen(c->sas));
    free(c->endpoint);
    free(c->account);
    free(c->key);
    free(c->container);
    free(c->prefix);
    free(c->sas);
    free(c->aad_authority);
    free(c->tenant);
    free(c->client);
    if (c->client_secret)
        memset(c->client_secret, 0, strlen(c->client_secret));
    free(c->client_secret);
    azure_udk_owned_free(&c->udk);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Appends "?" or "&" then the current SAS to url, minting a new one when needed. */
static int add_sas(az_ctx *c, os_buf *url, int first, os_err *err)
{
    int ret = 0;
    pthread_mutex_lock(&c->lock);
    int64_t now = os_now_ms() / 1000;
    int mint = (c->key || c->tenant) && (c->sas == NULL || now + AZ_SAS_RENEW_MARGIN >= c->sas_expiry);
    if (mint && c->key == NULL &&
        (c->udk.value == NULL || now + AZ_SAS_LIFETIME + AZ_SAS_RENEW_MARGIN >= c->udk.key.signed_expiry_s)) {
        /* Azure AD: a fresh user delegation key (one day) to sign container SAS with. */
        azure_aad_client aad = {c->aad_authority, c->tenant, c->client, c->client_secret};
        os_buf tok = OS_BUF_INIT;
        int64_t texp;
        azure_udk_owned_free(&c->udk);
        ret = azure_aad_token(&aad, now, &tok, &texp, err);
        if (ret == 0)
            ret = azure_udk_fetch(c->endpoint, tok.data, now - 300, now + 86400, &c->udk, err);
        if (tok.data)
            memset(tok.data, 0, tok.len);
        os_buf_free(&tok);
        if (ret != 0)
            mint = 0;
    }
    if (mint) {
        azure_sas_in in = {.account = c->account, .account_key = c->key,
                           .container = c->container, .scope = AZURE_SAS_CONTAINER,
                           .permissions = "rl", .expiry_s = now + AZ_SAS_LIFETIME,
                           .allow_http = strncmp(c->endpoint, "http://", 7) == 0,
                           .udk = c->key ? NULL : &c->udk.key};
        os_buf q = OS_BUF_INIT;
        if (azure_sas_make(&in, &q, err) != 0) {
            os_buf_free(&q);
            ret = -1;
        } else {
            if (c->sas) {
                memset(c->sas, 0, strlen(c->sas));
                free(c->sas);
            }
            c->sas = os_buf_detach(&q);
            c->sas_expiry = in.expiry_s;
        }
    }
    if (ret == 0 && (os_buf_putc(url, first ? '?' : '&') != 0 || os_buf_puts(url, c->sas) != 0))
        ret = os_err_set(err, OS_ENOMEM, "out of memory");
    pthread_mutex_unlock(&c->lock);
    return ret;
}

static const char *const az_headers[] = {"x-ms-version: " AZURE_SAS_VERSION, NULL};

static int az_call(az_ctx *c, const char *method, os_buf *url, int has_query, sto_http_req *rq,
                   sto_http_resp *rs, os_err *err)
{
    if (add_sas(c, url, !has_query, err) != 0)
        return -1;
    rq->method = method;
    rq->url = url->data;
    rq->headers = az_headers;
    return sto_http_do(rq, rs, err);
}

static int az_list_impl(az_ctx *c, const char *dir, const char *start_after, int delimited,
                        objstore_list_cb cb, void *cbctx, os_err *err)
{
    sto_list_scope ls;
    if (sto_list_begin(&ls, c->prefix, dir, start_after, delimited, err) != 0)
        return -1;
    os_buf marker = OS_BUF_INIT, url = OS_BUF_INIT, name = OS_BUF_INIT, txt = OS_BUF_INIT;
    int ret = -1, seen = 0;
    for (long page = 0; page < STO_LIST_MAX_PAGES; page++) {
        os_buf_reset(&url);
        int rc = os_buf_printf(&url, "%s/", c->endpoint);
        rc |= sto_uri_encode(&url, c->container, strlen(c->container), 0);
        rc |= os_buf_puts(&url, "?restype=container&comp=list");
        if (delimited)
            rc |= sto_query_add(&url, "delimiter", "/");
        else
            rc |= sto_query_add(&url, "include", "metadata"); /* to see ADLS Gen2 folder markers */
        if (marker.len)
            rc |= sto_query_add(&url, "marker", marker.data);
        rc |= sto_query_add(&url, "maxresults", "5000");
        rc |= sto_query_add(&url, "prefix", os_buf_cstr(&ls.full));
        if (rc) {
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto done;
        }
        sto_http_req rq = {.max_body = STO_LIST_MAX_BODY};
        sto_http_resp rs = {0};
        if (az_call(c, "GET", &url, 1, &rq, &rs, err) != 0) {
            os_buf_free(&rs.body);
            goto done;
        }
        if (rs.too_large || rs.status != 200) {
            if (rs.too_large)
                os_err_set(err, OS_ELIMIT, "Azure listing page is too large");
            else
                sto_http_status_err(rs.status, "Azure", os_buf_cstr(&ls.full), err);
            os_buf_free(&rs.body);
            goto done;
        }
        const char *doc = os_buf_cstr(&rs.body);
        size_t len = rs.body.len, pos = 0;
        xml_span item, sp, props;
        int r, stop = 0;
        while (!stop && (r = xml_next(doc, len, &pos, "Blob", &item)) == 1) {
            os_buf_reset(&name);
            os_buf_reset(&txt);
            int64_t size = -1, mtime = 0;
            if (xml_child(item, "Name", &sp) != 1 || xml_text(sp, &name) != 0 ||
                xml_child(item, "Properties", &props) != 1) {
                r = -1;
                break;
            }
            if (xml_child(props, "Content-Length", &sp) != 1 || xml_text(sp, &txt) != 0 ||
                os_parse_i64(os_buf_cstr(&txt), &size) != 0 || size < 0) {
                r = -1;
                break;
            }
            if (xml_child(props, "Last-Modified", &sp) == 1)
                (void)sto_http_date_parse(sp.p, sp.n, &mtime);
            seen = 1;
            const char *k = os_buf_cstr(&name);
            if (sto_list_order_check(&ls, k, name.len,
                                     "Azure listing is not in ascending name order", err) != 0) {
                os_buf_free(&rs.body);
                goto done;
            }
            os_buf_reset(&txt);
            if (xml_child(props, "ResourceType", &sp) == 1 && xml_text(sp, &txt) == 0 &&
                strcmp(os_buf_cstr(&txt), "directory") == 0)
                continue;   /* ADLS Gen2 directory entries */
            os_buf_reset(&txt);
            xml_span md;
            if (xml_child(item, "Metadata", &md) == 1 && xml_child(md, "hdi_isfolder", &sp) == 1 &&
                xml_text(sp, &txt) == 0 && strcmp(os_buf_cstr(&txt), "true") == 0)
                continue;   /* folder marker blobs (hdi_isfolder=true) */
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
            os_err_set(err, OS_EIO, "Azure listing response is malformed");
            goto done;
        }
        size_t p2 = 0;
        if (!seen && xml_next(doc, len, &p2, "BlobPrefix", &sp) == 1)
            seen = 1;
        os_buf next = OS_BUF_INIT;
        if (xml_child((xml_span){doc, len}, "NextMarker", &sp) == 1 && xml_text(sp, &next) != 0) {
            os_buf_free(&next);
            os_buf_free(&rs.body);
            os_err_set(err, OS_EIO, "Azure listing marker is malformed");
            goto done;
        }
        os_buf_free(&rs.body);
        if (next.len && marker.len && strcmp(next.data, marker.data) == 0) {
            os_buf_free(&next);
            os_err_set(err, OS_EIO, "Azure listing repeats its marker");
            goto done;
        }
        os_buf_free(&marker);
        marker = next;
        if (stop || marker.len == 0) {
            ret = sto_list_finish(&ls, seen, stop, err);
            goto done;
        }
    }
    os_err_set(err, OS_ELIMIT, "Azure listing has too many pages");
done:
    sto_list_end(&ls);
    os_buf_free(&marker);
    os_buf_free(&url);
    os_buf_free(&name);
    os_buf_free(&txt);
    return ret;
}

static int az_list(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                   void *cbctx, os_err *err)
{
    return az_list_impl(ctx, dir, start_after, 1, cb, cbctx, err);
}

int sto_azure_list_all(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                       void *cbctx, os_err *err)
{
    return az_list_impl(ctx, dir, start_after, 0, cb, cbctx, err);
}

/* The blob URL of key under the root (without SAS). */
static int blob_url(az_ctx *c, const char *key, os_buf *url, os_err *err)
{
    if (sto_key_check(key, 0, err) != 0)
        return -1;
    os_buf k = OS_BUF_INIT;
    int rc = sto_key_join(&k, c->prefix, key);
    rc |= azure_blob_url(c->endpoint, c->container, k.data, url, err);
    os_buf_free(&k);
    return rc ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
}

static int az_stat(void *ctx, const char *key, objstore_entry *out, os_err *err)
{
    az_ctx *c = ctx;
    os_buf url = OS_BUF_INIT;
    if (blob_url(c, key, &url, err) != 0) {
        os_buf_free(&url);
        return -1;
    }
    sto_http_req rq = {0};
    sto_http_resp rs = {0};
    int ret = az_call(c, "HEAD", &url, 0, &rq, &rs, err);
    if (ret == 0)
        ret = sto_http_stat_take(&rs, "Azure", key, out, err);
    os_buf_free(&rs.body);
    os_buf_free(&url);
    return ret;
}

static int az_read_all(void *ctx, const char *key, size_t max, os_buf *out, os_err *err)
{
    az_ctx *c = ctx;
    os_buf url = OS_BUF_INIT;
    if (blob_url(c, key, &url, err) != 0) {
        os_buf_free(&url);
        return -1;
    }
    sto_http_req rq = {.max_body = max};
    sto_http_resp rs = {0};
    int ret = az_call(c, "GET", &url, 0, &rq, &rs, err);
    if (ret == 0)
        ret = sto_http_body_take(&rs, "Azure", key, max, out, err);
    os_buf_free(&rs.body);
    os_buf_free(&url);
    return ret;
}

static int az_read_range(void *ctx, const char *key, uint64_t offset, size_t len, void *dst,
                         size_t *got, os_err *err)
{
    az_ctx *c = ctx;
    *got = 0;
    os_buf url = OS_BUF_INIT;
    if (blob_url(c, key, &url, err) != 0) {
        os_buf_free(&url);
        return -1;
    }
    int ret = 0;
    if (len > 0) {
        sto_http_req rq = {.has_range = 1, .range_start = offset, .range_len = len, .dst = dst};
        sto_http_resp rs = {0};
        ret = az_call(c, "GET", &url, 0, &rq, &rs, err);
        if (ret == 0)
            ret = sto_http_range_take(&rs, "Azure", key, got, err);
        os_buf_free(&rs.body);
    }
    os_buf_free(&url);
    return ret;
}

static const objstore_vtbl az_vtbl = {az_list, az_stat, az_read_all, az_read_range, az_close};

const objstore_vtbl *sto_azure_vtbl(void)
{
    return &az_vtbl;
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

int objstore_azure_open(const azure_store_config *cfg, objstore *out, os_err *err)
{
    const char *prefix = cfg->prefix ? cfg->prefix : "";
    if (cfg->endpoint == NULL || (strncmp(cfg->endpoint, "https://", 8) != 0 &&
                                  strncmp(cfg->endpoint, "http://", 7) != 0))
        return os_err_set(err, OS_EINVAL, "Azure endpoint must be an http(s) URL");
    if (cfg->container == NULL || *cfg->container == '\0' || cfg->account == NULL)
        return os_err_set(err, OS_EINVAL, "Azure store needs an account and a container");
    int aad = cfg->aad_tenant_id && cfg->aad_client_id && cfg->aad_client_secret;
    if (cfg->account_key == NULL && cfg->sas == NULL && !aad)
        return os_err_set(err, OS_EINVAL,
                          "Azure store needs an account key, a SAS or Azure AD credentials");
    if (*prefix && (prefix[strlen(prefix) - 1] == '/' || sto_key_check(prefix, 0, err) != 0))
        return os_err_set(err, OS_EINVAL, "Azure root prefix is malformed");
    az_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    pthread_mutex_init(&c->lock, NULL);
    int oom = 0;
    size_t el = strlen(cfg->endpoint);
    while (el > 0 && cfg->endpoint[el - 1] == '/')
        el--;
    c->endpoint = strndup(cfg->endpoint, el);
    oom |= c->endpoint == NULL;
    c->account = dup_or_null(cfg->account, &oom);
    c->key = dup_or_null(cfg->account_key, &oom);
    c->container = dup_or_null(cfg->container, &oom);
    c->prefix = dup_or_null(prefix, &oom);
    if (cfg->account_key == NULL && cfg->sas != NULL)
        c->sas = dup_or_null(cfg->sas[0] == '?' ? cfg->sas + 1 : cfg->sas, &oom);
    else if (cfg->account_key == NULL && aad) {
        c->aad_authority = dup_or_null(cfg->aad_authority, &oom);
        c->tenant = dup_or_null(cfg->aad_tenant_id, &oom);
        c->client = dup_or_null(cfg->aad_client_id, &oom);
        c->client_secret = dup_or_null(cfg->aad_client_secret, &oom);
    }
    if (oom) {
        az_close(c);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    out->v = &az_vtbl;
    out->ctx = c;
    return 0;
}
