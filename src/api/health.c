/* health.c - /healthz answers while the process runs; /readyz only while the catalog answers. */
#include "api/health.h"

#include "api/http_errors.h"

static int h_healthz(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    return api_send_json(res, 200, json_pack("{s:s}", "status", "ok"));
}

static int h_readyz(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    os_err err;
    if (store_ping(ctx, &err) != 0)
        return api_send_error_raw(res, 503, "TEMPORARILY_UNAVAILABLE", "the catalog is not reachable");
    return api_send_json(res, 200, json_pack("{s:s}", "status", "ready"));
}

static const http_route ROUTES[] = {
    {"GET", "/healthz", h_healthz, "healthz", "Liveness"},
    {"GET", "/readyz", h_readyz, "readyz", "Readiness: the catalog answers"},
};

const http_route *health_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
