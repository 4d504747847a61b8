/* store_admin.c - the catalog writes of provider administration: admins, deletes, recipients, tokens, activation links, grants. */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "catalog/names.h"
#include "catalog/store_sqlite_int.h"

#define KEYBUF (NAME_MAX_LEN * 4 + 1)

static int key_of(const char *name, char *key, os_err *err)
{
    if (name == NULL || name_key(name, key, KEYBUF) != 0)
        return os_err_set(err, OS_EINVAL, "name missing or longer than %d characters", NAME_MAX_LEN);
    return 0;
}

/* Runs a one-column integer lookup: 1 with *out, 0 when no row, -1 on error. */
static int lookup_i64(sqlite3 *db, sqlite3_stmt *s, int64_t *out, os_err *err)
{
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(db, err, "lookup");
}

int store_admin_replace(cat_tx *tx, const char *const *names, const char *const *hashes, size_t n,
                        os_err *err)
{
    if (sq_exec(tx->db, err, "DELETE FROM admins", NULL) != 0)
        return -1;
    int64_t now = os_now_ms();
    for (size_t i = 0; i < n; i++) {
        char key[KEYBUF];
        if (key_of(names[i], key, err) != 0)
            return -1;
        if (sq_exec(tx->db, err,
                    "INSERT INTO admins(name, name_key, token_hash, created_ms) VALUES(?,?,?,?)",
                    "sssi", names[i], key, hashes[i], now) != 0)
            return os_err_wrap(err, "admin '%s' (names and tokens must be unique)", names[i]);
    }
    return 0;
}

int store_admin_event(cat_tx *tx, const char *actor, const char *action, const char *target,
                      os_err *err)
{
    return sq_exec(tx->db, err,
                   "INSERT INTO admin_events(time_ms, actor, action, target) VALUES(?,?,?,?)",
                   "isss", os_now_ms(), actor ? actor : "?", action, target ? target : "");
}

static const char *table_of(const char *kind)
{
    if (!strcmp(kind, "locations"))
        return "locations";
    if (!strcmp(kind, "shares"))
        return "shares";
    if (!strcmp(kind, "recipients"))
        return "recipients";
    return NULL;
}

int store_tx_name_exists(cat_tx *tx, const char *kind, const char *name, os_err *err)
{
    const char *t = table_of(kind);
    char key[KEYBUF], sql[96];
    if (t == NULL)
        return os_err_set(err, OS_EINTERNAL, "unknown object kind %s", kind);
    if (key_of(name, key, err) != 0)
        return -1;
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE name_key = ?", t);
    int64_t id;
    return lookup_i64(tx->db, sq_prepare(tx->db, err, sql, "s", key), &id, err);
}

/* Deletes the named row of `table`; OS_ENOTFOUND naming `what` when absent. */
static int delete_named(cat_tx *tx, const char *table, const char *what, const char *name,
                        os_err *err)
{
    char key[KEYBUF], sql[96];
    if (key_of(name, key, err) != 0)
        return -1;
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE name_key = ?", table);
    if (sq_exec(tx->db, err, sql, "s", key) != 0)
        return -1;
    if (sqlite3_changes(tx->db) == 0)
        return os_err_set(err, OS_ENOTFOUND, "%s '%s' does not exist", what, name);
    return 0;
}

int store_location_delete(cat_tx *tx, const char *name, os_err *err)
{
    return delete_named(tx, "locations", "storage location", name, err);
}

int store_share_delete(cat_tx *tx, const char *name, os_err *err)
{
    return delete_named(tx, "shares", "share", name, err);
}

int store_recipient_delete(cat_tx *tx, const char *name, os_err *err)
{
    /* Tokens, activation links and grants go with it (ON DELETE CASCADE). */
    return delete_named(tx, "recipients", "recipient", name, err);
}

int store_tx_asset_find(cat_tx *tx, int64_t schema_id, const char *name, int64_t *id, os_err *err)
{
    char key[KEYBUF];
    if (key_of(name, key, err) != 0)
        return -1;
    *id = 0;
    int rc = lookup_i64(tx->db,
                        sq_prepare(tx->db, err,
                                   "SELECT id FROM assets WHERE schema_id = ? AND name_key = ?",
                                   "is", schema_id, key),
                        id, err);
    return rc < 0 ? -1 : 0;
}

int store_tx_asset_set_source(cat_tx *tx, int64_t asset_id, const char *source_name, os_err *err)
{
    return sq_exec(tx->db, err, "UPDATE assets SET source_name = ? WHERE id = ?", "si",
                   source_name, asset_id);
}

int store_tx_asset_remove(cat_tx *tx, int64_t share_id, const char *schema, const char *name,
                          os_err *err)
{
    char skey[KEYBUF], nkey[KEYBUF];
    if (key_of(schema, skey, err) != 0 || key_of(name, nkey, err) != 0)
        return -1;
    int64_t schema_id = 0;
    int found = lookup_i64(tx->db,
                           sq_prepare(tx->db, err,
                                      "SELECT id FROM schemas WHERE share_id = ? AND name_key = ?",
                                      "is", share_id, skey),
                           &schema_id, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return os_err_set(err, OS_ENOTFOUND, "schema '%s' does not exist in this share", schema);
    if (sq_exec(tx->db, err,
                "DELETE FROM assets WHERE schema_id = ? AND (name_key = ? OR lower(source_name) = ?)",
                "iss", schema_id, nkey, nkey) != 0)
        return -1;
    if (sqlite3_changes(tx->db) == 0)
        return os_err_set(err, OS_ENOTFOUND, "no asset named '%s' in schema '%s'", name, schema);
    /* A schema exists as long as something is shared under it. */
    return sq_exec(tx->db, err,
                   "DELETE FROM schemas WHERE id = ? AND NOT EXISTS"
                   " (SELECT 1 FROM assets WHERE schema_id = ?)",
                   "ii", schema_id, schema_id);
}

int store_tx_recipient_update(cat_tx *tx, int64_t id, const char *comment,
                              const char *ip_allow_json, const char *properties_json,
                              int64_t token_lifetime_s, const char *actor, os_err *err)
{
    return sq_exec(tx->db, err,
                   "UPDATE recipients SET comment = ?, ip_allow_json = ?, properties_json = ?,"
                   " token_lifetime_s = ?, cfg_gen = 0, updated_ms = ?, updated_by = ? WHERE id = ?",
                   "sssiisi", comment, ip_allow_json, properties_json, token_lifetime_s,
                   os_now_ms(), actor, id);
}

int store_tx_recipient_extras(cat_tx *tx, int64_t id, const char *properties_json,
                              int64_t token_lifetime_s, os_err *err)
{
    return sq_exec(tx->db, err,
                   "UPDATE recipients SET properties_json = ?, token_lifetime_s = ? WHERE id = ?",
                   "sii", properties_json, token_lifetime_s, id);
}

int store_tx_tokens_supersede(cat_tx *tx, int64_t recipient_id, int64_t now_ms, int64_t until_ms,
                              os_err *err)
{
    if (until_ms < now_ms)
        until_ms = now_ms;
    if (sq_exec(tx->db, err,
                "UPDATE tokens SET superseded_ms = ?,"
                " revoked_ms = CASE WHEN revoked_ms = 0 OR revoked_ms > ? THEN ? ELSE revoked_ms END"
                " WHERE recipient_id = ? AND (revoked_ms = 0 OR revoked_ms > ?)"
                " AND (expires_ms = 0 OR expires_ms > ?)",
                "iiiiii", now_ms, until_ms, until_ms, recipient_id, now_ms, now_ms) != 0)
        return -1;
    return sq_exec(tx->db, err,
                   "UPDATE activations SET expires_ms = ? WHERE recipient_id = ? AND used_ms = 0"
                   " AND expires_ms > ?",
                   "iii", now_ms, recipient_id, now_ms);
}

int store_tx_activation_add(cat_tx *tx, int64_t recipient_id, const char *code_hash,
                            int64_t expires_ms, const char *actor, os_err *err)
{
    return sq_exec(tx->db, err,
                   "INSERT INTO activations(recipient_id, code_hash, created_ms, expires_ms,"
                   " created_by) VALUES(?,?,?,?,?)",
                   "isiis", recipient_id, code_hash, os_now_ms(), expires_ms, actor);
}

int store_tx_activation_redeem(cat_tx *tx, const char *code_hash, int64_t now_ms,
                               int64_t *recipient_id, os_err *err)
{
    sqlite3_stmt *s = sq_prepare(tx->db, err,
                                 "SELECT id, recipient_id, expires_ms, used_ms FROM activations"
                                 " WHERE code_hash = ?",
                                 "s", code_hash);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    int64_t id = 0, rid = 0, expires = 0, used = 0;
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(s, 0);
        rid = sqlite3_column_int64(s, 1);
        expires = sqlite3_column_int64(s, 2);
        used = sqlite3_column_int64(s, 3);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(tx->db, err, "activation lookup");
    if (rc == SQLITE_DONE)
        return os_err_set(err, OS_ENOTFOUND, "this activation link is not valid");
    if (used != 0)
        return os_err_set(err, OS_ENOTFOUND,
                          "this activation link has already been used; ask the provider for a new one");
    if (expires <= now_ms)
        return os_err_set(err, OS_ENOTFOUND,
                          "this activation link has expired; ask the provider for a new one");
    if (sq_exec(tx->db, err, "UPDATE activations SET used_ms = ? WHERE id = ?", "ii", now_ms, id) != 0)
        return -1;
    *recipient_id = rid;
    return 0;
}

int store_grant_delete(cat_tx *tx, int64_t share_id, int64_t recipient_id, os_err *err)
{
    return sq_exec(tx->db, err, "DELETE FROM grants WHERE share_id = ? AND recipient_id = ?", "ii",
                   share_id, recipient_id);
}

/* One INSERT of ev on db (inside the caller's transaction or alone). */
static int audit_insert(sqlite3 *db, const cat_audit_event *ev, os_err *err)
{
    char snap_text[24];
    const char *snap = NULL;   /* bound as text, so absent is NULL */
    if (ev->has_snapshot) {
        snprintf(snap_text, sizeof snap_text, "%lld", (long long)ev->snapshot_id);
        snap = snap_text;
    }
    return sq_exec(db, err,
                   "INSERT INTO audit_events(time_ms, recipient_id, recipient, share, schema_name,"
                   " asset, operation, method, path, status, files, credentials, client_ip,"
                   " user_agent, snapshot_id, file, bytes)"
                   " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,CAST(? AS INTEGER),?,?)",
                   "iisssssssniissssi", ev->time_ms, ev->recipient_id, ev->recipient, ev->share,
                   ev->schema, ev->asset, ev->operation ? ev->operation : "unknown", ev->method,
                   ev->path, ev->status, ev->files, ev->credentials, ev->client_ip,
                   ev->user_agent, snap, ev->file, ev->bytes);
}

int store_audit_append(cat_store *st, const cat_audit_event *ev, os_err *err)
{
    return store_audit_append_batch(st, &ev, 1, err);
}

int store_tokens_touch(cat_store *st, const int64_t *token_ids, size_t n, int64_t when_ms,
                       os_err *err)
{
    if (n == 0)
        return 0;
    cat_tx *tx = store_tx_begin(st, err);
    if (tx == NULL)
        return -1;
    tx->audit_only = 1;
    for (size_t i = 0; i < n; i++)
        if (sq_exec(tx->db, err, "UPDATE tokens SET last_used_ms = ? WHERE id = ? AND last_used_ms < ?",
                    "iii", when_ms, token_ids[i], when_ms) != 0) {
            store_tx_rollback(tx);
            return -1;
        }
    return store_tx_commit(tx, err);
}

int store_audit_prune(cat_store *st, int64_t before_ms, int64_t *deleted, os_err *err)
{
    *deleted = 0;
    for (;;) {
        cat_tx *tx = store_tx_begin(st, err);
        if (tx == NULL)
            return -1;
        tx->audit_only = 1;
        if (sq_exec(tx->db, err,
                    "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events "
                    "WHERE time_ms < ? ORDER BY time_ms LIMIT 10000)",
                    "i", before_ms) != 0) {
            store_tx_rollback(tx);
            return -1;
        }
        int64_t n = sqlite3_changes(tx->db);
        if (store_tx_commit(tx, err) != 0)
            return -1;
        *deleted += n;
        if (n < 10000)
            return 0;
    }
}

int store_audit_append_batch(cat_store *st, const cat_audit_event *const *evs, size_t n, os_err *err)
{
    cat_tx *tx = store_tx_begin(st, err);
    if (tx == NULL)
        return -1;
    tx->audit_only = 1;
    for (size_t i = 0; i < n; i++)
        if (audit_insert(tx->db, evs[i], err) != 0) {
            store_tx_rollback(tx);
            return -1;
        }
    return store_tx_commit(tx, err);
}
