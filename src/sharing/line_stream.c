/* line_stream.c - a producer thread writing into a pipe that the HTTP layer drains. */
#include "sharing/line_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

#define SINK_BLOCK 32768

struct line_sink {
    int fd;
    os_buf pending;
    int64_t count;
};

struct line_stream {
    int rfd;
    line_sink sink;
    pthread_t thread;
    int started;
    int failed;                 /* set by the producer thread before it closes the pipe */
    line_producer_fn fn;
    void *job;
    void (*free_job)(void *);
    void (*on_end)(void *ctx, int64_t count);
    void *on_end_ctx;
};

void line_sink_set_count(line_sink *s, int64_t count)
{
    s->count = count;
}

void line_stream_on_end(line_stream *ls, void (*fn)(void *ctx, int64_t count), void *ctx)
{
    ls->on_end = fn;
    ls->on_end_ctx = ctx;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int line_sink_put(line_sink *s, os_buf *lines, os_err *err)
{
    if (os_buf_append(&s->pending, lines->data ? lines->data : "", lines->len) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    os_buf_reset(lines);
    if (s->pending.len >= SINK_BLOCK) {
        if (write_all(s->fd, s->pending.data, s->pending.len) != 0)
            return os_err_set(err, OS_EIO, "the client went away");
        os_buf_reset(&s->pending);
    }
    return 0;
}

static void *run(void *arg)
{
    line_stream *ls = arg;
    os_err err;
    os_err_clear(&err);
    int rc = ls->fn(ls->job, &ls->sink, &err);
    if (rc == 0 && ls->sink.pending.len > 0 &&
        write_all(ls->sink.fd, ls->sink.pending.data, ls->sink.pending.len) != 0)
        rc = -1;
    if (rc != 0) {
        if (err.code != OS_EIO)
            os_log(OS_LOG_ERROR, "stream aborted: %s", err.msg);
        __atomic_store_n(&ls->failed, 1, __ATOMIC_RELEASE);
    }
    os_buf_free(&ls->sink.pending);
    close(ls->sink.fd);
    ls->sink.fd = -1;
    return NULL;
}

line_stream *line_stream_start(line_producer_fn fn, void *job, void (*free_job)(void *),
                               os_err *err)
{
    line_stream *ls = calloc(1, sizeof *ls);
    int fds[2] = {-1, -1};
    if (ls == NULL || pipe2(fds, O_CLOEXEC) != 0) {
        free(ls);
        if (free_job)
            free_job(job);
        os_err_set(err, OS_EIO, "cannot create a response stream: %s", strerror(errno));
        return NULL;
    }
    /* A bigger pipe lets the producer run ahead a little; failure is harmless. */
    (void)fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    ls->rfd = fds[0];
    ls->sink.fd = fds[1];
    ls->fn = fn;
    ls->job = job;
    ls->free_job = free_job;
    if (pthread_create(&ls->thread, NULL, run, ls) != 0) {
        close(fds[0]);
        close(fds[1]);
        if (free_job)
            free_job(job);
        free(ls);
        os_err_set(err, OS_EIO, "cannot start a response stream");
        return NULL;
    }
    ls->started = 1;
    return ls;
}

ssize_t line_stream_read(void *stream, char *buf, size_t max)
{
    line_stream *ls = stream;
    for (;;) {
        ssize_t n = read(ls->rfd, buf, max);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            if (__atomic_load_n(&ls->failed, __ATOMIC_ACQUIRE))
                return -1;
            /* The producer wrote the count before closing the pipe that just
             * reported its end. */
            if (ls->on_end) {
                ls->on_end(ls->on_end_ctx, ls->sink.count);
                ls->on_end = NULL;
            }
            return 0;
        }
        return n;
    }
}

void line_stream_free(void *stream)
{
    line_stream *ls = stream;
    if (ls == NULL)
        return;
    close(ls->rfd);
    if (ls->started)
        pthread_join(ls->thread, NULL);
    if (ls->free_job)
        ls->free_job(ls->job);
    free(ls);
}
