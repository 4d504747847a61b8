/* fuzz_parquet_pages.c - libFuzzer harness: arbitrary bytes as a whole Parquet file; every row is
 * read through the page decoders and rendered as JSON, then every column is read page by page. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "formats/parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pq_source src;
    pq_source_init_mem(&src, data, size, "fuzz.parquet");
    pq_options opts = {.max_chunk_bytes = 16u << 20, .max_page_bytes = 16u << 20};
    os_err err;
    pq_file *f = pq_file_open(&src, &opts, &err);
    if (f == NULL)
        return 0;
    pq_reader *r = pq_reader_open(f, NULL, 0, &err);
    if (r) {
        os_buf out = OS_BUF_INIT;
        const pq_value *row;
        int n = 0;
        while (n++ < 10000 && pq_reader_next(r, &row, &err) > 0) {
            os_buf_reset(&out);
            (void)pq_value_to_json(row, &out, &err);
        }
        os_buf_free(&out);
        pq_reader_close(r);
    }
    /* The columnar path too, on a projection of the first column. */
    if (pq_file_num_columns(f) > 0) {
        const char *col = pq_file_column(f, 0)->path;
        r = pq_reader_open(f, &col, 1, &err);
        if (r) {
            while (pq_reader_next_row_group(r, &err) > 0)
                (void)pq_reader_column_data(r, 0);
            pq_reader_close(r);
        }
    }
    /* Every column a page at a time (the checkpoint path). */
    r = pq_reader_open(f, NULL, 0, &err);
    if (r) {
        int groups = 0;
        while (groups++ < 64 && pq_reader_next_row_group_paged(r, &err) > 0) {
            for (size_t i = 0; i < pq_reader_num_columns(r); i++) {
                int pages = 0;
                while (pages++ < 10000 && pq_reader_next_page(r, i, &err) > 0) {
                    const pq_column_data *d = pq_reader_column_data(r, i);
                    /* touch the last entry so a wrong count shows under ASan */
                    if (d->num_levels > 0 && d->def)
                        (void)*(volatile const uint8_t *)&d->def[d->num_levels - 1];
                }
            }
        }
        pq_reader_close(r);
    }
    pq_file_close(f);
    return 0;
}
