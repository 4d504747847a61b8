/* names.c - validation of object names and their case-insensitive lookup keys. */
#include "catalog/names.h"

#include <string.h>

int name_check(name_kind kind, const char *name, const char *what, os_err *err)
{
    if (name == NULL || name[0] == '\0')
        return os_err_set(err, OS_EINVAL, "%s must not be empty", what);
    size_t n = strlen(name);
    if (kind == NAME_SKILL) {
        if (n > SKILL_NAME_MAX_LEN)
            return os_err_set(err, OS_EINVAL, "%s '%.64s...' is longer than %d characters", what,
                              name, SKILL_NAME_MAX_LEN);
        for (size_t i = 0; i < n; i++) {
            char c = name[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                return os_err_set(err, OS_EINVAL,
                                  "%s '%s' may only contain lower-case letters, digits and hyphens",
                                  what, name);
            if (c == '-' && i + 1 < n && name[i + 1] == '-')
                return os_err_set(err, OS_EINVAL, "%s '%s' must not contain consecutive hyphens",
                                  what, name);
        }
        if (name[0] == '-' || name[n - 1] == '-')
            return os_err_set(err, OS_EINVAL, "%s '%s' must not start or end with a hyphen", what,
                              name);
        return 0;
    }
    if (n > NAME_MAX_LEN)
        return os_err_set(err, OS_EINVAL, "%s is longer than %d characters", what, NAME_MAX_LEN);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == ' ')
            return os_err_set(err, OS_EINVAL, "%s '%s' must not contain a space", what, name);
        if (c == '/')
            return os_err_set(err, OS_EINVAL, "%s '%s' must not contain '/'", what, name);
        if (c < 0x20 || c == 0x7f)
            return os_err_set(err, OS_EINVAL, "%s must not contain control characters", what);
        if (c == '.' && kind == NAME_SCHEMA)
            return os_err_set(err, OS_EINVAL, "%s '%s' must not contain '.'", what, name);
    }
    return 0;
}

int name_key(const char *name, char *out, size_t outlen)
{
    size_t n = strlen(name);
    if (n + 1 > outlen)
        return -1;
    for (size_t i = 0; i <= n; i++) {
        char c = name[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return 0;
}

int name_relpath_check(const char *path, const char *what, os_err *err)
{
    size_t n = strlen(path);
    if (n == 0 || n > 1024 || path[0] == '/')
        return os_err_set(err, OS_EINVAL, "%s must be a relative path of 1 to 1024 bytes", what);
    for (const char *s = path; *s;) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
            return os_err_set(err, OS_EINVAL, "%s '%.200s' has an empty, '.' or '..' segment", what, path);
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                return os_err_set(err, OS_EINVAL, "%s holds a control character", what);
        s += len + (e != NULL);
    }
    return 0;
}
