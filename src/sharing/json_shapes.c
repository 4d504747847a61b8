/* json_shapes.c - builds the protocol's JSON objects; optional fields are omitted when unset. */
#include "sharing/json_shapes.h"

#include <string.h>

#include "sharing/asset_files.h"

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

int shape_table_url_mode(const cat_asset *t)
{
    /* The query API serves Delta tables whose files this server can sign:
     * local storage for now.  Other kinds are announced once they work. */
    return (t->format == NULL || !strcmp(t->format, "delta")) && t->location &&
           !strncmp(t->location, "file://", 7);
}

json_t *shape_table(const cat_asset *t)
{
    json_t *o = asset_head(t);
    /* Only modes that work are announced.  Directory credentials (dir mode)
     * need cloud storage; without dir mode the storage path stays private. */
    json_t *modes = json_array();
    if (shape_table_url_mode(t))
        json_array_append_new(modes, json_string("url"));
    json_object_set_new(o, "accessModes", modes);
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

/* Access modes of a volume, skill or model version: url when its files can be
 * listed and signed.  (dir mode needs cloud credentials.) */
static void set_modes(json_t *o, const char *location)
{
    json_t *modes = json_array();
    if (sharing_url_mode_supported(location))
        json_array_append_new(modes, json_string("url"));
    json_object_set_new(o, "accessModes", modes);
}

json_t *shape_volume(const cat_asset *v)
{
    json_t *o = asset_head(v);
    set_modes(o, v->location);
    set_str(o, "storageLocation", v->location);
    set_str(o, "comment", v->comment);
    return o;
}

json_t *shape_skill(const cat_asset *s)
{
    json_t *o = asset_head(s);
    set_str(o, "description", s->description);
    set_str(o, "storageLocation", s->location);
    set_str(o, "license", s->license);
    set_str(o, "compatibility", s->compatibility);
    set_str(o, "allowedTools", s->allowed_tools);
    set_json(o, "metadata", s->metadata_json);
    set_modes(o, s->location);
    return o;
}

json_t *shape_model(const cat_asset *m)
{
    json_t *o = asset_head(m);
    set_str(o, "comment", m->comment);
    set_str(o, "storageLocation", m->location);
    return o;
}

json_t *shape_model_version(const cat_asset *m, const cat_model_version *v)
{
    json_t *o = json_object();
    set_str(o, "modelName", m->name);
    set_str(o, "schema", m->schema_name);
    set_str(o, "share", m->share_name);
    json_object_set_new(o, "version", json_integer(v->version));
    set_str(o, "status", v->status);
    set_str(o, "storageLocation", v->location);
    set_str(o, "id", v->uuid);
    set_str(o, "source", v->source);
    set_str(o, "runId", v->run_id);
    set_str(o, "comment", v->comment);
    if (!strcmp(v->status, "READY"))
        set_modes(o, v->location);
    return o;
}

json_t *shape_asset(const cat_asset *x)
{
    switch (x->kind) {
    case CAT_ASSET_TABLE: return shape_table(x);
    case CAT_ASSET_VOLUME: return shape_volume(x);
    case CAT_ASSET_SKILL: return shape_skill(x);
    case CAT_ASSET_MODEL: return shape_model(x);
    }
    return json_object();
}
