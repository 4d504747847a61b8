/* cmd_admin_serve.c - serve-side wiring of provider administration: settings, principals, audit sink, mounts and the optional admin listener. */
#include "cli/cmd_admin.h"
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

int admin_wiring_setup(admin_wiring *w, const char *config_path, const char *prefix_flag,
                       const char *listen_flag, const char *data_dir, const char *protocol_prefix,
                       const char *fallback_token_file, cat_store *st, os_arena *a, os_err *err)
{
    memset(w, 0, sizeof *w);
    admin_api *api = &w->api;
    if (admin_config_load(config_path, a, &api->settings, err) != 0)
        return -1;
    if (api->settings.nprincipals == 0 && fallback_token_file != NULL) {
        admin_principal_cfg *p = os_arena_alloc(a, sizeof *p);
        if (p == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        p->name = "demo-admin";
        p->token.file = os_arena_strdup(a, fallback_token_file);
        api->settings.principals = p;
        api->settings.nprincipals = 1;
    }
    const char *prefix = prefix_flag ? prefix_flag : getenv("OPENSHARING_ADMIN_PREFIX");
    const char *listen = listen_flag ? listen_flag : getenv("OPENSHARING_ADMIN_LISTEN");
    if (prefix == NULL || *prefix == '\0')
        prefix = api->settings.prefix;
    if (listen == NULL || *listen == '\0')
        listen = api->settings.listen;
    size_t n = strlen(prefix);
    while (n > 0 && prefix[n - 1] == '/')
        n--;
    if (n == 0 || prefix[0] != '/' || n >= sizeof api->admin_prefix)
        return os_err_set(err, OS_EINVAL, "--admin-prefix must be a path such as /admin, got '%s'",
                          prefix);
    snprintf(api->admin_prefix, sizeof api->admin_prefix, "%.*s", (int)n, prefix);
    snprintf(api->protocol_prefix, sizeof api->protocol_prefix, "%s", protocol_prefix);
    if (!strcmp(api->admin_prefix, api->protocol_prefix))
        return os_err_set(err, OS_EINVAL, "the admin prefix must differ from the protocol prefix (%s)",
                          protocol_prefix);
    if (listen) {
        if (cli_listen_parse(listen, w->listen_host, sizeof w->listen_host, &w->listen_port) != 0)
            return os_err_set(err, OS_EINVAL, "--admin-listen must be HOST:PORT, got '%s'", listen);
        w->separate = 1;
    }
    /* On the main server the admin API answers loopback clients only; an
     * explicitly configured admin listener is the operator's decision. */
    api->loopback_only = !w->separate;
    api->store = st;
    if (admin_principals_apply(st, &api->settings, err) != 0)
        return -1;
    if (api->settings.nprincipals == 0)
        os_log(OS_LOG_WARN, "no admin principals are configured ('admins:' in the config): "
                            "every admin API call will be refused");
    audit_sink_opts ao = {api->settings.audit_retention_days * 24 * 3600 * 1000,
                          (uint64_t)api->settings.audit_max_file_mb << 20,
                          (unsigned)api->settings.audit_keep_files};
    if ((w->sink = audit_sink_open(st, data_dir, &ao, err)) == NULL)
        return -1;
    audit_sink_install(w->sink);
    size_t np, na;
    const http_route *pr = admin_public_routes(&np);
    const http_route *ar = admin_api_routes(&na);
    w->public_mount = (http_mount){api->protocol_prefix, pr, np, api};
    w->admin_mount = (http_mount){api->admin_prefix, ar, na, api};
    return 0;
}

size_t admin_wiring_mounts(admin_wiring *w, http_mount *out)
{
    out[0] = w->public_mount;
    if (w->separate)
        return 1;
    out[1] = w->admin_mount;
    return 2;
}

void admin_wiring_describe(admin_wiring *w, const http_mount *mounts, size_t n)
{
    w->api.protocol_mounts = mounts;
    w->api.nprotocol_mounts = n;
}

int admin_wiring_start(admin_wiring *w, const http_server_config *base, os_err *err)
{
    if (!w->separate)
        return 0;
    http_server_config hc = *base;
    hc.host = w->listen_host;
    hc.port = w->listen_port;
    w->srv = http_server_start(&hc, &w->admin_mount, 1, err);
    if (w->srv == NULL)
        return os_err_wrap(err, "admin listener");
    return 0;
}

void admin_wiring_announce(admin_wiring *w, const char *base, const char *endpoint, int tls)
{
    snprintf(w->api.public_base, sizeof w->api.public_base, "%s", base);
    snprintf(w->api.endpoint, sizeof w->api.endpoint, "%s", endpoint);
    char admin_url[1400];
    if (w->separate) {
        int v6 = strchr(w->listen_host, ':') != NULL;
        snprintf(admin_url, sizeof admin_url, "%s://%s%s%s:%u%s/", tls ? "https" : "http",
                 v6 ? "[" : "", w->listen_host, v6 ? "]" : "", http_server_port(w->srv),
                 w->api.admin_prefix);
    } else {
        snprintf(admin_url, sizeof admin_url, "%s%s/", base, w->api.admin_prefix);
    }
    os_log(OS_LOG_INFO, "admin API at %s%s", admin_url, w->separate ? "" : " (loopback clients only)");
    printf("opensharing: admin API %s\n", admin_url);
}

void admin_wiring_stop(admin_wiring *w)
{
    if (w->srv)
        http_server_stop(w->srv, 10000);
    w->srv = NULL;
    audit_sink_install(NULL);
    audit_sink_close(w->sink);
    w->sink = NULL;
}
