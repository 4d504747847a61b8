/* iceberg_api.h - the Iceberg REST catalog's route table, mounted at {protocol prefix}/iceberg (a profile's icebergEndpoint). */
#ifndef OS_API_ICEBERG_API_H
#define OS_API_ICEBERG_API_H

#include <stddef.h>

#include "net/http.h"

/* Where the routes are mounted, below the protocol prefix. */
#define ICEBERG_API_MOUNT "/iceberg"

/* The routes (static array); handlers take the recipient_api context of the
 * protocol routes, so tokens, grants and the audit log are the same. */
const http_route *iceberg_api_routes(size_t *n);

#endif
