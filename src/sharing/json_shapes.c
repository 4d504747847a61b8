/* json_shapes.c - builds the protocol's JSON objects; optional fields are omitted when unset. */
#include "sharing/json_shapes.h"

#include <string.h>

#include "sharing/access_modes.h"

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v != NULL)
        json_object_set_new(o, key, json_string(v));
}

/* Stored JSON text (validated when written) becomes a JSON value again. */
static void set_json(json_t *o, const char *key, const char *text)
{
    if (text == NULL)
        return;
    json_t *v = json_loads(text, 0, NULL);
    if (v != NULL)
        json_object_set_new(o, key, v);
}

json_t *shape_share(const cat_share *s)
{
    json_t *o = json_object();
    set_str(o, "name", s->name);
    set_str(o, "id", s->uuid);
    set_str(o, "displayName", s->display_name);
    set_str(o, "comment", s->comment);
    set_json(o, "properties", s->properties_json);
    return o;
}

json_t *shape_schema(const cat_schema *s)
{
    json_t *o = json_object();
    set_str(o, "name", s->name);
    set_str(o, "share", s->share_name);
    return o;
}

int shape_is_local(const char *location)
{
    return location != NULL && strncmp(location, "file:", 5) == 0;
}

/* Sets o[key] to where x is stored, as a recipient may see it (see
 * json_shapes.h); version > 0 names a model version. */
static void set_location(json_t *o, const char *key, const cat_asset *x, const char *location,
                         int64_t version)
{
    if (location == NULL)
        return;
    if (!shape_is_local(location)) {
        json_object_set_new(o, key, json_string(location));
        return;
    }
    json_t *v = version > 0
                    ? json_sprintf("opensharing://shares/%s/%s/%s/versions/%lld", x->share_name,
                                   x->schema_name, x->name, (long long)version)
                    : json_sprintf("opensharing://shares/%s/%s/%s", x->share_name, x->schema_name,
                                   x->name);
    if (v != NULL)
        json_object_set_new(o, key, v);
}

static json_t *asset_head(const cat_asset *x)
{
    json_t *o = json_object();
    set_str(o, "name", x->name);
    set_str(o, "schema", x->schema_name);
    set_str(o, "share", x->share_name);
    set_str(o, "shareId", x->share_uuid);
    set_str(o, "id", x->uuid);
    return o;
}

static void set_modes(json_t *o, unsigned modes)
{
    json_t *a = json_array();
    if (modes & ACCESS_URL)
        json_array_append_new(a, json_string("url"));
    if (modes & ACCESS_DIR)
        json_array_append_new(a, json_string("dir"));
    json_object_set_new(o, "accessModes", a);
}

json_t *shape_table(const cat_asset *t, unsigned modes)
{
    json_t *o = asset_head(t);
    if (modes & ACCESS_DIR) {
        set_location(o, "location", t, t->location, 0);
        set_json(o, "auxiliaryLocations", t->aux_locations_json);
    }
    set_modes(o, modes);
    return o;
}

json_t *shape_table_detail(const cat_asset *t)
{
    json_t *o = asset_head(t);
    /* Parquet datasets are read through the Delta Sharing API. */
    const char *fmt = t->format && !strcmp(t->format, "iceberg") ? "iceberg" : "delta";
    set_str(o, "format", fmt);
    return o;
}

json_t *shape_volume(const cat_asset *v, unsigned modes)
{
    json_t *o = asset_head(v);
    set_modes(o, modes);
    set_location(o, "storageLocation", v, v->location, 0);
    set_str(o, "comment", v->comment);
    return o;
}

json_t *shape_skill(const cat_asset *s, unsigned modes)
{
    json_t *o = asset_head(s);
    set_str(o, "description", s->description);
    set_location(o, "storageLocation", s, s->location, 0);
    set_str(o, "license", s->license);
    set_str(o, "compatibility", s->compatibility);
    set_str(o, "allowedTools", s->allowed_tools);
    set_json(o, "metadata", s->metadata_json);
    set_modes(o, modes);
    return o;
}

json_t *shape_model(const cat_asset *m)
{
    json_t *o = asset_head(m);
    set_str(o, "comment", m->comment);
    set_location(o, "storageLocation", m, m->location, 0);
    return o;
}

json_t *shape_model_version(const cat_asset *m, const cat_model_version *v, unsigned modes)
{
    json_t *o = json_object();
    set_str(o, "modelName", m->name);
    set_str(o, "schema", m->schema_name);
    set_str(o, "share", m->share_name);
    json_object_set_new(o, "version", json_integer(v->version));
    set_str(o, "status", v->status);
    set_location(o, "storageLocation", m, v->location, v->version);
    set_str(o, "id", v->uuid);
    set_str(o, "source", v->source);
    set_str(o, "runId", v->run_id);
    set_str(o, "comment", v->comment);
    set_modes(o, strcmp(v->status, "READY") == 0 ? modes : 0);
    return o;
}

json_t *shape_asset(const cat_asset *x, unsigned modes)
{
    switch (x->kind) {
    case CAT_ASSET_TABLE: return shape_table(x, modes);
    case CAT_ASSET_VOLUME: return shape_volume(x, modes);
    case CAT_ASSET_SKILL: return shape_skill(x, modes);
    case CAT_ASSET_MODEL: return shape_model(x);
    }
    return json_object();
}
