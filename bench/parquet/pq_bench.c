/* pq_bench.c - times the parquet reader decoding projected columns of a file (columnar or as records). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/parquet/parquet.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A checksum over what was decoded, so the work cannot be skipped. */
static uint64_t sum_value(const pq_value *v)
{
    uint64_t h = (uint64_t)v->kind;
    switch (v->kind) {
    case PQ_VAL_BOOL: return h + v->u.b;
    case PQ_VAL_INT32: return h + (uint64_t)v->u.i32;
    case PQ_VAL_INT64: return h + (uint64_t)v->u.i64;
    case PQ_VAL_FLOAT: case PQ_VAL_DOUBLE: return h + 1;
    case PQ_VAL_BYTES: return h + v->u.bytes.len + (v->u.bytes.len ? v->u.bytes.ptr[0] : 0);
    case PQ_VAL_STRUCT:
        for (uint32_t i = 0; i < v->u.strct.n; i++) h += sum_value(&v->u.strct.fields[i]);
        return h;
    case PQ_VAL_LIST:
        for (uint32_t i = 0; i < v->u.list.n; i++) h += sum_value(&v->u.list.items[i]);
        return h;
    case PQ_VAL_MAP:
        for (uint32_t i = 0; i < v->u.map.n; i++) h += sum_value(&v->u.map.keys[i]) + sum_value(&v->u.map.values[i]);
        return h;
    default: return h;
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: pq_bench columns|pages|rows FILE COL[,COL...] [REPEAT]\n");
        return 2;
    }
    int rows_mode = !strcmp(argv[1], "rows"), pages_mode = !strcmp(argv[1], "pages");
    int repeat = argc > 4 ? atoi(argv[4]) : 3;
    char *spec = strdup(argv[3]);
    const char *cols[256];
    size_t ncols = 0;
    for (char *t = strtok(spec, ","); t && ncols < 256; t = strtok(NULL, ","))
        cols[ncols++] = t;
    double best = 1e30;
    uint64_t check = 0, nrows = 0;
    for (int r = 0; r < repeat; r++) {
        double t0 = now();
        os_err err = {0};
        pq_source src;
        if (pq_source_open_file(&src, argv[2], &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
        pq_file *f = pq_file_open(&src, NULL, &err);
        if (!f) { fprintf(stderr, "%s\n", err.msg); return 1; }
        pq_reader *rd = pq_reader_open(f, cols, ncols, &err);
        if (!rd) { fprintf(stderr, "%s\n", err.msg); return 1; }
        check = nrows = 0;
        int rc;
        if (rows_mode) {
            const pq_value *row;
            while ((rc = pq_reader_next(rd, &row, &err)) > 0) {
                check += sum_value(row);
                nrows++;
            }
        } else if (pages_mode) {
            /* page by page, batch by batch, on this thread alone (as the checkpoint reader
             * does, without its decoder threads) */
            while ((rc = pq_reader_next_row_group_paged(rd, &err)) > 0) {
                nrows += (uint64_t)pq_reader_row_group_rows(rd);
                for (size_t i = 0; i < pq_reader_num_columns(rd) && rc > 0; i++) {
                    int pr;
                    while ((pr = pq_reader_next_page(rd, i, &err)) > 0) {
                        const pq_column_data *d = pq_reader_column_data(rd, i);
                        check += d->num_levels + d->num_values;
                    }
                    if (pr < 0)
                        rc = -1;
                }
            }
        } else {
            while ((rc = pq_reader_next_row_group(rd, &err)) > 0) {
                nrows += (uint64_t)pq_reader_row_group_rows(rd);
                for (size_t i = 0; i < pq_reader_num_columns(rd); i++) {
                    const pq_column_data *d = pq_reader_column_data(rd, i);
                    check += d->num_levels + d->num_values;
                }
            }
        }
        if (rc < 0) { fprintf(stderr, "%s\n", err.msg); return 1; }
        pq_reader_close(rd);
        pq_file_close(f);
        pq_source_close(&src);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("{\"mode\":\"%s\",\"rows\":%" PRIu64 ",\"seconds\":%.4f,\"check\":%" PRIu64 "}\n", argv[1], nrows, best, check);
    free(spec);
    return 0;
}
