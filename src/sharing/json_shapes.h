/* json_shapes.h - the protocol's JSON objects for catalog entities (field names and optional fields in one place). */
#ifndef OS_SHARING_JSON_SHAPES_H
#define OS_SHARING_JSON_SHAPES_H

#include <jansson.h>

#include "catalog/model.h"

/* Each returns a new object (caller owns it) or NULL when out of memory.
 * Locations on the provider's local storage (file:) never reach a recipient:
 * volumes, skills, models and model versions show the logical name
 * "opensharing://shares/{share}/{schema}/{name}" (".../versions/{n}" for a
 * model version) as their storageLocation; cloud URIs are shown as they are. */
json_t *shape_share(const cat_share *s);
json_t *shape_schema(const cat_schema *s);
/* `modes` is a set of ACCESS_URL / ACCESS_DIR (sharing/access_modes.h):
 * only modes that work are announced, and a table's location is shown only
 * with dir mode (the recipient then needs it). */
json_t *shape_table(const cat_asset *t, unsigned modes);
json_t *shape_table_detail(const cat_asset *t);
json_t *shape_volume(const cat_asset *v, unsigned modes);
json_t *shape_skill(const cat_asset *s, unsigned modes);
json_t *shape_model(const cat_asset *m);
json_t *shape_model_version(const cat_asset *m, const cat_model_version *v, unsigned modes);
/* 1 when location is on the provider's local storage (a file: URI). */
int shape_is_local(const char *location);
/* Dispatches on asset->kind for listings. */
json_t *shape_asset(const cat_asset *x, unsigned modes);

#endif
