/* sto_oauth.c - sends an OAuth2 form grant and reads the access_token/expires_in answer (Azure AD, Google). */
#include "storage/sto_oauth.h"

#include <jansson.h>
#include <string.h>

#include "storage/sto_http.h"

/* Reads the JSON answer of a 200 into token and *expires_in_s. */
static int token_parse(const sto_oauth_req *rq, const os_buf *body, os_buf *token,
                       int64_t *expires_in_s, os_err *err)
{
    json_error_t je;
    json_t *doc = json_loadb(body->data ? body->data : "", body->len, 0, &je);
    const char *tok = json_string_value(json_object_get(doc, "access_token"));
    json_int_t exp = json_integer_value(json_object_get(doc, "expires_in"));
    int ret = 0;
    /* The token goes into an HTTP header later: no CR/LF, bounded length. */
    if (tok == NULL || *tok == '\0' || strlen(tok) >= rq->max_token ||
        strpbrk(tok, "\r\n") != NULL)
        ret = os_err_set(err, OS_EIO, "%s gave no usable access_token", rq->issuer_name);
    else if (os_buf_puts(token, tok) != 0)
        ret = os_err_set(err, OS_ENOMEM, "out of memory");
    else
        *expires_in_s = exp > 0 && exp < 86400 ? (int64_t)exp : 0;
    json_decref(doc);
    return ret;
}

int sto_oauth_token_post(const sto_oauth_req *rq, os_buf *token, int64_t *expires_in_s,
                         os_err *err)
{
    static const char *const h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    sto_http_req hq = {.method = "POST", .url = rq->url, .headers = h, .body = rq->form->data,
                       .body_len = rq->form->len, .max_body = 1 << 16};
    sto_http_resp rs = {0};
    int ret = sto_http_do(&hq, &rs, err);
    if (ret == 0 && (rs.status != 200 || rs.too_large)) {
        int refused = rs.status == 400 || rs.status == 401 || (rq->refused_403 && rs.status == 403);
        ret = os_err_set(err, refused ? OS_EPERM : OS_EIO, "%s answered HTTP %ld",
                         rq->endpoint_name, rs.status);
    }
    if (ret == 0)
        ret = token_parse(rq, &rs.body, token, expires_in_s, err);
    if (rs.body.data)
        memset(rs.body.data, 0, rs.body.len);
    os_buf_free(&rs.body);
    return ret;
}
