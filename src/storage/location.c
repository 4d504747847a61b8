/* location.c - storage URI parsing and containment checks. */
#include "storage/location.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

static int scheme_of(const char *s, size_t n, loc_scheme *out)
{
    struct { const char *name; loc_scheme scheme; } table[] = {
        {"file", LOC_FILE}, {"s3", LOC_S3}, {"s3a", LOC_S3},
        {"abfss", LOC_AZURE}, {"abfs", LOC_AZURE}, {"wasbs", LOC_AZURE}, {"gs", LOC_GCS},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i].name) == n && strncmp(table[i].name, s, n) == 0) {
            *out = table[i].scheme;
            return 0;
        }
    return -1;
}

/* Checks a path made of '/'-separated segments: no empty, "." or ".." segment. */
static int check_segments(const char *p, const char *uri, os_err *err)
{
    const char *seg = p;
    for (;;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0 && end != NULL)
            return os_err_set(err, OS_EINVAL, "location '%s' has an empty path segment", uri);
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return os_err_set(err, OS_EINVAL, "location '%s' must not contain '.' or '..' segments",
                              uri);
        if (end == NULL)
            return 0;
        seg = end + 1;
    }
}

int loc_uri_parse(const char *uri, os_arena *a, loc_uri *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    if (uri == NULL || *uri == '\0')
        return os_err_set(err, OS_EINVAL, "location is empty");
    for (const char *p = uri; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
            return os_err_set(err, OS_EINVAL,
                              "location '%s' contains a control character or backslash", uri);
    const char *colon = strstr(uri, "://");
    if (colon == NULL)
        return os_err_set(err, OS_EINVAL, "location '%s' is not a URI (expected scheme://...)", uri);
    if (scheme_of(uri, (size_t)(colon - uri), &out->scheme) != 0)
        return os_err_set(err, OS_EINVAL,
                          "location '%s' has an unsupported scheme (file, s3, s3a, abfss, wasbs, gs)",
                          uri);
    out->scheme_text = os_arena_strndup(a, uri, (size_t)(colon - uri));
    const char *rest = colon + 3;
    const char *path;
    if (out->scheme == LOC_FILE) {
        /* file:///abs or file://localhost/abs */
        if (strncmp(rest, "localhost/", 10) == 0)
            rest += 9;
        if (*rest != '/')
            return os_err_set(err, OS_EINVAL, "file location '%s' must be an absolute path", uri);
        out->authority = "";
        path = rest;
    } else {
        const char *slash = strchr(rest, '/');
        size_t alen = slash ? (size_t)(slash - rest) : strlen(rest);
        if (alen == 0)
            return os_err_set(err, OS_EINVAL, "location '%s' has no bucket or container", uri);
        out->authority = os_arena_strndup(a, rest, alen);
        path = slash ? slash + 1 : "";
    }
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    if (out->scheme != LOC_FILE && n == 1 && path[0] == '/')
        n = 0;
    char *p = os_arena_strndup(a, path, n);
    if (p == NULL || out->scheme_text == NULL || out->authority == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    const char *check = out->scheme == LOC_FILE ? p + 1 : p;
    if (*check && check_segments(check, uri, err) != 0)
        return -1;
    out->path = p;
    return 0;
}

int loc_uri_contains(const loc_uri *outer, const loc_uri *inner)
{
    if (outer->scheme != inner->scheme || strcmp(outer->authority, inner->authority) != 0)
        return 0;
    const char *o = outer->path, *i = inner->path;
    size_t n = strlen(o);
    if (outer->scheme == LOC_FILE && strcmp(o, "/") == 0)
        return 1;
    if (n == 0)
        return 1;
    return strncmp(o, i, n) == 0 && (i[n] == '\0' || i[n] == '/');
}

/* Resolved paths are kept this long: every request to a local asset checks
 * its containment, and realpath() costs a readlink per path component.  A
 * symlink changed on disk is followed within this time. */
#define REALPATH_TTL_MS 1000
#define REALPATH_SLOTS 64

static struct {
    pthread_mutex_t lock;
    struct {
        char path[PATH_MAX], real[PATH_MAX];
        int64_t until_ms;
    } slot[REALPATH_SLOTS];
} realpaths = {PTHREAD_MUTEX_INITIALIZER, {{{0}, {0}, 0}}};

int loc_file_realpath(const char *path, char real[PATH_MAX])
{
    size_t h = 5381;
    for (const char *p = path; *p; p++)
        h = h * 33 + (unsigned char)*p;
    size_t i = h % REALPATH_SLOTS;
    int64_t now = os_mono_ms();
    pthread_mutex_lock(&realpaths.lock);
    if (realpaths.slot[i].until_ms > now && strcmp(realpaths.slot[i].path, path) == 0) {
        snprintf(real, PATH_MAX, "%s", realpaths.slot[i].real);
        pthread_mutex_unlock(&realpaths.lock);
        return 0;
    }
    pthread_mutex_unlock(&realpaths.lock);
    if (strlen(path) >= PATH_MAX || realpath(path, real) == NULL)
        return -1;   /* errno says why; failures are not kept */
    pthread_mutex_lock(&realpaths.lock);
    snprintf(realpaths.slot[i].path, PATH_MAX, "%s", path);
    snprintf(realpaths.slot[i].real, PATH_MAX, "%s", real);
    realpaths.slot[i].until_ms = now + REALPATH_TTL_MS;
    pthread_mutex_unlock(&realpaths.lock);
    return 0;
}

int loc_file_check_contained(const char *root_path, const char *asset_path, os_err *err)
{
    char root[PATH_MAX], real[PATH_MAX];
    if (loc_file_realpath(root_path, root) != 0)
        return os_err_set(err, errno == ENOENT ? OS_ENOTFOUND : OS_EIO,
                          "storage root '%s' cannot be resolved: %s", root_path, strerror(errno));
    if (loc_file_realpath(asset_path, real) != 0)
        return os_err_set(err, errno == ENOENT ? OS_ENOTFOUND : OS_EIO,
                          "location '%s' cannot be resolved: %s", asset_path, strerror(errno));
    size_t n = strlen(root);
    if (strcmp(root, "/") == 0)
        return 0;
    if (strncmp(root, real, n) != 0 || (real[n] != '\0' && real[n] != '/'))
        return os_err_set(err, OS_EPERM,
                          "location '%s' resolves to '%s', outside its storage location '%s'",
                          asset_path, real, root);
    return 0;
}
