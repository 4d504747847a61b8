/* admin_recipients.c - recipients: create (with an activation link), list, get (token history), update, delete, rotate; and the public activation endpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin/admin_api.h"
#include "api/http_errors.h"
#include "auth/activation.h"
#include "auth/ip_list.h"
#include "base/timeutil.h"
#include "catalog/names.h"

static const char *token_status(const cat_token_info *t, int64_t now)
{
    if (t->revoked_ms != 0 && t->revoked_ms <= now)
        return "REVOKED";
    if (t->expires_ms != 0 && t->expires_ms <= now)
        return "EXPIRED";
    if (t->revoked_ms != 0)
        return "SUPERSEDED_IN_GRACE";
    return "ACTIVE";
}

static json_t *recipient_json(admin_api *api, const cat_recipient_admin *x, os_arena *a)
{
    json_t *o = json_pack("{s:s,s:s}", "name", x->r.name, "id", x->r.uuid);
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "comment", x->r.comment ? json_string(x->r.comment) : json_null());
    json_t *ips = x->r.ip_allow_json ? json_loads(x->r.ip_allow_json, 0, NULL) : NULL;
    json_object_set_new(o, "ip_access_list",
                        ips ? json_pack("{s:o}", "allowed_ip_addresses", ips) : json_null());
    admin_json_raw(o, "properties", x->properties_json);
    json_object_set_new(o, "token_lifetime_seconds",
                        x->token_lifetime_s ? json_integer(x->token_lifetime_s) : json_null());
    admin_json_meta(o, &x->meta);
    int64_t now = os_now_ms();
    cat_page page;
    os_err err;
    json_t *toks = json_array();
    if (store_token_history(api->store, x->r.id, a, &page, &err) == 0)
        for (int i = 0; i < page.count; i++) {
            const cat_token_info *t = page.items[i];
            json_t *j = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)t->id, "source",
                                  t->source ? t->source : "?", "status", token_status(t, now));
            admin_json_time(j, "created_at", t->created_ms);
            admin_json_time(j, "expires_at", t->expires_ms);
            admin_json_time(j, "revoked_at", t->revoked_ms);
            admin_json_time(j, "superseded_at", t->superseded_ms);
            admin_json_time(j, "last_used_at", t->last_used_ms);
            json_array_append_new(toks, j);
        }
    json_object_set_new(o, "tokens", toks);
    int64_t pending = 0;
    store_activation_pending(api->store, x->r.id, now, &pending, &err);
    admin_json_time(o, "activation_pending_until", pending);
    return o;
}

/* Reads ip_access_list ({allowed_ip_addresses: [...]} or null) into canonical JSON text. */
static int read_ip_list(const json_t *body, os_arena *a, const char **out, int *present, os_err *err)
{
    json_t *v = json_object_get(body, "ip_access_list");
    *present = v != NULL;
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    static const char *const keys[] = {"allowed_ip_addresses", NULL};
    json_t *arr = json_object_get(v, "allowed_ip_addresses");
    if (!json_is_object(v) || !json_is_array(arr))
        return os_err_set(err, OS_EINVAL,
                          "'ip_access_list' must be {\"allowed_ip_addresses\": [\"CIDR\", ...]}");
    if (admin_only_keys(v, "'ip_access_list'", keys, err) != 0)
        return -1;
    if (json_array_size(arr) > IP_LIST_MAX)
        return os_err_set(err, OS_EINVAL, "an IP access list holds at most %d ranges", IP_LIST_MAX);
    json_t *canon = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        ip_cidr c;
        if (!json_is_string(e)) {
            json_decref(canon);
            return os_err_set(err, OS_EINVAL, "allowed_ip_addresses[%zu] must be a string", i);
        }
        if (ip_cidr_parse(json_string_value(e), &c, err) != 0) {
            json_decref(canon);
            return os_err_wrap(err, "allowed_ip_addresses[%zu]", i);
        }
        char text[64];
        ip_cidr_format(&c, text);
        json_array_append_new(canon, json_string(text));
    }
    char *t = json_dumps(canon, JSON_COMPACT);
    json_decref(canon);
    *out = t ? os_arena_strdup(a, t) : NULL;
    free(t);
    return *out ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
}

/* Answers {recipient, token: {activation_url, expires_at}} after a create or
 * rotation, then wipes code (the caller's buffer) so the one-time secret does
 * not outlive the answer on the stack. */
static int send_with_link(admin_api *api, http_response *res, int status, const char *name,
                          char code[ACTIVATION_CODE_BUFLEN], int64_t link_expires, os_arena *a)
{
    os_err err;
    cat_recipient_admin *x;
    int rc;
    if (store_recipient_admin_get(api->store, name, a, &x, &err) != 0) {
        rc = api_send_error(res, &err);
    } else {
        json_t *tok = json_pack("{s:s}", "activation_url",
                                os_arena_sprintf(a, "%sactivation?code=%s", api->endpoint, code));
        admin_json_time(tok, "expires_at", link_expires);
        http_response_header(res, "Cache-Control", "no-store");
        rc = api_send_json(res, status, json_pack("{s:o,s:o}", "recipient",
                                                  recipient_json(api, x, a), "token", tok));
    }
    memset(code, 0, ACTIVATION_CODE_BUFLEN);
    return rc;
}

int admin_h_recipient_create(http_request *req, http_response *res, void *ctx)
{
    static const char *const keys[] = {"name", "comment", "ip_access_list", "properties",
                                       "token_lifetime_seconds", NULL};
    admin_api *api = ctx;
    const char *actor;
    json_t *body = admin_gate_body(req, res, api, &actor);
    if (body == NULL)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_recipient r;
    memset(&r, 0, sizeof r);
    const char *props = NULL, *name = NULL;
    int64_t lifetime = 0, now = os_now_ms(), link_expires = 0;
    int present, rc = -1;
    char code[ACTIVATION_CODE_BUFLEN] = "";
    cat_tx *tx = NULL;
    if (admin_only_keys(body, "a recipient", keys, &err) ||
        admin_req_str(body, "name", "a recipient", &name, &err) ||
        name_check(NAME_SHARE, name, "recipient name", &err) ||
        admin_opt_str(body, "comment", &r.comment, &err) ||
        read_ip_list(body, a, &r.ip_allow_json, &present, &err) ||
        admin_opt_props(body, "properties", a, &props, NULL, &err) ||
        admin_opt_int(body, "token_lifetime_seconds", 1, 10LL * 366 * 86400, &lifetime, &present, &err))
        goto out;
    r.name = name = os_arena_strdup(a, name);
    r.comment = os_arena_strdup(a, r.comment);
    if ((tx = store_tx_begin(api->store, &err)) == NULL)
        goto out;
    int64_t rid;
    if (admin_tx_name_free(tx, "recipients", "recipient", name, &err) != 0 ||
        store_recipient_put(tx, &r, 0, actor, &rid, &err) != 0 ||
        store_tx_recipient_extras(tx, rid, props, lifetime, &err) != 0 ||
        activation_issue(tx, rid, now, api->settings.activation_ttl_ms, actor, code, &link_expires,
                         &err) != 0)
        goto fail;
    rc = admin_tx_finish(tx, actor, "recipient.create", name, &err);
    goto out;
fail:
    store_tx_rollback(tx);
out:
    json_decref(body);
    if (rc != 0)
        return api_send_error(res, &err);
    return send_with_link(api, res, 201, name, code, link_expires, a);
}

static const char *recipient_name(const void *item)
{
    return ((const cat_recipient_admin *)item)->r.name;
}

static json_t *recipient_item_json(admin_api *api, const void *item, os_arena *a)
{
    return recipient_json(api, item, a);
}

int admin_h_recipient_list(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    os_err err;
    cat_page page;
    if (store_recipient_admin_list(api->store, http_request_arena(req), &page, &err) != 0)
        return api_send_error(res, &err);
    return admin_send_list(req, res, api, &page, "recipients", recipient_name,
                           recipient_item_json);
}

int admin_h_recipient_get(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_recipient_admin *x;
    if (store_recipient_admin_get(api->store, http_request_param(req, "recipient"), a, &x, &err) != 0)
        return api_send_error(res, &err);
    return api_send_json(res, 200, recipient_json(api, x, a));
}

int admin_h_recipient_update(http_request *req, http_response *res, void *ctx)
{
    static const char *const keys[] = {"comment", "ip_access_list", "properties",
                                       "token_lifetime_seconds", NULL};
    admin_api *api = ctx;
    const char *actor;
    json_t *body = admin_gate_body(req, res, api, &actor);
    if (body == NULL)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    cat_recipient_admin *x = NULL;
    int rc = -1, present;
    const char *v;
    int64_t lifetime;
    if (admin_only_keys(body, "a recipient update", keys, &err) ||
        store_recipient_admin_get(api->store, http_request_param(req, "recipient"), a, &x, &err))
        goto out;
    cat_recipient_admin n = *x;
    if (admin_upd_str(body, "comment", &n.r.comment, &err) ||
        read_ip_list(body, a, &v, &present, &err))
        goto out;
    if (present)
        n.r.ip_allow_json = v;
    if (admin_opt_props(body, "properties", a, &v, &present, &err))
        goto out;
    if (present)
        n.properties_json = v;
    if (admin_opt_int(body, "token_lifetime_seconds", 0, 10LL * 366 * 86400, &lifetime, &present, &err))
        goto out;
    if (present || (json_object_get(body, "token_lifetime_seconds") &&
                    json_is_null(json_object_get(body, "token_lifetime_seconds"))))
        n.token_lifetime_s = present ? lifetime : 0;
    cat_tx *tx = store_tx_begin(api->store, &err);
    if (tx == NULL)
        goto out;
    if (store_tx_recipient_update(tx, n.r.id, n.r.comment, n.r.ip_allow_json, n.properties_json,
                                  n.token_lifetime_s, actor, &err) != 0) {
        store_tx_rollback(tx);
        goto out;
    }
    rc = admin_tx_finish(tx, actor, "recipient.update", n.r.name, &err);
out:
    json_decref(body);
    if (rc != 0)
        return api_send_error(res, &err);
    if (store_recipient_admin_get(api->store, x->r.name, a, &x, &err) != 0)
        return api_send_error(res, &err);
    return api_send_json(res, 200, recipient_json(api, x, a));
}

int admin_h_recipient_delete(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    const char *actor;
    if (admin_gate(req, res, api, &actor) != 0)
        return 0;
    const char *name = http_request_param(req, "recipient");
    return admin_send_delete(res, api, actor, store_recipient_delete, name, "recipient.delete",
                             name);
}

int admin_h_recipient_rotate(http_request *req, http_response *res, void *ctx)
{
    static const char *const keys[] = {"existing_token_expire_in_seconds", NULL};
    admin_api *api = ctx;
    const char *actor;
    json_t *body = admin_gate_body(req, res, api, &actor);
    if (body == NULL)
        return 0;
    os_arena *a = http_request_arena(req);
    os_err err;
    int present, rc = -1;
    int64_t grace_s = 0, now = os_now_ms(), link_expires = 0, rid;
    char code[ACTIVATION_CODE_BUFLEN] = "";
    const char *name = http_request_param(req, "recipient");
    cat_tx *tx = NULL;
    if (admin_only_keys(body, "a token rotation", keys, &err) ||
        admin_opt_int(body, "existing_token_expire_in_seconds", 0, 10LL * 366 * 86400, &grace_s,
                      &present, &err))
        goto out;
    int64_t grace_ms = present ? grace_s * 1000 : api->settings.rotation_grace_ms;
    if ((tx = store_tx_begin(api->store, &err)) == NULL)
        goto out;
    if (store_tx_recipient_id(tx, name, &rid, &err) != 0 ||
        store_tx_tokens_supersede(tx, rid, now, now + grace_ms, &err) != 0 ||
        activation_issue(tx, rid, now, api->settings.activation_ttl_ms, actor, code, &link_expires,
                         &err) != 0) {
        store_tx_rollback(tx);
        goto out;
    }
    rc = admin_tx_finish(tx, actor, "recipient.rotate_token", name, &err);
out:
    json_decref(body);
    if (rc != 0)
        return api_send_error(res, &err);
    return send_with_link(api, res, 200, name, code, link_expires, a);
}

int admin_h_activate(http_request *req, http_response *res, void *ctx)
{
    admin_api *api = ctx;
    os_err err;
    char token[AUTH_TOKEN_BUFLEN];
    int64_t rid, expires;
    http_response_header(res, "Cache-Control", "no-store");
    /* The code travels in the query string, which the access log never records. */
    if (activation_redeem(api->store, http_request_query(req, "code"), os_now_ms(),
                          api->settings.token_lifetime_ms, token, &rid, &expires, &err) != 0)
        return api_send_error(res, &err);
    char principal[48];
    snprintf(principal, sizeof principal, "activation:recipient:%lld", (long long)rid);
    http_request_set_principal(req, principal);
    http_response_header(res, "Content-Disposition", "attachment; filename=\"config.share\"");
    json_t *profile = activation_profile(api->endpoint, token, expires);
    memset(token, 0, sizeof token);
    return api_send_json(res, 200, profile);
}
