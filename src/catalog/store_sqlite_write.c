/* store_sqlite_write.c - the catalog's writes: upserts keyed by name, tokens, grants, config pruning. */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/uuid.h"
#include "catalog/names.h"
#include "catalog/store_sqlite_int.h"

/* Looks up `SELECT id ... WHERE ...` returning 1 and *id, 0 when absent, -1 on error. */
static int find_id(sqlite3 *db, os_err *err, int64_t *id, const char *sql, const char *types,
                   const char *a1, int64_t i1)
{
    sqlite3_stmt *s = types[0] == 's' && types[1] == '\0' ? sq_prepare(db, err, sql, "s", a1)
                      : types[0] == 'i' && types[1] == 's' ? sq_prepare(db, err, sql, "is", i1, a1)
                                                           : NULL;
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        return 1;
    }
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(db, err, "lookup");
}

static int make_key(const char *name, char *key, size_t n, os_err *err)
{
    if (name == NULL || name_key(name, key, n) != 0)
        return os_err_set(err, OS_EINVAL, "name missing or too long");
    return 0;
}

#define KEYBUF (NAME_MAX_LEN * 4 + 1)

int store_location_put(cat_tx *tx, const cat_location *loc, int64_t gen, const char *actor,
                       int64_t *id_out, os_err *err)
{
    char key[KEYBUF];
    int64_t id = 0, now = os_now_ms();
    if (make_key(loc->name, key, sizeof key, err) != 0)
        return -1;
    int found = find_id(tx->db, err, &id, "SELECT id FROM locations WHERE name_key = ?", "s", key, 0);
    if (found < 0)
        return -1;
    if (found) {
        if (sq_exec(tx->db, err,
                    "UPDATE locations SET name=?, uri=?, secret_ref=?, options_json=?, cfg_gen=?,"
                    " updated_ms=?, updated_by=? WHERE id=?",
                    "ssssiisi", loc->name, loc->uri, loc->secret_ref, loc->options_json, gen, now,
                    actor, id) != 0)
            return -1;
    } else {
        if (sq_exec(tx->db, err,
                    "INSERT INTO locations(name, name_key, uri, secret_ref, options_json, cfg_gen,"
                    " created_ms, created_by) VALUES(?,?,?,?,?,?,?,?)",
                    "sssssiis", loc->name, key, loc->uri, loc->secret_ref, loc->options_json, gen,
                    now, actor) != 0)
            return -1;
        id = sqlite3_last_insert_rowid(tx->db);
    }
    if (id_out)
        *id_out = id;
    return 0;
}

int store_share_put(cat_tx *tx, const cat_share *share, int64_t gen, const char *actor,
                    int64_t *id_out, os_err *err)
{
    char key[KEYBUF];
    int64_t id = 0, now = os_now_ms();
    if (make_key(share->name, key, sizeof key, err) != 0)
        return -1;
    int found = find_id(tx->db, err, &id, "SELECT id FROM shares WHERE name_key = ?", "s", key, 0);
    if (found < 0)
        return -1;
    if (found) {
        if (sq_exec(tx->db, err,
                    "UPDATE shares SET name=?, display_name=?, comment=?, properties_json=?,"
                    " cfg_gen=?, updated_ms=?, updated_by=? WHERE id=?",
                    "ssssiisi", share->name, share->display_name, share->comment,
                    share->properties_json, gen, now, actor, id) != 0)
            return -1;
    } else {
        char uuid[OS_UUID_STRLEN + 1];
        if (share->uuid && os_uuid_valid(share->uuid))
            snprintf(uuid, sizeof uuid, "%s", share->uuid);
        else if (os_uuid_v4(uuid) != 0)
            return os_err_set(err, OS_EINTERNAL, "random source failed");
        if (sq_exec(tx->db, err,
                    "INSERT INTO shares(name, name_key, uuid, display_name, comment,"
                    " properties_json, cfg_gen, created_ms, created_by) VALUES(?,?,?,?,?,?,?,?,?)",
                    "ssssssiis", share->name, key, uuid, share->display_name, share->comment,
                    share->properties_json, gen, now, actor) != 0)
            return -1;
        id = sqlite3_last_insert_rowid(tx->db);
    }
    if (id_out)
        *id_out = id;
    return 0;
}

int store_schema_put(cat_tx *tx, int64_t share_id, const char *name, int64_t gen,
                     int64_t *id_out, os_err *err)
{
    char key[KEYBUF];
    int64_t id = 0;
    if (make_key(name, key, sizeof key, err) != 0)
        return -1;
    int found = find_id(tx->db, err, &id,
                        "SELECT id FROM schemas WHERE share_id = ? AND name_key = ?", "is", key,
                        share_id);
    if (found < 0)
        return -1;
    if (found) {
        if (sq_exec(tx->db, err, "UPDATE schemas SET name=?, cfg_gen=? WHERE id=?", "sii", name,
                    gen, id) != 0)
            return -1;
    } else {
        if (sq_exec(tx->db, err,
                    "INSERT INTO schemas(share_id, name, name_key, cfg_gen) VALUES(?,?,?,?)",
                    "issi", share_id, name, key, gen) != 0)
            return -1;
        id = sqlite3_last_insert_rowid(tx->db);
    }
    if (id_out)
        *id_out = id;
    return 0;
}

int store_asset_put(cat_tx *tx, const cat_asset *x, int64_t gen, const char *actor,
                    int64_t *id_out, os_err *err)
{
    char key[KEYBUF];
    int64_t id = 0, now = os_now_ms();
    if (make_key(x->name, key, sizeof key, err) != 0)
        return -1;
    sqlite3_stmt *s = sq_prepare(tx->db, err,
                                 "SELECT id, kind FROM assets WHERE schema_id = ? AND name_key = ?",
                                 "is", x->schema_id, key);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    int found = rc == SQLITE_ROW;
    int kind = found ? sqlite3_column_int(s, 1) : 0;
    if (found)
        id = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(tx->db, err, "lookup");
    if (found && kind != (int)x->kind)
        return os_err_set(err, OS_EEXIST,
                          "another kind of asset named '%s' already exists in this schema", x->name);
    if (found) {
        if (sq_exec(tx->db, err,
                    "UPDATE assets SET name=?, location=?, comment=?, format=?, aux_locations_json=?,"
                    " history_shared=?, description=?, license=?, compatibility=?, allowed_tools=?,"
                    " metadata_json=?, metadata_location=?, partition_columns_json=?, cfg_gen=?,"
                    " updated_ms=?, updated_by=? WHERE id=?",
                    "sssssnsssssssiisi", x->name, x->location, x->comment, x->format,
                    x->aux_locations_json, x->history_shared, x->description, x->license,
                    x->compatibility, x->allowed_tools, x->metadata_json, x->metadata_location,
                    x->partition_columns_json, gen, now, actor, id) != 0)
            return -1;
    } else {
        char uuid[OS_UUID_STRLEN + 1];
        if (x->uuid && os_uuid_valid(x->uuid))
            snprintf(uuid, sizeof uuid, "%s", x->uuid);
        else if (os_uuid_v4(uuid) != 0)
            return os_err_set(err, OS_EINTERNAL, "random source failed");
        if (sq_exec(tx->db, err,
                    "INSERT INTO assets(schema_id, kind, name, name_key, uuid, location, comment,"
                    " format, aux_locations_json, history_shared, description, license,"
                    " compatibility, allowed_tools, metadata_json, metadata_location,"
                    " partition_columns_json, cfg_gen, created_ms, created_by)"
                    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    "insssssssnsssssssiis", x->schema_id, (int)x->kind, x->name, key, uuid,
                    x->location, x->comment, x->format, x->aux_locations_json, x->history_shared,
                    x->description, x->license, x->compatibility, x->allowed_tools,
                    x->metadata_json, x->metadata_location, x->partition_columns_json, gen, now,
                    actor) != 0)
            return -1;
        id = sqlite3_last_insert_rowid(tx->db);
    }
    if (id_out)
        *id_out = id;
    return 0;
}

int store_model_version_put(cat_tx *tx, const cat_model_version *mv, int64_t gen, os_err *err)
{
    char uuid[OS_UUID_STRLEN + 1];
    if (os_uuid_v4(uuid) != 0)
        return os_err_set(err, OS_EINTERNAL, "random source failed");
    /* The UUID of an existing version is kept: only the other fields change. */
    return sq_exec(tx->db, err,
                   "INSERT INTO model_versions(model_id, version, status, location, uuid, source,"
                   " run_id, comment, cfg_gen) VALUES(?,?,?,?,?,?,?,?,?)"
                   " ON CONFLICT(model_id, version) DO UPDATE SET status=excluded.status,"
                   " location=excluded.location, source=excluded.source, run_id=excluded.run_id,"
                   " comment=excluded.comment, cfg_gen=excluded.cfg_gen",
                   "iissssssi", mv->model_id, mv->version, mv->status, mv->location, uuid,
                   mv->source, mv->run_id, mv->comment, gen);
}

int store_model_alias_put(cat_tx *tx, int64_t model_id, const char *alias, int64_t version,
                          int64_t gen, os_err *err)
{
    char key[KEYBUF];
    if (make_key(alias, key, sizeof key, err) != 0)
        return -1;
    return sq_exec(tx->db, err,
                   "INSERT INTO model_aliases(model_id, alias, alias_key, version, cfg_gen)"
                   " VALUES(?,?,?,?,?) ON CONFLICT(model_id, alias_key) DO UPDATE SET"
                   " alias=excluded.alias, version=excluded.version, cfg_gen=excluded.cfg_gen",
                   "issii", model_id, alias, key, version, gen);
}

int store_recipient_put(cat_tx *tx, const cat_recipient *r, int64_t gen, const char *actor,
                        int64_t *id_out, os_err *err)
{
    char key[KEYBUF];
    int64_t id = 0, now = os_now_ms();
    if (make_key(r->name, key, sizeof key, err) != 0)
        return -1;
    int found = find_id(tx->db, err, &id, "SELECT id FROM recipients WHERE name_key = ?", "s", key, 0);
    if (found < 0)
        return -1;
    if (found) {
        if (sq_exec(tx->db, err,
                    "UPDATE recipients SET name=?, comment=?, ip_allow_json=?, cfg_gen=?,"
                    " updated_ms=?, updated_by=? WHERE id=?",
                    "sssiisi", r->name, r->comment, r->ip_allow_json, gen, now, actor, id) != 0)
            return -1;
    } else {
        char uuid[OS_UUID_STRLEN + 1];
        if (os_uuid_v4(uuid) != 0)
            return os_err_set(err, OS_EINTERNAL, "random source failed");
        if (sq_exec(tx->db, err,
                    "INSERT INTO recipients(name, name_key, uuid, comment, ip_allow_json, cfg_gen,"
                    " created_ms, created_by) VALUES(?,?,?,?,?,?,?,?)",
                    "sssssiis", r->name, key, uuid, r->comment, r->ip_allow_json, gen, now,
                    actor) != 0)
            return -1;
        id = sqlite3_last_insert_rowid(tx->db);
    }
    if (id_out)
        *id_out = id;
    return 0;
}

int store_token_add(cat_tx *tx, int64_t recipient_id, const char *hash_hex, int64_t expires_ms,
                    const char *source, os_err *err)
{
    /* Re-adding a recipient's own token (a config applied again) refreshes it;
     * the same token for another recipient is refused. */
    if (sq_exec(tx->db, err,
                "INSERT INTO tokens(recipient_id, hash, created_ms, expires_ms, source)"
                " VALUES(?,?,?,?,?) ON CONFLICT(hash) DO UPDATE SET expires_ms = excluded.expires_ms,"
                " revoked_ms = 0 WHERE tokens.recipient_id = excluded.recipient_id",
                "isiis", recipient_id, hash_hex, os_now_ms(), expires_ms, source) != 0)
        return -1;
    if (sqlite3_changes(tx->db) == 0)
        return os_err_set(err, OS_EEXIST, "this token is already used by another recipient");
    return 0;
}

int store_token_revoke_source(cat_tx *tx, int64_t recipient_id, const char *source,
                              const char *keep_hash, int64_t when_ms, os_err *err)
{
    return sq_exec(tx->db, err,
                   "UPDATE tokens SET revoked_ms = ? WHERE recipient_id = ? AND source = ?"
                   " AND revoked_ms = 0 AND hash IS NOT ?",
                   "iiss", when_ms, recipient_id, source, keep_hash);
}

int store_token_has_source(cat_tx *tx, int64_t recipient_id, const char *source, os_err *err)
{
    sqlite3_stmt *s = sq_prepare(tx->db, err,
                                 "SELECT count(*) FROM tokens WHERE recipient_id = ? AND source = ?"
                                 " AND revoked_ms = 0",
                                 "is", recipient_id, source);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    int n = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    if (n < 0)
        return sq_fail(tx->db, err, "counting tokens");
    return n > 0;
}

int store_grant_put(cat_tx *tx, int64_t share_id, int64_t recipient_id, int64_t gen,
                    const char *actor, os_err *err)
{
    return sq_exec(tx->db, err,
                   "INSERT INTO grants(share_id, recipient_id, cfg_gen, created_ms, created_by)"
                   " VALUES(?,?,?,?,?) ON CONFLICT(share_id, recipient_id) DO UPDATE SET"
                   " cfg_gen = CASE WHEN grants.cfg_gen = 0 AND excluded.cfg_gen > 0 THEN 0"
                   " ELSE excluded.cfg_gen END",
                   "iiiis", share_id, recipient_id, gen, os_now_ms(), actor);
}

int store_config_prune(cat_tx *tx, int64_t gen, os_err *err)
{
    /* Children first is not needed (ON DELETE CASCADE), but pruning each level
     * also removes config rows under objects that remain. */
    static const char *const tables[] = {"grants", "model_aliases", "model_versions", "assets",
                                         "schemas", "shares", "recipients", "locations"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE cfg_gen > 0 AND cfg_gen < ?", tables[i]);
        if (sq_exec(tx->db, err, sql, "i", gen) != 0)
            return -1;
    }
    return sq_exec(tx->db, err,
                   "DELETE FROM tokens WHERE source = 'config' AND recipient_id NOT IN"
                   " (SELECT id FROM recipients)",
                   NULL);
}

int store_config_next_gen(cat_tx *tx, int64_t *gen, os_err *err)
{
    sqlite3_stmt *s = sq_prepare(tx->db, err,
                                 "SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'config_gen'",
                                 NULL);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    int64_t g = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(tx->db, err, "reading config generation");
    g++;
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)g);
    if (sq_exec(tx->db, err,
                "INSERT INTO settings(key, value) VALUES('config_gen', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                "s", text) != 0)
        return -1;
    *gen = g;
    return 0;
}

int store_tx_share_id(cat_tx *tx, const char *name, int64_t *id, os_err *err)
{
    char key[KEYBUF];
    if (make_key(name, key, sizeof key, err) != 0)
        return -1;
    int found = find_id(tx->db, err, id, "SELECT id FROM shares WHERE name_key = ?", "s", key, 0);
    if (found == 0) {
        *id = 0;
        return os_err_set(err, OS_ENOTFOUND, "share '%s' does not exist", name);
    }
    return found < 0 ? -1 : 0;
}

int store_tx_recipient_id(cat_tx *tx, const char *name, int64_t *id, os_err *err)
{
    char key[KEYBUF];
    if (make_key(name, key, sizeof key, err) != 0)
        return -1;
    int found = find_id(tx->db, err, id, "SELECT id FROM recipients WHERE name_key = ?", "s", key, 0);
    if (found == 0) {
        *id = 0;
        return os_err_set(err, OS_ENOTFOUND, "recipient '%s' does not exist", name);
    }
    return found < 0 ? -1 : 0;
}
