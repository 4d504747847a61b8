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

/* Authenticates the request's bearer token, checks the recipient's IP access
 * list, records the caller as the request's principal and starts its audit
 * record.  Returns 0 with *who filled, or -1 after answering the request itself
 * (401, or 403 from outside the access list, with the protocol error body); the
 * handler then returns 0 without touching the response. */
int recipient_authenticate(http_request *req, http_response *res, recipient_api *api,
                           sharing_caller *who);

/* The gate of recipient_authenticate without the answer: 0 with *who filled,
 * or -1 with err (OS_EAUTH, OS_EPERM, ...) for the caller to answer in its
 * own error shape (the Iceberg REST catalog's). */
int recipient_identify(http_request *req, recipient_api *api, sharing_caller *who, os_err *err);

/* The routes, relative to the protocol prefix; the arrays are static.
 * Discovery (shares, schemas, every asset type) and table reads share the
 * recipient_api context. */
const http_route *recipient_api_routes(size_t *n);
const http_route *table_api_routes(size_t *n);
const http_route *asset_files_routes(size_t *n);
const http_route *credential_routes(size_t *n);

#endif
