/* s3_sign.c - S3 addressing (virtual-hosted or path-style, custom endpoints) and SigV4 presigned GET URLs. */
#include "storage/s3_sign.h"

#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "storage/sign_util.h"

static const char *region_of(const s3_target *t)
{
    return t->region && *t->region ? t->region : "us-east-1";
}

/* 1 when host (without port) is an IPv4 literal or a bracketed IPv6 literal. */
static int host_is_ip(const char *h, size_t n)
{
    if (n > 0 && h[0] == '[')
        return 1;
    int dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i] == '.')
            dots++;
        else if (h[i] < '0' || h[i] > '9')
            return 0;
    }
    return dots == 3;
}

/* Bucket names that can be a DNS label: 3..63 of [a-z0-9-], not starting or
 * ending with '-' (dotted names go path-style so TLS host checks keep working). */
static int bucket_virtual_ok(const char *b)
{
    size_t n = strlen(b);
    if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '-'))
            return 0;
    return 1;
}

static int bucket_check(const char *b, os_err *err)
{
    if (b == NULL || *b == '\0')
        return os_err_set(err, OS_EINVAL, "S3 bucket name is empty");
    for (const char *p = b; *p; p++)
        if (*p == '/' || (unsigned char)*p <= 0x20 || *p == 0x7f)
            return os_err_set(err, OS_EINVAL, "S3 bucket name has an invalid character");
    return 0;
}

int s3_target_resolve(const s3_target *t, const char *key, os_buf *origin, os_buf *host,
                      os_buf *path, os_err *err)
{
    if (bucket_check(t->bucket, err) != 0)
        return -1;
    const char *scheme = "https";
    const char *h = NULL, *base = "";
    size_t hn = 0, basen = 0;
    os_buf aws = OS_BUF_INIT;
    if (t->endpoint && *t->endpoint) {
        const char *e = t->endpoint;
        if (strncmp(e, "https://", 8) == 0)
            e += 8;
        else if (strncmp(e, "http://", 7) == 0) {
            scheme = "http";
            e += 7;
        } else
            return os_err_set(err, OS_EINVAL, "S3 endpoint must start with http:// or https://");
        h = e;
        const char *slash = strchr(e, '/');
        hn = slash ? (size_t)(slash - e) : strlen(e);
        if (slash) {
            base = slash;
            basen = strlen(slash);
            while (basen > 0 && base[basen - 1] == '/')
                basen--;
        }
        if (hn == 0)
            return os_err_set(err, OS_EINVAL, "S3 endpoint has no host");
        for (size_t i = 0; i < hn; i++)
            if ((unsigned char)h[i] <= 0x20 || h[i] == '@' || h[i] == '?' || h[i] == '#')
                return os_err_set(err, OS_EINVAL, "S3 endpoint host has an invalid character");
        /* Drop a default port the way URL parsers do. */
        if (strcmp(scheme, "http") == 0 && hn > 3 && memcmp(h + hn - 3, ":80", 3) == 0)
            hn -= 3;
        else if (strcmp(scheme, "https") == 0 && hn > 4 && memcmp(h + hn - 4, ":443", 4) == 0)
            hn -= 4;
    } else {
        if (os_buf_printf(&aws, "s3.%s.amazonaws.com", region_of(t)) != 0)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        h = aws.data;
        hn = aws.len;
    }
    /* Host part without the port, to tell IP literals apart. */
    size_t hostonly = hn;
    if (h[0] == '[') {
        const char *rb = memchr(h, ']', hn);
        hostonly = rb ? (size_t)(rb - h) + 1 : hn;
    } else {
        const char *colon = memchr(h, ':', hn);
        if (colon)
            hostonly = (size_t)(colon - h);
    }
    int virt = !t->path_style && bucket_virtual_ok(t->bucket) && !host_is_ip(h, hostonly);
    int rc = 0;
    if (origin) {
        rc |= virt ? os_buf_printf(origin, "%s://%s.", scheme, t->bucket)
                   : os_buf_printf(origin, "%s://", scheme);
        rc |= os_buf_append(origin, h, hn);
    }
    if (host) {
        if (virt)
            rc |= os_buf_printf(host, "%s.", t->bucket);
        rc |= os_buf_append(host, h, hn);
    }
    if (path) {
        rc |= sto_uri_encode(path, base, basen, 1);
        if (!virt) {
            rc |= os_buf_putc(path, '/');
            rc |= sto_uri_encode(path, t->bucket, strlen(t->bucket), 0);
        }
        rc |= os_buf_putc(path, '/');
        if (key)
            rc |= sto_uri_encode(path, key, strlen(key), 1);
    }
    os_buf_free(&aws);
    if (rc != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

void s3_signing_key(const char *secret, const char *date, const char *region,
                    const char *service, uint8_t out[32])
{
    size_t sl = strlen(secret);
    char k0[8 + 256];
    size_t kn = sl < 256 ? sl : 256;
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, kn);
    uint8_t k1[32], k2[32], k3[32];
    os_hmac_sha256(k0, 4 + kn, date, strlen(date), k1);
    os_hmac_sha256(k1, 32, region, strlen(region), k2);
    os_hmac_sha256(k2, 32, service, strlen(service), k3);
    os_hmac_sha256(k3, 32, "aws4_request", 12, out);
    memset(k0, 0, sizeof k0);
}

/* The signing key changes once a day per secret and region; each thread keeps
 * the last one (keyed by a hash of the secret, never the secret itself), which
 * saves four of the six HMACs of a presign. */
static _Thread_local struct {
    int valid;
    char date[9];
    char region[64];
    uint8_t secret_hash[32];
    uint8_t key[32];
} key_cache;

static void signing_key_cached(const char *secret, const char *date, const char *region,
                               uint8_t out[32])
{
    uint8_t h[32];
    os_sha256(secret, strlen(secret), h);
    if (key_cache.valid && strcmp(key_cache.date, date) == 0 &&
        strcmp(key_cache.region, region) == 0 && os_ct_equal(key_cache.secret_hash, h, 32)) {
        memcpy(out, key_cache.key, 32);
        return;
    }
    s3_signing_key(secret, date, region, "s3", out);
    if (strlen(region) < sizeof key_cache.region) {
        memcpy(key_cache.date, date, 9);
        strcpy(key_cache.region, region);
        memcpy(key_cache.secret_hash, h, 32);
        memcpy(key_cache.key, out, 32);
        key_cache.valid = 1;
    }
}

int s3_presign_get(const s3_target *t, const s3_creds *c, const char *key, int64_t now_s,
                   int64_t expires_s, int flags, os_buf *url, os_err *err)
{
    if (expires_s < 1 || expires_s > S3_PRESIGN_MAX_EXPIRES)
        return os_err_set(err, OS_EINVAL, "presigned URL expiry must be 1..%d seconds",
                          S3_PRESIGN_MAX_EXPIRES);
    if (c == NULL || c->access_key_id == NULL || *c->access_key_id == '\0' ||
        c->secret_access_key == NULL || *c->secret_access_key == '\0')
        return os_err_set(err, OS_EINVAL, "S3 credentials are incomplete");
    if (key == NULL || *key == '\0')
        return os_err_set(err, OS_EINVAL, "S3 object key is empty");
    os_buf origin = OS_BUF_INIT, host = OS_BUF_INIT, path = OS_BUF_INIT, q = OS_BUF_INIT;
    os_buf creq = OS_BUF_INIT, sts = OS_BUF_INIT, cred = OS_BUF_INIT;
    int ret = -1;
    if (s3_target_resolve(t, key, &origin, &host, &path, err) != 0)
        goto out;
    char date[9], stamp[17], exp[24];
    sto_time_compact(now_s, date, stamp);
    snprintf(exp, sizeof exp, "%lld", (long long)expires_s);
    const char *region = region_of(t);
    int rc = os_buf_printf(&cred, "%s/%s/%s/s3/aws4_request", c->access_key_id, date, region);
    /* Canonical query: parameters in byte order of their names. */
    int full = !(flags & S3_PRESIGN_MINIMAL);
    rc |= sto_query_add(&q, "X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    if (full)
        rc |= sto_query_add(&q, "X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD");
    rc |= sto_query_add(&q, "X-Amz-Credential", cred.data ? cred.data : "");
    rc |= sto_query_add(&q, "X-Amz-Date", stamp);
    rc |= sto_query_add(&q, "X-Amz-Expires", exp);
    if (c->session_token && *c->session_token)
        rc |= sto_query_add(&q, "X-Amz-Security-Token", c->session_token);
    size_t before_sig = q.len;
    rc |= sto_query_add(&q, "X-Amz-SignedHeaders", "host");
    if (full)
        rc |= sto_query_add(&q, "x-id", "GetObject");
    rc |= os_buf_printf(&creq, "GET\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD", os_buf_cstr(&path),
                        os_buf_cstr(&q), os_buf_cstr(&host));
    if (rc != 0) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto out;
    }
    char chash[65];
    os_sha256_hex(creq.data, creq.len, chash);
    rc |= os_buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/aws4_request\n%s", stamp, date, region,
                        chash);
    uint8_t skey[32], sig[32];
    signing_key_cached(c->secret_access_key, date, region, skey);
    os_hmac_sha256(skey, 32, sts.data ? sts.data : "", sts.len, sig);
    memset(skey, 0, sizeof skey);
    char sighex[65];
    os_hex_encode(sig, 32, sighex);
    /* The URL: the canonical query with the signature in its sorted place. */
    rc |= os_buf_append(url, origin.data, origin.len);
    rc |= os_buf_append(url, path.data, path.len);
    rc |= os_buf_putc(url, '?');
    rc |= os_buf_append(url, q.data, before_sig);
    rc |= os_buf_printf(url, "&X-Amz-Signature=%s&", sighex);
    rc |= os_buf_append(url, q.data + before_sig + 1, q.len - before_sig - 1);
    if (rc != 0) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto out;
    }
    ret = 0;
out:
    os_buf_free(&origin);
    os_buf_free(&host);
    os_buf_free(&path);
    os_buf_free(&q);
    os_buf_free(&creq);
    os_buf_free(&sts);
    os_buf_free(&cred);
    return ret;
}
