/* config.h - the provider's declarative configuration: server settings and the catalog objects to create.
 *
 * Loading parses and checks everything; applying writes it to the store in one
 * transaction.  A config with any error changes nothing, and every error names
 * the file, line and column. */
#ifndef OS_CATALOG_CONFIG_H
#define OS_CATALOG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "catalog/model.h"
#include "catalog/store.h"

/* Where a secret comes from: an environment variable or a file. */
typedef struct cfg_secret {
    const char *env;     /* variable name, or NULL */
    const char *file;    /* path, or NULL */
    int line, col;
} cfg_secret;

typedef struct cfg_server {
    const char *listen;       /* HOST:PORT */
    const char *prefix;
    const char *data_dir;
    const char *log_format;   /* "json" | "text" */
    const char *tls_cert;
    const char *tls_key;
    const char *public_url;   /* base URL recipients use, for profile files */
    int threads;              /* 0: default */
    int64_t url_ttl_s;        /* 0: default; lifetime of pre-signed URLs */
    int64_t dataset_refresh_s;  /* -1: default; re-list a Parquet dataset on read after this */
} cfg_server;

typedef struct cfg_location {
    cat_location loc;
    cfg_secret secret;
    int has_secret;
    int line, col;
} cfg_location;

typedef struct cfg_model_version {
    cat_model_version mv;
    int line, col;
} cfg_model_version;

typedef struct cfg_alias {
    const char *alias;
    int64_t version;
    int line, col;
} cfg_alias;

typedef struct cfg_asset {
    cat_asset asset;          /* schema_id unset until applied */
    cfg_model_version *versions;
    size_t nversions;
    cfg_alias *aliases;
    size_t naliases;
    int line, col;
} cfg_asset;

typedef struct cfg_schema {
    const char *name;
    cfg_asset *assets;
    size_t nassets;
    int line, col;
} cfg_schema;

typedef struct cfg_share {
    cat_share share;
    cfg_schema *schemas;
    size_t nschemas;
    int line, col;
} cfg_share;

typedef struct cfg_recipient {
    cat_recipient r;
    cfg_secret token;
    int has_token;
    int64_t token_expires_ms;   /* 0: never */
    int line, col;
} cfg_recipient;

typedef struct cfg_grant {
    const char *share;
    const char *recipient;
    int line, col;
} cfg_grant;

typedef struct os_config {
    const char *path;           /* for messages */
    cfg_server server;
    cfg_location *locations;
    size_t nlocations;
    cfg_share *shares;
    size_t nshares;
    cfg_recipient *recipients;
    size_t nrecipients;
    cfg_grant *grants;
    size_t ngrants;
} os_config;

/* Parses YAML text into cfg (all memory in the arena) and checks everything
 * that needs no outside state: structure, unknown keys, types, names, URIs,
 * duplicates, cross references, asset locations inside declared storage
 * locations.  `path` is only used in messages.  Returns 0, or -1 with an
 * OS_EINVAL message "PATH:LINE:COL: what". */
int config_parse(const char *path, const char *text, size_t len, os_arena *a, os_config *cfg,
                 os_err *err);
/* Reads the file and calls config_parse. */
int config_load(const char *path, os_arena *a, os_config *cfg, os_err *err);
/* Checks what needs the outside world (secrets present, file locations exist
 * and stay inside their storage roots after resolving symlinks), then writes
 * every object to the store in one transaction, pruning config-declared objects
 * the config no longer declares.  Idempotent.  On any error nothing changes. */
int config_apply(const os_config *cfg, cat_store *st, os_err *err);
/* Reads a secret's value into a heap string the caller frees (trailing newline
 * removed).  Returns NULL with err filled when missing or empty. */
char *config_secret_read(const cfg_secret *s, os_err *err);

#endif
