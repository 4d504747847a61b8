/* fuzz_delta_checkpoint.c - arbitrary bytes as a Parquet checkpoint read by the Delta engine's
 * columnar path (add rows walked column by column, page by page, with decoder threads). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/delta/delta_int.h"
#include "formats/parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every string of the file so a dangling pointer shows under ASan. */
static int on_action(void *ctx, const delta_action *a, os_err *err)
{
    (void)err;
    size_t *sum = ctx;
    const delta_file *f = &a->u.file;
    *sum += strlen(f->path) + (f->stats ? strlen(f->stats) : 0);
    for (size_t i = 0; i < f->partition_values.n; i++)
        *sum += strlen(f->partition_values.items[i].key) +
                (f->partition_values.items[i].value ? strlen(f->partition_values.items[i].value) : 0);
    for (size_t i = 0; i < f->tags.n; i++)
        *sum += strlen(f->tags.items[i].key) + (f->tags.items[i].value ? strlen(f->tags.items[i].value) : 0);
    if (f->has_dv)
        *sum += strlen(f->dv.path_or_inline_dv);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pq_source src;
    pq_source_init_mem(&src, data, size, "fuzz.checkpoint.parquet");
    pq_options opts = {.max_chunk_bytes = 16u << 20, .max_page_bytes = 16u << 20};
    os_err err;
    pq_file *f = pq_file_open(&src, &opts, &err);
    if (f == NULL)
        return 0;
    delta_table t;
    memset(&t, 0, sizeof t);
    t.limits.checkpoint_threads = (size & 1) ? 2 : 1;
    size_t sum = 0;
    (void)dl_cp_columns_read(&t, f, "fuzz.checkpoint.parquet", on_action, &sum, &err);
    pq_file_close(f);
    return 0;
}
