/* fuzz_delta_image.c - snapshot image records (unchecksummed blocks) and whole images on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/buf.h"
#include "formats/delta/delta.h"

/* Touches every field a consumer would read. */
static int consume(void *ctx, const delta_file *f, os_err *err)
{
    (void)err;
    size_t *sum = ctx;
    *sum += f->path ? strlen(f->path) : 0;
    *sum += f->stats ? strlen(f->stats) : 0;
    for (size_t i = 0; i < f->partition_values.n; i++)
        *sum += strlen(f->partition_values.items[i].key) +
                (f->partition_values.items[i].value ? strlen(f->partition_values.items[i].value) : 0);
    for (size_t i = 0; i < f->tags.n; i++)
        *sum += strlen(f->tags.items[i].key);
    if (f->has_dv)
        *sum += strlen(f->dv.path_or_inline_dv);
    if (f->image_aux)
        *sum += (unsigned char)f->image_aux[f->image_aux_len - 1];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t sum = 0;
    os_err err;
    char *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    delta_image_block_each(copy, size, consume, &sum, &err);
    free(copy);
    int fd = memfd_create("img", 0);
    if (fd >= 0) {
        if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0) {
            bool cb_failed;
            delta_image_read(fd, consume, &sum, &cb_failed, &err);
        }
        close(fd);
    }
    volatile size_t keep = sum;
    (void)keep;
    return 0;
}
