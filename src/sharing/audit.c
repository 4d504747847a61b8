/* audit.c - the audit sink: a bounded queue that one writer thread empties in batches into the catalog's audit table and audit.jsonl.
 *
 * Requests never wait for the catalog's write lock: they copy their event into
 * the queue and go on.  The writer commits up to AUDIT_BATCH_MAX events per
 * transaction, as soon as they come, so a batch spans what arrived while the
 * previous one was being written.  When the queue is full, requests wait for
 * room (back-pressure): no event is dropped.  Closing the sink drains the queue;
 * a crash loses at most the events not yet committed (one batch and the queue).
 *
 * The writer also keeps the log bounded: once an hour it deletes events older
 * than the retention period, and it rotates audit.jsonl when it passes its
 * size limit (audit.jsonl.1 is the newest old file) or when asked to reopen it
 * after an external rotation (SIGHUP). */
#include "sharing/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/timeutil.h"

#define AUDIT_QUEUE_CAP 8192
#define AUDIT_BATCH_MAX 1000
#define AUDIT_PRUNE_EVERY_MS (3600 * 1000)
/* A token's last use is written at most this often, by this thread, so the
 * request path never writes to the catalog for it. */
#define TOKEN_TOUCH_EVERY_MS (60 * 1000)
#define TOKEN_SLOTS 1024

struct audit_sink {
    cat_store *st;
    FILE *file;
    char path[PATH_MAX];
    audit_sink_opts opts;
    int reopen;                    /* set by audit_sink_reopen, atomically */
    struct { int64_t id, at_ms; } touched[TOKEN_SLOTS];   /* writer only: last use written */
    int64_t next_prune_ms;
    pthread_mutex_t lock;
    pthread_cond_t nonempty, nonfull, drained;
    cat_audit_event *queue[AUDIT_QUEUE_CAP];   /* a ring of malloc'd copies */
    size_t head, count;
    bool busy;                     /* the writer holds a batch */
    bool stop;
    pthread_t writer;
};

static void *writer_main(void *arg);

static audit_sink *g_sink;

audit_sink *audit_sink_open(cat_store *st, const char *data_dir, const audit_sink_opts *opts,
                            os_err *err)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/audit.jsonl", data_dir) >= (int)sizeof path) {
        os_err_set(err, OS_EINVAL, "data directory path is too long");
        return NULL;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        os_err_set(err, OS_EIO, "cannot open audit log %s: %s", path, strerror(errno));
        return NULL;
    }
    audit_sink *s = calloc(1, sizeof *s);
    FILE *f = fdopen(fd, "a");
    if (s == NULL || f == NULL) {
        if (f)
            fclose(f);
        else
            close(fd);
        free(s);
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    s->st = st;
    s->file = f;
    memcpy(s->path, path, sizeof path);
    if (opts)
        s->opts = *opts;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->nonempty, NULL);
    pthread_cond_init(&s->nonfull, NULL);
    pthread_cond_init(&s->drained, NULL);
    if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
        fclose(f);
        pthread_mutex_destroy(&s->lock);
        free(s);
        os_err_set(err, OS_ENOMEM, "cannot start the audit writer thread");
        return NULL;
    }
    return s;
}

void audit_sink_close(audit_sink *s)
{
    if (s == NULL)
        return;
    if (g_sink == s)
        g_sink = NULL;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->nonempty);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->writer, NULL);   /* it drains the queue first */
    fclose(s->file);
    pthread_cond_destroy(&s->nonempty);
    pthread_cond_destroy(&s->nonfull);
    pthread_cond_destroy(&s->drained);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void audit_sink_install(audit_sink *s)
{
    g_sink = s;
}

static void set_str(json_t *o, const char *key, const char *v)
{
    json_t *j = v ? json_string(v) : json_null();
    json_object_set_new(o, key, j ? j : json_string("?"));
}

char *audit_event_json(const cat_audit_event *ev)
{
    char iso[32];
    os_time_format_iso(ev->time_ms, iso);
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    if (ev->id)
        json_object_set_new(o, "id", json_integer(ev->id));
    set_str(o, "time", iso);
    set_str(o, "recipient", ev->recipient);
    set_str(o, "share", ev->share);
    set_str(o, "schema", ev->schema);
    set_str(o, "asset", ev->asset);
    set_str(o, "operation", ev->operation);
    set_str(o, "method", ev->method);
    set_str(o, "path", ev->path);
    json_object_set_new(o, "status", json_integer(ev->status));
    json_object_set_new(o, "files", json_integer(ev->files));
    json_object_set_new(o, "credentials", json_integer(ev->credentials));
    if (ev->has_snapshot)
        json_object_set_new(o, "snapshot_id", json_integer(ev->snapshot_id));
    if (ev->file) {
        set_str(o, "file", ev->file);
        json_object_set_new(o, "bytes", json_integer(ev->bytes));
    }
    set_str(o, "client_ip", ev->client_ip);
    set_str(o, "user_agent", ev->user_agent);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

/* One malloc block holding the event and copies of its strings. */
static cat_audit_event *event_copy(const cat_audit_event *ev)
{
    const char *const *src[] = {&ev->recipient, &ev->share, &ev->schema, &ev->asset, &ev->operation,
                                &ev->method, &ev->path, &ev->client_ip, &ev->user_agent, &ev->file};
    size_t n = sizeof src / sizeof src[0], total = sizeof *ev;
    for (size_t i = 0; i < n; i++)
        total += *src[i] ? strlen(*src[i]) + 1 : 0;
    cat_audit_event *c = malloc(total);
    if (c == NULL)
        return NULL;
    *c = *ev;
    const char **dst[] = {&c->recipient, &c->share, &c->schema, &c->asset, &c->operation,
                          &c->method, &c->path, &c->client_ip, &c->user_agent, &c->file};
    char *p = (char *)(c + 1);
    for (size_t i = 0; i < n; i++) {
        if (*src[i] == NULL)
            continue;
        size_t len = strlen(*src[i]) + 1;
        memcpy(p, *src[i], len);
        *dst[i] = p;
        p += len;
    }
    return c;
}

/* Opens audit.jsonl again (0600, appending); keeps the old stream when that fails. */
static void file_reopen(audit_sink *s)
{
    int fd = open(s->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (f == NULL) {
        os_log(OS_LOG_ERROR, "audit: cannot reopen %s: %s; still writing the old file", s->path,
               strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    fclose(s->file);
    s->file = f;
}

/* audit.jsonl -> audit.jsonl.1, .1 -> .2 ... dropping what is past keep_files. */
static void file_rotate(audit_sink *s)
{
    char from[PATH_MAX + 16], to[PATH_MAX + 16];
    fflush(s->file);
    if (s->opts.keep_files == 0) {
        if (unlink(s->path) != 0)
            os_log(OS_LOG_ERROR, "audit: cannot remove %s to rotate it: %s", s->path, strerror(errno));
    } else {
        for (unsigned i = s->opts.keep_files; i > 1; i--) {
            snprintf(from, sizeof from, "%s.%u", s->path, i - 1);
            snprintf(to, sizeof to, "%s.%u", s->path, i);
            if (rename(from, to) != 0 && errno != ENOENT)
                os_log(OS_LOG_ERROR, "audit: cannot rotate %s: %s", from, strerror(errno));
        }
        snprintf(to, sizeof to, "%s.1", s->path);
        if (rename(s->path, to) != 0)
            os_log(OS_LOG_ERROR, "audit: cannot rotate %s: %s", s->path, strerror(errno));
    }
    file_reopen(s);
}

/* Deletes events past the retention period, at most once an hour. */
static void prune_if_due(audit_sink *s)
{
    int64_t now = os_now_ms();
    if (s->opts.retention_ms <= 0 || now < s->next_prune_ms)
        return;
    s->next_prune_ms = now + AUDIT_PRUNE_EVERY_MS;
    int64_t gone = 0;
    os_err err;
    if (store_audit_prune(s->st, now - s->opts.retention_ms, &gone, &err) != 0)
        os_log(OS_LOG_ERROR, "audit: cannot delete events past the retention period: %s", err.msg);
    else if (gone > 0)
        os_log(OS_LOG_INFO, "audit: deleted %lld events older than the retention period",
               (long long)gone);
}

/* Records the last use of the batch's tokens whose stored time is a minute
 * old or more (a slot shared by two tokens only costs an extra write). */
static void touch_tokens(audit_sink *s, cat_audit_event **batch, size_t n)
{
    int64_t ids[64];
    size_t k = 0;
    int64_t now = os_now_ms();
    for (size_t i = 0; i < n; i++) {
        int64_t id = batch[i]->token_id;
        if (id <= 0)
            continue;
        size_t slot = (size_t)id % TOKEN_SLOTS;
        if (s->touched[slot].id == id && now - s->touched[slot].at_ms < TOKEN_TOUCH_EVERY_MS)
            continue;
        s->touched[slot].id = id;
        s->touched[slot].at_ms = now;
        ids[k++] = id;
        if (k < sizeof ids / sizeof ids[0] && i + 1 < n)
            continue;
        os_err err;
        if (store_tokens_touch(s->st, ids, k, now, &err) != 0)
            os_log(OS_LOG_ERROR, "audit: cannot record tokens' last use: %s", err.msg);
        k = 0;
    }
    if (k > 0) {   /* the batch ended on events without a token to write */
        os_err err;
        if (store_tokens_touch(s->st, ids, k, now, &err) != 0)
            os_log(OS_LOG_ERROR, "audit: cannot record tokens' last use: %s", err.msg);
    }
}

/* Writes one batch: one transaction in the catalog, then its JSON lines. */
static void write_batch(audit_sink *s, cat_audit_event **batch, size_t n)
{
    os_err err;
    /* A catalog busy with another process's write is waited for (up to a
     * minute, the queue absorbing requests meanwhile); other failures are
     * logged and the events still reach audit.jsonl. */
    int rc;
    for (int tries = 0;; tries++) {
        rc = store_audit_append_batch(s->st, (const cat_audit_event *const *)batch, n, &err);
        if (rc == 0 || err.code != OS_EBUSY || tries >= 60)
            break;
        struct timespec pause = {1, 0};
        nanosleep(&pause, NULL);
    }
    if (rc != 0)
        os_log(OS_LOG_ERROR, "audit: cannot record %zu requests in the catalog: %s", n, err.msg);
    for (size_t i = 0; i < n; i++) {
        char *line = audit_event_json(batch[i]);
        if (line == NULL || fprintf(s->file, "%s\n", line) < 0)
            os_log(OS_LOG_ERROR, "audit: cannot append to audit.jsonl: %s", line ? strerror(errno) : "out of memory");
        free(line);
    }
    if (fflush(s->file) != 0)
        os_log(OS_LOG_ERROR, "audit: cannot append to audit.jsonl: %s", strerror(errno));
    if (s->opts.max_file_bytes > 0) {
        long size = ftell(s->file);
        if (size > 0 && (uint64_t)size >= s->opts.max_file_bytes)
            file_rotate(s);
    }
}

static void *writer_main(void *arg)
{
    audit_sink *s = arg;
    cat_audit_event **batch = malloc(AUDIT_BATCH_MAX * sizeof *batch);
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (s->count == 0 && !s->stop) {
            /* Idle: wake now and then for retention and SIGHUP. */
            pthread_mutex_unlock(&s->lock);
            if (__atomic_exchange_n(&s->reopen, 0, __ATOMIC_ACQ_REL))
                file_reopen(s);
            prune_if_due(s);
            pthread_mutex_lock(&s->lock);
            if (s->count > 0 || s->stop)
                break;
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            pthread_cond_timedwait(&s->nonempty, &s->lock, &until);
        }
        if (s->count == 0)
            break;   /* stopping, and drained */
        size_t n = s->count < AUDIT_BATCH_MAX ? s->count : AUDIT_BATCH_MAX;
        if (batch == NULL)
            n = 1;   /* no room for a batch: go one by one rather than lose events */
        cat_audit_event *one;
        cat_audit_event **take = batch ? batch : &one;
        for (size_t i = 0; i < n; i++) {
            take[i] = s->queue[s->head];
            s->head = (s->head + 1) % AUDIT_QUEUE_CAP;
        }
        s->count -= n;
        s->busy = true;
        pthread_cond_broadcast(&s->nonfull);
        pthread_mutex_unlock(&s->lock);
        if (__atomic_exchange_n(&s->reopen, 0, __ATOMIC_ACQ_REL))
            file_reopen(s);
        write_batch(s, take, n);
        touch_tokens(s, take, n);
        for (size_t i = 0; i < n; i++)
            free(take[i]);
        pthread_mutex_lock(&s->lock);
        s->busy = false;
        if (s->count == 0)
            pthread_cond_broadcast(&s->drained);
    }
    s->busy = false;
    pthread_cond_broadcast(&s->drained);
    pthread_mutex_unlock(&s->lock);
    free(batch);
    return NULL;
}

void audit_sink_write(audit_sink *s, const cat_audit_event *ev)
{
    if (s == NULL)
        return;
    cat_audit_event *c = event_copy(ev);
    if (c == NULL) {
        /* Out of memory: write this one in place rather than lose it. */
        cat_audit_event *one = (cat_audit_event *)ev;
        pthread_mutex_lock(&s->lock);
        write_batch(s, &one, 1);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    pthread_mutex_lock(&s->lock);
    while (s->count == AUDIT_QUEUE_CAP)
        pthread_cond_wait(&s->nonfull, &s->lock);   /* back-pressure, never a drop */
    s->queue[(s->head + s->count) % AUDIT_QUEUE_CAP] = c;
    s->count++;
    pthread_cond_signal(&s->nonempty);
    pthread_mutex_unlock(&s->lock);
}

void audit_sink_flush(audit_sink *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    while (s->count > 0 || s->busy)
        pthread_cond_wait(&s->drained, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

void audit_sink_reopen(audit_sink *s)
{
    if (s == NULL)
        return;
    __atomic_store_n(&s->reopen, 1, __ATOMIC_RELEASE);
    pthread_mutex_lock(&s->lock);
    pthread_cond_signal(&s->nonempty);
    pthread_mutex_unlock(&s->lock);
}

audit_sink *audit_sink_installed(void)
{
    return g_sink;
}
