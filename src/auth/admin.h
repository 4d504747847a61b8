/* admin.h - provider administration settings and admin principals: the config's `admin:` and `admins:` sections, bearer authentication, loopback rule. */
#ifndef OS_AUTH_ADMIN_H
#define OS_AUTH_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "catalog/config.h"
#include "catalog/store.h"

typedef struct admin_principal_cfg {
    const char *name;
    cfg_secret token;
    int line, col;
} admin_principal_cfg;

/* Settings of the admin API (defaults filled by admin_config_load). */
typedef struct admin_settings {
    const char *prefix;             /* default "/admin" */
    const char *listen;             /* separate HOST:PORT, or NULL (same server, loopback only) */
    int64_t rotation_grace_ms;      /* default 24 h */
    int64_t activation_ttl_ms;      /* default 72 h */
    int64_t token_lifetime_ms;      /* default 90 days; 0 = tokens never expire */
    admin_principal_cfg *principals;
    size_t nprincipals;
    /* `audit:` - the recipient audit log */
    int64_t audit_retention_days;   /* default 90; 0 = keep every event */
    int64_t audit_max_file_mb;      /* audit.jsonl rotated past this size; default 100, 0 = never */
    int64_t audit_keep_files;       /* rotated files kept (audit.jsonl.1 ...); default 5 */
} admin_settings;

/* Fills defaults only (no config file). */
void admin_settings_default(admin_settings *s);
/* Reads the `audit:` mapping (retention_days, max_file_mb, keep_files), the `admin:` mapping (prefix, listen, rotation_grace_seconds,
 * activation_ttl_seconds, token_lifetime_seconds) and the `admins:` list
 * ({name, token: {env|file}}) of the YAML config at `path` (path NULL: defaults).
 * Errors are OS_EINVAL "PATH:LINE:COL: what". */
int admin_config_load(const char *path, os_arena *a, admin_settings *out, os_err *err);
/* Reads each principal's token (at least 16 characters) and replaces the
 * stored admin principals with their names and SHA-256 hashes, in one
 * transaction.  The tokens themselves are never stored. */
int admin_principals_apply(cat_store *st, const admin_settings *s, os_err *err);
/* Authenticates an "Authorization: Bearer <token>" header value as an admin
 * principal; *name (arena) is the principal.  OS_EAUTH on any failure, with a
 * message that never echoes the token. */
int admin_authenticate(cat_store *st, const char *authorization, os_arena *a, const char **name,
                       os_err *err);
/* 1 when the textual client address is a loopback address (127.0.0.0/8, ::1,
 * ::ffff:127.0.0.0/104). */
int admin_client_is_loopback(const char *ip);

#endif
