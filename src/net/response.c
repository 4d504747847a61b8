/* response.c - response bodies (buffered, streamed, file) and their conversion to MHD responses. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "net/http_internal.h"

void http_response_init(http_response *res, os_arena *a)
{
    memset(res, 0, sizeof *res);
    res->arena = a;
    res->fd = -1;
}

void http_response_reset(http_response *res)
{
    free(res->buf);
    if (res->kind == HTTP_BODY_STREAM && res->free_ctx != NULL)
        res->free_ctx(res->ctx);
    if (res->fd >= 0)
        close(res->fd);
    http_response_init(res, res->arena);
}

/* A header name is a token; a value has no control characters but tab. */
static int header_ok(const char *name, const char *value)
{
    if (name == NULL || value == NULL || name[0] == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == ':')
            return 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if ((*p < ' ' && *p != '\t') || *p == 0x7f)
            return 0;
    return 1;
}

int http_response_header(http_response *res, const char *name, const char *value)
{
    if (!header_ok(name, value))
        return -1;
    http_header *h = os_arena_alloc(res->arena, sizeof *h);
    if (h == NULL || (h->name = os_arena_strdup(res->arena, name)) == NULL ||
        (h->value = os_arena_strdup(res->arena, value)) == NULL)
        return -1;
    if (res->headers_tail)
        res->headers_tail->next = h;
    else
        res->headers = h;
    res->headers_tail = h;
    return 0;
}

static int set_common(http_response *res, int status, const char *content_type)
{
    if (res->kind != HTTP_BODY_NONE || status < 100 || status > 999)
        return -1;
    if (content_type != NULL && !header_ok("Content-Type", content_type))
        return -1;
    res->content_type = content_type ? os_arena_strdup(res->arena, content_type) : NULL;
    if (content_type != NULL && res->content_type == NULL)
        return -1;
    res->status = status;
    return 0;
}

int http_response_body(http_response *res, int status, const char *content_type,
                       const void *body, size_t len)
{
    if (set_common(res, status, content_type) != 0)
        return -1;
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return -1;
    if (len > 0)
        memcpy(copy, body, len);
    copy[len] = '\0';
    res->buf = copy;
    res->len = len;
    res->kind = HTTP_BODY_BUFFER;
    return 0;
}

int http_response_stream(http_response *res, int status, const char *content_type,
                         http_stream_fn produce, void *ctx, void (*free_ctx)(void *))
{
    if (produce == NULL || set_common(res, status, content_type) != 0) {
        if (free_ctx)
            free_ctx(ctx);
        return -1;
    }
    res->produce = produce;
    res->ctx = ctx;
    res->free_ctx = free_ctx;
    res->kind = HTTP_BODY_STREAM;
    return 0;
}

/* A regular file must hold the whole range: libmicrohttpd would otherwise
 * stall on the missing bytes until the idle timeout. */
static int file_range_ok(int fd, uint64_t offset, uint64_t len)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return 0;
    if (!S_ISREG(st.st_mode))
        return 1;
    return st.st_size >= 0 && offset + len <= (uint64_t)st.st_size;
}

int http_response_file(http_response *res, int status, const char *content_type, int fd,
                       uint64_t offset, uint64_t len)
{
    if (fd < 0 || offset > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - offset ||
        !file_range_ok(fd, offset, len) || set_common(res, status, content_type) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    res->fd = fd;
    res->offset = offset;
    res->file_len = len;
    res->kind = HTTP_BODY_FILE;
    return 0;
}

/* The stream's state once it belongs to MHD; freed by MHD's free callback. */
typedef struct stream_state {
    http_stream_fn produce;
    void *ctx;
    void (*free_ctx)(void *);
    uint64_t *bytes;
    int done;
} stream_state;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream_state *st = cls;
    if (st->done)
        return MHD_CONTENT_READER_END_OF_STREAM;
    ssize_t n = st->produce(st->ctx, buf, max);
    if (n > 0 && (size_t)n <= max) {
        *st->bytes += (uint64_t)n;
        return n;
    }
    st->done = 1;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n > 0)
        os_log(OS_LOG_ERROR, "http: stream producer returned %zd bytes for a %zu-byte buffer", n, max);
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls)
{
    stream_state *st = cls;
    if (st->free_ctx)
        st->free_ctx(st->ctx);
    free(st);
}

static struct MHD_Response *make_body(http_response *res, uint64_t *bytes)
{
    struct MHD_Response *r = NULL;
    *bytes = 0;
    switch (res->kind) {
    case HTTP_BODY_BUFFER:
        r = MHD_create_response_from_buffer(res->len, res->buf, MHD_RESPMEM_MUST_FREE);
        if (r != NULL) {
            *bytes = res->len;
            res->buf = NULL;
        }
        break;
    case HTTP_BODY_STREAM: {
        stream_state *st = malloc(sizeof *st);
        if (st == NULL)
            break;   /* reset below calls free_ctx */
        st->produce = res->produce;
        st->ctx = res->ctx;
        st->free_ctx = res->free_ctx;
        st->bytes = bytes;
        st->done = 0;
        res->kind = HTTP_BODY_NONE;   /* ctx now belongs to st */
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_STREAM_BLOCK, stream_read,
                                              st, stream_free);
        if (r == NULL)
            stream_free(st);
        break;
    }
    case HTTP_BODY_FILE:
        r = MHD_create_response_from_fd_at_offset64(res->file_len, res->fd, res->offset);
        if (r != NULL) {
            *bytes = res->file_len;
            res->fd = -1;   /* MHD closes it */
        }
        break;
    case HTTP_BODY_NONE:
        break;
    }
    return r;
}

struct MHD_Response *http_response_to_mhd(http_response *res, uint64_t *bytes)
{
    struct MHD_Response *r = make_body(res, bytes);
    if (r != NULL) {
        if (res->content_type != NULL &&
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type) != MHD_YES)
            os_log(OS_LOG_WARN, "http: could not set Content-Type");
        for (const http_header *h = res->headers; h; h = h->next)
            if (MHD_add_response_header(r, h->name, h->value) != MHD_YES)
                os_log(OS_LOG_WARN, "http: response header %s was refused", h->name);
    }
    http_response_reset(res);
    return r;
}
