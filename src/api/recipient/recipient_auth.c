/* recipient_auth.c - the one gate every recipient endpoint passes: bearer token to caller. */
#include <stdio.h>

#include "api/http_errors.h"
#include "api/recipient/recipient_api.h"
#include "auth/token.h"
#include "base/timeutil.h"

int recipient_authenticate(http_request *req, http_response *res, recipient_api *api,
                           sharing_caller *who)
{
    cat_token tok;
    os_err err;
    if (auth_recipient_authenticate(api->svc->store, http_request_header(req, "Authorization"),
                                    os_now_ms(), &tok, &err) != 0) {
        http_response_header(res, "WWW-Authenticate", "Bearer");
        api_send_error(res, &err);
        return -1;
    }
    who->recipient_id = tok.recipient_id;
    who->recipient_name = NULL;
    char principal[40];
    snprintf(principal, sizeof principal, "recipient:%lld", (long long)tok.recipient_id);
    http_request_set_principal(req, principal);
    return 0;
}
