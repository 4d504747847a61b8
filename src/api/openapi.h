/* openapi.h - OpenAPI 3 documents generated from the route tables the server dispatches on, so they list exactly the endpoints that exist. */
#ifndef OS_API_OPENAPI_H
#define OS_API_OPENAPI_H

#include <jansson.h>
#include <stddef.h>

#include "net/http.h"

/* Builds an OpenAPI 3.0 document (caller decrefs) describing every route of
 * every mount: path = mount prefix + pattern, one operation per method with
 * the route's operation_id and summary, a required string path parameter per
 * {capture}, a JSON request body for POST/PUT/PATCH, bearer security.  NULL
 * when out of memory. */
json_t *openapi_document(const char *title, const char *description, const http_mount *mounts,
                         size_t nmounts);

#endif
