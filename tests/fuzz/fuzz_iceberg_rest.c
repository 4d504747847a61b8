/* fuzz_iceberg_rest.c - libFuzzer harness: the Iceberg REST routes' hostile paths (encoded %1F separators, ..), query parameters and reportMetrics bodies never crash, leak or pass a bad namespace. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/iceberg/iceberg_api.h"
#include "net/http_internal.h"
#include "sharing/iceberg_rest.h"

/* A namespace the catalog accepts is one non-empty level. */
static void check_namespace(const char *ns)
{
    if (iceberg_rest_namespace_valid(ns) && (ns == NULL || ns[0] == '\0' || strchr(ns, 0x1f)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Input: METHOD '\n' PATH '\n' QUERY '\n' BODY (the body may hold any byte). */
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *path = NULL, *query = NULL, *body = NULL;
    size_t body_len = 0;
    char *nl = memchr(text, '\n', size);
    if (nl) {
        *nl = '\0';
        path = nl + 1;
        nl = memchr(path, '\n', size - (size_t)(path - text));
        if (nl) {
            *nl = '\0';
            query = nl + 1;
            nl = memchr(query, '\n', size - (size_t)(query - text));
            if (nl) {
                *nl = '\0';
                body = nl + 1;
                body_len = size - (size_t)(body - text);
            }
        }
    } else {
        path = text;
    }
    os_arena a = OS_ARENA_INIT;
    size_t n;
    const http_route *routes = iceberg_api_routes(&n);
    http_mount mount = {"/opensharing" ICEBERG_API_MOUNT, routes, n, NULL};
    http_match m;
    int status = http_router_match(&mount, 1, text, path, &a, &m);
    if (status == 200) {
        if (m.route == NULL)
            abort();
        for (size_t i = 0; i < m.nparams; i++) {
            if (strchr(m.params[i].value, '/'))
                abort();
            if (strcmp(m.params[i].name, "schema") == 0)
                check_namespace(m.params[i].value);
        }
    }
    if (query) {
        check_namespace(http_query_lookup(query, "parent", &a));
        (void)http_query_lookup(query, "warehouse", &a);
        (void)http_query_lookup(query, "pageSize", &a);
        (void)http_query_lookup(query, "pageToken", &a);
        (void)http_query_lookup(query, "snapshots", &a);
    }
    /* The body without a terminating NUL: the parser must respect its length. */
    char *copy = body_len ? malloc(body_len) : NULL;
    if (copy)
        memcpy(copy, body, body_len);
    int64_t sid = 42;
    os_err err = {0};
    int rc = iceberg_rest_metrics_parse(copy, copy ? body_len : 0, &sid, &err);
    if (rc == 0 ? err.code != 0 : (err.code != OS_EINVAL || err.msg[0] == '\0' || sid != -1))
        abort();
    free(copy);
    os_arena_free(&a);
    free(text);
    return 0;
}
