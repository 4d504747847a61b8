/* snap_cache.c - a bounded index of snapshot image files in the data directory, least recently used out first. */
#include "sharing/snap_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/log.h"

typedef struct entry {
    char key[65];
    bool building;     /* a temporary file is being written; no image yet */
    bool present;      /* the image file exists */
    uint64_t bytes;
    uint64_t used;     /* tick of the last lookup or build */
} entry;

struct snap_cache {
    pthread_mutex_t mu;
    char *dir;
    uint64_t max_bytes;
    size_t max_entries;
    entry *e;
    size_t n;
    uint64_t tick, seq;
    snap_cache_stats st;
};

static void path_of(const snap_cache *c, const char *key, const char *suffix, char *out, size_t n)
{
    snprintf(out, n, "%s/%s%s", c->dir, key, suffix);
}

/* Removes what an earlier process left: its index is gone with it. */
static void sweep(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n > 4 && (strcmp(de->d_name + n - 4, ".img") == 0 || strstr(de->d_name, ".tmp") != NULL)) {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            unlink(p);
        }
    }
    closedir(d);
}

snap_cache *snap_cache_open(const char *dir, uint64_t max_bytes, size_t max_entries, os_err *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        os_err_set(err, OS_EIO, "cannot create the snapshot cache directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    snap_cache *c = calloc(1, sizeof *c);
    if (c == NULL || (c->dir = strdup(dir)) == NULL) {
        free(c);
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    c->max_bytes = max_bytes ? max_bytes : 4ull << 30;
    c->max_entries = max_entries ? max_entries : 64;
    c->e = calloc(c->max_entries + 1, sizeof *c->e);
    if (c->e == NULL) {
        free(c->dir);
        free(c);
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    sweep(dir);
    return c;
}

void snap_cache_close(snap_cache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c->e);
    free(c->dir);
    free(c);
}

void snap_cache_key(const char *location, const char *fingerprint, char key[65])
{
    size_t a = strlen(location), b = strlen(fingerprint);
    char *text = malloc(a + b + 2);
    if (text == NULL) {
        /* No key means no sharing of images: a name nothing else can have. */
        snprintf(key, 65, "nokey-%p", (void *)key);
        return;
    }
    memcpy(text, location, a);
    text[a] = '\n';
    memcpy(text + a + 1, fingerprint, b + 1);
    os_sha256_hex(text, a + b + 1, key);
    free(text);
}

static entry *find(snap_cache *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].key, key) == 0)
            return &c->e[i];
    return NULL;
}

/* Deletes entry i (its file too, unless it is being built). */
static void remove_at(snap_cache *c, size_t i)
{
    entry *e = &c->e[i];
    if (e->present) {
        char p[4096];
        path_of(c, e->key, ".img", p, sizeof p);
        unlink(p);
        c->st.bytes -= e->bytes;
    }
    c->e[i] = c->e[--c->n];
}

/* Evicts least recently used images while over a bound; builds stay. */
static void evict(snap_cache *c)
{
    for (;;) {
        size_t present = 0;
        for (size_t i = 0; i < c->n; i++)
            present += c->e[i].present;
        if (c->st.bytes <= c->max_bytes && present <= c->max_entries)
            return;
        size_t victim = c->n;
        for (size_t i = 0; i < c->n; i++)
            if (c->e[i].present && !c->e[i].building &&
                (victim == c->n || c->e[i].used < c->e[victim].used))
                victim = i;
        if (victim == c->n)
            return;
        remove_at(c, victim);
    }
}

int snap_cache_lookup(snap_cache *c, const char *key)
{
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, key);
    int fd = -1;
    if (e && e->present) {
        char p[4096];
        path_of(c, key, ".img", p, sizeof p);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            e->used = ++c->tick;
        else
            remove_at(c, (size_t)(e - c->e));
    }
    if (fd >= 0)
        c->st.hits++;
    else
        c->st.misses++;
    pthread_mutex_unlock(&c->mu);
    return fd;
}

int snap_cache_build_begin(snap_cache *c, const char *key)
{
    pthread_mutex_lock(&c->mu);
    int fd = -1;
    entry *e = find(c, key);
    if (e == NULL && c->n < c->max_entries + 1) {
        /* One slot is kept for a build beyond max_entries; evict() trims after. */
        e = &c->e[c->n++];
        memset(e, 0, sizeof *e);
        snprintf(e->key, sizeof e->key, "%s", key);
    } else if (e != NULL && (e->present || e->building)) {
        e = NULL;
    } else {
        e = NULL;
    }
    if (e != NULL) {
        char p[4096];
        path_of(c, key, ".tmp", p, sizeof p);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
            e->building = true;
            e->used = ++c->tick;
        } else {
            os_log(OS_LOG_WARN, "snapshot cache: cannot create %s: %s", p, strerror(errno));
            remove_at(c, (size_t)(e - c->e));
        }
    }
    pthread_mutex_unlock(&c->mu);
    return fd;
}

void snap_cache_build_end(snap_cache *c, const char *key, int fd, bool keep)
{
    struct stat sb;
    if (keep && fstat(fd, &sb) != 0)
        keep = false;
    close(fd);
    char tmp[4096], img[4096];
    path_of(c, key, ".tmp", tmp, sizeof tmp);
    path_of(c, key, ".img", img, sizeof img);
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, key);
    if (keep && e != NULL && rename(tmp, img) == 0) {
        e->building = false;
        e->present = true;
        e->bytes = (uint64_t)sb.st_size;
        e->used = ++c->tick;
        c->st.bytes += e->bytes;
        c->st.builds++;
        evict(c);
    } else {
        unlink(tmp);
        if (e != NULL)
            remove_at(c, (size_t)(e - c->e));
    }
    pthread_mutex_unlock(&c->mu);
}

void snap_cache_drop(snap_cache *c, const char *key)
{
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, key);
    if (e != NULL && e->present && !e->building) {
        remove_at(c, (size_t)(e - c->e));
        c->st.drops++;
    }
    pthread_mutex_unlock(&c->mu);
}

void snap_cache_get_stats(snap_cache *c, snap_cache_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->st;
    size_t present = 0;
    for (size_t i = 0; i < c->n; i++)
        present += c->e[i].present;
    out->entries = present;
    pthread_mutex_unlock(&c->mu);
}
