/* internal.h - structures shared by the files of the parquet module; not for other modules. */
#ifndef OS_FORMATS_PARQUET_INTERNAL_H
#define OS_FORMATS_PARQUET_INTERNAL_H

#include "formats/parquet/parquet.h"

/* Page types, encodings and codecs as numbered in parquet.thrift. */
enum { PQ_PAGE_DATA = 0, PQ_PAGE_INDEX = 1, PQ_PAGE_DICT = 2, PQ_PAGE_DATA_V2 = 3 };
enum {
    PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICTIONARY = 2, PQ_ENC_RLE = 3, PQ_ENC_BIT_PACKED = 4,
    PQ_ENC_DELTA_BINARY_PACKED = 5, PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
    PQ_ENC_DELTA_BYTE_ARRAY = 7, PQ_ENC_RLE_DICTIONARY = 8, PQ_ENC_BYTE_STREAM_SPLIT = 9
};
enum {
    PQ_CODEC_UNCOMPRESSED = 0, PQ_CODEC_SNAPPY = 1, PQ_CODEC_GZIP = 2, PQ_CODEC_LZO = 3,
    PQ_CODEC_BROTLI = 4, PQ_CODEC_LZ4 = 5, PQ_CODEC_ZSTD = 6, PQ_CODEC_LZ4_RAW = 7
};

/* One SchemaElement as decoded from the footer. */
typedef struct pq_schema_elem {
    const char *name;
    int32_t type;            /* -1 when absent (a group) */
    int32_t type_length;
    int32_t repetition;      /* -1 when absent (root) */
    int32_t num_children;    /* -1 when absent */
    int32_t converted_type;  /* -1 when absent */
    int32_t scale, precision, field_id;
    bool has_logical;
    pq_logical_type logical;
} pq_schema_elem;

typedef struct pq_col_meta {
    int32_t type;
    int32_t codec;
    int64_t num_values;
    int64_t total_compressed_size, total_uncompressed_size;
    int64_t data_page_offset, dictionary_page_offset;
    pq_stats stats;
    bool has_meta;
} pq_col_meta;

typedef struct pq_row_group {
    int64_t num_rows;
    pq_col_meta *cols;
    size_t ncols;
} pq_row_group;

struct pq_file {
    const pq_source *src;
    const char *name;
    pq_options opts;
    os_arena arena;          /* everything below lives here */
    uint64_t footer_budget;  /* bytes the footer's lists may still allocate while decoding */
    uint8_t *footer;         /* raw FileMetaData bytes; stats point into it */
    int32_t version;
    int64_t num_rows;
    const char *created_by;
    pq_schema_elem *elems;
    size_t nelems;
    pq_row_group *rgs;
    size_t nrgs;
    const char **kv_keys, **kv_values;
    size_t nkv;
    pq_node *root;
    pq_node **leaves;
    size_t nleaves;
};

/* footer.c: decodes FileMetaData bytes into f (elems, rgs, kv...).  Returns 0
 * or -1 with err naming f->name. */
int pq_footer_decode(pq_file *f, const uint8_t *data, size_t len, os_err *err);
/* schema.c: builds f->root and f->leaves from f->elems.  0 or -1 with err. */
int pq_schema_build(pq_file *f, os_err *err);
/* Decodes a Statistics struct (the thrift cursor is at its value). */
struct pq_thrift;
int pq_stats_decode(struct pq_thrift *t, int type, pq_stats *st);

#endif
