/* gcs_sign.c - service-account keys, RSA-SHA256 signatures and GCS V4 (GOOG4-RSA-SHA256) signed URLs. */
#include "storage/gcs_sign.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "storage/sign_util.h"

#define GCS_DEFAULT_TOKEN_URI "https://oauth2.googleapis.com/token"

struct gcs_signer {
    char *email;
    char *token_uri;
    EVP_PKEY *pkey;
};

gcs_signer *gcs_signer_new(const char *sa_json, os_err *err)
{
    json_error_t je;
    json_t *doc = sa_json ? json_loads(sa_json, JSON_REJECT_DUPLICATES, &je) : NULL;
    gcs_signer *s = NULL;
    if (doc == NULL || !json_is_object(doc)) {
        os_err_set(err, OS_EINVAL, "service-account key is not a JSON object");
        goto fail;
    }
    const char *email = json_string_value(json_object_get(doc, "client_email"));
    const char *pem = json_string_value(json_object_get(doc, "private_key"));
    const char *turi = json_string_value(json_object_get(doc, "token_uri"));
    if (email == NULL || *email == '\0' || pem == NULL || *pem == '\0') {
        os_err_set(err, OS_EINVAL, "service-account key needs client_email and private_key");
        goto fail;
    }
    s = calloc(1, sizeof *s);
    if (s == NULL || (s->email = strdup(email)) == NULL ||
        (s->token_uri = strdup(turi && *turi ? turi : GCS_DEFAULT_TOKEN_URI)) == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto fail;
    }
    BIO *bio = BIO_new_mem_buf(pem, -1);
    if (bio == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto fail;
    }
    s->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (s->pkey == NULL || EVP_PKEY_base_id(s->pkey) != EVP_PKEY_RSA) {
        os_err_set(err, OS_EINVAL, "service-account private_key is not an RSA PEM key");
        goto fail;
    }
    json_decref(doc);
    return s;
fail:
    json_decref(doc);
    gcs_signer_free(s);
    return NULL;
}

void gcs_signer_free(gcs_signer *s)
{
    if (s == NULL)
        return;
    free(s->email);
    free(s->token_uri);
    EVP_PKEY_free(s->pkey);
    free(s);
}

const char *gcs_signer_email(const gcs_signer *s)
{
    return s->email;
}

const char *gcs_signer_token_uri(const gcs_signer *s)
{
    return s->token_uri;
}

int gcs_signer_sign(const gcs_signer *s, const void *data, size_t n, os_buf *sig, os_err *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t len = 0;
    int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, s->pkey) == 1 &&
             EVP_DigestSignUpdate(md, data, n) == 1 && EVP_DigestSignFinal(md, NULL, &len) == 1;
    if (ok && os_buf_reserve(sig, len) != 0) {
        EVP_MD_CTX_free(md);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    ok = ok && EVP_DigestSignFinal(md, (unsigned char *)sig->data + sig->len, &len) == 1;
    EVP_MD_CTX_free(md);
    if (!ok)
        return os_err_set(err, OS_EINTERNAL, "RSA signing failed");
    sig->len += len;
    sig->data[sig->len] = '\0';
    return 0;
}

int gcs_sign_url(const gcs_signer *s, const char *endpoint, const char *bucket,
                 const char *object, int64_t now_s, int64_t expires_s, os_buf *url, os_err *err)
{
    if (expires_s < 1 || expires_s > GCS_SIGN_MAX_EXPIRES)
        return os_err_set(err, OS_EINVAL, "signed URL expiry must be 1..%d seconds",
                          GCS_SIGN_MAX_EXPIRES);
    if (bucket == NULL || *bucket == '\0' || strchr(bucket, '/') || object == NULL ||
        *object == '\0')
        return os_err_set(err, OS_EINVAL, "GCS signed URL needs a bucket and an object name");
    const char *ep = endpoint && *endpoint ? endpoint : "https://storage.googleapis.com";
    const char *h = strstr(ep, "://");
    if (h == NULL)
        return os_err_set(err, OS_EINVAL, "GCS endpoint must be an http(s) URL");
    h += 3;
    size_t hn = strcspn(h, "/");
    size_t hostname_n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/");
    if (hostname_n > hn)
        hostname_n = hn;
    os_buf path = OS_BUF_INIT, q = OS_BUF_INIT, creq = OS_BUF_INIT, sts = OS_BUF_INIT;
    os_buf cred = OS_BUF_INIT, sig = OS_BUF_INIT;
    int ret = -1;
    char date[9], stamp[17], exp[24], chash[65];
    sto_time_compact(now_s, date, stamp);
    snprintf(exp, sizeof exp, "%lld", (long long)expires_s);
    int rc = os_buf_printf(&path, "/%s/", bucket);
    rc |= sto_uri_encode(&path, object, strlen(object), 1);
    rc |= os_buf_printf(&cred, "%s/%s/auto/storage/goog4_request", s->email, date);
    rc |= sto_query_add(&q, "X-Goog-Algorithm", "GOOG4-RSA-SHA256");
    rc |= sto_query_add(&q, "X-Goog-Credential", cred.data ? cred.data : "");
    rc |= sto_query_add(&q, "X-Goog-Date", stamp);
    rc |= sto_query_add(&q, "X-Goog-Expires", exp);
    rc |= sto_query_add(&q, "X-Goog-SignedHeaders", "host");
    rc |= os_buf_printf(&creq, "GET\n%s\n%s\nhost:%.*s\n\nhost\nUNSIGNED-PAYLOAD", path.data,
                        q.data, (int)hostname_n, h);
    if (rc != 0) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    os_sha256_hex(creq.data, creq.len, chash);
    if (os_buf_printf(&sts, "GOOG4-RSA-SHA256\n%s\n%s/auto/storage/goog4_request\n%s", stamp, date,
                      chash) != 0) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    if (gcs_signer_sign(s, sts.data, sts.len, &sig, err) != 0)
        goto done;
    rc = os_buf_append(url, ep, (size_t)(h - ep) + hn);
    rc |= os_buf_append(url, path.data, path.len);
    rc |= os_buf_putc(url, '?');
    rc |= os_buf_append(url, q.data, q.len);
    rc |= os_buf_puts(url, "&X-Goog-Signature=");
    char hx[3];
    for (size_t i = 0; i < sig.len && rc == 0; i++) {
        os_hex_encode((const uint8_t *)sig.data + i, 1, hx);
        rc |= os_buf_append(url, hx, 2);
    }
    if (rc != 0) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    ret = 0;
done:
    os_buf_free(&path);
    os_buf_free(&q);
    os_buf_free(&creq);
    os_buf_free(&sts);
    os_buf_free(&cred);
    os_buf_free(&sig);
    return ret;
}
