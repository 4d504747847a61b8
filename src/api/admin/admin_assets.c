/* admin_assets.c - adding and removing shared assets: validation while the provider is still there (storage location, Delta log, SKILL.md), and their admin JSON. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/admin/admin_api.h"
#include "formats/dataset/dataset.h"
#include "catalog/names.h"
#include "catalog/skill_md.h"
#include "storage/location.h"

static const char *const KIND_NAMES[] = {NULL, "TABLE", "VOLUME", "SKILL", "MODEL"};

static int kind_of(const char *t, cat_asset_kind *k)
{
    for (int i = 1; i <= 4; i++)
        if (!strcasecmp(t, KIND_NAMES[i])) {
            *k = (cat_asset_kind)i;
            return 0;
        }
    return -1;
}

/* Checks `uri` parses, lies under a configured storage location and, for
 * file://, exists without escaping it (symlinks resolved).  Fills *u. */
static int check_location(admin_api *api, const char *uri, os_arena *a, loc_uri *u, os_err *err)
{
    if (loc_uri_parse(uri, a, u, err) != 0)
        return -1;
    cat_page page;
    if (store_location_list(api->store, a, &page, err) != 0)
        return -1;
    for (int i = 0; i < page.count; i++) {
        const cat_location *l = page.items[i];
        loc_uri root;
        if (loc_uri_parse(l->uri, a, &root, NULL) != 0 || !loc_uri_contains(&root, u))
            continue;
        if (u->scheme == LOC_FILE && loc_file_check_contained(root.path, u->path, err) != 0)
            return os_err_wrap(err, "location '%s'", uri);
        return 0;
    }
    return os_err_set(err, OS_EINVAL,
                      "location '%s' is not under any storage location; create one first", uri);
}

static int check_dir_readable(const char *path, const char *what, os_err *err)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return os_err_set(err, OS_EINVAL, "%s %s is missing or unreadable", what, path);
    closedir(d);
    return 0;
}

static int add_versions(admin_api *api, cat_tx *tx, int64_t model_id, const json_t *versions,
                        os_arena *a, os_err *err)
{
    static const char *const keys[] = {"version", "location", "status", "source", "run_id",
                                       "comment", NULL};
    if (!json_is_array(versions))
        return os_err_set(err, OS_EINVAL, "'versions' must be a list");
    size_t i;
    json_t *v;
    json_array_foreach(versions, i, v)
    {
        cat_model_version mv;
        memset(&mv, 0, sizeof mv);
        mv.model_id = model_id;
        int present;
        loc_uri u;
        if (!json_is_object(v) || admin_only_keys(v, "a model version", keys, err) ||
            admin_opt_int(v, "version", 1, INT32_MAX, &mv.version, &present, err))
            return os_err_wrap(err, "versions[%zu]", i);
        if (!present)
            return os_err_set(err, OS_EINVAL, "versions[%zu] needs 'version' (a positive integer)", i);
        if (admin_req_str(v, "location", "a model version", &mv.location, err) ||
            check_location(api, mv.location, a, &u, err) ||
            admin_opt_str(v, "status", &mv.status, err) || admin_opt_str(v, "source", &mv.source, err) ||
            admin_opt_str(v, "run_id", &mv.run_id, err) || admin_opt_str(v, "comment", &mv.comment, err))
            return os_err_wrap(err, "versions[%zu]", i);
        if (mv.status == NULL)
            mv.status = "READY";
        if (strcmp(mv.status, "READY") && strcmp(mv.status, "PENDING_REGISTRATION") &&
            strcmp(mv.status, "FAILED_REGISTRATION"))
            return os_err_set(err, OS_EINVAL,
                              "versions[%zu]: 'status' must be READY, PENDING_REGISTRATION or "
                              "FAILED_REGISTRATION", i);
        if (store_model_version_put(tx, &mv, 0, err) != 0)
            return os_err_wrap(err, "versions[%zu]", i);
    }
    return 0;
}

static int add_aliases(cat_tx *tx, int64_t model_id, const json_t *aliases, const json_t *versions,
                       os_err *err)
{
    if (!json_is_object(aliases))
        return os_err_set(err, OS_EINVAL, "'aliases' must be an object of alias -> version");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)aliases, k, v)
    {
        if (name_check(NAME_SCHEMA, k, "alias", err) != 0)
            return -1;
        if (!json_is_integer(v))
            return os_err_set(err, OS_EINVAL, "alias '%s' must map to a version number", k);
        int found = 0;
        size_t i;
        json_t *mv;
        json_array_foreach((json_t *)versions, i, mv)
        {
            found |= json_integer_value(json_object_get(mv, "version")) == json_integer_value(v);
        }
        if (!found)
            return os_err_set(err, OS_EINVAL, "alias '%s' names version %lld, which is not listed", k,
                              (long long)json_integer_value(v));
        if (store_model_alias_put(tx, model_id, k, json_integer_value(v), 0, err) != 0)
            return -1;
    }
    return 0;
}

int admin_asset_add(admin_api *api, cat_tx *tx, int64_t share_id, const json_t *obj,
                    const char *actor, os_arena *a, os_err *err)
{
    static const char *const keys[] = {"type", "schema", "name", "shared_as", "location", "comment",
                                       "format", "history_shared", "metadata_location",
                                       "partition_columns",
                                       "description", "license",
                                       "compatibility", "allowed_tools", "metadata", "versions",
                                       "aliases", NULL};
    cat_asset x;
    memset(&x, 0, sizeof x);
    const char *type, *schema, *name, *alias;
    if (admin_only_keys(obj, "a data_object", keys, err) ||
        admin_req_str(obj, "type", "a data_object", &type, err))
        return -1;
    if (kind_of(type, &x.kind) != 0)
        return os_err_set(err, OS_EINVAL, "'type' must be TABLE, VOLUME, SKILL or MODEL, got '%.32s'",
                          type);
    if (admin_req_str(obj, "schema", "a data_object", &schema, err) ||
        name_check(NAME_SCHEMA, schema, "schema name", err) ||
        admin_req_str(obj, "name", "a data_object", &name, err) ||
        admin_opt_str(obj, "shared_as", &alias, err))
        return -1;
    x.name = alias ? alias : name;
    if (name_check(x.kind == CAT_ASSET_SKILL ? NAME_SKILL : NAME_SCHEMA, x.name,
                   alias ? "'shared_as'" : "asset name", err) != 0)
        return -1;
    if (alias && name_check(NAME_SHARE, name, "source name", err) != 0)
        return -1;
    if (admin_opt_str(obj, "location", &x.location, err) || admin_opt_str(obj, "comment", &x.comment, err))
        return -1;
    json_t *hs = json_object_get(obj, "history_shared");
    if (hs && !json_is_null(hs)) {
        if (!json_is_boolean(hs) || x.kind != CAT_ASSET_TABLE)
            return os_err_set(err, OS_EINVAL, "'history_shared' is a boolean of tables");
        x.history_shared = json_is_true(hs);
    }
    const json_t *versions = json_object_get(obj, "versions"), *aliases = json_object_get(obj, "aliases");
    if (x.kind != CAT_ASSET_MODEL && ((versions && !json_is_null(versions)) || (aliases && !json_is_null(aliases))))
        return os_err_set(err, OS_EINVAL, "'versions' and 'aliases' belong to models");
    if (x.location == NULL && x.kind != CAT_ASSET_MODEL)
        return os_err_set(err, OS_EINVAL, "a %s needs 'location'", KIND_NAMES[x.kind]);
    loc_uri u;
    if (x.location && check_location(api, x.location, a, &u, err) != 0)
        return -1;
    if (x.kind == CAT_ASSET_TABLE) {
        if (admin_opt_str(obj, "format", &x.format, err) != 0 ||
            admin_opt_str(obj, "metadata_location", &x.metadata_location, err) != 0)
            return -1;
        if (x.format == NULL)
            x.format = "delta";
        if (strcmp(x.format, "delta") && strcmp(x.format, "iceberg") && strcmp(x.format, "parquet"))
            return os_err_set(err, OS_EINVAL, "'format' must be delta, iceberg or parquet");
        if (x.metadata_location && (strcmp(x.format, "iceberg") != 0 ||
                                    name_relpath_check(x.metadata_location, "'metadata_location'", err) != 0))
            return strcmp(x.format, "iceberg") != 0
                       ? os_err_set(err, OS_EINVAL, "'metadata_location' belongs to Iceberg tables")
                       : -1;
        if (u.scheme == LOC_FILE) {
            char p[4200];
            snprintf(p, sizeof p, "%s/%s", u.path, !strcmp(x.format, "delta") ? "_delta_log"
                                                   : !strcmp(x.format, "iceberg") ? "metadata" : "");
            if (check_dir_readable(p, !strcmp(x.format, "delta") ? "the Delta log" : "the table directory",
                                   err) != 0)
                return -1;
        }
        const json_t *pc = json_object_get(obj, "partition_columns");
        if (pc && !json_is_null(pc)) {
            if (strcmp(x.format, "parquet") != 0)
                return os_err_set(err, OS_EINVAL, "'partition_columns' belongs to Parquet datasets "
                                  "(format parquet)");
            if (!json_is_array(pc))
                return os_err_set(err, OS_EINVAL, "'partition_columns' must be a list of {name, type}");
            for (size_t i = 0; i < json_array_size(pc); i++) {
                const json_t *d = json_array_get(pc, i);
                const char *pt = json_string_value(json_object_get(d, "type"));
                if (!json_is_object(d) || json_object_size(d) != 2 ||
                    !json_is_string(json_object_get(d, "name")) || !ds_partition_type_ok(pt))
                    return os_err_set(err, OS_EINVAL, "partition_columns[%zu] must be {name, type} with "
                                      "type string, boolean, byte, short, integer, long, float, "
                                      "double, date, timestamp or decimal(p,s)", i);
            }
            char *text = json_dumps(pc, JSON_COMPACT);
            x.partition_columns_json = text ? os_arena_strdup(a, text) : NULL;
            free(text);
        }
    } else if (json_object_get(obj, "format") || json_object_get(obj, "metadata_location") ||
               json_object_get(obj, "partition_columns")) {
        return os_err_set(err, OS_EINVAL, "'format' and 'metadata_location' belong to tables");
    }
    if (x.kind == CAT_ASSET_VOLUME && u.scheme == LOC_FILE &&
        check_dir_readable(u.path, "the volume directory", err) != 0)
        return -1;
    if (x.kind == CAT_ASSET_SKILL) {
        if (u.scheme == LOC_FILE) {
            skill_md md;
            if (skill_md_load(u.path, a, &md, err) != 0)
                return os_err_wrap(err, "skill '%s'", x.name);
            x.description = md.description;
            x.license = md.license;
            x.compatibility = md.compatibility;
            x.allowed_tools = md.allowed_tools;
            x.metadata_json = md.metadata_json;
        } else {
            if (admin_req_str(obj, "description", "a skill outside local storage", &x.description, err) ||
                admin_opt_str(obj, "license", &x.license, err) ||
                admin_opt_str(obj, "compatibility", &x.compatibility, err) ||
                admin_opt_str(obj, "allowed_tools", &x.allowed_tools, err) ||
                admin_opt_props(obj, "metadata", a, &x.metadata_json, NULL, err))
                return -1;
            if (strlen(x.description) > 1024 || (x.compatibility && strlen(x.compatibility) > 500))
                return os_err_set(err, OS_EINVAL,
                                  "'description' is at most 1024 and 'compatibility' 500 characters");
        }
    } else if (json_object_get(obj, "description") || json_object_get(obj, "license") ||
               json_object_get(obj, "compatibility") || json_object_get(obj, "allowed_tools") ||
               json_object_get(obj, "metadata")) {
        return os_err_set(err, OS_EINVAL, "skill fields (description, license...) belong to skills");
    }
    int64_t schema_id, existing, id;
    if (store_schema_put(tx, share_id, schema, 0, &schema_id, err) != 0 ||
        store_tx_asset_find(tx, schema_id, x.name, &existing, err) != 0)
        return -1;
    if (existing)
        return os_err_set(err, OS_EEXIST, "schema '%s' already holds an asset named '%s'", schema, x.name);
    x.schema_id = schema_id;
    if (store_asset_put(tx, &x, 0, actor, &id, err) != 0 ||
        (alias && store_tx_asset_set_source(tx, id, name, err) != 0))
        return -1;
    if (x.kind == CAT_ASSET_MODEL) {
        if (versions && !json_is_null(versions) && add_versions(api, tx, id, versions, a, err) != 0)
            return -1;
        if (aliases && !json_is_null(aliases)) {
            json_t *none = json_array();
            int rc = add_aliases(tx, id, aliases, versions && !json_is_null(versions) ? versions : none, err);
            json_decref(none);
            if (rc != 0)
                return -1;
        }
    }
    return 0;
}

int admin_asset_remove(cat_tx *tx, int64_t share_id, const json_t *obj, os_err *err)
{
    static const char *const keys[] = {"type", "schema", "name", "shared_as", NULL};
    const char *schema, *name, *alias;
    if (admin_only_keys(obj, "a data_object to remove", keys, err) ||
        admin_req_str(obj, "schema", "a data_object to remove", &schema, err) ||
        admin_opt_str(obj, "shared_as", &alias, err) || admin_opt_str(obj, "name", &name, err))
        return -1;
    if (alias == NULL && name == NULL)
        return os_err_set(err, OS_EINVAL, "a data_object to remove needs 'name' or 'shared_as'");
    return store_tx_asset_remove(tx, share_id, schema, alias ? alias : name, err);
}

json_t *admin_asset_json(admin_api *api, const cat_asset_admin *xa, os_arena *a)
{
    const cat_asset *x = &xa->a;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "type", KIND_NAMES[x->kind], "schema", x->schema_name,
                          "name", x->name, "id", x->uuid);
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "source_name", json_string(xa->source_name ? xa->source_name : x->name));
    json_object_set_new(o, "location", x->location ? json_string(x->location) : json_null());
    json_object_set_new(o, "comment", x->comment ? json_string(x->comment) : json_null());
    if (x->kind == CAT_ASSET_TABLE) {
        json_object_set_new(o, "format", json_string(x->format ? x->format : "delta"));
        json_object_set_new(o, "history_shared", json_boolean(x->history_shared));
        if (x->metadata_location)
            json_object_set_new(o, "metadata_location", json_string(x->metadata_location));
        if (x->partition_columns_json)
            admin_json_raw(o, "partition_columns", x->partition_columns_json);
        /* How recipients can read it: every table through Delta Sharing,
         * Iceberg tables also through the Iceberg REST catalog. */
        bool ice = x->format && strcmp(x->format, "iceberg") == 0;
        json_object_set_new(o, "access_paths", ice ? json_pack("[s,s]", "delta_sharing", "iceberg_rest")
                                                   : json_pack("[s]", "delta_sharing"));
    }
    if (x->kind == CAT_ASSET_SKILL)
        json_object_set_new(o, "description", x->description ? json_string(x->description) : json_null());
    if (x->kind == CAT_ASSET_MODEL) {
        cat_page page;
        os_err err;
        json_t *vs = json_array(), *al = json_object();
        if (store_model_version_list(api->store, x->id, 0, 0, 100000, a, &page, &err) == 0)
            for (int i = 0; i < page.count; i++) {
                const cat_model_version *v = page.items[i];
                json_array_append_new(vs, json_pack("{s:I,s:s,s:s}", "version", (json_int_t)v->version,
                                                    "status", v->status, "location", v->location));
            }
        if (store_model_alias_list(api->store, x->id, a, &page, &err) == 0)
            for (int i = 0; i < page.count; i++) {
                const cat_alias_info *ai = page.items[i];
                json_object_set_new(al, ai->alias, json_integer(ai->version));
            }
        json_object_set_new(o, "versions", vs);
        json_object_set_new(o, "aliases", al);
    }
    admin_json_time(o, "added_at", xa->meta.created_ms);
    json_object_set_new(o, "added_by", xa->meta.created_by ? json_string(xa->meta.created_by) : json_null());
    return o;
}
