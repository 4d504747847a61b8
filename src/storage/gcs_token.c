/* gcs_token.c - service-account OAuth2 access tokens through the JWT bearer grant (RS256). */
#include "storage/gcs_token.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "storage/sto_http.h"

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
    sto_http_resp rs = {0};
    int ret = make_jwt(s, token_uri, scope, now_s, &jwt, err);
    if (ret == 0 &&
        os_buf_printf(&body, "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer"
                             "&assertion=%s", jwt.data) != 0)
        ret = os_err_set(err, OS_ENOMEM, "out of memory");
    if (ret == 0) {
        static const char *const h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
        sto_http_req rq = {.method = "POST", .url = token_uri, .headers = h, .body = body.data,
                           .body_len = body.len, .max_body = 1 << 16};
        ret = sto_http_do(&rq, &rs, err);
    }
    if (ret == 0 && (rs.status != 200 || rs.too_large))
        ret = os_err_set(err, rs.status == 400 || rs.status == 401 ? OS_EPERM : OS_EIO,
                         "GCS token endpoint answered HTTP %ld", rs.status);
    if (ret == 0) {
        json_error_t je;
        json_t *doc = json_loadb(rs.body.data ? rs.body.data : "", rs.body.len, 0, &je);
        const char *tok = json_string_value(json_object_get(doc, "access_token"));
        json_int_t exp = json_integer_value(json_object_get(doc, "expires_in"));
        if (tok == NULL || *tok == '\0' || strlen(tok) >= 8192 || strpbrk(tok, "\r\n") != NULL)
            ret = os_err_set(err, OS_EIO, "GCS token endpoint gave no usable access_token");
        else if (os_buf_puts(token, tok) != 0)
            ret = os_err_set(err, OS_ENOMEM, "out of memory");
        else
            *expires_at_s = now_s + (exp > 0 && exp < 86400 ? exp : 300);
        json_decref(doc);
    }
    if (jwt.data)
        memset(jwt.data, 0, jwt.len);
    if (rs.body.data)
        memset(rs.body.data, 0, rs.body.len);
    os_buf_free(&jwt);
    os_buf_free(&body);
    os_buf_free(&rs.body);
    return ret;
}
