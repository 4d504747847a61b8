/* dataset.h - Parquet datasets: which listed files belong, Hive partitions, footers to Delta schema and stats, schema merging.
 *
 * A Parquet dataset is a directory of Parquet files with no transaction log.
 * This module holds the pure rules that turn a listing and the files' footers
 * into what Delta Sharing answers: the data files (every *.parquet below the
 * root, hidden and temporary files left out), the partition columns of
 * Hive-style key=value directories with their inferred or declared types, a
 * Delta schemaString merged from every footer, and per-file Delta statistics.
 * Versions, the inventory and the footer cache live in the catalog; the
 * sharing layer (sharing/table_source_parquet.c) ties them together.
 *
 * Who calls this: the sharing layer and `opensharing inspect dataset`.
 * Nothing here knows about HTTP or the catalog.  Every footer is hostile:
 * errors come back as os_err values naming the file (relative to the table).
 */
#ifndef OS_FORMATS_DATASET_H
#define OS_FORMATS_DATASET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "formats/parquet/parquet.h"
#include "storage/objstore.h"

/* ---------------------------------------------------------------- listing */

/* Whether rel (a key relative to the dataset root) is a data file: it ends
 * in ".parquet" and no segment starts with '_' or '.' (which leaves out
 * _SUCCESS, _temporary/, _delta_log/, .crc files and other hidden files). */
bool ds_is_data_file(const char *rel);

/* One Hive partition of a file: key=value from its directories. */
typedef struct ds_part {
    const char *name;
    const char *value;         /* unescaped; NULL for __HIVE_DEFAULT_PARTITION__ */
} ds_part;

/* Parses the key=value directories of rel into *parts (arena memory), in path
 * order.  Directories without '=' are plain directories and add nothing.
 * Values are unescaped as Hive writes them (%XX), and the default partition
 * name becomes NULL.  Returns the count (>= 0), or -1 with OS_ECORRUPT naming
 * rel for an empty column name, a bad escape, or a column repeated in one
 * path. */
int ds_partitions_parse(const char *rel, os_arena *a, ds_part **parts, os_err *err);

/* The type inferred for a partition column from its values (NULLs are
 * skipped): "integer" when every value is a 32-bit integer, else "long" for
 * 64-bit integers, else "double" for numbers, else "date" for YYYY-MM-DD,
 * else "timestamp" for "YYYY-MM-DD HH:MM:SS[.ffffff]", else "string" (also
 * when every value is NULL).  An accumulator: start with ds_infer_init, feed
 * every value, read ds_infer_type. */
typedef struct ds_infer {
    unsigned possible;         /* bit set of still possible types */
} ds_infer;
void ds_infer_init(ds_infer *in);
void ds_infer_add(ds_infer *in, const char *value);
const char *ds_infer_type(const ds_infer *in);

/* Whether `type` may be declared for a partition column (string, boolean,
 * byte, short, integer, long, float, double, date, timestamp, decimal(p,s)). */
bool ds_partition_type_ok(const char *type);

/* The partition columns of a listing of `paths` (n relative paths of data
 * files), as a JSON array of {"name","type"} in directory order: every file
 * must have the same key=value directories; a column's type is the one in
 * declared_json (a JSON array of {"name","type"}, may be NULL) or the one
 * inferred from its values.  Returns a malloc'd string, or NULL with
 * OS_ECORRUPT naming the two files whose directories disagree, a file whose
 * value does not parse as the declared type, or a declared column that is no
 * directory; OS_EINVAL for a bad declaration. */
char *ds_partition_columns(const char *const *paths, size_t n, const char *declared_json,
                           os_err *err);

/* ---------------------------------------------------------------- footers */

/* The facts the server keeps about one file's footer. */
typedef struct ds_footer_facts {
    int64_t num_rows;
    char digest[65];           /* SHA-256 hex of the footer bytes */
    char *schema_json;         /* the file's columns as a Delta struct type (malloc'd) */
    char *stats_json;          /* Delta stats JSON (malloc'd) */
} ds_footer_facts;

/* Frees the strings of facts (NULL-safe). */
void ds_footer_facts_free(ds_footer_facts *f);

/* The columns of a Parquet file as a Delta struct type (a new jansson
 * object), by the mapping in docs/protocol.md ("Parquet datasets").  `name`
 * is used in messages.  Returns the type, or NULL with OS_EUNSUPPORTED
 * naming the column for a type with no Delta equivalent. */
json_t *ds_schema_of_file(const pq_file *f, const char *name, os_err *err);

/* Delta statistics of a file from its row groups' column statistics:
 * numRecords, and minValues / maxValues / nullCount for the columns outside
 * lists and maps whose every row group has them.  Written into out (reset
 * first).  Returns 0, or -1 with OS_ENOMEM. */
int ds_stats_of_file(const pq_file *f, os_buf *out, os_err *err);

/* Reads the footer of `key` (size bytes) from the store and fills *out.
 * `rel` names the file in messages (relative to the table).  Returns 0, or
 * -1 with OS_ECORRUPT (not Parquet, truncated or bad footer),
 * OS_EUNSUPPORTED, OS_ELIMIT, OS_EIO. */
int ds_footer_read(const objstore *st, const char *key, int64_t size, const char *rel,
                   ds_footer_facts *out, os_err *err);

/* The same from bytes in memory (the whole file, or at least its footer and
 * first 4 bytes when `len` is the file size).  For tests and fuzzing. */
int ds_footer_read_mem(const void *data, size_t len, const char *rel, ds_footer_facts *out,
                       os_err *err);

/* ---------------------------------------------------------------- schemas */

/* Merges the struct type `next` (of file next_file) into `acc` (of the files
 * so far, first seen in acc_file), by column name: a column missing on
 * either side becomes nullable; equal types merge their nullability and
 * nested fields; a type widens as Delta's type widening allows (byte <
 * short < integer < long, float < double, byte/short/integer to double,
 * integers and decimals to a decimal that holds both).  Returns 0, or -1
 * with OS_ECORRUPT naming both files and the column for types that cannot
 * be read as one. */
int ds_schema_merge(json_t *acc, const json_t *next, const char *acc_file, const char *next_file,
                    os_err *err);

/* A partition column and its Delta type. */
typedef struct ds_part_col {
    const char *name;
    const char *type;
} ds_part_col;

/* The schemaString of a dataset: the merged data columns (a struct type)
 * with the partition columns appended as nullable columns (a data column of
 * the same name gives way to the partition column).  *has_ntz tells whether
 * any column is timestamp_ntz.  Returns a malloc'd string or NULL (OS_ENOMEM). */
char *ds_schema_string(const json_t *data, const ds_part_col *parts, size_t nparts, bool *has_ntz,
                       os_err *err);

#endif
