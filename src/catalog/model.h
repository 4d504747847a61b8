/* model.h - the catalog's plain data: storage locations, shares, schemas, assets, recipients, tokens, grants.
 *
 * Every string in these structs is owned by the arena the store call was given;
 * nothing here is freed individually.  Names keep the case they were created
 * with; lookups go through lower-case keys (see names.h). */
#ifndef OS_CATALOG_MODEL_H
#define OS_CATALOG_MODEL_H

#include <stdint.h>

typedef struct cat_location {
    int64_t id;
    const char *name;
    const char *uri;          /* prefix, e.g. "file:///srv/data/", "s3://bucket/p/" */
    const char *secret_ref;   /* "env:NAME", "file:/path" or NULL: never the secret itself */
    const char *options_json; /* storage options (region, endpoint, role...) as a JSON object */
} cat_location;

typedef struct cat_share {
    int64_t id;
    const char *name;
    const char *uuid;
    const char *display_name;     /* may be NULL */
    const char *comment;          /* may be NULL */
    const char *properties_json;  /* JSON object of string -> string; may be NULL */
} cat_share;

typedef struct cat_schema {
    int64_t id;
    int64_t share_id;
    const char *name;
    const char *share_name;
} cat_schema;

typedef enum cat_asset_kind {
    CAT_ASSET_TABLE = 1,
    CAT_ASSET_VOLUME = 2,
    CAT_ASSET_SKILL = 3,
    CAT_ASSET_MODEL = 4
} cat_asset_kind;

/* Any shared asset.  Fields that do not apply to a kind are NULL / 0. */
typedef struct cat_asset {
    int64_t id;
    cat_asset_kind kind;
    int64_t schema_id;
    const char *name;
    const char *uuid;
    const char *share_name;
    const char *share_uuid;
    const char *schema_name;
    const char *location;         /* table root, volume/skill/model storage location */
    const char *comment;
    /* tables */
    const char *format;           /* "delta", "iceberg", "parquet" */
    const char *aux_locations_json; /* JSON array of strings, or NULL */
    const char *metadata_location;  /* Iceberg: metadata file relative to the table, or NULL */
    /* Parquet datasets: declared partition column types, a JSON array of
     * {"name":..,"type":..}, or NULL (all inferred) */
    const char *partition_columns_json;
    int history_shared;
    /* skills */
    const char *description;
    const char *license;
    const char *compatibility;
    const char *allowed_tools;
    const char *metadata_json;    /* JSON object of string -> string, or NULL */
} cat_asset;

typedef struct cat_model_version {
    int64_t model_id;
    int64_t version;
    const char *status;           /* PENDING_REGISTRATION | FAILED_REGISTRATION | READY */
    const char *location;
    const char *uuid;
    const char *source;
    const char *run_id;
    const char *comment;
} cat_model_version;

typedef struct cat_recipient {
    int64_t id;
    const char *name;
    const char *uuid;
    const char *comment;
    const char *ip_allow_json;    /* JSON array of CIDR strings, or NULL (any address) */
} cat_recipient;

/* A token as the store keeps it: the hash, never the token. */
typedef struct cat_token {
    int64_t id;
    int64_t recipient_id;
    char hash_hex[65];
    int64_t created_ms;
    int64_t expires_ms;           /* 0: never */
    int64_t revoked_ms;           /* 0: not revoked */
} cat_token;

/* A list page: `items` holds `count` pointers into the arena; `more` is 1
 * when the store saw at least one item past the page. */
typedef struct cat_page {
    void **items;
    int count;
    int more;
} cat_page;

#endif
