/* access_modes.c - derives the access modes of an asset; only modes that work are announced. */
#include "sharing/access_modes.h"

#include <jansson.h>
#include <string.h>

#include "storage/location.h"
#include "storage/r2_temp.h"

int access_ctx_load(access_ctx *ctx, cat_store *st, os_arena *a, os_err *err)
{
    if (ctx->loaded)
        return 0;
    if (store_location_list(st, a, &ctx->locations, err) != 0)
        return -1;
    ctx->loaded = 1;
    return 0;
}

const cat_location *access_location_of(const access_ctx *ctx, const char *location)
{
    if (location == NULL || !ctx->loaded)
        return NULL;
    os_arena a = OS_ARENA_INIT;
    loc_uri u;
    const cat_location *found = NULL;
    if (loc_uri_parse(location, &a, &u, NULL) == 0)
        for (int i = 0; i < ctx->locations.count && found == NULL; i++) {
            const cat_location *l = ctx->locations.items[i];
            loc_uri lu;
            if (loc_uri_parse(l->uri, &a, &lu, NULL) == 0 && loc_uri_contains(&lu, &u))
                found = l;
        }
    os_arena_free(&a);
    return found;
}

/* 1 when the location's options name `key` with a non-empty value. */
static int has_option(const cat_location *l, const char *key)
{
    if (l->options_json == NULL)
        return 0;
    json_t *o = json_loads(l->options_json, 0, NULL);
    const char *v = json_string_value(json_object_get(o, key));
    int yes = v != NULL && *v != '\0';
    json_decref(o);
    return yes;
}

unsigned access_modes(const access_ctx *ctx, const char *location, const char *format)
{
    const cat_location *l = access_location_of(ctx, location);
    if (l == NULL)
        return 0;
    os_arena a = OS_ARENA_INIT;
    loc_uri u;
    unsigned modes = 0;
    if (loc_uri_parse(location, &a, &u, NULL) == 0) {
        int readable = format == NULL || strcmp(format, "delta") == 0;
        switch (u.scheme) {
        case LOC_FILE:
            modes = readable ? ACCESS_URL : 0;
            break;
        case LOC_S3:
            /* dir: STS with a role, or Cloudflare R2's own temporary credentials (the
             * endpoint says so when the location's API token is missing) */
            modes = (readable ? ACCESS_URL : 0) |
                    (has_option(l, "role_arn") || r2_location_is_r2(l->options_json) ? ACCESS_DIR
                                                                                       : 0);
            break;
        case LOC_AZURE:
            /* Signing needs the account key in the location's secret (a SAS
             * given to the server is never passed on); the endpoints say so
             * when it is missing. */
            modes = (readable ? ACCESS_URL : 0) | ACCESS_DIR;
            break;
        case LOC_GCS:
            modes = (readable ? ACCESS_URL : 0) | ACCESS_DIR;
            break;
        }
    }
    os_arena_free(&a);
    return modes;
}
