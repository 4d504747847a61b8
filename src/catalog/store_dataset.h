/* store_dataset.h - the catalog's record of Parquet datasets: versions, file inventory, last listing, footer cache.
 *
 * A dataset has no log, so the server keeps one: each re-listing that finds
 * a change records a version (timestamp, schema, partition columns) and
 * moves the inventory (a file row is live from the version that added it
 * until the one that removed it).  The footer cache holds the facts read
 * from a file's footer, keyed by the file's URI, size and modification time,
 * so no footer is read twice.  Same conventions as store.h. */
#ifndef OS_CATALOG_STORE_DATASET_H
#define OS_CATALOG_STORE_DATASET_H

#include <stdint.h>

#include "catalog/store.h"

typedef struct cat_ds_version {
    int64_t version;
    int64_t timestamp_ms;
    int64_t num_files;
    const char *schema_string;
    const char *partition_columns_json;  /* JSON array of {"name","type"} */
} cat_ds_version;

typedef struct cat_ds_file {
    int64_t id;
    const char *path;          /* relative to the table, as listed (not %-encoded) */
    int64_t size, mtime_ms, num_rows;
    const char *stats_json;
    int64_t added_version;
    int64_t removed_version;   /* -1: still live */
} cat_ds_file;

typedef struct cat_footer {
    int64_t num_rows;
    const char *digest;
    const char *schema_json;
    const char *stats_json;
} cat_footer;

/* A distinct file schema among the live files, with the first file (by
 * path) that has it. */
typedef struct cat_ds_schema {
    const char *schema_json;
    const char *first_path;
} cat_ds_schema;

/* When the dataset was last listed: 1 with *listed_ms, 0 never. */
int store_ds_listed(cat_store *st, int64_t asset_id, int64_t *listed_ms, os_err *err);
/* Every recorded version, oldest first (items cat_ds_version*, without
 * schema text). */
int store_ds_versions(cat_store *st, int64_t asset_id, os_arena *a, cat_page *page, os_err *err);
/* One version with its schema; OS_ENOTFOUND when not recorded. */
int store_ds_version_get(cat_store *st, int64_t asset_id, int64_t version, os_arena *a,
                         cat_ds_version **out, os_err *err);
/* Files live at `version` with path > after_path (NULL: from the start),
 * ordered by path, at most limit (items cat_ds_file*). */
int store_ds_files(cat_store *st, int64_t asset_id, int64_t version, const char *after_path,
                   int limit, os_arena *a, cat_page *page, os_err *err);
/* Files added (removed == 0) or removed (removed == 1) by `version`, with id >
 * after_id, ordered by id (items cat_ds_file*). */
int store_ds_changes(cat_store *st, int64_t asset_id, int64_t version, int removed,
                     int64_t after_id, int limit, os_arena *a, cat_page *page, os_err *err);
/* Every live file (path, size, mtime), ordered by path (items cat_ds_file*). */
int store_ds_live(cat_store *st, int64_t asset_id, os_arena *a, cat_page *page, os_err *err);

/* The footer cache's keys under uri_prefix (a URI ending in '/'): items
 * cat_ds_file* whose path is the rest of the URI, ordered by path (only
 * path, size and mtime_ms are set). */
int store_footer_keys(cat_store *st, const char *uri_prefix, os_arena *a, cat_page *page,
                      os_err *err);
/* The cached footer facts of uri at size/mtime: 1 with *out, 0 when absent. */
int store_footer_get(cat_store *st, const char *uri, int64_t size, int64_t mtime_ms,
                     os_arena *a, cat_footer **out, os_err *err);
/* Stores footer facts (replacing an entry with the same key). */
int store_tx_footer_put(cat_tx *tx, const char *uri, int64_t size, int64_t mtime_ms,
                        const cat_footer *f, os_err *err);

/* store_tx_footer_put for n files named uri_prefix + paths[i], with one
 * prepared statement per kind of row. */
int store_tx_footer_put_many(cat_tx *tx, const char *uri_prefix, const cat_ds_file *const *files,
                             const cat_footer *facts, size_t n, os_err *err);

/* The latest version inside a transaction: 1 with *version, 0 when none. */
int store_tx_ds_head(cat_tx *tx, int64_t asset_id, int64_t *version, os_err *err);
/* Marks the live row of path removed by `version`. */
int store_tx_ds_remove(cat_tx *tx, int64_t asset_id, const char *path, int64_t version,
                       os_err *err);
/* Adds a live row for path, added by `version`, from the footer cache entry
 * of uri/size/mtime (OS_ENOTFOUND when the cache lacks it). */
int store_tx_ds_add(cat_tx *tx, int64_t asset_id, const char *uri, const char *path, int64_t size,
                    int64_t mtime_ms, int64_t version, os_err *err);
/* store_tx_ds_add for n files (path, size, mtime_ms) whose cache URIs are
 * uri_prefix + path, with one prepared statement. */
int store_tx_ds_add_many(cat_tx *tx, int64_t asset_id, const char *uri_prefix,
                         const cat_ds_file *files, size_t n, int64_t version, os_err *err);
/* The distinct schemas of the live files, by first path (items cat_ds_schema*). */
int store_tx_ds_schemas(cat_tx *tx, int64_t asset_id, os_arena *a, cat_page *page, os_err *err);
/* Records a version. */
int store_tx_ds_version_put(cat_tx *tx, int64_t asset_id, const cat_ds_version *v, os_err *err);
/* Records the time of a listing. */
int store_tx_ds_listed(cat_tx *tx, int64_t asset_id, int64_t listed_ms, os_err *err);

#endif
