/* answers.c - discovery answers served again from the answer cache while the catalog is unchanged. */
#include <stdlib.h>
#include <string.h>

#include "api/http_errors.h"
#include "api/recipient/recipient_api.h"

int recipient_answer_cached(http_request *req, http_response *res, recipient_api *api,
                            const sharing_caller *who, recipient_answer *ans)
{
    ans->key = NULL;
    ans->gen = 0;
    if (api->answers == NULL || http_request_query(req, "pageToken") != NULL)
        return 0;
    os_err err;
    if (store_generation(api->svc->store, &ans->gen, &err) != 0)
        return 0;   /* rendered the long way, which reports the failure itself */
    const char *q = http_request_query_string(req);
    ans->key = os_arena_sprintf(http_request_arena(req), "%lld %s %s?%s",
                                (long long)who->recipient_id, http_request_method(req),
                                http_request_path(req), q ? q : "");
    if (ans->key == NULL)
        return 0;
    return answer_cache_send(api->answers, ans->key, ans->gen, req, res);
}

int recipient_answer_send(http_request *req, http_response *res, recipient_api *api,
                          const recipient_answer *ans, json_t *doc)
{
    if (ans->key == NULL || doc == NULL || json_object_get(doc, "nextPageToken") != NULL ||
        json_object_get(doc, "next-page-token") != NULL)
        return api_send_json(res, 200, doc);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (text == NULL)
        return -1;
    int rc = answer_cache_put_send(api->answers, ans->key, ans->gen, text, strlen(text), req, res);
    free(text);
    return rc;
}
