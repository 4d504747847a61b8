/* fuzz_parquet_footer.c - libFuzzer harness: arbitrary bytes as a Parquet footer (FileMetaData). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* "PAR1" + footer + u32 length + "PAR1": the footer is the only variable part. */
    uint8_t *file = malloc(size + 12);
    if (file == NULL)
        return 0;
    memcpy(file, "PAR1", 4);
    if (size)
        memcpy(file + 4, data, size);
    uint32_t len = (uint32_t)size;
    memcpy(file + 4 + size, &len, 4);
    memcpy(file + 8 + size, "PAR1", 4);
    pq_source src;
    pq_source_init_mem(&src, file, size + 12, "fuzz.parquet");
    pq_options opts = {.max_chunk_bytes = 16u << 20, .max_page_bytes = 16u << 20};
    os_err err;
    pq_file *f = pq_file_open(&src, &opts, &err);
    if (f) {
        for (size_t i = 0; i < pq_file_num_columns(f); i++) {
            const pq_node *n = pq_file_column(f, i);
            (void)pq_file_find(f, n->path);
            for (size_t rg = 0; rg < pq_file_num_row_groups(f); rg++) {
                pq_chunk_info ci;
                (void)pq_file_chunk_info(f, rg, i, &ci, &err);
            }
        }
        /* Reading rows reaches the page decoders with offsets the footer made up. */
        pq_reader *r = pq_reader_open(f, NULL, 0, &err);
        if (r) {
            const pq_value *row;
            int n = 0;
            while (n++ < 1000 && pq_reader_next(r, &row, &err) > 0)
                ;
            pq_reader_close(r);
        }
        pq_file_close(f);
    }
    free(file);
    return 0;
}
