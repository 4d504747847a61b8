/* http_errors.h - the one table from error codes to HTTP status and protocol errorCode, and the error body writer. */
#ifndef OS_API_HTTP_ERRORS_H
#define OS_API_HTTP_ERRORS_H

#include <jansson.h>

#include "base/err.h"
#include "net/http.h"

/* HTTP status for an error code. */
int api_status_of(os_code code);
/* Protocol errorCode string for an error code ("RESOURCE_DOES_NOT_EXIST"...). */
const char *api_error_code_of(os_code code);
/* Answers {"errorCode", "message"} for err.  Internal errors are logged with
 * their detail and answered with a generic message; an upstream failure
 * (OS_EUPSTREAM, 502) is logged and answered with its own message. */
int api_send_error(http_response *res, const os_err *err);
/* Answers with an explicit status, errorCode and message. */
int api_send_error_raw(http_response *res, int status, const char *error_code, const char *message);
/* Answers a JSON document (consumed: decref'd here) with the given status. */
int api_send_json(http_response *res, int status, json_t *doc);
/* The server's renderer for 404/405/413/500 raised below the handlers. */
void api_error_responder(http_response *res, int status, const char *message);

#endif
