/* dispatch.c - one request's life in the server: body collection, routing, handler, error path, completion. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "net/http_internal.h"

/* After the body cap is passed, the rest of the body is read and dropped so the
 * client can get its 413; past this many dropped bytes the connection is cut. */
#define HTTP_DISCARD_MIN (1024u * 1024u)

void *http_request_begin(void *cls, const char *uri, struct MHD_Connection *conn)
{
    http_server *srv = cls;
    http_request *req = calloc(1, sizeof *req);
    if (req == NULL)
        return NULL;
    req->srv = srv;
    req->conn = conn;
    req->start_wall_ms = os_now_ms();
    req->start_mono_ms = os_mono_ms();
    http_response_init(&req->res, &req->arena);
    const char *q = uri ? strchr(uri, '?') : NULL;
    req->path = q ? os_arena_strndup(&req->arena, uri, (size_t)(q - uri))
                  : os_arena_strdup(&req->arena, uri ? uri : "");
    req->query = q ? os_arena_strdup(&req->arena, q + 1) : NULL;
    if (req->path == NULL || (q != NULL && req->query == NULL)) {
        os_arena_free(&req->arena);
        free(req);
        return NULL;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      req->client_ip, sizeof req->client_ip);
        else if (sa->sa_family == AF_INET6) {
            const struct in6_addr *a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
            if (IN6_IS_ADDR_V4MAPPED(a6))   /* a dual-stack listener: show the IPv4 peer */
                inet_ntop(AF_INET, &a6->s6_addr[12], req->client_ip, sizeof req->client_ip);
            else
                inet_ntop(AF_INET6, a6, req->client_ip, sizeof req->client_ip);
        }
    }
    pthread_mutex_lock(&srv->lock);
    srv->active++;
    pthread_mutex_unlock(&srv->lock);
    return req;
}

/* Hands req->res to MHD.  Returns MHD's verdict; MHD_NO closes the connection. */
static enum MHD_Result queue(http_request *req)
{
    int status = req->res.status;
    struct MHD_Response *r = http_response_to_mhd(&req->res, &req->bytes);
    if (r == NULL) {
        static const char body[] =
            "{\"errorCode\":\"INTERNAL_ERROR\",\"message\":\"internal server error\"}";
        os_log(OS_LOG_ERROR, "http: could not build a %d response; sending 500", status);
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
        if (r == NULL)
            return MHD_NO;
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        req->bytes = sizeof body - 1;
    }
    if (__atomic_load_n(&req->srv->stopping, __ATOMIC_ACQUIRE))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(req->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    req->dispatched = 1;
    req->status = ok == MHD_YES ? status : 0;
    return ok;
}

static const char *default_error_code(int status)
{
    switch (status) {
    case 404: return "RESOURCE_DOES_NOT_EXIST";
    case 405: return "METHOD_NOT_ALLOWED";
    case 413: return "REQUEST_TOO_LARGE";
    case 414: return "REQUEST_URI_TOO_LONG";
    case 431: return "REQUEST_HEADER_FIELDS_TOO_LARGE";
    default: return status >= 500 ? "INTERNAL_ERROR" : "INVALID_PARAMETER_VALUE";
    }
}

/* Replaces whatever response was set with the error path's answer and queues it. */
static enum MHD_Result respond_error(http_request *req, int status, const char *message,
                                     const char *allow)
{
    http_response *res = &req->res;
    http_response_reset(res);
    if (allow != NULL && http_response_header(res, "Allow", allow) != 0)
        os_log(OS_LOG_WARN, "http: could not set the Allow header");
    if (req->srv->cfg.error_responder != NULL)
        req->srv->cfg.error_responder(res, status, message);
    if (res->kind == HTTP_BODY_NONE) {
        char body[256];
        int n = snprintf(body, sizeof body, "{\"errorCode\":\"%s\",\"message\":\"%s\"}",
                         default_error_code(status), message);
        if (n < 0 || (size_t)n >= sizeof body)
            n = 0;
        http_response_body(res, status, "application/json", body, (size_t)n);
    }
    return queue(req);
}

/* Appends one piece of the request body, never holding more than the cap. */
static enum MHD_Result body_append(http_request *req, const char *data, size_t n)
{
    size_t max = req->srv->cfg.max_body_bytes;
    if (!req->body_overflow && n > max - req->body_len) {
        req->body_overflow = 1;
        free(req->body);
        req->body = NULL;
        req->body_len = req->body_cap = 0;
    }
    if (req->body_overflow) {
        req->body_discarded += n;
        uint64_t limit = max > HTTP_DISCARD_MIN ? max : HTTP_DISCARD_MIN;
        return req->body_discarded > limit ? MHD_NO : MHD_YES;
    }
    size_t need = req->body_len + n + 1;
    if (need > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 4096;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        if (cap > max + 1)
            cap = max + 1;
        char *nb = realloc(req->body, cap);
        if (nb == NULL) {
            os_log(OS_LOG_ERROR, "http: out of memory for a %zu-byte request body", need);
            return MHD_NO;
        }
        req->body = nb;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, n);
    req->body_len += n;
    req->body[req->body_len] = '\0';
    return MHD_YES;
}

/* Routes the complete request and runs its handler. */
static enum MHD_Result dispatch(http_request *req)
{
    http_server *srv = req->srv;
    if (req->body_overflow)
        return respond_error(req, 413, "request body too large", NULL);
    http_match m;
    int st = http_router_match(srv->mounts, srv->nmounts, req->method, req->path, &req->arena, &m);
    if (st == 404)
        return respond_error(req, 404, "no such endpoint", NULL);
    if (st == 405)
        return respond_error(req, 405, "method not allowed", m.allow);
    if (st != 200)
        return respond_error(req, 500, "internal server error", NULL);
    req->params = m.params;
    req->nparams = m.nparams;
    req->route = m.route;
    int rc = m.route->handler(req, &req->res, m.mount->ctx);
    if (rc != 0 || req->res.kind == HTTP_BODY_NONE) {
        os_log(OS_LOG_ERROR, "http: handler %s %s (%s) %s", m.route->method, m.route->pattern,
               m.route->operation_id ? m.route->operation_id : "-",
               rc != 0 ? "failed" : "set no response");
        return respond_error(req, 500, "internal server error", NULL);
    }
    return queue(req);
}

static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    (void)kind;
    size_t *total = cls;
    *total += (key ? strlen(key) : 0) + (value ? strlen(value) : 0) + 4;   /* ": " and CRLF */
    return MHD_YES;
}

/* Our own limits on the request head, checked before anything else, so that
 * a too-long URL (414) or too-large header block (431) gets the JSON error
 * body.  libmicrohttpd's memory limit is set above these (server.c); only
 * heads past that hard ceiling get its own built-in answer.  Returns 0 when
 * the head fits, else the status to answer. */
static int head_too_large(const http_request *req)
{
    size_t max = req->srv->cfg.max_header_bytes;
    size_t url = strlen(req->path) + (req->query ? strlen(req->query) + 1 : 0);
    if (url > max)
        return 414;
    size_t total = url + strlen(req->method) + 16;   /* the request line */
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, add_header_size, &total);
    return total > max ? 431 : 0;
}

/* Strict non-negative decimal; -1 when not one. */
static int parse_length(const char *s, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (*s != '\0')
        return -1;
    *out = v;
    return 0;
}

enum MHD_Result http_access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    http_request *req = *con_cls;
    if (req == NULL)
        return MHD_NO;   /* the request could not be allocated */
    if (!req->started) {
        req->started = 1;
        req->conn = conn;
        req->method = os_arena_strdup(&req->arena, method ? method : "");
        if (req->method == NULL)
            return MHD_NO;
        int too_large = head_too_large(req);
        if (too_large == 414)
            return respond_error(req, 414, "the request URL is too long", NULL);
        if (too_large == 431)
            return respond_error(req, 431, "the request headers are too large", NULL);
        uint64_t cl;
        const char *cls_text =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cls_text != NULL && parse_length(cls_text, &cl) == 0 &&
            cl > req->srv->cfg.max_body_bytes) {
            req->body_overflow = 1;
            return respond_error(req, 413, "request body too large", NULL);
        }
        return MHD_YES;
    }
    if (req->dispatched) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return body_append(req, upload_data, n);
    }
    return dispatch(req);
}

void http_request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                            enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    http_server *srv = cls;
    http_request *req = *con_cls;
    if (req == NULL)
        return;
    *con_cls = NULL;
    if (!req->dispatched && conn != NULL) {
        /* libmicrohttpd answered by itself (malformed request, headers too
         * large...): log the status it chose, 0 when nothing was sent. */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
        if (ci != NULL)
            req->status = (int)ci->http_status;
    }
    if (req->method != NULL && strcmp(req->method, "HEAD") == 0)
        req->bytes = 0;
    if (srv->cfg.access_log)
        http_access_log_write(req);
    if (req->on_complete)
        req->on_complete(req, req->status, req->bytes, req->on_complete_arg);
    http_response_reset(&req->res);
    free(req->body);
    os_arena_free(&req->arena);
    free(req);
    pthread_mutex_lock(&srv->lock);
    if (--srv->active == 0)
        pthread_cond_broadcast(&srv->idle);
    pthread_mutex_unlock(&srv->lock);
}
