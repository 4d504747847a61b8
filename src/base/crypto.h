/* crypto.h - the few primitives the server needs, over OpenSSL libcrypto. */
#ifndef OS_BASE_CRYPTO_H
#define OS_BASE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define OS_SHA256_LEN 32

/* SHA-256 of n bytes into out[32]. */
void os_sha256(const void *data, size_t n, uint8_t out[OS_SHA256_LEN]);
/* SHA-256 as 64 lower-case hex characters plus NUL into hex[65]. */
void os_sha256_hex(const void *data, size_t n, char hex[2 * OS_SHA256_LEN + 1]);
/* HMAC-SHA256 of data under key into out[32]. */
void os_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                    uint8_t out[OS_SHA256_LEN]);
/* An HMAC-SHA256 key prepared once for many messages (its padded blocks
 * hashed ahead), for hot paths such as signing one URL per file of a table.
 * Several threads may use a prepared key at once. */
typedef struct os_hmac_key os_hmac_key;
/* Returns the prepared key (free with os_hmac_key_free), or NULL when out of
 * memory or libcrypto refuses (callers then use os_hmac_sha256). */
os_hmac_key *os_hmac_key_new(const void *key, size_t keylen);
void os_hmac_key_free(os_hmac_key *k);
/* HMAC-SHA256 of the concatenation of two parts (either may be empty) into
 * out[32], equal to os_hmac_sha256 over them.  Returns 0, or -1 when
 * libcrypto failed (out is then zeroed). */
int os_hmac_sha256_prepared(os_hmac_key *k, const void *a, size_t na, const void *b, size_t nb,
                            uint8_t out[OS_SHA256_LEN]);
/* Fills buf with n cryptographically secure random bytes.  Returns 0 or -1. */
int os_random_bytes(void *buf, size_t n);
/* Compares n bytes in time independent of their contents; 1 when equal. */
int os_ct_equal(const void *a, const void *b, size_t n);
/* Writes 2n lower-case hex characters plus NUL into out. */
void os_hex_encode(const uint8_t *in, size_t n, char *out);

#endif
