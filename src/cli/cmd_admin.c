/* cmd_admin.c - `opensharing admin`: the provider's command line over the admin API (shares, assets, locations, recipients, grants, audit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_admin.h"

static void admin_usage(FILE *out)
{
    fprintf(out,
            "usage: opensharing admin [--server URL] [--token TOKEN] [--json] COMMAND ...\n"
            "\n"
            "Manages a running server through its admin API.  --server is the admin API's base\n"
            "URL (e.g. http://127.0.0.1:8080/admin), else OPENSHARING_ADMIN_SERVER; --token is an\n"
            "admin principal's token, else OPENSHARING_ADMIN_TOKEN.  Output is a readable table;\n"
            "--json prints the server's JSON answer instead.\n"
            "\n"
            "commands:\n"
            "  share create NAME [--display-name T] [--comment T] [--property K=V]...\n"
            "  share list | share get NAME | share delete NAME\n"
            "  share update NAME [--display-name T] [--comment T] [--property K=V]...\n"
            "  share add-table SHARE SCHEMA NAME --location URI [--format delta|iceberg|parquet]\n"
            "                  [--as ALIAS] [--comment T] [--history-shared]\n"
            "                  [--metadata-location PATH]   Iceberg: the metadata file to read,\n"
            "                  relative to the table's location\n"
            "  share add-volume SHARE SCHEMA NAME --location URI [--as ALIAS] [--comment T]\n"
            "  share add-skill SHARE SCHEMA NAME --location URI [--as ALIAS] [--comment T]\n"
            "  share add-model SHARE SCHEMA NAME [--location URI] [--version N=URI]...\n"
            "                  [--alias NAME=N]... [--as ALIAS] [--comment T]\n"
            "  share remove-asset SHARE SCHEMA NAME\n"
            "  share permissions SHARE               who the share is granted to\n"
            "  table refresh SHARE SCHEMA TABLE      re-list a Parquet dataset now (records a\n"
            "                  new version when its files changed)\n"
            "  location create NAME --uri URI [--secret-env VAR | --secret-file PATH]\n"
            "                  [--option K=V]...\n"
            "  location list | location get NAME | location delete NAME\n"
            "  recipient create NAME [--comment T] [--ip CIDR]... [--property K=V]...\n"
            "                  [--token-lifetime SECONDS]     prints the activation URL (once)\n"
            "  recipient update NAME [--comment T] [--ip CIDR]... [--clear-ips]\n"
            "                  [--property K=V]... [--token-lifetime SECONDS]\n"
            "  recipient list | recipient get NAME | recipient delete NAME\n"
            "  recipient rotate-token NAME [--grace SECONDS]  new activation URL; the current\n"
            "                  token keeps working for the grace period (0: revoked at once)\n"
            "  recipient shares NAME                 shares granted to the recipient\n"
            "  grant SHARE RECIPIENT | revoke SHARE RECIPIENT\n"
            "  audit [--recipient R] [--share S] [--asset A] [--since ISO] [--until ISO]\n"
            "        [--max N] [--page-token T]\n"
            "  openapi                               the admin API's OpenAPI document\n"
            "\n"
            "exit status: 0 success, 2 usage error, 3 refused by the server (4xx: bad input,\n"
            "unknown object, bad token...), 4 server or network error (5xx, unreachable).\n");
}

/* ---- arguments ----------------------------------------------------------- */

#define MAX_POS 8
#define MAX_KV 128

typedef struct args {
    const char *pos[MAX_POS];
    int npos;
    const char *key[MAX_KV];
    const char *val[MAX_KV];
    int nkv;
} args;

static const struct {
    const char *name;
    int has_arg;
} OPTIONS[] = {
    {"server", 1}, {"token", 1}, {"json", 0}, {"display-name", 1}, {"comment", 1},
    {"property", 1}, {"location", 1}, {"format", 1}, {"as", 1}, {"history-shared", 0}, {"metadata-location", 1},
    {"version", 1}, {"alias", 1}, {"uri", 1}, {"secret-env", 1}, {"secret-file", 1},
    {"option", 1}, {"ip", 1}, {"clear-ips", 0}, {"token-lifetime", 1}, {"grace", 1},
    {"recipient", 1}, {"share", 1}, {"asset", 1}, {"since", 1}, {"until", 1}, {"max", 1},
    {"page-token", 1}, {"help", 0},
};

static int usage_error(const char *fmt, const char *a)
{
    fprintf(stderr, "opensharing admin: ");
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\n(see 'opensharing admin --help')\n");
    return ADMIN_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, args *g)
{
    memset(g, 0, sizeof *g);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h"))
            s = "--help";
        if (strncmp(s, "--", 2) != 0 || s[2] == '\0') {
            if (g->npos == MAX_POS)
                return usage_error("too many arguments at '%s'", s);
            g->pos[g->npos++] = s;
            continue;
        }
        const char *eq = strchr(s, '=');
        size_t nl = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
        int found = -1;
        for (size_t k = 0; k < sizeof OPTIONS / sizeof OPTIONS[0]; k++)
            if (strlen(OPTIONS[k].name) == nl && !strncmp(OPTIONS[k].name, s + 2, nl))
                found = (int)k;
        if (found < 0)
            return usage_error("unknown option '%s'", s);
        if (g->nkv == MAX_KV)
            return usage_error("too many options at '%s'", s);
        const char *v = "";
        if (OPTIONS[found].has_arg) {
            if (eq)
                v = eq + 1;
            else if (i + 1 < argc)
                v = argv[++i];
            else
                return usage_error("option '%s' needs a value", s);
        } else if (eq) {
            return usage_error("option '%s' takes no value", s);
        }
        g->key[g->nkv] = OPTIONS[found].name;
        g->val[g->nkv++] = v;
    }
    return 0;
}

static const char *opt(const args *g, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i < g->nkv; i++)
        if (!strcmp(g->key[i], name))
            v = g->val[i];
    return v;
}

/* Refuses options outside `allowed` (global ones are always allowed). */
static int only_opts(const args *g, const char *cmd, const char *const *allowed)
{
    for (int i = 0; i < g->nkv; i++) {
        if (!strcmp(g->key[i], "server") || !strcmp(g->key[i], "token") || !strcmp(g->key[i], "json"))
            continue;
        int ok = 0;
        for (const char *const *a = allowed; a && *a; a++)
            ok |= !strcmp(*a, g->key[i]);
        if (!ok) {
            fprintf(stderr, "opensharing admin: '%s' does not take --%s\n", cmd, g->key[i]);
            return ADMIN_EXIT_USAGE;
        }
    }
    return 0;
}

/* Collects repeated K=V options into an object; -1 on a malformed one. */
static int kv_object(const args *g, const char *name, json_t **out)
{
    *out = NULL;
    for (int i = 0; i < g->nkv; i++) {
        if (strcmp(g->key[i], name))
            continue;
        const char *eq = strchr(g->val[i], '=');
        if (eq == NULL || eq == g->val[i]) {
            usage_error("expected KEY=VALUE, got '%s'", g->val[i]);
            json_decref(*out);
            *out = NULL;
            return -1;
        }
        if (*out == NULL)
            *out = json_object();
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - g->val[i]), g->val[i]);
        json_object_set_new(*out, key, json_string(eq + 1));
    }
    return 0;
}

static int parse_int(const char *text, const char *what, long long *v)
{
    char *end;
    *v = strtoll(text, &end, 10);
    if (*text == '\0' || *end != '\0' || *v < 0)
        return usage_error("%s must be a non-negative integer", what);
    return 0;
}

static void print_json(const json_t *doc)
{
    char *t = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    printf("%s\n", t ? t : "{}");
    free(t);
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Builds "/a/<esc b>/c..." from literal and escaped parts. */
static char *path_of(const char *fmt, const char *a1, const char *a2)
{
    char *e1 = a1 ? admin_client_escape(a1) : NULL, *e2 = a2 ? admin_client_escape(a2) : NULL;
    size_t n = strlen(fmt) + (e1 ? strlen(e1) : 0) + (e2 ? strlen(e2) : 0) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, fmt, e1 ? e1 : "", e2 ? e2 : "");
    free(e1);
    free(e2);
    return p;
}

/* ---- printing ------------------------------------------------------------ */

static void print_share(const json_t *s)
{
    printf("share %s (id %s)\n", jstr(s, "name"), jstr(s, "id"));
    if (jstr(s, "display_name"))
        printf("  display name: %s\n", jstr(s, "display_name"));
    if (jstr(s, "comment"))
        printf("  comment: %s\n", jstr(s, "comment"));
    json_t *assets = json_object_get(s, "assets");
    size_t n = json_array_size(assets);
    if (n == 0) {
        printf("  no assets\n");
        return;
    }
    static const char *const h[] = {"TYPE", "SCHEMA", "NAME", "SOURCE", "LOCATION"};
    const char **cells = calloc(n * 5, sizeof *cells);
    for (size_t i = 0; cells && i < n; i++) {
        json_t *x = json_array_get(assets, i);
        cells[i * 5] = jstr(x, "type");
        cells[i * 5 + 1] = jstr(x, "schema");
        cells[i * 5 + 2] = jstr(x, "name");
        cells[i * 5 + 3] = jstr(x, "source_name");
        cells[i * 5 + 4] = jstr(x, "location");
    }
    if (cells)
        admin_print_table(h, 5, cells, n);
    free(cells);
}

static void print_list(const json_t *arr, const char *const *headers, const char *const *keys, size_t cols)
{
    size_t n = json_array_size(arr);
    const char **cells = calloc(n * cols + 1, sizeof *cells);
    char (*nums)[24] = calloc(n * cols + 1, sizeof *nums);
    for (size_t i = 0; cells && nums && i < n; i++)
        for (size_t c = 0; c < cols; c++) {
            json_t *v = json_object_get(json_array_get(arr, i), keys[c]);
            if (json_is_integer(v)) {
                snprintf(nums[i * cols + c], 24, "%lld", (long long)json_integer_value(v));
                cells[i * cols + c] = nums[i * cols + c];
            } else {
                cells[i * cols + c] = json_string_value(v);
            }
        }
    if (cells && nums)
        admin_print_table(headers, cols, cells, n);
    free(cells);
    free(nums);
}

static void print_recipient(const json_t *r)
{
    printf("recipient %s (id %s)\n", jstr(r, "name"), jstr(r, "id"));
    json_t *ips = json_object_get(json_object_get(r, "ip_access_list"), "allowed_ip_addresses");
    if (json_array_size(ips)) {
        printf("  allowed networks:");
        for (size_t i = 0; i < json_array_size(ips); i++)
            printf(" %s", json_string_value(json_array_get(ips, i)));
        printf("\n");
    }
    if (jstr(r, "activation_pending_until"))
        printf("  activation link open until %s\n", jstr(r, "activation_pending_until"));
    json_t *toks = json_object_get(r, "tokens");
    if (json_array_size(toks)) {
        static const char *const h[] = {"TOKEN", "STATUS", "SOURCE", "CREATED", "EXPIRES", "REVOKED"};
        static const char *const k[] = {"id", "status", "source", "created_at", "expires_at", "revoked_at"};
        print_list(toks, h, k, 6);
    } else {
        printf("  no tokens yet\n");
    }
}

/* ---- commands ------------------------------------------------------------ */

static int finish(const admin_client *c, int rc, json_t *doc, void (*human)(const json_t *))
{
    if (rc == ADMIN_EXIT_OK) {
        if (c->json || human == NULL)
            print_json(doc);
        else
            human(doc);
    }
    json_decref(doc);
    return rc;
}

static void human_share(const json_t *d) { print_share(d); }
static void human_shares(const json_t *d)
{
    static const char *const h[] = {"NAME", "ID", "COMMENT", "CREATED", "BY"};
    static const char *const k[] = {"name", "id", "comment", "created_at", "created_by"};
    print_list(json_object_get(d, "shares"), h, k, 5);
}
static void human_locations(const json_t *d)
{
    static const char *const h[] = {"NAME", "URI", "CREATED", "BY"};
    static const char *const k[] = {"name", "uri", "created_at", "created_by"};
    print_list(json_object_get(d, "storage_locations"), h, k, 4);
}
static void human_location(const json_t *d)
{
    printf("storage location %s: %s\n", jstr(d, "name"), jstr(d, "uri"));
    json_t *sec = json_object_get(d, "secret");
    if (jstr(sec, "env"))
        printf("  secret from environment variable %s\n", jstr(sec, "env"));
    else if (jstr(sec, "file"))
        printf("  secret from file %s\n", jstr(sec, "file"));
}
static void human_recipients(const json_t *d)
{
    static const char *const h[] = {"NAME", "ID", "COMMENT", "CREATED", "BY"};
    static const char *const k[] = {"name", "id", "comment", "created_at", "created_by"};
    print_list(json_object_get(d, "recipients"), h, k, 5);
}
static void human_recipient(const json_t *d) { print_recipient(d); }
static void human_link(const json_t *d)
{
    json_t *t = json_object_get(d, "token");
    printf("recipient %s: activation URL (shown once, valid until %s):\n%s\n",
           jstr(json_object_get(d, "recipient"), "name"), jstr(t, "expires_at"),
           jstr(t, "activation_url"));
}
static void human_share_perms(const json_t *d)
{
    static const char *const h[] = {"RECIPIENT", "GRANTED", "BY"};
    static const char *const k[] = {"principal", "granted_at", "granted_by"};
    printf("share %s is granted to:\n", jstr(d, "share_name"));
    print_list(json_object_get(d, "privilege_assignments"), h, k, 3);
}
static void human_recipient_perms(const json_t *d)
{
    static const char *const h[] = {"SHARE", "GRANTED", "BY"};
    static const char *const k[] = {"share_name", "granted_at", "granted_by"};
    printf("recipient %s may read:\n", jstr(d, "recipient_name"));
    print_list(json_object_get(d, "permissions_out"), h, k, 3);
}
static void human_audit(const json_t *d)
{
    static const char *const h[] = {"TIME", "RECIPIENT", "OPERATION", "SHARE", "ASSET", "STATUS", "FILES", "CLIENT"};
    static const char *const k[] = {"time", "recipient", "operation", "share", "asset", "status", "files", "client_ip"};
    print_list(json_object_get(d, "events"), h, k, 8);
    if (jstr(d, "next_page_token"))
        printf("more: --page-token %s\n", jstr(d, "next_page_token"));
}
static void human_ok(const json_t *d)
{
    (void)d;
    printf("ok\n");
}

static void human_refresh(const json_t *d)
{
    json_t *v = json_object_get(d, "version");
    printf("table %s: version %lld (%s), %lld files, %lld added, %lld removed, %lld footers read\n",
           jstr(d, "table"), (long long)json_integer_value(v),
           json_is_true(json_object_get(d, "changed")) ? "new" : "unchanged",
           (long long)json_integer_value(json_object_get(d, "files")),
           (long long)json_integer_value(json_object_get(d, "added")),
           (long long)json_integer_value(json_object_get(d, "removed")),
           (long long)json_integer_value(json_object_get(d, "footers_read")));
}

/* table refresh SHARE SCHEMA TABLE */
static int cmd_table(const admin_client *c, const args *g)
{
    int rc;
    if (g->npos != 5 || strcmp(g->pos[1], "refresh") != 0)
        return usage_error("%s", "usage: table refresh SHARE SCHEMA TABLE");
    if ((rc = only_opts(g, "table refresh", NULL)))
        return rc;
    char *p1 = path_of("/shares/%s/schemas/%s", g->pos[2], g->pos[3]);
    char *p2 = path_of("%s/tables/%s/refresh", "", g->pos[4]);
    char *path = p1 && p2 ? malloc(strlen(p1) + strlen(p2) + 1) : NULL;
    if (path == NULL) {
        free(p1);
        free(p2);
        return usage_error("%s", "out of memory");
    }
    sprintf(path, "%s%s", p1, p2);
    free(p1);
    free(p2);
    json_t *doc = NULL;
    rc = admin_client_call(c, "POST", path, NULL, &doc);
    free(path);
    return finish(c, rc, doc, human_refresh);
}

static int cmd_share(const admin_client *c, const args *g)
{
    static const char *const meta_opts[] = {"display-name", "comment", "property", NULL};
    const char *sub = g->npos > 1 ? g->pos[1] : "";
    json_t *doc = NULL, *body = NULL, *props = NULL;
    char *path = NULL;
    int rc;
    if (!strcmp(sub, "list") && g->npos == 2) {
        if ((rc = only_opts(g, "share list", NULL)))
            return rc;
        rc = admin_client_call(c, "GET", "/shares", NULL, &doc);
        return finish(c, rc, doc, human_shares);
    }
    if ((!strcmp(sub, "get") || !strcmp(sub, "delete") || !strcmp(sub, "permissions")) && g->npos == 3) {
        if ((rc = only_opts(g, sub, NULL)))
            return rc;
        int del = !strcmp(sub, "delete"), perms = !strcmp(sub, "permissions");
        path = path_of(perms ? "/shares/%s/permissions%s" : "/shares/%s%s", g->pos[2], NULL);
        rc = admin_client_call(c, del ? "DELETE" : "GET", path, NULL, &doc);
        free(path);
        return finish(c, rc, doc, del ? human_ok : perms ? human_share_perms : human_share);
    }
    if ((!strcmp(sub, "create") || !strcmp(sub, "update")) && g->npos == 3) {
        if ((rc = only_opts(g, sub, meta_opts)) || kv_object(g, "property", &props) != 0)
            return ADMIN_EXIT_USAGE;
        int create = !strcmp(sub, "create");
        body = json_object();
        if (create)
            json_object_set_new(body, "name", json_string(g->pos[2]));
        if (opt(g, "display-name"))
            json_object_set_new(body, "display_name", json_string(opt(g, "display-name")));
        if (opt(g, "comment"))
            json_object_set_new(body, "comment", json_string(opt(g, "comment")));
        if (props)
            json_object_set_new(body, "properties", props);
        path = create ? NULL : path_of("/shares/%s%s", g->pos[2], NULL);
        rc = admin_client_call(c, create ? "POST" : "PATCH", create ? "/shares" : path, body, &doc);
        free(path);
        json_decref(body);
        return finish(c, rc, doc, human_share);
    }
    const char *type = !strcmp(sub, "add-table") ? "TABLE" : !strcmp(sub, "add-volume") ? "VOLUME"
                       : !strcmp(sub, "add-skill") ? "SKILL" : !strcmp(sub, "add-model") ? "MODEL" : NULL;
    if ((type || !strcmp(sub, "remove-asset")) && g->npos == 5) {
        static const char *const table_opts[] = {"location", "format", "as", "comment", "history-shared",
                                                  "metadata-location", NULL};
        static const char *const plain_opts[] = {"location", "as", "comment", NULL};
        static const char *const model_opts[] = {"location", "as", "comment", "version", "alias", NULL};
        const char *const *allowed = type == NULL ? NULL
                                     : !strcmp(type, "TABLE") ? table_opts
                                     : !strcmp(type, "MODEL") ? model_opts : plain_opts;
        if ((rc = only_opts(g, sub, allowed)))
            return rc;
        json_t *obj = json_pack("{s:s,s:s}", "schema", g->pos[3], "name", g->pos[4]);
        if (type) {
            json_object_set_new(obj, "type", json_string(type));
            if (strcmp(type, "MODEL") && opt(g, "location") == NULL) {
                json_decref(obj);
                return usage_error("%s needs --location URI", sub);
            }
            if (opt(g, "location"))
                json_object_set_new(obj, "location", json_string(opt(g, "location")));
            if (opt(g, "as"))
                json_object_set_new(obj, "shared_as", json_string(opt(g, "as")));
            if (opt(g, "comment"))
                json_object_set_new(obj, "comment", json_string(opt(g, "comment")));
            if (opt(g, "format"))
                json_object_set_new(obj, "format", json_string(opt(g, "format")));
            if (opt(g, "history-shared"))
                json_object_set_new(obj, "history_shared", json_true());
            if (opt(g, "metadata-location"))
                json_object_set_new(obj, "metadata_location", json_string(opt(g, "metadata-location")));
            json_t *versions = json_array(), *aliases = NULL;
            for (int i = 0; i < g->nkv; i++) {
                if (strcmp(g->key[i], "version"))
                    continue;
                const char *eq = strchr(g->val[i], '=');
                long long v;
                char num[32];
                if (eq == NULL || (size_t)(eq - g->val[i]) >= sizeof num) {
                    json_decref(obj);
                    json_decref(versions);
                    return usage_error("--version takes N=URI, got '%s'", g->val[i]);
                }
                snprintf(num, sizeof num, "%.*s", (int)(eq - g->val[i]), g->val[i]);
                if (parse_int(num, "a model version", &v)) {
                    json_decref(obj);
                    json_decref(versions);
                    return ADMIN_EXIT_USAGE;
                }
                json_array_append_new(versions, json_pack("{s:I,s:s}", "version", (json_int_t)v,
                                                          "location", eq + 1));
            }
            if (json_array_size(versions))
                json_object_set_new(obj, "versions", versions);
            else
                json_decref(versions);
            if (kv_object(g, "alias", &aliases) != 0) {
                json_decref(obj);
                return ADMIN_EXIT_USAGE;
            }
            if (aliases) {
                const char *k;
                json_t *v;
                json_object_foreach(aliases, k, v)
                {
                    long long n;
                    if (parse_int(json_string_value(v), "an alias's version", &n)) {
                        json_decref(obj);
                        json_decref(aliases);
                        return ADMIN_EXIT_USAGE;
                    }
                    json_object_set_new(aliases, k, json_integer(n));
                }
                json_object_set_new(obj, "aliases", aliases);
            }
        }
        body = json_pack("{s:[{s:s,s:o}]}", "updates", "action", type ? "ADD" : "REMOVE",
                         "data_object", obj);
        path = path_of("/shares/%s%s", g->pos[2], NULL);
        rc = admin_client_call(c, "PATCH", path, body, &doc);
        free(path);
        json_decref(body);
        return finish(c, rc, doc, human_share);
    }
    return usage_error("unknown or incomplete share command '%s'", sub);
}

static int cmd_location(const admin_client *c, const args *g)
{
    static const char *const create_opts[] = {"uri", "secret-env", "secret-file", "option", NULL};
    const char *sub = g->npos > 1 ? g->pos[1] : "";
    json_t *doc = NULL;
    int rc;
    if (!strcmp(sub, "list") && g->npos == 2) {
        if ((rc = only_opts(g, "location list", NULL)))
            return rc;
        rc = admin_client_call(c, "GET", "/locations", NULL, &doc);
        return finish(c, rc, doc, human_locations);
    }
    if ((!strcmp(sub, "get") || !strcmp(sub, "delete")) && g->npos == 3) {
        if ((rc = only_opts(g, sub, NULL)))
            return rc;
        int del = !strcmp(sub, "delete");
        char *path = path_of("/locations/%s%s", g->pos[2], NULL);
        rc = admin_client_call(c, del ? "DELETE" : "GET", path, NULL, &doc);
        free(path);
        return finish(c, rc, doc, del ? human_ok : human_location);
    }
    if (!strcmp(sub, "create") && g->npos == 3) {
        json_t *options = NULL;
        if ((rc = only_opts(g, "location create", create_opts)) || kv_object(g, "option", &options))
            return ADMIN_EXIT_USAGE;
        if (opt(g, "uri") == NULL) {
            json_decref(options);
            return usage_error("%s needs --uri URI", "location create");
        }
        if (opt(g, "secret-env") && opt(g, "secret-file")) {
            json_decref(options);
            return usage_error("%s: choose --secret-env or --secret-file", "location create");
        }
        json_t *body = json_pack("{s:s,s:s}", "name", g->pos[2], "uri", opt(g, "uri"));
        if (opt(g, "secret-env"))
            json_object_set_new(body, "secret", json_pack("{s:s}", "env", opt(g, "secret-env")));
        if (opt(g, "secret-file"))
            json_object_set_new(body, "secret", json_pack("{s:s}", "file", opt(g, "secret-file")));
        if (options)
            json_object_set_new(body, "options", options);
        rc = admin_client_call(c, "POST", "/locations", body, &doc);
        json_decref(body);
        return finish(c, rc, doc, human_location);
    }
    return usage_error("unknown or incomplete location command '%s'", sub);
}

static int cmd_recipient(const admin_client *c, const args *g)
{
    static const char *const edit_opts[] = {"comment", "ip", "clear-ips", "property", "token-lifetime", NULL};
    static const char *const rotate_opts[] = {"grace", NULL};
    const char *sub = g->npos > 1 ? g->pos[1] : "";
    json_t *doc = NULL;
    char *path = NULL;
    int rc;
    if (!strcmp(sub, "list") && g->npos == 2) {
        if ((rc = only_opts(g, "recipient list", NULL)))
            return rc;
        rc = admin_client_call(c, "GET", "/recipients", NULL, &doc);
        return finish(c, rc, doc, human_recipients);
    }
    if ((!strcmp(sub, "get") || !strcmp(sub, "delete") || !strcmp(sub, "shares")) && g->npos == 3) {
        if ((rc = only_opts(g, sub, NULL)))
            return rc;
        int del = !strcmp(sub, "delete"), shares = !strcmp(sub, "shares");
        path = path_of(shares ? "/recipients/%s/share-permissions%s" : "/recipients/%s%s", g->pos[2], NULL);
        rc = admin_client_call(c, del ? "DELETE" : "GET", path, NULL, &doc);
        free(path);
        return finish(c, rc, doc, del ? human_ok : shares ? human_recipient_perms : human_recipient);
    }
    if (!strcmp(sub, "rotate-token") && g->npos == 3) {
        if ((rc = only_opts(g, sub, rotate_opts)))
            return rc;
        json_t *body = json_object();
        long long grace;
        if (opt(g, "grace")) {
            if (parse_int(opt(g, "grace"), "--grace", &grace)) {
                json_decref(body);
                return ADMIN_EXIT_USAGE;
            }
            json_object_set_new(body, "existing_token_expire_in_seconds", json_integer(grace));
        }
        path = path_of("/recipients/%s/rotate-token%s", g->pos[2], NULL);
        rc = admin_client_call(c, "POST", path, body, &doc);
        free(path);
        json_decref(body);
        return finish(c, rc, doc, human_link);
    }
    if ((!strcmp(sub, "create") || !strcmp(sub, "update")) && g->npos == 3) {
        int create = !strcmp(sub, "create");
        json_t *props = NULL;
        if ((rc = only_opts(g, sub, edit_opts)) || kv_object(g, "property", &props))
            return ADMIN_EXIT_USAGE;
        json_t *body = json_object();
        if (create)
            json_object_set_new(body, "name", json_string(g->pos[2]));
        if (opt(g, "comment"))
            json_object_set_new(body, "comment", json_string(opt(g, "comment")));
        if (props)
            json_object_set_new(body, "properties", props);
        json_t *ips = json_array();
        for (int i = 0; i < g->nkv; i++)
            if (!strcmp(g->key[i], "ip"))
                json_array_append_new(ips, json_string(g->val[i]));
        if (opt(g, "clear-ips") && json_array_size(ips)) {
            json_decref(ips);
            json_decref(body);
            return usage_error("%s: --clear-ips and --ip exclude each other", sub);
        }
        if (json_array_size(ips))
            json_object_set_new(body, "ip_access_list", json_pack("{s:O}", "allowed_ip_addresses", ips));
        else if (opt(g, "clear-ips"))
            json_object_set_new(body, "ip_access_list", json_null());
        json_decref(ips);
        if (opt(g, "token-lifetime")) {
            long long s;
            if (parse_int(opt(g, "token-lifetime"), "--token-lifetime", &s)) {
                json_decref(body);
                return ADMIN_EXIT_USAGE;
            }
            json_object_set_new(body, "token_lifetime_seconds", json_integer(s));
        }
        path = create ? NULL : path_of("/recipients/%s%s", g->pos[2], NULL);
        rc = admin_client_call(c, create ? "POST" : "PATCH", create ? "/recipients" : path, body, &doc);
        free(path);
        json_decref(body);
        return finish(c, rc, doc, create ? human_link : human_recipient);
    }
    return usage_error("unknown or incomplete recipient command '%s'", sub);
}

static int cmd_grant(const admin_client *c, const args *g, int add)
{
    int rc;
    if (g->npos != 3)
        return usage_error("usage: %s SHARE RECIPIENT", add ? "grant" : "revoke");
    if ((rc = only_opts(g, add ? "grant" : "revoke", NULL)))
        return rc;
    json_t *doc = NULL;
    json_t *body = json_pack("{s:[{s:s,s:[s]}]}", "changes", "recipient_name", g->pos[2],
                             add ? "add" : "remove", "SELECT");
    char *path = path_of("/shares/%s/permissions%s", g->pos[1], NULL);
    rc = admin_client_call(c, "PATCH", path, body, &doc);
    free(path);
    json_decref(body);
    return finish(c, rc, doc, human_share_perms);
}

static int cmd_audit(const admin_client *c, const args *g)
{
    static const char *const allowed[] = {"recipient", "share", "asset", "since", "until", "max", "page-token", NULL};
    static const char *const map[][2] = {{"recipient", "recipient"}, {"share", "share"}, {"asset", "asset"},
                                         {"since", "start_time"}, {"until", "end_time"},
                                         {"max", "max_results"}, {"page-token", "page_token"}};
    int rc;
    if (g->npos != 1)
        return usage_error("%s takes no positional arguments", "audit");
    if ((rc = only_opts(g, "audit", allowed)))
        return rc;
    char path[4096] = "/audit";
    size_t len = strlen(path);
    char sep = '?';
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        const char *v = opt(g, map[i][0]);
        if (v == NULL)
            continue;
        char *e = admin_client_escape(v);
        int n = snprintf(path + len, sizeof path - len, "%c%s=%s", sep, map[i][1], e ? e : "");
        free(e);
        if (n < 0 || (size_t)n >= sizeof path - len)
            return usage_error("%s: filters too long", "audit");
        len += (size_t)n;
        sep = '&';
    }
    json_t *doc = NULL;
    rc = admin_client_call(c, "GET", path, NULL, &doc);
        return finish(c, rc, doc, human_audit);
}

int cli_admin_main(int argc, char **argv)
{
    args g;
    int rc = parse_args(argc, argv, &g);
    if (rc != 0)
        return rc;
    if (opt(&g, "help")) {
        admin_usage(stdout);
        return 0;
    }
    if (g.npos == 0) {
        admin_usage(stderr);
        return ADMIN_EXIT_USAGE;
    }
    admin_client c;
    c.server = opt(&g, "server") ? opt(&g, "server") : getenv("OPENSHARING_ADMIN_SERVER");
    c.token = opt(&g, "token") ? opt(&g, "token") : getenv("OPENSHARING_ADMIN_TOKEN");
    c.json = opt(&g, "json") != NULL;
    if (c.server == NULL || *c.server == '\0')
        return usage_error("%s", "no server: pass --server URL or set OPENSHARING_ADMIN_SERVER");
    if (c.token == NULL || *c.token == '\0')
        return usage_error("%s", "no admin token: pass --token or set OPENSHARING_ADMIN_TOKEN");
    const char *cmd = g.pos[0];
    if (!strcmp(cmd, "share"))
        return cmd_share(&c, &g);
    if (!strcmp(cmd, "location"))
        return cmd_location(&c, &g);
    if (!strcmp(cmd, "table"))
        return cmd_table(&c, &g);
    if (!strcmp(cmd, "recipient"))
        return cmd_recipient(&c, &g);
    if (!strcmp(cmd, "grant") || !strcmp(cmd, "revoke"))
        return cmd_grant(&c, &g, !strcmp(cmd, "grant"));
    if (!strcmp(cmd, "audit"))
        return cmd_audit(&c, &g);
    if (!strcmp(cmd, "openapi") && g.npos == 1) {
        json_t *doc = NULL;
        c.json = 1;
        rc = admin_client_call(&c, "GET", "/openapi.json", NULL, &doc);
        return finish(&c, rc, doc, NULL);
    }
    return usage_error("unknown command '%s'", cmd);
}
