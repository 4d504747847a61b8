/* file_access.c - maps log paths to keys under an asset's root and signs them with the location's URL signer. */
#include "sharing/file_access.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strutil.h"
#include "storage/store_open.h"

/* Storage errors about local disks name server paths: the provider reads
 * them in the log; the recipient gets the same code with a path-free message.
 * Returns -1. */
static int hide_local_paths(const file_access *fa, os_err *err)
{
    if (fa->root.scheme != LOC_FILE || err->code == OS_ENOMEM)
        return -1;
    os_log(OS_LOG_WARN, "asset storage %s: %s", fa->uri, err->msg);
    os_code c = err->code;
    return os_err_set(err, c,
                      c == OS_ENOTFOUND ? "this asset's storage is not reachable; ask the provider "
                                          "to check it"
                      : c == OS_EPERM   ? "this asset's storage lies outside its storage location; "
                                          "ask the provider to fix it"
                                        : "this asset's storage cannot be opened");
}

int file_access_open(const sharing_service *svc, const char *uri, const local_url_claims *who,
                     os_arena *a, file_access *fa, os_err *err)
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
    url_signer_local local = {svc->local_url_key, svc->files_base, who};
    fa->signer = url_signer_open(fa->loc, uri, &local, err);
    return fa->signer ? 0 : hide_local_paths(fa, err);
}

void file_access_close(file_access *fa)
{
    url_signer_free(fa->signer);
    fa->signer = NULL;
}

int file_access_store(const file_access *fa, objstore *out, os_err *err)
{
    if (objstore_open_location(fa->loc, fa->uri, out, err) != 0)
        return hide_local_paths(fa, err);
    return 0;
}

/* Turns a log path into a decoded key relative to the root (heap string). */
static char *log_path_to_rel(const file_access *fa, const char *log_path, os_err *err)
{
    os_arena a = OS_ARENA_INIT;
    char *out = NULL;
    if (strstr(log_path, "://") == NULL && strncmp(log_path, "file:", 5) != 0) {
        out = strdup(log_path);
        if (out == NULL)
            os_err_set(err, OS_ENOMEM, "out of memory");
        else if (os_url_decode(out, 0) < 0) {
            free(out);
            out = NULL;
            os_err_set(err, OS_ECORRUPT, "a file path in the table's log has a bad %%-escape");
        }
        return out;
    }
    /* An absolute URI ("file:/x", "file:///x", "s3://b/k", ...) must name a
     * file inside this asset's root. */
    const char *uri = log_path;
    if (strncmp(uri, "file:/", 6) == 0 && strncmp(uri, "file://", 7) != 0)
        uri = os_arena_sprintf(&a, "file://%s", log_path + 5);
    char *decoded = uri ? os_arena_strdup(&a, uri) : NULL;
    loc_uri u;
    if (decoded == NULL || os_url_decode(decoded, 0) < 0 || loc_uri_parse(decoded, &a, &u, NULL) != 0 ||
        !loc_uri_contains(&fa->root, &u) || strlen(u.path) <= strlen(fa->root.path)) {
        os_err_set(err, OS_EPERM, "a file of this table lives outside its location");
    } else {
        size_t n = strlen(fa->root.path);
        const char *rel = u.path + n;
        if (n > 0 && !(fa->root.scheme == LOC_FILE && strcmp(fa->root.path, "/") == 0))
            rel++;   /* the '/' after the root */
        out = strdup(rel);
        if (out == NULL)
            os_err_set(err, OS_ENOMEM, "out of memory");
    }
    os_arena_free(&a);
    return out;
}

int file_access_sign_rel(const file_access *fa, const char *rel, int64_t now_ms, os_buf *url,
                         int64_t *expires_ms, os_err *err)
{
    int64_t now_s = now_ms / 1000, exp_s;
    if (url_signer_sign(fa->signer, rel, now_s, fa->svc->url_ttl_ms / 1000, url, &exp_s, err) != 0)
        return -1;
    *expires_ms = exp_s * 1000;
    return 0;
}

char *file_access_rel(const file_access *fa, const char *log_path, os_err *err)
{
    return log_path_to_rel(fa, log_path, err);
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
