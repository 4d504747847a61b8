/* health.h - liveness and readiness routes, served outside the protocol prefix. */
#ifndef OS_API_HEALTH_H
#define OS_API_HEALTH_H

#include <stddef.h>

#include "catalog/store.h"
#include "net/http.h"

/* Routes /healthz (process alive) and /readyz (catalog answers); their ctx is
 * the cat_store. */
const http_route *health_routes(size_t *n);

#endif
