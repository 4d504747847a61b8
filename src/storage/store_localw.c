/* store_localw.c - a local store that can also list recursively: wraps objstore_local and walks the tree itself. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "storage/store_int.h"
#include "storage/store_key.h"

typedef struct localw_ctx {
    objstore inner;
    char *root;
} localw_ctx;

static int lw_list(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                   void *cbctx, os_err *err)
{
    localw_ctx *c = ctx;
    return objstore_list(&c->inner, dir, start_after, cb, cbctx, err);
}

static int lw_stat(void *ctx, const char *key, objstore_entry *out, os_err *err)
{
    localw_ctx *c = ctx;
    return objstore_stat(&c->inner, key, out, err);
}

static int lw_read_all(void *ctx, const char *key, size_t max, os_buf *out, os_err *err)
{
    localw_ctx *c = ctx;
    return objstore_read_all(&c->inner, key, max, out, err);
}

static int lw_read_range(void *ctx, const char *key, uint64_t offset, size_t len, void *dst,
                         size_t *got, os_err *err)
{
    localw_ctx *c = ctx;
    return objstore_read_range(&c->inner, key, offset, len, dst, got, err);
}

static void lw_close(void *ctx)
{
    localw_ctx *c = ctx;
    if (c == NULL)
        return;
    objstore_close(&c->inner);
    free(c->root);
    free(c);
}

static const objstore_vtbl localw_vtbl = {lw_list, lw_stat, lw_read_all, lw_read_range, lw_close};

const objstore_vtbl *sto_localw_vtbl(void)
{
    return &localw_vtbl;
}

int sto_localw_open(const char *root_dir, objstore *out, os_err *err)
{
    localw_ctx *c = calloc(1, sizeof *c);
    if (c == NULL || (c->root = strdup(root_dir)) == NULL) {
        free(c);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    if (objstore_local_open(root_dir, &c->inner, err) != 0) {
        free(c->root);
        free(c);
        return -1;
    }
    out->v = &localw_vtbl;
    out->ctx = c;
    return 0;
}

/* One directory entry during the walk; `sort` is the name plus '/' for
 * directories, so that depth-first order is byte order of full keys. */
typedef struct walk_item {
    char *sort;
    int is_dir;
    int64_t size, mtime_ms;
} walk_item;

static int item_cmp(const void *a, const void *b)
{
    return strcmp(((const walk_item *)a)->sort, ((const walk_item *)b)->sort);
}

typedef struct walk {
    const char *start_after;
    objstore_list_cb cb;
    void *cbctx;
    os_err *err;
    int stopped;
} walk;

/* Walks abs (the directory of key prefix `rel`, "" or ending in '/'). */
static int walk_dir(walk *w, const char *abs, const char *rel, int depth)
{
    if (depth > 64)
        return os_err_set(w->err, OS_ELIMIT, "directory tree is deeper than 64 levels");
    DIR *d = opendir(abs);
    if (d == NULL)
        return os_err_set(w->err, errno == ENOENT || errno == ENOTDIR ? OS_ENOTFOUND : OS_EIO,
                          "directory '%s' cannot be listed", rel);
    walk_item *items = NULL;
    size_t n = 0, cap = 0;
    int ret = 0;
    struct dirent *de;
    os_buf path = OS_BUF_INIT;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        os_buf_reset(&path);
        struct stat st;
        if (os_buf_printf(&path, "%s/%s", abs, de->d_name) != 0) {
            ret = os_err_set(w->err, OS_ENOMEM, "out of memory");
            break;
        }
        if (lstat(path.data, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))
            continue;   /* vanished, symlink, device...: never listed */
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            walk_item *ni = realloc(items, nc * sizeof *ni);
            if (ni == NULL) {
                ret = os_err_set(w->err, OS_ENOMEM, "out of memory");
                break;
            }
            items = ni;
            cap = nc;
        }
        size_t nl = strlen(de->d_name);
        char *s = malloc(nl + 2);
        if (s == NULL) {
            ret = os_err_set(w->err, OS_ENOMEM, "out of memory");
            break;
        }
        memcpy(s, de->d_name, nl);
        s[nl] = S_ISDIR(st.st_mode) ? '/' : '\0';
        s[nl + 1] = '\0';
        items[n++] = (walk_item){s, S_ISDIR(st.st_mode), (int64_t)st.st_size,
                                 (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000};
    }
    closedir(d);
    if (ret == 0 && n > 1)   /* qsort(NULL, 0) is undefined */
        qsort(items, n, sizeof *items, item_cmp);
    os_buf key = OS_BUF_INIT;
    for (size_t i = 0; ret == 0 && i < n && !w->stopped; i++) {
        os_buf_reset(&key);
        if (os_buf_printf(&key, "%s%s", rel, items[i].sort) != 0) {
            ret = os_err_set(w->err, OS_ENOMEM, "out of memory");
            break;
        }
        if (sto_key_check(key.data, 1, NULL) != 0)
            continue;
        if (items[i].is_dir) {
            /* Skip whole subtrees that sort entirely at or before start_after. */
            if (w->start_after && strncmp(key.data, w->start_after, key.len) < 0 &&
                strncmp(w->start_after, key.data, key.len) != 0)
                continue;
            os_buf sub = OS_BUF_INIT;
            if (os_buf_printf(&sub, "%s/%.*s", abs, (int)(strlen(items[i].sort) - 1),
                              items[i].sort) != 0)
                ret = os_err_set(w->err, OS_ENOMEM, "out of memory");
            else
                ret = walk_dir(w, sub.data, key.data, depth + 1);
            os_buf_free(&sub);
            continue;
        }
        if (w->start_after && strcmp(key.data, w->start_after) <= 0)
            continue;
        objstore_entry e = {key.data, items[i].size, items[i].mtime_ms};
        int r = w->cb(w->cbctx, &e, w->err);
        if (r < 0)
            ret = -1;
        else if (r > 0)
            w->stopped = 1;
    }
    for (size_t i = 0; i < n; i++)
        free(items[i].sort);
    free(items);
    os_buf_free(&key);
    os_buf_free(&path);
    return ret;
}

int sto_localw_list_all(void *ctx, const char *dir, const char *start_after, objstore_list_cb cb,
                        void *cbctx, os_err *err)
{
    localw_ctx *c = ctx;
    const char *dd = dir ? dir : "";
    if (sto_key_check(dd, 1, err) != 0)
        return -1;
    if (*dd && dd[strlen(dd) - 1] != '/')
        return os_err_set(err, OS_EINVAL, "directory '%s' must end with '/'", dd);
    os_buf abs = OS_BUF_INIT;
    if (os_buf_printf(&abs, "%s%s%.*s", c->root, *dd ? "/" : "", (int)(*dd ? strlen(dd) - 1 : 0),
                      dd) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    walk w = {start_after, cb, cbctx, err, 0};
    int r = walk_dir(&w, abs.data, dd, 0);
    os_buf_free(&abs);
    return r;
}
