/* admin.c - admin principals from the config (stored hashed), their bearer authentication, and the loopback rule. */
#include "auth/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/ip_list.h"
#include "base/crypto.h"
#include "base/strutil.h"
#include "catalog/names.h"
#include "catalog/yaml_tree.h"

void admin_settings_default(admin_settings *s)
{
    memset(s, 0, sizeof *s);
    s->prefix = "/admin";
    s->rotation_grace_ms = 24LL * 3600 * 1000;
    s->activation_ttl_ms = 72LL * 3600 * 1000;
    s->token_lifetime_ms = 90LL * 24 * 3600 * 1000;
    s->audit_retention_days = 90;
    s->audit_max_file_mb = 100;
    s->audit_keep_files = 5;
}

static int fail(os_err *err, const char *path, const yaml_node *n, const char *what)
{
    return os_err_set(err, OS_EINVAL, "%s:%d:%d: %s", path, n ? n->line : 1, n ? n->col : 1, what);
}

static int read_seconds(const char *path, const yaml_node *map, const char *key, int64_t *ms,
                        os_err *err)
{
    const yaml_node *n = yaml_map_get(map, key);
    if (n == NULL || yaml_is_null(n))
        return 0;
    int64_t v;
    char msg[160];
    snprintf(msg, sizeof msg, "'%s' must be a whole number of seconds between 0 and 10 years", key);
    if (n->type != YN_SCALAR || os_parse_i64(n->value, &v) != 0 || v < 0 ||
        v > 10LL * 366 * 24 * 3600)
        return fail(err, path, n, msg);
    *ms = v * 1000;
    return 0;
}

/* A whole number in [0, max] under key, left unchanged when absent. */
static int read_count(const char *path, const yaml_node *map, const char *key, int64_t max,
                      int64_t *out, os_err *err)
{
    const yaml_node *n = yaml_map_get(map, key);
    if (n == NULL || yaml_is_null(n))
        return 0;
    int64_t v;
    char msg[160];
    snprintf(msg, sizeof msg, "'%s' must be a whole number between 0 and %lld", key, (long long)max);
    if (n->type != YN_SCALAR || os_parse_i64(n->value, &v) != 0 || v < 0 || v > max)
        return fail(err, path, n, msg);
    *out = v;
    return 0;
}

static int read_audit(const char *path, const yaml_node *root, admin_settings *s, os_err *err)
{
    const yaml_node *au = yaml_map_get(root, "audit");
    if (au == NULL || yaml_is_null(au))
        return 0;
    if (au->type != YN_MAP)
        return fail(err, path, au, "'audit' must be a mapping");
    for (size_t i = 0; i < au->n; i++) {
        const char *k = au->keys[i]->value;
        if (strcmp(k, "retention_days") && strcmp(k, "max_file_mb") && strcmp(k, "keep_files")) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "unknown key '%.64s' in audit (expected retention_days, max_file_mb, keep_files)", k);
            return fail(err, path, au->keys[i], msg);
        }
    }
    return read_count(path, au, "retention_days", 36600, &s->audit_retention_days, err) ||
                   read_count(path, au, "max_file_mb", 1000000, &s->audit_max_file_mb, err) ||
                   read_count(path, au, "keep_files", 1000, &s->audit_keep_files, err)
               ? -1
               : 0;
}

static int read_string(const char *path, const yaml_node *map, const char *key, const char **out,
                       os_err *err)
{
    const yaml_node *n = yaml_map_get(map, key);
    if (n == NULL || yaml_is_null(n))
        return 0;
    if (n->type != YN_SCALAR || *n->value == '\0') {
        char msg[96];
        snprintf(msg, sizeof msg, "'%s' must be a non-empty string", key);
        return fail(err, path, n, msg);
    }
    *out = n->value;
    return 0;
}

static int read_principal(const char *path, const yaml_node *it, admin_principal_cfg *p,
                          os_err *err)
{
    if (it->type != YN_MAP)
        return fail(err, path, it, "an admin must be a mapping with 'name' and 'token'");
    for (size_t k = 0; k < it->n; k++)
        if (strcmp(it->keys[k]->value, "name") && strcmp(it->keys[k]->value, "token")) {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown key '%.64s' in an admin (expected name, token)",
                     it->keys[k]->value);
            return fail(err, path, it->keys[k], msg);
        }
    p->line = it->line;
    p->col = it->col;
    if (read_string(path, it, "name", &p->name, err) != 0)
        return -1;
    os_err nerr;
    if (p->name == NULL)
        return fail(err, path, it, "an admin needs 'name'");
    if (name_check(NAME_SHARE, p->name, "admin name", &nerr) != 0)
        return fail(err, path, yaml_map_get(it, "name"), nerr.msg);
    const yaml_node *tok = yaml_map_get(it, "token");
    if (tok == NULL || yaml_is_null(tok))
        return fail(err, path, it, "an admin needs 'token: {env: VARIABLE}' or 'token: {file: /path}'");
    if (tok->type == YN_SCALAR)
        return fail(err, path, tok,
                    "an admin token must not be written inline; use {env: VARIABLE} or {file: /path}");
    if (tok->type != YN_MAP)
        return fail(err, path, tok, "an admin token must be {env: VARIABLE} or {file: /path}");
    for (size_t k = 0; k < tok->n; k++)
        if (strcmp(tok->keys[k]->value, "env") && strcmp(tok->keys[k]->value, "file"))
            return fail(err, path, tok->keys[k], "an admin token takes only 'env' or 'file'");
    p->token.line = tok->line;
    p->token.col = tok->col;
    if (read_string(path, tok, "env", &p->token.env, err) != 0 ||
        read_string(path, tok, "file", &p->token.file, err) != 0)
        return -1;
    if ((p->token.env == NULL) == (p->token.file == NULL))
        return fail(err, path, tok, "an admin token needs exactly one of 'env' or 'file'");
    return 0;
}

static int parse(const char *path, const char *text, size_t len, os_arena *a, admin_settings *s,
                 os_err *err)
{
    yaml_node *root = yaml_tree_parse(text, len, a, err);
    if (root == NULL)
        return os_err_wrap(err, "%s", path);
    if (root->type != YN_MAP)
        return 0;   /* config_parse reports this */
    if (read_audit(path, root, s, err) != 0)
        return -1;
    const yaml_node *adm = yaml_map_get(root, "admin");
    if (adm && !yaml_is_null(adm)) {
        static const char *const keys[] = {"prefix", "listen", "rotation_grace_seconds",
                                           "activation_ttl_seconds", "token_lifetime_seconds", NULL};
        if (adm->type != YN_MAP)
            return fail(err, path, adm, "'admin' must be a mapping");
        for (size_t i = 0; i < adm->n; i++) {
            int ok = 0;
            for (const char *const *k = keys; *k; k++)
                ok |= !strcmp(adm->keys[i]->value, *k);
            if (!ok) {
                char msg[300];
                snprintf(msg, sizeof msg,
                         "unknown key '%.64s' in admin (expected prefix, listen, "
                         "rotation_grace_seconds, activation_ttl_seconds, token_lifetime_seconds)",
                         adm->keys[i]->value);
                return fail(err, path, adm->keys[i], msg);
            }
        }
        if (read_string(path, adm, "prefix", &s->prefix, err) ||
            read_string(path, adm, "listen", &s->listen, err) ||
            read_seconds(path, adm, "rotation_grace_seconds", &s->rotation_grace_ms, err) ||
            read_seconds(path, adm, "activation_ttl_seconds", &s->activation_ttl_ms, err) ||
            read_seconds(path, adm, "token_lifetime_seconds", &s->token_lifetime_ms, err))
            return -1;
        if (s->prefix[0] != '/')
            return fail(err, path, yaml_map_get(adm, "prefix"), "'prefix' must start with '/'");
        if (s->activation_ttl_ms == 0)
            return fail(err, path, yaml_map_get(adm, "activation_ttl_seconds"),
                        "'activation_ttl_seconds' must be positive");
    }
    const yaml_node *list = yaml_map_get(root, "admins");
    if (list == NULL || yaml_is_null(list))
        return 0;
    if (list->type != YN_SEQ)
        return fail(err, path, list, "'admins' must be a list of {name, token}");
    s->principals = os_arena_alloc(a, sizeof *s->principals * (list->n ? list->n : 1));
    if (s->principals == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    for (size_t i = 0; i < list->n; i++) {
        if (read_principal(path, list->items[i], &s->principals[i], err) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (!strcasecmp(s->principals[j].name, s->principals[i].name))
                return fail(err, path, list->items[i], "this admin name is declared twice");
        s->nprincipals = i + 1;
    }
    return 0;
}

int admin_config_load(const char *path, os_arena *a, admin_settings *out, os_err *err)
{
    admin_settings_default(out);
    if (path == NULL)
        return 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return os_err_set(err, OS_EINVAL, "%s: cannot open config file: %s", path, strerror(errno));
    size_t cap = 16u << 20;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    fclose(f);
    if (buf == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    int rc = parse(path, buf, n, a, out, err);
    free(buf);
    return rc;
}

int admin_principals_apply(cat_store *st, const admin_settings *s, os_err *err)
{
    size_t n = s->nprincipals;
    const char **names = calloc(n ? n : 1, sizeof *names);
    char (*hashes)[65] = calloc(n ? n : 1, sizeof *hashes);
    const char **hp = calloc(n ? n : 1, sizeof *hp);
    int rc = -1;
    if (names == NULL || hashes == NULL || hp == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const admin_principal_cfg *p = &s->principals[i];
        char *tok = config_secret_read(&p->token, err);
        if (tok == NULL) {
            os_err_wrap(err, "token of admin '%s'", p->name);
            goto out;
        }
        size_t len = strlen(tok);
        os_sha256_hex(tok, len, hashes[i]);
        memset(tok, 0, len);
        free(tok);
        if (len < 16) {
            os_err_set(err, OS_EINVAL, "the token of admin '%s' is shorter than 16 characters", p->name);
            goto out;
        }
        names[i] = p->name;
        hp[i] = hashes[i];
    }
    cat_tx *tx = store_tx_begin(st, err);
    if (tx == NULL)
        goto out;
    if (store_admin_replace(tx, names, hp, n, err) != 0) {
        store_tx_rollback(tx);
        goto out;
    }
    rc = store_tx_commit(tx, err);
out:
    free(names);
    free(hashes);
    free(hp);
    return rc;
}

int admin_authenticate(cat_store *st, const char *authorization, os_arena *a, const char **name,
                       os_err *err)
{
    if (authorization == NULL || *authorization == '\0')
        return os_err_set(err, OS_EAUTH, "missing admin bearer token: send 'Authorization: Bearer <token>'");
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return os_err_set(err, OS_EAUTH, "malformed Authorization header: expected 'Bearer <token>'");
    const char *tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    size_t n = strlen(tok);
    while (n > 0 && tok[n - 1] == ' ')
        n--;
    if (n == 0 || n > 4096)
        return os_err_set(err, OS_EAUTH, "malformed Authorization header: empty or oversized token");
    char hash[65];
    os_sha256_hex(tok, n, hash);
    os_err lookup;
    if (store_admin_find(st, hash, a, name, &lookup) != 0) {
        if (lookup.code == OS_ENOTFOUND)
            return os_err_set(err, OS_EAUTH, "the admin bearer token is not valid");
        *err = lookup;
        return -1;
    }
    return 0;
}

int admin_client_is_loopback(const char *ip)
{
    ip_cidr local[2];
    if (ip_cidr_parse("127.0.0.0/8", &local[0], NULL) != 0 ||
        ip_cidr_parse("::1/128", &local[1], NULL) != 0)
        return 0;
    ip_list list = {local, 2};
    return ip_list_allows(&list, ip);
}
