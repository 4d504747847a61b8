/* column.h - one projected leaf column of one row group, decoded into level and value arrays (internal). */
#ifndef OS_FORMATS_PARQUET_COLUMN_H
#define OS_FORMATS_PARQUET_COLUMN_H

#include "formats/parquet/decode.h"

/* A column chunk is decoded either whole (every page into one set of arrays)
 * or page by page: the arrays hold one data page's levels, and the page is
 * handed out in batches of at most PQ_BATCH level entries whose values are
 * decoded batch by batch when the encoding allows (PLAIN, dictionary), so a
 * writer that puts a whole chunk in one page costs one page of bytes, not a
 * 16-byte pq_bytes per value of it.  The dictionary stays for the chunk;
 * each page's buffers go with the next page. */
#define PQ_BATCH 8192
typedef struct pq_column {
    pq_column_data data;      /* the public view: the whole chunk, or the current page */
    const pq_node *leaf;
    uint8_t *def, *rep;       /* malloc'd, capacity lev_cap */
    uint8_t *values;          /* malloc'd, val_cap * value size */
    size_t lev_cap, val_cap;
    size_t limit;             /* level entries the chunk declares; decoding never passes it */
    size_t before;            /* level entries of pages already handed out (paged) */
    size_t nlevels, nvalues;  /* filled so far in the arrays */
    void *dict;               /* dictionary values (in blocks) */
    size_t dict_n;
    bool has_dict;
    pq_scratch scratch;       /* pages nothing points into */
    pq_scratch idx;           /* a page's dictionary indexes (uint32_t) */
    pq_blocks blocks;         /* dictionary and (whole mode) page buffers */
    pq_blocks page_blocks;    /* paged mode: other buffers the current page's values point into */
    pq_scratch page_buf;      /* paged mode: the current data page, decompressed; reused
                                 from page to page and row group to row group */
    bool paged;
    uint8_t *chunk;           /* the raw chunk (malloc'd), read at the first page, freed
                                 once every page is decoded unless values point into it */
    bool chunk_pinned;        /* an uncompressed page's values point into chunk */
    uint64_t chunk_off;       /* where the chunk starts in the file */
    size_t chunk_len, pos;    /* its size, and where the next page header starts */
    int page;                 /* index of the next page, for messages */
    int32_t codec;
    size_t rg;
    bool pre_ready;           /* paged: the next page was decoded ahead (pq_reader threads), */
    int pre_rc;               /* with this result */
    os_err pre_err;           /* and this error when pre_rc < 0; */
    pq_column_data pre_data;  /* its view, kept out of data until it is asked for */
    /* paged mode: the current page and how much of it is handed out */
    size_t pg_pos;            /* level entries handed out */
    size_t pg_vals;           /* values handed out */
    int pg_lazy;              /* 0: values decoded whole into values; PQ_LAZY_PLAIN: a
                                 PLAIN stream at pg_p; PQ_LAZY_DICT: indexes in idx */
    const uint8_t *pg_p;      /* PLAIN: the values' bytes (page buffer, scratch or chunk) */
    size_t pg_len, pg_off;    /* their size, and how far they are decoded */
    pq_scratch bvals;         /* a lazy batch's values */
    uint64_t budget;          /* bytes this chunk may still allocate */
    uint64_t budget_kept;     /* paged: budget left after what lives for the whole chunk */
} pq_column;

/* Reads leaf `leaf` of row group rg.  Whole mode (paged false) decodes every
 * page; paged mode only reads the compressed chunk, and pq_column_next_page
 * then decodes it a data page at a time.  Returns 0, or -1 with err naming
 * the file, row group, column and page.  Frees the previous row group's data
 * first; c must be zeroed before the first call. */
int pq_column_load(pq_column *c, pq_file *f, size_t rg, const pq_node *leaf, bool paged, os_err *err);
/* Paged mode: hands out the next batch of the current data page in c->data,
 * decoding the next page when this one is used up (dictionary and index pages
 * are consumed on the way).  Returns 1, 0 when the chunk's declared values
 * are all handed out, or -1 with err (a chunk that ends early is corrupt).
 * The previous batch's data is invalid afterwards. */
int pq_column_next_page(pq_column *c, pq_file *f, os_err *err);
/* Frees everything c holds; c is then zeroed. */
void pq_column_free(pq_column *c);

/* page.c: decodes one page whose header starts at p (len bytes left in the
 * chunk).  *consumed receives header + body size.  0 or -1 with err. */
int pq_page_decode(pq_column *c, pq_file *f, int32_t codec, const uint8_t *p, size_t len,
                   size_t *consumed, os_err *err);
enum { PQ_LAZY_PLAIN = 1, PQ_LAZY_DICT = 2 };

/* Make room for n level entries (def and rep), or n values, in c's arrays.
 * 0, or -1 with err (OS_ENOMEM). */
int pq_column_reserve_levels(pq_column *c, size_t n, os_err *err);
int pq_column_reserve_values(pq_column *c, size_t n, os_err *err);

#endif
