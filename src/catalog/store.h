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

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "catalog/model.h"

typedef struct cat_store cat_store;
typedef struct cat_tx cat_tx;

/* Opens (creating if needed) the catalog at `path`, applies pending numbered
 * migrations, and enables WAL and foreign keys.  Returns NULL with err filled. */
cat_store *store_open(const char *path, os_err *err);
/* Closes every connection.  NULL is a no-op. */
void store_close(cat_store *st);
/* Checks the database answers a trivial query (readiness). */
int store_ping(cat_store *st, os_err *err);
/* The schema version reached by the migrations. */
int store_schema_version(cat_store *st);

/* ---- recipient-facing reads ------------------------------------------ */

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

#endif
