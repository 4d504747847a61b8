/* store_key.c - validation of object keys and joining them under a store's root prefix. */
#include "storage/store_key.h"

#include <string.h>

int sto_key_check(const char *key, int allow_dir, os_err *err)
{
    if (key == NULL)
        return os_err_set(err, OS_EINVAL, "object key is missing");
    size_t len = strlen(key);
    if (len == 0)
        return allow_dir ? 0 : os_err_set(err, OS_EINVAL, "object key is empty");
    if (key[0] == '/')
        return os_err_set(err, OS_EINVAL, "object key must be relative");
    if (key[len - 1] == '/') {
        if (!allow_dir)
            return os_err_set(err, OS_EINVAL, "object key names a directory");
        len--;
    }
    size_t seg = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && ((unsigned char)key[i] < 0x20 || key[i] == 0x7f))
            return os_err_set(err, OS_EINVAL, "object key has a control character");
        if (i == len || key[i] == '/') {
            size_t n = i - seg;
            if (n == 0 || (n == 1 && key[seg] == '.') ||
                (n == 2 && key[seg] == '.' && key[seg + 1] == '.'))
                return os_err_set(err, OS_EINVAL, "object key has an empty, '.' or '..' segment");
            seg = i + 1;
        }
    }
    return 0;
}

int sto_key_join(os_buf *out, const char *root, const char *key)
{
    int rc = 0;
    if (root && *root) {
        rc |= os_buf_puts(out, root);
        rc |= os_buf_putc(out, '/');
    }
    rc |= os_buf_puts(out, key ? key : "");
    if (out->data == NULL)
        rc |= os_buf_puts(out, "");
    return rc ? -1 : 0;
}
