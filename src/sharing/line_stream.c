/* line_stream.c - a producer thread writing into a pipe that the HTTP layer drains. */
#include "sharing/line_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "base/log.h"

#define SINK_BLOCK 32768
#define ENC_IN 65536
/* Levels measured on a million-file answer (bench/serve/query.sh): gzip 1 is
 * as small as 3 and faster, 6 twice as slow for 7% less; zstd 1 is both the
 * fastest and the smallest of 1, 3 and 6 on this text. */
#define GZIP_LEVEL 1
#define ZSTD_LEVEL 1

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
    /* compression on the reader's side (a second core next to the producer) */
    line_encoding enc;
    z_stream z;
    ZSTD_CCtx *zc;
    char *in;
    size_t in_pos, in_len;
    int in_eof, enc_done;
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

line_encoding line_encoding_choose(const char *accept)
{
    int gzip = 0, zstd = 0, star = -1;
    const char *p = accept;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *tok = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - tok);
        /* q=0 (0.0, 0.000) refuses; any other weight accepts. */
        int ok = 1;
        while (*p && *p != ',') {
            if (*p == ';') {
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
                    const char *v = p + 2;
                    ok = 0;
                    for (; *v && *v != ',' && *v != ';' && *v != ' '; v++)
                        if (*v >= '1' && *v <= '9')
                            ok = 1;
                }
                continue;
            }
            p++;
        }
        if (n == 4 && strncasecmp(tok, "gzip", 4) == 0)
            gzip = ok ? 1 : -1;
        else if (n == 6 && strncasecmp(tok, "x-gzip", 6) == 0)
            gzip = gzip ? gzip : (ok ? 1 : -1);
        else if (n == 4 && strncasecmp(tok, "zstd", 4) == 0)
            zstd = ok ? 1 : -1;
        else if (n == 1 && tok[0] == '*')
            star = ok;
    }
    if (zstd > 0)
        return LINE_ENC_ZSTD;
    if (gzip > 0 || (gzip == 0 && star == 1))
        return LINE_ENC_GZIP;
    return LINE_ENC_IDENTITY;
}

const char *line_encoding_name(line_encoding enc)
{
    return enc == LINE_ENC_GZIP ? "gzip" : enc == LINE_ENC_ZSTD ? "zstd" : NULL;
}

int line_stream_set_encoding(line_stream *ls, line_encoding enc, os_err *err)
{
    if (enc == LINE_ENC_IDENTITY)
        return 0;
    char *in = malloc(ENC_IN);
    if (in == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (enc == LINE_ENC_GZIP) {
        memset(&ls->z, 0, sizeof ls->z);
        /* 15 window bits + 16: a gzip wrapper; memory level 8 is zlib's default. */
        if (deflateInit2(&ls->z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            free(in);
            return os_err_set(err, OS_ENOMEM, "cannot start gzip compression");
        }
    } else {
        ls->zc = ZSTD_createCCtx();
        if (ls->zc == NULL ||
            ZSTD_isError(ZSTD_CCtx_setParameter(ls->zc, ZSTD_c_compressionLevel, ZSTD_LEVEL)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(ls->zc, ZSTD_c_checksumFlag, 1))) {
            ZSTD_freeCCtx(ls->zc);
            ls->zc = NULL;
            free(in);
            return os_err_set(err, OS_ENOMEM, "cannot start zstd compression");
        }
    }
    ls->in = in;
    ls->enc = enc;
    return 0;
}

static ssize_t raw_read(line_stream *ls, char *buf, size_t max);

/* Compresses what the producer wrote into buf: >0 bytes, 0 at the end, -1. */
static ssize_t encoded_read(line_stream *ls, char *buf, size_t max)
{
    for (;;) {
        if (ls->enc_done)
            return raw_read(ls, buf, 0);   /* reports the end (and the count) once */
        if (ls->in_pos == ls->in_len && !ls->in_eof) {
            ssize_t n = raw_read(ls, ls->in, ENC_IN);
            if (n < 0)
                return -1;
            ls->in_pos = 0;
            ls->in_len = (size_t)n;
            ls->in_eof = n == 0;
        }
        size_t out = 0;
        int finished = 0;
        if (ls->enc == LINE_ENC_GZIP) {
            ls->z.next_in = (Bytef *)ls->in + ls->in_pos;
            ls->z.avail_in = (uInt)(ls->in_len - ls->in_pos);
            ls->z.next_out = (Bytef *)buf;
            ls->z.avail_out = (uInt)(max > UINT32_MAX ? UINT32_MAX : max);
            int zr = deflate(&ls->z, ls->in_eof ? Z_FINISH : Z_NO_FLUSH);
            if (zr == Z_STREAM_ERROR)
                return -1;
            ls->in_pos = ls->in_len - ls->z.avail_in;
            out = (size_t)((char *)ls->z.next_out - buf);
            finished = zr == Z_STREAM_END;
        } else {
            ZSTD_inBuffer zin = {ls->in, ls->in_len, ls->in_pos};
            ZSTD_outBuffer zout = {buf, max, 0};
            size_t zr = ZSTD_compressStream2(ls->zc, &zout, &zin, ls->in_eof ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(zr))
                return -1;
            ls->in_pos = zin.pos;
            out = zout.pos;
            finished = ls->in_eof && zr == 0;
        }
        if (finished)
            ls->enc_done = 1;
        if (out > 0)
            return (ssize_t)out;
    }
}

ssize_t line_stream_read(void *stream, char *buf, size_t max)
{
    line_stream *ls = stream;
    if (ls->enc != LINE_ENC_IDENTITY)
        return encoded_read(ls, buf, max);
    return raw_read(ls, buf, max);
}

static ssize_t raw_read(line_stream *ls, char *buf, size_t max)
{
    if (max == 0) {
        /* The end, already seen by the encoder: report it as the pipe did. */
        if (__atomic_load_n(&ls->failed, __ATOMIC_ACQUIRE))
            return -1;
        if (ls->on_end) {
            ls->on_end(ls->on_end_ctx, ls->sink.count);
            ls->on_end = NULL;
        }
        return 0;
    }
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
    if (ls->enc == LINE_ENC_GZIP)
        deflateEnd(&ls->z);
    ZSTD_freeCCtx(ls->zc);
    free(ls->in);
    free(ls);
}
