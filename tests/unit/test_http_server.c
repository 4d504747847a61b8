/* test_http_server.c - drives a real server on 127.0.0.1 with libcurl and raw sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "net/http.h"

/* ---- counters shared with handlers ---- */
static int g_stream_frees;      /* free_ctx calls */
static int g_stream_started;    /* producers called at least once */

static int counter_get(int *c) { return __atomic_load_n(c, __ATOMIC_SEQ_CST); }
static void counter_add(int *c) { __atomic_add_fetch(c, 1, __ATOMIC_SEQ_CST); }

/* Polls until *c reaches want or 5 s pass. */
static int wait_counter(int *c, int want)
{
    for (int i = 0; i < 500; i++) {
        if (counter_get(c) >= want)
            return counter_get(c);
        usleep(10000);
    }
    return counter_get(c);
}

/* ---- handlers ---- */
static unsigned char pattern_byte(uint64_t i) { return (unsigned char)((i * 31 + 7) % 251); }

typedef struct gen {
    uint64_t total;     /* UINT64_MAX: endless */
    uint64_t pos;
    uint64_t abort_at;  /* return -1 once pos reaches this (0: never) */
    size_t piece;       /* at most this many bytes per call */
    unsigned delay_ms;  /* sleep before each piece */
    int started;
} gen;

static ssize_t gen_produce(void *ctx, char *buf, size_t max)
{
    gen *g = ctx;
    if (!g->started) {
        g->started = 1;
        counter_add(&g_stream_started);
    }
    if (g->abort_at && g->pos >= g->abort_at)
        return -1;
    if (g->pos >= g->total)
        return 0;
    if (g->delay_ms)
        usleep(g->delay_ms * 1000u);
    size_t n = g->piece < max ? g->piece : max;
    if (g->total - g->pos < n)
        n = (size_t)(g->total - g->pos);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)pattern_byte(g->pos + i);
    g->pos += n;
    return (ssize_t)n;
}

static void gen_free(void *ctx)
{
    free(ctx);
    counter_add(&g_stream_frees);
}

static int start_gen(http_response *res, uint64_t total, uint64_t abort_at, size_t piece,
                     unsigned delay_ms)
{
    gen *g = calloc(1, sizeof *g);
    if (g == NULL)
        return -1;
    g->total = total;
    g->abort_at = abort_at;
    g->piece = piece;
    g->delay_ms = delay_ms;
    return http_response_stream(res, 200, "application/octet-stream", gen_produce, g, gen_free);
}

static int h_echo(http_request *req, http_response *res, void *ctx)
{
    (void)ctx;
    const char *q = http_request_query(req, "q");
    const char *h = http_request_header(req, "x-TEST");
    char *s = os_arena_sprintf(http_request_arena(req), "%s %s id=%s q=%s h=%s ip=%s",
                               http_request_method(req), http_request_path(req),
                               http_request_param(req, "id"), q ? q : "(null)", h ? h : "(null)",
                               http_request_client_ip(req));
    const char *p = http_request_query(req, "principal");
    if (p)
        http_request_set_principal(req, p);
    if (s == NULL || http_response_header(res, "X-Reply", "yes") != 0)
        return -1;
    return http_response_body(res, 200, "text/plain", s, strlen(s));
}

static int h_upload(http_request *req, http_response *res, void *ctx)
{
    (void)ctx;
    size_t len;
    const char *b = http_request_body(req, &len);
    return http_response_body(res, 201, "application/octet-stream", b, len);
}

static int h_stream(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    return start_gen(res, 5u * 1000u * 1000u, 0, 1000, 0);
}

static int h_abort(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    return start_gen(res, UINT64_MAX, 100000, 4096, 0);
}

static int h_endless(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    return start_gen(res, UINT64_MAX, 0, 16384, 0);
}

static int h_slow(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    return start_gen(res, 5 * 1000, 0, 1000, 60);
}

/* Sets a stream and then fails: the stream must still be freed once. */
static int h_stream_then_fail(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    start_gen(res, 10, 0, 10, 0);
    return -1;
}

static int g_late_calls;

/* Answers only after the client has had time to go away. */
static int h_late(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    usleep(200000);
    counter_add(&g_late_calls);
    return start_gen(res, UINT64_MAX, 0, 16384, 0);
}

static char g_file_path[64];

static int h_file(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    int fd = open(g_file_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    return http_response_file(res, 206, "application/octet-stream", fd, 100, 1000);
}

/* Asks for more bytes than the file has. */
static int h_file_short(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    int fd = open(g_file_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    return http_response_file(res, 200, "application/octet-stream", fd, 4000, 1000);
}

static int h_fail(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    http_response_header(res, "X-Should-Not-Appear", "1");
    return -1;
}

static int h_nothing(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)res;
    (void)ctx;
    return 0;
}

static int h_head(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    return http_response_body(res, 200, "text/plain", "hello", 5);
}

static void error_responder(http_response *res, int status, const char *message)
{
    char body[256];
    snprintf(body, sizeof body, "{\"errorCode\":\"E%d\",\"message\":\"%s\"}", status, message);
    http_response_body(res, status, "application/json", body, strlen(body));
}

static const http_route routes[] = {
    {"GET", "/echo/{id}", h_echo, "echo", "Echo"},
    {"POST", "/upload", h_upload, "upload", "Upload"},
    {"PUT", "/upload", h_upload, "uploadPut", "Upload"},
    {"GET", "/stream", h_stream, "stream", "Stream"},
    {"GET", "/abort", h_abort, "abort", "Abort"},
    {"GET", "/endless", h_endless, "endless", "Endless"},
    {"GET", "/slow", h_slow, "slow", "Slow"},
    {"GET", "/stream-fail", h_stream_then_fail, "streamFail", "Stream then fail"},
    {"GET", "/late", h_late, "late", "Late"},
    {"GET", "/file", h_file, "file", "File"},
    {"GET", "/file-short", h_file_short, "fileShort", "Short file"},
    {"GET", "/fail", h_fail, "fail", "Fail"},
    {"GET", "/nothing", h_nothing, "nothing", "Nothing"},
    {"GET", "/both", h_head, "bothGet", "Get"},
    {"HEAD", "/both", h_head, "bothHead", "Head"},
};
static const http_mount mounts[] = {
    {"/api", routes, sizeof routes / sizeof routes[0], NULL},
};

static http_server_config base_config(void)
{
    http_server_config c;
    memset(&c, 0, sizeof c);
    c.host = "127.0.0.1";
    c.port = 0;
    c.threads = 4;
    c.max_header_bytes = 16 * 1024;
    c.max_body_bytes = 64 * 1024;
    c.idle_timeout_s = 5;
    c.error_responder = error_responder;
    return c;
}

static http_server *start(const http_server_config *c)
{
    os_err err;
    http_server *s = http_server_start(c, mounts, 1, &err);
    if (s == NULL)
        fail_msg("start: %s", err.msg);
    assert_true(http_server_port(s) > 0);
    return s;
}

/* ---- libcurl client ---- */
typedef struct dbuf {
    char *data;
    size_t len;
    size_t cap;
} dbuf;

static size_t on_data(char *p, size_t sz, size_t n, void *u)
{
    dbuf *b = u;
    size_t add = sz * n;
    if (b->len + add + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + add + 1)
            cap *= 2;
        char *nd = realloc(b->data, cap);
        if (nd == NULL)
            return 0;
        b->data = nd;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

typedef struct reply {
    CURLcode rc;
    long status;
    dbuf body;
    dbuf head;
    long connects;
} reply;

static void reply_free(reply *r)
{
    free(r->body.data);
    free(r->head.data);
    memset(r, 0, sizeof *r);
}

static void request(CURL *c, uint16_t port, const char *method, const char *path, const char *body,
                    size_t blen, struct curl_slist *hdrs, reply *r)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
    memset(r, 0, sizeof *r);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->head);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (hdrs)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    r->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r->connects);
}

static void get(uint16_t port, const char *path, reply *r)
{
    CURL *c = curl_easy_init();
    assert_non_null(c);
    request(c, port, "GET", path, NULL, 0, NULL, r);
    curl_easy_cleanup(c);
}

/* Case-insensitive header lookup in a raw header block; returns a static copy. */
static const char *header_in(const dbuf *h, const char *name)
{
    static char out[256];
    size_t nl = strlen(name);
    for (const char *p = h->data ? h->data : ""; *p;) {
        const char *e = strstr(p, "\r\n");
        if (e == NULL)
            break;
        if ((size_t)(e - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(out, sizeof out, "%.*s", (int)(e - v), v);
            return out;
        }
        p = e + 2;
    }
    return NULL;
}

/* ---- raw sockets ---- */
static int raw_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static int raw_send(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads until EOF, error or timeout; returns a malloc'd NUL-terminated text. */
static char *raw_read_all(int fd, size_t *len)
{
    dbuf b = {NULL, 0, 0};
    char tmp[8192];
    ssize_t n;
    while ((n = recv(fd, tmp, sizeof tmp, 0)) > 0)
        on_data(tmp, 1, (size_t)n, &b);
    if (b.data == NULL)
        b.data = calloc(1, 1);
    if (len)
        *len = b.len;
    return b.data;
}

/* ---- tests ---- */
static http_server *g_srv;
static uint16_t g_port;

static int setup(void **state)
{
    (void)state;
    snprintf(g_file_path, sizeof g_file_path, "/tmp/test_http_server_XXXXXX");
    int fd = mkstemp(g_file_path);
    if (fd < 0)
        return -1;
    unsigned char data[4096];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = pattern_byte(i);
    if (write(fd, data, sizeof data) != (ssize_t)sizeof data)
        return -1;
    close(fd);
    http_server_config c = base_config();
    g_srv = start(&c);
    g_port = http_server_port(g_srv);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_server_stop(g_srv, 1000);
    unlink(g_file_path);
    return 0;
}

static void test_buffered_body(void **state)
{
    (void)state;
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "X-Test: hdr");
    reply r;
    request(c, g_port, "GET", "/api/echo/x%20y+z?q=a+b%26c&q=second", NULL, 0, h, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "GET /api/echo/x%20y+z id=x y+z q=a b&c h=hdr ip=127.0.0.1");
    assert_string_equal(header_in(&r.head, "content-type"), "text/plain");
    assert_string_equal(header_in(&r.head, "X-Reply"), "yes");
    reply_free(&r);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static void check_pattern(const dbuf *b, uint64_t want)
{
    assert_int_equal(b->len, want);
    for (uint64_t i = 0; i < want; i++)
        if ((unsigned char)b->data[i] != pattern_byte(i))
            fail_msg("byte %llu differs", (unsigned long long)i);
}

static void test_stream_many_chunks(void **state)
{
    (void)state;
    int frees = counter_get(&g_stream_frees);
    reply r;
    get(g_port, "/api/stream", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(header_in(&r.head, "Transfer-Encoding"), "chunked");
    check_pattern(&r.body, 5u * 1000u * 1000u);
    reply_free(&r);
    assert_int_equal(wait_counter(&g_stream_frees, frees + 1), frees + 1);
}

static void test_stream_abort(void **state)
{
    (void)state;
    int frees = counter_get(&g_stream_frees);
    reply r;
    get(g_port, "/api/abort", &r);
    assert_int_not_equal(r.rc, CURLE_OK);   /* truncated chunked body */
    assert_true(r.body.len <= 100000 + 4096);
    reply_free(&r);
    assert_int_equal(wait_counter(&g_stream_frees, frees + 1), frees + 1);
    /* the server keeps serving */
    get(g_port, "/api/both", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

static void test_stream_client_disconnect(void **state)
{
    (void)state;
    int frees = counter_get(&g_stream_frees);
    int fd = raw_connect(g_port);
    const char *rq = "GET /api/endless HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(raw_send(fd, rq, strlen(rq)), 0);
    char buf[65536];
    size_t got = 0;
    while (got < 100000) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        assert_true(n > 0);
        got += (size_t)n;
    }
    struct linger lg = {1, 0};   /* reset, as a client that vanished */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
    assert_int_equal(wait_counter(&g_stream_frees, frees + 1), frees + 1);
    usleep(50000);
    assert_int_equal(counter_get(&g_stream_frees), frees + 1);
}

static void test_stream_freed_when_never_started(void **state)
{
    (void)state;
    /* the client is gone before the response can be sent: the handler runs
     * (the request arrived before the close) and its stream is freed once */
    int frees = counter_get(&g_stream_frees);
    int calls = counter_get(&g_late_calls);
    int fd = raw_connect(g_port);
    const char *rq = "GET /api/late HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(raw_send(fd, rq, strlen(rq)), 0);
    close(fd);
    assert_int_equal(wait_counter(&g_late_calls, calls + 1), calls + 1);
    assert_int_equal(wait_counter(&g_stream_frees, frees + 1), frees + 1);

    /* a handler that sets a stream and then fails: 500, stream freed once */
    reply r;
    get(g_port, "/api/stream-fail", &r);
    assert_int_equal(r.status, 500);
    reply_free(&r);
    assert_int_equal(wait_counter(&g_stream_frees, frees + 2), frees + 2);
    usleep(20000);
    assert_int_equal(counter_get(&g_stream_frees), frees + 2);
}

static int count_fds(void)
{
    int n = 0;
    char p[64];
    for (int fd = 0; fd < 1024; fd++) {
        snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
        if (access(p, F_OK) == 0)
            n++;
    }
    return n;
}

static void test_file_response(void **state)
{
    (void)state;
    int fds = count_fds();
    reply r;
    get(g_port, "/api/file", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 206);
    assert_int_equal(r.body.len, 1000);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal((unsigned char)r.body.data[i], pattern_byte(100 + i));
    assert_string_equal(header_in(&r.head, "Content-Length"), "1000");
    reply_free(&r);
    /* a range past the end of the file is refused when set: 500, no stall */
    int64_t t0 = os_mono_ms();
    get(g_port, "/api/file-short", &r);
    assert_int_equal(r.status, 500);
    assert_true(os_mono_ms() - t0 < 2000);
    reply_free(&r);
    get(g_port, "/api/file", &r);
    assert_int_equal(r.status, 206);
    reply_free(&r);
    /* every file descriptor handed to responses was closed */
    for (int i = 0; i < 50 && count_fds() != fds; i++)
        usleep(10000);
    assert_int_equal(count_fds(), fds);
}

static void test_body_and_cap(void **state)
{
    (void)state;
    CURL *c = curl_easy_init();
    size_t n = 64 * 1024;
    char *big = malloc(n + 40000);
    for (size_t i = 0; i < n + 40000; i++)
        big[i] = (char)pattern_byte(i);
    reply r;
    /* exactly at the cap: accepted, intact */
    request(c, g_port, "POST", "/api/upload", big, n, NULL, &r);
    assert_int_equal(r.status, 201);
    dbuf b = r.body;
    check_pattern(&b, n);
    reply_free(&r);
    /* over the cap with Content-Length: 413 through the error responder */
    request(c, g_port, "POST", "/api/upload", big, n + 40000, NULL, &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body.data, "{\"errorCode\":\"E413\",\"message\":\"request body too large\"}");
    reply_free(&r);
    request(c, g_port, "PUT", "/api/upload", big, n + 1, NULL, &r);
    assert_int_equal(r.status, 413);
    reply_free(&r);
    /* a large body sent after "Expect: 100-continue" is refused before it is sent */
    size_t huge = 4u * 1024u * 1024u;
    char *hb = calloc(1, huge);
    struct curl_slist *h = curl_slist_append(NULL, "Expect: 100-continue");
    int64_t t0 = os_mono_ms();
    request(c, g_port, "POST", "/api/upload", hb, huge, h, &r);
    assert_int_equal(r.status, 413);
    assert_true(os_mono_ms() - t0 < 2000);
    assert_non_null(strstr(r.body.data, "E413"));
    reply_free(&r);
    curl_slist_free_all(h);
    free(hb);
    /* the connection cache still works after a refused body */
    request(c, g_port, "POST", "/api/upload", "ok", 2, NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body.data, "ok");
    reply_free(&r);
    curl_easy_cleanup(c);
    free(big);
}

/* Sends a chunked body of `total` bytes in 1000-byte chunks; returns the response text. */
static char *chunked_post(size_t total)
{
    int fd = raw_connect(g_port);
    const char *hd = "POST /api/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     "Connection: close\r\n\r\n";
    assert_int_equal(raw_send(fd, hd, strlen(hd)), 0);
    char chunk[1100];
    for (size_t sent = 0; sent < total;) {
        size_t n = total - sent < 1000 ? total - sent : 1000;
        int l = snprintf(chunk, sizeof chunk, "%zx\r\n", n);
        for (size_t i = 0; i < n; i++)
            chunk[l + (int)i] = 'a' + (char)((sent + i) % 26);
        memcpy(chunk + l + n, "\r\n", 2);
        if (raw_send(fd, chunk, (size_t)l + n + 2) != 0)
            break;
        sent += n;
    }
    raw_send(fd, "0\r\n\r\n", 5);
    char *resp = raw_read_all(fd, NULL);
    close(fd);
    return resp;
}

static void test_chunked_request_body(void **state)
{
    (void)state;
    char *resp = chunked_post(5000);
    assert_non_null(strstr(resp, "HTTP/1.1 201"));
    const char *body = strstr(resp, "\r\n\r\n");
    assert_non_null(body);
    assert_non_null(strstr(body, "abcdefghijklmnopqrstuvwxyzabc"));
    free(resp);
    resp = chunked_post(200 * 1000);
    assert_non_null(strstr(resp, "HTTP/1.1 413"));
    assert_non_null(strstr(resp, "E413"));
    free(resp);
    /* an endless-looking chunked body is cut off rather than read forever */
    resp = chunked_post(3 * 1000 * 1000);
    assert_null(strstr(resp, "HTTP/1.1 201"));
    free(resp);
    reply r;
    get(g_port, "/api/both", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

static void test_not_found_and_method(void **state)
{
    (void)state;
    CURL *c = curl_easy_init();
    reply r;
    request(c, g_port, "GET", "/api/missing", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body.data, "{\"errorCode\":\"E404\",\"message\":\"no such endpoint\"}");
    assert_string_equal(header_in(&r.head, "Content-Type"), "application/json");
    reply_free(&r);
    request(c, g_port, "DELETE", "/api/upload/", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(header_in(&r.head, "Allow"), "POST, PUT");
    assert_non_null(strstr(r.body.data, "E405"));
    reply_free(&r);
    request(c, g_port, "HEAD", "/api/echo/1", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(header_in(&r.head, "Allow"), "GET");
    reply_free(&r);
    request(c, g_port, "HEAD", "/api/both", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    assert_string_equal(header_in(&r.head, "Content-Length"), "5");
    reply_free(&r);
    request(c, g_port, "GET", "/api/echo/a%2Fb", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 404);
    reply_free(&r);
    request(c, g_port, "GET", "/api/fail", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 500);
    assert_null(header_in(&r.head, "X-Should-Not-Appear"));
    assert_non_null(strstr(r.body.data, "E500"));
    reply_free(&r);
    request(c, g_port, "GET", "/api/nothing", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 500);
    reply_free(&r);
    curl_easy_cleanup(c);
}

static void test_keep_alive(void **state)
{
    (void)state;
    CURL *c = curl_easy_init();
    reply r;
    request(c, g_port, "GET", "/api/echo/1", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.connects, 1);
    reply_free(&r);
    for (int i = 0; i < 3; i++) {
        request(c, g_port, "GET", i == 1 ? "/api/missing" : "/api/both", NULL, 0, NULL, &r);
        assert_int_equal(r.connects, 0);   /* reused */
        reply_free(&r);
    }
    curl_easy_cleanup(c);
}

static void *client_thread(void *arg)
{
    int *ok = arg;
    CURL *c = curl_easy_init();
    for (int i = 0; i < 25; i++) {
        reply r;
        char path[64];
        snprintf(path, sizeof path, "/api/echo/%d?q=%d", i, i);
        request(c, g_port, "GET", path, NULL, 0, NULL, &r);
        char want[128];
        snprintf(want, sizeof want, "GET /api/echo/%d id=%d q=%d h=(null) ip=127.0.0.1", i, i, i);
        if (r.status == 200 && r.body.data && strcmp(r.body.data, want) == 0)
            (*ok)++;
        reply_free(&r);
    }
    curl_easy_cleanup(c);
    return NULL;
}

static void test_concurrent_clients(void **state)
{
    (void)state;
    pthread_t t[8];
    int ok[8] = {0};
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, client_thread, &ok[i]);
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(ok[i], 25);
    }
}

static void test_hostile_requests(void **state)
{
    (void)state;
    const char *bad[] = {
        "GARBAGE\r\n\r\n",
        "GET /api/both HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /api/both HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "GET /api/both HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "POST /api/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "\x01\x02\x03\xff\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int fd = raw_connect(g_port);
        raw_send(fd, bad[i], strlen(bad[i]));
        shutdown(fd, SHUT_WR);
        free(raw_read_all(fd, NULL));
        close(fd);
    }
    /* headers far beyond max_header_bytes */
    int fd = raw_connect(g_port);
    const char *start_line = "GET /api/both HTTP/1.1\r\nHost: x\r\n";
    raw_send(fd, start_line, strlen(start_line));
    char line[1024];
    memset(line, 'a', sizeof line);
    memcpy(line, "X-Big: ", 7);
    memcpy(line + sizeof line - 2, "\r\n", 2);
    for (int i = 0; i < 64; i++)
        if (raw_send(fd, line, sizeof line) != 0)
            break;
    raw_send(fd, "\r\n", 2);
    char *resp = raw_read_all(fd, NULL);
    assert_null(strstr(resp, "HTTP/1.1 200"));
    free(resp);
    close(fd);
    /* very long URI */
    fd = raw_connect(g_port);
    raw_send(fd, "GET /api/", 9);
    for (int i = 0; i < 64; i++)
        if (raw_send(fd, line + 10, 500) != 0)
            break;
    raw_send(fd, " HTTP/1.1\r\nHost: x\r\n\r\n", 22);
    resp = raw_read_all(fd, NULL);
    assert_null(strstr(resp, "HTTP/1.1 200"));
    free(resp);
    close(fd);
    reply r;
    get(g_port, "/api/both", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

/* Sends a request whose URL has `url_extra` more bytes and `hdr_lines` 1 KiB
 * header lines; returns the whole answer (caller frees). */
static char *big_head(size_t url_extra, int hdr_lines)
{
    int fd = raw_connect(g_port);
    raw_send(fd, "GET /api/both?q=", 16);
    char chunk[1024];
    memset(chunk, 'u', sizeof chunk);
    for (size_t left = url_extra; left > 0;) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        if (raw_send(fd, chunk, n) != 0)
            break;
        left -= n;
    }
    const char *tail = " HTTP/1.1\r\nHost: x\r\n";
    raw_send(fd, tail, strlen(tail));
    char line[1024];
    memset(line, 'a', sizeof line);
    memcpy(line, "X-Big: ", 7);
    memcpy(line + sizeof line - 2, "\r\n", 2);
    for (int i = 0; i < hdr_lines; i++)
        if (raw_send(fd, line, sizeof line) != 0)
            break;
    raw_send(fd, "\r\n", 2);
    shutdown(fd, SHUT_WR);
    char *resp = raw_read_all(fd, NULL);
    close(fd);
    return resp;
}

/* A URL or header block past max_header_bytes (16 KiB here) gets 414 / 431
 * from our own layer, so with the error responder's JSON body. */
static void test_head_limits_answer_json(void **state)
{
    (void)state;
    char *r = big_head(20 * 1024, 0);
    assert_non_null(strstr(r, "HTTP/1.1 414"));
    assert_non_null(strstr(r, "application/json"));
    assert_non_null(strstr(r, "{\"errorCode\":\"E414\""));
    free(r);
    r = big_head(0, 20);
    assert_non_null(strstr(r, "HTTP/1.1 431"));
    assert_non_null(strstr(r, "{\"errorCode\":\"E431\""));
    free(r);
    /* just under the limits: served */
    r = big_head(8 * 1024, 6);
    assert_non_null(strstr(r, "HTTP/1.1 200"));
    free(r);
}

static void test_http10_and_pipelining(void **state)
{
    (void)state;
    /* HTTP/1.0 cannot take chunks: the stream is sent whole, then closed */
    int fd = raw_connect(g_port);
    const char *rq = "GET /api/stream HTTP/1.0\r\n\r\n";
    assert_int_equal(raw_send(fd, rq, strlen(rq)), 0);
    size_t len;
    char *resp = raw_read_all(fd, &len);
    close(fd);
    char *body = strstr(resp, "\r\n\r\n");
    assert_non_null(body);
    assert_null(strstr(resp, "chunked"));
    assert_int_equal(len - (size_t)(body + 4 - resp), 5u * 1000u * 1000u);
    free(resp);

    /* three pipelined requests on one connection, answered in order */
    fd = raw_connect(g_port);
    rq = "GET /api/both HTTP/1.1\r\nHost: x\r\n\r\n"
         "GET /api/echo/p HTTP/1.1\r\nHost: x\r\n\r\n"
         "GET /api/missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_int_equal(raw_send(fd, rq, strlen(rq)), 0);
    resp = raw_read_all(fd, NULL);
    close(fd);
    char *a = strstr(resp, "hello"), *b = strstr(resp, "id=p"), *c = strstr(resp, "E404");
    assert_true(a && b && c && a < b && b < c);
    free(resp);

    /* an oversized body on another method is refused before it is read */
    fd = raw_connect(g_port);
    rq = "PATCH /api/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n";
    assert_int_equal(raw_send(fd, rq, strlen(rq)), 0);
    resp = raw_read_all(fd, NULL);
    close(fd);
    assert_non_null(strstr(resp, " 413 "));
    assert_non_null(strstr(resp, "E413"));
    free(resp);
}

static void test_access_log(void **state)
{
    (void)state;
    http_server_config c = base_config();
    c.access_log = 1;
    http_server *s = start(&c);
    char path[] = "/tmp/test_http_log_XXXXXX";
    int lfd = mkstemp(path);
    assert_true(lfd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(lfd, 2);
    os_log_configure(1, OS_LOG_WARN);
    CURL *cu = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer SECRET-TOKEN-1");
    reply r;
    request(cu, http_server_port(s), "GET", "/api/echo/7?principal=rcpt-9&token=SECRET-QUERY", NULL,
            0, h, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    request(cu, http_server_port(s), "GET", "/api/stream", NULL, 0, h, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    curl_easy_cleanup(cu);
    curl_slist_free_all(h);
    /* a request libmicrohttpd refuses by itself is logged with its status */
    int fd = raw_connect(http_server_port(s));
    const char *bad = "GET /api/both?token=SECRET-3 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n";
    raw_send(fd, bad, strlen(bad));
    free(raw_read_all(fd, NULL));
    close(fd);
    http_server_stop(s, 1000);   /* completions are logged by now */
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    os_log_configure(0, OS_LOG_INFO);
    off_t size = lseek(lfd, 0, SEEK_END);
    assert_true(size > 0);
    char *log = calloc(1, (size_t)size + 1);
    assert_int_equal(pread(lfd, log, (size_t)size, 0), size);
    close(lfd);
    unlink(path);
    assert_null(strstr(log, "SECRET"));
    assert_non_null(strstr(log, "\"principal\":\"rcpt-9\",\"method\":\"GET\",\"path\":\"/api/echo/7\","
                                "\"status\":200,\"bytes\":"));
    assert_non_null(strstr(log, "\"principal\":null,\"method\":\"GET\",\"path\":\"/api/stream\","
                                "\"status\":200,\"bytes\":5000000,"));
    assert_non_null(strstr(log, "\"client_ip\":\"127.0.0.1\""));
    assert_non_null(strstr(log, "\"duration_ms\":"));
    assert_non_null(strstr(log, "{\"time\":\""));
    int lines = 0;
    for (char *p = log; (p = strstr(p, "\"path\":")) != NULL; p++)
        lines++;
    assert_int_equal(lines, 3);
    assert_non_null(strstr(log, "\"path\":\"/api/both\",\"status\":400,"));
    free(log);
}

typedef struct slow_client {
    uint16_t port;
    reply r;
} slow_client;

static void *slow_thread(void *arg)
{
    slow_client *sc = arg;
    get(sc->port, "/api/slow", &sc->r);
    return NULL;
}

static void test_stop_drains(void **state)
{
    (void)state;
    http_server_config c = base_config();
    c.idle_timeout_s = 1;
    http_server *s = start(&c);
    uint16_t port = http_server_port(s);

    /* an idle half-sent request is dropped after the idle timeout */
    int fd = raw_connect(port);
    raw_send(fd, "GET /api/both HTTP/1.1\r\n", 24);
    int64_t t0 = os_mono_ms();
    char *resp = raw_read_all(fd, NULL);
    int64_t waited = os_mono_ms() - t0;
    assert_true(waited < 4000);
    assert_null(strstr(resp, "200"));
    free(resp);
    close(fd);

    int started = counter_get(&g_stream_started);
    int frees = counter_get(&g_stream_frees);
    slow_client sc = {port, {0}};
    pthread_t t;
    pthread_create(&t, NULL, slow_thread, &sc);
    assert_true(wait_counter(&g_stream_started, started + 1) > started);
    http_server_stop(s, 5000);   /* the slow stream (~300 ms) finishes within the drain */
    pthread_join(t, NULL);
    assert_int_equal(sc.r.rc, CURLE_OK);
    assert_int_equal(sc.r.status, 200);
    check_pattern(&sc.r.body, 5000);
    reply_free(&sc.r);
    assert_int_equal(counter_get(&g_stream_frees), frees + 1);

    /* a drain too short for the stream: stop still returns promptly and frees it */
    s = start(&c);
    sc.port = http_server_port(s);
    started = counter_get(&g_stream_started);
    pthread_create(&t, NULL, slow_thread, &sc);
    assert_true(wait_counter(&g_stream_started, started + 1) > started);
    t0 = os_mono_ms();
    http_server_stop(s, 50);
    assert_true(os_mono_ms() - t0 < 2000);
    pthread_join(t, NULL);
    assert_int_not_equal(sc.r.rc, CURLE_OK);
    reply_free(&sc.r);
    assert_int_equal(counter_get(&g_stream_frees), frees + 2);
}

static void test_start_errors(void **state)
{
    (void)state;
    os_err err;
    http_server_config c = base_config();
    c.port = g_port;   /* in use */
    assert_null(http_server_start(&c, mounts, 1, &err));
    assert_non_null(strstr(err.msg, "cannot listen"));
    c = base_config();
    c.host = "not-an-address";
    assert_null(http_server_start(&c, mounts, 1, &err));
    assert_int_equal(err.code, OS_EINVAL);
    c = base_config();
    c.tls_cert_pem = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n";
    c.tls_key_pem = "nope";
    assert_null(http_server_start(&c, mounts, 1, &err));
    assert_non_null(strstr(err.msg, "TLS certificate"));
    c.tls_key_pem = NULL;
    assert_null(http_server_start(&c, mounts, 1, &err));
    assert_int_equal(err.code, OS_EINVAL);
}

static void test_ipv6(void **state)
{
    (void)state;
    http_server_config c = base_config();
    c.host = "::1";
    os_err err;
    http_server *s = http_server_start(&c, mounts, 1, &err);
    if (s == NULL)
        skip();   /* no IPv6 loopback here */
    char url[128];
    snprintf(url, sizeof url, "http://[::1]:%u/api/echo/6", (unsigned)http_server_port(s));
    CURL *cu = curl_easy_init();
    dbuf b = {NULL, 0, 0};
    curl_easy_setopt(cu, CURLOPT_URL, url);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT, 10L);
    assert_int_equal(curl_easy_perform(cu), CURLE_OK);
    assert_non_null(strstr(b.data, "ip=::1"));
    free(b.data);
    curl_easy_cleanup(cu);
    http_server_stop(s, 100);
}

/* Makes a self-signed P-256 certificate for 127.0.0.1 as PEM texts. */
static void make_cert(char **cert_pem, char **key_pem)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    X509 *x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1, 0);
    X509_set_issuer_name(x, n);
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char *p;
    long l = BIO_get_mem_data(b, &p);
    *cert_pem = strndup(p, (size_t)l);
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    l = BIO_get_mem_data(b, &p);
    *key_pem = strndup(p, (size_t)l);
    BIO_free(b);
    X509_free(x);
    EVP_PKEY_free(k);
}

static void test_tls(void **state)
{
    (void)state;
    char *cert, *key;
    make_cert(&cert, &key);
    http_server_config c = base_config();
    c.tls_cert_pem = cert;
    c.tls_key_pem = key;
    os_err err;
    http_server *s = http_server_start(&c, mounts, 1, &err);
    if (s == NULL)
        fail_msg("TLS start: %s", err.msg);
    char url[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%u/api/stream", (unsigned)http_server_port(s));
    CURL *cu = curl_easy_init();
    dbuf b = {NULL, 0, 0};
    curl_easy_setopt(cu, CURLOPT_URL, url);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(cu, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(cu, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT, 20L);
    assert_int_equal(curl_easy_perform(cu), CURLE_OK);
    check_pattern(&b, 5u * 1000u * 1000u);
    free(b.data);
    b.data = NULL;
    b.len = b.cap = 0;
    snprintf(url, sizeof url, "https://127.0.0.1:%u/api/file", (unsigned)http_server_port(s));
    curl_easy_setopt(cu, CURLOPT_URL, url);
    assert_int_equal(curl_easy_perform(cu), CURLE_OK);
    assert_int_equal(b.len, 1000);
    free(b.data);
    curl_easy_cleanup(cu);
    http_server_stop(s, 100);
    /* the wrong key for the certificate is refused with a clear message */
    char *cert2, *key2;
    make_cert(&cert2, &key2);
    c.tls_key_pem = key2;
    assert_null(http_server_start(&c, mounts, 1, &err));
    assert_non_null(strstr(err.msg, "does not match"));
    free(cert);
    free(key);
    free(cert2);
    free(key2);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    if (getenv("HTTP_TEST_FILTER"))   /* e.g. HTTP_TEST_FILTER=test_tls */
        cmocka_set_test_filter(getenv("HTTP_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffered_body),
        cmocka_unit_test(test_stream_many_chunks),
        cmocka_unit_test(test_stream_abort),
        cmocka_unit_test(test_stream_client_disconnect),
        cmocka_unit_test(test_stream_freed_when_never_started),
        cmocka_unit_test(test_file_response),
        cmocka_unit_test(test_body_and_cap),
        cmocka_unit_test(test_chunked_request_body),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_concurrent_clients),
        cmocka_unit_test(test_hostile_requests),
        cmocka_unit_test(test_head_limits_answer_json),
        cmocka_unit_test(test_http10_and_pipelining),
        cmocka_unit_test(test_access_log),
        cmocka_unit_test(test_stop_drains),
        cmocka_unit_test(test_start_errors),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_tls),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
