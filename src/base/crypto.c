/* crypto.c - SHA-256, HMAC, randomness and constant-time comparison via libcrypto. */
#include "base/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <string.h>


void os_hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void os_sha256_hex(const void *data, size_t n, char hex[2 * OS_SHA256_LEN + 1])
{
    uint8_t md[OS_SHA256_LEN];
    os_sha256(data, n, md);
    os_hex_encode(md, sizeof md, hex);
}

/* The SHA-256 implementation, fetched once: the one-shot HMAC() of OpenSSL 3
 * looks the algorithm up on every call, which costs locks on hot paths (one
 * signed URL per file of a table). */
static EVP_MD *g_sha256;
static pthread_once_t g_sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    g_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void os_sha256(const void *data, size_t n, uint8_t out[OS_SHA256_LEN])
{
    /* SHA256() would look the algorithm up (under a lock) on every call; a
     * big table hashes one file id per file. */
    pthread_once(&g_sha256_once, sha256_fetch);
    if (g_sha256 == NULL || EVP_Digest(data, n, out, NULL, g_sha256, NULL) != 1)
        SHA256(data, n, out);
}

void os_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                    uint8_t out[OS_SHA256_LEN])
{
    pthread_once(&g_sha256_once, sha256_fetch);
    EVP_MD_CTX *ctx = g_sha256 ? EVP_MD_CTX_new() : NULL;
    if (ctx == NULL) {
        unsigned int len = OS_SHA256_LEN;
        HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len);
        return;
    }
    /* RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), K padded to the block. */
    uint8_t k[64], pad[64], inner[OS_SHA256_LEN];
    memset(k, 0, sizeof k);
    if (keylen > sizeof k) {
        EVP_DigestInit_ex2(ctx, g_sha256, NULL);
        EVP_DigestUpdate(ctx, key, keylen);
        EVP_DigestFinal_ex(ctx, k, NULL);
    } else if (keylen > 0) {
        memcpy(k, key, keylen);
    }
    for (int i = 0; i < 64; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x36);
    EVP_DigestInit_ex2(ctx, g_sha256, NULL);
    EVP_DigestUpdate(ctx, pad, sizeof pad);
    EVP_DigestUpdate(ctx, data, n);
    EVP_DigestFinal_ex(ctx, inner, NULL);
    for (int i = 0; i < 64; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x5c);
    EVP_DigestInit_ex2(ctx, g_sha256, NULL);
    EVP_DigestUpdate(ctx, pad, sizeof pad);
    EVP_DigestUpdate(ctx, inner, sizeof inner);
    EVP_DigestFinal_ex(ctx, out, NULL);
    EVP_MD_CTX_free(ctx);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
}

int os_random_bytes(void *buf, size_t n)
{
    return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

int os_ct_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}
