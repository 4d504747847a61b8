/* http.h - the HTTP server adapter: requests, responses (buffered, streamed, file), routing.
 *
 * Everything above src/net talks HTTP only through this header; libmicrohttpd
 * never leaks out.  Handlers run on the server's worker threads; a request and
 * everything allocated from its arena live until its response is complete. */
#ifndef OS_NET_HTTP_H
#define OS_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/arena.h"
#include "base/err.h"

typedef struct http_request http_request;
typedef struct http_response http_response;
typedef struct http_server http_server;

/* ---- requests -------------------------------------------------------- */

/* Upper-case method ("GET", "HEAD", "POST", ...). */
const char *http_request_method(const http_request *req);
/* The request path without the query string, still percent-encoded. */
const char *http_request_path(const http_request *req);
/* The raw query string after '?' (still percent-encoded), or NULL when none. */
const char *http_request_query_string(const http_request *req);
/* Header value (case-insensitive name) or NULL. */
const char *http_request_header(const http_request *req, const char *name);
/* Percent-decoded query parameter value or NULL when absent.  When a name is
 * repeated, the first value wins. */
const char *http_request_query(const http_request *req, const char *name);
/* Request body (not NUL-terminated guarantee: it is, for convenience) and its
 * length; an empty body gives "" and 0. */
const char *http_request_body(const http_request *req, size_t *len);
/* The peer address as text ("127.0.0.1", "::1"). */
const char *http_request_client_ip(const http_request *req);
/* The request's arena: freed when the response is done. */
os_arena *http_request_arena(http_request *req);
/* Path parameter captured by the router for `{name}` in the route pattern,
 * percent-decoded ('+' stays '+': names may contain it, never a space); NULL when the route has no such
 * parameter. */
const char *http_request_param(const http_request *req, const char *name);
/* Records who made the request (a recipient or admin id, never a secret) for the
 * access log.  The string is copied. */
void http_request_set_principal(http_request *req, const char *principal);
/* Replaces the path the access log shows (e.g. to hide a capability token the
 * path carries); handlers still see the real path.  The string is copied. */
void http_request_set_log_path(http_request *req, const char *path);
/* Opaque per-request slot for the layer above (e.g. the audit record). */
void http_request_set_user(http_request *req, void *user);
void *http_request_user(const http_request *req);
/* The route the request was dispatched to (NULL before routing or for
 * requests answered by the error path). */
const struct http_route *http_request_route(const http_request *req);
/* Called exactly once when the request is complete (response sent or
 * abandoned), before its arena is freed, with the status that was queued (0
 * when none) and the body bytes sent.  Runs on a server thread. */
typedef void (*http_complete_fn)(http_request *req, int status, uint64_t bytes, void *arg);
/* Registers the request's completion callback (one per request; a second call
 * replaces the first). */
void http_request_on_complete(http_request *req, http_complete_fn fn, void *arg);

/* ---- responses ------------------------------------------------------- */
/* A handler sets exactly one body kind.  Headers may be added before it.  If a
 * handler sets nothing, the server answers 500. */

/* Adds a response header; both strings are copied.  Returns 0 or -1. */
int http_response_header(http_response *res, const char *name, const char *value);
/* A complete body; the bytes are copied.  Returns 0 or -1 (out of memory). */
int http_response_body(http_response *res, int status, const char *content_type,
                       const void *body, size_t len);
/* Produces stream bytes on demand: write at most `max` bytes into `buf` and
 * return how many (> 0), 0 at the end of the stream, or -1 to abort the
 * connection (the client sees a truncated chunked body).  Called from a server
 * thread, one call at a time per response. */
typedef ssize_t (*http_stream_fn)(void *ctx, char *buf, size_t max);
/* A chunked streaming body.  `free_ctx` (may be NULL) is called exactly once
 * when the response is done or abandoned, even if `produce` was never called.
 * Ownership of ctx passes to the response at this call, also on failure. */
int http_response_stream(http_response *res, int status, const char *content_type,
                         http_stream_fn produce, void *ctx, void (*free_ctx)(void *));
/* Sends `len` bytes of the open file `fd` from `offset` (zero-copy where the
 * platform allows).  Takes ownership of fd (closed when done, also on failure). */
int http_response_file(http_response *res, int status, const char *content_type, int fd,
                       uint64_t offset, uint64_t len);

/* ---- routing --------------------------------------------------------- */

/* A handler returns 0 after setting a response.  Returning -1 makes the server
 * send a 500 with a generic message (the detail is logged, not sent). */
typedef int (*http_handler_fn)(http_request *req, http_response *res, void *ctx);

/* One route.  `pattern` is an absolute path whose segments are literals or
 * `{name}` captures (one whole segment each), e.g.
 * "/shares/{share}/schemas/{schema}/tables".  The table is also the source of
 * the published OpenAPI documents, so `summary` and `operation_id` matter. */
typedef struct http_route {
    const char *method;        /* "GET", "POST", "HEAD", "PUT", "PATCH", "DELETE" */
    const char *pattern;
    http_handler_fn handler;
    const char *operation_id;
    const char *summary;
} http_route;

/* A set of routes mounted under a path prefix (e.g. "/opensharing"). */
typedef struct http_mount {
    const char *prefix;        /* "" or "/x/y" without trailing slash */
    const http_route *routes;
    size_t nroutes;
    void *ctx;                 /* passed to every handler of this mount */
} http_mount;

/* ---- server ---------------------------------------------------------- */

typedef struct http_server_config {
    const char *host;                 /* "127.0.0.1", "::1", "0.0.0.0" */
    uint16_t port;                    /* 0 picks a free port (see http_server_port) */
    unsigned threads;                 /* worker thread pool size (>= 1) */
    size_t max_header_bytes;          /* longest URL and request head; longer get 414/431 */
    size_t max_body_bytes;            /* larger bodies get 413 */
    unsigned idle_timeout_s;          /* slow or idle clients are dropped */
    const char *tls_cert_pem;         /* both NULL for plain HTTP; PEM text */
    const char *tls_key_pem;
    int access_log;                   /* 1: one log line per request */
    /* Answers the server's own refusals: 404, 405 (with an `Allow` header set
     * by the server), 413, 414, 431, 500.  Must set a response. */
    void (*error_responder)(http_response *res, int status, const char *message);
} http_server_config;

/* Starts listening and serving the mounts (matched in order; longest prefix
 * should come first).  The mounts array and routes must outlive the server.
 * Returns the server or NULL with err filled (address in use, TLS key bad...). */
http_server *http_server_start(const http_server_config *cfg, const http_mount *mounts,
                               size_t nmounts, os_err *err);
/* The bound port (useful when the configured port was 0). */
uint16_t http_server_port(const http_server *srv);
/* Stops accepting new connections, waits up to `drain_ms` for in-flight
 * requests to finish, then stops and frees the server. */
void http_server_stop(http_server *srv, unsigned drain_ms);

#endif
