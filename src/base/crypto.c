/* crypto.c - SHA-256, HMAC, randomness and constant-time comparison via libcrypto. */
#include "base/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>
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

/* One digest context per thread, kept for the thread's life: EVP_Digest
 * would make and free one per call (a big table hashes one id per file). */
static pthread_key_t g_ctx_key;
static int g_ctx_key_ok;

static void ctx_free(void *p)
{
    EVP_MD_CTX_free(p);
}

static void sha256_fetch(void)
{
    g_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    g_ctx_key_ok = pthread_key_create(&g_ctx_key, ctx_free) == 0;
}

/* The calling thread's digest context, or NULL. */
static EVP_MD_CTX *thread_ctx(void)
{
    pthread_once(&g_sha256_once, sha256_fetch);
    EVP_MD_CTX *ctx = g_ctx_key_ok ? pthread_getspecific(g_ctx_key) : NULL;
    if (ctx == NULL && g_ctx_key_ok && (ctx = EVP_MD_CTX_new()) != NULL &&
        pthread_setspecific(g_ctx_key, ctx) != 0) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

void os_sha256(const void *data, size_t n, uint8_t out[OS_SHA256_LEN])
{
    /* SHA256() would look the algorithm up (under a lock) on every call. */
    EVP_MD_CTX *ctx = thread_ctx();
    if (g_sha256 != NULL && ctx != NULL && EVP_DigestInit_ex2(ctx, g_sha256, NULL) == 1 &&
        EVP_DigestUpdate(ctx, data, n) == 1 && EVP_DigestFinal_ex(ctx, out, NULL) == 1)
        return;
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

struct os_hmac_key {
    EVP_MD_CTX *inner, *outer;   /* after (K ^ ipad) and (K ^ opad); only read once made */
    EVP_MD_CTX *work;            /* used while preparing */
};

os_hmac_key *os_hmac_key_new(const void *key, size_t keylen)
{
    pthread_once(&g_sha256_once, sha256_fetch);
    if (g_sha256 == NULL)
        return NULL;
    os_hmac_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NULL;
    k->inner = EVP_MD_CTX_new();
    k->outer = EVP_MD_CTX_new();
    k->work = EVP_MD_CTX_new();
    uint8_t kb[64], pad[64];
    memset(kb, 0, sizeof kb);
    int ok = k->inner && k->outer && k->work;
    if (ok && keylen > sizeof kb)
        ok = EVP_DigestInit_ex2(k->work, g_sha256, NULL) == 1 && EVP_DigestUpdate(k->work, key, keylen) == 1 &&
             EVP_DigestFinal_ex(k->work, kb, NULL) == 1;
    else if (keylen > 0)
        memcpy(kb, key, keylen);
    for (int i = 0; i < 64; i++)
        pad[i] = (uint8_t)(kb[i] ^ 0x36);
    ok = ok && EVP_DigestInit_ex2(k->inner, g_sha256, NULL) == 1 && EVP_DigestUpdate(k->inner, pad, 64) == 1;
    for (int i = 0; i < 64; i++)
        pad[i] = (uint8_t)(kb[i] ^ 0x5c);
    ok = ok && EVP_DigestInit_ex2(k->outer, g_sha256, NULL) == 1 && EVP_DigestUpdate(k->outer, pad, 64) == 1;
    OPENSSL_cleanse(kb, sizeof kb);
    OPENSSL_cleanse(pad, sizeof pad);
    if (!ok) {
        os_hmac_key_free(k);
        return NULL;
    }
    return k;
}

void os_hmac_key_free(os_hmac_key *k)
{
    if (k == NULL)
        return;
    EVP_MD_CTX_free(k->inner);
    EVP_MD_CTX_free(k->outer);
    EVP_MD_CTX_free(k->work);
    free(k);
}

int os_hmac_sha256_prepared(os_hmac_key *k, const void *a, size_t na, const void *b, size_t nb,
                            uint8_t out[OS_SHA256_LEN])
{
    uint8_t inner[OS_SHA256_LEN];
    /* The prepared states are only copied from: threads share a key, each
     * working in its own context. */
    EVP_MD_CTX *w = thread_ctx();
    if (w != NULL && EVP_MD_CTX_copy_ex(w, k->inner) == 1 && EVP_DigestUpdate(w, a, na) == 1 &&
        EVP_DigestUpdate(w, b, nb) == 1 && EVP_DigestFinal_ex(w, inner, NULL) == 1 &&
        EVP_MD_CTX_copy_ex(w, k->outer) == 1 && EVP_DigestUpdate(w, inner, sizeof inner) == 1 &&
        EVP_DigestFinal_ex(w, out, NULL) == 1)
        return 0;
    memset(out, 0, OS_SHA256_LEN);
    return -1;
}

int os_random_bytes(void *buf, size_t n)
{
    return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

int os_ct_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}
