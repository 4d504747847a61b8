/* objstore_local.c - the objstore interface over a local directory tree. */
#include "storage/objstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

/* A listing holds its names in memory to sort them: past this many it is
 * refused rather than grown without bound. */
#define LOCAL_LIST_MAX 10000000

typedef struct local_ctx {
    char *root;   /* no trailing '/' unless it is "/" */
    int rootfd;   /* O_PATH descriptor of root: every open resolves beneath it */
} local_ctx;

typedef struct local_item {
    char *name;
    int64_t size;
    int64_t mtime_ms;
} local_item;

/* Refuses keys that could leave the root or are not plain relative names.
 * With allow_dir, "" and a trailing '/' are accepted (a directory prefix). */
static int key_check(const char *key, int allow_dir, os_err *err)
{
    if (key == NULL)
        return os_err_set(err, OS_EINVAL, "object key is missing");
    size_t len = strlen(key);
    if (len == 0) {
        if (allow_dir)
            return 0;
        return os_err_set(err, OS_EINVAL, "object key is empty");
    }
    if (key[0] == '/')
        return os_err_set(err, OS_EINVAL, "object key '%s' must be relative", key);
    if (key[len - 1] == '/') {
        if (!allow_dir)
            return os_err_set(err, OS_EINVAL, "object key '%s' names a directory", key);
        len--;
    }
    size_t seg = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && (unsigned char)key[i] < 0x20)
            return os_err_set(err, OS_EINVAL, "object key has a control character");
        if (i == len || key[i] == '/') {
            size_t n = i - seg;
            if (n == 0)
                return os_err_set(err, OS_EINVAL, "object key '%s' has an empty segment", key);
            if ((n == 1 && key[seg] == '.') || (n == 2 && key[seg] == '.' && key[seg + 1] == '.'))
                return os_err_set(err, OS_EINVAL, "object key '%s' has a '.' or '..' segment", key);
            seg = i + 1;
        }
    }
    return 0;
}

static int io_error(os_err *err, const char *what, const char *key, int e)
{
    if (e == ENOENT || e == ENOTDIR)
        return os_err_set(err, OS_ENOTFOUND, "%s '%s': not found", what, key);
    return os_err_set(err, OS_EIO, "%s '%s': %s", what, key, strerror(e));
}

/* Opens rel (a checked key, or "." for the root) beneath the root: with
 * openat2(RESOLVE_BENEATH) no symlink or ".." can lead outside it; kernels
 * without openat2 fall back to openat (keys never hold ".." segments).
 * Returns the descriptor or -1 with errno set. */
static int open_beneath(const local_ctx *c, const char *rel, int flags)
{
#ifdef SYS_openat2
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, c->rootfd, rel, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return (int)fd;
#endif
    return openat(c->rootfd, rel, flags | O_CLOEXEC);
}

/* Opens a regular file (never blocking on a FIFO or device). */
static int open_regular(local_ctx *c, const char *key, int *fd_out, struct stat *st, os_err *err)
{
    if (key_check(key, 0, err) < 0)
        return -1;
    int fd = open_beneath(c, key, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        if (errno == EXDEV || errno == ELOOP)
            return os_err_set(err, OS_EINVAL, "'%s' leads outside the store", key);
        return io_error(err, "open", key, errno);
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return os_err_set(err, OS_ENOTFOUND, "open '%s': not a regular file", key);
    }
    *fd_out = fd;
    return 0;
}

static int item_cmp(const void *a, const void *b)
{
    return strcmp(((const local_item *)a)->name, ((const local_item *)b)->name);
}

static int local_list(void *ctx, const char *dir, const char *start_after,
                      objstore_list_cb cb, void *cbctx, os_err *err)
{
    local_ctx *c = ctx;
    if (key_check(dir, 1, err) < 0)
        return -1;
    size_t dlen = strlen(dir);
    if (dlen > 0 && dir[dlen - 1] != '/')
        return os_err_set(err, OS_EINVAL, "list prefix '%s' must end with '/'", dir);
    int dirfd0 = open_beneath(c, dlen ? dir : ".", O_RDONLY | O_DIRECTORY);
    DIR *d = dirfd0 >= 0 ? fdopendir(dirfd0) : NULL;
    if (d == NULL) {
        int e = errno;
        if (dirfd0 >= 0)
            close(dirfd0);
        if (e == EXDEV || e == ELOOP)
            return os_err_set(err, OS_EINVAL, "list '%s': leads outside the store", dir);
        return io_error(err, "list", dir, e);
    }
    int dfd = dirfd(d);
    local_item *items = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    /* Keys beyond start_after are compared by their full name. */
    size_t sa_len = start_after ? strlen(start_after) : 0;
    while ((errno = 0, de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, ".."))
            continue;
        if (start_after != NULL) {
            /* full = dir + nm must be > start_after */
            int cmp = strncmp(dir, start_after, dlen < sa_len ? dlen : sa_len);
            if (cmp == 0) {
                if (sa_len > dlen)
                    cmp = strcmp(nm, start_after + dlen);
                else
                    cmp = 1;
            }
            if (cmp <= 0)
                continue;
        }
        struct stat st;
        if (fstatat(dfd, nm, &st, 0) != 0)
            continue;   /* vanished or dangling: not listed */
        if (!S_ISREG(st.st_mode))
            continue;
        if (n >= LOCAL_LIST_MAX) {
            rc = os_err_set(err, OS_ELIMIT, "list '%s': more than %d entries", dir, LOCAL_LIST_MAX);
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            local_item *ni = realloc(items, ncap * sizeof *ni);
            if (ni == NULL) {
                rc = os_err_set(err, OS_ENOMEM, "out of memory listing '%s'", dir);
                break;
            }
            items = ni;
            cap = ncap;
        }
        size_t nlen = strlen(nm);
        char *full = malloc(dlen + nlen + 1);
        if (full == NULL) {
            rc = os_err_set(err, OS_ENOMEM, "out of memory listing '%s'", dir);
            break;
        }
        memcpy(full, dir, dlen);
        memcpy(full + dlen, nm, nlen + 1);
        items[n].name = full;
        items[n].size = (int64_t)st.st_size;
        items[n].mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        n++;
    }
    if (rc == 0 && de == NULL && errno != 0)
        rc = io_error(err, "list", dir, errno);
    closedir(d);
    if (rc == 0 && n > 1)
        qsort(items, n, sizeof *items, item_cmp);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        objstore_entry e = {items[i].name, items[i].size, items[i].mtime_ms};
        int r = cb(cbctx, &e, err);
        if (r < 0)
            rc = -1;
        else if (r > 0)
            break;
    }
    for (size_t i = 0; i < n; i++)
        free(items[i].name);
    free(items);
    return rc;
}

static int local_stat(void *ctx, const char *key, objstore_entry *out, os_err *err)
{
    int fd;
    struct stat st;
    if (open_regular(ctx, key, &fd, &st, err) < 0) {
        if (err && err->code == OS_ENOTFOUND)
            os_err_set(err, OS_ENOTFOUND, "stat '%s': not found or not a regular file", key);
        return -1;
    }
    close(fd);
    out->name = key;
    out->size = (int64_t)st.st_size;
    out->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    return 0;
}

static int local_read_all(void *ctx, const char *key, size_t max, os_buf *out, os_err *err)
{
    int fd;
    struct stat st;
    if (open_regular(ctx, key, &fd, &st, err) < 0)
        return -1;
    if ((uint64_t)st.st_size > (uint64_t)max) {
        close(fd);
        return os_err_set(err, OS_ELIMIT, "'%s' is %lld bytes, over the limit of %zu",
                          key, (long long)st.st_size, max);
    }
    size_t want = (size_t)st.st_size;
    if (os_buf_reserve(out, want) < 0) {
        close(fd);
        return os_err_set(err, OS_ENOMEM, "out of memory reading '%s'", key);
    }
    size_t done = 0;
    while (done < want) {
        ssize_t r = read(fd, out->data + out->len + done, want - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return io_error(err, "read", key, e);
        }
        if (r == 0)
            break;   /* shrank while reading: keep what we got */
        done += (size_t)r;
    }
    close(fd);
    out->len += done;
    out->data[out->len] = '\0';
    return 0;
}

static int local_read_range(void *ctx, const char *key, uint64_t offset, size_t len,
                            void *dst, size_t *got, os_err *err)
{
    int fd;
    struct stat st;
    *got = 0;
    if (open_regular(ctx, key, &fd, &st, err) < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t r = pread(fd, (char *)dst + done, len - done, (off_t)(offset + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return io_error(err, "read", key, e);
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    close(fd);
    *got = done;
    return 0;
}

static void local_close(void *ctx)
{
    local_ctx *c = ctx;
    if (c == NULL)
        return;
    if (c->rootfd >= 0)
        close(c->rootfd);
    free(c->root);
    free(c);
}

static const objstore_vtbl local_vtbl = {
    local_list, local_stat, local_read_all, local_read_range, local_close,
};

int objstore_local_open(const char *root_dir, objstore *out, os_err *err)
{
    out->v = NULL;
    out->ctx = NULL;
    struct stat st;
    if (root_dir == NULL || root_dir[0] == '\0')
        return os_err_set(err, OS_EINVAL, "local store root is empty");
    if (stat(root_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return os_err_set(err, OS_ENOTFOUND, "'%s' is not a directory", root_dir);
    local_ctx *c = calloc(1, sizeof *c);
    if (c == NULL || (c->root = strdup(root_dir)) == NULL) {
        free(c);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    size_t n = strlen(c->root);
    while (n > 1 && c->root[n - 1] == '/')
        c->root[--n] = '\0';
    c->rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (c->rootfd < 0) {
        int e = errno;
        free(c->root);
        free(c);
        return io_error(err, "open store root", root_dir, e);
    }
    out->v = &local_vtbl;
    out->ctx = c;
    return 0;
}

int objstore_list(const objstore *s, const char *dir, const char *start_after,
                  objstore_list_cb cb, void *cbctx, os_err *err)
{
    return s->v->list(s->ctx, dir, start_after, cb, cbctx, err);
}

int objstore_stat(const objstore *s, const char *key, objstore_entry *out, os_err *err)
{
    return s->v->stat(s->ctx, key, out, err);
}

int objstore_read_all(const objstore *s, const char *key, size_t max, os_buf *out, os_err *err)
{
    return s->v->read_all(s->ctx, key, max, out, err);
}

int objstore_read_range(const objstore *s, const char *key, uint64_t offset, size_t len,
                        void *dst, size_t *got, os_err *err)
{
    return s->v->read_range(s->ctx, key, offset, len, dst, got, err);
}

void objstore_close(objstore *s)
{
    if (s == NULL || s->v == NULL)
        return;
    s->v->close(s->ctx);
    s->v = NULL;
    s->ctx = NULL;
}
