/* config_yaml.c - turns the YAML tree of a config file into an os_config, checking it as it goes. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "base/timeutil.h"
#include "catalog/config.h"
#include "catalog/names.h"
#include "catalog/yaml_tree.h"
#include "storage/location.h"

typedef struct reader {
    const char *path;
    os_arena *a;
    os_err *err;
    os_config *cfg;
} reader;

__attribute__((format(printf, 3, 4)))
static int fail(reader *r, const yaml_node *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return os_err_set(r->err, OS_EINVAL, "%s:%d:%d: %s", r->path, n ? n->line : 1, n ? n->col : 1,
                      msg);
}

/* Refuses keys of `map` that are not in the NULL-terminated `allowed` list. */
static int only_keys(reader *r, const yaml_node *map, const char *what, const char *const *allowed)
{
    for (size_t i = 0; i < map->n; i++) {
        int ok = 0;
        for (const char *const *k = allowed; *k; k++)
            if (!strcmp(map->keys[i]->value, *k))
                ok = 1;
        if (!ok)
            return fail(r, map->keys[i], "unknown key '%s' in %s", map->keys[i]->value, what);
    }
    return 0;
}

static int want_map(reader *r, const yaml_node *n, const char *what)
{
    if (n == NULL || n->type != YN_MAP)
        return fail(r, n, "%s must be a mapping", what);
    return 0;
}

static int want_seq(reader *r, const yaml_node *n, const char *what)
{
    if (n->type != YN_SEQ)
        return fail(r, n, "%s must be a list", what);
    return 0;
}

/* Optional string field: NULL when absent or null. */
static int opt_str(reader *r, const yaml_node *map, const char *key, const char **out)
{
    const yaml_node *n = yaml_map_get(map, key);
    *out = NULL;
    if (yaml_is_null(n))
        return 0;
    if (n->type != YN_SCALAR)
        return fail(r, n, "'%s' must be a string", key);
    *out = n->value;
    return 0;
}

static int req_str(reader *r, const yaml_node *map, const char *key, const char *what,
                   const char **out)
{
    if (opt_str(r, map, key, out) != 0)
        return -1;
    if (*out == NULL || **out == '\0')
        return fail(r, map, "%s needs '%s'", what, key);
    return 0;
}

static int opt_bool(reader *r, const yaml_node *map, const char *key, int *out)
{
    const yaml_node *n = yaml_map_get(map, key);
    if (yaml_is_null(n))
        return 0;
    if (n->type == YN_SCALAR && (!strcmp(n->value, "true") || !strcmp(n->value, "yes")))
        *out = 1;
    else if (n->type == YN_SCALAR && (!strcmp(n->value, "false") || !strcmp(n->value, "no")))
        *out = 0;
    else
        return fail(r, n, "'%s' must be true or false", key);
    return 0;
}

static int opt_int(reader *r, const yaml_node *map, const char *key, int64_t *out, int *present)
{
    const yaml_node *n = yaml_map_get(map, key);
    *present = 0;
    if (yaml_is_null(n))
        return 0;
    if (n->type != YN_SCALAR || os_parse_i64(n->value, out) != 0)
        return fail(r, n, "'%s' must be an integer", key);
    *present = 1;
    return 0;
}

/* A mapping of string -> string, returned as compact JSON text (or NULL). */
static int opt_string_map(reader *r, const yaml_node *map, const char *key, const char **json_out)
{
    const yaml_node *n = yaml_map_get(map, key);
    *json_out = NULL;
    if (yaml_is_null(n))
        return 0;
    if (n->type != YN_MAP)
        return fail(r, n, "'%s' must be a mapping of strings", key);
    json_t *o = json_object();
    for (size_t i = 0; i < n->n; i++) {
        if (n->items[i]->type != YN_SCALAR) {
            json_decref(o);
            return fail(r, n->items[i], "values of '%s' must be strings", key);
        }
        json_object_set_new(o, n->keys[i]->value, json_string(n->items[i]->value));
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (s == NULL)
        return fail(r, n, "'%s' is not valid UTF-8", key);
    *json_out = os_arena_strdup(r->a, s);
    free(s);
    return 0;
}

static int read_secret(reader *r, const yaml_node *n, const char *what, cfg_secret *out)
{
    static const char *const keys[] = {"env", "file", NULL};
    if (n->type == YN_SCALAR)
        return fail(r, n,
                    "%s must not be written inline; use {env: VARIABLE} or {file: /path}", what);
    if (want_map(r, n, what) || only_keys(r, n, what, keys))
        return -1;
    memset(out, 0, sizeof *out);
    out->line = n->line;
    out->col = n->col;
    if (opt_str(r, n, "env", &out->env) || opt_str(r, n, "file", &out->file))
        return -1;
    if ((out->env == NULL) == (out->file == NULL))
        return fail(r, n, "%s needs exactly one of 'env' or 'file'", what);
    return 0;
}

static int check_name(reader *r, const yaml_node *at, name_kind kind, const char *name,
                      const char *what)
{
    os_err e;
    if (name_check(kind, name, what, &e) != 0)
        return fail(r, at, "%s", e.msg);
    return 0;
}

/* Parses a location URI and checks it lies under a declared storage location. */
static int check_location(reader *r, const yaml_node *at, const char *uri, const char *what)
{
    loc_uri u;
    os_err e;
    if (loc_uri_parse(uri, r->a, &u, &e) != 0)
        return fail(r, at, "%s: %s", what, e.msg);
    for (size_t i = 0; i < r->cfg->nlocations; i++) {
        loc_uri root;
        if (loc_uri_parse(r->cfg->locations[i].loc.uri, r->a, &root, &e) == 0 &&
            loc_uri_contains(&root, &u))
            return 0;
    }
    return fail(r, at, "%s '%s' is not under any declared storage location", what, uri);
}

static int alloc_array(reader *r, void **out, size_t n, size_t size)
{
    *out = n ? os_arena_alloc(r->a, n * size) : NULL;
    if (n && *out == NULL)
        return os_err_set(r->err, OS_ENOMEM, "out of memory");
    return 0;
}

static int same_name(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* ---- server ------------------------------------------------------------ */

static int read_server(reader *r, const yaml_node *n)
{
    static const char *const keys[] = {"listen", "prefix", "data_dir", "log_format", "tls_cert",
                                       "tls_key", "public_url", "threads", "url_ttl",
                                       "dataset_refresh_interval", NULL};
    if (want_map(r, n, "'server'") || only_keys(r, n, "'server'", keys))
        return -1;
    cfg_server *s = &r->cfg->server;
    int64_t threads = 0;
    int has_threads;
    if (opt_str(r, n, "listen", &s->listen) || opt_str(r, n, "prefix", &s->prefix) ||
        opt_str(r, n, "data_dir", &s->data_dir) || opt_str(r, n, "log_format", &s->log_format) ||
        opt_str(r, n, "tls_cert", &s->tls_cert) || opt_str(r, n, "tls_key", &s->tls_key) ||
        opt_str(r, n, "public_url", &s->public_url) ||
        opt_int(r, n, "threads", &threads, &has_threads))
        return -1;
    if (s->log_format && strcmp(s->log_format, "json") && strcmp(s->log_format, "text"))
        return fail(r, yaml_map_get(n, "log_format"), "log_format must be 'json' or 'text'");
    if (has_threads && (threads < 1 || threads > 1024))
        return fail(r, yaml_map_get(n, "threads"), "threads must be between 1 and 1024");
    s->threads = (int)threads;
    int has_ttl;
    if (opt_int(r, n, "url_ttl", &s->url_ttl_s, &has_ttl))
        return -1;
    if (has_ttl && (s->url_ttl_s < 1 || s->url_ttl_s > 604800))
        return fail(r, yaml_map_get(n, "url_ttl"), "url_ttl must be between 1 and 604800 seconds");
    int has_refresh;
    if (opt_int(r, n, "dataset_refresh_interval", &s->dataset_refresh_s, &has_refresh))
        return -1;
    if (!has_refresh)
        s->dataset_refresh_s = -1;
    else if (s->dataset_refresh_s < 0 || s->dataset_refresh_s > 604800)
        return fail(r, yaml_map_get(n, "dataset_refresh_interval"),
                    "dataset_refresh_interval must be between 0 and 604800 seconds");
    if ((s->tls_cert == NULL) != (s->tls_key == NULL))
        return fail(r, n, "tls_cert and tls_key go together");
    return 0;
}

/* ---- storage ----------------------------------------------------------- */

static int read_locations(reader *r, const yaml_node *n)
{
    static const char *const keys[] = {"name", "uri", "secret", "options", NULL};
    if (want_seq(r, n, "'storage'") || alloc_array(r, (void **)&r->cfg->locations, n->n,
                                                   sizeof(cfg_location)))
        return -1;
    for (size_t i = 0; i < n->n; i++) {
        const yaml_node *it = n->items[i];
        cfg_location *l = &r->cfg->locations[i];
        if (want_map(r, it, "a storage location") || only_keys(r, it, "a storage location", keys) ||
            req_str(r, it, "name", "a storage location", &l->loc.name) ||
            req_str(r, it, "uri", "a storage location", &l->loc.uri) ||
            opt_string_map(r, it, "options", &l->loc.options_json) ||
            check_name(r, it, NAME_SHARE, l->loc.name, "storage location name"))
            return -1;
        l->line = it->line;
        l->col = it->col;
        loc_uri u;
        os_err e;
        if (loc_uri_parse(l->loc.uri, r->a, &u, &e) != 0)
            return fail(r, yaml_map_get(it, "uri"), "%s", e.msg);
        const yaml_node *sec = yaml_map_get(it, "secret");
        if (!yaml_is_null(sec)) {
            if (read_secret(r, sec, "a storage secret", &l->secret) != 0)
                return -1;
            l->has_secret = 1;
            l->loc.secret_ref = l->secret.env
                                    ? os_arena_sprintf(r->a, "env:%s", l->secret.env)
                                    : os_arena_sprintf(r->a, "file:%s", l->secret.file);
        }
        for (size_t j = 0; j < i; j++)
            if (same_name(r->cfg->locations[j].loc.name, l->loc.name))
                return fail(r, it, "storage location '%s' is declared twice", l->loc.name);
        r->cfg->nlocations = i + 1;
    }
    return 0;
}

/* ---- assets ------------------------------------------------------------ */

/* Whether t is a type a partition column may be declared with. */
static int partition_type_ok(const char *t)
{
    static const char *const ok[] = {"string", "boolean", "byte", "short", "integer", "long",
                                     "float", "double", "date", "timestamp", NULL};
    for (int i = 0; ok[i]; i++)
        if (strcmp(t, ok[i]) == 0)
            return 1;
    int p, sc, used = 0;
    return sscanf(t, "decimal(%d,%d)%n", &p, &sc, &used) == 2 && t[used] == '\0' && p >= 1 &&
           p <= 38 && sc >= 0 && sc <= p;
}

/* partition_columns: [{name, type}] of a Parquet dataset, as JSON text. */
static int read_partition_columns(reader *r, const yaml_node *n, cat_asset *x)
{
    static const char *const keys[] = {"name", "type", NULL};
    if (want_seq(r, n, "'partition_columns'"))
        return -1;
    json_t *arr = json_array();
    for (size_t i = 0; i < n->n; i++) {
        const yaml_node *it = n->items[i];
        const char *name, *type;
        if (want_map(r, it, "a partition column") || only_keys(r, it, "a partition column", keys) ||
            req_str(r, it, "name", "a partition column", &name) ||
            req_str(r, it, "type", "a partition column", &type)) {
            json_decref(arr);
            return -1;
        }
        if (!partition_type_ok(type)) {
            json_decref(arr);
            return fail(r, yaml_map_get(it, "type"), "a partition column's type must be string, "
                        "boolean, byte, short, integer, long, float, double, date, timestamp or "
                        "decimal(p,s)");
        }
        json_array_append_new(arr, json_pack("{s:s,s:s}", "name", name, "type", type));
    }
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    x->partition_columns_json = s ? os_arena_strdup(r->a, s) : NULL;
    free(s);
    return 0;
}

static int read_table(reader *r, const yaml_node *it, cat_asset *x)
{
    static const char *const keys[] = {"name", "location", "format", "auxiliary_locations",
                                       "history_shared", "comment", "id", "metadata_location",
                                       "partition_columns", NULL};
    if (want_map(r, it, "a table") || only_keys(r, it, "a table", keys) ||
        req_str(r, it, "name", "a table", &x->name) ||
        req_str(r, it, "location", "a table", &x->location) ||
        opt_str(r, it, "format", &x->format) || opt_str(r, it, "comment", &x->comment) ||
        opt_str(r, it, "id", &x->uuid) || opt_bool(r, it, "history_shared", &x->history_shared) ||
        opt_str(r, it, "metadata_location", &x->metadata_location) ||
        check_name(r, it, NAME_SCHEMA, x->name, "table name") ||
        check_location(r, yaml_map_get(it, "location"), x->location, "table location"))
        return -1;
    if (x->format == NULL)
        x->format = "delta";
    if (strcmp(x->format, "delta") && strcmp(x->format, "iceberg") && strcmp(x->format, "parquet"))
        return fail(r, yaml_map_get(it, "format"), "format must be delta, iceberg or parquet");
    if (x->metadata_location) {
        os_err e;
        if (strcmp(x->format, "iceberg") != 0)
            return fail(r, yaml_map_get(it, "metadata_location"),
                        "metadata_location belongs to Iceberg tables (format: iceberg)");
        if (name_relpath_check(x->metadata_location, "metadata_location", &e) != 0)
            return fail(r, yaml_map_get(it, "metadata_location"), "%s", e.msg);
    }
    const yaml_node *pcols = yaml_map_get(it, "partition_columns");
    if (!yaml_is_null(pcols)) {
        if (strcmp(x->format, "parquet") != 0)
            return fail(r, pcols, "partition_columns belongs to Parquet datasets (format: parquet)");
        if (read_partition_columns(r, pcols, x) != 0)
            return -1;
    }
    const yaml_node *aux = yaml_map_get(it, "auxiliary_locations");
    if (!yaml_is_null(aux)) {
        if (want_seq(r, aux, "'auxiliary_locations'"))
            return -1;
        json_t *arr = json_array();
        for (size_t i = 0; i < aux->n; i++) {
            if (aux->items[i]->type != YN_SCALAR ||
                check_location(r, aux->items[i], aux->items[i]->value, "auxiliary location")) {
                json_decref(arr);
                return aux->items[i]->type != YN_SCALAR
                           ? fail(r, aux->items[i], "auxiliary locations must be strings")
                           : -1;
            }
            json_array_append_new(arr, json_string(aux->items[i]->value));
        }
        char *s = json_dumps(arr, JSON_COMPACT);
        json_decref(arr);
        x->aux_locations_json = s ? os_arena_strdup(r->a, s) : NULL;
        free(s);
    }
    return 0;
}

static int read_volume(reader *r, const yaml_node *it, cat_asset *x)
{
    static const char *const keys[] = {"name", "location", "comment", "id", NULL};
    if (want_map(r, it, "a volume") || only_keys(r, it, "a volume", keys) ||
        req_str(r, it, "name", "a volume", &x->name) ||
        req_str(r, it, "location", "a volume", &x->location) ||
        opt_str(r, it, "comment", &x->comment) || opt_str(r, it, "id", &x->uuid) ||
        check_name(r, it, NAME_SCHEMA, x->name, "volume name") ||
        check_location(r, yaml_map_get(it, "location"), x->location, "volume location"))
        return -1;
    return 0;
}

static int read_skill(reader *r, const yaml_node *it, cat_asset *x)
{
    /* A skill describes itself in its SKILL.md, which is read when the config
     * is applied; the config only says where it is. */
    static const char *const keys[] = {"name", "location", "id", NULL};
    if (want_map(r, it, "a skill") || only_keys(r, it, "a skill", keys) ||
        req_str(r, it, "name", "a skill", &x->name) ||
        req_str(r, it, "location", "a skill", &x->location) || opt_str(r, it, "id", &x->uuid) ||
        check_name(r, it, NAME_SKILL, x->name, "skill name") ||
        check_location(r, yaml_map_get(it, "location"), x->location, "skill location"))
        return -1;
    /* The skill's name is the name of the directory that holds it. */
    size_t end = strlen(x->location);
    while (end > 0 && x->location[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && x->location[start - 1] != '/')
        start--;
    const char *base = x->location + start;
    size_t n = end - start;
    if (n == 0 || strncmp(base, x->name, n) != 0 || x->name[n] != '\0')
        return fail(r, yaml_map_get(it, "location"),
                    "skill name '%s' must equal the directory name of its location '%s'", x->name,
                    x->location);
    return 0;
}

static int read_model(reader *r, const yaml_node *it, cfg_asset *ca)
{
    static const char *const keys[] = {"name", "location", "comment", "versions", "aliases", "id",
                                       NULL};
    static const char *const vkeys[] = {"version", "status", "location", "source", "run_id",
                                        "comment", NULL};
    cat_asset *x = &ca->asset;
    if (want_map(r, it, "a model") || only_keys(r, it, "a model", keys) ||
        req_str(r, it, "name", "a model", &x->name) || opt_str(r, it, "location", &x->location) ||
        opt_str(r, it, "comment", &x->comment) || opt_str(r, it, "id", &x->uuid) ||
        check_name(r, it, NAME_SCHEMA, x->name, "model name"))
        return -1;
    if (x->location &&
        check_location(r, yaml_map_get(it, "location"), x->location, "model location"))
        return -1;
    const yaml_node *vs = yaml_map_get(it, "versions");
    if (!yaml_is_null(vs)) {
        if (want_seq(r, vs, "'versions'") ||
            alloc_array(r, (void **)&ca->versions, vs->n, sizeof(cfg_model_version)))
            return -1;
        for (size_t i = 0; i < vs->n; i++) {
            const yaml_node *v = vs->items[i];
            cfg_model_version *mv = &ca->versions[i];
            int has;
            if (want_map(r, v, "a model version") || only_keys(r, v, "a model version", vkeys) ||
                opt_int(r, v, "version", &mv->mv.version, &has) ||
                opt_str(r, v, "status", &mv->mv.status) ||
                req_str(r, v, "location", "a model version", &mv->mv.location) ||
                opt_str(r, v, "source", &mv->mv.source) || opt_str(r, v, "run_id", &mv->mv.run_id) ||
                opt_str(r, v, "comment", &mv->mv.comment) ||
                check_location(r, yaml_map_get(v, "location"), mv->mv.location,
                               "model version location"))
                return -1;
            if (!has || mv->mv.version < 1)
                return fail(r, v, "a model version needs 'version', a positive integer");
            if (mv->mv.status == NULL)
                mv->mv.status = "READY";
            if (strcmp(mv->mv.status, "READY") && strcmp(mv->mv.status, "PENDING_REGISTRATION") &&
                strcmp(mv->mv.status, "FAILED_REGISTRATION"))
                return fail(r, yaml_map_get(v, "status"),
                            "status must be READY, PENDING_REGISTRATION or FAILED_REGISTRATION");
            for (size_t j = 0; j < i; j++)
                if (ca->versions[j].mv.version == mv->mv.version)
                    return fail(r, v, "version %lld is declared twice", (long long)mv->mv.version);
            mv->line = v->line;
            mv->col = v->col;
            ca->nversions = i + 1;
        }
    }
    const yaml_node *as = yaml_map_get(it, "aliases");
    if (!yaml_is_null(as)) {
        if (want_map(r, as, "'aliases'") ||
            alloc_array(r, (void **)&ca->aliases, as->n, sizeof(cfg_alias)))
            return -1;
        for (size_t i = 0; i < as->n; i++) {
            cfg_alias *al = &ca->aliases[i];
            al->alias = as->keys[i]->value;
            al->line = as->keys[i]->line;
            al->col = as->keys[i]->col;
            if (check_name(r, as->keys[i], NAME_SCHEMA, al->alias, "alias") != 0)
                return -1;
            if (as->items[i]->type != YN_SCALAR || os_parse_i64(as->items[i]->value, &al->version))
                return fail(r, as->items[i], "alias '%s' must map to a version number", al->alias);
            int known = 0;
            for (size_t j = 0; j < ca->nversions; j++)
                if (ca->versions[j].mv.version == al->version)
                    known = 1;
            if (!known)
                return fail(r, as->items[i], "alias '%s' points to version %lld, which is not declared",
                            al->alias, (long long)al->version);
            for (size_t j = 0; j < i; j++)
                if (same_name(ca->aliases[j].alias, al->alias))
                    return fail(r, as->keys[i], "alias '%s' is declared twice", al->alias);
            ca->naliases = i + 1;
        }
    }
    return 0;
}

static int read_assets(reader *r, cfg_schema *sc, const yaml_node *schema_node)
{
    static const struct { const char *key; cat_asset_kind kind; } groups[] = {
        {"tables", CAT_ASSET_TABLE}, {"volumes", CAT_ASSET_VOLUME},
        {"skills", CAT_ASSET_SKILL}, {"models", CAT_ASSET_MODEL}};
    size_t total = 0;
    for (size_t g = 0; g < 4; g++) {
        const yaml_node *n = yaml_map_get(schema_node, groups[g].key);
        if (!yaml_is_null(n)) {
            if (want_seq(r, n, groups[g].key))
                return -1;
            total += n->n;
        }
    }
    if (alloc_array(r, (void **)&sc->assets, total, sizeof(cfg_asset)))
        return -1;
    for (size_t g = 0; g < 4; g++) {
        const yaml_node *n = yaml_map_get(schema_node, groups[g].key);
        if (yaml_is_null(n))
            continue;
        for (size_t i = 0; i < n->n; i++) {
            cfg_asset *ca = &sc->assets[sc->nassets];
            const yaml_node *it = n->items[i];
            ca->asset.kind = groups[g].kind;
            ca->line = it->line;
            ca->col = it->col;
            int rc = groups[g].kind == CAT_ASSET_TABLE    ? read_table(r, it, &ca->asset)
                     : groups[g].kind == CAT_ASSET_VOLUME ? read_volume(r, it, &ca->asset)
                     : groups[g].kind == CAT_ASSET_SKILL  ? read_skill(r, it, &ca->asset)
                                                          : read_model(r, it, ca);
            if (rc != 0)
                return -1;
            for (size_t j = 0; j < sc->nassets; j++)
                if (same_name(sc->assets[j].asset.name, ca->asset.name))
                    return fail(r, it, "an asset named '%s' is already declared in schema '%s'",
                                ca->asset.name, sc->name);
            sc->nassets++;
        }
    }
    return 0;
}

/* ---- shares ------------------------------------------------------------ */

static int read_shares(reader *r, const yaml_node *n)
{
    static const char *const keys[] = {"name", "id", "display_name", "comment", "properties",
                                       "schemas", NULL};
    static const char *const skeys[] = {"name", "tables", "volumes", "skills", "models", NULL};
    if (want_seq(r, n, "'shares'") ||
        alloc_array(r, (void **)&r->cfg->shares, n->n, sizeof(cfg_share)))
        return -1;
    for (size_t i = 0; i < n->n; i++) {
        const yaml_node *it = n->items[i];
        cfg_share *sh = &r->cfg->shares[i];
        if (want_map(r, it, "a share") || only_keys(r, it, "a share", keys) ||
            req_str(r, it, "name", "a share", &sh->share.name) ||
            opt_str(r, it, "id", &sh->share.uuid) ||
            opt_str(r, it, "display_name", &sh->share.display_name) ||
            opt_str(r, it, "comment", &sh->share.comment) ||
            opt_string_map(r, it, "properties", &sh->share.properties_json) ||
            check_name(r, it, NAME_SHARE, sh->share.name, "share name"))
            return -1;
        sh->line = it->line;
        sh->col = it->col;
        for (size_t j = 0; j < i; j++)
            if (same_name(r->cfg->shares[j].share.name, sh->share.name))
                return fail(r, it, "share '%s' is declared twice", sh->share.name);
        const yaml_node *schemas = yaml_map_get(it, "schemas");
        if (!yaml_is_null(schemas)) {
            if (want_seq(r, schemas, "'schemas'") ||
                alloc_array(r, (void **)&sh->schemas, schemas->n, sizeof(cfg_schema)))
                return -1;
            for (size_t k = 0; k < schemas->n; k++) {
                const yaml_node *sn = schemas->items[k];
                cfg_schema *sc = &sh->schemas[k];
                if (want_map(r, sn, "a schema") || only_keys(r, sn, "a schema", skeys) ||
                    req_str(r, sn, "name", "a schema", &sc->name) ||
                    check_name(r, sn, NAME_SCHEMA, sc->name, "schema name"))
                    return -1;
                sc->line = sn->line;
                sc->col = sn->col;
                for (size_t j = 0; j < k; j++)
                    if (same_name(sh->schemas[j].name, sc->name))
                        return fail(r, sn, "schema '%s' is declared twice in share '%s'", sc->name,
                                    sh->share.name);
                if (read_assets(r, sc, sn) != 0)
                    return -1;
                sh->nschemas = k + 1;
            }
        }
        r->cfg->nshares = i + 1;
    }
    return 0;
}

/* ---- recipients and grants --------------------------------------------- */

static int read_recipients(reader *r, const yaml_node *n)
{
    static const char *const keys[] = {"name", "comment", "token", "token_expires", NULL};
    if (want_seq(r, n, "'recipients'") ||
        alloc_array(r, (void **)&r->cfg->recipients, n->n, sizeof(cfg_recipient)))
        return -1;
    for (size_t i = 0; i < n->n; i++) {
        const yaml_node *it = n->items[i];
        cfg_recipient *rc = &r->cfg->recipients[i];
        const char *expires = NULL;
        if (want_map(r, it, "a recipient") || only_keys(r, it, "a recipient", keys) ||
            req_str(r, it, "name", "a recipient", &rc->r.name) ||
            opt_str(r, it, "comment", &rc->r.comment) ||
            opt_str(r, it, "token_expires", &expires) ||
            check_name(r, it, NAME_SHARE, rc->r.name, "recipient name"))
            return -1;
        rc->line = it->line;
        rc->col = it->col;
        const yaml_node *tok = yaml_map_get(it, "token");
        if (!yaml_is_null(tok)) {
            if (read_secret(r, tok, "a recipient token", &rc->token) != 0)
                return -1;
            rc->has_token = 1;
        }
        if (expires && os_time_parse_iso(expires, &rc->token_expires_ms) != 0)
            return fail(r, yaml_map_get(it, "token_expires"),
                        "token_expires must be an ISO-8601 time such as 2027-01-31T00:00:00Z");
        for (size_t j = 0; j < i; j++)
            if (same_name(r->cfg->recipients[j].r.name, rc->r.name))
                return fail(r, it, "recipient '%s' is declared twice", rc->r.name);
        r->cfg->nrecipients = i + 1;
    }
    return 0;
}

static int read_grants(reader *r, const yaml_node *n)
{
    static const char *const keys[] = {"share", "recipients", NULL};
    if (want_seq(r, n, "'grants'"))
        return -1;
    size_t total = 0;
    for (size_t i = 0; i < n->n; i++) {
        const yaml_node *rs = yaml_map_get(n->items[i], "recipients");
        if (n->items[i]->type == YN_MAP && rs && rs->type == YN_SEQ)
            total += rs->n;
    }
    if (alloc_array(r, (void **)&r->cfg->grants, total, sizeof(cfg_grant)))
        return -1;
    for (size_t i = 0; i < n->n; i++) {
        const yaml_node *it = n->items[i];
        const char *share;
        if (want_map(r, it, "a grant") || only_keys(r, it, "a grant", keys) ||
            req_str(r, it, "share", "a grant", &share))
            return -1;
        int known = 0;
        for (size_t j = 0; j < r->cfg->nshares; j++)
            if (same_name(r->cfg->shares[j].share.name, share))
                known = 1;
        if (!known)
            return fail(r, yaml_map_get(it, "share"), "grant names share '%s', which is not declared",
                        share);
        const yaml_node *rs = yaml_map_get(it, "recipients");
        if (rs == NULL || rs->type != YN_SEQ)
            return fail(r, it, "a grant needs 'recipients', a list of recipient names");
        for (size_t k = 0; k < rs->n; k++) {
            const yaml_node *rn = rs->items[k];
            if (rn->type != YN_SCALAR)
                return fail(r, rn, "recipient names must be strings");
            int found = 0;
            for (size_t j = 0; j < r->cfg->nrecipients; j++)
                if (same_name(r->cfg->recipients[j].r.name, rn->value))
                    found = 1;
            if (!found)
                return fail(r, rn, "grant names recipient '%s', which is not declared", rn->value);
            cfg_grant *g = &r->cfg->grants[r->cfg->ngrants++];
            g->share = share;
            g->recipient = rn->value;
            g->line = rn->line;
            g->col = rn->col;
        }
    }
    return 0;
}

int config_parse(const char *path, const char *text, size_t len, os_arena *a, os_config *cfg,
                 os_err *err)
{
    static const char *const keys[] = {"server", "storage", "shares", "recipients", "grants",
                                       "admin", "admins", "audit", NULL};   /* admin*, audit: src/auth/admin.c */
    memset(cfg, 0, sizeof *cfg);
    cfg->server.dataset_refresh_s = -1;
    cfg->path = os_arena_strdup(a, path);
    reader r = {path, a, err, cfg};
    yaml_node *root = yaml_tree_parse(text, len, a, err);
    if (root == NULL)
        return os_err_wrap(err, "%s", path);
    if (want_map(&r, root, "the config file") || only_keys(&r, root, "the config file", keys))
        return -1;
    const yaml_node *n;
    if (!yaml_is_null(n = yaml_map_get(root, "server")) && read_server(&r, n))
        return -1;
    if (!yaml_is_null(n = yaml_map_get(root, "storage")) && read_locations(&r, n))
        return -1;
    if (!yaml_is_null(n = yaml_map_get(root, "shares")) && read_shares(&r, n))
        return -1;
    if (!yaml_is_null(n = yaml_map_get(root, "recipients")) && read_recipients(&r, n))
        return -1;
    if (!yaml_is_null(n = yaml_map_get(root, "grants")) && read_grants(&r, n))
        return -1;
    return 0;
}

int config_load(const char *path, os_arena *a, os_config *cfg, os_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return os_err_set(err, OS_EINVAL, "%s: cannot open config file: %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 > cap) {
            if (cap > 16u << 20) {
                fclose(f);
                free(buf);
                return os_err_set(err, OS_ELIMIT, "%s: config file is larger than 16 MiB", path);
            }
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, cap);
            if (p == NULL) {
                fclose(f);
                free(buf);
                return os_err_set(err, OS_ENOMEM, "out of memory");
            }
            buf = p;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return os_err_set(err, OS_EIO, "%s: cannot read config file", path);
    }
    int rc = config_parse(path, buf, len, a, cfg, err);
    free(buf);
    return rc;
}
