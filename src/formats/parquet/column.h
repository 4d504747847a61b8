/* column.h - one projected leaf column of one row group, decoded into level and value arrays (internal). */
#ifndef OS_FORMATS_PARQUET_COLUMN_H
#define OS_FORMATS_PARQUET_COLUMN_H

#include "formats/parquet/decode.h"

typedef struct pq_column {
    pq_column_data data;      /* the public view, filled by pq_column_load */
    const pq_node *leaf;
    uint8_t *def, *rep;       /* malloc'd, capacity cap_levels */
    uint8_t *values;          /* malloc'd, cap_levels * value size */
    size_t cap_levels;
    size_t nlevels, nvalues;  /* filled so far */
    void *dict;               /* dictionary values (in blocks) */
    size_t dict_n;
    bool has_dict;
    uint8_t *scratch;         /* reusable buffer for pages nothing points into */
    size_t scratch_cap;
    uint32_t *idx;            /* reusable dictionary index buffer */
    size_t idx_cap;
    pq_blocks blocks;         /* page buffers values point into; freed per row group */
    const char *where;        /* "file: row group N column X" for messages */
    uint64_t budget;          /* bytes this chunk may still allocate */
} pq_column;

/* Reads and decodes leaf `leaf` of row group rg.  Returns 0, or -1 with err
 * naming the file, row group, column and page.  Frees the previous row
 * group's data first; c must be zeroed before the first call. */
int pq_column_load(pq_column *c, pq_file *f, size_t rg, const pq_node *leaf, os_err *err);
/* Frees everything c holds; c is then zeroed. */
void pq_column_free(pq_column *c);

/* page.c: decodes one page whose header starts at p (len bytes left in the
 * chunk).  *consumed receives header + body size.  0 or -1 with err. */
int pq_page_decode(pq_column *c, pq_file *f, int32_t codec, const uint8_t *p, size_t len,
                   size_t *consumed, os_err *err);

#endif
