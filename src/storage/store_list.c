/* store_list.c - the listing rules the S3, Azure and GCS listers share: the directory asked for, page order, and which listed names are ours. */
#include <string.h>

#include "storage/store_int.h"
#include "storage/store_key.h"

int sto_list_begin(sto_list_scope *s, const char *root, const char *dir, const char *start_after,
                   int delimited, os_err *err)
{
    memset(s, 0, sizeof *s);
    s->dir = dir ? dir : "";
    s->start_after = start_after;
    s->delimited = delimited;
    s->rootlen = *root ? strlen(root) + 1 : 0;
    if (sto_key_check(s->dir, 1, err) != 0)
        return -1;
    if (*s->dir && s->dir[strlen(s->dir) - 1] != '/')
        return os_err_set(err, OS_EINVAL, "directory '%s' must end with '/'", s->dir);
    if (sto_key_join(&s->full, root, s->dir) != 0 ||
        (start_after && sto_key_join(&s->after, root, start_after) != 0)) {
        sto_list_end(s);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    return 0;
}

void sto_list_end(sto_list_scope *s)
{
    os_buf_free(&s->full);
    os_buf_free(&s->after);
    os_buf_free(&s->prev);
}

int sto_list_order_check(sto_list_scope *s, const char *name, size_t len, const char *msg,
                         os_err *err)
{
    /* Strictly ascending names are what makes start_after resumption and the
     * callers' merges correct; a store that breaks it cannot be trusted. */
    if (s->prev.len && strcmp(name, s->prev.data) <= 0)
        return os_err_set(err, OS_EIO, "%s", msg);
    os_buf_reset(&s->prev);
    if (os_buf_append(&s->prev, name, len) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

int sto_list_emit(const sto_list_scope *s, const char *name, size_t len, int64_t size,
                  int64_t mtime_ms, objstore_list_cb cb, void *cbctx, os_err *err)
{
    const char *full = os_buf_cstr(&s->full);
    /* Hostile or odd entries: embedded NULs, outside the prefix, directory
     * markers, deeper keys in a delimited listing, at or before start_after,
     * names no key may have. */
    if (strlen(name) != len || strncmp(name, full, s->full.len) != 0 || len <= s->full.len ||
        name[len - 1] == '/')
        return 0;
    if (s->delimited && strchr(name + s->full.len, '/') != NULL)
        return 0;
    if (s->start_after && strcmp(name, os_buf_cstr(&s->after)) <= 0)
        return 0;
    if (sto_key_check(name + s->rootlen, 0, NULL) != 0)
        return 0;
    objstore_entry e = {name + s->rootlen, size, mtime_ms};
    return cb(cbctx, &e, err);
}

int sto_list_finish(const sto_list_scope *s, int seen, int stopped, os_err *err)
{
    /* An empty answer for a directory means it does not exist, unless the
     * caller resumed past everything in it. */
    if (!seen && !stopped && *s->dir && !s->start_after)
        return os_err_set(err, OS_ENOTFOUND, "directory '%s' not found", s->dir);
    return 0;
}
