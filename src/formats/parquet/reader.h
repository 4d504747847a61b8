/* reader.h - the projected reader's state, shared by reader.c and assemble.c (internal). */
#ifndef OS_FORMATS_PARQUET_READER_H
#define OS_FORMATS_PARQUET_READER_H

#include "formats/parquet/column.h"

typedef enum plan_kind { PLAN_PRIM, PLAN_STRUCT, PLAN_LIST, PLAN_MAP } plan_kind;

/* The projected schema compiled for record assembly. */
typedef struct pq_plan pq_plan;
struct pq_plan {
    plan_kind kind;
    const pq_node *node;     /* node the values of this plan are instances of */
    bool nullable;
    int null_def;            /* null when the definition level is below this */
    int col;                 /* PRIM: projected column index */
    pq_plan **fields;        /* STRUCT */
    size_t nfields;
    int rep_def, rep_rep;    /* LIST/MAP: levels of the repeated node */
    int slot_rep;            /* repetition level a value of this plan starts at: entries
                                right after a null or empty one whose level is deeper
                                belong to it (see skip_padding in assemble.c) */
    pq_plan *elem;           /* LIST */
    pq_plan *key, *val;      /* MAP (val may be NULL) */
    int first_col;           /* a column under this plan, read to decide nulls and lengths */
    int *cols;               /* every projected column under this plan */
    size_t ncols;
};

/* Where record assembly stands in one column of the loaded row group. */
typedef struct pq_cursor {
    const uint8_t *def, *rep;  /* NULL when the level is always the maximum / 0 */
    const uint8_t *values;
    size_t nlev, nval;
    size_t lpos, vpos;         /* next level entry, next value */
    int max_def;
    pq_physical_type phys;
    size_t vsize;              /* bytes per value */
} pq_cursor;

/* A bump allocator that keeps its blocks across resets (one row at a time). */
typedef struct row_mem {
    uint8_t **blocks;
    size_t nblocks, cur, used;
} row_mem;

struct pq_reader {
    pq_file *f;
    os_arena plan_arena;     /* plans, column list */
    pq_plan *plan;           /* root STRUCT plan (may have no fields) */
    pq_column *cols;         /* projected leaves in schema order */
    const pq_node **leaves;
    size_t ncols;
    long rg;                 /* loaded row group, -1 before the first */
    int64_t rg_rows, row;    /* rows in it, rows returned from it */
    pq_cursor *cur;          /* per column assembly cursors */
    row_mem mem;             /* current row's tree */
    os_arena *into;          /* pq_reader_next_into's arena, else NULL */
    bool skip_all_null;      /* pq_reader_skip_all_null was asked for */
    unsigned threads;        /* pq_reader_set_threads: decoders of a paged group's first pages */
    pq_value root;
};

/* assemble.c: compiles r->plan from the file schema and the selected leaves
 * (selected[leaf_index]).  0 or -1 with err. */
int pq_plan_build(pq_reader *r, const bool *selected, os_err *err);
/* Points the cursors at the loaded row group's columns. */
void pq_assemble_reset(pq_reader *r);
/* Builds the next record of the loaded row group into r->root.  0 or -1 with err. */
int pq_assemble_row(pq_reader *r, os_err *err);
void pq_row_mem_reset(row_mem *m);
void pq_row_mem_free(row_mem *m);

#endif
