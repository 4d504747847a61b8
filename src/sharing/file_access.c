/* file_access.c - maps log paths to storage keys under an asset's root and signs them with the server's URL signer. */
#include "sharing/file_access.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "storage/local_url.h"
#include "storage/store_open.h"

int file_access_open(const sharing_service *svc, const char *uri, os_arena *a, file_access *fa,
                     os_err *err)
{
    memset(fa, 0, sizeof *fa);
    fa->svc = svc;
    fa->uri = os_arena_strdup(a, uri);
    if (fa->uri == NULL || loc_uri_parse(uri, a, &fa->root, err) != 0)
        return -1;
    /* The storage location that holds the asset carries its secret and options. */
    cat_page page;
    if (store_location_list(svc->store, a, &page, err) != 0)
        return -1;
    for (int i = 0; i < page.count && fa->loc == NULL; i++) {
        cat_location *l = page.items[i];
        loc_uri lu;
        if (loc_uri_parse(l->uri, a, &lu, NULL) == 0 && loc_uri_contains(&lu, &fa->root))
            fa->loc = l;
    }
    if (fa->loc == NULL)
        return os_err_set(err, OS_ENOTFOUND, "no storage location holds this asset any more");
    if (fa->root.scheme != LOC_FILE)
        return os_err_set(err, OS_EUNSUPPORTED,
                          "reading %s:// storage is not available in this server yet",
                          fa->root.scheme_text);
    if (realpath(fa->root.path, fa->root_path) == NULL)
        return os_err_set(err, errno == ENOENT ? OS_ENOTFOUND : OS_EIO,
                          "the asset's storage is not reachable");
    return 0;
}

int file_access_store(const file_access *fa, objstore *out, os_err *err)
{
    return objstore_open_location(fa->loc, fa->uri, out, err);
}

/* Turns a log path into a decoded key relative to the root. */
static char *log_path_to_rel(const file_access *fa, const char *log_path, os_err *err)
{
    char *p = strdup(log_path);
    if (p == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    const char *rel = p;
    if (strstr(p, "://") != NULL || strncmp(p, "file:", 5) == 0) {
        /* An absolute URI: it must name a file inside this asset's root. */
        const char *path = NULL;
        if (strncmp(p, "file:///", 8) == 0)
            path = p + 7;
        else if (strncmp(p, "file:/", 6) == 0)
            path = p + 5;
        if (path == NULL || os_url_decode((char *)path, 0) < 0) {
            free(p);
            os_err_set(err, OS_EPERM, "a file of this table lives outside its location");
            return NULL;
        }
        size_t n = strlen(fa->root_path);
        if (strncmp(path, fa->root_path, n) != 0 || path[n] != '/') {
            free(p);
            os_err_set(err, OS_EPERM, "a file of this table lives outside its location");
            return NULL;
        }
        rel = path + n + 1;
    } else if (os_url_decode(p, 0) < 0) {
        free(p);
        os_err_set(err, OS_ECORRUPT, "a file path in the table's log has a bad %%-escape");
        return NULL;
    }
    memmove(p, rel, strlen(rel) + 1);
    return p;
}

int file_access_sign_rel(const file_access *fa, const char *rel, int64_t now_ms, os_buf *url,
                         int64_t *expires_ms, os_err *err)
{
    if (local_url_check_rel(rel, err) != 0)
        return os_err_set(err, OS_EPERM, "a file path leaves the asset's location");
    int64_t exp_ms = now_ms + fa->svc->url_ttl_ms;
    /* Local URLs carry whole seconds; report the expiry they really have. */
    int64_t exp_s = exp_ms / 1000;
    if (local_url_sign(fa->svc->local_url_key, fa->svc->files_base, fa->root_path, rel, exp_s, url,
                       err) != 0)
        return -1;
    *expires_ms = exp_s * 1000;
    return 0;
}

int file_access_sign(const file_access *fa, const char *log_path, int64_t now_ms, os_buf *url,
                     int64_t *expires_ms, os_err *err)
{
    char *rel = log_path_to_rel(fa, log_path, err);
    if (rel == NULL)
        return -1;
    int rc = file_access_sign_rel(fa, rel, now_ms, url, expires_ms, err);
    free(rel);
    return rc;
}
