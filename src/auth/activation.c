/* activation.c - activation links: random codes stored as hashes, redeemed once for a freshly minted token. */
#include "auth/activation.h"

#include <string.h>

#include "base/crypto.h"
#include "base/timeutil.h"

int activation_issue(cat_tx *tx, int64_t recipient_id, int64_t now_ms, int64_t ttl_ms,
                     const char *actor, char code_out[ACTIVATION_CODE_BUFLEN],
                     int64_t *expires_ms, os_err *err)
{
    if (auth_secret_mint(AUTH_PREFIX_ACTIVATION_CODE, code_out, ACTIVATION_CODE_BUFLEN) != 0)
        return os_err_set(err, OS_EINTERNAL, "the random source failed");
    char hash[2 * OS_SHA256_LEN + 1];
    os_sha256_hex(code_out, strlen(code_out), hash);
    *expires_ms = now_ms + ttl_ms;
    return store_tx_activation_add(tx, recipient_id, hash, *expires_ms, actor, err);
}

int activation_redeem(cat_store *st, const char *code, int64_t now_ms, int64_t default_lifetime_ms,
                      char token_out[AUTH_TOKEN_BUFLEN], int64_t *recipient_id,
                      int64_t *expires_ms, os_err *err)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > 128)
        return os_err_set(err, OS_ENOTFOUND, "this activation link is not valid");
    char hash[2 * OS_SHA256_LEN + 1];
    os_sha256_hex(code, n, hash);
    cat_tx *tx = store_tx_begin(st, err);
    if (tx == NULL)
        return -1;
    int64_t rid = 0;
    if (store_tx_activation_redeem(tx, hash, now_ms, &rid, err) != 0)
        goto fail;
    os_arena a = OS_ARENA_INIT;
    cat_recipient *r = NULL;
    cat_recipient_admin *ra = NULL;
    int rc = store_recipient_get(st, rid, &a, &r, err);
    if (rc == 0)
        rc = store_recipient_admin_get(st, r->name, &a, &ra, err);
    int64_t lifetime_ms = rc == 0 && ra->token_lifetime_s > 0 ? ra->token_lifetime_s * 1000
                                                              : default_lifetime_ms;
    os_arena_free(&a);
    if (rc != 0)
        goto fail;
    if (auth_token_mint(token_out) != 0) {
        os_err_set(err, OS_EINTERNAL, "the random source failed");
        goto fail;
    }
    char thash[2 * OS_SHA256_LEN + 1];
    auth_token_hash(token_out, thash);
    int64_t exp = lifetime_ms > 0 ? now_ms + lifetime_ms : 0;
    if (store_token_add(tx, rid, thash, exp, "activation", err) != 0) {
        memset(token_out, 0, AUTH_TOKEN_BUFLEN);
        goto fail;
    }
    if (store_tx_commit(tx, err) != 0) {
        memset(token_out, 0, AUTH_TOKEN_BUFLEN);
        return -1;
    }
    *recipient_id = rid;
    *expires_ms = exp;
    return 0;
fail:
    store_tx_rollback(tx);
    return -1;
}

json_t *activation_profile(const char *endpoint, const char *token, int64_t expires_ms)
{
    size_t n = strlen(endpoint);
    while (n > 0 && endpoint[n - 1] == '/')
        n--;
    /* The Iceberg REST catalog lives below the protocol endpoint. */
    json_t *p = json_pack("{s:i,s:s,s:s%+,s:s}", "shareCredentialsVersion", 1, "endpoint", endpoint,
                          "icebergEndpoint", endpoint, n, "/iceberg", "bearerToken", token);
    if (p && expires_ms != 0) {
        char iso[32];
        os_time_format_iso(expires_ms, iso);
        json_object_set_new(p, "expirationTime", json_string(iso));
    }
    return p;
}
