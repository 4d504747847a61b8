/* http_internal.h - private structures shared by the files of src/net's HTTP server adapter.
 *
 * Only the .c files of src/net and the net unit tests include this; everything else uses
 * net/http.h.  libmicrohttpd types appear here and nowhere above src/net. */
#ifndef OS_NET_HTTP_INTERNAL_H
#define OS_NET_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>

#include "net/http.h"

/* Block size asked of stream producers. */
#define HTTP_STREAM_BLOCK (32u * 1024u)

typedef struct http_header {
    struct http_header *next;
    const char *name;
    const char *value;
} http_header;

typedef enum http_body_kind {
    HTTP_BODY_NONE = 0,
    HTTP_BODY_BUFFER,
    HTTP_BODY_STREAM,
    HTTP_BODY_FILE
} http_body_kind;

/* What a handler (or the error path) chose to send.  Resources it owns (the
 * malloc'd buffer, the stream context, the fd) are released by
 * http_response_reset or handed to libmicrohttpd by http_response_to_mhd. */
struct http_response {
    os_arena *arena;            /* the request's arena: headers and strings */
    int status;
    const char *content_type;
    http_header *headers;
    http_header *headers_tail;
    http_body_kind kind;
    char *buf;                  /* HTTP_BODY_BUFFER, malloc'd */
    size_t len;
    http_stream_fn produce;     /* HTTP_BODY_STREAM */
    void *ctx;
    void (*free_ctx)(void *);
    int fd;                     /* HTTP_BODY_FILE */
    uint64_t offset;
    uint64_t file_len;
};

typedef struct http_param {
    const char *name;
    const char *value;
} http_param;

/* One request, from the first line to completion.  Allocated when the URI
 * arrives (MHD_OPTION_URI_LOG_CALLBACK), freed when MHD reports completion. */
struct http_request {
    http_server *srv;
    struct MHD_Connection *conn;
    os_arena arena;
    const char *method;
    const char *path;           /* raw, without the query string */
    const char *query;          /* raw text after '?', or NULL */
    char client_ip[INET6_ADDRSTRLEN];
    char *body;                 /* malloc'd, NUL-terminated, at most max_body_bytes */
    size_t body_len;
    size_t body_cap;
    int body_overflow;          /* the body passed the cap; the rest is discarded */
    uint64_t body_discarded;
    http_param *params;
    size_t nparams;
    const char *principal;
    const char *log_path;       /* NULL: path */
    void *user;
    const http_route *route;    /* set when dispatched to a handler */
    http_complete_fn on_complete;
    void *on_complete_arg;
    int started;                /* the access handler has seen this request */
    int dispatched;             /* a response was queued */
    int status;                 /* status queued, 0 when none */
    uint64_t bytes;             /* body bytes: planned, or produced for streams */
    int64_t start_wall_ms;
    int64_t start_mono_ms;
    http_response res;
};

struct http_server {
    struct MHD_Daemon *daemon;
    http_server_config cfg;
    const http_mount *mounts;
    size_t nmounts;
    uint16_t port;
    pthread_mutex_t lock;
    pthread_cond_t idle;        /* signalled when active drops to 0 */
    unsigned active;            /* requests between URI and completion */
    int stopping;
};

/* ---- router (router.c) and query strings (request.c) ---- */

/* Result of matching a method and raw path against the mounts. */
typedef struct http_match {
    const http_mount *mount;
    const http_route *route;
    http_param *params;         /* percent-decoded captures, in the arena */
    size_t nparams;
    const char *allow;          /* for 405: "GET, POST" */
} http_match;

/* Matches `method` and the raw (percent-encoded) `path` against the mounts in
 * order.  Returns 200 and fills m for a match, 404 when no pattern matches the
 * path, 405 (m->allow set) when patterns match with other methods only, 500
 * when the arena is out of memory.  Trailing slashes are ignored; a capture
 * that does not decode, or decodes to something containing '/', does not
 * match. */
int http_router_match(const http_mount *mounts, size_t nmounts, const char *method,
                      const char *path, os_arena *a, http_match *m);

/* Percent-decoded ('+' is a space) value of the first parameter called `name`
 * in the raw query string `query` (may be NULL), allocated in `a`; a parameter
 * without '=' has the value "".  Pairs that do not decode are skipped. */
const char *http_query_lookup(const char *query, const char *name, os_arena *a);

/* ---- responses (response.c) ---- */

/* Prepares res for a request whose arena is `a`. */
void http_response_init(http_response *res, os_arena *a);
/* Releases what res owns (buffer, stream context, fd) and empties it,
 * including its headers. */
void http_response_reset(http_response *res);
/* Turns res into an MHD response, moving ownership of its resources to it
 * (also on failure, when they are released).  *bytes receives the body size,
 * and for streams is updated as bytes are produced.  NULL on failure. */
struct MHD_Response *http_response_to_mhd(http_response *res, uint64_t *bytes);

/* ---- request lifecycle (dispatch.c): libmicrohttpd callbacks, cls is the server ---- */

/* MHD_OPTION_URI_LOG_CALLBACK: allocates the request when its URI arrives. */
void *http_request_begin(void *cls, const char *uri, struct MHD_Connection *conn);
/* The MHD access handler: collects the body, routes, runs the handler, queues. */
enum MHD_Result http_access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **con_cls);
/* MHD_OPTION_NOTIFY_COMPLETED: logs the request and frees it. */
void http_request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                            enum MHD_RequestTerminationCode toe);

/* ---- access log (access_log.c) ---- */

/* Writes the one access-log line of a completed request. */
void http_access_log_write(const http_request *req);

#endif
