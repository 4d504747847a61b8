/* fuzz_http_router.c - libFuzzer harness: routing and query-string decoding of hostile paths never crash or misroute. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/recipient/recipient_api.h"
#include "net/http_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Input: METHOD '\n' PATH '\n' QUERY */
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *path = strchr(text, '\n');
    char *query = NULL;
    if (path) {
        *path++ = '\0';
        query = strchr(path, '\n');
        if (query)
            *query++ = '\0';
    } else {
        path = text;
    }
    size_t nr, nt;
    const http_route *r = recipient_api_routes(&nr);
    const http_route *t = table_api_routes(&nt);
    http_mount mounts[] = {{"/opensharing", r, nr, NULL}, {"/opensharing", t, nt, NULL}};
    os_arena a = OS_ARENA_INIT;
    http_match m;
    int status = http_router_match(mounts, 2, text, path, &a, &m);
    if (status == 200) {
        /* A match names a real route and every capture is a decoded segment
         * without '/' or NUL. */
        if (m.route == NULL)
            abort();
        for (size_t i = 0; i < m.nparams; i++)
            if (strchr(m.params[i].value, '/'))
                abort();
    }
    if (query) {
        (void)http_query_lookup(query, "maxResults", &a);
        (void)http_query_lookup(query, "pageToken", &a);
    }
    os_arena_free(&a);
    free(text);
    return 0;
}
