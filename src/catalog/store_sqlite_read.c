/* store_sqlite_read.c - the catalog's read queries: lookups and keyset-paged listings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/names.h"
#include "catalog/store_sqlite_int.h"

static int key_of(const char *name, char *key, size_t n, os_err *err)
{
    if (name == NULL || name_key(name, key, n) != 0)
        return os_err_set(err, OS_ENOTFOUND, "name too long");
    return 0;
}

/* Recipient-facing lookups are answered by the in-memory view (store_view.h):
 * no SQL, no pool, on the hot path of every request.  The row builders stay
 * here, next to the columns they read, for the view's loader. */

#define VIEW_CALL(st, err, call)                  \
    do {                                          \
        store_view *v_ = sq_view_get(st, err);    \
        if (v_ == NULL)                           \
            return -1;                            \
        int rc_ = call;                           \
        sq_view_put(v_);                          \
        return rc_;                               \
    } while (0)

/* ---- tokens and recipients --------------------------------------------- */

int store_token_find(cat_store *st, const char *hash_hex, cat_token *out, os_err *err)
{
    VIEW_CALL(st, err, store_view_token_find(v_, hash_hex, out, err));
}

void *sq_make_recipient(sqlite3_stmt *s, os_arena *a)
{
    cat_recipient *r = os_arena_alloc(a, sizeof *r);
    if (r == NULL)
        return NULL;
    r->id = sqlite3_column_int64(s, 0);
    r->name = sq_text(s, 1, a);
    r->uuid = sq_text(s, 2, a);
    r->comment = sq_text(s, 3, a);
    r->ip_allow_json = sq_text(s, 4, a);
    return r;
}

int store_recipient_get(cat_store *st, int64_t recipient_id, os_arena *a, cat_recipient **out,
                        os_err *err)
{
    VIEW_CALL(st, err, store_view_recipient_get(v_, recipient_id, a, out, err));
}

/* ---- shares ------------------------------------------------------------- */

void *sq_make_share(sqlite3_stmt *s, os_arena *a)
{
    cat_share *sh = os_arena_alloc(a, sizeof *sh);
    if (sh == NULL)
        return NULL;
    sh->id = sqlite3_column_int64(s, 0);
    sh->name = sq_text(s, 1, a);
    sh->uuid = sq_text(s, 2, a);
    sh->display_name = sq_text(s, 3, a);
    sh->comment = sq_text(s, 4, a);
    sh->properties_json = sq_text(s, 5, a);
    return sh;
}

int store_share_get(cat_store *st, int64_t recipient_id, const char *name, os_arena *a,
                    cat_share **out, os_err *err)
{
    char key[NAME_MAX_LEN * 4 + 1];
    if (key_of(name, key, sizeof key, err) != 0)
        return -1;
    VIEW_CALL(st, err, store_view_share_get(v_, recipient_id, key, name, a, out, err));
}

int store_share_list(cat_store *st, int64_t recipient_id, const char *after_key, int limit,
                     os_arena *a, cat_page *page, os_err *err)
{
    VIEW_CALL(st, err, store_view_share_list(v_, recipient_id, after_key, limit, a, page, err));
}

/* ---- schemas ------------------------------------------------------------ */

void *sq_make_schema(sqlite3_stmt *s, os_arena *a)
{
    cat_schema *sc = os_arena_alloc(a, sizeof *sc);
    if (sc == NULL)
        return NULL;
    sc->id = sqlite3_column_int64(s, 0);
    sc->share_id = sqlite3_column_int64(s, 1);
    sc->name = sq_text(s, 2, a);
    sc->share_name = sq_text(s, 3, a);
    return sc;
}

int store_schema_list(cat_store *st, const cat_share *share, const char *after_key, int limit,
                      os_arena *a, cat_page *page, os_err *err)
{
    VIEW_CALL(st, err, store_view_schema_list(v_, share->id, after_key, limit, a, page, err));
}

int store_schema_get(cat_store *st, const cat_share *share, const char *name, os_arena *a,
                     cat_schema **out, os_err *err)
{
    char key[NAME_MAX_LEN * 4 + 1];
    if (key_of(name, key, sizeof key, err) != 0)
        return -1;
    VIEW_CALL(st, err, store_view_schema_get(v_, share, key, name, a, out, err));
}

/* ---- assets ------------------------------------------------------------- */

void *sq_make_asset(sqlite3_stmt *s, os_arena *a)
{
    cat_asset *x = os_arena_alloc(a, sizeof *x);
    if (x == NULL)
        return NULL;
    x->id = sqlite3_column_int64(s, 0);
    x->kind = (cat_asset_kind)sqlite3_column_int(s, 1);
    x->schema_id = sqlite3_column_int64(s, 2);
    x->name = sq_text(s, 3, a);
    x->uuid = sq_text(s, 4, a);
    x->share_name = sq_text(s, 5, a);
    x->share_uuid = sq_text(s, 6, a);
    x->schema_name = sq_text(s, 7, a);
    x->location = sq_text(s, 8, a);
    x->comment = sq_text(s, 9, a);
    x->format = sq_text(s, 10, a);
    x->aux_locations_json = sq_text(s, 11, a);
    x->history_shared = sqlite3_column_int(s, 12);
    x->description = sq_text(s, 13, a);
    x->license = sq_text(s, 14, a);
    x->compatibility = sq_text(s, 15, a);
    x->allowed_tools = sq_text(s, 16, a);
    x->metadata_json = sq_text(s, 17, a);
    x->metadata_location = sq_text(s, 18, a);
    x->partition_columns_json = sq_text(s, 19, a);
    return x;
}

int store_asset_list(cat_store *st, cat_asset_kind kind, const cat_share *share,
                     const cat_schema *schema, const char *after_schema_key,
                     const char *after_name_key, int limit, os_arena *a, cat_page *page,
                     os_err *err)
{
    VIEW_CALL(st, err,
              store_view_asset_list(v_, kind, share->id, schema, after_schema_key, after_name_key,
                                    limit, a, page, err));
}

int store_asset_get(cat_store *st, cat_asset_kind kind, const cat_share *share,
                    const cat_schema *schema, const char *name, os_arena *a, cat_asset **out,
                    os_err *err)
{
    char key[NAME_MAX_LEN * 4 + 1];
    if (key_of(name, key, sizeof key, err) != 0)
        return -1;
    VIEW_CALL(st, err, store_view_asset_get(v_, kind, share, schema, key, name, a, out, err));
}

/* ---- models ------------------------------------------------------------- */

static void *make_version(sqlite3_stmt *s, os_arena *a)
{
    cat_model_version *v = os_arena_alloc(a, sizeof *v);
    if (v == NULL)
        return NULL;
    v->model_id = sqlite3_column_int64(s, 0);
    v->version = sqlite3_column_int64(s, 1);
    v->status = sq_text(s, 2, a);
    v->location = sq_text(s, 3, a);
    v->uuid = sq_text(s, 4, a);
    v->source = sq_text(s, 5, a);
    v->run_id = sq_text(s, 6, a);
    v->comment = sq_text(s, 7, a);
    return v;
}

#define VERSION_SELECT \
    "SELECT model_id, version, status, location, uuid, source, run_id, comment FROM model_versions "

int store_model_version_list(cat_store *st, int64_t model_id, int ready_only,
                             int64_t after_version, int limit, os_arena *a, cat_page *page,
                             os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err,
                                 VERSION_SELECT "WHERE model_id = ? AND version > ? AND "
                                                "(? = 0 OR status = 'READY') ORDER BY version LIMIT ?",
                                 "iinn", model_id, after_version, ready_only, limit + 1);
    int rc = sq_collect(db, s, limit, make_version, a, page, err);
    sq_release(st, db);
    return rc;
}

int store_model_version_get(cat_store *st, int64_t model_id, int64_t version, os_arena *a,
                            cat_model_version **out, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err, VERSION_SELECT "WHERE model_id = ? AND version = ?",
                                 "ii", model_id, version);
    void *row = NULL;
    int found = sq_fetch_one(st, db, s, make_version, a, &row, err);
    if (found == 1)
        *out = row;
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "model version %lld does not exist",
                          (long long)version);
    return found == 1 ? 0 : -1;
}

int store_model_alias_get(cat_store *st, int64_t model_id, const char *alias, int64_t *version,
                          os_err *err)
{
    char key[NAME_MAX_LEN * 4 + 1];
    if (key_of(alias, key, sizeof key, err) != 0)
        return -1;
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err,
                                 "SELECT version FROM model_aliases WHERE model_id = ? AND alias_key = ?",
                                 "is", model_id, key);
    int found = sq_step_one(db, s, err);
    if (found == 1) {
        *version = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sq_release(st, db);
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "alias '%s' does not exist", alias);
    return found == 1 ? 0 : -1;
}
