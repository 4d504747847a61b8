/* test_local_files.c - the signed local-file route over a real server on 127.0.0.1: bytes, Range, HEAD, 403/404/416, escapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "api/http_errors.h"
#include "api/recipient/local_files.h"
#include "base/timeutil.h"

static char root[256], outside[256];
static local_files_ctx ctx;
static http_server *srv;
static char base[128];
static unsigned char content[100000];

static void put_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    strcpy(root, "/tmp/os-lf-XXXXXX");
    assert_non_null(mkdtemp(root));
    strcpy(outside, "/tmp/os-lf-out-XXXXXX");
    assert_non_null(mkdtemp(outside));
    char p[512];
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (unsigned char)(i * 131 + 7);
    snprintf(p, sizeof p, "%s/sub", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/sub/data file \xc3\xa9.bin", root);
    put_file(p, content, sizeof content);
    snprintf(p, sizeof p, "%s/empty", root);
    put_file(p, "", 0);
    snprintf(p, sizeof p, "%s/secret.txt", outside);
    put_file(p, "outside", 7);
    char link[512];
    snprintf(link, sizeof link, "%s/escape", root);
    assert_int_equal(symlink(p, link), 0);
    snprintf(link, sizeof link, "%s/inner-link", root);
    assert_int_equal(symlink("empty", link), 0);
    uint8_t sk[32];
    memset(sk, 0x5a, sizeof sk);
    local_url_key_derive(sk, sizeof sk, ctx.key);
    static http_mount mount;
    size_t n;
    mount.prefix = "/os";
    mount.routes = local_files_routes(&n);
    mount.nroutes = n;
    mount.ctx = &ctx;
    http_server_config c;
    memset(&c, 0, sizeof c);
    c.host = "127.0.0.1";
    c.threads = 2;
    c.max_header_bytes = 32 * 1024;
    c.max_body_bytes = 4096;
    c.idle_timeout_s = 5;
    c.error_responder = api_error_responder;
    os_err err;
    srv = http_server_start(&c, &mount, 1, &err);
    if (srv == NULL)
        fail_msg("start: %s", err.msg);
    snprintf(base, sizeof base, "http://127.0.0.1:%u/os", http_server_port(srv));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_server_stop(srv, 1000);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", root, outside);
    assert_int_equal(system(cmd), 0);
    curl_global_cleanup();
    return 0;
}

typedef struct reply {
    long status;
    os_buf body;
    os_buf head;
} reply;

static size_t on_data(char *p, size_t sz, size_t n, void *u)
{
    return os_buf_append(u, p, sz * n) == 0 ? sz * n : 0;
}

static void fetch(const char *url, const char *range, int head, reply *r)
{
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->head);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (range)
        curl_easy_setopt(c, CURLOPT_RANGE, range);
    if (head)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
}

static void reply_free(reply *r)
{
    os_buf_free(&r->body);
    os_buf_free(&r->head);
}

static char *sign(const char *sroot, const char *rel, int64_t exp)
{
    os_buf u = OS_BUF_INIT;
    os_err e;
    if (local_url_sign(ctx.key, base, sroot, rel, NULL, exp, &u, &e) != 0)
        fail_msg("sign: %s", e.msg);
    return os_buf_detach(&u);
}

static int64_t later(void)
{
    return os_now_ms() / 1000 + 600;
}

static int has_header(const reply *r, const char *line)
{
    return strstr(os_buf_cstr(&r->head), line) != NULL;
}

static void test_full_and_head(void **state)
{
    (void)state;
    char *url = sign(root, "sub/data file \xc3\xa9.bin", later());
    reply r;
    fetch(url, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, sizeof content);
    assert_memory_equal(r.body.data, content, sizeof content);
    assert_true(has_header(&r, "Content-Length: 100000\r\n"));
    assert_true(has_header(&r, "Accept-Ranges: bytes\r\n"));
    reply_free(&r);
    fetch(url, NULL, 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    assert_true(has_header(&r, "Content-Length: 100000\r\n"));
    reply_free(&r);
    free(url);
    url = sign(root, "empty", later());
    fetch(url, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    reply_free(&r);
    free(url);
}

static void test_ranges(void **state)
{
    (void)state;
    char *url = sign(root, "sub/data file \xc3\xa9.bin", later());
    struct { const char *range; long status; size_t start, len; const char *cr; } cases[] = {
        {"0-0", 206, 0, 1, "Content-Range: bytes 0-0/100000\r\n"},
        {"10-99", 206, 10, 90, "Content-Range: bytes 10-99/100000\r\n"},
        {"99990-", 206, 99990, 10, "Content-Range: bytes 99990-99999/100000\r\n"},
        {"-5", 206, 99995, 5, "Content-Range: bytes 99995-99999/100000\r\n"},
        {"99999-200000", 206, 99999, 1, "Content-Range: bytes 99999-99999/100000\r\n"},
        {"-200000", 206, 0, 100000, "Content-Range: bytes 0-99999/100000\r\n"},
        {"100000-", 416, 0, 0, "Content-Range: bytes */100000\r\n"},
        {"0-1,5-6", 200, 0, 100000, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reply r;
        fetch(url, cases[i].range, 0, &r);
        assert_int_equal(r.status, cases[i].status);
        if (cases[i].status != 416) {
            assert_int_equal(r.body.len, cases[i].len);
            assert_memory_equal(r.body.data, content + cases[i].start, cases[i].len);
        }
        if (cases[i].cr)
            assert_true(has_header(&r, cases[i].cr));
        reply_free(&r);
    }
    free(url);
}

static void test_refusals(void **state)
{
    (void)state;
    reply r;
    /* expired */
    char *url = sign(root, "empty", os_now_ms() / 1000 - 1);
    fetch(url, NULL, 0, &r);
    assert_int_equal(r.status, 403);
    reply_free(&r);
    free(url);
    /* tampered: one character of the token */
    url = sign(root, "sub/data file \xc3\xa9.bin", later());
    size_t n = strlen(url);
    for (size_t i = strlen(base) + 7; i < n; i += 7) {
        char save = url[i];
        url[i] = save == 'A' ? 'B' : 'A';
        fetch(url, NULL, 0, &r);
        assert_int_equal(r.status, 403);
        assert_int_equal(r.body.len > 0 && strstr(r.body.data, "PERMISSION_DENIED") != NULL, 1);
        reply_free(&r);
        url[i] = save;
    }
    free(url);
    /* garbage token, and a token signed with another key */
    char g[512];
    snprintf(g, sizeof g, "%s/files/not-a-token", base);
    fetch(g, NULL, 0, &r);
    assert_int_equal(r.status, 403);
    reply_free(&r);
    local_files_ctx other = ctx;
    other.key[0] ^= 1;
    os_buf u = OS_BUF_INIT;
    os_err e;
    assert_int_equal(local_url_sign(other.key, base, root, "empty", NULL, later(), &u, &e), 0);
    fetch(u.data, NULL, 0, &r);
    assert_int_equal(r.status, 403);
    reply_free(&r);
    os_buf_free(&u);
    /* gone, a directory, a symlink out of the root, a root that is gone */
    url = sign(root, "missing.bin", later());
    fetch(url, NULL, 0, &r);
    assert_int_equal(r.status, 404);
    reply_free(&r);
    free(url);
    url = sign(root, "sub", later());
    fetch(url, NULL, 0, &r);
    assert_int_equal(r.status, 404);
    reply_free(&r);
    free(url);
    url = sign(root, "escape", later());
    fetch(url, NULL, 0, &r);
    assert_int_equal(r.status, 404);
    assert_null(strstr(os_buf_cstr(&r.body), "outside"));
    reply_free(&r);
    free(url);
    url = sign("/nonexistent-root-xyz", "f", later());
    fetch(url, NULL, 0, &r);
    assert_int_equal(r.status, 404);
    reply_free(&r);
    free(url);
    /* a symlink that stays inside the root is fine */
    url = sign(root, "inner-link", later());
    fetch(url, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    free(url);
    /* a path-traversal name cannot even be signed */
    assert_int_equal(local_url_sign(ctx.key, base, root, "../x", NULL, later(), &u, &e), -1);
    os_buf_free(&u);
}

static void test_range_parse(void **state)
{
    (void)state;
    uint64_t s = 0, l = 0;
    assert_int_equal(local_files_range_parse(NULL, 10, &s, &l), LOCAL_RANGE_NONE);
    assert_int_equal(local_files_range_parse("items=0-1", 10, &s, &l), LOCAL_RANGE_NONE);
    assert_int_equal(local_files_range_parse("bytes=5-2", 10, &s, &l), LOCAL_RANGE_NONE);
    assert_int_equal(local_files_range_parse("bytes=a-2", 10, &s, &l), LOCAL_RANGE_NONE);
    assert_int_equal(local_files_range_parse("bytes=1-2,4-5", 10, &s, &l), LOCAL_RANGE_NONE);
    assert_int_equal(local_files_range_parse("bytes=-", 10, &s, &l), LOCAL_RANGE_NONE);
    assert_int_equal(local_files_range_parse("bytes= 1-2", 10, &s, &l), LOCAL_RANGE_NONE);
    assert_int_equal(local_files_range_parse("bytes=99999999999999999999-", 10, &s, &l),
                     LOCAL_RANGE_NONE);
    assert_int_equal(local_files_range_parse("bytes=2-4", 10, &s, &l), LOCAL_RANGE_OK);
    assert_true(s == 2 && l == 3);
    assert_int_equal(local_files_range_parse("bytes=8-", 10, &s, &l), LOCAL_RANGE_OK);
    assert_true(s == 8 && l == 2);
    assert_int_equal(local_files_range_parse("bytes=-3", 10, &s, &l), LOCAL_RANGE_OK);
    assert_true(s == 7 && l == 3);
    assert_int_equal(local_files_range_parse("bytes=10-", 10, &s, &l), LOCAL_RANGE_UNSATISFIABLE);
    assert_int_equal(local_files_range_parse("bytes=-0", 10, &s, &l), LOCAL_RANGE_UNSATISFIABLE);
    assert_int_equal(local_files_range_parse("bytes=0-0", 0, &s, &l), LOCAL_RANGE_UNSATISFIABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_and_head),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_range_parse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
