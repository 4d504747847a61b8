/* store_sqlite.c - the SQLite catalog: opening, migrations, the connection pool and transactions. */
#include "catalog/store_sqlite_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

/* Numbered migrations: migration N takes the schema from version N-1 to N.
 * Never edit a released migration; append a new one. */
static const char *const MIGRATIONS[] = {
    /* 1: the whole model */
    "CREATE TABLE locations ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE,"
    "  uri TEXT NOT NULL, secret_ref TEXT, options_json TEXT, cfg_gen INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL, created_by TEXT, updated_ms INTEGER, updated_by TEXT);"
    "CREATE TABLE shares ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE,"
    "  uuid TEXT NOT NULL UNIQUE, display_name TEXT, comment TEXT, properties_json TEXT,"
    "  cfg_gen INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL, created_by TEXT,"
    "  updated_ms INTEGER, updated_by TEXT);"
    "CREATE TABLE schemas ("
    "  id INTEGER PRIMARY KEY, share_id INTEGER NOT NULL REFERENCES shares(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, name_key TEXT NOT NULL, cfg_gen INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(share_id, name_key));"
    "CREATE TABLE assets ("
    "  id INTEGER PRIMARY KEY, schema_id INTEGER NOT NULL REFERENCES schemas(id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, uuid TEXT NOT NULL UNIQUE,"
    "  location TEXT, comment TEXT, format TEXT, aux_locations_json TEXT,"
    "  history_shared INTEGER NOT NULL DEFAULT 0, description TEXT, license TEXT,"
    "  compatibility TEXT, allowed_tools TEXT, metadata_json TEXT,"
    "  cfg_gen INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL, created_by TEXT,"
    "  updated_ms INTEGER, updated_by TEXT, UNIQUE(schema_id, name_key));"
    "CREATE INDEX assets_kind ON assets(kind, schema_id, name_key);"
    "CREATE TABLE model_versions ("
    "  id INTEGER PRIMARY KEY, model_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
    "  version INTEGER NOT NULL, status TEXT NOT NULL, location TEXT NOT NULL, uuid TEXT NOT NULL,"
    "  source TEXT, run_id TEXT, comment TEXT, cfg_gen INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(model_id, version));"
    "CREATE TABLE model_aliases ("
    "  id INTEGER PRIMARY KEY, model_id INTEGER NOT NULL, alias TEXT NOT NULL,"
    "  alias_key TEXT NOT NULL, version INTEGER NOT NULL, cfg_gen INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(model_id, alias_key),"
    "  FOREIGN KEY(model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE);"
    "CREATE TABLE recipients ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE,"
    "  uuid TEXT NOT NULL UNIQUE, comment TEXT, ip_allow_json TEXT, properties_json TEXT,"
    "  token_lifetime_s INTEGER, cfg_gen INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,"
    "  created_by TEXT, updated_ms INTEGER, updated_by TEXT);"
    "CREATE TABLE tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,"
    "  hash TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL DEFAULT 0,"
    "  revoked_ms INTEGER NOT NULL DEFAULT 0, source TEXT NOT NULL);"
    "CREATE TABLE grants ("
    "  share_id INTEGER NOT NULL REFERENCES shares(id) ON DELETE CASCADE,"
    "  recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,"
    "  cfg_gen INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL, created_by TEXT,"
    "  PRIMARY KEY(share_id, recipient_id));"
    "CREATE INDEX grants_recipient ON grants(recipient_id, share_id);"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 2: provider administration - admin principals (their own table, so a
     * recipient token can never act as an admin), single-use activation
     * links, the recipient audit log, the admin change log, asset source
     * names (an asset's row name is the alias recipients see) and token
     * supersession. */
    "CREATE TABLE admins ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE,"
    "  token_hash TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL, updated_ms INTEGER);"
    "CREATE TABLE activations ("
    "  id INTEGER PRIMARY KEY,"
    "  recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,"
    "  code_hash TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL,"
    "  used_ms INTEGER NOT NULL DEFAULT 0, token_id INTEGER, created_by TEXT);"
    "CREATE INDEX activations_recipient ON activations(recipient_id);"
    "CREATE TABLE audit_events ("
    "  id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, recipient_id INTEGER, recipient TEXT,"
    "  share TEXT, schema_name TEXT, asset TEXT, operation TEXT NOT NULL, method TEXT, path TEXT,"
    "  status INTEGER NOT NULL, files INTEGER NOT NULL DEFAULT 0,"
    "  credentials INTEGER NOT NULL DEFAULT 0, client_ip TEXT, user_agent TEXT);"
    "CREATE INDEX audit_time ON audit_events(time_ms);"
    "CREATE TABLE admin_events ("
    "  id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, actor TEXT NOT NULL,"
    "  action TEXT NOT NULL, target TEXT NOT NULL);"
    "ALTER TABLE assets ADD COLUMN source_name TEXT;"
    "ALTER TABLE tokens ADD COLUMN superseded_ms INTEGER NOT NULL DEFAULT 0;",
    /* 3: Iceberg tables may name their metadata file (relative to the table). */
    "ALTER TABLE assets ADD COLUMN metadata_location TEXT;",
    /* 4: the snapshot an Iceberg REST request read, in its audit record. */
    "ALTER TABLE audit_events ADD COLUMN snapshot_id INTEGER;",
    /* 5: the catalog generation: every change of a catalog table bumps it,
     * so a server's in-memory view (store_sqlite_view.c) notices changes made
     * by other processes.  The audit and admin logs do not count, nor does a
     * token's last use (recorded by the audit writer, at most once a minute). */
    "ALTER TABLE tokens ADD COLUMN last_used_ms INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE catalog_gen (id INTEGER PRIMARY KEY CHECK (id = 1), gen INTEGER NOT NULL);"
    "INSERT INTO catalog_gen VALUES (1, 0);"
    "CREATE TRIGGER locations_gen_i AFTER INSERT ON locations BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER locations_gen_u AFTER UPDATE ON locations BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER locations_gen_d AFTER DELETE ON locations BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER shares_gen_i AFTER INSERT ON shares BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER shares_gen_u AFTER UPDATE ON shares BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER shares_gen_d AFTER DELETE ON shares BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER schemas_gen_i AFTER INSERT ON schemas BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER schemas_gen_u AFTER UPDATE ON schemas BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER schemas_gen_d AFTER DELETE ON schemas BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER assets_gen_i AFTER INSERT ON assets BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER assets_gen_u AFTER UPDATE ON assets BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER assets_gen_d AFTER DELETE ON assets BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER model_versions_gen_i AFTER INSERT ON model_versions BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER model_versions_gen_u AFTER UPDATE ON model_versions BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER model_versions_gen_d AFTER DELETE ON model_versions BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER model_aliases_gen_i AFTER INSERT ON model_aliases BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER model_aliases_gen_u AFTER UPDATE ON model_aliases BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER model_aliases_gen_d AFTER DELETE ON model_aliases BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER recipients_gen_i AFTER INSERT ON recipients BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER recipients_gen_u AFTER UPDATE ON recipients BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER recipients_gen_d AFTER DELETE ON recipients BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER tokens_gen_i AFTER INSERT ON tokens BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER tokens_gen_u AFTER UPDATE OF recipient_id, hash, created_ms, expires_ms,"
    " revoked_ms, source, superseded_ms ON tokens BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER tokens_gen_d AFTER DELETE ON tokens BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER grants_gen_i AFTER INSERT ON grants BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER grants_gen_u AFTER UPDATE ON grants BEGIN UPDATE catalog_gen SET gen = gen + 1; END;"
    "CREATE TRIGGER grants_gen_d AFTER DELETE ON grants BEGIN UPDATE catalog_gen SET gen = gen + 1; END;",
    /* 6: downloads through local signed URLs name the file and the bytes sent. */
    ("ALTER TABLE audit_events ADD COLUMN file TEXT;"
     "ALTER TABLE audit_events ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;"),
    /* 7: Parquet datasets - declared partition column types, the recorded
     * versions (re-listings that found a change) with their schema, the
     * inventory of files (each row live from added_version until
     * removed_version), the time of the last listing, and the footer cache
     * keyed by file URI, size and modification time (schemas interned). */
    "ALTER TABLE assets ADD COLUMN partition_columns_json TEXT;"
    "CREATE TABLE dataset_schemas ("
    "  id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, schema_json TEXT NOT NULL);"
    "CREATE TABLE footer_cache ("
    "  uri TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms INTEGER NOT NULL, digest TEXT NOT NULL,"
    "  num_rows INTEGER NOT NULL, schema_id INTEGER NOT NULL REFERENCES dataset_schemas(id),"
    "  stats_json TEXT NOT NULL, PRIMARY KEY(uri, size, mtime_ms));"
    "CREATE TABLE dataset_versions ("
    "  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
    "  version INTEGER NOT NULL, timestamp_ms INTEGER NOT NULL, num_files INTEGER NOT NULL,"
    "  schema_string TEXT NOT NULL, partition_columns_json TEXT NOT NULL,"
    "  PRIMARY KEY(asset_id, version));"
    "CREATE TABLE dataset_files ("
    "  id INTEGER PRIMARY KEY, asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
    "  path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms INTEGER NOT NULL, digest TEXT NOT NULL,"
    "  num_rows INTEGER NOT NULL, schema_id INTEGER NOT NULL, stats_json TEXT NOT NULL,"
    "  added_version INTEGER NOT NULL, removed_version INTEGER);"
    "CREATE INDEX dataset_files_path ON dataset_files(asset_id, path);"
    "CREATE INDEX dataset_files_added ON dataset_files(asset_id, added_version);"
    "CREATE INDEX dataset_files_removed ON dataset_files(asset_id, removed_version)"
    "  WHERE removed_version IS NOT NULL;"
    "CREATE TABLE dataset_state ("
    "  asset_id INTEGER PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,"
    "  listed_ms INTEGER NOT NULL);",
};
#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

int sq_fail(sqlite3 *db, os_err *err, const char *what)
{
    int code = sqlite3_extended_errcode(db);
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        return os_err_set(err, OS_EBUSY,
                          "the catalog is busy (another process holds its write lock); retry shortly");
    os_code c = (code & 0xff) == SQLITE_CONSTRAINT ? OS_EEXIST : OS_EIO;
    return os_err_set(err, c, "catalog: %s: %s", what, sqlite3_errmsg(db));
}

static sqlite3 *open_connection(const char *path, int busy_ms, os_err *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        os_err_set(err, OS_EIO, "cannot open catalog %s: %s", path,
                   db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    /* Writers wait for each other instead of failing at once. */
    sqlite3_busy_timeout(db, busy_ms);
    char *msg = NULL;
    rc = sqlite3_exec(db,
                      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        os_err_set(err, OS_EIO, "cannot configure catalog %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static int migrate(sqlite3 *db, int *version, os_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return sq_fail(db, err, "reading schema version");
    }
    int v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (v > NMIGRATIONS)
        return os_err_set(err, OS_EUNSUPPORTED,
                          "catalog schema version %d is newer than this server (%d); upgrade the server",
                          v, NMIGRATIONS);
    for (; v < NMIGRATIONS; v++) {
        char *msg = NULL;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d;", v + 1);
        /* Each migration and its version bump commit together. */
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, MIGRATIONS[v], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            os_err_set(err, OS_EIO, "catalog migration %d failed: %s", v + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
        os_log(OS_LOG_INFO, "catalog: applied migration %d", v + 1);
    }
    *version = v;
    return 0;
}

cat_store *store_open(const char *path, os_err *err)
{
    cat_store *st = calloc(1, sizeof *st);
    if (st == NULL || (st->path = strdup(path)) == NULL) {
        free(st);
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->freed, NULL);
    pthread_mutex_init(&st->view_lock, NULL);
    pthread_mutex_init(&st->view_build, NULL);
    st->busy_ms = STORE_BUSY_MS_DEFAULT;
    sqlite3 *db = open_connection(path, st->busy_ms, err);
    if (db == NULL || migrate(db, &st->version, err) != 0) {
        sqlite3_close(db);
        store_close(st);
        return NULL;
    }
    st->idle[st->nidle++] = db;
    st->nopen = 1;
    return st;
}

void store_close(cat_store *st)
{
    if (st == NULL)
        return;
    sq_view_close(st);
    for (int i = 0; i < st->nidle; i++)
        sqlite3_close(st->idle[i]);
    pthread_mutex_destroy(&st->view_build);
    pthread_mutex_destroy(&st->view_lock);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->freed);
    free(st->path);
    free(st);
}

void store_set_busy_timeout(cat_store *st, int ms)
{
    __atomic_store_n(&st->busy_ms, ms, __ATOMIC_RELAXED);
    pthread_mutex_lock(&st->lock);
    for (int i = 0; i < st->nidle; i++)
        sqlite3_busy_timeout(st->idle[i], ms);
    pthread_mutex_unlock(&st->lock);
}

int store_schema_version(cat_store *st)
{
    return st->version;
}

sqlite3 *sq_acquire(cat_store *st, os_err *err)
{
    pthread_mutex_lock(&st->lock);
    for (;;) {
        if (st->nidle > 0) {
            sqlite3 *db = st->idle[--st->nidle];
            pthread_mutex_unlock(&st->lock);
            return db;
        }
        if (st->nopen < STORE_POOL_MAX) {
            st->nopen++;
            pthread_mutex_unlock(&st->lock);
            int busy_ms = __atomic_load_n(&st->busy_ms, __ATOMIC_RELAXED);
            sqlite3 *db = open_connection(st->path, busy_ms, err);
            if (db == NULL) {
                pthread_mutex_lock(&st->lock);
                st->nopen--;
                pthread_mutex_unlock(&st->lock);
            }
            return db;
        }
        pthread_cond_wait(&st->freed, &st->lock);
    }
}

void sq_release(cat_store *st, sqlite3 *db)
{
    pthread_mutex_lock(&st->lock);
    st->idle[st->nidle++] = db;
    pthread_cond_signal(&st->freed);
    pthread_mutex_unlock(&st->lock);
}

static sqlite3_stmt *sq_vprepare(sqlite3 *db, os_err *err, const char *sql, const char *types,
                                 va_list ap)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        sq_fail(db, err, "preparing a statement");
        return NULL;
    }
    for (int i = 0; types && types[i]; i++) {
        int rc;
        switch (types[i]) {
        case 's': {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(s, i + 1, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i + 1);
            break;
        }
        case 'i':
            rc = sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
            break;
        case 'n':
            rc = sqlite3_bind_int(s, i + 1, va_arg(ap, int));
            break;
        default:
            rc = SQLITE_MISUSE;
        }
        if (rc != SQLITE_OK) {
            sq_fail(db, err, "binding a parameter");
            sqlite3_finalize(s);
            return NULL;
        }
    }
    return s;
}

sqlite3_stmt *sq_prepare(sqlite3 *db, os_err *err, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *s = sq_vprepare(db, err, sql, types, ap);
    va_end(ap);
    return s;
}

int sq_exec(sqlite3 *db, os_err *err, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *s = sq_vprepare(db, err, sql, types, ap);
    va_end(ap);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_fail(db, err, "writing");
    return 0;
}

const char *sq_text(sqlite3_stmt *s, int i, os_arena *a)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return NULL;
    const char *t = (const char *)sqlite3_column_text(s, i);
    return os_arena_strndup(a, t, (size_t)sqlite3_column_bytes(s, i));
}

int sq_collect(sqlite3 *db, sqlite3_stmt *s, int limit, sq_row_fn make, os_arena *a,
               cat_page *page, os_err *err)
{
    memset(page, 0, sizeof *page);
    if (s == NULL)
        return -1;
    /* Grown by doubling: limits run to 100000 while most listings are short. */
    size_t cap = 16;
    page->items = os_arena_alloc(a, cap * sizeof(void *));
    int rc = SQLITE_NOMEM;
    while (page->items != NULL && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (page->count >= limit) {
            page->more = 1;
            break;
        }
        if ((size_t)page->count == cap) {
            void **bigger = os_arena_alloc(a, cap * 2 * sizeof(void *));
            if (bigger == NULL) {
                page->items = NULL;
                break;
            }
            memcpy(bigger, page->items, cap * sizeof(void *));
            page->items = bigger;
            cap *= 2;
        }
        void *item = make(s, a);
        if (item == NULL) {
            page->items = NULL;
            break;
        }
        page->items[page->count++] = item;
    }
    sqlite3_finalize(s);
    if (page->items == NULL) {
        memset(page, 0, sizeof *page);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        memset(page, 0, sizeof *page);
        return sq_fail(db, err, "listing");
    }
    return 0;
}

int sq_step_one(sqlite3 *db, sqlite3_stmt *s, os_err *err)
{
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return 1;
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(db, err, "lookup");
}

int sq_fetch_one(cat_store *st, sqlite3 *db, sqlite3_stmt *s, sq_row_fn make, os_arena *a,
                 void **out, os_err *err)
{
    int found = sq_step_one(db, s, err);
    if (found == 1) {
        *out = make(s, a);
        sqlite3_finalize(s);
    }
    sq_release(st, db);
    if (found == 1 && *out == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return found;
}

int store_ping(cat_store *st, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err, "SELECT count(*) FROM settings", NULL);
    int rc = s ? sqlite3_step(s) : SQLITE_ERROR;
    sqlite3_finalize(s);
    int ok = rc == SQLITE_ROW ? 0 : (s ? sq_fail(db, err, "ping") : -1);
    sq_release(st, db);
    return ok;
}

cat_tx *store_tx_begin(cat_store *st, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        sq_fail(db, err, "starting a transaction");
        sq_release(st, db);
        return NULL;
    }
    cat_tx *tx = calloc(1, sizeof *tx);
    if (tx == NULL) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        sq_release(st, db);
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    tx->st = st;
    tx->db = db;
    return tx;
}

int store_tx_commit(cat_tx *tx, os_err *err)
{
    int rc = 0;
    if (sqlite3_exec(tx->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = sq_fail(tx->db, err, "committing");
        sqlite3_exec(tx->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sq_release(tx->st, tx->db);
    if (rc == 0 && !tx->audit_only)
        sq_view_invalidate(tx->st);
    free(tx);
    return rc;
}

void store_tx_rollback(cat_tx *tx)
{
    if (tx == NULL)
        return;
    sqlite3_exec(tx->db, "ROLLBACK", NULL, NULL, NULL);
    sq_release(tx->st, tx->db);
    free(tx);
}
