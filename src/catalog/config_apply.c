/* config_apply.c - writes a checked config into the catalog in one transaction, after checking what needs the outside world. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "catalog/config.h"
#include "catalog/skill_md.h"
#include "storage/location.h"
#include "storage/store_open.h"

#define CONFIG_ACTOR "config"

char *config_secret_read(const cfg_secret *s, os_err *err)
{
    char *value = NULL;
    if (s->env) {
        const char *v = getenv(s->env);
        if (v == NULL || *v == '\0') {
            os_err_set(err, OS_EINVAL, "environment variable %s is not set", s->env);
            return NULL;
        }
        value = strdup(v);
    } else {
        FILE *f = fopen(s->file, "rb");
        if (f == NULL) {
            os_err_set(err, OS_EINVAL, "cannot read secret file %s: %s", s->file, strerror(errno));
            return NULL;
        }
        char buf[16384];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        int too_big = !feof(f) && n == sizeof buf - 1;
        fclose(f);
        if (too_big) {
            os_err_set(err, OS_EINVAL, "secret file %s is larger than 16 KiB", s->file);
            return NULL;
        }
        buf[n] = '\0';
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
            buf[--n] = '\0';
        if (n == 0) {
            os_err_set(err, OS_EINVAL, "secret file %s is empty", s->file);
            return NULL;
        }
        value = strdup(buf);
        /* Do not leave the secret on the stack longer than needed. */
        memset(buf, 0, sizeof buf);
    }
    if (value == NULL)
        os_err_set(err, OS_ENOMEM, "out of memory");
    return value;
}

/* For a file:// asset location, checks it exists and does not escape the
 * storage location it is declared under (symlinks resolved). */
static int check_file_location(const os_config *cfg, const char *uri, int line, int col,
                               os_arena *a, os_err *err)
{
    loc_uri u;
    if (loc_uri_parse(uri, a, &u, err) != 0 || u.scheme != LOC_FILE)
        return 0;   /* parse errors were reported by config_parse; cloud URIs are checked there */
    for (size_t i = 0; i < cfg->nlocations; i++) {
        loc_uri root;
        if (loc_uri_parse(cfg->locations[i].loc.uri, a, &root, NULL) != 0 ||
            !loc_uri_contains(&root, &u))
            continue;
        if (loc_file_check_contained(root.path, u.path, err) != 0)
            return os_err_wrap(err, "%s:%d:%d", cfg->path, line, col);
        return 0;
    }
    return os_err_set(err, OS_EINVAL, "%s:%d:%d: location '%s' is not under any storage location",
                      cfg->path, line, col, uri);
}

static int check_outside(const os_config *cfg, os_arena *a, os_err *err)
{
    for (size_t i = 0; i < cfg->nlocations; i++) {
        const cfg_location *l = &cfg->locations[i];
        if (l->has_secret) {
            char *v = config_secret_read(&l->secret, err);
            if (v == NULL)
                return os_err_wrap(err, "%s:%d:%d: storage location '%s'", cfg->path,
                                   l->secret.line, l->secret.col, l->loc.name);
            free(v);
        }
    }
    for (size_t i = 0; i < cfg->nshares; i++)
        for (size_t j = 0; j < cfg->shares[i].nschemas; j++) {
            const cfg_schema *sc = &cfg->shares[i].schemas[j];
            for (size_t k = 0; k < sc->nassets; k++) {
                const cfg_asset *ca = &sc->assets[k];
                if (ca->asset.location &&
                    check_file_location(cfg, ca->asset.location, ca->line, ca->col, a, err) != 0)
                    return -1;
                for (size_t v = 0; v < ca->nversions; v++)
                    if (check_file_location(cfg, ca->versions[v].mv.location, ca->versions[v].line,
                                            ca->versions[v].col, a, err) != 0)
                        return -1;
            }
        }
    return 0;
}

/* Fills a skill from the SKILL.md at its location: the file is the source of
 * truth for description, license, compatibility, allowed tools and metadata,
 * and a skill without a valid one is refused.  Strings go into `a`. */
static int skill_from_md(const os_config *cfg, const cfg_asset *ca, cat_asset *x, os_arena *a,
                         os_err *err)
{
    loc_uri u;
    skill_md md;
    int rc = loc_uri_parse(x->location, a, &u, err);
    if (rc == 0 && u.scheme == LOC_FILE) {
        rc = skill_md_load(u.path, a, &md, err);
    } else if (rc == 0) {
        const cfg_location *holder = NULL;
        for (size_t i = 0; i < cfg->nlocations && holder == NULL; i++) {
            loc_uri lu;
            if (loc_uri_parse(cfg->locations[i].loc.uri, a, &lu, NULL) == 0 && loc_uri_contains(&lu, &u))
                holder = &cfg->locations[i];
        }
        objstore st;
        if (holder == NULL)
            rc = os_err_set(err, OS_EINVAL, "no storage location holds the skill");
        else
            rc = objstore_open_location(&holder->loc, x->location, &st, err);
        if (rc == 0) {
            os_buf text = OS_BUF_INIT;
            const char *slash = strrchr(u.path, '/');
            rc = objstore_read_all(&st, "SKILL.md", SKILL_MD_MAX_BYTES, &text, err);
            if (rc == 0)
                rc = skill_md_parse(os_buf_cstr(&text), text.len, slash ? slash + 1 : u.path, a, &md,
                                    err);
            os_buf_free(&text);
            objstore_close(&st);
        }
    }
    if (rc != 0)
        return os_err_wrap(err, "%s:%d:%d: skill '%s'", cfg->path, ca->line, ca->col, x->name);
    x->description = md.description;
    x->license = md.license;
    x->compatibility = md.compatibility;
    x->allowed_tools = md.allowed_tools;
    x->metadata_json = md.metadata_json;
    return 0;
}

static int apply_share(cat_tx *tx, const os_config *cfg, const cfg_share *sh, int64_t gen,
                       os_err *err)
{
    int64_t share_id;
    if (store_share_put(tx, &sh->share, gen, CONFIG_ACTOR, &share_id, err) != 0)
        return os_err_wrap(err, "%s:%d:%d: share '%s'", cfg->path, sh->line, sh->col,
                           sh->share.name);
    for (size_t j = 0; j < sh->nschemas; j++) {
        const cfg_schema *sc = &sh->schemas[j];
        int64_t schema_id;
        if (store_schema_put(tx, share_id, sc->name, gen, &schema_id, err) != 0)
            return os_err_wrap(err, "%s:%d:%d: schema '%s'", cfg->path, sc->line, sc->col, sc->name);
        for (size_t k = 0; k < sc->nassets; k++) {
            const cfg_asset *ca = &sc->assets[k];
            cat_asset x = ca->asset;
            x.schema_id = schema_id;
            int64_t asset_id;
            os_arena md = OS_ARENA_INIT;
            int rc = x.kind == CAT_ASSET_SKILL ? skill_from_md(cfg, ca, &x, &md, err) : 0;
            if (rc == 0 && store_asset_put(tx, &x, gen, CONFIG_ACTOR, &asset_id, err) != 0)
                rc = os_err_wrap(err, "%s:%d:%d: '%s'", cfg->path, ca->line, ca->col, x.name);
            os_arena_free(&md);
            if (rc != 0)
                return -1;
            for (size_t v = 0; v < ca->nversions; v++) {
                cat_model_version mv = ca->versions[v].mv;
                mv.model_id = asset_id;
                if (store_model_version_put(tx, &mv, gen, err) != 0)
                    return os_err_wrap(err, "%s:%d:%d: model version", cfg->path,
                                       ca->versions[v].line, ca->versions[v].col);
            }
            for (size_t al = 0; al < ca->naliases; al++)
                if (store_model_alias_put(tx, asset_id, ca->aliases[al].alias,
                                          ca->aliases[al].version, gen, err) != 0)
                    return os_err_wrap(err, "%s:%d:%d: alias", cfg->path, ca->aliases[al].line,
                                       ca->aliases[al].col);
        }
    }
    return 0;
}

static int apply_recipient(cat_tx *tx, const os_config *cfg, const cfg_recipient *rc, int64_t gen,
                           os_err *err)
{
    int64_t rid;
    if (store_recipient_put(tx, &rc->r, gen, CONFIG_ACTOR, &rid, err) != 0)
        return os_err_wrap(err, "%s:%d:%d: recipient '%s'", cfg->path, rc->line, rc->col,
                           rc->r.name);
    if (!rc->has_token)
        return 0;
    char *token = config_secret_read(&rc->token, err);
    if (token == NULL)
        return os_err_wrap(err, "%s:%d:%d: token of recipient '%s'", cfg->path, rc->token.line,
                           rc->token.col, rc->r.name);
    char hash[2 * OS_SHA256_LEN + 1];
    os_sha256_hex(token, strlen(token), hash);
    size_t toklen = strlen(token);
    memset(token, 0, toklen);
    free(token);
    if (toklen < 16)
        return os_err_set(err, OS_EINVAL,
                          "%s:%d:%d: the token of recipient '%s' is shorter than 16 characters",
                          cfg->path, rc->token.line, rc->token.col, rc->r.name);
    if (store_token_add(tx, rid, hash, rc->token_expires_ms, "config", err) != 0 ||
        store_token_revoke_source(tx, rid, "config", hash, os_now_ms(), err) != 0)
        return os_err_wrap(err, "%s:%d:%d: token of recipient '%s'", cfg->path, rc->token.line,
                           rc->token.col, rc->r.name);
    return 0;
}

int config_apply(const os_config *cfg, cat_store *st, os_err *err)
{
    os_arena a = OS_ARENA_INIT;
    int rc = check_outside(cfg, &a, err);
    os_arena_free(&a);
    if (rc != 0)
        return -1;
    cat_tx *tx = store_tx_begin(st, err);
    if (tx == NULL)
        return -1;
    int64_t gen;
    if (store_config_next_gen(tx, &gen, err) != 0)
        goto fail;
    for (size_t i = 0; i < cfg->nlocations; i++)
        if (store_location_put(tx, &cfg->locations[i].loc, gen, CONFIG_ACTOR, NULL, err) != 0) {
            os_err_wrap(err, "%s:%d:%d: storage location", cfg->path, cfg->locations[i].line,
                        cfg->locations[i].col);
            goto fail;
        }
    for (size_t i = 0; i < cfg->nshares; i++)
        if (apply_share(tx, cfg, &cfg->shares[i], gen, err) != 0)
            goto fail;
    for (size_t i = 0; i < cfg->nrecipients; i++)
        if (apply_recipient(tx, cfg, &cfg->recipients[i], gen, err) != 0)
            goto fail;
    for (size_t i = 0; i < cfg->ngrants; i++) {
        const cfg_grant *g = &cfg->grants[i];
        int64_t sid, rid;
        if (store_tx_share_id(tx, g->share, &sid, err) != 0 ||
            store_tx_recipient_id(tx, g->recipient, &rid, err) != 0 ||
            store_grant_put(tx, sid, rid, gen, CONFIG_ACTOR, err) != 0) {
            os_err_wrap(err, "%s:%d:%d: grant", cfg->path, g->line, g->col);
            goto fail;
        }
    }
    if (store_config_prune(tx, gen, err) != 0)
        goto fail;
    return store_tx_commit(tx, err);
fail:
    store_tx_rollback(tx);
    return -1;
}
