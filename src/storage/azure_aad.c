/* azure_aad.c - client-credentials tokens from Azure AD and user delegation keys from Blob storage. */
#include "storage/azure_aad.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "storage/sign_util.h"
#include "storage/sto_http.h"
#include "storage/sto_oauth.h"
#include "storage/xml_scan.h"

int azure_aad_token(const azure_aad_client *c, int64_t now_s, os_buf *token,
                    int64_t *expires_at_s, os_err *err)
{
    if (c->tenant_id == NULL || c->client_id == NULL || c->client_secret == NULL ||
        *c->tenant_id == '\0' || strpbrk(c->tenant_id, "/?#@ ") != NULL)
        return os_err_set(err, OS_EINVAL, "Azure AD credentials are incomplete");
    const char *auth = c->authority && *c->authority ? c->authority : AZURE_AAD_AUTHORITY;
    if (strncmp(auth, "https://", 8) != 0 && strncmp(auth, "http://", 7) != 0)
        return os_err_set(err, OS_EINVAL, "Azure AD authority must be an http(s) URL");
    os_buf url = OS_BUF_INIT, body = OS_BUF_INIT;
    int ret = 0;
    size_t al = strlen(auth);
    while (al > 0 && auth[al - 1] == '/')
        al--;
    int rc = os_buf_append(&url, auth, al);
    rc |= os_buf_printf(&url, "/%s/oauth2/v2.0/token", c->tenant_id);
    rc |= sto_query_add(&body, "grant_type", "client_credentials");
    rc |= sto_query_add(&body, "client_id", c->client_id);
    rc |= sto_query_add(&body, "client_secret", c->client_secret);
    rc |= sto_query_add(&body, "scope", "https://storage.azure.com/.default");
    if (rc)
        ret = os_err_set(err, OS_ENOMEM, "out of memory");
    if (ret == 0) {
        sto_oauth_req rq = {.url = url.data, .form = &body, .max_token = 16384,
                            .endpoint_name = "Azure AD token endpoint", .issuer_name = "Azure AD"};
        int64_t exp = 0;
        ret = sto_oauth_token_post(&rq, token, &exp, err);
        if (ret == 0)
            *expires_at_s = now_s + (exp ? exp : 300);
    }
    if (body.data)
        memset(body.data, 0, body.len);
    os_buf_free(&url);
    os_buf_free(&body);
    return ret;
}

void azure_udk_owned_free(azure_udk_owned *k)
{
    if (k == NULL)
        return;
    if (k->value)
        memset(k->value, 0, strlen(k->value));
    free(k->oid);
    free(k->tid);
    free(k->service);
    free(k->version);
    free(k->value);
    memset(k, 0, sizeof *k);
}

/* Fields of a user delegation key answer: short (ids, times, a base64 key). */
static char *xml_get(xml_span in, const char *tag)
{
    return xml_child_text_dup(in, tag, 1024);
}

int azure_udk_fetch(const char *endpoint, const char *bearer, int64_t start_s, int64_t expiry_s,
                    azure_udk_owned *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    if (expiry_s <= start_s || expiry_s - start_s > 7 * 86400)
        return os_err_set(err, OS_EINVAL, "user delegation keys last at most 7 days");
    char st[21], se[21];
    sto_time_iso(start_s, st);
    sto_time_iso(expiry_s, se);
    os_buf url = OS_BUF_INIT, body = OS_BUF_INIT, auth = OS_BUF_INIT;
    size_t el = strlen(endpoint);
    while (el > 0 && endpoint[el - 1] == '/')
        el--;
    int rc = os_buf_append(&url, endpoint, el);
    rc |= os_buf_puts(&url, "/?restype=service&comp=userdelegationkey");
    rc |= os_buf_printf(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?><KeyInfo><Start>%s</Start>"
                               "<Expiry>%s</Expiry></KeyInfo>", st, se);
    rc |= os_buf_printf(&auth, "Authorization: Bearer %s", bearer);
    sto_http_resp rs = {0};
    int ret = rc ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
    if (ret == 0) {
        const char *h[] = {auth.data, "x-ms-version: " AZURE_SAS_VERSION,
                           "Content-Type: application/xml", NULL};
        sto_http_req rq = {.method = "POST", .url = url.data, .headers = h, .body = body.data,
                           .body_len = body.len, .max_body = 1 << 16};
        ret = sto_http_do(&rq, &rs, err);
    }
    if (ret == 0 && (rs.status != 200 || rs.too_large))
        ret = os_err_set(err, rs.status == 401 || rs.status == 403 ? OS_EPERM : OS_EIO,
                         "Get User Delegation Key answered HTTP %ld", rs.status);
    if (ret == 0) {
        xml_span doc = {rs.body.data ? rs.body.data : "", rs.body.len}, k;
        char *ks = NULL, *ke = NULL;
        if (xml_child(doc, "UserDelegationKey", &k) == 1) {
            out->oid = xml_get(k, "SignedOid");
            out->tid = xml_get(k, "SignedTid");
            ks = xml_get(k, "SignedStart");
            ke = xml_get(k, "SignedExpiry");
            out->service = xml_get(k, "SignedService");
            out->version = xml_get(k, "SignedVersion");
            out->value = xml_get(k, "Value");
        }
        int64_t sms = 0, ems = 0;
        if (!out->oid || !out->tid || !ks || !ke || !out->service || !out->version ||
            !out->value || os_time_parse_iso(ks, &sms) != 0 || os_time_parse_iso(ke, &ems) != 0) {
            azure_udk_owned_free(out);
            ret = os_err_set(err, OS_EIO, "user delegation key answer is malformed");
        } else {
            out->key = (azure_udk){out->oid, out->tid, sms / 1000, ems / 1000, out->service,
                                   out->version, out->value};
        }
        free(ks);
        free(ke);
    }
    if (auth.data)
        memset(auth.data, 0, auth.len);
    if (rs.body.data)
        memset(rs.body.data, 0, rs.body.len);
    os_buf_free(&url);
    os_buf_free(&body);
    os_buf_free(&auth);
    os_buf_free(&rs.body);
    return ret;
}
