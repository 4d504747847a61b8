/* store_view.h - an immutable in-memory copy of the recipient-facing catalog that answers its lookups without SQL.
 *
 * Private to the catalog.  Every recipient request needs its token, its
 * recipient, a share, a schema and assets: read from SQLite that is a handful
 * of prepared statements and the connection pool per request, all serialised
 * on locks.  A view holds all of those rows (tokens, recipients, grants,
 * shares, schemas, assets and storage locations), sorted so each lookup is a
 * binary search, and answers with copies in the caller's arena: exactly what
 * the SQL queries return, same order, same paging.
 *
 * A view never changes after it is built; the store swaps in a new one when
 * the catalog changes (store_sqlite_view.c).  Readers hold a reference while
 * they copy out of it. */
#ifndef OS_CATALOG_STORE_VIEW_H
#define OS_CATALOG_STORE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "catalog/model.h"

typedef struct sv_share {
    cat_share row;
    const char *key;              /* name_key */
    size_t schema_first, schema_count;   /* its schemas, by key */
} sv_share;

typedef struct sv_schema {
    cat_schema row;
    const char *key;
    size_t asset_first, asset_count;     /* its assets (all kinds), by key */
} sv_schema;

typedef struct sv_asset {
    cat_asset row;
    const char *key;
} sv_asset;

typedef struct sv_recipient {
    cat_recipient row;
    size_t *shares;               /* indexes into shares[] of granted shares, ascending (= by key) */
    size_t nshares, shares_cap;
} sv_recipient;

/* An id and the index of its row, for lookups by id. */
typedef struct sv_id {
    int64_t id;
    size_t idx;
} sv_id;

/* Plain data, filled by the loader in this order: locations, tokens,
 * recipients, shares, schemas, assets, then grants.  Every array is in the
 * view's arena and sorted as stated. */
typedef struct store_view {
    os_arena arena;
    int64_t gen;                  /* the catalog generation it was built from */
    int refs;                     /* atomically counted; the view is freed at 0 */
    cat_location *locations;      /* by name key */
    size_t nlocations;
    cat_token *tokens;            /* by hash */
    size_t ntokens;
    sv_recipient *recipients;     /* by id */
    size_t nrecipients;
    sv_share *shares;             /* by key */
    size_t nshares;
    sv_id *share_ids;             /* by id */
    sv_schema *schemas;           /* by (share key, schema key) */
    size_t nschemas;
    sv_id *schema_ids;            /* by id */
    sv_asset *assets;             /* by (share key, schema key, asset key) */
    size_t nassets;
} store_view;

/* Frees the view and everything in it.  NULL is a no-op. */
void store_view_free(store_view *v);

/* Sorts the id indexes and links shares to schemas to assets after the rows
 * are loaded.  Returns 0, or -1 with OS_ECORRUPT when the rows contradict
 * each other (a schema of no share), OS_ENOMEM when out of memory. */
int store_view_index(store_view *v, os_err *err);
/* Records that recipient_id is granted the share with share_id (both must be
 * loaded; grants are added in (recipient id, share key) order).  Returns 0,
 * or -1 with err. */
int store_view_grant(store_view *v, int64_t recipient_id, int64_t share_id, os_err *err);

/* The lookups below mirror the store.h calls of the same names (same
 * results, order, paging and error wording); results are copies in `a`. */
int store_view_token_find(const store_view *v, const char *hash_hex, cat_token *out, os_err *err);
int store_view_recipient_get(const store_view *v, int64_t recipient_id, os_arena *a,
                             cat_recipient **out, os_err *err);
int store_view_share_get(const store_view *v, int64_t recipient_id, const char *key,
                         const char *name, os_arena *a, cat_share **out, os_err *err);
int store_view_share_list(const store_view *v, int64_t recipient_id, const char *after_key,
                          int limit, os_arena *a, cat_page *page, os_err *err);
int store_view_schema_list(const store_view *v, int64_t share_id, const char *after_key, int limit,
                           os_arena *a, cat_page *page, os_err *err);
int store_view_schema_get(const store_view *v, const cat_share *share, const char *key,
                          const char *name, os_arena *a, cat_schema **out, os_err *err);
int store_view_asset_list(const store_view *v, cat_asset_kind kind, int64_t share_id,
                          const cat_schema *schema, const char *after_schema_key,
                          const char *after_name_key, int limit, os_arena *a, cat_page *page,
                          os_err *err);
int store_view_asset_get(const store_view *v, cat_asset_kind kind, const cat_share *share,
                         const cat_schema *schema, const char *key, const char *name,
                         os_arena *a, cat_asset **out, os_err *err);
/* All locations (at most `limit`; page->more when there are more). */
int store_view_location_list(const store_view *v, int limit, os_arena *a, cat_page *page,
                             os_err *err);

#endif
