/* store_sqlite_int.h - private to the SQLite store: connection pool and statement helpers. */
#ifndef OS_CATALOG_STORE_SQLITE_INT_H
#define OS_CATALOG_STORE_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "catalog/store.h"
#include "catalog/store_view.h"

#define STORE_POOL_MAX 8

struct cat_store {
    char *path;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    sqlite3 *idle[STORE_POOL_MAX];
    int nidle;
    int nopen;
    int version;
    int busy_ms;                  /* how long a connection waits for another writer */
    /* The in-memory view recipient reads are answered from (store_sqlite_view.c). */
    pthread_mutex_t view_lock;    /* guards the view pointer while a reference is taken */
    pthread_mutex_t view_build;   /* one refresh at a time */
    store_view *view;
    int view_dirty;               /* set after a catalog write commits here */
    int64_t view_next_check_ms;   /* when to ask the database about other processes' writes */
};

struct cat_tx {
    cat_store *st;
    sqlite3 *db;
    int audit_only;               /* writes only the audit log: the catalog view stays valid */
};

/* Borrows a connection (opening one when the pool allows, else waiting).
 * Returns NULL with err filled when a connection cannot be opened. */
sqlite3 *sq_acquire(cat_store *st, os_err *err);
/* Returns a connection to the pool. */
void sq_release(cat_store *st, sqlite3 *db);

/* Prepares sql and binds arguments described by `types`, one letter each:
 *   's' const char* (NULL binds NULL), 'i' int64_t, 'n' int (as integer).
 * Returns the statement or NULL with err filled. */
sqlite3_stmt *sq_prepare(sqlite3 *db, os_err *err, const char *sql, const char *types, ...);
/* Runs a statement that returns no rows, then finalizes it.  SQLITE_CONSTRAINT
 * becomes OS_EEXIST, anything else OS_EIO. */
int sq_exec(sqlite3 *db, os_err *err, const char *sql, const char *types, ...);
/* Copies column i as text into the arena (NULL for SQL NULL). */
const char *sq_text(sqlite3_stmt *s, int i, os_arena *a);
/* Fills err from the connection's last error. */
int sq_fail(sqlite3 *db, os_err *err, const char *what);

/* Builds one row's value in the arena from the current row of s; NULL means
 * out of memory. */
typedef void *(*sq_row_fn)(sqlite3_stmt *s, os_arena *a);
/* Runs a listing statement (NULL: its prepare failed, err already set) and
 * collects up to `limit` rows built by make into page (arena memory); one
 * more row only sets page->more.  Always finalizes s.  Returns 0, or -1 with
 * err (OS_ENOMEM, or the SQLite error) and page emptied. */
int sq_collect(sqlite3 *db, sqlite3_stmt *s, int limit, sq_row_fn make, os_arena *a,
               cat_page *page, os_err *err);
/* Steps a single-row lookup (s NULL: its prepare failed, err already set).
 * Returns 1 with s positioned on the row (the caller finalizes), 0 when there
 * is no row, -1 with err; s is finalized in those two cases. */
int sq_step_one(sqlite3 *db, sqlite3_stmt *s, os_err *err);
/* sq_step_one(), then builds the row with make, finalizes s and returns db
 * to st's pool.  Returns 1 with *out set, 0 when there is no such row (the
 * caller words the OS_ENOTFOUND), -1 with err (OS_ENOMEM when make fails). */
int sq_fetch_one(cat_store *st, sqlite3 *db, sqlite3_stmt *s, sq_row_fn make, os_arena *a,
                 void **out, os_err *err);

/* Row builders shared by the queries and the view loader: each builds one
 * row of the matching SELECT below in the arena, NULL when out of memory. */
#define SQ_LOCATION_SELECT "SELECT id, name, uri, secret_ref, options_json FROM locations "
#define SQ_RECIPIENT_SELECT "SELECT id, name, uuid, comment, ip_allow_json FROM recipients "
#define SQ_SHARE_COLS "s.id, s.name, s.uuid, s.display_name, s.comment, s.properties_json"
#define SQ_SCHEMA_SELECT_KEY \
    "SELECT c.id, c.share_id, c.name, s.name, c.name_key FROM schemas c JOIN shares s ON s.id = c.share_id "
#define SQ_ASSET_SELECT_KEY                                                                      \
    "SELECT a.id, a.kind, a.schema_id, a.name, a.uuid, s.name, s.uuid, c.name, a.location,"      \
    " a.comment, a.format, a.aux_locations_json, a.history_shared, a.description,"              \
    " a.license, a.compatibility, a.allowed_tools, a.metadata_json, a.metadata_location,"       \
    " a.partition_columns_json, a.name_key FROM assets a JOIN schemas c ON c.id = a.schema_id JOIN shares s ON s.id = c.share_id "
void *sq_make_location(sqlite3_stmt *s, os_arena *a);
void *sq_make_recipient(sqlite3_stmt *s, os_arena *a);
void *sq_make_share(sqlite3_stmt *s, os_arena *a);
void *sq_make_schema(sqlite3_stmt *s, os_arena *a);
void *sq_make_asset(sqlite3_stmt *s, os_arena *a);

/* The current catalog view with a reference held (release with
 * sq_view_put), refreshed first when a write here marked it stale or when
 * another process changed the catalog (checked at most once a second).
 * Returns NULL with err when it cannot be loaded. */
store_view *sq_view_get(cat_store *st, os_err *err);
/* Drops a reference; frees the view when it was the last.  NULL is a no-op. */
void sq_view_put(store_view *v);
/* Marks the view stale: the next reader reloads it. */
void sq_view_invalidate(cat_store *st);
/* Drops the store's own view (store_close). */
void sq_view_close(cat_store *st);

#endif
