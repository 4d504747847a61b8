/* image_lines.c - a cached snapshot image's lines signed and joined on two threads, every other block on a helper, written in order. */
#include "sharing/image_lines.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "sharing/table_actions.h"

#define QUEUE 4

int image_line_render(const file_access *fa, const delta_file *f, int64_t version, int64_t timestamp,
                      os_buf *url, os_buf *out, int64_t *expires_ms, os_err *err)
{
    const char *aux = f->image_aux;
    size_t aux_len = f->image_aux_len;
    uint32_t rel_len;
    if (aux == NULL)
        return 2;
    if (aux_len < sizeof rel_len)
        return os_err_set(err, OS_ECORRUPT, "a snapshot image entry is too short");
    memcpy(&rel_len, aux, sizeof rel_len);
    if (aux_len - sizeof rel_len <= rel_len || aux[sizeof rel_len + rel_len] != '\0')
        return os_err_set(err, OS_ECORRUPT, "a snapshot image entry is malformed");
    const char *rel = aux + sizeof rel_len;
    const char *body = rel + rel_len + 1;
    size_t body_len = aux_len - sizeof rel_len - rel_len - 1;
    os_buf_reset(url);
    if (file_access_sign_rel(fa, rel, os_now_ms(), url, expires_ms, err) != 0)
        return -1;
    if (ta_file_parquet_line(out, "file", os_buf_cstr(url), body, body_len, version, timestamp, *expires_ms) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

typedef struct item {
    char *raw;             /* a block for the caller (raw_len > 0), else spare room */
    size_t raw_len, raw_cap;
    os_buf lines;          /* lines the helper rendered */
    int64_t files, min_expiry;
} item;

#define SPARES (QUEUE + 2)

typedef struct run_state {
    int fd;
    const file_access *fa;
    int64_t version, timestamp;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    item q[QUEUE];
    size_t qhead, qn;
    item spare[SPARES];    /* drained items, their buffers reused by the helper */
    size_t nspare;
    bool done, closed, corrupt;
    uint64_t declared;     /* files the image's end declares */
    os_err err;            /* the helper's error when not corrupt */
    int failed;
    /* the helper's own */
    os_buf url;
    item cur;
} run_state;

static int render_one(void *ctx, const delta_file *f, os_err *err)
{
    run_state *r = ctx;
    int64_t exp;
    int rc = image_line_render(r->fa, f, r->version, r->timestamp, &r->url, &r->cur.lines, &exp, err);
    if (rc != 0)
        return rc == 2 ? 1 : -1;   /* a file without its rendering: the caller takes the block */
    r->cur.files++;
    if (r->cur.min_expiry < 0 || exp < r->cur.min_expiry)
        r->cur.min_expiry = exp;
    return 0;
}

static bool push(run_state *r, item *it)
{
    pthread_mutex_lock(&r->mu);
    while (r->qn == QUEUE && !r->closed)
        pthread_cond_wait(&r->cv, &r->mu);
    bool ok = !r->closed;
    if (ok) {
        r->q[(r->qhead + r->qn) % QUEUE] = *it;
        r->qn++;
        pthread_cond_signal(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    return ok;
}

static void *helper(void *arg)
{
    run_state *r = arg;
    os_err err;
    os_err_clear(&err);
    bool corrupt = false, failed = false;
    delta_image_reader *rd = delta_image_reader_open(r->fd, &err);
    if (rd == NULL) {
        corrupt = err.code == OS_ECORRUPT;
        failed = !corrupt;
    }
    for (uint64_t k = 0; rd != NULL; k++) {
        item it;
        memset(&it, 0, sizeof it);
        pthread_mutex_lock(&r->mu);
        if (r->nspare > 0)
            it = r->spare[--r->nspare];
        pthread_mutex_unlock(&r->mu);
        it.raw_len = 0;
        it.files = 0;
        it.min_expiry = -1;
        os_buf_reset(&it.lines);
        size_t n;
        int got = delta_image_reader_next(rd, &it.raw, &it.raw_cap, &n, &err);
        if (got <= 0) {
            if (got < 0) {
                corrupt = err.code == OS_ECORRUPT;
                failed = !corrupt;
            } else {
                r->declared = delta_image_reader_count(rd);
            }
            free(it.raw);
            os_buf_free(&it.lines);
            break;
        }
        it.raw_len = n;
        if (k % 2 == 0) {
            /* Render on this thread; a block it cannot fully render goes raw. */
            r->cur = it;
            int rc = delta_image_block_each(it.raw, n, render_one, r, &err);
            it = r->cur;
            if (rc == 0) {
                it.raw_len = 0;
            } else {
                os_buf_reset(&it.lines);
                it.files = 0;
                it.min_expiry = -1;
                if (rc < 0 && err.code != OS_ECORRUPT) {
                    free(it.raw);
                    os_buf_free(&it.lines);
                    failed = true;
                    break;
                }
                os_err_clear(&err);   /* the caller renders it (and meets any fault itself) */
            }
        }
        if (!push(r, &it)) {
            free(it.raw);
            os_buf_free(&it.lines);
            break;
        }
    }
    delta_image_reader_free(rd);
    os_buf_free(&r->url);
    pthread_mutex_lock(&r->mu);
    r->corrupt = corrupt;
    r->failed = failed;
    if (failed)
        r->err = err;
    r->done = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Counts the records of a block the caller renders. */
static int count_one(void *ctx, const delta_file *f, os_err *err)
{
    (void)f;
    (void)err;
    (*(int64_t *)ctx)++;
    return 0;
}

int image_lines_run(int fd, const file_access *fa, int64_t version, int64_t timestamp,
                    const image_lines_out *out, int64_t *files_done, os_err *err)
{
    *files_done = 0;
    run_state *r = calloc(1, sizeof *r);
    if (r == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    r->fd = fd;
    r->fa = fa;
    r->version = version;
    r->timestamp = timestamp;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    pthread_t th;
    int rc = 0;
    if (pthread_create(&th, NULL, helper, r) != 0) {
        rc = os_err_set(err, OS_EIO, "cannot start a rendering thread");
        goto out;
    }
    int64_t files = 0;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (r->qn == 0 && !r->done)
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->qn == 0) {
            pthread_mutex_unlock(&r->mu);
            break;
        }
        item it = r->q[r->qhead];
        r->qhead = (r->qhead + 1) % QUEUE;
        r->qn--;
        pthread_cond_signal(&r->cv);
        pthread_mutex_unlock(&r->mu);
        if (it.raw_len > 0) {
            int64_t n = 0;
            os_err e2;
            delta_image_block_each(it.raw, it.raw_len, count_one, &n, &e2);
            rc = out->block(out->ctx, it.raw, it.raw_len, err);
            files += n;
        } else {
            rc = out->lines(out->ctx, &it.lines, it.files, it.min_expiry, err);
            files += it.files;
        }
        pthread_mutex_lock(&r->mu);
        if (r->nspare < SPARES) {
            r->spare[r->nspare++] = it;
        } else {
            free(it.raw);
            os_buf_free(&it.lines);
        }
        pthread_mutex_unlock(&r->mu);
        if (rc != 0)
            break;
    }
    pthread_mutex_lock(&r->mu);
    r->closed = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(th, NULL);
    for (size_t i = 0; i < r->qn; i++) {
        item *it = &r->q[(r->qhead + i) % QUEUE];
        free(it->raw);
        os_buf_free(&it->lines);
    }
    for (size_t i = 0; i < r->nspare; i++) {
        free(r->spare[i].raw);
        os_buf_free(&r->spare[i].lines);
    }
    *files_done = files;
    if (rc == 0) {
        if (r->failed) {
            *err = r->err;
            rc = -1;
        } else if (r->corrupt || r->declared != (uint64_t)files) {
            rc = 2;
        }
    }
out:
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
    return rc;
}
