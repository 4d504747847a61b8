/* admin_common.c - what every admin handler shares: the gate (loopback rule, bearer auth), JSON body parsing and field helpers, transaction finish, listing and delete answers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin/admin_api.h"
#include "api/http_errors.h"
#include "base/crypto.h"
#include "base/strutil.h"
#include "base/timeutil.h"
#include "catalog/names.h"

int admin_gate(http_request *req, http_response *res, admin_api *api, const char **actor)
{
    os_err err;
    if (api->loopback_only && !admin_client_is_loopback(http_request_client_ip(req))) {
        os_err_set(&err, OS_EPERM,
                   "the admin API answers loopback clients only; set admin.listen (or "
                   "--admin-listen) to serve it on another address");
        api_send_error(res, &err);
        return -1;
    }
    const char *name = NULL;
    if (admin_authenticate(api->store, http_request_header(req, "Authorization"),
                           http_request_arena(req), &name, &err) != 0) {
        if (err.code == OS_EAUTH)
            http_response_header(res, "WWW-Authenticate", "Bearer");
        api_send_error(res, &err);
        return -1;
    }
    *actor = os_arena_sprintf(http_request_arena(req), "admin:%s", name);
    http_request_set_principal(req, *actor);
    return 0;
}

json_t *admin_body(http_request *req, http_response *res)
{
    size_t len;
    const char *body = http_request_body(req, &len);
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len)
        return json_object();
    json_error_t je;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    char msg[300];
    if (doc == NULL) {
        snprintf(msg, sizeof msg, "the request body is not valid JSON (line %d, column %d): %s",
                 je.line, je.column, je.text);
        api_send_error_raw(res, 400, "MALFORMED_REQUEST", msg);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        api_send_error_raw(res, 400, "MALFORMED_REQUEST", "the request body must be a JSON object");
        return NULL;
    }
    return doc;
}

json_t *admin_gate_body(http_request *req, http_response *res, admin_api *api,
                        const char **actor)
{
    if (admin_gate(req, res, api, actor) != 0)
        return NULL;
    return admin_body(req, res);
}

int admin_only_keys(const json_t *o, const char *what, const char *const *keys, os_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        int ok = 0;
        for (const char *const *p = keys; *p; p++)
            ok |= !strcmp(k, *p);
        if (!ok)
            return os_err_set(err, OS_EINVAL, "unknown field '%.64s' in %s", k, what);
    }
    return 0;
}

int admin_opt_str(const json_t *o, const char *key, const char **out, os_err *err)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return os_err_set(err, OS_EINVAL, "'%s' must be a string", key);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return os_err_set(err, OS_EINVAL, "'%s' must not contain NUL characters", key);
    if (json_string_length(v) > 65536)
        return os_err_set(err, OS_EINVAL, "'%s' is longer than 65536 bytes", key);
    *out = json_string_value(v);
    return 0;
}

int admin_req_str(const json_t *o, const char *key, const char *what, const char **out,
                  os_err *err)
{
    if (admin_opt_str(o, key, out, err) != 0)
        return -1;
    if (*out == NULL || **out == '\0')
        return os_err_set(err, OS_EINVAL, "%s needs '%s'", what, key);
    return 0;
}

int admin_upd_str(const json_t *o, const char *key, const char **field, os_err *err)
{
    const char *v;
    if (json_object_get(o, key) == NULL)
        return 0;
    if (admin_opt_str(o, key, &v, err) != 0)
        return -1;
    *field = v;
    return 0;
}

int admin_opt_props(const json_t *o, const char *key, os_arena *a, const char **json_text,
                    int *present, os_err *err)
{
    json_t *v = json_object_get(o, key);
    *json_text = NULL;
    if (present)
        *present = v != NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return os_err_set(err, OS_EINVAL, "'%s' must be an object of string values", key);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        if (!json_is_string(x))
            return os_err_set(err, OS_EINVAL, "'%s.%.64s' must be a string", key, k);
    }
    char *t = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    if (t == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    *json_text = os_arena_strdup(a, t);
    free(t);
    return 0;
}

int admin_opt_int(const json_t *o, const char *key, int64_t min, int64_t max, int64_t *out,
                  int *present, os_err *err)
{
    json_t *v = json_object_get(o, key);
    *present = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return os_err_set(err, OS_EINVAL, "'%s' must be an integer from %lld to %lld", key,
                          (long long)min, (long long)max);
    *out = json_integer_value(v);
    *present = 1;
    return 0;
}

void admin_json_time(json_t *o, const char *key, int64_t ms)
{
    if (ms == 0) {
        json_object_set_new(o, key, json_null());
        return;
    }
    char iso[32];
    os_time_format_iso(ms, iso);
    json_object_set_new(o, key, json_string(iso));
}

void admin_json_raw(json_t *o, const char *key, const char *json_text)
{
    json_t *v = json_text ? json_loads(json_text, 0, NULL) : NULL;
    json_object_set_new(o, key, v ? v : json_null());
}

void admin_json_meta(json_t *o, const cat_meta *m)
{
    admin_json_time(o, "created_at", m->created_ms);
    json_object_set_new(o, "created_by", m->created_by ? json_string(m->created_by) : json_null());
    admin_json_time(o, "updated_at", m->updated_ms);
    json_object_set_new(o, "updated_by", m->updated_by ? json_string(m->updated_by) : json_null());
}

int admin_tx_finish(cat_tx *tx, const char *actor, const char *action, const char *target,
                    os_err *err)
{
    if (store_admin_event(tx, actor, action, target, err) != 0) {
        store_tx_rollback(tx);
        return -1;
    }
    return store_tx_commit(tx, err);
}

int admin_tx_name_free(cat_tx *tx, const char *table, const char *what, const char *name,
                       os_err *err)
{
    int exists = store_tx_name_exists(tx, table, name, err);
    if (exists > 0)
        os_err_set(err, OS_EEXIST, "%s '%s' already exists", what, name);
    return exists != 0 ? -1 : 0;
}

int admin_send_delete(http_response *res, admin_api *api, const char *actor,
                      int (*del)(cat_tx *tx, const char *name, os_err *err), const char *name,
                      const char *action, const char *target)
{
    os_err err;
    cat_tx *tx = store_tx_begin(api->store, &err);
    if (tx == NULL)
        return api_send_error(res, &err);
    if (del(tx, name, &err) != 0) {
        store_tx_rollback(tx);
        return api_send_error(res, &err);
    }
    if (admin_tx_finish(tx, actor, action, target, &err) != 0)
        return api_send_error(res, &err);
    return api_send_json(res, 200, json_object());
}

int admin_send_list(http_request *req, http_response *res, admin_api *api, const cat_page *page,
                    const char *key, admin_item_name_fn name_of, admin_item_json_fn to_json)
{
    os_arena *a = http_request_arena(req);
    os_err err;
    /* One slot even for an empty listing: a NULL answer must mean out of memory. */
    const char **names = os_arena_alloc(a, sizeof *names * (size_t)(page->count ? page->count : 1));
    if (names == NULL) {
        os_err_set(&err, OS_ENOMEM, "out of memory");
        return api_send_error(res, &err);
    }
    for (int i = 0; i < page->count; i++)
        names[i] = name_of(page->items[i]);
    int start, count;
    const char *next;
    if (admin_page(req, names, page->count, &start, &count, &next, &err) != 0)
        return api_send_error(res, &err);
    json_t *arr = json_array();
    for (int i = start; i < start + count; i++)
        json_array_append_new(arr, to_json(api, page->items[i], a));
    json_t *doc = json_pack("{s:o}", key, arr);
    if (next)
        json_object_set_new(doc, "next_page_token", json_string(next));
    return api_send_json(res, 200, doc);
}

int admin_page(http_request *req, const char *const *names, int n, int *start, int *count,
               const char **next, os_err *err)
{
    const char *mr = http_request_query(req, "max_results");
    const char *pt = http_request_query(req, "page_token");
    int64_t limit = n;
    *start = 0;
    *next = NULL;
    if (mr != NULL && (os_parse_i64(mr, &limit) != 0 || limit < 0))
        return os_err_set(err, OS_EINVAL, "max_results must be a non-negative integer");
    if (pt != NULL && *pt != '\0') {
        size_t len = strlen(pt);
        char after[NAME_MAX_LEN * 4 + 1];
        if (len % 2 != 0 || len / 2 >= sizeof after)
            return os_err_set(err, OS_EINVAL, "page_token is not one this server issued");
        for (size_t i = 0; i < len / 2; i++) {
            unsigned v;
            if (sscanf(pt + 2 * i, "%2x", &v) != 1 || !isxdigit((unsigned char)pt[2 * i]) ||
                !isxdigit((unsigned char)pt[2 * i + 1]))
                return os_err_set(err, OS_EINVAL, "page_token is not one this server issued");
            after[i] = (char)v;
        }
        after[len / 2] = '\0';
        /* Listings are ordered by lower-case key; resume after the token's key. */
        os_str_lower(after);
        while (*start < n) {
            char key[NAME_MAX_LEN * 4 + 1];
            if (name_key(names[*start], key, sizeof key) != 0 || strcmp(key, after) > 0)
                break;
            (*start)++;
        }
    }
    *count = n - *start < limit ? n - *start : (int)limit;
    if (*start + *count < n && *count > 0) {
        const char *last = names[*start + *count - 1];
        size_t l = strlen(last);
        char *hex = os_arena_alloc(http_request_arena(req), 2 * l + 1);
        if (hex == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        os_hex_encode((const uint8_t *)last, l, hex);
        *next = hex;
    }
    return 0;
}
