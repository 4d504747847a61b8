/* source.c - byte-range sources for the Parquet reader: a file read with pread, or memory. */
#include "formats/parquet/parquet.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct file_ctx {
    int fd;
    char *path;
} file_ctx;

static int file_read_at(void *ctx, uint64_t offset, size_t len, void *dst, os_err *err)
{
    file_ctx *fc = ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fc->fd, (char *)dst + done, len - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return os_err_set(err, OS_EIO, "%s: read failed: %s", fc->path, strerror(errno));
        }
        if (n == 0)
            return os_err_set(err, OS_EIO, "%s: unexpected end of file (was it truncated while reading?)",
                              fc->path);
        done += (size_t)n;
    }
    return 0;
}

static void file_close(void *ctx)
{
    file_ctx *fc = ctx;
    close(fc->fd);
    free(fc->path);
    free(fc);
}

int pq_source_open_file(pq_source *src, const char *path, os_err *err)
{
    memset(src, 0, sizeof *src);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return os_err_set(err, errno == ENOENT ? OS_ENOTFOUND : OS_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        close(fd);
        return os_err_set(err, OS_EIO, "%s: not a regular file%s%s", path, e ? ": " : "",
                          e ? strerror(e) : "");
    }
    file_ctx *fc = malloc(sizeof *fc);
    char *p = strdup(path);
    if (fc == NULL || p == NULL) {
        free(fc);
        free(p);
        close(fd);
        return os_err_set(err, OS_ENOMEM, "%s: out of memory", path);
    }
    fc->fd = fd;
    fc->path = p;
    src->ctx = fc;
    src->size = (uint64_t)st.st_size;
    src->name = p;
    src->read_at = file_read_at;
    src->close = file_close;
    return 0;
}

static int mem_read_at(void *ctx, uint64_t offset, size_t len, void *dst, os_err *err)
{
    (void)err;
    if (len > 0)
        memcpy(dst, (const uint8_t *)ctx + offset, len);
    return 0;
}

void pq_source_init_mem(pq_source *src, const void *data, size_t len, const char *name)
{
    memset(src, 0, sizeof *src);
    src->ctx = (void *)data;
    src->size = len;
    src->name = name ? name : "(memory)";
    src->read_at = mem_read_at;
}

void pq_source_close(pq_source *src)
{
    if (src->close && src->ctx)
        src->close(src->ctx);
    memset(src, 0, sizeof *src);
}
