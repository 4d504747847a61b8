/* crypto.c - SHA-256, HMAC, randomness and constant-time comparison via libcrypto. */
#include "base/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

void os_sha256(const void *data, size_t n, uint8_t out[OS_SHA256_LEN])
{
    SHA256(data, n, out);
}

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

void os_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                    uint8_t out[OS_SHA256_LEN])
{
    unsigned int len = OS_SHA256_LEN;
    HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len);
}

int os_random_bytes(void *buf, size_t n)
{
    return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

int os_ct_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}
