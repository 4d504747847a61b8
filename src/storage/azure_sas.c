/* azure_sas.c - service SAS (account key or user delegation key) for Azure blobs, ADLS Gen2 directories and containers; blob endpoints. */
#include "storage/azure_sas.h"

#include <stdio.h>
#include <string.h>

#include "base/base64.h"
#include "base/crypto.h"
#include "storage/sign_util.h"

static const char *resource_of(azure_sas_scope s)
{
    return s == AZURE_SAS_BLOB ? "b" : s == AZURE_SAS_DIRECTORY ? "d" : "c";
}

/* Segments in a directory path ("a/b" -> 2). */
static int depth_of(const char *p)
{
    int n = 0, in = 0;
    for (; *p; p++) {
        if (*p == '/')
            in = 0;
        else if (!in) {
            in = 1;
            n++;
        }
    }
    return n;
}

static int check(const azure_sas_in *in, os_err *err)
{
    if (in->account == NULL || *in->account == '\0' || in->container == NULL ||
        *in->container == '\0')
        return os_err_set(err, OS_EINVAL, "Azure SAS needs an account and a container");
    if (in->udk == NULL && (in->account_key == NULL || *in->account_key == '\0'))
        return os_err_set(err, OS_EINVAL, "Azure SAS needs an account key");
    if (in->udk && (in->udk->value == NULL || in->udk->signed_oid == NULL ||
                    in->udk->signed_tid == NULL || in->udk->signed_service == NULL ||
                    in->udk->signed_version == NULL || in->udk->signed_expiry_s <= 0))
        return os_err_set(err, OS_EINVAL, "Azure user delegation key is incomplete");
    if (in->scope != AZURE_SAS_BLOB && in->scope != AZURE_SAS_DIRECTORY &&
        in->scope != AZURE_SAS_CONTAINER)
        return os_err_set(err, OS_EINVAL, "Azure SAS scope is invalid");
    if (in->scope != AZURE_SAS_CONTAINER &&
        (in->path == NULL || *in->path == '\0' || in->path[0] == '/'))
        return os_err_set(err, OS_EINVAL, "Azure SAS needs a relative blob or directory path");
    const char *p = in->permissions ? in->permissions : "";
    if (strcmp(p, "r") != 0 && strcmp(p, "l") != 0 && strcmp(p, "rl") != 0)
        return os_err_set(err, OS_EINVAL, "Azure SAS permissions must be r, l or rl");
    if (in->scope == AZURE_SAS_BLOB && strchr(p, 'l'))
        return os_err_set(err, OS_EINVAL, "a blob SAS cannot grant list");
    if (in->expiry_s <= 0 || (in->start_s != 0 && in->start_s >= in->expiry_s))
        return os_err_set(err, OS_EINVAL, "Azure SAS expiry must be after its start");
    const char *v = in->version ? in->version : AZURE_SAS_VERSION;
    if (strlen(v) != 10 || strcmp(v, "2020-12-06") < 0)
        return os_err_set(err, OS_EINVAL, "Azure SAS version must be 2020-12-06 or later");
    if (in->udk && strcmp(v, "2025-07-05") >= 0)
        return os_err_set(err, OS_EINVAL, "user delegation SAS versions from 2025-07-05 are not supported");
    return 0;
}

int azure_sas_string_to_sign(const azure_sas_in *in, os_buf *out, os_err *err)
{
    if (check(in, err) != 0)
        return -1;
    char st[21] = "", se[21];
    if (in->start_s)
        sto_time_iso(in->start_s, st);
    sto_time_iso(in->expiry_s, se);
    int rc = os_buf_printf(out, "%s\n%s\n%s\n/blob/%s/%s", in->permissions, st, se, in->account,
                           in->container);
    if (in->scope != AZURE_SAS_CONTAINER)
        rc |= os_buf_printf(out, "/%s", in->path);
    if (in->udk) {
        /* key oid, tid, start, expiry, service, version; then authorized agent
         * oid, unauthorized agent oid, correlation id (empty); then IP. */
        const azure_udk *k = in->udk;
        char ks[21] = "", ke[21];
        if (k->signed_start_s)
            sto_time_iso(k->signed_start_s, ks);
        sto_time_iso(k->signed_expiry_s, ke);
        rc |= os_buf_printf(out, "\n%s\n%s\n%s\n%s\n%s\n%s\n\n\n\n", k->signed_oid, k->signed_tid, ks,
                            ke, k->signed_service, k->signed_version);
    } else {
        rc |= os_buf_puts(out, "\n\n"); /* identifier, IP */
    }
    /* protocol, version, resource, snapshot, encryption scope, then the five
     * response-header overrides (all empty here). */
    rc |= os_buf_printf(out, "\n%s\n%s\n%s\n\n\n\n\n\n\n", in->allow_http ? "https,http" : "https",
                        in->version ? in->version : AZURE_SAS_VERSION, resource_of(in->scope));
    if (rc != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

int azure_sas_make(const azure_sas_in *in, os_buf *out, os_err *err)
{
    os_buf sts = OS_BUF_INIT, q = OS_BUF_INIT;
    int ret = -1;
    if (azure_sas_string_to_sign(in, &sts, err) != 0)
        goto done;
    const char *key_b64 = in->udk ? in->udk->value : in->account_key;
    size_t kl = strlen(key_b64);
    uint8_t key[256];
    if (kl > 300) {
        os_err_set(err, OS_EINVAL, "Azure account key is too long");
        goto done;
    }
    long n = os_base64_decode(key_b64, kl, key, sizeof key, 0);
    if (n <= 0) {
        os_err_set(err, OS_EINVAL, "Azure account key is not valid Base64");
        goto done;
    }
    uint8_t mac[32];
    os_hmac_sha256(key, (size_t)n, sts.data, sts.len, mac);
    memset(key, 0, sizeof key);
    char sig[48];
    os_base64_encode(mac, 32, sig, 0);
    char st[21] = "", se[21], sdd[16];
    if (in->start_s)
        sto_time_iso(in->start_s, st);
    sto_time_iso(in->expiry_s, se);
    int rc = sto_query_add(&q, "sv", in->version ? in->version : AZURE_SAS_VERSION);
    rc |= sto_query_add(&q, "spr", in->allow_http ? "https,http" : "https");
    if (in->start_s)
        rc |= sto_query_add(&q, "st", st);
    rc |= sto_query_add(&q, "se", se);
    if (in->udk) {
        char ks[21], ke[21];
        sto_time_iso(in->udk->signed_start_s, ks);
        sto_time_iso(in->udk->signed_expiry_s, ke);
        rc |= sto_query_add(&q, "skoid", in->udk->signed_oid);
        rc |= sto_query_add(&q, "sktid", in->udk->signed_tid);
        if (in->udk->signed_start_s)
            rc |= sto_query_add(&q, "skt", ks);
        rc |= sto_query_add(&q, "ske", ke);
        rc |= sto_query_add(&q, "sks", in->udk->signed_service);
        rc |= sto_query_add(&q, "skv", in->udk->signed_version);
    }
    rc |= sto_query_add(&q, "sr", resource_of(in->scope));
    rc |= sto_query_add(&q, "sp", in->permissions);
    rc |= sto_query_add(&q, "sig", sig);
    if (in->scope == AZURE_SAS_DIRECTORY) {
        /* After sig, where the Data Lake SDK writes it. */
        snprintf(sdd, sizeof sdd, "%d", depth_of(in->path));
        rc |= sto_query_add(&q, "sdd", sdd);
    }
    rc |= os_buf_append(out, q.data, q.len);
    if (rc != 0) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    ret = 0;
done:
    os_buf_free(&sts);
    os_buf_free(&q);
    return ret;
}

int azure_blob_url(const char *endpoint, const char *container, const char *blob, os_buf *out,
                   os_err *err)
{
    size_t el = strlen(endpoint);
    while (el > 0 && endpoint[el - 1] == '/')
        el--;
    int rc = os_buf_append(out, endpoint, el);
    rc |= os_buf_putc(out, '/');
    rc |= sto_uri_encode(out, container, strlen(container), 0);
    if (blob && *blob) {
        rc |= os_buf_putc(out, '/');
        rc |= sto_uri_encode(out, blob, strlen(blob), 1);
    }
    if (rc != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

int azure_presign_get(const char *endpoint, const char *account, const char *account_key,
                      const char *container, const char *blob, int64_t now_s, int64_t expires_s,
                      int allow_http, os_buf *out, os_err *err)
{
    azure_sas_in in = {.account = account, .account_key = account_key, .container = container,
                       .path = blob, .scope = AZURE_SAS_BLOB, .permissions = "r",
                       .expiry_s = now_s + expires_s, .allow_http = allow_http};
    if (expires_s < 1)
        return os_err_set(err, OS_EINVAL, "SAS expiry must be positive");
    if (azure_blob_url(endpoint, container, blob, out, err) != 0 || os_buf_putc(out, '?') != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return azure_sas_make(&in, out, err);
}

int azure_blob_endpoint_of(const char *authority, os_buf *out, os_err *err)
{
    const char *at = strchr(authority, '@');
    const char *host = at ? at + 1 : authority;
    if (*host == '\0' || strpbrk(host, "/?#@ ") != NULL)
        return os_err_set(err, OS_EINVAL, "Azure location host is malformed");
    int rc = os_buf_puts(out, "https://");
    const char *dfs = strstr(host, ".dfs.");
    if (strchr(host, '.') == NULL)
        rc |= os_buf_printf(out, "%s.blob.core.windows.net", host);
    else if (dfs) {
        rc |= os_buf_append(out, host, (size_t)(dfs - host));
        rc |= os_buf_printf(out, ".blob.%s", dfs + 5);
    } else
        rc |= os_buf_puts(out, host);
    return rc ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
}
