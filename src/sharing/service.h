/* service.h - the recipient-facing sharing service: resolves names for a caller, enforces grants, pages listings.
 *
 * Handlers in src/api/recipient call these with raw request values and get a
 * JSON document (jansson, owned by the caller: json_decref it) or an error.
 * Anything not granted to the caller is OS_ENOTFOUND, exactly like something
 * that does not exist. */
#ifndef OS_SHARING_SERVICE_H
#define OS_SHARING_SERVICE_H

#include <jansson.h>
#include <stdint.h>

#include "auth/page_token.h"
#include "base/arena.h"
#include "base/err.h"
#include "catalog/store.h"

typedef struct sharing_service {
    cat_store *store;
    uint8_t page_key[PAGE_TOKEN_KEYLEN];
    int max_results_cap;          /* larger maxResults are capped to this */
    int64_t page_token_ttl_ms;
    /* Pre-signed file URLs */
    uint8_t local_url_key[32];    /* signs the server's own URLs for local files */
    const char *files_base;       /* public URL the local file route is mounted at */
    int64_t url_ttl_ms;           /* lifetime of every pre-signed URL */
    int max_files_cap;            /* larger maxFiles are capped to this */
    struct snap_cache *snap_cache;   /* reconciled snapshots of full queries, or NULL */
    int64_t dataset_refresh_ms;   /* a Parquet dataset is re-listed on read when its last
                                     listing is older than this */
} sharing_service;

typedef struct sharing_caller {
    int64_t recipient_id;
    const char *recipient_name;
} sharing_caller;

/* Raw paging parameters from the request (NULL when absent). */
typedef struct sharing_page_req {
    const char *max_results;
    const char *page_token;
} sharing_page_req;

int sharing_shares_list(sharing_service *svc, const sharing_caller *who,
                        const sharing_page_req *pg, os_arena *a, json_t **out, os_err *err);
int sharing_share_get(sharing_service *svc, const sharing_caller *who, const char *share,
                      os_arena *a, json_t **out, os_err *err);
int sharing_schemas_list(sharing_service *svc, const sharing_caller *who, const char *share,
                         const sharing_page_req *pg, os_arena *a, json_t **out, os_err *err);
/* Lists assets of `kind` in one schema, or in the whole share when schema is NULL. */
int sharing_assets_list(sharing_service *svc, const sharing_caller *who, cat_asset_kind kind,
                        const char *share, const char *schema, const sharing_page_req *pg,
                        os_arena *a, json_t **out, os_err *err);
int sharing_asset_get(sharing_service *svc, const sharing_caller *who, cat_asset_kind kind,
                      const char *share, const char *schema, const char *name, os_arena *a,
                      json_t **out, os_err *err);
/* READY versions of a model. */
int sharing_model_versions_list(sharing_service *svc, const sharing_caller *who, const char *share,
                                const char *schema, const char *model, const sharing_page_req *pg,
                                os_arena *a, json_t **out, os_err *err);
/* One version by number text, or by alias when `alias` is non-zero. */
int sharing_model_version_get(sharing_service *svc, const sharing_caller *who, const char *share,
                              const char *schema, const char *model, const char *version_or_alias,
                              int alias, os_arena *a, json_t **out, os_err *err);
/* A listing page as catalog objects (cat_schema * or cat_asset *, in the
 * arena) rather than JSON, for answers of other shapes (the Iceberg REST
 * catalog); next_token is NULL on the last page. */
typedef struct sharing_page {
    void **items;
    int count;
    const char *next_token;
} sharing_page;

/* The same listings as sharing_schemas_list / sharing_assets_list, same
 * errors and page tokens, as raw pages. */
int sharing_schemas_page(sharing_service *svc, const sharing_caller *who, const char *share,
                         const sharing_page_req *pg, os_arena *a, sharing_page *out, os_err *err);
int sharing_assets_page(sharing_service *svc, const sharing_caller *who, cat_asset_kind kind,
                        const char *share, const char *schema, const sharing_page_req *pg,
                        os_arena *a, sharing_page *out, os_err *err);
/* One schema of a granted share; OS_ENOTFOUND when either is absent or not granted. */
int sharing_schema_get(sharing_service *svc, const sharing_caller *who, const char *share,
                       const char *schema, os_arena *a, cat_schema **out, os_err *err);

/* Resolves share/schema/asset for the caller (used by every asset endpoint). */
int sharing_resolve_asset(sharing_service *svc, const sharing_caller *who, cat_asset_kind kind,
                          const char *share, const char *schema, const char *name, os_arena *a,
                          cat_asset **out, os_err *err);

#endif
