/* local_files.c - GET/HEAD of local-storage files behind self-contained signed URLs (Range, zero-copy). */
#include "api/recipient/local_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "api/http_errors.h"
#include "base/timeutil.h"
#include "api/audit_request.h"

/* Parses decimal digits s[0..n) into *v; 0 or -1 (empty, non-digit, overflow). */
static int parse_u64(const char *s, size_t n, uint64_t *v)
{
    if (n == 0 || n > 19)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return 0;
}

local_range local_files_range_parse(const char *h, uint64_t size, uint64_t *start, uint64_t *len)
{
    if (h == NULL || strncmp(h, "bytes=", 6) != 0)
        return LOCAL_RANGE_NONE;
    const char *spec = h + 6;
    if (strchr(spec, ',') != NULL)
        return LOCAL_RANGE_NONE;
    const char *dash = strchr(spec, '-');
    if (dash == NULL)
        return LOCAL_RANGE_NONE;
    size_t an = (size_t)(dash - spec), bn = strlen(dash + 1);
    uint64_t a, b;
    if (an == 0) {
        /* suffix: the last N bytes */
        if (parse_u64(dash + 1, bn, &b) != 0)
            return LOCAL_RANGE_NONE;
        if (b == 0 || size == 0)
            return LOCAL_RANGE_UNSATISFIABLE;
        if (b > size)
            b = size;
        *start = size - b;
        *len = b;
        return LOCAL_RANGE_OK;
    }
    if (parse_u64(spec, an, &a) != 0)
        return LOCAL_RANGE_NONE;
    if (bn == 0)
        b = UINT64_MAX;
    else if (parse_u64(dash + 1, bn, &b) != 0 || b < a)
        return LOCAL_RANGE_NONE;
    if (a >= size)
        return LOCAL_RANGE_UNSATISFIABLE;
    if (b >= size)
        b = size - 1;
    *start = a;
    *len = b - a + 1;
    return LOCAL_RANGE_OK;
}

static int64_t wall_now_s(void)
{
    return os_now_ms() / 1000;
}

static int send_status(http_response *res, os_code code, const char *msg)
{
    os_err e;
    os_err_set(&e, code, "%s", msg);
    return api_send_error(res, &e);
}

#ifdef SYS_openat2
/* Kernel-enforced containment: rel is resolved beneath root, symlinks
 * included (they may point elsewhere inside root, never outside), with no
 * window between checking and opening.  Returns the fd, -1 when refused or
 * missing, or -2 when the kernel lacks openat2. */
static int open_beneath(const char *root, const char *rel)
{
    int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, dfd, rel, &how, sizeof how);
    int e = errno;
    close(dfd);
    if (fd < 0)
        return e == ENOSYS || e == EPERM ? -2 : -1;  /* EPERM: seccomp may block the call */
    return (int)fd;
}
#endif

/* Opens root/rel for reading after proving, with symlinks resolved, that it
 * is a regular file inside root.  Returns the fd or -1 (not found / outside). */
static int open_contained(const char *root, const char *rel, struct stat *st)
{
    int fd = -2;
#ifdef SYS_openat2
    fd = open_beneath(root, rel);
#endif
    if (fd == -2) {
        /* Portable path: resolve, check the prefix, open without following. */
        char rroot[PATH_MAX], joined[PATH_MAX], real[PATH_MAX];
        if (realpath(root, rroot) == NULL)
            return -1;
        int n = snprintf(joined, sizeof joined, "%s/%s", rroot, rel);
        if (n < 0 || (size_t)n >= sizeof joined || realpath(joined, real) == NULL)
            return -1;
        size_t rl = strlen(rroot);
        if (strcmp(rroot, "/") != 0 && (strncmp(real, rroot, rl) != 0 || real[rl] != '/'))
            return -1;
        fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    }
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int handle_file(http_request *req, http_response *res, void *vctx)
{
    const local_files_ctx *ctx = vctx;
    const char *token = http_request_param(req, "token");
    int64_t now = ctx->now_s ? ctx->now_s() : wall_now_s();
    local_url_grant g;
    os_err err;
    int vrc = local_url_verify(ctx->key, token, now, http_request_arena(req), &g, &err);
    /* Audited like every recipient request: whoever the URL was given to
     * (known even when it has expired; unknown when it is forged), the asset,
     * the file key and, at completion, the status and bytes sent. */
    audit_request_set_download(req, g.who.recipient_id, g.who.recipient, g.who.share, g.who.schema,
                               g.who.asset, g.rel);
    if (vrc != 0)
        return api_send_error(res, &err);
    if (g.who.recipient_id > 0) {
        char principal[40];
        snprintf(principal, sizeof principal, "recipient:%lld", (long long)g.who.recipient_id);
        http_request_set_principal(req, principal);
    }
    struct stat st;
    int fd = open_contained(g.root, g.rel, &st);
    if (fd < 0)
        return send_status(res, OS_ENOTFOUND, "the file does not exist");
    uint64_t size = (uint64_t)st.st_size, start = 0, len = size;
    local_range r = local_files_range_parse(http_request_header(req, "Range"), size, &start, &len);
    char cr[96];
    if (r == LOCAL_RANGE_UNSATISFIABLE) {
        close(fd);
        snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
        http_response_header(res, "Content-Range", cr);
        return api_send_error_raw(res, 416, "INVALID_PARAMETER_VALUE",
                                  "the requested range is not satisfiable");
    }
    int status = 200;
    if (r == LOCAL_RANGE_OK) {
        status = 206;
        snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)start,
                 (unsigned long long)(start + len - 1), (unsigned long long)size);
        http_response_header(res, "Content-Range", cr);
    }
    char lm[64];
    struct tm tm;
    time_t mt = st.st_mtime;
    if (gmtime_r(&mt, &tm) != NULL &&
        strftime(lm, sizeof lm, "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0)
        http_response_header(res, "Last-Modified", lm);
    http_response_header(res, "Accept-Ranges", "bytes");
    http_response_header(res, "Cache-Control", "private, no-transform");
    if (http_response_file(res, status, "application/octet-stream", fd, start, len) != 0)
        return send_status(res, OS_EIO, "the file cannot be read");
    return 0;
}

static const http_route routes[] = {
    {"GET", "/files/{token}", handle_file, "getSignedFile",
     "Download a local-storage file through a pre-signed URL (Range supported)"},
    {"HEAD", "/files/{token}", handle_file, "headSignedFile",
     "Size and headers of a local-storage file behind a pre-signed URL"},
};

const http_route *local_files_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
