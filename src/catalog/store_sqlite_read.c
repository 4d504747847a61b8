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

/* ---- tokens and recipients --------------------------------------------- */

int store_token_find(cat_store *st, const char *hash_hex, cat_token *out, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err,
                                 "SELECT id, recipient_id, hash, created_ms, expires_ms, revoked_ms "
                                 "FROM tokens WHERE hash = ?",
                                 "s", hash_hex);
    int found = sq_step_one(db, s, err);
    if (found == 1) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(s, 0);
        out->recipient_id = sqlite3_column_int64(s, 1);
        const char *h = (const char *)sqlite3_column_text(s, 2);
        snprintf(out->hash_hex, sizeof out->hash_hex, "%s", h ? h : "");
        out->created_ms = sqlite3_column_int64(s, 3);
        out->expires_ms = sqlite3_column_int64(s, 4);
        out->revoked_ms = sqlite3_column_int64(s, 5);
        sqlite3_finalize(s);
    }
    sq_release(st, db);
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "unknown token");
    return found == 1 ? 0 : -1;
}

static void *make_recipient(sqlite3_stmt *s, os_arena *a)
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
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err,
                                 "SELECT id, name, uuid, comment, ip_allow_json FROM recipients "
                                 "WHERE id = ?",
                                 "i", recipient_id);
    void *row = NULL;
    int found = sq_fetch_one(st, db, s, make_recipient, a, &row, err);
    if (found == 1)
        *out = row;
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "recipient %lld does not exist",
                          (long long)recipient_id);
    return found == 1 ? 0 : -1;
}

/* ---- shares ------------------------------------------------------------- */

#define SHARE_COLS "s.id, s.name, s.uuid, s.display_name, s.comment, s.properties_json"

static void *make_share(sqlite3_stmt *s, os_arena *a)
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
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s =
        recipient_id
            ? sq_prepare(db, err,
                         "SELECT " SHARE_COLS " FROM shares s JOIN grants g ON g.share_id = s.id "
                         "WHERE s.name_key = ? AND g.recipient_id = ?",
                         "si", key, recipient_id)
            : sq_prepare(db, err, "SELECT " SHARE_COLS " FROM shares s WHERE s.name_key = ?", "s",
                         key);
    void *row = NULL;
    int found = sq_fetch_one(st, db, s, make_share, a, &row, err);
    if (found == 1)
        *out = row;
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "share '%s' does not exist", name);
    return found == 1 ? 0 : -1;
}

int store_share_list(cat_store *st, int64_t recipient_id, const char *after_key, int limit,
                     os_arena *a, cat_page *page, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    const char *after = after_key ? after_key : "";
    sqlite3_stmt *s =
        recipient_id
            ? sq_prepare(db, err,
                         "SELECT " SHARE_COLS " FROM shares s JOIN grants g ON g.share_id = s.id "
                         "WHERE g.recipient_id = ? AND s.name_key > ? ORDER BY s.name_key LIMIT ?",
                         "isn", recipient_id, after, limit + 1)
            : sq_prepare(db, err,
                         "SELECT " SHARE_COLS " FROM shares s WHERE s.name_key > ? "
                         "ORDER BY s.name_key LIMIT ?",
                         "sn", after, limit + 1);
    int rc = sq_collect(db, s, limit, make_share, a, page, err);
    sq_release(st, db);
    return rc;
}

/* ---- schemas ------------------------------------------------------------ */

static void *make_schema(sqlite3_stmt *s, os_arena *a)
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

#define SCHEMA_SELECT \
    "SELECT c.id, c.share_id, c.name, s.name FROM schemas c JOIN shares s ON s.id = c.share_id "

int store_schema_list(cat_store *st, const cat_share *share, const char *after_key, int limit,
                      os_arena *a, cat_page *page, os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err,
                                 SCHEMA_SELECT "WHERE c.share_id = ? AND c.name_key > ? "
                                               "ORDER BY c.name_key LIMIT ?",
                                 "isn", share->id, after_key ? after_key : "", limit + 1);
    int rc = sq_collect(db, s, limit, make_schema, a, page, err);
    sq_release(st, db);
    return rc;
}

int store_schema_get(cat_store *st, const cat_share *share, const char *name, os_arena *a,
                     cat_schema **out, os_err *err)
{
    char key[NAME_MAX_LEN * 4 + 1];
    if (key_of(name, key, sizeof key, err) != 0)
        return -1;
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err, SCHEMA_SELECT "WHERE c.share_id = ? AND c.name_key = ?",
                                 "is", share->id, key);
    void *row = NULL;
    int found = sq_fetch_one(st, db, s, make_schema, a, &row, err);
    if (found == 1)
        *out = row;
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "schema '%s' does not exist in share '%s'", name,
                          share->name);
    return found == 1 ? 0 : -1;
}

/* ---- assets ------------------------------------------------------------- */

#define ASSET_SELECT                                                                        \
    "SELECT a.id, a.kind, a.schema_id, a.name, a.uuid, s.name, s.uuid, c.name, a.location,"  \
    " a.comment, a.format, a.aux_locations_json, a.history_shared, a.description,"          \
    " a.license, a.compatibility, a.allowed_tools, a.metadata_json, a.metadata_location,"  \
    " a.partition_columns_json "                                                             \
    "FROM assets a JOIN schemas c ON c.id = a.schema_id JOIN shares s ON s.id = c.share_id "

static void *make_asset(sqlite3_stmt *s, os_arena *a)
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
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    const char *ask = after_schema_key ? after_schema_key : "";
    const char *ank = after_name_key ? after_name_key : "";
    sqlite3_stmt *s;
    if (schema)
        s = sq_prepare(db, err,
                       ASSET_SELECT "WHERE a.kind = ? AND a.schema_id = ? AND a.name_key > ? "
                                    "ORDER BY a.name_key LIMIT ?",
                       "nisn", (int)kind, schema->id, ank, limit + 1);
    else
        s = sq_prepare(db, err,
                       ASSET_SELECT "WHERE a.kind = ? AND s.id = ? AND "
                                    "(c.name_key > ? OR (c.name_key = ? AND a.name_key > ?)) "
                                    "ORDER BY c.name_key, a.name_key LIMIT ?",
                       "nisssn", (int)kind, share->id, ask, ask, ank, limit + 1);
    int rc = sq_collect(db, s, limit, make_asset, a, page, err);
    sq_release(st, db);
    return rc;
}

static const char *kind_word(cat_asset_kind kind)
{
    switch (kind) {
    case CAT_ASSET_TABLE: return "table";
    case CAT_ASSET_VOLUME: return "volume";
    case CAT_ASSET_SKILL: return "skill";
    case CAT_ASSET_MODEL: return "model";
    }
    return "asset";
}

int store_asset_get(cat_store *st, cat_asset_kind kind, const cat_share *share,
                    const cat_schema *schema, const char *name, os_arena *a, cat_asset **out,
                    os_err *err)
{
    char key[NAME_MAX_LEN * 4 + 1];
    if (key_of(name, key, sizeof key, err) != 0)
        return -1;
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    sqlite3_stmt *s = sq_prepare(db, err,
                                 ASSET_SELECT "WHERE a.kind = ? AND a.schema_id = ? AND a.name_key = ?",
                                 "nis", (int)kind, schema->id, key);
    void *row = NULL;
    int found = sq_fetch_one(st, db, s, make_asset, a, &row, err);
    if (found == 1)
        *out = row;
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "%s '%s.%s.%s' does not exist", kind_word(kind),
                          share->name, schema->name, name);
    return found == 1 ? 0 : -1;
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
