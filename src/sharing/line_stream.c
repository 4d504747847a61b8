/* line_stream.c - a producer thread filling a bounded queue of blocks that the HTTP layer drains, compressed or not. */
#include "sharing/line_stream.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#include "base/log.h"

#define SINK_BLOCK (256u << 10)
#define QUEUE_BLOCKS 6         /* at most 1.5 MiB queued between the producer and the reader */
#define ENC_IN 65536
/* Levels measured on a million-file answer (bench/serve/query.sh): gzip 1 is
 * as small as 3 and faster, 6 twice as slow for 7% less; zstd 1 is both the
 * fastest and the smallest of 1, 3 and 6 on this text. */
#define GZIP_LEVEL 1
#define ZSTD_LEVEL 1

/* Blocks of lines go from the producer to the reader through a bounded queue
 * in memory: one copy out to the HTTP layer, no system call per block. */
struct line_sink {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    os_buf pending;             /* the producer's block being filled */
    os_buf q[QUEUE_BLOCKS];     /* full blocks, oldest at qhead */
    size_t qhead, qn;
    os_buf spare[QUEUE_BLOCKS]; /* drained blocks, reused by the producer */
    size_t nspare;
    int producer_waits, reader_waits;   /* who sleeps on cv (wake only them) */
    int closed;                 /* the reader went away */
    int done;                   /* the producer finished (all its blocks are queued) */
    int failed;                 /* ... and failed */
    int64_t count;
};

struct line_stream {
    line_sink sink;
    pthread_t thread;
    int started;
    line_producer_fn fn;
    void *job;
    void (*free_job)(void *);
    void (*on_end)(void *ctx, int64_t count);
    void *on_end_ctx;
    os_buf cur;                 /* the block being read */
    size_t cur_pos;
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

/* Queues the pending block, waiting while the queue is full.  0, or -1 when
 * the reader went away. */
static int hand_off(line_sink *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->qn == QUEUE_BLOCKS && !s->closed) {
        s->producer_waits = 1;
        pthread_cond_wait(&s->cv, &s->mu);
    }
    s->producer_waits = 0;
    int rc = -1;
    if (!s->closed) {
        s->q[(s->qhead + s->qn) % QUEUE_BLOCKS] = s->pending;
        s->qn++;
        os_buf empty = OS_BUF_INIT;
        s->pending = s->nspare > 0 ? s->spare[--s->nspare] : empty;
        if (s->reader_waits)
            pthread_cond_signal(&s->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int line_sink_put(line_sink *s, os_buf *lines, os_err *err)
{
    if (os_buf_append(line_sink_buf(s), lines->data ? lines->data : "", lines->len) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    os_buf_reset(lines);
    return line_sink_commit(s, err);
}

int line_sink_put_block(line_sink *s, os_buf *block, os_err *err)
{
    if (block->len == 0)
        return 0;
    if (s->pending.len > 0 && hand_off(s) != 0)
        return os_err_set(err, OS_EIO, "the client went away");
    /* The block becomes the pending one and goes as it is; the caller gets
     * the (empty, reused) buffer that was pending. */
    os_buf mine = s->pending;
    s->pending = *block;
    *block = mine;
    os_buf_reset(block);
    if (hand_off(s) != 0)
        return os_err_set(err, OS_EIO, "the client went away");
    return 0;
}

os_buf *line_sink_buf(line_sink *s)
{
    if (s->pending.data == NULL)
        (void)os_buf_reserve(&s->pending, SINK_BLOCK + 4096);   /* else grown on demand */
    return &s->pending;
}

int line_sink_commit(line_sink *s, os_err *err)
{
    if (s->pending.len >= SINK_BLOCK && hand_off(s) != 0)
        return os_err_set(err, OS_EIO, "the client went away");
    return 0;
}

static void *run(void *arg)
{
    line_stream *ls = arg;
    line_sink *s = &ls->sink;
    os_err err;
    os_err_clear(&err);
    int rc = ls->fn(ls->job, s, &err);
    if (rc == 0 && s->pending.len > 0 && hand_off(s) != 0)
        rc = -1;
    if (rc != 0 && err.code != OS_EIO)
        os_log(OS_LOG_ERROR, "stream aborted: %s", err.msg);
    os_buf_free(&s->pending);
    pthread_mutex_lock(&s->mu);
    s->failed = rc != 0;
    s->done = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

line_stream *line_stream_start(line_producer_fn fn, void *job, void (*free_job)(void *),
                               os_err *err)
{
    line_stream *ls = calloc(1, sizeof *ls);
    if (ls == NULL) {
        if (free_job)
            free_job(job);
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&ls->sink.mu, NULL);
    pthread_cond_init(&ls->sink.cv, NULL);
    ls->fn = fn;
    ls->job = job;
    ls->free_job = free_job;
    if (pthread_create(&ls->thread, NULL, run, ls) != 0) {
        if (free_job)
            free_job(job);
        pthread_cond_destroy(&ls->sink.cv);
        pthread_mutex_destroy(&ls->sink.mu);
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
    line_sink *s = &ls->sink;
    if (ls->cur_pos == ls->cur.len || max == 0) {
        ls->cur_pos = 0;
        pthread_mutex_lock(&s->mu);
        if (ls->cur.data != NULL && s->nspare < QUEUE_BLOCKS) {
            os_buf_reset(&ls->cur);
            s->spare[s->nspare++] = ls->cur;
            os_buf empty = OS_BUF_INIT;
            ls->cur = empty;
        }
        os_buf_free(&ls->cur);
        while (s->qn == 0 && !s->done) {
            s->reader_waits = 1;
            pthread_cond_wait(&s->cv, &s->mu);
        }
        s->reader_waits = 0;
        int end = s->qn == 0, failed = s->failed;
        if (!end && max > 0) {
            ls->cur = s->q[s->qhead];
            s->qhead = (s->qhead + 1) % QUEUE_BLOCKS;
            s->qn--;
            if (s->producer_waits)
                pthread_cond_signal(&s->cv);
        }
        pthread_mutex_unlock(&s->mu);
        if (max == 0 || end) {
            if (!end)
                return -1;   /* asked for the end while lines remain: never happens */
            if (failed)
                return -1;
            /* The producer set the count before it said it was done. */
            if (ls->on_end) {
                ls->on_end(ls->on_end_ctx, s->count);
                ls->on_end = NULL;
            }
            return 0;
        }
    }
    size_t n = ls->cur.len - ls->cur_pos;
    if (n > max)
        n = max;
    memcpy(buf, ls->cur.data + ls->cur_pos, n);
    ls->cur_pos += n;
    return (ssize_t)n;
}

void line_stream_free(void *stream)
{
    line_stream *ls = stream;
    if (ls == NULL)
        return;
    pthread_mutex_lock(&ls->sink.mu);
    ls->sink.closed = 1;
    pthread_cond_broadcast(&ls->sink.cv);
    pthread_mutex_unlock(&ls->sink.mu);
    if (ls->started)
        pthread_join(ls->thread, NULL);
    for (size_t i = 0; i < ls->sink.qn; i++)
        os_buf_free(&ls->sink.q[(ls->sink.qhead + i) % QUEUE_BLOCKS]);
    for (size_t i = 0; i < ls->sink.nspare; i++)
        os_buf_free(&ls->sink.spare[i]);
    os_buf_free(&ls->cur);
    pthread_cond_destroy(&ls->sink.cv);
    pthread_mutex_destroy(&ls->sink.mu);
    if (ls->free_job)
        ls->free_job(ls->job);
    if (ls->enc == LINE_ENC_GZIP)
        deflateEnd(&ls->z);
    ZSTD_freeCCtx(ls->zc);
    free(ls->in);
    free(ls);
}
