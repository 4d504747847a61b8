/* server_key.c - load-or-create of the server secret with owner-only permissions. */
#include "auth/server_key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/secret.h"
#include "base/crypto.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int server_key_load(const char *data_dir, uint8_t key[SERVER_KEY_LEN], os_err *err)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/secrets", data_dir);
    snprintf(path, sizeof path, "%s/server.key", dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return os_err_set(err, OS_EIO, "cannot create %s: %s", dir, strerror(errno));
    int fd = open(path, O_RDONLY);
    if (fd < 0 && errno == ENOENT) {
        uint8_t raw[SERVER_KEY_LEN];
        char line[sizeof AUTH_PREFIX_SERVER_KEY + 2 * SERVER_KEY_LEN + 2];
        if (os_random_bytes(raw, sizeof raw) != 0)
            return os_err_set(err, OS_EINTERNAL, "random source failed");
        /* The prefix makes a leaked key file recognisable. */
        memcpy(line, AUTH_PREFIX_SERVER_KEY, sizeof AUTH_PREFIX_SERVER_KEY - 1);
        os_hex_encode(raw, sizeof raw, line + sizeof AUTH_PREFIX_SERVER_KEY - 1);
        memset(raw, 0, sizeof raw);
        strcat(line, "\n");
        /* O_EXCL: if two processes race, one creates and the other reads. */
        int w = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        int open_errno = errno, ok = 1;
        if (w >= 0) {
            ok = write(w, line, strlen(line)) == (ssize_t)strlen(line) && fsync(w) == 0;
            close(w);
        }
        memset(line, 0, sizeof line);
        if (w < 0 && open_errno != EEXIST)
            return os_err_set(err, OS_EIO, "cannot create %s: %s", path, strerror(open_errno));
        if (!ok)
            return os_err_set(err, OS_EIO, "cannot write %s", path);
        fd = open(path, O_RDONLY);
    }
    if (fd < 0)
        return os_err_set(err, OS_EIO, "cannot read %s: %s", path, strerror(errno));
    char buf[sizeof AUTH_PREFIX_SERVER_KEY + 2 * SERVER_KEY_LEN + 8];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    /* Keys written before the prefix existed are bare hex. */
    const char *hex = buf;
    size_t plen = sizeof AUTH_PREFIX_SERVER_KEY - 1;
    if (n >= (ssize_t)plen && memcmp(buf, AUTH_PREFIX_SERVER_KEY, plen) == 0) {
        hex += plen;
        n -= (ssize_t)plen;
    }
    if (n < 2 * SERVER_KEY_LEN)
        return os_err_set(err, OS_ECORRUPT, "%s is truncated; delete it to create a new key", path);
    for (int i = 0; i < SERVER_KEY_LEN; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return os_err_set(err, OS_ECORRUPT, "%s is not a hex key; delete it to create a new one",
                              path);
        key[i] = (uint8_t)(hi * 16 + lo);
    }
    return 0;
}
