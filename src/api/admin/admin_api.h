/* admin_api.h - the provider admin API (snake_case JSON under its own prefix) and the public activation endpoint.
 *
 * cmd_serve.c fills one admin_api and mounts admin_api_routes() under the
 * admin prefix (on the main server or on a separate admin listener) and
 * admin_public_routes() (activation link, recipient OpenAPI document) under
 * the protocol prefix.  Handlers live in admin_*.c, one file per object. */
#ifndef OS_API_ADMIN_ADMIN_API_H
#define OS_API_ADMIN_ADMIN_API_H

#include <jansson.h>
#include <stddef.h>

#include "auth/admin.h"
#include "catalog/store.h"
#include "net/http.h"

typedef struct admin_api {
    cat_store *store;
    admin_settings settings;       /* rotation grace, activation TTL, token lifetime */
    int loopback_only;             /* admin routes refuse non-loopback clients */
    char admin_prefix[256];
    char protocol_prefix[1024];
    /* Set once the server's address is known (before any link can exist). */
    char endpoint[2048];           /* profile endpoint, ends with '/' */
    char public_base[1024];        /* scheme://host:port, for activation URLs */
    /* Every mount of the main server except the admin one: the protocol
     * OpenAPI document is generated from them. */
    const http_mount *protocol_mounts;
    size_t nprotocol_mounts;
} admin_api;

/* Admin routes, relative to the admin prefix (static array). */
const http_route *admin_api_routes(size_t *n);
/* Unauthenticated routes under the protocol prefix: the activation link and
 * the recipient protocol's OpenAPI document. */
const http_route *admin_public_routes(size_t *n);

/* ---- shared by the admin_*.c handler files ---- */

/* The admin gate: loopback rule, then bearer authentication.  Returns 0 with
 * *actor ("admin:NAME", in the request arena), or -1 after answering. */
int admin_gate(http_request *req, http_response *res, admin_api *api, const char **actor);
/* Parses the body as a JSON object whatever the Content-Type says (an empty
 * body is {}).  Returns the object (caller decrefs) or NULL after answering 400. */
json_t *admin_body(http_request *req, http_response *res);
/* Refuses keys of o outside the NULL-terminated list (OS_EINVAL naming it). */
int admin_only_keys(const json_t *o, const char *what, const char *const *keys, os_err *err);
/* Optional string member (absent or null gives NULL); a non-string is OS_EINVAL. */
int admin_opt_str(const json_t *o, const char *key, const char **out, os_err *err);
/* Required non-empty string member. */
int admin_req_str(const json_t *o, const char *key, const char *what, const char **out,
                  os_err *err);
/* Optional object of string values, as compact JSON text in the arena (NULL
 * when absent or null; *present set when the key was given at all). */
int admin_opt_props(const json_t *o, const char *key, os_arena *a, const char **json_text,
                    int *present, os_err *err);
/* Optional integer in [min, max]; *present says whether it was given. */
int admin_opt_int(const json_t *o, const char *key, int64_t min, int64_t max, int64_t *out,
                  int *present, os_err *err);
/* Sets key to an ISO-8601 time, or null when ms is 0. */
void admin_json_time(json_t *o, const char *key, int64_t ms);
/* Sets key to the parsed JSON text (object/array), or null. */
void admin_json_raw(json_t *o, const char *key, const char *json_text);
/* Adds created_at/by and updated_at/by. */
void admin_json_meta(json_t *o, const cat_meta *m);
/* Optional paging of an in-memory listing sorted by name: reads max_results
 * (absent: everything) and page_token (the hex of the last name returned)
 * from the query.  Sets *start and *count to the slice of `names` to answer
 * and *next (arena) to the token of the following page, or NULL.  Returns 0,
 * or -1 with OS_EINVAL for a malformed parameter. */
int admin_page(http_request *req, const char *const *names, int n, int *start, int *count,
               const char **next, os_err *err);
/* Commits tx after recording (actor, action, target) in the admin change log;
 * on any failure rolls back.  Returns 0 or -1 with err. */
int admin_tx_finish(cat_tx *tx, const char *actor, const char *action, const char *target,
                    os_err *err);
/* Inside tx: 0 when no `table` row is called name, else -1 with OS_EEXIST
 * ("WHAT 'NAME' already exists") or the lookup's error.  Does not roll back. */
int admin_tx_name_free(cat_tx *tx, const char *table, const char *what, const char *name,
                       os_err *err);

/* admin_gate() then admin_body(): the body object (caller decrefs) with
 * *actor set, or NULL after answering. */
json_t *admin_gate_body(http_request *req, http_response *res, admin_api *api,
                        const char **actor);
/* For an update: when key is present in o, replaces *field with its string
 * value (null clears it to NULL); an absent key leaves *field alone.  Returns
 * 0, or -1 with OS_EINVAL from admin_opt_str(). */
int admin_upd_str(const json_t *o, const char *key, const char **field, os_err *err);

/* How admin_send_list() reads one listed item: its name (the paging key) and
 * its JSON (a new reference, or NULL to leave the item out). */
typedef const char *(*admin_item_name_fn)(const void *item);
typedef json_t *(*admin_item_json_fn)(admin_api *api, const void *item, os_arena *a);
/* Answers 200 {KEY: [items of the page admin_page() selects], next_page_token?}
 * for a whole listing sorted by name, or the error (OS_EINVAL for a bad
 * paging parameter).  Returns what api_send_* returns. */
int admin_send_list(http_request *req, http_response *res, admin_api *api, const cat_page *page,
                    const char *key, admin_item_name_fn name_of, admin_item_json_fn to_json);
/* Deletes name with del inside a transaction logged as (actor, action,
 * target), then answers 200 {} or the error (rolled back).  Returns what
 * api_send_* returns. */
int admin_send_delete(http_response *res, admin_api *api, const char *actor,
                      int (*del)(cat_tx *tx, const char *name, os_err *err), const char *name,
                      const char *action, const char *target);

/* Handlers, by file. */
int admin_h_location_create(http_request *req, http_response *res, void *ctx);
int admin_h_location_list(http_request *req, http_response *res, void *ctx);
int admin_h_location_get(http_request *req, http_response *res, void *ctx);
int admin_h_location_delete(http_request *req, http_response *res, void *ctx);
int admin_h_share_create(http_request *req, http_response *res, void *ctx);
int admin_h_share_list(http_request *req, http_response *res, void *ctx);
int admin_h_share_get(http_request *req, http_response *res, void *ctx);
int admin_h_share_update(http_request *req, http_response *res, void *ctx);
int admin_h_share_delete(http_request *req, http_response *res, void *ctx);
int admin_h_recipient_create(http_request *req, http_response *res, void *ctx);
int admin_h_recipient_list(http_request *req, http_response *res, void *ctx);
int admin_h_recipient_get(http_request *req, http_response *res, void *ctx);
int admin_h_recipient_update(http_request *req, http_response *res, void *ctx);
int admin_h_recipient_delete(http_request *req, http_response *res, void *ctx);
int admin_h_recipient_rotate(http_request *req, http_response *res, void *ctx);
int admin_h_activate(http_request *req, http_response *res, void *ctx);
int admin_h_share_permissions_get(http_request *req, http_response *res, void *ctx);
int admin_h_share_permissions_update(http_request *req, http_response *res, void *ctx);
int admin_h_recipient_permissions(http_request *req, http_response *res, void *ctx);
int admin_h_audit_list(http_request *req, http_response *res, void *ctx);
int admin_h_table_refresh(http_request *req, http_response *res, void *ctx);

/* Validates and writes one ADD data_object of a share update inside tx
 * (admin_assets.c).  Errors name the object. */
int admin_asset_add(admin_api *api, cat_tx *tx, int64_t share_id, const json_t *obj,
                    const char *actor, os_arena *a, os_err *err);
/* Removes one REMOVE data_object inside tx. */
int admin_asset_remove(cat_tx *tx, int64_t share_id, const json_t *obj, os_err *err);
/* JSON of one asset (with versions and aliases for models). */
json_t *admin_asset_json(admin_api *api, const cat_asset_admin *x, os_arena *a);

#endif
