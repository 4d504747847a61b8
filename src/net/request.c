/* request.c - what a handler can read from a request, and query-string decoding. */
#include <string.h>

#include "base/strutil.h"
#include "net/http_internal.h"

const char *http_request_method(const http_request *req)
{
    return req->method ? req->method : "";
}

const char *http_request_path(const http_request *req)
{
    return req->path ? req->path : "";
}

const char *http_request_query_string(const http_request *req)
{
    return req->query;
}

const char *http_request_header(const http_request *req, const char *name)
{
    if (req->conn == NULL || name == NULL)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_query(const http_request *req, const char *name)
{
    return http_query_lookup(req->query, name, (os_arena *)&req->arena);
}

const char *http_request_body(const http_request *req, size_t *len)
{
    if (len)
        *len = req->body ? req->body_len : 0;
    return req->body ? req->body : "";
}

const char *http_request_client_ip(const http_request *req)
{
    return req->client_ip;
}

os_arena *http_request_arena(http_request *req)
{
    return &req->arena;
}

const char *http_request_param(const http_request *req, const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < req->nparams; i++)
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    return NULL;
}

void http_request_set_log_path(http_request *req, const char *path)
{
    req->log_path = path ? os_arena_strdup(&req->arena, path) : NULL;
}

void http_request_set_principal(http_request *req, const char *principal)
{
    req->principal = principal ? os_arena_strdup(&req->arena, principal) : NULL;
}

void http_request_set_user(http_request *req, void *user)
{
    req->user = user;
}

void *http_request_user(const http_request *req)
{
    return req->user;
}

const http_route *http_request_route(const http_request *req)
{
    return req->route;
}

void http_request_on_complete(http_request *req, http_complete_fn fn, void *arg)
{
    req->on_complete = fn;
    req->on_complete_arg = arg;
}

const char *http_query_lookup(const char *query, const char *name, os_arena *a)
{
    if (query == NULL || name == NULL)
        return NULL;
    const char *p = query;
    while (*p) {
        const char *end = strchr(p, '&');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t kn = eq ? (size_t)(eq - p) : n;
        if (kn > 0) {
            char *k = os_arena_strndup(a, p, kn);
            if (k == NULL)
                return NULL;
            if (os_url_decode(k, 1) >= 0 && strcmp(k, name) == 0) {
                char *v = eq ? os_arena_strndup(a, eq + 1, n - kn - 1) : os_arena_strdup(a, "");
                if (v == NULL)
                    return NULL;
                if (os_url_decode(v, 1) >= 0)
                    return v;
            }
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return NULL;
}
