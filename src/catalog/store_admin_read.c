/* store_admin_read.c - the catalog reads of provider administration: admins, locations, share contents, recipients, tokens, grants, audit. */
#include <stdio.h>
#include <string.h>

#include "catalog/names.h"
#include "catalog/store_sqlite_int.h"

#define KEYBUF (NAME_MAX_LEN * 4 + 1)
#define ADMIN_LIST_MAX 100000

/* Runs a listing on a pooled connection. */
#define LIST(st, err, limit, make, a, page, ...)                                             \
    do {                                                                                     \
        sqlite3 *db_ = sq_acquire((st), (err));                                              \
        if (db_ == NULL)                                                                     \
            return -1;                                                                       \
        int rc_ = sq_collect(db_, sq_prepare(db_, (err), __VA_ARGS__), (limit), (make), (a), \
                             (page), (err));                                                 \
        sq_release((st), db_);                                                               \
        return rc_;                                                                          \
    } while (0)

/* Runs sql (a SELECT whose one parameter is a name key) with name's key and
 * builds the row with make.  Returns 0 with *out set (arena memory), or -1
 * with err: OS_ENOTFOUND "WHAT 'NAME' does not exist" (or "WHAT name too
 * long"), OS_ENOMEM, or the SQLite error. */
static int get_by_name(cat_store *st, const char *sql, sq_row_fn make, const char *what,
                       const char *name, os_arena *a, void **out, os_err *err)
{
    char key[KEYBUF];
    if (name == NULL || name_key(name, key, sizeof key) != 0)
        return os_err_set(err, OS_ENOTFOUND, "%s name too long", what);
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    int found = sq_fetch_one(st, db, sq_prepare(db, err, sql, "s", key), make, a, out, err);
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "%s '%s' does not exist", what, name);
    return found == 1 ? 0 : -1;
}

static void *make_name(sqlite3_stmt *s, os_arena *a)
{
    const char *t = sq_text(s, 0, a);
    return t ? (void *)t : (void *)"";
}

int store_admin_find(cat_store *st, const char *hash_hex, os_arena *a, const char **name,
                     os_err *err)
{
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    void *row = NULL;
    int found = sq_fetch_one(st, db,
                             sq_prepare(db, err, "SELECT name FROM admins WHERE token_hash = ?",
                                        "s", hash_hex),
                             make_name, a, &row, err);
    if (found == 1)
        *name = row;
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "admin '?' does not exist");
    return found == 1 ? 0 : -1;
}

static void read_meta(sqlite3_stmt *s, int col, os_arena *a, cat_meta *m)
{
    m->created_ms = sqlite3_column_int64(s, col);
    m->created_by = sq_text(s, col + 1, a);
    m->updated_ms = sqlite3_column_int64(s, col + 2);
    m->updated_by = sq_text(s, col + 3, a);
}

static void *make_meta(sqlite3_stmt *s, os_arena *a)
{
    cat_meta *m = os_arena_alloc(a, sizeof *m);
    if (m)
        read_meta(s, 0, a, m);
    return m;
}

int store_meta_get(cat_store *st, const char *kind, int64_t id, os_arena *a, cat_meta *out,
                   os_err *err)
{
    const char *sql = !strcmp(kind, "locations")
                          ? "SELECT created_ms, created_by, updated_ms, updated_by FROM locations WHERE id = ?"
                      : !strcmp(kind, "shares")
                          ? "SELECT created_ms, created_by, updated_ms, updated_by FROM shares WHERE id = ?"
                          : "SELECT created_ms, created_by, updated_ms, updated_by FROM recipients WHERE id = ?";
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    void *row = NULL;
    int found = sq_fetch_one(st, db, sq_prepare(db, err, sql, "i", id), make_meta, a, &row, err);
    /* No such row is not an error: *out then reads as zero times and no authors. */
    memset(out, 0, sizeof *out);
    if (found == 1)
        *out = *(cat_meta *)row;
    return found < 0 ? -1 : 0;
}

/* ---- locations ---------------------------------------------------------- */

void *sq_make_location(sqlite3_stmt *s, os_arena *a)
{
    cat_location *l = os_arena_alloc(a, sizeof *l);
    if (l == NULL)
        return NULL;
    l->id = sqlite3_column_int64(s, 0);
    l->name = sq_text(s, 1, a);
    l->uri = sq_text(s, 2, a);
    l->secret_ref = sq_text(s, 3, a);
    l->options_json = sq_text(s, 4, a);
    return l;
}

int store_location_get(cat_store *st, const char *name, os_arena *a, cat_location **out,
                       os_err *err)
{
    void *row = NULL;
    if (get_by_name(st, SQ_LOCATION_SELECT "WHERE name_key = ?", sq_make_location, "storage location",
                    name, a, &row, err) != 0)
        return -1;
    *out = row;
    return 0;
}

int store_location_list(cat_store *st, os_arena *a, cat_page *page, os_err *err)
{
    store_view *v = sq_view_get(st, err);
    if (v == NULL)
        return -1;
    int rc = store_view_location_list(v, ADMIN_LIST_MAX, a, page, err);
    sq_view_put(v);
    return rc;
}

int store_asset_locations(cat_store *st, os_arena *a, cat_page *page, os_err *err)
{
    LIST(st, err, ADMIN_LIST_MAX, make_name, a, page,
         "SELECT location FROM assets WHERE location IS NOT NULL"
         " UNION SELECT location FROM model_versions",
         NULL);
}

/* ---- share contents ----------------------------------------------------- */

static void *make_asset_admin(sqlite3_stmt *s, os_arena *a)
{
    cat_asset_admin *x = os_arena_alloc(a, sizeof *x);
    if (x == NULL)
        return NULL;
    cat_asset *y = &x->a;
    y->id = sqlite3_column_int64(s, 0);
    y->kind = (cat_asset_kind)sqlite3_column_int(s, 1);
    y->schema_id = sqlite3_column_int64(s, 2);
    y->name = sq_text(s, 3, a);
    y->uuid = sq_text(s, 4, a);
    y->schema_name = sq_text(s, 5, a);
    y->location = sq_text(s, 6, a);
    y->comment = sq_text(s, 7, a);
    y->format = sq_text(s, 8, a);
    y->history_shared = sqlite3_column_int(s, 9);
    y->description = sq_text(s, 10, a);
    x->source_name = sq_text(s, 11, a);
    read_meta(s, 12, a, &x->meta);
    y->partition_columns_json = sq_text(s, 16, a);
    y->metadata_location = sq_text(s, 17, a);
    return x;
}

int store_share_assets(cat_store *st, int64_t share_id, os_arena *a, cat_page *page, os_err *err)
{
    LIST(st, err, ADMIN_LIST_MAX, make_asset_admin, a, page,
         "SELECT a.id, a.kind, a.schema_id, a.name, a.uuid, c.name, a.location, a.comment,"
         " a.format, a.history_shared, a.description, a.source_name, a.created_ms, a.created_by,"
         " a.updated_ms, a.updated_by, a.partition_columns_json, a.metadata_location"
         " FROM assets a JOIN schemas c ON c.id = a.schema_id"
         " WHERE c.share_id = ? ORDER BY c.name_key, a.name_key",
         "i", share_id);
}

/* ---- recipients and tokens ---------------------------------------------- */

#define RECIPIENT_ADMIN_SELECT                                                          \
    "SELECT id, name, uuid, comment, ip_allow_json, properties_json, token_lifetime_s," \
    " created_ms, created_by, updated_ms, updated_by FROM recipients "

static void *make_recipient_admin(sqlite3_stmt *s, os_arena *a)
{
    cat_recipient_admin *x = os_arena_alloc(a, sizeof *x);
    if (x == NULL)
        return NULL;
    x->r.id = sqlite3_column_int64(s, 0);
    x->r.name = sq_text(s, 1, a);
    x->r.uuid = sq_text(s, 2, a);
    x->r.comment = sq_text(s, 3, a);
    x->r.ip_allow_json = sq_text(s, 4, a);
    x->properties_json = sq_text(s, 5, a);
    x->token_lifetime_s = sqlite3_column_int64(s, 6);
    read_meta(s, 7, a, &x->meta);
    return x;
}

int store_recipient_admin_get(cat_store *st, const char *name, os_arena *a,
                              cat_recipient_admin **out, os_err *err)
{
    void *row = NULL;
    if (get_by_name(st, RECIPIENT_ADMIN_SELECT "WHERE name_key = ?", make_recipient_admin,
                    "recipient", name, a, &row, err) != 0)
        return -1;
    *out = row;
    return 0;
}

int store_recipient_admin_list(cat_store *st, os_arena *a, cat_page *page, os_err *err)
{
    LIST(st, err, ADMIN_LIST_MAX, make_recipient_admin, a, page,
         RECIPIENT_ADMIN_SELECT "ORDER BY name_key", NULL);
}

static void *make_token_info(sqlite3_stmt *s, os_arena *a)
{
    cat_token_info *t = os_arena_alloc(a, sizeof *t);
    if (t == NULL)
        return NULL;
    t->id = sqlite3_column_int64(s, 0);
    t->source = sq_text(s, 1, a);
    t->created_ms = sqlite3_column_int64(s, 2);
    t->expires_ms = sqlite3_column_int64(s, 3);
    t->revoked_ms = sqlite3_column_int64(s, 4);
    t->superseded_ms = sqlite3_column_int64(s, 5);
    t->last_used_ms = sqlite3_column_int64(s, 6);
    return t;
}

int store_token_history(cat_store *st, int64_t recipient_id, os_arena *a, cat_page *page,
                        os_err *err)
{
    LIST(st, err, ADMIN_LIST_MAX, make_token_info, a, page,
         "SELECT id, source, created_ms, expires_ms, revoked_ms, superseded_ms, last_used_ms"
         " FROM tokens"
         " WHERE recipient_id = ? ORDER BY id DESC",
         "i", recipient_id);
}

static void *make_i64(sqlite3_stmt *s, os_arena *a)
{
    int64_t *v = os_arena_alloc(a, sizeof *v);
    if (v)
        *v = sqlite3_column_int64(s, 0);
    return v;
}

int store_activation_pending(cat_store *st, int64_t recipient_id, int64_t now_ms,
                             int64_t *expires_ms, os_err *err)
{
    os_arena a = OS_ARENA_INIT;
    sqlite3 *db = sq_acquire(st, err);
    if (db == NULL)
        return -1;
    void *row = NULL;
    /* The newest unused, unexpired link; none pending reads as 0. */
    int found = sq_fetch_one(st, db,
                             sq_prepare(db, err,
                                        "SELECT expires_ms FROM activations WHERE recipient_id = ? AND"
                                        " used_ms = 0 AND expires_ms > ? ORDER BY id DESC",
                                        "ii", recipient_id, now_ms),
                             make_i64, &a, &row, err);
    *expires_ms = found == 1 ? *(int64_t *)row : 0;
    os_arena_free(&a);
    return found < 0 ? -1 : 0;
}

static void *make_alias(sqlite3_stmt *s, os_arena *a)
{
    cat_alias_info *x = os_arena_alloc(a, sizeof *x);
    if (x == NULL)
        return NULL;
    x->alias = sq_text(s, 0, a);
    x->version = sqlite3_column_int64(s, 1);
    return x;
}

int store_model_alias_list(cat_store *st, int64_t model_id, os_arena *a, cat_page *page,
                           os_err *err)
{
    LIST(st, err, ADMIN_LIST_MAX, make_alias, a, page,
         "SELECT alias, version FROM model_aliases WHERE model_id = ? ORDER BY alias_key", "i",
         model_id);
}

/* ---- grants ------------------------------------------------------------- */

static void *make_grant(sqlite3_stmt *s, os_arena *a)
{
    cat_grant_info *g = os_arena_alloc(a, sizeof *g);
    if (g == NULL)
        return NULL;
    g->share_name = sq_text(s, 0, a);
    g->recipient_name = sq_text(s, 1, a);
    g->created_ms = sqlite3_column_int64(s, 2);
    g->created_by = sq_text(s, 3, a);
    return g;
}

int store_grant_list(cat_store *st, int64_t share_id, int64_t recipient_id, os_arena *a,
                     cat_page *page, os_err *err)
{
    LIST(st, err, ADMIN_LIST_MAX, make_grant, a, page,
         "SELECT s.name, r.name, g.created_ms, g.created_by FROM grants g"
         " JOIN shares s ON s.id = g.share_id JOIN recipients r ON r.id = g.recipient_id"
         " WHERE (? = 0 OR g.share_id = ?) AND (? = 0 OR g.recipient_id = ?)"
         " ORDER BY s.name_key, r.name_key",
         "iiii", share_id, share_id, recipient_id, recipient_id);
}

/* ---- audit -------------------------------------------------------------- */

static void *make_audit(sqlite3_stmt *s, os_arena *a)
{
    cat_audit_event *e = os_arena_alloc(a, sizeof *e);
    if (e == NULL)
        return NULL;
    e->id = sqlite3_column_int64(s, 0);
    e->time_ms = sqlite3_column_int64(s, 1);
    e->recipient_id = sqlite3_column_int64(s, 2);
    e->recipient = sq_text(s, 3, a);
    e->share = sq_text(s, 4, a);
    e->schema = sq_text(s, 5, a);
    e->asset = sq_text(s, 6, a);
    e->operation = sq_text(s, 7, a);
    e->method = sq_text(s, 8, a);
    e->path = sq_text(s, 9, a);
    e->status = sqlite3_column_int(s, 10);
    e->files = sqlite3_column_int64(s, 11);
    e->credentials = sqlite3_column_int64(s, 12);
    e->client_ip = sq_text(s, 13, a);
    e->user_agent = sq_text(s, 14, a);
    e->has_snapshot = sqlite3_column_type(s, 15) != SQLITE_NULL;
    e->snapshot_id = sqlite3_column_int64(s, 15);
    e->file = sq_text(s, 16, a);
    e->bytes = sqlite3_column_int64(s, 17);
    return e;
}

int store_audit_list(cat_store *st, const cat_audit_filter *f, int64_t after_id, int limit,
                     os_arena *a, cat_page *page, os_err *err)
{
    LIST(st, err, limit, make_audit, a, page,
         "SELECT id, time_ms, recipient_id, recipient, share, schema_name, asset, operation,"
         " method, path, status, files, credentials, client_ip, user_agent, snapshot_id, file, bytes FROM audit_events"
         " WHERE id > ? AND (? IS NULL OR lower(recipient) = lower(?))"
         " AND (? IS NULL OR lower(share) = lower(?)) AND (? IS NULL OR lower(asset) = lower(?))"
         " AND (? = 0 OR time_ms >= ?) AND (? = 0 OR time_ms < ?) ORDER BY id LIMIT ?",
         "issssssiiiin", after_id, f->recipient, f->recipient, f->share, f->share, f->asset,
         f->asset, f->since_ms, f->since_ms, f->until_ms, f->until_ms, limit + 1);
}
