/* json_shapes.h - the protocol's JSON objects for catalog entities (field names and optional fields in one place). */
#ifndef OS_SHARING_JSON_SHAPES_H
#define OS_SHARING_JSON_SHAPES_H

#include <jansson.h>

#include "catalog/model.h"

/* Each returns a new object (caller owns it) or NULL when out of memory. */
json_t *shape_share(const cat_share *s);
json_t *shape_schema(const cat_schema *s);
json_t *shape_table(const cat_asset *t);
json_t *shape_table_detail(const cat_asset *t);
json_t *shape_volume(const cat_asset *v);
json_t *shape_skill(const cat_asset *s);
json_t *shape_model(const cat_asset *m);
json_t *shape_model_version(const cat_asset *m, const cat_model_version *v);
/* 1 when the table can be read through the query API (url access mode). */
int shape_table_url_mode(const cat_asset *t);
/* Dispatches on asset->kind for listings. */
json_t *shape_asset(const cat_asset *x);

#endif
