/* token.c - bearer tokens are 256-bit random strings; the catalog keeps only their SHA-256. */
#include "auth/token.h"

#include <string.h>
#include <strings.h>

#include "base/crypto.h"

int auth_token_mint(char out[AUTH_TOKEN_BUFLEN])
{
    return auth_secret_mint(AUTH_PREFIX_RECIPIENT_TOKEN, out, AUTH_TOKEN_BUFLEN);
}

void auth_token_hash(const char *token, char hash_hex[65])
{
    os_sha256_hex(token, strlen(token), hash_hex);
}

int auth_recipient_authenticate(cat_store *st, const char *authorization, int64_t now_ms,
                                cat_token *out, os_err *err)
{
    if (authorization == NULL || *authorization == '\0')
        return os_err_set(err, OS_EAUTH,
                          "missing bearer token: send 'Authorization: Bearer <token>' from your profile file");
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return os_err_set(err, OS_EAUTH,
                          "malformed Authorization header: expected 'Bearer <token>'");
    const char *tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    size_t n = strlen(tok);
    while (n > 0 && tok[n - 1] == ' ')
        n--;
    if (n == 0 || n > 4096)
        return os_err_set(err, OS_EAUTH, "malformed Authorization header: empty or oversized token");
    char hash[2 * OS_SHA256_LEN + 1];
    os_sha256_hex(tok, n, hash);
    os_err lookup;
    if (store_token_find(st, hash, out, &lookup) != 0) {
        if (lookup.code == OS_ENOTFOUND)
            return os_err_set(err, OS_EAUTH, "the bearer token is not valid");
        *err = lookup;
        return -1;
    }
    /* The lookup is by hash; compare again in constant time so that no code
     * path branches on partial matches of the secret's hash. */
    if (!os_ct_equal(out->hash_hex, hash, sizeof hash - 1))
        return os_err_set(err, OS_EAUTH, "the bearer token is not valid");
    if (out->revoked_ms != 0 && out->revoked_ms <= now_ms)
        return os_err_set(err, OS_EAUTH, "the bearer token has been revoked; ask the provider for a new one");
    if (out->expires_ms != 0 && out->expires_ms <= now_ms)
        return os_err_set(err, OS_EAUTH, "the bearer token has expired; ask the provider for a new one");
    return 0;
}
