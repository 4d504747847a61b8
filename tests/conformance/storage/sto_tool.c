/* sto_tool.c - test-only driver of the storage library: one JSON request per stdin line, one JSON answer per line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "storage/azure_sas.h"
#include "storage/gcs_sign.h"
#include "storage/local_url.h"
#include "storage/s3_sign.h"
#include "storage/store_open.h"
#include "storage/url_signer.h"

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t num(json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

static json_t *fail(const os_err *e)
{
    return json_pack("{s:s,s:s}", "error", e->msg, "code", os_code_name(e->code));
}

static json_t *op_s3(json_t *c)
{
    s3_target t = {str(c, "endpoint"), str(c, "region"), (int)num(c, "path_style"), str(c, "bucket")};
    s3_creds cr = {str(c, "access_key_id"), str(c, "secret_access_key"), str(c, "session_token")};
    os_buf u = OS_BUF_INIT;
    os_err e;
    json_t *r;
    if (s3_presign_get(&t, &cr, str(c, "key"), num(c, "now"), num(c, "expires"),
                       json_is_true(json_object_get(c, "minimal")) ? S3_PRESIGN_MINIMAL : 0, &u,
                       &e) != 0)
        r = fail(&e);
    else
        r = json_pack("{s:s}", "url", u.data);
    os_buf_free(&u);
    return r;
}

static json_t *op_azure(json_t *c)
{
    const char *sc = str(c, "scope");
    azure_sas_in in = {
        .account = str(c, "account"), .account_key = str(c, "account_key"),
        .container = str(c, "container"), .path = str(c, "path"),
        .scope = sc && strcmp(sc, "directory") == 0 ? AZURE_SAS_DIRECTORY
                 : sc && strcmp(sc, "container") == 0 ? AZURE_SAS_CONTAINER : AZURE_SAS_BLOB,
        .permissions = str(c, "permissions") ? str(c, "permissions") : "r",
        .start_s = num(c, "start"), .expiry_s = num(c, "expiry"),
        .allow_http = (int)num(c, "allow_http"), .version = str(c, "version")};
    json_t *uj = json_object_get(c, "udk");
    azure_udk udk = {str(uj, "oid"), str(uj, "tid"), num(uj, "start"), num(uj, "expiry"),
                     str(uj, "service"), str(uj, "version"), str(uj, "value")};
    if (uj)
        in.udk = &udk;
    os_buf u = OS_BUF_INIT;
    os_err e;
    json_t *r;
    if (azure_sas_make(&in, &u, &e) != 0)
        r = fail(&e);
    else
        r = json_pack("{s:s}", "sas", u.data);
    os_buf_free(&u);
    return r;
}

static json_t *op_gcs(json_t *c)
{
    os_err e;
    gcs_signer *s = gcs_signer_new(str(c, "sa_json"), &e);
    if (s == NULL)
        return fail(&e);
    os_buf u = OS_BUF_INIT;
    json_t *r;
    if (gcs_sign_url(s, str(c, "endpoint"), str(c, "bucket"), str(c, "object"), num(c, "now"),
                     num(c, "expires"), &u, &e) != 0)
        r = fail(&e);
    else
        r = json_pack("{s:s}", "url", u.data);
    os_buf_free(&u);
    gcs_signer_free(s);
    return r;
}

static json_t *op_local(json_t *c)
{
    uint8_t sk[32], k[LOCAL_URL_KEYLEN];
    memset(sk, 0, sizeof sk);
    const char *skey = str(c, "server_key");
    memcpy(sk, skey, strlen(skey) < 32 ? strlen(skey) : 32);
    local_url_key_derive(sk, sizeof sk, k);
    os_buf u = OS_BUF_INIT;
    os_err e;
    json_t *r;
    local_url_claims who = {num(c, "recipient_id"), str(c, "recipient"), str(c, "share"),
                            str(c, "schema"), str(c, "asset")};
    if (local_url_sign(k, str(c, "base"), str(c, "root"), str(c, "rel"), &who,
                       num(c, "expires_at"), &u, &e) != 0)
        r = fail(&e);
    else
        r = json_pack("{s:s}", "url", u.data);
    os_buf_free(&u);
    return r;
}

/* ---- per-location signer ---- */

static void location_of(json_t *c, cat_location *loc)
{
    memset(loc, 0, sizeof *loc);
    loc->name = "loc";
    loc->uri = str(c, "location_uri");
    loc->secret_ref = str(c, "secret_ref");
    loc->options_json = str(c, "options_json");
}

static json_t *op_loc_sign(json_t *c)
{
    cat_location loc;
    location_of(c, &loc);
    uint8_t sk[32], k[LOCAL_URL_KEYLEN];
    memset(sk, 'k', sizeof sk);
    local_url_key_derive(sk, sizeof sk, k);
    url_signer_local local = {k, "http://files.test/os", NULL};
    os_err e;
    url_signer *s = url_signer_open(&loc, str(c, "asset_uri"), &local, &e);
    if (s == NULL)
        return fail(&e);
    os_buf u = OS_BUF_INIT, v = OS_BUF_INIT;
    json_t *r;
    int64_t exp = 0;
    if (json_is_true(json_object_get(c, "dir_sas"))) {
        if (url_signer_azure_dir_sas(s, num(c, "now"), num(c, "expires"), &u, &v, &e) != 0)
            r = fail(&e);
        else
            r = json_pack("{s:s,s:s}", "container_url", u.data, "sas", v.data);
    } else if (url_signer_sign(s, str(c, "rel"), num(c, "now"), num(c, "expires"), &u, &exp,
                               &e) != 0)
        r = fail(&e);
    else
        r = json_pack("{s:s,s:I}", "url", u.data, "expires_at", (json_int_t)exp);
    os_buf_free(&u);
    os_buf_free(&v);
    url_signer_free(s);
    return r;
}

static json_t *op_dir_creds(json_t *c)
{
    cat_location loc;
    location_of(c, &loc);
    os_err e;
    url_signer *s = url_signer_open(&loc, str(c, "asset_uri"), NULL, &e);
    if (s == NULL)
        return fail(&e);
    url_dir_credentials d;
    json_t *r;
    if (url_signer_dir_credentials(s, num(c, "now"), (int)num(c, "duration"), str(c, "session"),
                                   &d, &e) != 0)
        r = fail(&e);
    else {
        r = json_pack("{s:i,s:I}", "kind", (int)d.kind, "expires_at_ms", (json_int_t)d.expires_at_ms);
        const char *names[] = {"access_key_id", "secret_access_key", "session_token",
                               "container_url", "sas", "oauth_token"};
        const char *vals[] = {d.access_key_id, d.secret_access_key, d.session_token,
                              d.container_url, d.sas, d.oauth_token};
        for (int i = 0; i < 6; i++)
            if (vals[i])
                json_object_set_new(r, names[i], json_string(vals[i]));
        url_dir_credentials_free(&d);
    }
    url_signer_free(s);
    return r;
}

/* ---- object stores ---- */

typedef struct list_acc {
    json_t *items;
} list_acc;

static int on_entry(void *cbctx, const objstore_entry *en, os_err *err)
{
    (void)err;
    list_acc *a = cbctx;
    json_array_append_new(a->items, json_pack("{s:s,s:I,s:I}", "name", en->name, "size",
                                              (json_int_t)en->size, "mtime_ms",
                                              (json_int_t)en->mtime_ms));
    return 0;
}

/* Bytes as lower-case hex (objects may be binary). */
static json_t *hexify(const char *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    char *o = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        o[2 * i] = hx[(unsigned char)p[i] >> 4];
        o[2 * i + 1] = hx[(unsigned char)p[i] & 15];
    }
    o[2 * n] = '\0';
    json_t *r = json_pack("{s:s}", "hex", o);
    free(o);
    return r;
}

static json_t *op_store(json_t *c)
{
    cat_location loc = {0};
    loc.name = "loc";
    loc.uri = str(c, "location_uri");
    loc.secret_ref = str(c, "secret_ref");
    loc.options_json = str(c, "options_json");
    objstore st = {0};
    os_err e;
    if (objstore_open_location(&loc, str(c, "asset_uri"), &st, &e) != 0)
        return fail(&e);
    const char *what = str(c, "what");
    json_t *r = NULL;
    if (strcmp(what, "list") == 0 || strcmp(what, "list_recursive") == 0) {
        list_acc a = {json_array()};
        int rc = strcmp(what, "list") == 0
                     ? objstore_list(&st, str(c, "dir") ? str(c, "dir") : "", str(c, "start_after"),
                                     on_entry, &a, &e)
                     : objstore_list_recursive(&st, str(c, "dir") ? str(c, "dir") : "",
                                               str(c, "start_after"), on_entry, &a, &e);
        if (rc != 0) {
            json_decref(a.items);
            r = fail(&e);
        } else
            r = json_pack("{s:o}", "items", a.items);
    } else if (strcmp(what, "stat") == 0) {
        objstore_entry en;
        if (objstore_stat(&st, str(c, "key"), &en, &e) != 0)
            r = fail(&e);
        else
            r = json_pack("{s:s,s:I,s:I}", "name", en.name, "size", (json_int_t)en.size,
                          "mtime_ms", (json_int_t)en.mtime_ms);
    } else if (strcmp(what, "read_all") == 0) {
        os_buf b = OS_BUF_INIT;
        json_int_t max = json_integer_value(json_object_get(c, "max"));
        if (objstore_read_all(&st, str(c, "key"), max > 0 ? (size_t)max : 1u << 30, &b, &e) != 0)
            r = fail(&e);
        else
            r = hexify(b.data ? b.data : "", b.len);
        os_buf_free(&b);
    } else if (strcmp(what, "read_range") == 0) {
        size_t len = (size_t)num(c, "len"), got = 0;
        char *buf = malloc(len + 1);
        if (objstore_read_range(&st, str(c, "key"), (uint64_t)num(c, "offset"), len, buf, &got,
                                &e) != 0)
            r = fail(&e);
        else
            r = hexify(buf, got);
        free(buf);
    } else {
        r = json_pack("{s:s}", "error", "unknown store op");
    }
    objstore_close(&st);
    return r;
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        json_error_t je;
        json_t *c = json_loads(line, 0, &je);
        json_t *r;
        const char *op = c ? str(c, "op") : NULL;
        if (op == NULL)
            r = json_pack("{s:s}", "error", "bad request line");
        else if (strcmp(op, "s3_presign") == 0)
            r = op_s3(c);
        else if (strcmp(op, "azure_sas") == 0)
            r = op_azure(c);
        else if (strcmp(op, "gcs_sign") == 0)
            r = op_gcs(c);
        else if (strcmp(op, "local_sign") == 0)
            r = op_local(c);
        else if (strcmp(op, "dir_creds") == 0)
            r = op_dir_creds(c);
        else if (strcmp(op, "loc_sign") == 0)
            r = op_loc_sign(c);
        else if (strcmp(op, "store") == 0)
            r = op_store(c);
        else
            r = json_pack("{s:s}", "error", "unknown op");
        char *out = json_dumps(r, JSON_COMPACT | JSON_ENSURE_ASCII);
        printf("%s\n", out);
        fflush(stdout);
        free(out);
        json_decref(r);
        json_decref(c);
    }
    free(line);
    return 0;
}
