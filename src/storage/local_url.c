/* local_url.c - AEAD-sealed, self-contained URLs for files under a local storage root. */
#include "storage/local_url.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/crypto.h"

static const char DOMAIN[] = "opensharing local file url v2 aes-256-gcm";
static const uint8_t AAD[] = {'G', 'E', 'T'};

#define VERSION 0x02
#define NONCE_LEN 12
#define TAG_LEN 16
#define FIXED_LEN 16            /* expiry + recipient id */
#define STRINGS 6

void local_url_key_derive(const uint8_t *server_key, size_t server_key_len,
                          uint8_t out[LOCAL_URL_KEYLEN])
{
    os_hmac_sha256(server_key, server_key_len, DOMAIN, sizeof DOMAIN - 1, out);
}

int local_url_check_rel(const char *rel, os_err *err)
{
    if (rel == NULL || *rel == '\0' || rel[0] == '/')
        return os_err_set(err, OS_EINVAL, "file name must be a non-empty relative path");
    const char *seg = rel;
    for (const char *p = rel;; p++) {
        if (*p != '\0' && ((unsigned char)*p < 0x20 || *p == 0x7f))
            return os_err_set(err, OS_EINVAL, "file name has a control character");
        if (*p == '/' || *p == '\0') {
            size_t n = (size_t)(p - seg);
            if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
                return os_err_set(err, OS_EINVAL, "file name has an empty, '.' or '..' segment");
            if (*p == '\0')
                return 0;
            seg = p + 1;
        }
    }
}

static int check_root(const char *root, os_err *err)
{
    if (root == NULL || root[0] != '/')
        return os_err_set(err, OS_EINVAL, "storage root must be an absolute path");
    for (const char *p = root; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return os_err_set(err, OS_EINVAL, "storage root has a control character");
    return 0;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* The cipher, fetched from OpenSSL's provider once (an implicit fetch on
 * every URL would cost more than the encryption). */
static EVP_CIPHER *g_gcm;
static pthread_once_t g_gcm_once = PTHREAD_ONCE_INIT;

static void gcm_fetch(void)
{
    g_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static const EVP_CIPHER *gcm(void)
{
    pthread_once(&g_gcm_once, gcm_fetch);
    return g_gcm ? g_gcm : EVP_aes_256_gcm();
}

/* Nonces: a random 96-bit start drawn once per process, then counted up
 * (added to its low 64 bits).  Unique within a process by construction; two
 * processes sharing the server key (replicas, restarts) repeat one only if
 * their counted ranges meet in the 2^96 space.  Drawing fresh random bytes
 * per URL would cost more than everything else (OpenSSL's RAND_bytes takes
 * microseconds).  A forked child draws a new start. */
static uint8_t g_nonce_base[NONCE_LEN];
static uint64_t g_nonce_seq;
static int g_nonce_ok;
static pthread_once_t g_nonce_once = PTHREAD_ONCE_INIT;

static void nonce_draw(void)
{
    g_nonce_ok = os_random_bytes(g_nonce_base, NONCE_LEN) == 0;
    __atomic_store_n(&g_nonce_seq, 0, __ATOMIC_RELAXED);
}

static void nonce_init(void)
{
    nonce_draw();
    pthread_atfork(NULL, NULL, nonce_draw);
}

/* The next nonce; 0 or -1 when no random start could be drawn. */
static int nonce_next(uint8_t out[NONCE_LEN])
{
    pthread_once(&g_nonce_once, nonce_init);
    if (!g_nonce_ok)
        return -1;
    uint64_t seq = __atomic_fetch_add(&g_nonce_seq, 1, __ATOMIC_RELAXED);
    memcpy(out, g_nonce_base, 4);
    put_u64(out + 4, get_u64(g_nonce_base + 4) + seq);
    return 0;
}

/* AES-256-GCM of in[0..n) into out (n bytes) and tag; 0 or -1. */
static int seal(const uint8_t key[LOCAL_URL_KEYLEN], const uint8_t nonce[NONCE_LEN],
                const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[TAG_LEN])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, ok = c != NULL && n <= INT32_MAX &&
                      EVP_EncryptInit_ex(c, gcm(), NULL, key, nonce) == 1 &&
                      EVP_EncryptUpdate(c, NULL, &len, AAD, (int)sizeof AAD) == 1 &&
                      EVP_EncryptUpdate(c, out, &len, in, (int)n) == 1 &&
                      EVP_EncryptFinal_ex(c, out + len, &len) == 1 &&
                      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

/* Decrypts and authenticates; 0 when the tag matches, else -1. */
static int open_sealed(const uint8_t key[LOCAL_URL_KEYLEN], const uint8_t nonce[NONCE_LEN],
                       const uint8_t *in, size_t n, const uint8_t tag[TAG_LEN], uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, ok = c != NULL && n <= INT32_MAX &&
                      EVP_DecryptInit_ex(c, gcm(), NULL, key, nonce) == 1 &&
                      EVP_DecryptUpdate(c, NULL, &len, AAD, (int)sizeof AAD) == 1 &&
                      EVP_DecryptUpdate(c, out, &len, in, (int)n) == 1 &&
                      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)tag) == 1 &&
                      EVP_DecryptFinal_ex(c, out + len, &len) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

int local_url_token(const uint8_t key[LOCAL_URL_KEYLEN], const char *root, const char *rel,
                    const local_url_claims *who, int64_t expires_at_s, os_buf *out, os_err *err)
{
    if (check_root(root, err) != 0 || local_url_check_rel(rel, err) != 0)
        return -1;
    const char *s[STRINGS] = {who ? who->recipient : NULL, who ? who->share : NULL,
                              who ? who->schema : NULL, who ? who->asset : NULL, root, rel};
    size_t len[STRINGS], total = FIXED_LEN;
    for (int i = 0; i < STRINGS; i++) {
        len[i] = s[i] ? strlen(s[i]) : 0;
        if (i < 4 && len[i] > LOCAL_URL_MAX_NAME)
            len[i] = LOCAL_URL_MAX_NAME;
        if (len[i] > 0xffff)
            return os_err_set(err, OS_EINVAL, "file path is too long for a signed URL");
        total += 2 + len[i];
    }
    size_t sealed = 1 + NONCE_LEN + total + TAG_LEN;
    size_t need = os_base64_encoded_len(sealed);
    if (need > LOCAL_URL_MAX_TOKEN)
        return os_err_set(err, OS_EINVAL, "file path is too long for a signed URL");
    /* plaintext and sealed box share one buffer: [box | plaintext] */
    uint8_t stackbuf[2048];
    uint8_t *box = sealed + total <= sizeof stackbuf ? stackbuf : malloc(sealed + total);
    if (box == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    uint8_t *pt = box + sealed, *p = pt;
    put_u64(p, (uint64_t)expires_at_s);
    put_u64(p + 8, (uint64_t)(who ? who->recipient_id : 0));
    p += FIXED_LEN;
    for (int i = 0; i < STRINGS; i++) {
        p[0] = (uint8_t)(len[i] >> 8);
        p[1] = (uint8_t)(len[i] & 0xff);
        if (len[i])
            memcpy(p + 2, s[i], len[i]);
        p += 2 + len[i];
    }
    box[0] = VERSION;
    int rc = 0;
    if (nonce_next(box + 1) != 0 ||
        seal(key, box + 1, pt, total, box + 1 + NONCE_LEN, box + 1 + NONCE_LEN + total) != 0)
        rc = os_err_set(err, OS_EINTERNAL, "cannot seal a file URL (cipher failure)");
    else if (os_buf_reserve(out, need) != 0)
        rc = os_err_set(err, OS_ENOMEM, "out of memory");
    else {
        out->len += os_base64_encode(box, sealed, out->data + out->len, 1);
        out->data[out->len] = '\0';
    }
    memset(pt, 0, total);
    if (box != stackbuf)
        free(box);
    return rc;
}

int local_url_sign(const uint8_t key[LOCAL_URL_KEYLEN], const char *base, const char *root,
                   const char *rel, const local_url_claims *who, int64_t expires_at_s, os_buf *url,
                   os_err *err)
{
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    if (os_buf_append(url, base, bl) != 0 || os_buf_puts(url, "/files/") != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return local_url_token(key, root, rel, who, expires_at_s, url, err);
}

int local_url_verify(const uint8_t key[LOCAL_URL_KEYLEN], const char *token, int64_t now_s,
                     os_arena *a, local_url_grant *g, os_err *err)
{
    memset(g, 0, sizeof *g);
    size_t tl = token ? strlen(token) : 0;
    if (tl == 0 || tl > LOCAL_URL_MAX_TOKEN)
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    uint8_t *box = os_arena_alloc(a, tl + 4);
    if (box == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    long n = os_base64_decode(token, tl, box, tl, 1);
    if (n < 1 + NONCE_LEN + FIXED_LEN + 2 * STRINGS + TAG_LEN || box[0] != VERSION)
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    size_t ct = (size_t)n - 1 - NONCE_LEN - TAG_LEN;
    uint8_t *pt = os_arena_alloc(a, ct);
    if (pt == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (open_sealed(key, box + 1, box + 1 + NONCE_LEN, ct, box + 1 + NONCE_LEN + ct, pt) != 0)
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    /* Authentic: parse what we sealed ourselves (still defensively). */
    int64_t exp = (int64_t)get_u64(pt);
    int64_t rid = (int64_t)get_u64(pt + 8);
    const char *s[STRINGS];
    size_t off = FIXED_LEN;
    for (int i = 0; i < STRINGS; i++) {
        if (ct - off < 2)
            return os_err_set(err, OS_EPERM, "the file URL is invalid");
        size_t l = (size_t)pt[off] << 8 | pt[off + 1];
        off += 2;
        if (ct - off < l || memchr(pt + off, '\0', l) != NULL)
            return os_err_set(err, OS_EPERM, "the file URL is invalid");
        if ((s[i] = os_arena_strndup(a, (const char *)pt + off, l)) == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        off += l;
    }
    if (off != ct || check_root(s[4], NULL) != 0 || local_url_check_rel(s[5], NULL) != 0)
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    g->root = s[4];
    g->rel = s[5];
    g->expires_at_s = exp;
    g->who = (local_url_claims){rid, s[0], s[1], s[2], s[3]};
    if (now_s > exp)
        return os_err_set(err, OS_EPERM, "the file URL has expired");
    return 0;
}
