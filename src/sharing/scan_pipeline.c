/* scan_pipeline.c - the log replay and rendering of a snapshot scan on a helper thread, handing blocks of image records to the caller. */
#include "sharing/scan_pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_TARGET (256u << 10)
#define QUEUE 4

typedef struct block {
    os_buf data;
    uint64_t count;
} block;

typedef struct pipe_state {
    const table_source *src;
    void *snap;
    const delta_scan_opts *opts;
    scan_render_fn render;
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    block q[QUEUE];
    size_t qhead, qn;
    int done, closed;
    int rc;                  /* stage one's result */
    os_err err;
    /* stage one's own */
    block cur;
    os_buf aux;
} pipe_state;

/* Queues the current block; -1 when stage two has stopped. */
static int push(pipe_state *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->qn == QUEUE && !p->closed)
        pthread_cond_wait(&p->cv, &p->mu);
    int rc = -1;
    if (!p->closed) {
        p->q[(p->qhead + p->qn) % QUEUE] = p->cur;
        p->qn++;
        memset(&p->cur, 0, sizeof p->cur);
        pthread_cond_broadcast(&p->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static int on_file(void *ctx, const delta_file *f, os_err *err)
{
    pipe_state *p = ctx;
    os_buf_reset(&p->aux);
    if (p->render(p->ctx, f, &p->aux, err) != 0)
        return -1;
    if (p->cur.data.data == NULL && os_buf_reserve(&p->cur.data, BLOCK_TARGET + 4096) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (delta_image_record_put(&p->cur.data, f, p->aux.len ? p->aux.data : NULL, p->aux.len) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory (a file's record for the snapshot image)");
    p->cur.count++;
    if (p->cur.data.len >= BLOCK_TARGET && push(p) != 0)
        return 1;   /* stage two stopped: so does the scan, quietly */
    return 0;
}

static void *stage_one(void *arg)
{
    pipe_state *p = arg;
    os_err_clear(&p->err);
    int rc = p->src->ops->snapshot_scan(p->snap, p->opts, on_file, p, &p->err);
    if (rc == 0 && p->cur.count > 0 && push(p) != 0)
        rc = 0;   /* stopped by stage two, which knows why */
    os_buf_free(&p->cur.data);
    os_buf_free(&p->aux);
    pthread_mutex_lock(&p->mu);
    p->rc = rc;
    p->done = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int scan_pipeline_run(const table_source *src, void *snap, const delta_scan_opts *opts,
                      scan_render_fn render, scan_consume_fn consume, void *ctx, os_err *err)
{
    pipe_state *p = calloc(1, sizeof *p);
    if (p == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    p->src = src;
    p->snap = snap;
    p->opts = opts;
    p->render = render;
    p->ctx = ctx;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    pthread_t th;
    int rc = 0;
    if (pthread_create(&th, NULL, stage_one, p) != 0) {
        rc = os_err_set(err, OS_EIO, "cannot start a scan thread");
        goto out;
    }
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->qn == 0 && !p->done)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->qn == 0) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        block b = p->q[p->qhead];
        p->qhead = (p->qhead + 1) % QUEUE;
        p->qn--;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        rc = consume(ctx, b.data.data, b.data.len, b.count, err);
        os_buf_free(&b.data);
        if (rc != 0)
            break;
    }
    pthread_mutex_lock(&p->mu);
    p->closed = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(th, NULL);
    for (size_t i = 0; i < p->qn; i++)
        os_buf_free(&p->q[(p->qhead + i) % QUEUE].data);
    if (rc == 0 && p->rc < 0) {
        *err = p->err;
        rc = -1;
    }
out:
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
    return rc;
}
