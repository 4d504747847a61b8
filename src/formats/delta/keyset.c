/* keyset.c - an open-addressing hash set of byte strings (file identities during replay). */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dl_keyset_slot {
    const char *key;   /* NULL: empty */
    size_t len;
    uint64_t hash;
};

static uint64_t mix(uint64_t h)
{
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
}

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* A word-at-a-time multiplicative hash.  File keys are long (a path of 60 to
 * 200 bytes) and a big snapshot hashes one per checkpoint row, so keys are
 * taken 32 bytes at a time in four independent lanes that the CPU works on
 * at once, then folded. */
static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    size_t i = 0;
    if (n >= 32) {
        uint64_t a = h, b = 0xc2b2ae3d27d4eb4fULL, c = 0x165667b19e3779f9ULL, d = 0x27d4eb2f165667c5ULL;
        for (; i + 32 <= n; i += 32) {
            uint64_t w[4];
            memcpy(w, p + i, 32);
            a = mix(a ^ w[0]);
            b = mix(b ^ w[1]);
            c = mix(c ^ w[2]);
            d = mix(d ^ w[3]);
        }
        h = a ^ rotl(b, 17) ^ rotl(c, 31) ^ rotl(d, 47);
    }
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = mix(h ^ w);
    }
    uint64_t t = 0;
    memcpy(&t, p + i, n - i);
    h = (h ^ t) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return h ? h : 1;
}

void dl_keyset_init(dl_keyset *s)
{
    memset(s, 0, sizeof *s);
}

void dl_keyset_free(dl_keyset *s)
{
    free(s->slots);
    os_arena_free(&s->arena);
    memset(s, 0, sizeof *s);
}

static struct dl_keyset_slot *find(const dl_keyset *s, const char *key, size_t len, uint64_t h)
{
    size_t mask = s->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct dl_keyset_slot *sl = &s->slots[i];
        if (sl->key == NULL)
            return sl;
        if (sl->hash == h && sl->len == len && memcmp(sl->key, key, len) == 0)
            return sl;
    }
}

static int grow(dl_keyset *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 64;
    struct dl_keyset_slot *old = s->slots;
    size_t ocap = s->cap;
    s->slots = calloc(ncap, sizeof *s->slots);
    if (s->slots == NULL) {
        s->slots = old;
        return -1;
    }
    s->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key != NULL)
            *find(s, old[i].key, old[i].len, old[i].hash) = old[i];
    free(old);
    return 0;
}

int dl_keyset_add(dl_keyset *s, const char *key, size_t len)
{
    if ((s->n + 1) * 4 > s->cap * 3 && grow(s) < 0)
        return -1;
    uint64_t h = hash_bytes(key, len);
    struct dl_keyset_slot *sl = find(s, key, len, h);
    if (sl->key != NULL)
        return 0;
    char *copy = os_arena_alloc(&s->arena, len + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, key, len);
    sl->key = copy;
    sl->len = len;
    sl->hash = h;
    s->n++;
    return 1;
}

bool dl_keyset_has(const dl_keyset *s, const char *key, size_t len)
{
    if (s->n == 0)
        return false;
    return find(s, key, len, hash_bytes(key, len))->key != NULL;
}
