/* table_source.h - one read interface over the table formats the Delta Sharing API serves (Delta, Iceberg, Parquet datasets).
 *
 * The Delta Sharing answers (version, metadata, query, changes) are written
 * from Delta's model: a protocol, a metadata, file actions and a history of
 * versions.  A Delta table is that model; an Iceberg table is mapped onto it
 * by table_source_iceberg.c (schema -> schemaString, snapshots -> versions,
 * manifests -> file actions with Delta statistics).  table_read.c speaks only
 * to this interface.
 *
 * Contracts are those of the matching delta_* functions in
 * formats/delta/delta.h (same arguments, same error codes).
 */
#ifndef OS_SHARING_TABLE_SOURCE_H
#define OS_SHARING_TABLE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "catalog/store.h"
#include "formats/delta/delta.h"
#include "storage/objstore.h"

typedef struct table_source_ops {
    int (*latest_version)(void *impl, int64_t *version, os_err *err);
    int (*version_at_timestamp)(void *impl, int64_t ts_ms, delta_ts_rule rule, int64_t *version,
                                os_err *err);
    /* opts NULL: the latest snapshot.  Returns a snapshot freed by snapshot_free. */
    void *(*snapshot_load)(void *impl, const delta_snapshot_opts *opts, os_err *err);
    void (*snapshot_free)(void *snap);
    int64_t (*snapshot_version)(const void *snap);
    int64_t (*snapshot_timestamp)(const void *snap);
    const delta_protocol *(*snapshot_protocol)(const void *snap);
    const delta_metadata *(*snapshot_metadata)(const void *snap);
    int (*snapshot_scan)(void *snap, const delta_scan_opts *opts, delta_file_cb cb, void *ctx,
                         os_err *err);
    /* Whether `changes` may be asked from this snapshot on; -1 with err saying why not. */
    int (*changes_allowed)(const void *snap, int64_t version, os_err *err);
    int (*history_scan)(void *impl, const delta_history_opts *opts, delta_change_cb cb, void *ctx,
                        os_err *err);
    /* Checks, before an answer starts, that versions start..end can be told
     * as changes.  Returns 0, or -1 with OS_EINVAL saying which cannot. */
    int (*history_check)(void *impl, int64_t start, int64_t end, os_err *err);
    void (*close)(void *impl);
    /* Optional (NULL: the format's snapshots are not cached): what identifies
     * the snapshot's files beyond its version, see delta_snapshot_fingerprint.
     * A format with it honours delta_scan_opts' image fields in snapshot_scan. */
    int (*snapshot_fingerprint)(const void *snap, os_buf *out, os_err *err);
} table_source_ops;

/* A table opened for reading: the ops of its format and their state.  The
 * store it reads is borrowed and must outlive it. */
typedef struct table_source {
    const table_source_ops *ops;
    void *impl;
} table_source;

/* Options that change how a format is mapped onto Delta's model. */
typedef struct table_source_opts {
    bool column_mapping;           /* Iceberg: declare field ids as Delta column mapping (id mode) */
    const char *metadata_key;      /* Iceberg: the metadata file to read, relative to the table */
    const char *fallback_id;       /* Iceberg v1 tables without a uuid: the metadata id to answer;
                                      Parquet datasets: the table id to answer */
    /* Parquet datasets: where the catalog keeps their versions */
    cat_store *catalog;
    int64_t asset_id;
    const char *location;          /* the table's URI (footer cache keys) */
    const char *partition_columns_json;  /* declared partition types, or NULL */
    int64_t refresh_interval_ms;   /* re-list when the last listing is older */
} table_source_opts;

/* Opens a Delta table at the store's root.  Returns 0 or -1 (OS_ENOMEM). */
int table_source_open_delta(table_source *ts, const objstore *store, os_err *err);

/* Opens an Iceberg table at the store's root (reads its metadata file).
 * Returns 0 or -1 with the errors of iceberg_table_open. */
int table_source_open_iceberg(table_source *ts, const objstore *store, const table_source_opts *o,
                              os_err *err);

/* Opens a Parquet dataset at the store's root: first re-lists it when its
 * last listing is older than o->refresh_interval_ms (recording a new version
 * when its files changed; see sharing/dataset_refresh.h), then reads its
 * recorded versions from the catalog.  Returns 0 or -1 with the errors of
 * ds_refresh. */
int table_source_open_parquet(table_source *ts, const objstore *store, const table_source_opts *o,
                              os_err *err);

/* Releases the source (NULL-safe, idempotent on a zeroed one). */
void table_source_close(table_source *ts);

#endif
