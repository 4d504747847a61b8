/* table_request.c - the request side of a table read: version and timestamp texts, query bodies, and the response format a client can take. */
#include "sharing/table_request.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/strutil.h"
#include "base/timeutil.h"

/* Reader features the server handles itself, so recipients need not know them. */
static const char *const SERVER_SIDE_FEATURES[] = {"v2checkpoint", "vacuumprotocolcheck",
                                                   "checkpointprotocol", NULL};

int table_req_version(const char *text, const char *name, int64_t *v, os_err *err)
{
    if (os_parse_i64(text, v) != 0 || *v < 0)
        return os_err_set(err, OS_EINVAL, "%s must be a non-negative integer, got '%.40s'", name, text);
    return 0;
}

int table_req_timestamp(const char *text, const char *name, int64_t *ms, os_err *err)
{
    if (os_time_parse_iso(text, ms) != 0)
        return os_err_set(err, OS_EINVAL,
                          "%s must be an ISO-8601 timestamp such as 2024-01-31T00:00:00Z, got '%.60s'",
                          name, text);
    return 0;
}

/* ---- format negotiation -------------------------------------------------- */

static int server_side(const char *feature)
{
    for (int i = 0; SERVER_SIDE_FEATURES[i]; i++)
        if (strcasecmp(feature, SERVER_SIDE_FEATURES[i]) == 0)
            return 1;
    return 0;
}

/* Chooses the response format for a table with protocol p, or refuses with a
 * message that says which features to ask for and how. */
int table_req_format(const caps *c, const delta_protocol *p, resp_format *fmt, os_err *err)
{
    const char *needed[64];
    size_t nneeded = 0;
    if (p->has_reader_features) {
        for (size_t i = 0; i < p->n_reader_features && nneeded < 64; i++)
            if (!server_side(p->reader_features[i]))
                needed[nneeded++] = p->reader_features[i];
    } else if (p->min_reader_version >= 2) {
        needed[nneeded++] = "columnMapping";
    }
    if (nneeded == 0) {
        *fmt = c->want_parquet ? RESP_PARQUET : RESP_DELTA;
        return 0;
    }
    char list[512] = "";
    for (size_t i = 0; i < nneeded; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? "," : "", needed[i]);
    if (!c->want_delta)
        return os_err_set(err, OS_EUNSUPPORTED,
                          "this table uses the Delta reader features %s, which the parquet response "
                          "format cannot carry; ask for the delta format with the header "
                          "'delta-sharing-capabilities: responseformat=delta;readerfeatures=%s'",
                          list, list);
    for (size_t i = 0; i < nneeded; i++)
        if (!caps_has_feature(c, needed[i]))
            return os_err_set(err, OS_EUNSUPPORTED,
                              "this table uses the Delta reader feature %s, which the request did not "
                              "list; add it to the header 'delta-sharing-capabilities: "
                              "responseformat=delta;readerfeatures=%s' if the client supports it",
                              needed[i], list);
    *fmt = RESP_DELTA;
    return 0;
}

/* ---- query bodies ---------------------------------------------------------- */


int table_req_body_int(json_t *v, const char *name, int64_t *out, os_err *err)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = json_integer_value(v);
        return 0;
    }
    if (json_is_string(v) && table_req_version(json_string_value(v), name, out, err) == 0)
        return 0;
    return os_err_set(err, OS_EINVAL, "%s must be a non-negative integer", name);
}

int table_req_body_parse(const char *body, size_t len, query_body *q, os_err *err)
{
    memset(q, 0, sizeof q[0]);
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len)
        q->doc = json_object();   /* an empty body means "no hints" */
    else {
        json_error_t jerr;
        q->doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        if (q->doc == NULL)
            return os_err_set(err, OS_EINVAL, "the request body is not valid JSON: %s (line %d)",
                              jerr.text, jerr.line);
    }
    if (!json_is_object(q->doc)) {
        json_decref(q->doc);
        q->doc = NULL;
        return os_err_set(err, OS_EINVAL, "the request body must be a JSON object");
    }
    q->version = json_object_get(q->doc, "version");
    q->timestamp = json_object_get(q->doc, "timestamp");
    q->starting = json_object_get(q->doc, "startingVersion");
    q->ending = json_object_get(q->doc, "endingVersion");
    q->predicate = json_object_get(q->doc, "jsonPredicateHints");
    q->limit = json_object_get(q->doc, "limitHint");
    q->max_files = json_object_get(q->doc, "maxFiles");
    q->page_token = json_object_get(q->doc, "pageToken");
    q->include_refresh = json_object_get(q->doc, "includeRefreshToken");
    q->refresh_token = json_object_get(q->doc, "refreshToken");
    /* JSON null is "not given". */
    json_t **all[] = {&q->version, &q->timestamp, &q->starting, &q->ending, &q->predicate, &q->limit,
                      &q->max_files, &q->page_token, &q->include_refresh, &q->refresh_token};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        if (json_is_null(*all[k]))
            *all[k] = NULL;
    if (q->version && q->timestamp)
        return os_err_set(err, OS_EINVAL, "version and timestamp cannot both be given: choose one");
    if (q->starting && (q->version || q->timestamp))
        return os_err_set(err, OS_EINVAL, "startingVersion cannot be combined with %s",
                          q->version ? "version" : "timestamp");
    if (q->ending && !q->starting)
        return os_err_set(err, OS_EINVAL, "endingVersion needs startingVersion");
    if (q->refresh_token && (q->version || q->timestamp || q->starting))
        return os_err_set(err, OS_EINVAL, "refreshToken cannot be combined with version, timestamp "
                          "or startingVersion");
    if (q->timestamp && !json_is_string(q->timestamp))
        return os_err_set(err, OS_EINVAL, "timestamp must be a string");
    if (q->predicate && !json_is_string(q->predicate))
        return os_err_set(err, OS_EINVAL, "jsonPredicateHints must be a string holding JSON");
    if (q->page_token && !json_is_string(q->page_token))
        return os_err_set(err, OS_EINVAL, "pageToken must be a string");
    if (q->refresh_token && !json_is_string(q->refresh_token))
        return os_err_set(err, OS_EINVAL, "refreshToken must be a string");
    if (q->include_refresh && !json_is_boolean(q->include_refresh))
        return os_err_set(err, OS_EINVAL, "includeRefreshToken must be true or false");
    return 0;
}

