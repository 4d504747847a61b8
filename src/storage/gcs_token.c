/* gcs_token.c - service-account OAuth2 access tokens through the JWT bearer grant (RS256). */
#include "storage/gcs_token.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "storage/sto_oauth.h"

#define GCS_JWT_LIFETIME 3600

static int b64url_append(os_buf *b, const void *p, size_t n)
{
    if (os_buf_reserve(b, os_base64_encoded_len(n)) != 0)
        return -1;
    b->len += os_base64_encode(p, n, b->data + b->len, 1);
    b->data[b->len] = '\0';
    return 0;
}

static int make_jwt(const gcs_signer *s, const char *aud, const char *scope, int64_t now,
                    os_buf *jwt, os_err *err)
{
    json_t *claims = json_pack("{s:s,s:s,s:s,s:I,s:I}", "iss", gcs_signer_email(s), "scope", scope,
                               "aud", aud, "iat", (json_int_t)now, "exp",
                               (json_int_t)(now + GCS_JWT_LIFETIME));
    char *cj = claims ? json_dumps(claims, JSON_COMPACT) : NULL;
    json_decref(claims);
    static const char hdr[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    os_buf sig = OS_BUF_INIT;
    int rc = cj == NULL;
    rc |= b64url_append(jwt, hdr, sizeof hdr - 1);
    rc |= os_buf_putc(jwt, '.');
    if (cj)
        rc |= b64url_append(jwt, cj, strlen(cj));
    free(cj);
    if (rc)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (gcs_signer_sign(s, jwt->data, jwt->len, &sig, err) != 0) {
        os_buf_free(&sig);
        return -1;
    }
    rc = os_buf_putc(jwt, '.');
    rc |= b64url_append(jwt, sig.data, sig.len);
    os_buf_free(&sig);
    return rc ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
}

int gcs_token_fetch(const gcs_signer *s, const char *token_uri, const char *scope, int64_t now_s,
                    os_buf *token, int64_t *expires_at_s, os_err *err)
{
    os_buf jwt = OS_BUF_INIT, body = OS_BUF_INIT;
    int ret = make_jwt(s, token_uri, scope, now_s, &jwt, err);
    if (ret == 0 &&
        os_buf_printf(&body, "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer"
                             "&assertion=%s", jwt.data) != 0)
        ret = os_err_set(err, OS_ENOMEM, "out of memory");
    if (ret == 0) {
        sto_oauth_req rq = {.url = token_uri, .form = &body, .max_token = 8192,
                            .endpoint_name = "GCS token endpoint",
                            .issuer_name = "GCS token endpoint"};
        int64_t exp = 0;
        ret = sto_oauth_token_post(&rq, token, &exp, err);
        if (ret == 0)
            *expires_at_s = now_s + (exp ? exp : 300);
    }
    if (jwt.data)
        memset(jwt.data, 0, jwt.len);
    os_buf_free(&jwt);
    os_buf_free(&body);
    return ret;
}
