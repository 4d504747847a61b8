/* page_token.c - page tokens are base64url(JSON payload) "." base64url(HMAC-SHA256 of the payload). */
#include "auth/page_token.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/crypto.h"

#define PAGE_TOKEN_MAXLEN 4096

char *page_token_encode(const uint8_t key[PAGE_TOKEN_KEYLEN], const char *listing,
                        int64_t principal, const page_pos *pos, int64_t expires_ms, os_arena *a)
{
    json_t *o = json_pack("{s:i,s:s,s:I,s:s,s:I}", "v", 1, "l", listing, "p",
                          (json_int_t)principal, "k1", pos->k1 ? pos->k1 : "", "e",
                          (json_int_t)expires_ms);
    if (o != NULL && pos->k2 != NULL)
        json_object_set_new(o, "k2", json_string(pos->k2));
    char *payload = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (payload == NULL)
        return NULL;
    size_t n = strlen(payload);
    char *out = os_arena_alloc(a, os_base64_encoded_len(n) + 1 + os_base64_encoded_len(32));
    if (out == NULL) {
        free(payload);
        return NULL;
    }
    size_t len = os_base64_encode((const uint8_t *)payload, n, out, 1);
    free(payload);
    uint8_t mac[OS_SHA256_LEN];
    os_hmac_sha256(key, PAGE_TOKEN_KEYLEN, out, len, mac);
    out[len++] = '.';
    os_base64_encode(mac, sizeof mac, out + len, 1);
    return out;
}

int page_token_decode(const uint8_t key[PAGE_TOKEN_KEYLEN], const char *token, const char *listing,
                      int64_t principal, int64_t now_ms, os_arena *a, page_pos *pos, os_err *err)
{
    const char *invalid = "pageToken is not valid: pass the nextPageToken of the previous page unchanged";
    size_t n = strlen(token);
    const char *dot = strchr(token, '.');
    if (n == 0 || n > PAGE_TOKEN_MAXLEN || dot == NULL)
        return os_err_set(err, OS_EINVAL, "%s", invalid);
    size_t plen = (size_t)(dot - token);
    uint8_t mac[OS_SHA256_LEN], want[OS_SHA256_LEN + 3];
    os_hmac_sha256(key, PAGE_TOKEN_KEYLEN, token, plen, mac);
    long mlen = os_base64_decode(dot + 1, strlen(dot + 1), want, sizeof want, 1);
    if (mlen != OS_SHA256_LEN || !os_ct_equal(mac, want, OS_SHA256_LEN))
        return os_err_set(err, OS_EINVAL, "%s", invalid);
    uint8_t *raw = os_arena_alloc(a, plen + 4);
    long rlen = raw ? os_base64_decode(token, plen, raw, plen + 4, 1) : -1;
    if (rlen < 0)
        return os_err_set(err, OS_EINVAL, "%s", invalid);
    json_error_t jerr;
    json_t *o = json_loadb((const char *)raw, (size_t)rlen, 0, &jerr);
    const char *l = NULL, *k1 = NULL, *k2 = NULL;
    json_int_t p = 0, e = 0;
    int v = 0;
    if (o == NULL || json_unpack(o, "{s:i,s:s,s:I,s:s,s?s,s:I}", "v", &v, "l", &l, "p", &p, "k1",
                                 &k1, "k2", &k2, "e", &e) != 0 || v != 1) {
        json_decref(o);
        return os_err_set(err, OS_EINVAL, "%s", invalid);
    }
    int rc = 0;
    if (strcmp(l, listing) != 0 || p != principal)
        rc = os_err_set(err, OS_EINVAL, "pageToken belongs to another listing or caller");
    else if (e <= now_ms)
        rc = os_err_set(err, OS_EINVAL, "pageToken has expired: start the listing again");
    else {
        pos->k1 = os_arena_strdup(a, k1);
        pos->k2 = k2 ? os_arena_strdup(a, k2) : NULL;
    }
    json_decref(o);
    return rc;
}
