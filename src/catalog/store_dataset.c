/* store_dataset.c - SQLite storage of Parquet dataset versions, inventories, listing times and the footer cache. */
#include "catalog/store_dataset.h"

#include <string.h>

#include "base/crypto.h"
#include "catalog/store_sqlite_int.h"

/* No dataset listing is longer than this many files. */
#define DS_LIST_MAX 10000000

#define DS_LIST(st, err, limit, make, a, page, ...)                                          \
    do {                                                                                     \
        sqlite3 *db_ = sq_acquire((st), (err));                                              \
        if (db_ == NULL)                                                                     \
            return -1;                                                                       \
        int rc_ = sq_collect(db_, sq_prepare(db_, (err), __VA_ARGS__), (limit), (make), (a), \
                             (page), (err));                                                 \
        sq_release((st), db_);                                                               \
        return rc_;                                                                          \
    } while (0)

int store_ds_listed(cat_store *st, int64_t asset_id, int64_t *listed_ms, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err, "SELECT listed_ms FROM dataset_state WHERE asset_id=?",
                                 "i", asset_id);
    int found = sq_step_one(db, s, err);
    if (found == 1) {
        *listed_ms = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sq_release(st, db);
    return found;
}

static void *make_version(sqlite3_stmt *s, os_arena *a)
{
    cat_ds_version *v = os_arena_alloc(a, sizeof *v);
    if (v == NULL)
        return NULL;
    v->version = sqlite3_column_int64(s, 0);
    v->timestamp_ms = sqlite3_column_int64(s, 1);
    v->num_files = sqlite3_column_int64(s, 2);
    v->schema_string = sqlite3_column_count(s) > 3 ? sq_text(s, 3, a) : NULL;
    v->partition_columns_json = sqlite3_column_count(s) > 4 ? sq_text(s, 4, a) : NULL;
    return v;
}

int store_ds_versions(cat_store *st, int64_t asset_id, os_arena *a, cat_page *page, os_err *err)
{
    DS_LIST(st, err, DS_LIST_MAX, make_version, a, page,
            "SELECT version, timestamp_ms, num_files FROM dataset_versions WHERE asset_id=?"
            " ORDER BY version",
            "i", asset_id);
}

int store_ds_version_get(cat_store *st, int64_t asset_id, int64_t version, os_arena *a,
                         cat_ds_version **out, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err,
                                 "SELECT version, timestamp_ms, num_files, schema_string,"
                                 " partition_columns_json FROM dataset_versions"
                                 " WHERE asset_id=? AND version=?",
                                 "ii", asset_id, version);
    int found = sq_fetch_one(st, db, s, make_version, a, (void **)out, err);
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "version %lld of the dataset is not recorded",
                          (long long)version);
    return found < 0 ? -1 : 0;
}

static void *make_file(sqlite3_stmt *s, os_arena *a)
{
    cat_ds_file *f = os_arena_alloc(a, sizeof *f);
    if (f == NULL)
        return NULL;
    memset(f, 0, sizeof *f);
    f->id = sqlite3_column_int64(s, 0);
    f->path = sq_text(s, 1, a);
    f->size = sqlite3_column_int64(s, 2);
    f->mtime_ms = sqlite3_column_int64(s, 3);
    if (sqlite3_column_count(s) > 4) {
        f->num_rows = sqlite3_column_int64(s, 4);
        f->stats_json = sq_text(s, 5, a);
        f->added_version = sqlite3_column_int64(s, 6);
        f->removed_version = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 7);
    } else {
        f->removed_version = -1;
    }
    if (f->path == NULL)
        return NULL;
    return f;
}

#define FILE_COLS "id, path, size, mtime_ms, num_rows, stats_json, added_version, removed_version"

int store_ds_files(cat_store *st, int64_t asset_id, int64_t version, const char *after_path,
                   int limit, os_arena *a, cat_page *page, os_err *err)
{
    DS_LIST(st, err, limit, make_file, a, page,
            "SELECT " FILE_COLS " FROM dataset_files WHERE asset_id=? AND path>? AND"
            " added_version<=? AND (removed_version IS NULL OR removed_version>?)"
            " ORDER BY path LIMIT ?",
            "isiin", asset_id, after_path ? after_path : "", version, version, limit + 1);
}

int store_ds_changes(cat_store *st, int64_t asset_id, int64_t version, int removed,
                     int64_t after_id, int limit, os_arena *a, cat_page *page, os_err *err)
{
    if (removed)
        DS_LIST(st, err, limit, make_file, a, page,
                "SELECT " FILE_COLS " FROM dataset_files WHERE asset_id=? AND removed_version=?"
                " AND id>? ORDER BY id LIMIT ?",
                "iiin", asset_id, version, after_id, limit + 1);
    DS_LIST(st, err, limit, make_file, a, page,
            "SELECT " FILE_COLS " FROM dataset_files WHERE asset_id=? AND added_version=?"
            " AND id>? ORDER BY id LIMIT ?",
            "iiin", asset_id, version, after_id, limit + 1);
}

int store_ds_live(cat_store *st, int64_t asset_id, os_arena *a, cat_page *page, os_err *err)
{
    DS_LIST(st, err, DS_LIST_MAX, make_file, a, page,
            "SELECT id, path, size, mtime_ms FROM dataset_files"
            " WHERE asset_id=? AND removed_version IS NULL ORDER BY path",
            "i", asset_id);
}

/* ---- footer cache ------------------------------------------------------------ */

static void *make_footer(sqlite3_stmt *s, os_arena *a)
{
    cat_footer *f = os_arena_alloc(a, sizeof *f);
    if (f == NULL)
        return NULL;
    f->num_rows = sqlite3_column_int64(s, 0);
    f->digest = sq_text(s, 1, a);
    f->schema_json = sq_text(s, 2, a);
    f->stats_json = sq_text(s, 3, a);
    return f->digest && f->schema_json && f->stats_json ? f : NULL;
}

int store_footer_get(cat_store *st, const char *uri, int64_t size, int64_t mtime_ms,
                     os_arena *a, cat_footer **out, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err,
                                 "SELECT f.num_rows, f.digest, s.schema_json, f.stats_json"
                                 " FROM footer_cache f JOIN dataset_schemas s ON s.id = f.schema_id"
                                 " WHERE f.uri=? AND f.size=? AND f.mtime_ms=?",
                                 "sii", uri, size, mtime_ms);
    return sq_fetch_one(st, db, s, make_footer, a, (void **)out, err);
}

int store_tx_footer_put(cat_tx *tx, const char *uri, int64_t size, int64_t mtime_ms,
                        const cat_footer *f, os_err *err)
{
    char digest[65];
    os_sha256_hex(f->schema_json, strlen(f->schema_json), digest);
    if (sq_exec(tx->db, err, "INSERT OR IGNORE INTO dataset_schemas(digest, schema_json) VALUES(?,?)",
                "ss", digest, f->schema_json) != 0)
        return -1;
    return sq_exec(tx->db, err,
                   "INSERT OR REPLACE INTO footer_cache(uri, size, mtime_ms, digest, num_rows,"
                   " schema_id, stats_json) SELECT ?, ?, ?, ?, ?, id, ? FROM dataset_schemas"
                   " WHERE digest=?",
                   "siisiss", uri, size, mtime_ms, f->digest, f->num_rows, f->stats_json, digest);
}

/* The smallest string greater than every string starting with prefix
 * (prefix with its last byte incremented; prefixes end in '/'). */
static char *prefix_end(const char *prefix, os_arena *a)
{
    char *e = os_arena_strdup(a, prefix);
    size_t n = e ? strlen(e) : 0;
    if (n)
        e[n - 1] = (char)(e[n - 1] + 1);
    return e;
}

int store_footer_keys(cat_store *st, const char *uri_prefix, os_arena *a, cat_page *page,
                      os_err *err)
{
    char *end = prefix_end(uri_prefix, a);
    if (end == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    DS_LIST(st, err, DS_LIST_MAX, make_file, a, page,
            "SELECT 0, substr(uri, ?), size, mtime_ms FROM footer_cache WHERE uri >= ? AND uri < ?"
            " ORDER BY uri",
            "nss", (int)strlen(uri_prefix) + 1, uri_prefix, end);
}

/* Binds and runs a prepared statement once per row; the caller finalizes. */
static int step_reset(sqlite3 *db, sqlite3_stmt *s, os_err *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq_fail(db, err, "writing");
}

int store_tx_footer_put_many(cat_tx *tx, const char *uri_prefix, const cat_ds_file *const *files,
                             const cat_footer *facts, size_t n, os_err *err)
{
    sqlite3_stmt *schema = sq_prepare(tx->db, err, "INSERT OR IGNORE INTO dataset_schemas(digest,"
                                      " schema_json) VALUES(?,?)", NULL);
    sqlite3_stmt *row = schema ? sq_prepare(tx->db, err,
                                            "INSERT OR REPLACE INTO footer_cache(uri, size, mtime_ms,"
                                            " digest, num_rows, schema_id, stats_json) SELECT ?1 || ?2,"
                                            " ?3, ?4, ?5, ?6, id, ?7 FROM dataset_schemas WHERE digest=?8",
                                            NULL) : NULL;
    int rc = row ? 0 : -1;
    char digest[65] = "";
    const char *prev = NULL;     /* files of a dataset mostly share one schema: intern it once */
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (prev == NULL || strcmp(prev, facts[i].schema_json) != 0) {
            os_sha256_hex(facts[i].schema_json, strlen(facts[i].schema_json), digest);
            sqlite3_bind_text(schema, 1, digest, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(schema, 2, facts[i].schema_json, -1, SQLITE_STATIC);
            rc = step_reset(tx->db, schema, err);
            if (rc != 0)
                break;
            prev = facts[i].schema_json;
        }
        sqlite3_bind_text(row, 1, uri_prefix, -1, SQLITE_STATIC);
        sqlite3_bind_text(row, 2, files[i]->path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(row, 3, files[i]->size);
        sqlite3_bind_int64(row, 4, files[i]->mtime_ms);
        sqlite3_bind_text(row, 5, facts[i].digest, -1, SQLITE_STATIC);
        sqlite3_bind_int64(row, 6, facts[i].num_rows);
        sqlite3_bind_text(row, 7, facts[i].stats_json, -1, SQLITE_STATIC);
        sqlite3_bind_text(row, 8, digest, -1, SQLITE_TRANSIENT);
        rc = step_reset(tx->db, row, err);
    }
    sqlite3_finalize(schema);
    sqlite3_finalize(row);
    return rc;
}

int store_tx_ds_add_many(cat_tx *tx, int64_t asset_id, const char *uri_prefix,
                         const cat_ds_file *files, size_t n, int64_t version, os_err *err)
{
    sqlite3_stmt *s = sq_prepare(tx->db, err,
                                 "INSERT INTO dataset_files(asset_id, path, size, mtime_ms, digest,"
                                 " num_rows, schema_id, stats_json, added_version) SELECT ?1, ?2, size,"
                                 " mtime_ms, digest, num_rows, schema_id, stats_json, ?3 FROM footer_cache"
                                 " WHERE uri = ?4 || ?2 AND size=?5 AND mtime_ms=?6",
                                 NULL);
    if (s == NULL)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        sqlite3_bind_int64(s, 1, asset_id);
        sqlite3_bind_text(s, 2, files[i].path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, version);
        sqlite3_bind_text(s, 4, uri_prefix, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, files[i].size);
        sqlite3_bind_int64(s, 6, files[i].mtime_ms);
        rc = step_reset(tx->db, s, err);
        if (rc == 0 && sqlite3_changes(tx->db) != 1)
            rc = os_err_set(err, OS_ENOTFOUND, "'%s': its footer is not in the cache", files[i].path);
    }
    sqlite3_finalize(s);
    return rc;
}

/* ---- recording a listing ----------------------------------------------------- */

int store_tx_ds_head(cat_tx *tx, int64_t asset_id, int64_t *version, os_err *err)
{
    sqlite3_stmt *s = sq_prepare(tx->db, err,
                                 "SELECT max(version) FROM dataset_versions WHERE asset_id=?", "i",
                                 asset_id);
    int found = sq_step_one(tx->db, s, err);
    if (found != 1)
        return found;
    found = sqlite3_column_type(s, 0) != SQLITE_NULL;
    if (found)
        *version = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return found;
}

int store_tx_ds_remove(cat_tx *tx, int64_t asset_id, const char *path, int64_t version,
                       os_err *err)
{
    return sq_exec(tx->db, err,
                   "UPDATE dataset_files SET removed_version=? WHERE asset_id=? AND path=?"
                   " AND removed_version IS NULL",
                   "iis", version, asset_id, path);
}

int store_tx_ds_add(cat_tx *tx, int64_t asset_id, const char *uri, const char *path, int64_t size,
                    int64_t mtime_ms, int64_t version, os_err *err)
{
    if (sq_exec(tx->db, err,
                "INSERT INTO dataset_files(asset_id, path, size, mtime_ms, digest, num_rows,"
                " schema_id, stats_json, added_version) SELECT ?, ?, size, mtime_ms, digest,"
                " num_rows, schema_id, stats_json, ? FROM footer_cache"
                " WHERE uri=? AND size=? AND mtime_ms=?",
                "isisii", asset_id, path, version, uri, size, mtime_ms) != 0)
        return -1;
    if (sqlite3_changes(tx->db) != 1)
        return os_err_set(err, OS_ENOTFOUND, "'%s': its footer is not in the cache", path);
    return 0;
}

static void *make_schema(sqlite3_stmt *s, os_arena *a)
{
    cat_ds_schema *x = os_arena_alloc(a, sizeof *x);
    if (x == NULL)
        return NULL;
    x->schema_json = sq_text(s, 0, a);
    x->first_path = sq_text(s, 1, a);
    return x->schema_json && x->first_path ? x : NULL;
}

int store_tx_ds_schemas(cat_tx *tx, int64_t asset_id, os_arena *a, cat_page *page, os_err *err)
{
    return sq_collect(tx->db,
                      sq_prepare(tx->db, err,
                                 "SELECT s.schema_json, min(f.path) AS first FROM dataset_files f"
                                 " JOIN dataset_schemas s ON s.id = f.schema_id"
                                 " WHERE f.asset_id=? AND f.removed_version IS NULL"
                                 " GROUP BY f.schema_id ORDER BY first",
                                 "i", asset_id),
                      DS_LIST_MAX, make_schema, a, page, err);
}

int store_tx_ds_version_put(cat_tx *tx, int64_t asset_id, const cat_ds_version *v, os_err *err)
{
    return sq_exec(tx->db, err,
                   "INSERT INTO dataset_versions(asset_id, version, timestamp_ms, num_files,"
                   " schema_string, partition_columns_json) VALUES(?,?,?,?,?,?)",
                   "iiiiss", asset_id, v->version, v->timestamp_ms, v->num_files, v->schema_string,
                   v->partition_columns_json);
}

int store_tx_ds_listed(cat_tx *tx, int64_t asset_id, int64_t listed_ms, os_err *err)
{
    return sq_exec(tx->db, err,
                   "INSERT INTO dataset_state(asset_id, listed_ms) VALUES(?,?)"
                   " ON CONFLICT(asset_id) DO UPDATE SET listed_ms=excluded.listed_ms",
                   "ii", asset_id, listed_ms);
}
