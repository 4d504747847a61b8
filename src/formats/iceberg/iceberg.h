/* iceberg.h - the Iceberg table engine: metadata, snapshots, manifests and data files over an objstore.
 *
 * Who calls this: the sharing layer (Delta Sharing reads of Iceberg tables,
 * the Iceberg REST catalog) and `opensharing inspect iceberg`.  Nothing here
 * knows about HTTP or Delta.
 *
 * Every file is hostile: metadata JSON, manifest lists and manifests (Avro)
 * are checked field by field; errors come back as os_err values whose message
 * names the file (OS_ECORRUPT, OS_EUNSUPPORTED for an unknown format-version or
 * a type this engine does not know, OS_ENOTFOUND for a missing file or
 * snapshot, OS_ELIMIT, OS_EIO).
 *
 * Relocation: manifests hold absolute paths written where the table was
 * created.  A path under the metadata's recorded `location` (its scheme,
 * "file:" forms and a leading "./" set aside) is mapped to the same place
 * under the table root this engine was opened on; any other path is refused
 * with OS_EPERM naming the file.
 *
 * Memory: the metadata is held whole (it is small); manifests are read one
 * at a time and their entries streamed to a callback, so memory never grows
 * with the number of data files.
 *
 * Typical use:
 *     iceberg_table t;
 *     iceberg_table_open(&t, &store, "", NULL, NULL, &err);      // finds the metadata
 *     const iceberg_snapshot *s = iceberg_snapshot_current(&t);  // NULL: empty table
 *     iceberg_scan(&t, s, NULL, on_entry, ctx, &err);            // live data files
 *     iceberg_table_close(&t);
 */
#ifndef OS_FORMATS_ICEBERG_H
#define OS_FORMATS_ICEBERG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "storage/objstore.h"

/* ------------------------------------------------------------------ types */

typedef enum iceberg_kind {
    ICE_BOOLEAN = 1,
    ICE_INT,
    ICE_LONG,
    ICE_FLOAT,
    ICE_DOUBLE,
    ICE_DECIMAL,
    ICE_DATE,
    ICE_TIME,
    ICE_TIMESTAMP,       /* micros, without zone */
    ICE_TIMESTAMPTZ,     /* micros, UTC */
    ICE_TIMESTAMP_NS,
    ICE_TIMESTAMPTZ_NS,
    ICE_STRING,
    ICE_UUID,
    ICE_FIXED,
    ICE_BINARY,
    ICE_UNKNOWN,         /* v3 "unknown": always null */
    ICE_VARIANT,
    ICE_GEOMETRY,
    ICE_GEOGRAPHY,
    ICE_STRUCT,
    ICE_LIST,
    ICE_MAP
} iceberg_kind;

typedef struct iceberg_type iceberg_type;

/* A struct field, a list element or a map key/value. */
typedef struct iceberg_field {
    int32_t id;
    const char *name;              /* "element", "key", "value" for list/map parts */
    bool required;
    const iceberg_type *type;
    const char *doc;               /* may be NULL */
    const char *initial_default;   /* compact JSON, or NULL */
    const char *write_default;     /* compact JSON, or NULL */
} iceberg_field;

struct iceberg_type {
    iceberg_kind kind;
    const char *text;              /* the primitive's name as written ("decimal(9,2)"); NULL for nested */
    int32_t precision, scale;      /* DECIMAL */
    int32_t length;                /* FIXED */
    const iceberg_field *fields;   /* STRUCT */
    size_t n_fields;
    iceberg_field element;         /* LIST */
    iceberg_field key, value;      /* MAP */
};

/* True for kinds that are not struct, list or map. */
bool iceberg_kind_is_primitive(iceberg_kind k);

typedef struct iceberg_schema {
    int32_t schema_id;
    iceberg_type root;             /* a STRUCT */
    const int32_t *identifier_ids;
    size_t n_identifier_ids;
} iceberg_schema;

/* The field with id `id` anywhere in s (nested fields included), or NULL.
 * *path (may be NULL) gets its dotted name path (arena a; NULL a: not set). */
const iceberg_field *iceberg_schema_find(const iceberg_schema *s, int32_t id, os_arena *a,
                                         const char **path);

typedef enum iceberg_transform {
    ICE_T_IDENTITY = 1,
    ICE_T_BUCKET,
    ICE_T_TRUNCATE,
    ICE_T_YEAR,
    ICE_T_MONTH,
    ICE_T_DAY,
    ICE_T_HOUR,
    ICE_T_VOID,
    ICE_T_OTHER          /* a transform this engine does not know: values kept, never used */
} iceberg_transform;

typedef struct iceberg_partition_field {
    int32_t source_id;
    int32_t field_id;
    const char *name;
    iceberg_transform transform;
    int32_t param;                 /* bucket count, truncate width */
    const char *transform_text;    /* as written */
} iceberg_partition_field;

typedef struct iceberg_spec {
    int32_t spec_id;
    const iceberg_partition_field *fields;
    size_t n_fields;
} iceberg_spec;

/* The type of a partition field's values under schema s: the source type for
 * identity/truncate/void, int for bucket/year/month/hour, date for day.
 * Returns NULL when the source column is not in s. */
const iceberg_type *iceberg_partition_type(const iceberg_partition_field *pf, const iceberg_schema *s);

/* ------------------------------------------------------------------ metadata */

typedef struct iceberg_kv {
    const char *key;
    const char *value;
} iceberg_kv;

typedef struct iceberg_snapshot {
    int64_t snapshot_id;
    bool has_parent;
    int64_t parent_id;
    int64_t sequence_number;       /* 0 in format v1 */
    int64_t timestamp_ms;
    const char *manifest_list;     /* NULL in v1 tables that list manifests directly */
    const char *const *manifests;  /* v1 only */
    size_t n_manifests;
    const char *operation;         /* summary.operation, or NULL */
    const iceberg_kv *summary;
    size_t n_summary;
    bool has_schema_id;
    int32_t schema_id;
} iceberg_snapshot;

typedef struct iceberg_ref {
    const char *name;
    int64_t snapshot_id;
    bool is_tag;
} iceberg_ref;

typedef struct iceberg_log_entry {
    int64_t timestamp_ms;
    int64_t snapshot_id;
} iceberg_log_entry;

typedef struct iceberg_metadata {
    const char *key;               /* the metadata file read, relative to the store */
    int format_version;
    const char *table_uuid;
    const char *location;          /* as recorded */
    int64_t last_sequence_number;
    int64_t last_updated_ms;
    int32_t last_column_id;
    const iceberg_schema *schemas;
    size_t n_schemas;
    int32_t current_schema_id;
    const iceberg_spec *specs;
    size_t n_specs;
    int32_t default_spec_id;
    const iceberg_kv *properties;
    size_t n_properties;
    bool has_current_snapshot;
    int64_t current_snapshot_id;
    const iceberg_snapshot *snapshots;
    size_t n_snapshots;
    const iceberg_ref *refs;
    size_t n_refs;
    const iceberg_log_entry *snapshot_log;
    size_t n_snapshot_log;
} iceberg_metadata;

/* Parses metadata JSON text (len bytes; gzip-compressed text is recognised by
 * its magic and inflated) into *out, everything allocated in arena a.  `where`
 * names the file.  Returns 0 or -1: OS_ECORRUPT (not JSON, a required field
 * missing or of the wrong type, a current schema/spec/snapshot id that does
 * not exist), OS_EUNSUPPORTED (format-version other than 1, 2, 3; an unknown
 * type), OS_ELIMIT, OS_ENOMEM. */
int iceberg_metadata_parse(const char *text, size_t len, const char *where, os_arena *a,
                           iceberg_metadata *out, os_err *err);

const char *iceberg_property(const iceberg_metadata *m, const char *key);
const iceberg_schema *iceberg_schema_by_id(const iceberg_metadata *m, int32_t id);
const iceberg_schema *iceberg_current_schema(const iceberg_metadata *m);
const iceberg_spec *iceberg_spec_by_id(const iceberg_metadata *m, int32_t id);
const iceberg_snapshot *iceberg_snapshot_by_id(const iceberg_metadata *m, int64_t id);

/* ------------------------------------------------------------------ table */

typedef struct iceberg_limits {
    size_t max_metadata_bytes;     /* one metadata JSON (inflated); default 64 MiB */
    size_t max_manifest_bytes;     /* one manifest or manifest list; default 256 MiB */
} iceberg_limits;

typedef struct iceberg_table {
    const objstore *store;
    char *root;                    /* "" or "a/b" (no trailing '/') */
    iceberg_limits limits;
    os_arena arena;                /* the metadata's memory */
    iceberg_metadata meta;
    char *loc_norm;                /* recorded location, normalised, with a trailing '/' */
    os_buf text;                   /* the metadata file's JSON text (inflated) */
} iceberg_table;

/* Opens the table at `root` of store: reads metadata_key (relative to root)
 * when given, else the file metadata/version-hint.text names, else the
 * highest-numbered metadata/ *.metadata.json (vN. or NNNNN-uuid., plain or
 * gzip).  The store is borrowed.  Returns 0 or -1: OS_ENOTFOUND (no metadata
 * file), and the errors of iceberg_metadata_parse.  On failure nothing needs
 * closing. */
int iceberg_table_open(iceberg_table *t, const objstore *store, const char *root,
                       const char *metadata_key, const iceberg_limits *limits, os_err *err);
void iceberg_table_close(iceberg_table *t);

/* The metadata file iceberg_table_open would read for the table at `root`
 * (without metadata_key): *key is set to a malloc'd key of the store (caller
 * frees).  Returns 0 or -1 (OS_ENOTFOUND, OS_EIO, OS_ENOMEM).  Metadata files
 * are never rewritten in place, so the key names one immutable version. */
int iceberg_metadata_find(const objstore *store, const char *root, char **key, os_err *err);

/* Maps a path recorded in the table's metadata or manifests to a key of the
 * store (appended to out after a reset).  Returns 0, or -1 with OS_EPERM
 * (outside the table's location; the message names the path). */
int iceberg_path_to_key(const iceberg_table *t, const char *path, os_buf *out, os_err *err);

/* Whether the table's recorded location is base_uri (both normalised as
 * paths are for relocation): false for a copied or moved table. */
bool iceberg_table_at(const iceberg_table *t, const char *base_uri);

/* The metadata JSON as stored, for the Iceberg REST catalog's loadTable,
 * with every path the table records under its location re-rooted at base_uri
 * (the table's location as the provider configured it): "location", manifest
 * lists, v1 manifests, metadata-log files and statistics files.  Paths outside
 * the location are left as written.  With refs_only, snapshots no branch or
 * tag points at are left out (loadTable's snapshots=refs).  Returns a new JSON
 * text (malloc'd, caller frees) or NULL with OS_ECORRUPT / OS_ENOMEM. */
char *iceberg_metadata_json(const iceberg_table *t, const char *base_uri, bool refs_only, os_err *err);

/* The current snapshot (NULL for a table without one). */
const iceberg_snapshot *iceberg_snapshot_current(const iceberg_table *t);
/* The snapshot a branch or tag points at; OS_ENOTFOUND for an unknown ref. */
const iceberg_snapshot *iceberg_snapshot_at_ref(const iceberg_table *t, const char *name, os_err *err);
/* The snapshot of the current branch's history (the current snapshot and its
 * ancestors) that was current at ts_ms: the newest with timestamp <= ts_ms.
 * NULL with OS_EINVAL when ts_ms is before the first one. */
const iceberg_snapshot *iceberg_snapshot_as_of(const iceberg_table *t, int64_t ts_ms, os_err *err);

/* The current snapshot and its ancestors, oldest first, into out[] (arena a).
 * Stops at the first ancestor that has expired.  Returns the count, or -1
 * (OS_ENOMEM, OS_ECORRUPT for a parent cycle). */
long iceberg_ancestry(const iceberg_table *t, const iceberg_snapshot *head, os_arena *a,
                      const iceberg_snapshot ***out, os_err *err);

/* ------------------------------------------------------------------ values */

/* A decoded value of an Iceberg primitive: which member holds it depends on
 * the type (booleans, ints, longs, dates, times, timestamps, decimals that fit
 * in 64 bits: i; floats and doubles: d; strings, binary, fixed, uuid and wide
 * decimals: bytes/len, the decimal as big-endian two's complement). */
typedef struct iceberg_value {
    bool is_null;
    int64_t i;
    double d;
    const uint8_t *bytes;
    size_t len;
} iceberg_value;

/* Decodes Iceberg's single-value binary serialisation (bounds) of type t.
 * Returns 0, or -1 with OS_ECORRUPT (wrong length for the type). */
int iceberg_value_from_binary(const iceberg_type *t, const uint8_t *b, size_t n,
                              iceberg_value *out, os_err *err);

/* Appends v as text: numbers in decimal, booleans true/false, dates
 * yyyy-mm-dd, times HH:MM:SS.ffffff, timestamps "yyyy-mm-dd HH:MM:SS.ffffff"
 * (nanosecond kinds with 9 digits) with a trailing 'Z' for the UTC kinds when
 * iso is true ('T' separator then too), decimals with their scale, strings as
 * they are, uuids in 8-4-4-4-12 form, binary/fixed as lower-case hex.
 * Returns 0, or -1 for a value it cannot print (out of memory, NaN stays
 * "NaN"). */
int iceberg_value_to_text(const iceberg_type *t, const iceberg_value *v, bool iso, os_buf *out);

/* ------------------------------------------------------------------ manifests */

typedef enum iceberg_content {
    ICE_DATA = 0,
    ICE_POSITION_DELETES = 1,
    ICE_EQUALITY_DELETES = 2
} iceberg_content;

/* Column statistics of one field id of one file. */
typedef struct iceberg_col_stats {
    int32_t field_id;
    bool has_value_count, has_null_count, has_nan_count, has_lower, has_upper;
    int64_t value_count, null_count, nan_count;
    const uint8_t *lower, *upper;
    size_t lower_len, upper_len;
} iceberg_col_stats;

/* A manifest entry: a data or delete file and its status in the snapshot
 * that wrote the manifest.  Valid only during the callback. */
typedef struct iceberg_entry {
    int status;                    /* 0 existing, 1 added, 2 deleted */
    int64_t snapshot_id;
    int64_t sequence_number;       /* data sequence number (inherited when null) */
    int64_t file_sequence_number;
    iceberg_content content;
    const char *path;              /* as recorded */
    const char *key;               /* relocated key under the store */
    const char *file_format;       /* "PARQUET", "AVRO", "ORC", "PUFFIN" */
    const iceberg_spec *spec;      /* the manifest's partition spec */
    const iceberg_value *partition;   /* spec->n_fields values, in spec order */
    int64_t record_count;
    int64_t file_size;
    const iceberg_col_stats *stats;
    size_t n_stats;
    const int32_t *equality_ids;
    size_t n_equality_ids;
    const char *referenced_data_file;  /* deletion vectors, or NULL */
    bool has_content_offset;
    int64_t content_offset, content_size;
} iceberg_entry;

typedef int (*iceberg_entry_cb)(void *ctx, const iceberg_entry *e, os_err *err);

typedef struct iceberg_scan_opts {
    bool deletes;                  /* also delete files (default: data files only) */
    bool data;                     /* with deletes: data files too */
    bool only_added;               /* entries added by the snapshot itself */
} iceberg_scan_opts;

/* Streams the live entries (status existing or added) of snapshot s's
 * manifests to cb, manifest by manifest in manifest-list order.  opts NULL:
 * data files only.  cb returns 0 to go on, 1 to stop (not an error), -1 with
 * err.  Returns 0 or -1 (OS_ENOTFOUND for a missing manifest, OS_ECORRUPT,
 * OS_EPERM for a live file outside the table, checked in every manifest read
 * even for entries opts leaves out, OS_EIO, the callback's error). */
int iceberg_scan(const iceberg_table *t, const iceberg_snapshot *s, const iceberg_scan_opts *opts,
                 iceberg_entry_cb cb, void *ctx, os_err *err);

#endif
