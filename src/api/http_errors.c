/* http_errors.c - maps os_code to HTTP and writes JSON error bodies. */
#include "api/http_errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

static const struct {
    os_code code;
    int status;
    const char *error_code;
} ERRORS[] = {
    {OS_EINVAL, 400, "INVALID_PARAMETER_VALUE"},
    {OS_EUNSUPPORTED, 400, "FEATURE_NOT_SUPPORTED"},
    {OS_EAUTH, 401, "UNAUTHENTICATED"},
    {OS_EPERM, 403, "PERMISSION_DENIED"},
    {OS_ENOTFOUND, 404, "RESOURCE_DOES_NOT_EXIST"},
    {OS_EEXIST, 409, "RESOURCE_ALREADY_EXISTS"},
    {OS_ELIMIT, 413, "RESOURCE_LIMIT_EXCEEDED"},
    {OS_ECORRUPT, 500, "INTERNAL_ERROR"},
    {OS_EIO, 500, "INTERNAL_ERROR"},
    {OS_ENOMEM, 503, "TEMPORARILY_UNAVAILABLE"},
    {OS_EINTERNAL, 500, "INTERNAL_ERROR"},
    {OS_EUPSTREAM, 502, "BAD_GATEWAY"},
    {OS_EBUSY, 503, "TEMPORARILY_UNAVAILABLE"},
};

int api_status_of(os_code code)
{
    for (size_t i = 0; i < sizeof ERRORS / sizeof ERRORS[0]; i++)
        if (ERRORS[i].code == code)
            return ERRORS[i].status;
    return 500;
}

const char *api_error_code_of(os_code code)
{
    for (size_t i = 0; i < sizeof ERRORS / sizeof ERRORS[0]; i++)
        if (ERRORS[i].code == code)
            return ERRORS[i].error_code;
    return "INTERNAL_ERROR";
}

int api_send_json(http_response *res, int status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text == NULL)
        return -1;
    int rc = http_response_body(res, status, "application/json; charset=utf-8", text, strlen(text));
    free(text);
    return rc;
}

int api_send_error_raw(http_response *res, int status, const char *error_code, const char *message)
{
    return api_send_json(res, status,
                         json_pack("{s:s,s:s}", "errorCode", error_code, "message", message));
}

int api_send_error(http_response *res, const os_err *err)
{
    int status = api_status_of(err->code);
    if (err->code == OS_EBUSY) {
        /* Busy is transient and says so; the message names what is busy, no secret. */
        os_log(OS_LOG_WARN, "request refused while busy: %s", err->msg);
        http_response_header(res, "Retry-After", "1");
        return api_send_error_raw(res, status, api_error_code_of(err->code), err->msg);
    }
    /* Damaged table or asset files: the message names the file inside the
     * asset (never a server path) so the provider can be told what to fix. */
    if (err->code == OS_ECORRUPT) {
        os_log(OS_LOG_ERROR, "request failed: %s (%s)", err->msg, os_code_name(err->code));
        char msg[sizeof err->msg + 64];
        snprintf(msg, sizeof msg, "the shared data is damaged: %s", err->msg);
        return api_send_error_raw(res, status, api_error_code_of(err->code), msg);
    }
    if (status >= 500) {
        os_log(OS_LOG_ERROR, "request failed: %s (%s)", err->msg, os_code_name(err->code));
        /* What an upstream service said is the recipient's best hint (and holds no secret);
         * other server faults are only logged. */
        return api_send_error_raw(res, status, api_error_code_of(err->code),
                                  err->code == OS_EUPSTREAM
                                      ? err->msg
                                      : "the server could not complete the request; it has been logged");
    }
    return api_send_error_raw(res, status, api_error_code_of(err->code), err->msg);
}

void api_error_responder(http_response *res, int status, const char *message)
{
    const char *code = status == 404   ? "RESOURCE_DOES_NOT_EXIST"
                       : status == 405 ? "METHOD_NOT_ALLOWED"
                       : status == 413 ? "RESOURCE_LIMIT_EXCEEDED"
                       : status == 414 ? "REQUEST_URI_TOO_LONG"
                       : status == 431 ? "REQUEST_HEADER_FIELDS_TOO_LARGE"
                       : status == 503 ? "TEMPORARILY_UNAVAILABLE"
                       : status == 400 ? "MALFORMED_REQUEST"
                                       : "INTERNAL_ERROR";
    api_send_error_raw(res, status, code, message);
}
