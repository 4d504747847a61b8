/* recipient_api.h - the recipient protocol's route table (discovery of shares, schemas and every asset type). */
#ifndef OS_API_RECIPIENT_API_H
#define OS_API_RECIPIENT_API_H

#include <stddef.h>

#include "api/answer_cache.h"
#include "net/http.h"
#include "sharing/service.h"

/* Context every recipient handler receives. */
typedef struct recipient_api {
    sharing_service *svc;
    answer_cache *answers;        /* rendered discovery answers; NULL: none kept */
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

/* A discovery answer's place in api->answers (see api/answer_cache.h). */
typedef struct recipient_answer {
    const char *key;              /* NULL: the answer is not kept */
    int64_t gen;                  /* catalog generation the answer is rendered at */
} recipient_answer;

/* After the caller is identified: when the catalog is unchanged since this
 * caller made this request (path and query), sends the kept answer and
 * returns 1.  Otherwise fills *ans and returns 0 (go on and render it), or
 * -1 when the response could not be set.  Requests paging with a token are
 * never kept (their tokens expire and must be checked each time). */
int recipient_answer_cached(http_request *req, http_response *res, recipient_api *api,
                            const sharing_caller *who, recipient_answer *ans);
/* Sends doc (consumed) as the 200 answer, keeping it under ans unless it holds
 * a continuation token ("nextPageToken", "next-page-token").  Returns 0, or -1
 * when the response could not be set. */
int recipient_answer_send(http_request *req, http_response *res, recipient_api *api,
                          const recipient_answer *ans, json_t *doc);

/* The routes, relative to the protocol prefix; the arrays are static.
 * Discovery (shares, schemas, every asset type) and table reads share the
 * recipient_api context. */
const http_route *recipient_api_routes(size_t *n);
const http_route *table_api_routes(size_t *n);
const http_route *asset_files_routes(size_t *n);
const http_route *credential_routes(size_t *n);

#endif
