/* store.h - the catalog store: every read and write of shares, assets, recipients, tokens and grants.
 *
 * The server and the admin tools talk to the catalog only through these calls.
 * The implementation is SQLite (store_sqlite.c); a PostgreSQL backend would
 * implement the same calls.  Reads are safe from any thread.  Writes happen
 * inside a transaction (cat_tx) that commits all-or-nothing.
 *
 * Conventions: functions return 0 on success and -1 with `err` filled on
 * failure (OS_ENOTFOUND when a named object does not exist, OS_EEXIST on
 * conflicts, OS_EIO on database failures).  Results are allocated from the
 * caller's arena and live as long as it does.  Name arguments are matched
 * case-insensitively.  List calls return items strictly after the given keys
 * (NULL = from the start) in a stable order, at most `limit` of them, and set
 * page->more when another item follows. */
#ifndef OS_CATALOG_STORE_H
#define OS_CATALOG_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "catalog/model.h"

typedef struct cat_store cat_store;
typedef struct cat_tx cat_tx;

/* Opens (creating if needed) the catalog at `path`, applies pending numbered
 * migrations, and enables WAL and foreign keys.  Returns NULL with err filled. */
cat_store *store_open(const char *path, os_err *err);
/* How long a write waits for another process's write lock before failing
 * with OS_EBUSY (default STORE_BUSY_MS_DEFAULT).  Call before serving. */
#define STORE_BUSY_MS_DEFAULT 10000
void store_set_busy_timeout(cat_store *st, int ms);
/* Closes every connection.  NULL is a no-op. */
void store_close(cat_store *st);
/* Checks the database answers a trivial query (readiness). */
int store_ping(cat_store *st, os_err *err);
/* The schema version reached by the migrations. */
int store_schema_version(cat_store *st);

/* ---- recipient-facing reads ------------------------------------------ */

/* These reads are answered from an in-memory copy of the catalog, reloaded
 * when a write commits through this store and, for writes by other
 * processes, when a once-a-second check of the catalog generation sees a
 * change.  The generation of the copy they read: equal generations mean equal
 * catalogs, so answers rendered from it can be reused (api/answer_cache.h). */
int store_generation(cat_store *st, int64_t *gen, os_err *err);

/* Finds the token whose SHA-256 hex hash is `hash_hex`. */
int store_token_find(cat_store *st, const char *hash_hex, cat_token *out, os_err *err);
int store_recipient_get(cat_store *st, int64_t recipient_id, os_arena *a, cat_recipient **out,
                        os_err *err);
/* A share by name, only if granted to recipient_id (0 = any share, for
 * provider tools).  Ungranted shares are OS_ENOTFOUND, like absent ones. */
int store_share_get(cat_store *st, int64_t recipient_id, const char *name, os_arena *a,
                    cat_share **out, os_err *err);
/* Shares granted to recipient_id (0 = all), ordered by name key. */
int store_share_list(cat_store *st, int64_t recipient_id, const char *after_key, int limit,
                     os_arena *a, cat_page *page, os_err *err);
/* Schemas of a share, ordered by name key; items are cat_schema*. */
int store_schema_list(cat_store *st, const cat_share *share, const char *after_key, int limit,
                      os_arena *a, cat_page *page, os_err *err);
int store_schema_get(cat_store *st, const cat_share *share, const char *name, os_arena *a,
                     cat_schema **out, os_err *err);
/* Assets of one kind in a schema (schema != NULL) or in the whole share,
 * ordered by (schema key, name key); items are cat_asset*. */
int store_asset_list(cat_store *st, cat_asset_kind kind, const cat_share *share,
                     const cat_schema *schema, const char *after_schema_key,
                     const char *after_name_key, int limit, os_arena *a, cat_page *page,
                     os_err *err);
int store_asset_get(cat_store *st, cat_asset_kind kind, const cat_share *share,
                    const cat_schema *schema, const char *name, os_arena *a, cat_asset **out,
                    os_err *err);
/* Versions of a model ordered by version; ready_only keeps status READY. */
int store_model_version_list(cat_store *st, int64_t model_id, int ready_only,
                             int64_t after_version, int limit, os_arena *a, cat_page *page,
                             os_err *err);
int store_model_version_get(cat_store *st, int64_t model_id, int64_t version, os_arena *a,
                            cat_model_version **out, os_err *err);
/* Resolves an alias of a model to its version number. */
int store_model_alias_get(cat_store *st, int64_t model_id, const char *alias, int64_t *version,
                          os_err *err);
/* All storage locations, ordered by name key; items are cat_location*. */
int store_location_list(cat_store *st, os_arena *a, cat_page *page, os_err *err);

/* ---- writes ------------------------------------------------------------ */

/* Starts an immediate (write-locking) transaction on a dedicated connection. */
cat_tx *store_tx_begin(cat_store *st, os_err *err);
/* Commits and releases the transaction (also on failure, after rolling back). */
int store_tx_commit(cat_tx *tx, os_err *err);
/* Rolls back and releases.  NULL is a no-op. */
void store_tx_rollback(cat_tx *tx);

/* Upserts keyed by name (case-insensitive).  `gen` marks rows declared by a
 * config apply (0 for rows made by other means: they are never pruned).  Ids
 * and UUIDs of existing rows are kept; new rows get a fresh UUID.  `actor`
 * names who made the change (for the record).  *id_out may be NULL. */
int store_location_put(cat_tx *tx, const cat_location *loc, int64_t gen, const char *actor,
                       int64_t *id_out, os_err *err);
int store_share_put(cat_tx *tx, const cat_share *share, int64_t gen, const char *actor,
                    int64_t *id_out, os_err *err);
int store_schema_put(cat_tx *tx, int64_t share_id, const char *name, int64_t gen,
                     int64_t *id_out, os_err *err);
/* asset->schema_id, kind and name select the row; an asset of another kind with
 * the same name in the schema is OS_EEXIST. */
int store_asset_put(cat_tx *tx, const cat_asset *asset, int64_t gen, const char *actor,
                    int64_t *id_out, os_err *err);
int store_model_version_put(cat_tx *tx, const cat_model_version *mv, int64_t gen, os_err *err);
int store_model_alias_put(cat_tx *tx, int64_t model_id, const char *alias, int64_t version,
                          int64_t gen, os_err *err);
int store_recipient_put(cat_tx *tx, const cat_recipient *r, int64_t gen, const char *actor,
                        int64_t *id_out, os_err *err);
/* Adds a token hash for a recipient, or re-activates it when the recipient
 * already has it.  `source` tags where it came from ("config", "demo",
 * "activation").  A hash held by another recipient is OS_EEXIST. */
int store_token_add(cat_tx *tx, int64_t recipient_id, const char *hash_hex, int64_t expires_ms,
                    const char *source, os_err *err);
/* Revokes (at `when_ms`) every live token of the recipient with this source
 * except the one with keep_hash (may be NULL). */
int store_token_revoke_source(cat_tx *tx, int64_t recipient_id, const char *source,
                              const char *keep_hash, int64_t when_ms, os_err *err);
/* 1 when the recipient has a live token from `source`, else 0; -1 on error. */
int store_token_has_source(cat_tx *tx, int64_t recipient_id, const char *source, os_err *err);
int store_grant_put(cat_tx *tx, int64_t share_id, int64_t recipient_id, int64_t gen,
                    const char *actor, os_err *err);
/* Deletes config-declared rows (gen > 0) older than `gen`: what the new
 * config no longer declares. */
int store_config_prune(cat_tx *tx, int64_t gen, os_err *err);
/* The next config generation number (stored; increases by one per apply). */
int store_config_next_gen(cat_tx *tx, int64_t *gen, os_err *err);
/* Looks up ids inside a transaction (0 and OS_ENOTFOUND when absent). */
int store_tx_share_id(cat_tx *tx, const char *name, int64_t *id, os_err *err);
int store_tx_recipient_id(cat_tx *tx, const char *name, int64_t *id, os_err *err);

/* ==== provider administration (store_admin.c, store_admin_read.c) =========
 * Admin principals, activation links, deletes, token history, grants by
 * either side and the recipient audit log.  Same conventions as above. */

/* Who made and last changed a row. */
typedef struct cat_meta {
    int64_t created_ms;
    const char *created_by;
    int64_t updated_ms;       /* 0: never updated */
    const char *updated_by;
} cat_meta;

/* A recipient as the admin API shows it. */
typedef struct cat_recipient_admin {
    cat_recipient r;
    const char *properties_json;  /* JSON object, or NULL */
    int64_t token_lifetime_s;     /* 0: the server default */
    cat_meta meta;
} cat_recipient_admin;

/* A token row's history, without its hash. */
typedef struct cat_token_info {
    int64_t id;
    const char *source;
    int64_t created_ms, expires_ms, revoked_ms, superseded_ms;
    int64_t last_used_ms;         /* 0: never used (recorded at most once a minute) */
} cat_token_info;

/* An asset with the provider's source name (NULL when it equals the name). */
typedef struct cat_asset_admin {
    cat_asset a;
    const char *source_name;
    cat_meta meta;
} cat_asset_admin;

/* One grant seen from either side. */
typedef struct cat_grant_info {
    const char *share_name;
    const char *recipient_name;
    int64_t created_ms;
    const char *created_by;
} cat_grant_info;

/* One recipient request, as the audit log keeps it. */
typedef struct cat_audit_event {
    int64_t id;
    int64_t token_id;             /* the token used (not stored with the event): 0 none */
    int64_t time_ms;
    int64_t recipient_id;         /* 0: not authenticated */
    const char *recipient, *share, *schema, *asset, *operation, *method, *path;
    int status;
    int64_t files, credentials;
    const char *client_ip, *user_agent;
    bool has_snapshot;            /* Iceberg REST routes: the snapshot read */
    int64_t snapshot_id;
    const char *file;             /* downloads (local signed URLs): the key under the asset */
    int64_t bytes;                /* ... and the body bytes sent */
} cat_audit_event;

/* Audit listing filters: NULL / 0 means "any". */
typedef struct cat_audit_filter {
    const char *recipient, *share, *asset;
    int64_t since_ms, until_ms;   /* since inclusive, until exclusive */
} cat_audit_filter;

/* Replaces every admin principal with the given names and token hashes. */
int store_admin_replace(cat_tx *tx, const char *const *names, const char *const *hashes, size_t n,
                        os_err *err);
/* The admin principal whose token hash is hash_hex (OS_ENOTFOUND when none). */
int store_admin_find(cat_store *st, const char *hash_hex, os_arena *a, const char **name,
                     os_err *err);
/* Records an admin change: who, what, on which object. */
int store_admin_event(cat_tx *tx, const char *actor, const char *action, const char *target,
                      os_err *err);
/* 1 when a row named `name` exists in `kind` ("locations", "shares",
 * "recipients"), 0 when not, -1 on error. */
int store_tx_name_exists(cat_tx *tx, const char *kind, const char *name, os_err *err);
/* Creation and change stamps of a named location, share or recipient. */
int store_meta_get(cat_store *st, const char *kind, int64_t id, os_arena *a, cat_meta *out,
                   os_err *err);

int store_location_get(cat_store *st, const char *name, os_arena *a, cat_location **out,
                       os_err *err);
int store_location_delete(cat_tx *tx, const char *name, os_err *err);
/* Every asset and model-version location (items are const char*). */
int store_asset_locations(cat_store *st, os_arena *a, cat_page *page, os_err *err);

int store_share_delete(cat_tx *tx, const char *name, os_err *err);
/* Every asset of a share, all kinds, ordered by (schema key, name key). */
int store_share_assets(cat_store *st, int64_t share_id, os_arena *a, cat_page *page, os_err *err);
/* The id of the asset named (alias) `name` in a schema of the share, or 0. */
int store_tx_asset_find(cat_tx *tx, int64_t schema_id, const char *name, int64_t *id, os_err *err);
int store_tx_asset_set_source(cat_tx *tx, int64_t asset_id, const char *source_name, os_err *err);
/* Removes the asset whose alias or source name is `name` from the schema;
 * drops the schema when nothing is left in it.  OS_ENOTFOUND when absent. */
int store_tx_asset_remove(cat_tx *tx, int64_t share_id, const char *schema, const char *name,
                          os_err *err);

int store_recipient_admin_get(cat_store *st, const char *name, os_arena *a,
                              cat_recipient_admin **out, os_err *err);
/* All recipients ordered by name key; items are cat_recipient_admin*. */
int store_recipient_admin_list(cat_store *st, os_arena *a, cat_page *page, os_err *err);
/* Writes the admin-editable fields of a recipient (NULL JSON clears). */
int store_tx_recipient_update(cat_tx *tx, int64_t id, const char *comment,
                              const char *ip_allow_json, const char *properties_json,
                              int64_t token_lifetime_s, const char *actor, os_err *err);
/* Sets properties and token lifetime of a just-created recipient (no change stamp). */
int store_tx_recipient_extras(cat_tx *tx, int64_t id, const char *properties_json,
                              int64_t token_lifetime_s, os_err *err);
int store_recipient_delete(cat_tx *tx, const char *name, os_err *err);
/* The recipient's tokens, newest first; items are cat_token_info*. */
int store_token_history(cat_store *st, int64_t recipient_id, os_arena *a, cat_page *page,
                        os_err *err);
/* Marks every token still usable at now_ms as superseded and revoked at
 * until_ms (>= now_ms; a token already revoked earlier keeps its time), and
 * expires every unopened activation link of the recipient. */
int store_tx_tokens_supersede(cat_tx *tx, int64_t recipient_id, int64_t now_ms, int64_t until_ms,
                              os_err *err);

/* Adds a single-use activation link (only its hash). */
int store_tx_activation_add(cat_tx *tx, int64_t recipient_id, const char *code_hash,
                            int64_t expires_ms, const char *actor, os_err *err);
/* Consumes the link: OS_ENOTFOUND when unknown, already used or expired.
 * Sets *recipient_id. */
int store_tx_activation_redeem(cat_tx *tx, const char *code_hash, int64_t now_ms,
                               int64_t *recipient_id, os_err *err);
/* Expiry of the recipient's newest unopened, unexpired link, or 0. */
int store_activation_pending(cat_store *st, int64_t recipient_id, int64_t now_ms,
                             int64_t *expires_ms, os_err *err);

/* Aliases of a model ordered by alias key; items are cat_alias_info*. */
typedef struct cat_alias_info {
    const char *alias;
    int64_t version;
} cat_alias_info;
int store_model_alias_list(cat_store *st, int64_t model_id, os_arena *a, cat_page *page,
                           os_err *err);

int store_grant_delete(cat_tx *tx, int64_t share_id, int64_t recipient_id, os_err *err);
/* Grants of one share (share_id) or of one recipient (recipient_id); the
 * other id is 0.  Items are cat_grant_info*. */
int store_grant_list(cat_store *st, int64_t share_id, int64_t recipient_id, os_arena *a,
                     cat_page *page, os_err *err);

int store_audit_append(cat_store *st, const cat_audit_event *ev, os_err *err);
/* Appends n events in one transaction (all or none).  Returns 0 or -1. */
int store_audit_append_batch(cat_store *st, const cat_audit_event *const *evs, size_t n, os_err *err);
/* Records that these tokens were used at when_ms (a time only moves
 * forward), in one transaction that leaves the catalog generation alone.
 * Returns 0, or -1 with err. */
int store_tokens_touch(cat_store *st, const int64_t *token_ids, size_t n, int64_t when_ms,
                       os_err *err);
/* Deletes events older than before_ms, in chunks (each its own short
 * transaction, so requests' audit writes are not held up); *deleted counts
 * them.  Returns 0, or -1 with err (chunks already deleted stay deleted). */
int store_audit_prune(cat_store *st, int64_t before_ms, int64_t *deleted, os_err *err);
/* Events matching f with id > after_id, oldest first; items cat_audit_event*. */
int store_audit_list(cat_store *st, const cat_audit_filter *f, int64_t after_id, int limit,
                     os_arena *a, cat_page *page, os_err *err);

#endif
