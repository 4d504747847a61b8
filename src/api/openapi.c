/* openapi.c - renders route tables as an OpenAPI 3.0 document. */
#include "api/openapi.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static json_t *path_params(const char *pattern)
{
    json_t *arr = json_array();
    for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (e == NULL)
            break;
        json_t *name = json_stringn(p + 1, (size_t)(e - p - 1));
        json_array_append_new(arr, json_pack("{s:o,s:s,s:b,s:{s:s}}", "name", name, "in", "path",
                                             "required", 1, "schema", "type", "string"));
    }
    return arr;
}

json_t *openapi_document(const char *title, const char *description, const http_mount *mounts,
                         size_t nmounts)
{
    json_t *paths = json_object();
    for (size_t m = 0; m < nmounts; m++) {
        const char *prefix = mounts[m].prefix ? mounts[m].prefix : "";
        for (size_t r = 0; r < mounts[m].nroutes; r++) {
            const http_route *rt = &mounts[m].routes[r];
            if (rt->method == NULL || rt->pattern == NULL)
                continue;
            char path[2048], method[16];
            snprintf(path, sizeof path, "%s%s", prefix, rt->pattern);
            size_t i = 0;
            for (; rt->method[i] && i < sizeof method - 1; i++)
                method[i] = (char)tolower((unsigned char)rt->method[i]);
            method[i] = '\0';
            json_t *item = json_object_get(paths, path);
            if (item == NULL) {
                item = json_object();
                json_object_set_new(paths, path, item);
            }
            json_t *op = json_pack("{s:s,s:s,s:o,s:{s:{s:s,s:{s:{s:{s:s}}}},s:{s:s,s:{s:{s:{s:s}}}}}}",
                                   "operationId", rt->operation_id ? rt->operation_id : "",
                                   "summary", rt->summary ? rt->summary : "",
                                   "parameters", path_params(rt->pattern),
                                   "responses",
                                   "200", "description", "Success", "content",
                                   "application/json", "schema", "type", "object",
                                   "default", "description", "Error", "content",
                                   "application/json", "schema", "$ref",
                                   "#/components/schemas/Error");
            if (op == NULL)
                continue;
            if (!strcmp(method, "post") || !strcmp(method, "put") || !strcmp(method, "patch"))
                json_object_set_new(op, "requestBody",
                                    json_pack("{s:b,s:{s:{s:{s:s}}}}", "required", 0, "content",
                                              "application/json", "schema", "type", "object"));
            json_object_set_new(item, method, op);
        }
    }
    return json_pack("{s:s,s:{s:s,s:s,s:s},s:o,s:{s:{s:{s:s,s:s}},s:{s:{s:s,s:{s:{s:s},s:{s:s}},s:[s,s]}}},s:[{s:[]}]}",
                     "openapi", "3.0.3",
                     "info", "title", title, "version", "0.1.0", "description", description,
                     "paths", paths,
                     "components",
                     "securitySchemes", "bearer", "type", "http", "scheme", "bearer",
                     "schemas", "Error", "type", "object", "properties", "errorCode", "type",
                     "string", "message", "type", "string", "required", "errorCode", "message",
                     "security", "bearer");
}
