/* store_key.h - object-key rules shared by the remote object-store backends: validation and rooting under a prefix. */
#ifndef OS_STORAGE_STORE_KEY_H
#define OS_STORAGE_STORE_KEY_H

#include "base/buf.h"
#include "base/err.h"

/* Checks a key as objstore.h defines them: relative, no "", "." or ".."
 * segments, no control characters.  With allow_dir, "" and a trailing '/'
 * (a directory prefix) are accepted.  Returns 0 or -1 (OS_EINVAL). */
int sto_key_check(const char *key, int allow_dir, os_err *err);

/* Appends root + "/" + key to out (just key when root is ""). Returns 0 or -1. */
int sto_key_join(os_buf *out, const char *root, const char *key);

#endif
