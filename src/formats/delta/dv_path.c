/* dv_path.c - decodes the Z85 UUID of relative deletion-vector paths (Delta PROTOCOL.md, "Deletion Vector Format"). */
#include "formats/delta/dv_path.h"

#include <stdio.h>
#include <string.h>

static const char Z85[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

static int z85_value(char c)
{
    const char *p = c ? strchr(Z85, c) : NULL;
    return p ? (int)(p - Z85) : -1;
}

int delta_dv_file_path(const delta_dv *dv, os_buf *out, os_err *err)
{
    const char *s = dv->path_or_inline_dv;
    if (s == NULL)
        return os_err_set(err, OS_ECORRUPT, "deletion vector without a path");
    if (dv->storage_type == 'p')
        return os_buf_puts(out, s) == 0 ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
    if (dv->storage_type != 'u')
        return os_err_set(err, OS_EINVAL, "inline deletion vectors have no file");
    size_t n = strlen(s);
    if (n < 20)
        return os_err_set(err, OS_ECORRUPT, "deletion vector path '%.40s' is too short", s);
    const char *enc = s + n - 20;
    unsigned char b[16];
    for (int g = 0; g < 4; g++) {
        uint64_t v = 0;
        for (int i = 0; i < 5; i++) {
            int d = z85_value(enc[g * 5 + i]);
            if (d < 0)
                return os_err_set(err, OS_ECORRUPT, "deletion vector path '%.40s' is not Z85", s);
            v = v * 85 + (uint64_t)d;
        }
        if (v > 0xffffffffu)
            return os_err_set(err, OS_ECORRUPT, "deletion vector path '%.40s' is not Z85", s);
        b[g * 4] = (unsigned char)(v >> 24);
        b[g * 4 + 1] = (unsigned char)(v >> 16);
        b[g * 4 + 2] = (unsigned char)(v >> 8);
        b[g * 4 + 3] = (unsigned char)v;
    }
    int rc = 0;
    if (n > 20) {
        rc |= os_buf_append(out, s, n - 20);
        rc |= os_buf_putc(out, '/');
    }
    rc |= os_buf_printf(out,
                        "deletion_vector_%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                        "%02x%02x%02x%02x%02x%02x.bin",
                        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                        b[12], b[13], b[14], b[15]);
    return rc ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
}
