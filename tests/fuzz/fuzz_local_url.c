/* fuzz_local_url.c - libFuzzer harness: sealed file-URL tokens; forgeries never open, and whatever is sealed opens back unchanged. */
#include <stdlib.h>
#include <string.h>

#include "storage/local_url.h"

/* The n-th NUL-separated piece of data (heap string, possibly empty). */
static char *piece(const uint8_t *data, size_t size, int n)
{
    size_t start = 0;
    for (int i = 0; i < n; i++) {
        const uint8_t *z = start < size ? memchr(data + start, 0, size - start) : NULL;
        start = z ? (size_t)(z - data) + 1 : size;
    }
    const uint8_t *z = start < size ? memchr(data + start, 0, size - start) : NULL;
    size_t end = z ? (size_t)(z - data) : size;
    char *s = malloc(end - start + 1);
    if (s) {
        memcpy(s, data + start, end - start);
        s[end - start] = '\0';
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[LOCAL_URL_KEYLEN] = {9};
    os_arena a = OS_ARENA_INIT;
    os_err err;
    local_url_grant g;
    /* 1. As a token: without the key it must never open. */
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (local_url_verify(key, text, 0, &a, &g, &err) == 0)
        abort();
    free(text);
    /* 2. As fields: what is sealed opens back unchanged (or is refused when signing). */
    char *f[6];
    for (int i = 0; i < 6; i++)
        f[i] = piece(data, size, i);
    if (f[0] && f[1] && f[2] && f[3] && f[4] && f[5]) {
        local_url_claims who = {(int64_t)size, f[2], f[3], f[4], f[5]};
        os_buf tok = OS_BUF_INIT;
        if (local_url_token(key, f[0], f[1], &who, 1000, &tok, &err) == 0) {
            if (local_url_verify(key, tok.data, 1000, &a, &g, &err) != 0 ||
                strcmp(g.root, f[0]) != 0 || strcmp(g.rel, f[1]) != 0 || g.expires_at_s != 1000 ||
                g.who.recipient_id != (int64_t)size ||
                strncmp(g.who.recipient, f[2], LOCAL_URL_MAX_NAME) != 0 ||
                strncmp(g.who.asset, f[5], LOCAL_URL_MAX_NAME) != 0)
                abort();
            if (local_url_verify(key, tok.data, 1001, &a, &g, &err) == 0)
                abort();   /* expired */
        }
        os_buf_free(&tok);
    }
    for (int i = 0; i < 6; i++)
        free(f[i]);
    os_arena_free(&a);
    return 0;
}
