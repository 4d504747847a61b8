/* answer_cache.c - a bounded, direct-mapped cache of rendered JSON answers keyed by request and catalog generation. */
#include "api/answer_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"

#define STRIPES 64
#define ETAG_LEN 26   /* '"' + 24 hex digits + '"' */

typedef struct slot {
    char *key;
    int64_t gen;
    char *body;
    size_t n;
    char etag[ETAG_LEN + 1];
} slot;

struct answer_cache {
    pthread_mutex_t locks[STRIPES];
    slot *slots;
    size_t nslots;
    size_t max_bytes;
    size_t bytes;                 /* bodies and keys held; guarded by bytes_lock */
    pthread_mutex_t bytes_lock;
};

answer_cache *answer_cache_new(size_t slots, size_t max_bytes)
{
    answer_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->nslots = slots ? slots : 1;
    c->slots = calloc(c->nslots, sizeof *c->slots);
    if (c->slots == NULL) {
        free(c);
        return NULL;
    }
    c->max_bytes = max_bytes;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    pthread_mutex_init(&c->bytes_lock, NULL);
    return c;
}

void answer_cache_free(answer_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nslots; i++) {
        free(c->slots[i].key);
        free(c->slots[i].body);
    }
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->locks[i]);
    pthread_mutex_destroy(&c->bytes_lock);
    free(c->slots);
    free(c);
}

/* FNV-1a: only spreads keys over slots; the key itself is compared. */
static size_t slot_of(const answer_cache *c, const char *key)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h % c->nslots);
}

static void make_etag(const char *body, size_t n, char etag[ETAG_LEN + 1])
{
    uint8_t d[OS_SHA256_LEN];
    os_sha256(body, n, d);
    etag[0] = '"';
    for (int i = 0; i < 12; i++)
        snprintf(etag + 1 + 2 * i, 3, "%02x", d[i]);
    etag[ETAG_LEN - 1] = '"';
    etag[ETAG_LEN] = '\0';
}

/* Does If-None-Match (a list of entity tags, or "*") name etag? */
static int matches(const char *inm, const char *etag)
{
    if (inm == NULL)
        return 0;
    size_t n = strlen(etag);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)   /* weak comparison, as RFC 9110 asks for GET */
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

static int send(const char *body, size_t n, const char *etag, const http_request *req,
                http_response *res)
{
    if (http_response_header(res, "ETag", etag) != 0)
        return -1;
    if (matches(http_request_header(req, "If-None-Match"), etag))
        return http_response_body(res, 304, NULL, "", 0);
    return http_response_body(res, 200, "application/json; charset=utf-8", body, n);
}

int answer_cache_send(answer_cache *c, const char *key, int64_t gen, const http_request *req,
                      http_response *res)
{
    if (c == NULL)
        return 0;
    size_t i = slot_of(c, key);
    pthread_mutex_t *lock = &c->locks[i % STRIPES];
    pthread_mutex_lock(lock);
    slot *s = &c->slots[i];
    int rc = 0;
    if (s->key != NULL && s->gen == gen && strcmp(s->key, key) == 0)
        rc = send(s->body, s->n, s->etag, req, res) == 0 ? 1 : -1;
    pthread_mutex_unlock(lock);
    return rc;
}

int answer_cache_put_send(answer_cache *c, const char *key, int64_t gen, const char *body, size_t n,
                          const http_request *req, http_response *res)
{
    char etag[ETAG_LEN + 1];
    make_etag(body, n, etag);
    if (c == NULL)
        return send(body, n, etag, req, res);
    /* Keep it only when it fits (a body above 1/16 of the budget never is). */
    int keep = n + strlen(key) <= c->max_bytes / 16;
    char *kcopy = keep ? strdup(key) : NULL, *bcopy = keep ? malloc(n ? n : 1) : NULL;
    if (kcopy == NULL || bcopy == NULL) {
        free(kcopy);
        free(bcopy);
        return send(body, n, etag, req, res);
    }
    memcpy(bcopy, body, n);
    size_t i = slot_of(c, key);
    pthread_mutex_t *lock = &c->locks[i % STRIPES];
    pthread_mutex_lock(lock);
    slot *s = &c->slots[i];
    pthread_mutex_lock(&c->bytes_lock);
    /* Keys count too: a long query string is as much memory as a body. */
    size_t kn = strlen(kcopy), old_kn = s->key ? strlen(s->key) : 0;
    size_t after = c->bytes - s->n - old_kn + n + kn;
    int fits = after <= c->max_bytes;
    if (fits)
        c->bytes = after;
    pthread_mutex_unlock(&c->bytes_lock);
    if (fits) {
        free(s->key);
        free(s->body);
        s->key = kcopy;
        s->body = bcopy;
        s->n = n;
        s->gen = gen;
        memcpy(s->etag, etag, sizeof etag);
        kcopy = bcopy = NULL;
    }
    pthread_mutex_unlock(lock);
    free(kcopy);
    free(bcopy);
    return send(body, n, etag, req, res);
}
