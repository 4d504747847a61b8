/* store_sqlite_view.c - builds the catalog's in-memory view from SQLite and swaps in a new one when the catalog changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "catalog/store_sqlite_int.h"

/* How often a reader asks the database whether another process changed the
 * catalog.  Changes made through this process are seen at once. */
#define VIEW_RECHECK_MS 1000

/* Reads the catalog generation (bumped by triggers on every catalog table). */
static int read_gen(sqlite3 *db, int64_t *gen, os_err *err)
{
    sqlite3_stmt *s = sq_prepare(db, err, "SELECT gen FROM catalog_gen WHERE id = 1", NULL);
    int found = sq_step_one(db, s, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return os_err_set(err, OS_ECORRUPT, "catalog: the generation row is missing");
    *gen = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return 0;
}

static int count_rows(sqlite3 *db, const char *table, size_t *n, os_err *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *s = sq_prepare(db, err, sql, NULL);
    if (sq_step_one(db, s, err) != 1)
        return -1;
    *n = (size_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return 0;
}

/* Runs sql and calls each(row) for every row; stops at `max` rows (the count
 * read before in the same transaction, so more means the rows changed under
 * us, which a read transaction rules out). */
static int each_row(sqlite3 *db, const char *sql, size_t max, int (*each)(sqlite3_stmt *, void *,
                    size_t), void *ctx, os_err *err)
{
    sqlite3_stmt *s = sq_prepare(db, err, sql, NULL);
    if (s == NULL)
        return -1;
    int rc;
    size_t i = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (i >= max || each(s, ctx, i) != 0) {
            sqlite3_finalize(s);
            return os_err_set(err, i >= max ? OS_ECORRUPT : OS_ENOMEM,
                              i >= max ? "catalog cache: rows changed while loading"
                                       : "catalog cache: out of memory");
        }
        i++;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return sq_fail(db, err, "loading the catalog cache");
    return 0;
}

static int row_location(sqlite3_stmt *s, void *ctx, size_t i)
{
    store_view *v = ctx;
    cat_location *l = sq_make_location(s, &v->arena);
    if (l == NULL)
        return -1;
    v->locations[i] = *l;
    v->nlocations = i + 1;
    return 0;
}

static int row_token(sqlite3_stmt *s, void *ctx, size_t i)
{
    store_view *v = ctx;
    cat_token *t = &v->tokens[i];
    t->id = sqlite3_column_int64(s, 0);
    t->recipient_id = sqlite3_column_int64(s, 1);
    const char *h = (const char *)sqlite3_column_text(s, 2);
    snprintf(t->hash_hex, sizeof t->hash_hex, "%s", h ? h : "");
    t->created_ms = sqlite3_column_int64(s, 3);
    t->expires_ms = sqlite3_column_int64(s, 4);
    t->revoked_ms = sqlite3_column_int64(s, 5);
    v->ntokens = i + 1;
    return 0;
}

static int row_recipient(sqlite3_stmt *s, void *ctx, size_t i)
{
    store_view *v = ctx;
    cat_recipient *r = sq_make_recipient(s, &v->arena);
    if (r == NULL)
        return -1;
    v->recipients[i].row = *r;
    v->nrecipients = i + 1;
    return 0;
}

/* The key is the last column of every share, schema and asset query below. */
static int row_share(sqlite3_stmt *s, void *ctx, size_t i)
{
    store_view *v = ctx;
    cat_share *sh = sq_make_share(s, &v->arena);
    const char *key = sq_text(s, sqlite3_column_count(s) - 1, &v->arena);
    if (sh == NULL || key == NULL)
        return -1;
    v->shares[i].row = *sh;
    v->shares[i].key = key;
    v->nshares = i + 1;
    return 0;
}

static int row_schema(sqlite3_stmt *s, void *ctx, size_t i)
{
    store_view *v = ctx;
    cat_schema *sc = sq_make_schema(s, &v->arena);
    const char *key = sq_text(s, sqlite3_column_count(s) - 1, &v->arena);
    if (sc == NULL || key == NULL)
        return -1;
    v->schemas[i].row = *sc;
    v->schemas[i].key = key;
    v->nschemas = i + 1;
    return 0;
}

static int row_asset(sqlite3_stmt *s, void *ctx, size_t i)
{
    store_view *v = ctx;
    cat_asset *x = sq_make_asset(s, &v->arena);
    const char *key = sq_text(s, sqlite3_column_count(s) - 1, &v->arena);
    if (x == NULL || key == NULL)
        return -1;
    v->assets[i].row = *x;
    v->assets[i].key = key;
    v->nassets = i + 1;
    return 0;
}

/* Allocates n zeroed elements (at least one, so an empty table is not NULL). */
static void *rows_alloc(store_view *v, size_t n, size_t size)
{
    return os_arena_alloc(&v->arena, (n ? n : 1) * size);
}

static int load_rows(sqlite3 *db, store_view *v, os_err *err)
{
    size_t nloc, ntok, nrec, nsh, nsc, nas;
    if (read_gen(db, &v->gen, err) != 0 || count_rows(db, "locations", &nloc, err) != 0 ||
        count_rows(db, "tokens", &ntok, err) != 0 || count_rows(db, "recipients", &nrec, err) != 0 ||
        count_rows(db, "shares", &nsh, err) != 0 || count_rows(db, "schemas", &nsc, err) != 0 ||
        count_rows(db, "assets", &nas, err) != 0)
        return -1;
    v->locations = rows_alloc(v, nloc, sizeof *v->locations);
    v->tokens = rows_alloc(v, ntok, sizeof *v->tokens);
    v->recipients = rows_alloc(v, nrec, sizeof *v->recipients);
    v->shares = rows_alloc(v, nsh, sizeof *v->shares);
    v->schemas = rows_alloc(v, nsc, sizeof *v->schemas);
    v->assets = rows_alloc(v, nas, sizeof *v->assets);
    if (!v->locations || !v->tokens || !v->recipients || !v->shares || !v->schemas || !v->assets)
        return os_err_set(err, OS_ENOMEM, "catalog cache: out of memory");
    if (each_row(db, SQ_LOCATION_SELECT "ORDER BY name_key", nloc, row_location, v, err) != 0 ||
        each_row(db,
                 "SELECT id, recipient_id, hash, created_ms, expires_ms, revoked_ms FROM tokens "
                 "ORDER BY hash",
                 ntok, row_token, v, err) != 0 ||
        each_row(db, SQ_RECIPIENT_SELECT "ORDER BY id", nrec, row_recipient, v, err) != 0 ||
        each_row(db, "SELECT " SQ_SHARE_COLS ", s.name_key FROM shares s ORDER BY s.name_key", nsh,
                 row_share, v, err) != 0 ||
        each_row(db, SQ_SCHEMA_SELECT_KEY "ORDER BY s.name_key, c.name_key", nsc, row_schema, v,
                 err) != 0 ||
        each_row(db, SQ_ASSET_SELECT_KEY "ORDER BY s.name_key, c.name_key, a.name_key", nas,
                 row_asset, v, err) != 0)
        return -1;
    if (store_view_index(v, err) != 0)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err,
                                 "SELECT g.recipient_id, g.share_id FROM grants g "
                                 "JOIN shares s ON s.id = g.share_id "
                                 "ORDER BY g.recipient_id, s.name_key", NULL);
    if (s == NULL)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (store_view_grant(v, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), err) != 0) {
            sqlite3_finalize(s);
            return -1;
        }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return sq_fail(db, err, "loading the catalog cache");
    return 0;
}

/* Builds a view from one read transaction (a consistent snapshot). */
static store_view *view_load(cat_store *st, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return NULL;
    store_view *v = calloc(1, sizeof *v);
    if (v == NULL) {
        sq_release(st, db);
        os_err_set(err, OS_ENOMEM, "catalog cache: out of memory");
        return NULL;
    }
    int rc = -1;
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        sq_fail(db, err, "starting to load the catalog cache");
    else {
        rc = load_rows(db, v, err);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    sq_release(st, db);
    if (rc != 0) {
        store_view_free(v);
        return NULL;
    }
    v->refs = 1;   /* the store's own reference */
    return v;
}

void sq_view_put(store_view *v)
{
    if (v != NULL && __atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) == 0)
        store_view_free(v);
}

/* The current view with a reference taken, or NULL. */
static store_view *view_ref(cat_store *st)
{
    pthread_mutex_lock(&st->view_lock);
    store_view *v = st->view;
    if (v != NULL)
        __atomic_add_fetch(&v->refs, 1, __ATOMIC_ACQ_REL);
    pthread_mutex_unlock(&st->view_lock);
    return v;
}

store_view *sq_view_get(cat_store *st, os_err *err)
{
    int64_t now = os_mono_ms();
    if (!__atomic_load_n(&st->view_dirty, __ATOMIC_ACQUIRE) &&
        now < __atomic_load_n(&st->view_next_check_ms, __ATOMIC_ACQUIRE)) {
        store_view *v = view_ref(st);
        if (v != NULL)
            return v;
    }
    /* One thread refreshes; the others wait for its result rather than load
     * the same rows again. */
    pthread_mutex_lock(&st->view_build);
    int dirty = __atomic_load_n(&st->view_dirty, __ATOMIC_ACQUIRE);
    int stale = dirty || st->view == NULL;
    if (!stale && now >= __atomic_load_n(&st->view_next_check_ms, __ATOMIC_ACQUIRE)) {
        /* Another process may have written: compare generations. */
        int64_t gen = 0;
        sqlite3 *db = sq_acquire(st, err);
        int rc = db ? read_gen(db, &gen, err) : -1;
        if (db)
            sq_release(st, db);
        if (rc != 0) {
            pthread_mutex_unlock(&st->view_build);
            return NULL;
        }
        stale = gen != st->view->gen;
        if (!stale)
            __atomic_store_n(&st->view_next_check_ms, os_mono_ms() + VIEW_RECHECK_MS,
                             __ATOMIC_RELEASE);
    }
    if (stale) {
        /* Cleared before reading, so a write committed while loading marks
         * the new view dirty again instead of being missed. */
        __atomic_store_n(&st->view_dirty, 0, __ATOMIC_RELEASE);
        store_view *fresh = view_load(st, err);
        if (fresh == NULL) {
            __atomic_store_n(&st->view_dirty, 1, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&st->view_build);
            return NULL;
        }
        pthread_mutex_lock(&st->view_lock);
        store_view *old = st->view;
        st->view = fresh;
        pthread_mutex_unlock(&st->view_lock);
        sq_view_put(old);
        __atomic_store_n(&st->view_next_check_ms, os_mono_ms() + VIEW_RECHECK_MS,
                         __ATOMIC_RELEASE);
    }
    store_view *v = view_ref(st);
    pthread_mutex_unlock(&st->view_build);
    return v;
}

void sq_view_invalidate(cat_store *st)
{
    __atomic_store_n(&st->view_dirty, 1, __ATOMIC_RELEASE);
}

void sq_view_close(cat_store *st)
{
    sq_view_put(st->view);
    st->view = NULL;
}

int store_generation(cat_store *st, int64_t *gen, os_err *err)
{
    store_view *v = sq_view_get(st, err);
    if (v == NULL)
        return -1;
    *gen = v->gen;
    sq_view_put(v);
    return 0;
}
