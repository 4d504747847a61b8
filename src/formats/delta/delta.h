/* delta.h - the Delta Lake log engine: snapshots, history, statistics and file skipping over an objstore.
 *
 * Who calls this: the sharing layer (Delta Sharing query / changes / version /
 * metadata) and `opensharing inspect delta`.  Nothing here knows about HTTP.
 * Every log file is treated as hostile: errors come back as os_err values whose
 * message names the file; unsupported reader features are refused
 * (OS_EUNSUPPORTED), never read half-way.
 *
 * Memory: a snapshot holds the commits after its checkpoint (parsed) and the
 * protocol and metadata; its active files are *streamed* to a callback, the
 * checkpoint one row group at a time, so a table whose checkpoint lists N files
 * never needs memory proportional to N.
 *
 * Typical use:
 *     objstore st; objstore_local_open("/data", &st, &err);
 *     delta_table t; delta_table_init(&t, &st, "tables/sales", NULL, &err);
 *     delta_snapshot *s = delta_snapshot_load(&t, NULL, &err);       // latest
 *     delta_scan_opts so = {.predicate = p, .limit_hint = 100};
 *     delta_snapshot_scan(s, &so, on_file, ctx, &err);                // streams
 *     delta_snapshot_free(s); delta_table_free(&t); objstore_close(&st);
 */
#ifndef OS_FORMATS_DELTA_H
#define OS_FORMATS_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "storage/objstore.h"

/* ------------------------------------------------------------------ actions */

/* A string map entry (partitionValues, configuration, tags); value may be NULL. */
typedef struct delta_kv {
    const char *key;
    const char *value;
} delta_kv;

typedef struct delta_map {
    delta_kv *items;
    size_t n;
} delta_map;

/* Returns the entry's value for key, or NULL (absent or null); *found (may be
 * NULL) tells the two apart. */
const char *delta_map_get(const delta_map *m, const char *key, bool *found);
/* Whether the entry for key is "true" in any letter case, as Delta reads a
 * boolean table property (delta.enableChangeDataFeed, ...).  m may be NULL. */
bool delta_map_true(const delta_map *m, const char *key);

typedef struct delta_protocol {
    int32_t min_reader_version;
    int32_t min_writer_version;
    bool has_reader_features, has_writer_features;
    const char **reader_features;
    size_t n_reader_features;
    const char **writer_features;
    size_t n_writer_features;
} delta_protocol;

typedef struct delta_metadata {
    const char *id;
    const char *name;          /* may be NULL */
    const char *description;   /* may be NULL */
    const char *format_provider;   /* "parquet" */
    delta_map format_options;
    const char *schema_string;     /* may be NULL in hand-written logs */
    const char **partition_columns;
    size_t n_partition_columns;
    delta_map configuration;
    bool has_created_time;
    int64_t created_time;      /* ms */
} delta_metadata;

typedef struct delta_dv {
    char storage_type;         /* 'u' (relative uuid), 'p' (absolute path), 'i' (inline) */
    const char *path_or_inline_dv;
    bool has_offset;
    int32_t offset;
    int32_t size_in_bytes;
    int64_t cardinality;
} delta_dv;

typedef enum delta_file_kind {
    DELTA_FILE_ADD = 1,
    DELTA_FILE_REMOVE,
    DELTA_FILE_CDC
} delta_file_kind;

/* An add, remove or cdc action.  Strings live in the snapshot/history arena or,
 * for files streamed from a checkpoint, until the callback returns. */
typedef struct delta_file {
    delta_file_kind kind;
    const char *path;          /* as written in the log: a URI reference, %-encoded */
    delta_map partition_values;
    bool has_size;
    int64_t size;
    bool has_modification_time;
    int64_t modification_time; /* add: ms */
    bool data_change;
    const char *stats;         /* JSON text, or NULL */
    delta_map tags;
    bool has_dv;
    delta_dv dv;
    bool has_base_row_id, has_default_row_commit_version;
    int64_t base_row_id, default_row_commit_version;
    const char *clustering_provider;   /* may be NULL */
    bool has_deletion_timestamp;
    int64_t deletion_timestamp;        /* remove: ms */
    bool extended_file_metadata;       /* remove */
    /* Files read back from a snapshot image: the bytes stored for the file by
     * delta_image_writer_add (NULL/0 otherwise; when set, no other field but
     * kind is). */
    const char *image_aux;
    size_t image_aux_len;
} delta_file;

typedef struct delta_txn {
    const char *app_id;
    int64_t version;
    bool has_last_updated;
    int64_t last_updated;
} delta_txn;

typedef struct delta_domain {
    const char *domain;
    const char *configuration;
    bool removed;
} delta_domain;

typedef struct delta_commit_info {
    bool has_in_commit_timestamp;
    int64_t in_commit_timestamp;
    bool has_timestamp;
    int64_t timestamp;
    const char *operation;     /* may be NULL */
    const char *json;          /* the whole commitInfo object, compact JSON */
} delta_commit_info;

typedef struct delta_sidecar {
    const char *path;          /* relative to _delta_log/_sidecars/ (or absolute URI) */
    int64_t size_in_bytes;
    int64_t modification_time;
} delta_sidecar;

typedef enum delta_action_kind {
    DELTA_ACT_NONE = 0,        /* a line with no action we know (ignored) */
    DELTA_ACT_ADD,
    DELTA_ACT_REMOVE,
    DELTA_ACT_CDC,
    DELTA_ACT_METADATA,
    DELTA_ACT_PROTOCOL,
    DELTA_ACT_TXN,
    DELTA_ACT_COMMIT_INFO,
    DELTA_ACT_DOMAIN,
    DELTA_ACT_CHECKPOINT_META,
    DELTA_ACT_SIDECAR
} delta_action_kind;

typedef struct delta_action {
    delta_action_kind kind;
    union {
        delta_file file;       /* ADD, REMOVE, CDC */
        delta_metadata meta;
        delta_protocol proto;
        delta_txn txn;
        delta_commit_info info;
        delta_domain domain;
        delta_sidecar sidecar;
        int64_t checkpoint_version;   /* CHECKPOINT_META */
    } u;
} delta_action;

/* Parses one line of a commit or JSON checkpoint (len bytes, need not be
 * NUL-terminated) into *out, strings copied into arena.  A blank line or an
 * object with no known action gives kind DELTA_ACT_NONE.  `where` names the
 * file for messages.  Returns 0, or -1 with OS_ECORRUPT (bad JSON, two
 * actions on a line, a field of the wrong type, a missing required field). */
int delta_action_parse(const char *line, size_t len, const char *where,
                       os_arena *arena, delta_action *out, os_err *err);

/* Canonical identity of a file: the decoded path (file: scheme stripped) plus,
 * when it has one, the deletion vector's unique id.  Written into out (reset
 * first).  Returns 0 or -1 (OS_ENOMEM, OS_ECORRUPT for a bad %-escape). */
struct os_buf;
int delta_file_key(const delta_file *f, struct os_buf *out, os_err *err);

/* Checks that this engine can read a table with this protocol.  Returns 0, or
 * -1 with OS_EUNSUPPORTED naming the reader version or feature. */
int delta_protocol_check(const delta_protocol *p, os_err *err);

/* ------------------------------------------------------------------ table */

/* Limits on hostile input; zero fields take defaults. */
typedef struct delta_limits {
    size_t max_commit_bytes;       /* one commit / JSON checkpoint file; default 256 MiB */
    size_t max_last_checkpoint_bytes;  /* default 1 MiB */
    size_t max_log_files;          /* entries in _delta_log; default 10,000,000 */
    unsigned checkpoint_threads;   /* threads decoding a Parquet checkpoint's pages; default
                                      the online CPUs, at most 4 (1: the caller's alone) */
} delta_limits;

/* A table: a store plus the key prefix of the table root (no trailing '/';
 * "" for the store root).  Holds copies of the strings; the store is borrowed
 * and must outlive the table. */
typedef struct delta_table {
    const objstore *store;
    char *root;        /* "" or "a/b" */
    char *log_dir;     /* "_delta_log/" or "a/b/_delta_log/" */
    delta_limits limits;
} delta_table;

/* Returns 0 or -1 (OS_ENOMEM).  limits may be NULL. */
int delta_table_init(delta_table *t, const objstore *store, const char *root,
                     const delta_limits *limits, os_err *err);
void delta_table_free(delta_table *t);

/* The latest version of the table (the highest commit or complete checkpoint).
 * Returns 0, or -1: OS_ENOTFOUND when there is no _delta_log or no version. */
int delta_table_latest_version(const delta_table *t, int64_t *version, os_err *err);

/* ------------------------------------------------------------------ timestamps */

/* The commit timestamp (ms) of each version: the in-commit timestamp when the
 * table enables them at that version, else the commit file's modification
 * time, made strictly increasing over versions as Delta does. */
typedef enum delta_ts_rule {
    /* Delta Sharing `timestamp` / `endingTimestamp`: the latest version whose
     * commit timestamp is <= ts; OS_EINVAL when ts is before the earliest
     * commit or after the latest commit. */
    DELTA_TS_AT_OR_BEFORE = 0,
    /* Delta Sharing `startingTimestamp`: the earliest version whose commit
     * timestamp is >= ts; OS_EINVAL when ts is after the latest commit. */
    DELTA_TS_AT_OR_AFTER
} delta_ts_rule;

/* Resolves ts (ms since the epoch) to a version.  Only versions that can be
 * recreated (a commit file from 0 or a complete checkpoint) are candidates.
 * Returns 0, or -1 (OS_EINVAL out of range, OS_ENOTFOUND, OS_ECORRUPT, OS_EIO). */
int delta_version_at_timestamp(const delta_table *t, int64_t ts_ms, delta_ts_rule rule,
                               int64_t *version, os_err *err);

/* ------------------------------------------------------------------ snapshots */

typedef struct delta_snapshot delta_snapshot;

typedef struct delta_snapshot_opts {
    bool has_version;
    int64_t version;
    bool has_timestamp;        /* ms, DELTA_TS_AT_OR_BEFORE rule */
    int64_t timestamp_ms;
} delta_snapshot_opts;

/* Loads the snapshot at opts (NULL: latest): lists the log, reads the commits
 * after the newest usable checkpoint, finds protocol and metadata (from those
 * commits, else from the checkpoint) and checks the protocol.  Returns the
 * snapshot (free with delta_snapshot_free) or NULL with err: OS_ENOTFOUND (no
 * table, or no such version), OS_EINVAL (timestamp out of range),
 * OS_ECORRUPT (bad log, version gap, missing checkpoint part, missing protocol
 * or metadata), OS_EUNSUPPORTED (reader features), OS_ELIMIT, OS_EIO. */
delta_snapshot *delta_snapshot_load(const delta_table *t, const delta_snapshot_opts *opts,
                                    os_err *err);
void delta_snapshot_free(delta_snapshot *s);

int64_t delta_snapshot_version(const delta_snapshot *s);
/* Commit timestamp of the snapshot's version (ms). */
int64_t delta_snapshot_timestamp(const delta_snapshot *s);
const delta_protocol *delta_snapshot_protocol(const delta_snapshot *s);
const delta_metadata *delta_snapshot_metadata(const delta_snapshot *s);
/* The latest txn version for app_id (-1 when none), from commits and checkpoint.
 * Returns 0 or -1 (checkpoint read errors). */
int delta_snapshot_txn_version(delta_snapshot *s, const char *app_id, int64_t *version, os_err *err);
/* The configuration of domain `domain` in force at the snapshot: *config is
 * set to a malloc'd copy (caller frees), or NULL when the domain is absent or
 * removed.  Returns 0 or -1 (checkpoint read errors, OS_ENOMEM). */
int delta_snapshot_domain(delta_snapshot *s, const char *domain, char **config, os_err *err);

typedef struct delta_predicate delta_predicate;

typedef struct delta_image_writer delta_image_writer;

typedef struct delta_scan_opts {
    const delta_predicate *predicate;  /* NULL: no skipping */
    int64_t limit_hint;                /* <= 0: none */
    /* Optional: with use_image, the active files are read from the image
     * open at image_fd (at its start) instead of replaying the log; when the
     * image proves corrupt part way, the scan replays the log from where the
     * image stopped, sets *image_bad (if given) and never hands on a file of
     * the bad block. */
    bool use_image;
    int image_fd;
    bool *image_bad;
    /* Active files to pass over before the first handed on (another reader,
     * e.g. of an image, gave them already). */
    int64_t skip_active;
} delta_scan_opts;

/* Per-file callback: return 0 to continue, 1 to stop (not an error), -1 after
 * filling err to abort.  f and everything it points to are valid only during
 * the call. */
typedef int (*delta_file_cb)(void *ctx, const delta_file *f, os_err *err);

/* Streams the snapshot's active files (adds not removed later) to cb, skipping
 * files the predicate proves cannot match and stopping once limit_hint rows
 * are certainly covered.  Order is stable: files added by commits after the
 * checkpoint in version order, then the checkpoint's files in its order.
 * A loaded snapshot is never modified: it may be cached and scanned any
 * number of times, from several threads at once.
 * Returns 0, or -1 (OS_ECORRUPT, OS_EIO, or the callback's error). */
int delta_snapshot_scan(delta_snapshot *s, const delta_scan_opts *opts,
                        delta_file_cb cb, void *ctx, os_err *err);

/* ------------------------------------------------------------------ snapshot images */

/* A snapshot image holds a reconciled snapshot's active files in scan order,
 * in checksummed blocks, so that a later scan of the same version needs no
 * log replay.  The writer appends to fd (borrowed, positioned at the start of
 * an empty file).  Returns NULL with err (OS_ENOMEM, OS_EIO). */
delta_image_writer *delta_image_writer_open(int fd, os_err *err);
/* Appends one file: all of it (aux NULL), or only its kind and aux_len > 0
 * opaque bytes of the caller's that stand for it (a rendering): such a file
 * comes back with only kind and image_aux set, so an image holding them
 * serves only its writer's kind of query (no predicate, no limit hint).  The
 * caller adds every active file of the snapshot in scan order.  Returns 0, or -1 (OS_ENOMEM, OS_EIO); the
 * writer is then failed and can never finish. */
int delta_image_writer_add(delta_image_writer *w, const delta_file *f, const void *aux,
                           size_t aux_len, os_err *err);
/* Records can also be put together in blocks elsewhere (another thread):
 * appends one record to block as delta_image_writer_add would (0, or -1 out
 * of memory or over the record limit; block unchanged then)... */
int delta_image_record_put(struct os_buf *block, const delta_file *f, const void *aux, size_t aux_len);
/* ...and writes such a block of `count` records to the image (after what
 * was added file by file).  Returns 0, or -1 (OS_EIO, OS_EINVAL too large). */
int delta_image_writer_add_block(delta_image_writer *w, const void *block, size_t n, uint64_t count,
                                 os_err *err);
/* Hands each record of such a block (n bytes, not checksummed: it never left
 * memory) to cb as delta_image_read does.  Returns 0, 1 (cb stopped) or -1
 * (OS_ECORRUPT, OS_ENOMEM, cb's error). */
int delta_image_block_each(char *block, size_t n, delta_file_cb cb, void *ctx, os_err *err);
/* Writes the end marker.  Returns 0, or -1 (OS_EIO, or the writer failed). */
int delta_image_writer_finish(delta_image_writer *w, os_err *err);
/* Whether the image was finished without a failure (NULL-safe). */
bool delta_image_writer_finished(const delta_image_writer *w);
/* Frees the writer (not its fd).  NULL-safe. */
void delta_image_writer_free(delta_image_writer *w);
/* Reads the image at fd from its current offset, handing each file to cb
 * (same contract as delta_snapshot_scan's callback) only after the block
 * holding it passed its checksum.  Returns 0 at the verified end, 1 when cb
 * stopped, -1 with err: OS_ECORRUPT (bad or truncated image; *cb_failed
 * false), OS_ENOMEM, or cb's error (*cb_failed true). */
int delta_image_read(int fd, delta_file_cb cb, void *ctx, bool *cb_failed, os_err *err);
/* An image read block by block, for callers that hand blocks to several
 * threads (delta_image_block_each reads one).  open checks the header:
 * NULL with OS_ECORRUPT or OS_ENOMEM.  next gives the next block that passed
 * its checksum (1, in *block, *n bytes), 0 at a
 * valid end marker, -1 (OS_ECORRUPT, OS_ENOMEM); *block (capacity *cap, NULL
 * and 0 at first) is reused and grown as needed, the caller frees it at the
 * end.  After the end, count is
 * the number of files the image declares (the caller checks it against what
 * it read; UINT64_MAX before the end).  free takes NULL; the fd is the
 * caller's. */
typedef struct delta_image_reader delta_image_reader;
delta_image_reader *delta_image_reader_open(int fd, os_err *err);
int delta_image_reader_next(delta_image_reader *r, char **block, size_t *cap, size_t *n, os_err *err);
uint64_t delta_image_reader_count(const delta_image_reader *r);
void delta_image_reader_free(delta_image_reader *r);
/* Writes into out (reset first) what identifies the snapshot's files beyond
 * its version: the file times of its commit and checkpoint, so a table
 * recreated at the same location never matches an older image.  Returns 0 or
 * -1 (OS_ENOMEM). */
int delta_snapshot_fingerprint(const delta_snapshot *s, struct os_buf *out, os_err *err);

/* ------------------------------------------------------------------ history */

typedef enum delta_change_kind {
    DELTA_CHANGE_COMMIT = 1,   /* start of a version: version, timestamp, info */
    DELTA_CHANGE_PROTOCOL,
    DELTA_CHANGE_METADATA,
    DELTA_CHANGE_ADD,
    DELTA_CHANGE_REMOVE,
    DELTA_CHANGE_CDC
} delta_change_kind;

typedef struct delta_change {
    delta_change_kind kind;
    int64_t version;
    int64_t timestamp;         /* commit timestamp, ms */
    const delta_file *file;    /* ADD, REMOVE, CDC */
    const delta_protocol *protocol;
    const delta_metadata *metadata;
    const delta_commit_info *info;   /* COMMIT; may be NULL */
} delta_change;

typedef int (*delta_change_cb)(void *ctx, const delta_change *c, os_err *err);

typedef struct delta_history_opts {
    int64_t start_version;
    bool has_end_version;      /* false: up to the latest */
    int64_t end_version;
    /* Change data feed rules: a commit's cdc files when it has any, else its
     * data-changing adds and removes; refuses (OS_EINVAL) a window where the
     * feed is not enabled.  When false, every add and remove is reported. */
    bool cdf;
} delta_history_opts;

/* Walks versions start..end in order: for each, a COMMIT change, then its
 * protocol and metadata changes, then its file changes (per the rules above).
 * Checks the protocol in force at every version.  Returns 0, or -1:
 * OS_EINVAL (bad window, CDF not enabled), OS_ENOTFOUND (a version's commit is
 * gone), OS_ECORRUPT, OS_EUNSUPPORTED, OS_EIO, or the callback's error. */
int delta_history_scan(const delta_table *t, const delta_history_opts *opts,
                       delta_change_cb cb, void *ctx, os_err *err);

/* ------------------------------------------------------------------ predicates */

/* Parses a Delta Sharing JSON predicate (ops: column, literal, isNull, equal,
 * lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual, and, or, not;
 * value types bool, int, long, string, date, float, double, timestamp).
 * Returns the tree (free with delta_predicate_free) or NULL with OS_EINVAL
 * saying what is wrong.  Depth and size are bounded (OS_ELIMIT). */
delta_predicate *delta_predicate_parse(const char *json, size_t len, os_err *err);
void delta_predicate_free(delta_predicate *p);

/* Three-valued outcome of a predicate over the rows of one file. */
typedef enum delta_tristate {
    DELTA_FALSE = 0,   /* no row can match: the file may be skipped */
    DELTA_TRUE = 1,    /* every row matches */
    DELTA_UNKNOWN = 2  /* some rows may match */
} delta_tristate;

typedef struct delta_colmap delta_colmap;

/* Evaluates p over one file, from its partition values and stats, with
 * column names resolved through cm (logical -> physical name and type; may be
 * NULL: names are used as they are and types come from the predicate).
 * Never returns DELTA_FALSE for a file that could hold a matching row.
 * Errors never occur: what cannot be judged is DELTA_UNKNOWN. */
delta_tristate delta_predicate_eval(const delta_predicate *p, const delta_colmap *cm,
                                    const delta_file *f);

/* ------------------------------------------------------------------ schema / column mapping */

/* The columns of a metadata's schema (nested struct fields as dotted paths)
 * with their types, physical names (column mapping modes "name" and "id")
 * and whether they partition the table.  Returns the map (free with
 * delta_colmap_free) or NULL with OS_ECORRUPT when schemaString is missing
 * or not a schema. */
delta_colmap *delta_colmap_build(const delta_metadata *m, os_err *err);
void delta_colmap_free(delta_colmap *cm);
/* Physical name of logical (dotted path, case-insensitive as Spark resolves
 * names), and its Delta type name ("integer", "string", "struct", ...).
 * Returns 0, or -1 when the column does not exist. */
int delta_colmap_lookup(const delta_colmap *cm, const char *logical,
                        const char **physical, const char **type, bool *is_partition);

/* ------------------------------------------------------------------ values */

typedef enum delta_value_kind {
    DELTA_V_NULL = 0,
    DELTA_V_BOOL,
    DELTA_V_INT,       /* byte, short, integer, long */
    DELTA_V_DOUBLE,    /* float, double */
    DELTA_V_STRING,    /* string, binary: s/len */
    DELTA_V_DATE,      /* days since epoch */
    DELTA_V_TIMESTAMP, /* microseconds since epoch (UTC; ntz read as UTC wall time) */
    DELTA_V_DECIMAL    /* s: normalized decimal text, compared numerically */
} delta_value_kind;

typedef struct delta_value {
    delta_value_kind kind;
    bool b;
    int64_t i;
    double d;
    const char *s;
    size_t len;
} delta_value;

/* Parses a serialized partition value of Delta type `type` ("integer",
 * "date", "timestamp", "decimal(10,2)", ...).  NULL or "" is a null value
 * (for every type, as Delta Sharing serializes partitions).  s points into raw.  Returns
 * 0, or -1 with OS_ECORRUPT for a value that does not parse as its type. */
int delta_partition_value_parse(const char *type, const char *raw, delta_value *out, os_err *err);

/* Compares two non-null values of compatible kinds: sets *cmp to <0, 0, >0 and
 * returns 0, or returns -1 when they cannot be compared. */
int delta_value_compare(const delta_value *a, const delta_value *b, int *cmp);

/* Parses ISO-8601 / Delta timestamp text ("2021-09-08 11:11:11",
 * "2021-09-08T11:11:11.123456Z", "...+02:00") into microseconds.  Returns 0
 * or -1. */
int delta_parse_timestamp_us(const char *s, int64_t *us);

#endif
