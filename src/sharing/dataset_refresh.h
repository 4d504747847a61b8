/* dataset_refresh.h - re-listing a Parquet dataset and recording a new version when its files changed.
 *
 * A dataset has no log: the server lists the directory, compares the listing
 * with the inventory the catalog holds, reads the footers of new files (in
 * parallel, through the footer cache) and, when anything changed, records a
 * new version with its merged schema and partition columns.  Called before a
 * dataset table is read (when the last listing is older than the refresh
 * interval) and by the admin API's refresh.  Refreshes of one process are
 * serialized; across processes, a version recorded meanwhile wins and the
 * other listing is dropped. */
#ifndef OS_SHARING_DATASET_REFRESH_H
#define OS_SHARING_DATASET_REFRESH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "catalog/store.h"
#include "storage/objstore.h"

typedef struct ds_refresh_opts {
    cat_store *catalog;
    const objstore *store;          /* rooted at the table's location */
    int64_t asset_id;
    const char *location;           /* the table's URI: footer cache keys start with it */
    const char *partition_columns_json;  /* declared partition types, or NULL */
    int64_t interval_ms;            /* re-list only when the last listing is older */
    bool force;                     /* re-list now whatever the interval */
    unsigned threads;               /* footers read at once; 0: 16 */
} ds_refresh_opts;

typedef struct ds_refresh_result {
    bool listed;                    /* false: the last listing was recent enough */
    bool changed;                   /* a new version was recorded */
    int64_t version;                /* the latest version (-1 when not listed and none) */
    int64_t files, added, removed;  /* of the listing */
    int64_t footers_read;           /* footers read from storage (cache misses) */
    int64_t list_ms, diff_ms, footers_ms, record_ms;   /* where the time went */
} ds_refresh_result;

/* Brings the dataset's recorded versions up to date with its directory.
 * Returns 0, or -1 with OS_ECORRUPT for problems of the data (no files, a
 * file that is not Parquet or has a damaged footer, partition directories
 * that do not parse or disagree, schemas that cannot be merged, a location
 * that cannot be listed), each naming the file relative to the table;
 * OS_EUNSUPPORTED for a column type Delta cannot hold; OS_EIO for the
 * catalog or storage. */
int ds_refresh(const ds_refresh_opts *o, ds_refresh_result *r, os_err *err);

/* ds_refresh for a dataset table of the catalog: finds the storage location
 * that holds it and opens its store first.  Returns 0, or -1 with OS_EINVAL
 * when x is not a Parquet dataset, OS_ENOTFOUND when no location holds it,
 * or the errors of objstore_open_location and ds_refresh. */
int ds_refresh_asset(cat_store *st, const cat_asset *x, bool force, int64_t interval_ms,
                     ds_refresh_result *r, os_err *err);

#endif
