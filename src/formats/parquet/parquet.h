/* parquet.h - the Parquet reader: footer, schema, projection, row-group streaming of nested records.
 *
 * Who calls this: the Delta engine (checkpoints), the sharing layer (Parquet
 * datasets, footers for schemas), the `inspect parquet` command.  Nothing here
 * knows about HTTP or Delta.  Every input is treated as hostile: a malformed
 * file gives an os_err naming the file and the problem, never a crash, and
 * memory is bounded by one row group's projected columns (see pq_options).
 *
 * Typical use:
 *     pq_source src;  pq_file *f;  pq_reader *r;  const pq_value *row;
 *     pq_source_open_file(&src, path, &err);
 *     f = pq_file_open(&src, NULL, &err);                 // parses the footer
 *     const char *cols[] = {"add.path", "add.partitionValues"};
 *     r = pq_reader_open(f, cols, 2, &err);               // NULL cols = all
 *     while ((rc = pq_reader_next(r, &row, &err)) > 0) { ... row->u.strct ... }
 *     pq_reader_close(r); pq_file_close(f); pq_source_close(&src);
 */
#ifndef OS_FORMATS_PARQUET_H
#define OS_FORMATS_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"

/* ---------------------------------------------------------------- sources */

/* A random-access byte source.  read_at must fill exactly len bytes at offset
 * or return -1 with err set; it is never asked for bytes past `size`.  `name`
 * (may be NULL) is used in error messages.  The source must outlive every
 * pq_file opened on it. */
typedef struct pq_source {
    void *ctx;
    uint64_t size;
    const char *name;
    int (*read_at)(void *ctx, uint64_t offset, size_t len, void *dst, os_err *err);
    void (*close)(void *ctx); /* may be NULL */
} pq_source;

/* Opens path for pread.  Returns 0, or -1 with err (OS_ENOTFOUND, OS_EIO)
 * naming the path.  Release with pq_source_close. */
int pq_source_open_file(pq_source *src, const char *path, os_err *err);
/* A source over caller-owned memory (which must outlive the source); name may
 * be NULL.  Never fails. */
void pq_source_init_mem(pq_source *src, const void *data, size_t len, const char *name);
/* Releases what the source holds (closes the fd).  Safe on a zeroed source. */
void pq_source_close(pq_source *src);

/* ---------------------------------------------------------------- types */

typedef enum pq_physical_type {
    PQ_BOOLEAN = 0,
    PQ_INT32 = 1,
    PQ_INT64 = 2,
    PQ_INT96 = 3,
    PQ_FLOAT = 4,
    PQ_DOUBLE = 5,
    PQ_BYTE_ARRAY = 6,
    PQ_FIXED_LEN_BYTE_ARRAY = 7,
    PQ_GROUP = -1 /* schema nodes that are not leaves */
} pq_physical_type;

typedef enum pq_repetition {
    PQ_REQUIRED = 0,
    PQ_OPTIONAL = 1,
    PQ_REPEATED = 2
} pq_repetition;

/* The logical type of a node, unified from LogicalType and the legacy
 * ConvertedType (LogicalType wins when both are present). */
typedef enum pq_logical_kind {
    PQ_LT_NONE = 0,
    PQ_LT_STRING,    /* STRING / UTF8 */
    PQ_LT_ENUM,
    PQ_LT_JSON,
    PQ_LT_BSON,
    PQ_LT_UUID,      /* FIXED_LEN_BYTE_ARRAY(16) */
    PQ_LT_DECIMAL,   /* precision, scale */
    PQ_LT_DATE,      /* INT32 days since 1970-01-01 */
    PQ_LT_TIME,      /* unit, utc_adjusted */
    PQ_LT_TIMESTAMP, /* unit, utc_adjusted */
    PQ_LT_INTEGER,   /* bit_width, is_signed */
    PQ_LT_FLOAT16,
    PQ_LT_INTERVAL,  /* FIXED_LEN_BYTE_ARRAY(12) */
    PQ_LT_NULL,      /* UNKNOWN: always null */
    PQ_LT_LIST,
    PQ_LT_MAP,
    PQ_LT_VARIANT,
    PQ_LT_GEOMETRY,
    PQ_LT_GEOGRAPHY,
    PQ_LT_INT96_TIMESTAMP /* set on every INT96 leaf: legacy Julian-day timestamp */
} pq_logical_kind;

typedef enum pq_time_unit {
    PQ_MILLIS = 0,
    PQ_MICROS = 1,
    PQ_NANOS = 2
} pq_time_unit;

typedef struct pq_logical_type {
    pq_logical_kind kind;
    int32_t precision, scale;   /* DECIMAL */
    pq_time_unit unit;          /* TIME, TIMESTAMP */
    bool utc_adjusted;          /* TIME, TIMESTAMP */
    int bit_width;              /* INTEGER: 8, 16, 32, 64 */
    bool is_signed;             /* INTEGER */
} pq_logical_type;

/* How a schema node appears in records. */
typedef enum pq_node_kind {
    PQ_NODE_PRIMITIVE = 0, /* a leaf column */
    PQ_NODE_STRUCT,        /* a group: named fields */
    PQ_NODE_LIST,          /* LIST-annotated group (3-level or legacy 2-level) */
    PQ_NODE_MAP            /* MAP / MAP_KEY_VALUE-annotated group */
} pq_node_kind;

/* A schema node.  Owned by the pq_file; valid until pq_file_close.
 * A REPEATED node that is not the middle level of a LIST/MAP reads as a list
 * whose items are that node's values. */
typedef struct pq_node pq_node;
struct pq_node {
    const char *name;
    const char *path;           /* dotted path from the root's children, e.g. "add.path" */
    pq_node_kind kind;
    pq_repetition repetition;
    pq_physical_type physical;  /* PQ_GROUP for groups */
    int32_t type_length;        /* FIXED_LEN_BYTE_ARRAY */
    pq_logical_type logical;
    int32_t converted_type;     /* raw legacy ConvertedType, -1 when absent */
    int32_t field_id;           /* -1 when absent */
    int16_t max_def, max_rep;   /* definition / repetition levels of this node */
    int leaf_index;             /* column index for leaves, -1 for groups */
    const pq_node *parent;      /* NULL for the root */
    pq_node **children;
    size_t num_children;
    /* LIST: the element node; MAP: key and value nodes (value may be NULL). */
    const pq_node *element, *key, *value;
};

/* ---------------------------------------------------------------- file */

typedef struct pq_file pq_file;

/* Resource limits for hostile input.  Zero fields take the defaults. */
typedef struct pq_options {
    uint64_t max_footer_bytes;    /* default 64 MiB */
    uint64_t max_chunk_bytes;     /* decoded bytes per column chunk, default 2 GiB */
    uint64_t max_page_bytes;      /* uncompressed bytes per page, default 1 GiB */
    int max_depth;                /* schema nesting, default and maximum 64 */
} pq_options;

/* Reads and checks the magic and footer of src, decodes FileMetaData and builds
 * the schema tree.  opts may be NULL.  Returns a handle (free with
 * pq_file_close) or NULL with err (OS_ECORRUPT, OS_EUNSUPPORTED, OS_ELIMIT,
 * OS_EIO, OS_ENOMEM) whose message names the source. */
pq_file *pq_file_open(const pq_source *src, const pq_options *opts, os_err *err);
/* Frees the handle and everything it owns.  NULL is a no-op. */
void pq_file_close(pq_file *f);

/* The root of the schema (a STRUCT whose children are the top-level columns). */
const pq_node *pq_file_schema(const pq_file *f);
/* Number of leaf columns and the i-th leaf (NULL when out of range). */
size_t pq_file_num_columns(const pq_file *f);
const pq_node *pq_file_column(const pq_file *f, size_t i);
/* Finds a node by dotted path ("add.deletionVector.storageType"); NULL when absent. */
const pq_node *pq_file_find(const pq_file *f, const char *dotted_path);
/* Rows in the file (as the footer says), row groups, rows of group rg (-1 when out of range). */
int64_t pq_file_num_rows(const pq_file *f);
size_t pq_file_num_row_groups(const pq_file *f);
int64_t pq_file_row_group_num_rows(const pq_file *f, size_t rg);
/* `created_by` or NULL; the format version. */
const char *pq_file_created_by(const pq_file *f);
int32_t pq_file_version(const pq_file *f);
/* Key-value metadata: count, and the i-th pair (value may be NULL). */
size_t pq_file_num_kv(const pq_file *f);
int pq_file_kv(const pq_file *f, size_t i, const char **key, const char **value);
/* The source name used in error messages. */
const char *pq_file_name(const pq_file *f);

/* Column chunk metadata of leaf `col` in row group `rg`.  Byte fields point
 * into the pq_file and are valid until pq_file_close. */
typedef struct pq_stats {
    bool has_min, has_max, has_null_count, has_distinct_count;
    const uint8_t *min, *max;   /* plain-encoded; min_value/max_value, else legacy min/max */
    uint32_t min_len, max_len;
    bool legacy_min_max;        /* true when taken from the deprecated min/max fields */
    int64_t null_count, distinct_count;
} pq_stats;

typedef struct pq_chunk_info {
    int32_t codec;              /* 0 UNCOMPRESSED, 1 SNAPPY, 2 GZIP, 6 ZSTD, 7 LZ4_RAW, ... */
    int64_t num_values;
    int64_t total_compressed_size, total_uncompressed_size;
    int64_t data_page_offset, dictionary_page_offset; /* -1 when absent */
    pq_stats stats;
} pq_chunk_info;

/* Returns 0 and fills *out, or -1 with err (OS_EINVAL) for bad indexes. */
int pq_file_chunk_info(const pq_file *f, size_t rg, size_t col, pq_chunk_info *out, os_err *err);

/* ---------------------------------------------------------------- values */

typedef enum pq_value_kind {
    PQ_VAL_NULL = 0,
    PQ_VAL_BOOL,
    PQ_VAL_INT32,
    PQ_VAL_INT64,
    PQ_VAL_FLOAT,
    PQ_VAL_DOUBLE,
    PQ_VAL_BYTES,   /* BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY, INT96 (12 bytes) */
    PQ_VAL_STRUCT,
    PQ_VAL_LIST,
    PQ_VAL_MAP
} pq_value_kind;

typedef struct pq_bytes {
    const uint8_t *ptr;
    uint32_t len;
} pq_bytes;

/* A node of a record's value tree.  `node` is the schema node the value is an
 * instance of: for a struct field, node->name is the field name; for a
 * primitive, node->logical says how to interpret it (string, decimal, ...).
 * A struct holds only its projected fields, in schema order; a null field is a
 * value of kind PQ_VAL_NULL with its node set. */
typedef struct pq_value pq_value;
struct pq_value {
    pq_value_kind kind;
    const pq_node *node;
    union {
        bool b;
        int32_t i32;
        int64_t i64;
        float f;
        double d;
        pq_bytes bytes;
        struct { pq_value *fields; uint32_t n; } strct;
        struct { pq_value *items; uint32_t n; } list;
        struct { pq_value *keys; pq_value *values; uint32_t n; } map;
    } u;
};

/* ---------------------------------------------------------------- reader */

typedef struct pq_reader pq_reader;

/* A projected reader over f.  `columns` are dotted paths (a group selects all
 * of its leaves; a path inside a MAP also selects the map's keys); NULL or
 * ncolumns == 0 reads every column.  Returns NULL with err (OS_EINVAL naming
 * an unknown column, OS_ENOMEM).  f must outlive the reader. */
pq_reader *pq_reader_open(pq_file *f, const char *const *columns, size_t ncolumns, os_err *err);
/* Frees the reader and all row-group memory.  NULL is a no-op. */
void pq_reader_close(pq_reader *r);

/* The projected schema root: a STRUCT value's fields follow the root's
 * projected children.  Number of projected leaves and the i-th one. */
size_t pq_reader_num_columns(const pq_reader *r);
const pq_node *pq_reader_column(const pq_reader *r, size_t i);

/* Next record.  Returns 1 and sets *row to a PQ_VAL_STRUCT whose fields are
 * the projected top-level columns; 0 at the end; -1 with err (the message
 * names the file, row group and column).  The tree lives until the next call
 * (or pq_reader_close); byte values point into row-group buffers that live
 * until the reader moves to the next row group. */
int pq_reader_next(pq_reader *r, const pq_value **row, os_err *err);
/* Like pq_reader_next, but the tree and every byte value are copied into
 * `arena`, so they live as long as the arena. */
int pq_reader_next_into(pq_reader *r, os_arena *arena, const pq_value **row, os_err *err);

/* From now on, row groups whose column statistics say every projected leaf
 * is null in every row are not read at all (both iteration styles).  For
 * callers to whom a record of nothing but nulls means nothing, such as
 * sparse columns looked for in a few rows.  Statistics are trusted: a file
 * whose null counts lie loses those rows. */
void pq_reader_skip_all_null(pq_reader *r);

/* Columnar access (the fast path).  pq_reader_next_row_group loads the next
 * row group's projected columns: returns 1, 0 at the end, -1 with err.
 * After it, pq_reader_column_data gives leaf i's decoded data, valid until the
 * next row group is loaded.  Row iteration and this path can be mixed only at
 * row-group boundaries: pq_reader_next continues with the loaded group. */
typedef struct pq_column_data {
    const pq_node *leaf;
    size_t num_levels;        /* level entries (values + nulls + empty lists) */
    const uint8_t *def;       /* NULL when leaf->max_def == 0 (all defined) */
    const uint8_t *rep;       /* NULL when leaf->max_rep == 0 */
    size_t num_values;        /* non-null values, densely packed: */
    const void *values;       /* BOOLEAN: uint8_t; INT32: int32_t; INT64: int64_t;
                                 FLOAT: float; DOUBLE: double;
                                 BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY / INT96: pq_bytes */
} pq_column_data;

int pq_reader_next_row_group(pq_reader *r, os_err *err);
const pq_column_data *pq_reader_column_data(const pq_reader *r, size_t i);
/* Page-at-a-time columnar access, for row groups too big to decode whole:
 * pq_reader_next_row_group_paged loads the next row group's compressed
 * chunks only (1, 0 at the end, -1 with err).  Each pq_reader_next_page(r, i)
 * then decodes column i's next data page into pq_reader_column_data(r, i):
 * 1, 0 when the column's declared values are all handed out, -1 with err.
 * A page's data is valid until the next page of that column or the next row
 * group.  Memory: the compressed chunks plus one decoded page per column.
 * Pages need not start at a record (data page v1), so a record of a repeated
 * column may continue on the next page.  Nothing checks that each column
 * holds rg_rows records: the caller sees it as levels ending early or left
 * over.  pq_reader_next after a paged group goes on with the next group. */
int pq_reader_next_row_group_paged(pq_reader *r, os_err *err);
/* Lets pq_reader_next_row_group_paged decode the first page of every column
 * with n threads (the caller's among them; 0 or 1: none, at most 16) before
 * it returns.  The source's read_at is then called from several threads at
 * once, so it must allow that (file and memory sources do).  Errors surface
 * from the pq_reader_next_page call that would have met them. */
void pq_reader_set_threads(pq_reader *r, unsigned n);
int pq_reader_next_page(pq_reader *r, size_t i, os_err *err);
/* Rows in the loaded row group, and its index (-1 before the first). */
int64_t pq_reader_row_group_rows(const pq_reader *r);
long pq_reader_row_group_index(const pq_reader *r);

/* ---------------------------------------------------------------- helpers */

/* Names for printing: "INT32", "OPTIONAL", "DECIMAL"... */
const char *pq_physical_name(pq_physical_type t);
const char *pq_repetition_name(pq_repetition r);
const char *pq_logical_name(pq_logical_kind k);
const char *pq_codec_name(int32_t codec);

/* Looks up a struct field by name; NULL when not projected or absent. */
const pq_value *pq_value_field(const pq_value *v, const char *name);

/* Appends v as JSON to out, by the rules of docs/inspect-parquet.md: structs
 * and string-keyed maps as objects, other maps as [{"key":..,"value":..}],
 * exact 64-bit integers, decimals as exact strings, dates "YYYY-MM-DD",
 * timestamps ISO-8601 (with "Z" when UTC-adjusted), binary as base64, NaN and
 * infinities as the strings "NaN", "Infinity", "-Infinity".  Returns 0, or -1
 * with err (OS_ENOMEM; OS_EUNSUPPORTED for a decimal wider than 128 bytes). */
int pq_value_to_json(const pq_value *v, os_buf *out, os_err *err);
/* Appends s as a JSON string literal; invalid UTF-8 bytes become U+FFFD.
 * Returns 0 or -1 (out of memory). */
int pq_json_string(os_buf *out, const uint8_t *s, size_t n);

#endif
