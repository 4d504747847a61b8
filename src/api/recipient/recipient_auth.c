/* recipient_auth.c - the one gate every recipient endpoint passes: audit record, bearer token to caller, IP access list. */
#include <stdio.h>

#include "api/http_errors.h"
#include "api/recipient/recipient_api.h"
#include "auth/ip_list.h"
#include "auth/token.h"
#include "base/timeutil.h"
#include "api/audit_request.h"

int recipient_identify(http_request *req, recipient_api *api, sharing_caller *who, os_err *err)
{
    /* Every recipient request is audited, refused ones included; the record
     * is written when the response completes, with its final status. */
    audit_request_begin(req);
    cat_token tok;
    if (auth_recipient_authenticate(api->svc->store, http_request_header(req, "Authorization"),
                                    os_now_ms(), &tok, err) != 0)
        return -1;
    os_arena *a = http_request_arena(req);
    cat_recipient *r = NULL;
    if (store_recipient_get(api->svc->store, tok.recipient_id, a, &r, err) != 0) {
        if (err->code == OS_ENOTFOUND)
            os_err_set(err, OS_EAUTH, "the bearer token is not valid");
        return -1;
    }
    who->recipient_id = tok.recipient_id;
    who->recipient_name = r->name;
    audit_request_set_recipient(req, r->id, r->name);
    audit_request_set_token(req, tok.id);
    char principal[40];
    snprintf(principal, sizeof principal, "recipient:%lld", (long long)tok.recipient_id);
    http_request_set_principal(req, principal);
    if (r->ip_allow_json != NULL && r->ip_allow_json[0] != '\0') {
        ip_list list;
        if (ip_list_parse_json(r->ip_allow_json, a, &list, err) != 0)
            /* Stored lists are validated on write; a bad one refuses rather than opens. */
            return os_err_set(err, OS_EPERM, "this recipient's IP access list is invalid; ask the "
                              "provider to fix it");
        if (list.n > 0 && !ip_list_allows(&list, http_request_client_ip(req)))
            return os_err_set(err, OS_EPERM,
                              "requests for this recipient are not allowed from this network address");
    }
    return 0;
}

int recipient_authenticate(http_request *req, http_response *res, recipient_api *api,
                           sharing_caller *who)
{
    os_err err;
    if (recipient_identify(req, api, who, &err) == 0)
        return 0;
    if (err.code == OS_EAUTH)
        http_response_header(res, "WWW-Authenticate", "Bearer");
    api_send_error(res, &err);
    return -1;
}
