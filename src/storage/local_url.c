/* local_url.c - HMAC-signed, self-contained URLs for files under a local storage root. */
#include "storage/local_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/crypto.h"
#include "base/strutil.h"

static const char DOMAIN[] = "opensharing local file url v1";

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

static void mac_of(const uint8_t key[LOCAL_URL_KEYLEN], const char *payload, size_t n,
                   uint8_t out[32])
{
    /* HMAC over "GET\n" + payload without building a second copy. */
    char stackbuf[1024];
    char *m = n + 4 <= sizeof stackbuf ? stackbuf : malloc(n + 4);
    if (m == NULL) {
        memset(out, 0, 32);
        return;
    }
    memcpy(m, "GET\n", 4);
    memcpy(m + 4, payload, n);
    os_hmac_sha256(key, LOCAL_URL_KEYLEN, m, n + 4, out);
    if (m != stackbuf)
        free(m);
}

/* The token under key (raw) or pkey (prepared). */
static int token_of(const uint8_t *key, os_hmac_key *pkey, const char *root, const char *rel,
                    int64_t expires_at_s, os_buf *out, os_err *err)
{
    if (check_root(root, err) != 0 || local_url_check_rel(rel, err) != 0)
        return -1;
    /* "1\n<expiry>\n<root>\n<rel>", built without printf or the heap for
     * usual lengths: one per file of a table. */
    size_t rl = strlen(root), fl = strlen(rel);
    char digits[24];
    int dn = snprintf(digits, sizeof digits, "%lld", (long long)expires_at_s);
    size_t n = 2 + (size_t)dn + 1 + rl + 1 + fl;
    char stackbuf[2048];
    char *p = n <= sizeof stackbuf ? stackbuf : malloc(n);
    if (p == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    char *w = p;
    memcpy(w, "1\n", 2);
    w += 2;
    memcpy(w, digits, (size_t)dn);
    w += dn;
    *w++ = '\n';
    memcpy(w, root, rl);
    w += rl;
    *w++ = '\n';
    memcpy(w, rel, fl);
    int rc = 0;
    uint8_t mac[32];
    size_t need = os_base64_encoded_len(n) + 1 + os_base64_encoded_len(32);
    if (need > LOCAL_URL_MAX_TOKEN)
        rc = os_err_set(err, OS_EINVAL, "file path is too long for a signed URL");
    else if (pkey == NULL)
        mac_of(key, p, n, mac);
    else if (os_hmac_sha256_prepared(pkey, "GET\n", 4, p, n, mac) != 0)
        rc = os_err_set(err, OS_EIO, "cannot sign a file URL (libcrypto failed)");
    if (rc == 0 && os_buf_reserve(out, need) != 0)
        rc = os_err_set(err, OS_ENOMEM, "out of memory");
    if (rc == 0) {
        out->len += os_base64_encode((const uint8_t *)p, n, out->data + out->len, 1);
        out->data[out->len++] = '.';
        out->len += os_base64_encode(mac, 32, out->data + out->len, 1);
        out->data[out->len] = '\0';
    }
    if (p != stackbuf)
        free(p);
    return rc;
}

int local_url_token(const uint8_t key[LOCAL_URL_KEYLEN], const char *root, const char *rel,
                    int64_t expires_at_s, os_buf *out, os_err *err)
{
    return token_of(key, NULL, root, rel, expires_at_s, out, err);
}

static int sign_with(const uint8_t *key, os_hmac_key *pkey, const char *base, const char *root,
                     const char *rel, int64_t expires_at_s, os_buf *url, os_err *err)
{
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    if (os_buf_append(url, base, bl) != 0 || os_buf_puts(url, "/files/") != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return token_of(key, pkey, root, rel, expires_at_s, url, err);
}

int local_url_sign(const uint8_t key[LOCAL_URL_KEYLEN], const char *base, const char *root,
                   const char *rel, int64_t expires_at_s, os_buf *url, os_err *err)
{
    return sign_with(key, NULL, base, root, rel, expires_at_s, url, err);
}

int local_url_sign_prepared(os_hmac_key *key, const char *base, const char *root, const char *rel,
                            int64_t expires_at_s, os_buf *url, os_err *err)
{
    return sign_with(NULL, key, base, root, rel, expires_at_s, url, err);
}

int local_url_verify(const uint8_t key[LOCAL_URL_KEYLEN], const char *token, int64_t now_s,
                     os_arena *a, const char **root, const char **rel, int64_t *expires_at_s,
                     os_err *err)
{
    size_t tl = token ? strlen(token) : 0;
    const char *dot = token ? strchr(token, '.') : NULL;
    if (tl == 0 || tl > LOCAL_URL_MAX_TOKEN || dot == NULL)
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    size_t pl = (size_t)(dot - token), ml = tl - pl - 1;
    char *payload = os_arena_alloc(a, pl + 4);
    uint8_t mac[40], want[32];
    if (payload == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    long pn = os_base64_decode(token, pl, (uint8_t *)payload, pl + 3, 1);
    long mn = os_base64_decode(dot + 1, ml, mac, sizeof mac, 1);
    if (pn <= 0 || mn != 32)
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    payload[pn] = '\0';
    mac_of(key, payload, (size_t)pn, want);
    if (!os_ct_equal(mac, want, 32))
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    /* Authentic; now parse what we wrote ourselves (still defensively). */
    if (strlen(payload) != (size_t)pn || strncmp(payload, "1\n", 2) != 0)
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    char *e = payload + 2, *nl1 = strchr(e, '\n');
    char *nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
    if (nl1 == NULL || nl2 == NULL)
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    *nl1 = '\0';
    *nl2 = '\0';
    int64_t exp;
    if (os_parse_i64(e, &exp) != 0 || check_root(nl1 + 1, NULL) != 0 ||
        local_url_check_rel(nl2 + 1, NULL) != 0)
        return os_err_set(err, OS_EPERM, "the file URL is invalid");
    if (now_s > exp)
        return os_err_set(err, OS_EPERM, "the file URL has expired");
    *root = nl1 + 1;
    *rel = nl2 + 1;
    *expires_at_s = exp;
    return 0;
}
