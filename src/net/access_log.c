/* access_log.c - one line per completed request: who, what, outcome, size, time; never header values. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "net/http_internal.h"

/* Copies s into out (size n), percent-encoding bytes that are not printable
 * ASCII and the characters that would confuse a JSON or text log reader. */
static const char *log_safe(const char *s, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && w + 4 < n; p++) {
        if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\') {
            out[w++] = '%';
            out[w++] = hex[*p >> 4];
            out[w++] = hex[*p & 15];
        } else {
            out[w++] = (char)*p;
        }
    }
    out[w] = '\0';
    return out;
}

void http_access_log_write(const http_request *req)
{
    char ts[32], method[64], path[2048], principal[512];
    os_time_format_iso(req->start_wall_ms, ts);
    log_safe(req->method ? req->method : "-", method, sizeof method);
    log_safe(req->log_path ? req->log_path : req->path, path, sizeof path);
    if (req->principal)
        log_safe(req->principal, principal, sizeof principal);
    int64_t duration = os_mono_ms() - req->start_mono_ms;
    if (duration < 0)
        duration = 0;

    json_t *o = json_object();
    char *json = NULL;
    if (o != NULL &&
        json_object_set_new(o, "time", json_string(ts)) == 0 &&
        json_object_set_new(o, "principal", req->principal ? json_string(principal) : json_null()) == 0 &&
        json_object_set_new(o, "method", json_string(method)) == 0 &&
        json_object_set_new(o, "path", json_string(path)) == 0 &&
        json_object_set_new(o, "status", json_integer(req->status)) == 0 &&
        json_object_set_new(o, "bytes", json_integer((json_int_t)req->bytes)) == 0 &&
        json_object_set_new(o, "duration_ms", json_integer(duration)) == 0 &&
        json_object_set_new(o, "client_ip", json_string(req->client_ip)) == 0)
        json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);

    char text[3072];
    snprintf(text, sizeof text, "%s %s %s %s %s %d %llu %lldms", ts,
             req->client_ip[0] ? req->client_ip : "-", req->principal ? principal : "-", method,
             path, req->status, (unsigned long long)req->bytes, (long long)duration);
    os_log_line(json ? json : "{\"msg\":\"access log line could not be built\"}", text);
    free(json);
}
