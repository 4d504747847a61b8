/* recipient_api.h - the recipient protocol's route table (discovery of shares, schemas and every asset type). */
#ifndef OS_API_RECIPIENT_API_H
#define OS_API_RECIPIENT_API_H

#include <stddef.h>

#include "net/http.h"
#include "sharing/service.h"

/* Context every recipient handler receives. */
typedef struct recipient_api {
    sharing_service *svc;
} recipient_api;

/* The routes, relative to the protocol prefix; the array is static. */
const http_route *recipient_api_routes(size_t *n);

#endif
