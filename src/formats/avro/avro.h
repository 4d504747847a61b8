/* avro.h - a reader of Avro object container files (Iceberg manifest lists and manifests), block by block.
 *
 * Who calls this: src/formats/iceberg (manifest lists, manifests) and
 * `opensharing inspect avro`.  Nothing here knows about Iceberg or HTTP.
 *
 * Every file is hostile: the header, the writer schema (JSON), block counts and
 * sizes, varints, string lengths, union branches, enum indexes and nesting are
 * all checked; errors come back as os_err values (OS_ECORRUPT, OS_ELIMIT,
 * OS_EUNSUPPORTED for an unknown codec) whose message starts with `where`.
 *
 * Memory: the caller hands the whole file's bytes (manifests are bounded by the
 * caller's size limit); the reader decompresses one block at a time and
 * decodes one record at a time into an arena the caller resets, so memory
 * grows with one block and one record, never with the number of records.
 *
 * Typical use:
 *     avro_file *f = avro_file_open(bytes, len, "metadata/snap-1.avro", NULL, &err);
 *     int i_path = avro_schema_field_index(avro_file_schema(f), "manifest_path");
 *     os_arena a = OS_ARENA_INIT;
 *     const avro_value *rec;
 *     while ((rc = avro_file_next(f, &a, &rec, &err)) == 1) {
 *         const avro_value *p = avro_record_field(rec, i_path);   // NULL if null
 *         ...; os_arena_free(&a);
 *     }
 *     avro_file_close(f);
 */
#ifndef OS_FORMATS_AVRO_H
#define OS_FORMATS_AVRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"

typedef enum avro_type {
    AVRO_NULL = 0,
    AVRO_BOOLEAN,
    AVRO_INT,
    AVRO_LONG,
    AVRO_FLOAT,
    AVRO_DOUBLE,
    AVRO_BYTES,
    AVRO_STRING,
    AVRO_RECORD,
    AVRO_ENUM,
    AVRO_ARRAY,
    AVRO_MAP,
    AVRO_UNION,
    AVRO_FIXED
} avro_type;

typedef struct avro_schema avro_schema;

typedef struct avro_field {
    const char *name;
    const avro_schema *schema;
    int32_t field_id;          /* the "field-id" attribute (Iceberg), or -1 */
} avro_field;

/* A node of a parsed writer schema.  Named types referenced by name point at
 * their one definition (schemas may be recursive).  Owned by the avro_file. */
struct avro_schema {
    avro_type type;
    const char *name;          /* full name of a record, enum or fixed; else NULL */
    const char *logical_type;  /* "logicalType" attribute, or NULL */
    /* RECORD */
    const avro_field *fields;
    size_t n_fields;
    /* ENUM */
    const char *const *symbols;
    size_t n_symbols;
    /* ARRAY items, MAP values */
    const avro_schema *items;
    /* UNION */
    const avro_schema *const *branches;
    size_t n_branches;
    /* FIXED */
    size_t size;
    /* "element-id" (array) / "key-id", "value-id" (map) attributes, or -1 */
    int32_t element_id, key_id, value_id;
};

/* A decoded value.  A union decodes to the value of its chosen branch
 * (`branch` says which; -1 when the schema was not a union), so callers never
 * see AVRO_UNION; a null branch gives type AVRO_NULL. */
typedef struct avro_value {
    avro_type type;
    const avro_schema *schema;  /* the (branch) schema this value was decoded with */
    int32_t branch;
    bool b;                    /* BOOLEAN */
    int64_t l;                 /* INT, LONG; ENUM: the symbol's index */
    double d;                  /* FLOAT, DOUBLE */
    const uint8_t *bytes;      /* BYTES, STRING, FIXED; ENUM: the symbol (NUL-terminated) */
    size_t len;                /* strings are NUL-terminated too (len excludes it) and valid UTF-8 is not checked */
    /* RECORD: n values, one per schema field in order; ARRAY: n items; MAP: n
     * entries, keys[i] (a STRING value) -> items[i]. */
    const struct avro_value *items;
    const struct avro_value *keys;
    size_t n;
} avro_value;

/* Limits on hostile input; zero fields take defaults. */
typedef struct avro_limits {
    size_t max_block_bytes;    /* one block, compressed or not; default 64 MiB */
    size_t max_record_bytes;   /* arena bytes one record may take; default 64 MiB */
    size_t max_depth;          /* schema and value nesting; default 64 */
    size_t max_schema_bytes;   /* the avro.schema metadata; default 4 MiB */
} avro_limits;

typedef struct avro_file avro_file;

/* Opens a container file over data[0..len) (borrowed: it must outlive the
 * reader).  Checks the magic, reads the metadata map, parses avro.schema and
 * knows avro.codec ("null", "deflate", "snappy", "zstandard").  `where` (copied)
 * names the file in messages.  limits may be NULL.  Returns the reader (free
 * with avro_file_close) or NULL with OS_ECORRUPT, OS_EUNSUPPORTED, OS_ELIMIT,
 * OS_ENOMEM. */
avro_file *avro_file_open(const uint8_t *data, size_t len, const char *where,
                          const avro_limits *limits, os_err *err);
void avro_file_close(avro_file *f);

/* The writer schema (the top-level type; a record for Iceberg files). */
const avro_schema *avro_file_schema(const avro_file *f);

/* A metadata value of the header ("schema", "partition-spec", "format-version",
 * ...), NUL-terminated, or NULL when absent; *len (may be NULL) gets its size. */
const char *avro_file_meta(const avro_file *f, const char *key, size_t *len);

/* The header's metadata in file order, for listing it: the number of entries,
 * and entry i's value (NUL-terminated; *key and *len, each may be NULL, get
 * its key and size), or NULL when i is out of range. */
size_t avro_file_meta_count(const avro_file *f);
const char *avro_file_meta_at(const avro_file *f, size_t i, const char **key, size_t *len);

/* Decodes the next record into arena a (which the caller resets between
 * records as it likes).  Returns 1 with *out set, 0 at the end of the file, or
 * -1 with err (corrupt block, bad sync marker, trailing bytes in a block,
 * decompression failure, a limit).  After -1 the reader only returns -1. */
int avro_file_next(avro_file *f, os_arena *a, const avro_value **out, os_err *err);

/* Index of the field called name in a record schema, or -1 (also when s is not
 * a record).  Look indexes up once per file, not per record. */
int avro_schema_field_index(const avro_schema *s, const char *name);

/* Makes avro_file_next read past field i of record schema rec (a node of f's
 * writer schema: every record of that type) without keeping it: the field
 * then decodes as null (avro_record_field gives NULL).  Its bytes are checked
 * exactly as when decoded, and the memory it would have taken counts toward
 * max_record_bytes, so errors and limits are the same; only the time and
 * memory of keeping it are saved.  For readers that use a few fields of wide
 * records.  Returns 0, or -1 when rec is not a record, i is out of range, or
 * out of memory. */
int avro_file_skip_field(avro_file *f, const avro_schema *rec, int i);

/* The value of field i of record rec, or NULL when i < 0, rec is not a record,
 * or the value is null. */
const avro_value *avro_record_field(const avro_value *rec, int i);

/* Appends v to out as JSON (the mapping of docs/inspect-avro.md): records as
 * objects, a union as its branch's value, bytes and fixed as strings whose
 * code points are the byte values, enums as their symbol, maps as objects,
 * NaN and infinities as the strings "NaN", "Infinity", "-Infinity".  Returns
 * 0, or -1 with OS_ENOMEM (out then holds a partial text). */
int avro_value_to_json(const avro_value *v, os_buf *out, os_err *err);

#endif
