/* cmd_serve.c - `opensharing serve`: settings from flags, environment and config; catalog set-up; the HTTP server's life. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/health.h"
#include "api/http_errors.h"
#include "api/recipient/local_files.h"
#include "api/iceberg/iceberg_api.h"
#include "api/recipient/recipient_api.h"
#include "sharing/iceberg_rest.h"
#include "auth/server_key.h"
#include "base/log.h"
#include "catalog/config.h"
#include "catalog/store.h"
#include "cli/cli.h"
#include "cli/cmd_admin.h"
#include "cli/demo.h"
#include "sharing/audit.h"
#include "net/http.h"
#include "sharing/service.h"
#include "sharing/snap_cache.h"
#include "storage/local_url.h"

#ifndef OS_SAMPLE_DIR
#define OS_SAMPLE_DIR "examples/sample"
#endif

typedef struct serve_opts {
    const char *config;
    const char *data_dir;
    const char *listen;
    const char *prefix;
    const char *tls_cert;
    const char *tls_key;
    const char *log_format;
    const char *public_url;
    const char *sample_dir;
    const char *admin_prefix;
    const char *admin_listen;
    int threads;
    int64_t url_ttl_s;
} serve_opts;

static void serve_usage(FILE *out)
{
    fprintf(out,
            "usage: opensharing serve [options]\n"
            "\n"
            "Runs the sharing server.  Without --config it serves the embedded default: an\n"
            "SQLite catalog in the data directory, local storage and a sample share, and it\n"
            "writes a recipient profile to DATA_DIR/profiles/demo.share.\n"
            "\n"
            "options (each also settable in the config's 'server:' section and by the\n"
            "environment variable shown; flags win over the environment, which wins over\n"
            "the config file):\n"
            "  --config FILE        YAML config: server settings, storage locations, shares,\n"
            "                       assets, recipients and grants       OPENSHARING_CONFIG\n"
            "  --data-dir DIR       catalog, secrets and profiles (default ./opensharing-data)\n"
            "                                                           OPENSHARING_DATA_DIR\n"
            "  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0 picks\n"
            "                       a free port)                        OPENSHARING_LISTEN\n"
            "  --prefix PATH        protocol path prefix (default /opensharing)\n"
            "                                                           OPENSHARING_PREFIX\n"
            "  --tls-cert FILE      PEM certificate: serve HTTPS        OPENSHARING_TLS_CERT\n"
            "  --tls-key FILE       PEM private key for --tls-cert      OPENSHARING_TLS_KEY\n"
            "  --log-format FMT     json (default) or text              OPENSHARING_LOG_FORMAT\n"
            "  --public-url URL     base URL written into profile files (default derived from\n"
            "                       --listen)                           OPENSHARING_PUBLIC_URL\n"
            "  --threads N          worker threads (default 8)          OPENSHARING_THREADS\n"
            "  --url-ttl SECONDS    lifetime of pre-signed file URLs (default 3600, at most\n"
            "                       604800)                             OPENSHARING_URL_TTL\n"
            "  --sample-dir DIR     where the embedded default's sample files come from\n"
            "                                                           OPENSHARING_SAMPLE_DIR\n"
            "  --admin-prefix PATH  provider admin API prefix (default /admin; config\n"
            "                       admin.prefix)                    OPENSHARING_ADMIN_PREFIX\n"
            "  --admin-listen HOST:PORT  serve the admin API on its own listener instead;\n"
            "                       without it the admin API answers loopback clients only\n"
            "                       (config admin.listen)            OPENSHARING_ADMIN_LISTEN\n"
            "  -h, --help           show this text\n"
            "\n"
            "Endpoints: GET /healthz, GET /readyz, and the protocol under PREFIX\n"
            "(GET PREFIX/shares ...).  SIGTERM or SIGINT drains in-flight requests and exits.\n");
}

static void env_default(const char **field, const char *var)
{
    const char *v = getenv(var);
    if (*field == NULL && v != NULL && *v != '\0')
        *field = v;
}

static void cfg_default(const char **field, const char *value)
{
    if (*field == NULL && value != NULL)
        *field = value;
}

static char *read_file_text(const char *path, os_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        os_err_set(err, OS_EINVAL, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Normalises the prefix to "/x/y" (no trailing slash; "" for the root). */
static const char *normalise_prefix(const char *p, char *out, size_t n)
{
    size_t len = strlen(p);
    while (len > 0 && p[len - 1] == '/')
        len--;
    if (len == 0) {
        out[0] = '\0';
        return out;
    }
    snprintf(out, n, "%s%.*s", p[0] == '/' ? "" : "/", (int)len, p);
    return out;
}

/* A server reads big tables again and again from several threads.  Buffers
 * of a megabyte or more (a checkpoint page can decompress to tens of them)
 * are mapped and unmapped whole: left to itself glibc raises its mmap
 * threshold after the first such free and keeps later ones in per-thread
 * heaps, and the server's memory ratchets up with every large read.  (A
 * one-shot command does not need this and keeps glibc's faster default.) */
static void serve_memory_setup(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

int cli_serve_main(int argc, char **argv)
{
    serve_memory_setup();
    serve_opts o;
    memset(&o, 0, sizeof o);
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},     {"data-dir", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},     {"prefix", required_argument, NULL, 'p'},
        {"tls-cert", required_argument, NULL, 'C'},   {"tls-key", required_argument, NULL, 'K'},
        {"log-format", required_argument, NULL, 'f'}, {"public-url", required_argument, NULL, 'u'},
        {"threads", required_argument, NULL, 't'},    {"sample-dir", required_argument, NULL, 's'},
        {"url-ttl", required_argument, NULL, 'T'},
        {"admin-prefix", required_argument, NULL, 'P'}, {"admin-listen", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0}};
    const char *threads_text = NULL, *ttl_text = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config = optarg; break;
        case 'd': o.data_dir = optarg; break;
        case 'l': o.listen = optarg; break;
        case 'p': o.prefix = optarg; break;
        case 'C': o.tls_cert = optarg; break;
        case 'K': o.tls_key = optarg; break;
        case 'f': o.log_format = optarg; break;
        case 'u': o.public_url = optarg; break;
        case 't': threads_text = optarg; break;
        case 's': o.sample_dir = optarg; break;
        case 'T': ttl_text = optarg; break;
        case 'P': o.admin_prefix = optarg; break;
        case 'L': o.admin_listen = optarg; break;
        case 'h': serve_usage(stdout); return 0;
        default: serve_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "opensharing serve: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    env_default(&o.config, "OPENSHARING_CONFIG");
    env_default(&o.data_dir, "OPENSHARING_DATA_DIR");
    env_default(&o.listen, "OPENSHARING_LISTEN");
    env_default(&o.prefix, "OPENSHARING_PREFIX");
    env_default(&o.tls_cert, "OPENSHARING_TLS_CERT");
    env_default(&o.tls_key, "OPENSHARING_TLS_KEY");
    env_default(&o.log_format, "OPENSHARING_LOG_FORMAT");
    env_default(&o.public_url, "OPENSHARING_PUBLIC_URL");
    env_default(&o.sample_dir, "OPENSHARING_SAMPLE_DIR");
    env_default(&threads_text, "OPENSHARING_THREADS");
    env_default(&ttl_text, "OPENSHARING_URL_TTL");

    os_arena arena = OS_ARENA_INIT;
    os_config cfg;
    os_err err;
    memset(&cfg, 0, sizeof cfg);
    cfg.server.dataset_refresh_s = -1;
    int rc = 1;
    cat_store *st = NULL;
    http_server *srv = NULL;
    recipient_api rapi = {NULL, NULL};
    snap_cache *scache = NULL;
    admin_wiring adm;
    memset(&adm, 0, sizeof adm);
    if (o.config && config_load(o.config, &arena, &cfg, &err) != 0) {
        fprintf(stderr, "opensharing serve: %s\n", err.msg);
        goto out;
    }
    cfg_default(&o.data_dir, cfg.server.data_dir);
    cfg_default(&o.listen, cfg.server.listen);
    cfg_default(&o.prefix, cfg.server.prefix);
    cfg_default(&o.tls_cert, cfg.server.tls_cert);
    cfg_default(&o.tls_key, cfg.server.tls_key);
    cfg_default(&o.log_format, cfg.server.log_format);
    cfg_default(&o.public_url, cfg.server.public_url);
    cfg_default(&o.data_dir, "./opensharing-data");
    cfg_default(&o.listen, "127.0.0.1:8080");
    cfg_default(&o.prefix, "/opensharing");
    cfg_default(&o.log_format, "json");
    cfg_default(&o.sample_dir, OS_SAMPLE_DIR);
    o.threads = cfg.server.threads ? cfg.server.threads : 8;
    if (threads_text) {
        char *end;
        long t = strtol(threads_text, &end, 10);
        if (*end != '\0' || t < 1 || t > 1024) {
            fprintf(stderr, "opensharing serve: --threads must be between 1 and 1024\n");
            rc = 2;
            goto out;
        }
        o.threads = (int)t;
    }
    o.url_ttl_s = cfg.server.url_ttl_s ? cfg.server.url_ttl_s : 3600;
    if (ttl_text) {
        char *end;
        long long t = strtoll(ttl_text, &end, 10);
        if (*end != '\0' || t < 1 || t > 604800) {
            fprintf(stderr, "opensharing serve: --url-ttl must be between 1 and 604800 seconds\n");
            rc = 2;
            goto out;
        }
        o.url_ttl_s = t;
    }
    if (strcmp(o.log_format, "json") && strcmp(o.log_format, "text")) {
        fprintf(stderr, "opensharing serve: --log-format must be json or text\n");
        rc = 2;
        goto out;
    }
    if ((o.tls_cert == NULL) != (o.tls_key == NULL)) {
        fprintf(stderr, "opensharing serve: --tls-cert and --tls-key go together\n");
        rc = 2;
        goto out;
    }
    char host[256];
    uint16_t port;
    if (cli_listen_parse(o.listen, host, sizeof host, &port) != 0) {
        fprintf(stderr, "opensharing serve: --listen must be HOST:PORT, got '%s'\n", o.listen);
        rc = 2;
        goto out;
    }
    char prefix[1024];
    normalise_prefix(o.prefix, prefix, sizeof prefix);
    os_log_configure(!strcmp(o.log_format, "json"), OS_LOG_INFO);

    if (mkdir(o.data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "opensharing serve: cannot create data directory %s: %s\n", o.data_dir,
                strerror(errno));
        goto out;
    }
    char dbpath[PATH_MAX];
    snprintf(dbpath, sizeof dbpath, "%s/catalog.db", o.data_dir);
    if ((st = store_open(dbpath, &err)) == NULL) {
        fprintf(stderr, "opensharing serve: %s\n", err.msg);
        goto out;
    }
    /* How long a catalog write waits for another process's lock before the
     * request is answered 503 with Retry-After. */
    const char *busy = getenv("OPENSHARING_CATALOG_BUSY_MS");
    if (busy != NULL) {
        char *end;
        long ms = strtol(busy, &end, 10);
        if (*busy == '\0' || *end != '\0' || ms < 1 || ms > 600000) {
            fprintf(stderr, "opensharing serve: OPENSHARING_CATALOG_BUSY_MS must be 1 to 600000\n");
            goto out;
        }
        store_set_busy_timeout(st, (int)ms);
    }
    int demo = o.config == NULL;
    if (demo && demo_config_build(o.data_dir, o.sample_dir, &arena, &cfg, &err) != 0) {
        fprintf(stderr, "opensharing serve: %s\n", err.msg);
        goto out;
    }
    if (config_apply(&cfg, st, &err) != 0) {
        fprintf(stderr, "opensharing serve: %s\n", err.msg);
        goto out;
    }
    char admin_token_file[PATH_MAX + 32] = "";
    if (demo && demo_admin_token_ensure(o.data_dir, admin_token_file, sizeof admin_token_file,
                                        &err) != 0) {
        fprintf(stderr, "opensharing serve: %s\n", err.msg);
        goto out;
    }
    if (admin_wiring_setup(&adm, o.config, o.admin_prefix, o.admin_listen, o.data_dir, prefix,
                           demo ? admin_token_file : NULL, st, &arena, &err) != 0) {
        fprintf(stderr, "opensharing serve: %s\n", err.msg);
        goto out;
    }
    sharing_service svc;
    memset(&svc, 0, sizeof svc);
    svc.store = st;
    svc.max_results_cap = 1000;
    svc.page_token_ttl_ms = 24LL * 3600 * 1000;
    svc.url_ttl_ms = o.url_ttl_s * 1000;
    svc.max_files_cap = 10000;
    {
        /* Reconciled snapshots of full queries; OPENSHARING_SNAPSHOT_CACHE_MB=0 turns it off. */
        const char *mb = getenv("OPENSHARING_SNAPSHOT_CACHE_MB");
        long long limit = mb && *mb ? atoll(mb) : 4096;
        if (limit > 0) {
            char dir[PATH_MAX];
            snprintf(dir, sizeof dir, "%s/snapshot-cache", o.data_dir);
            if ((scache = snap_cache_open(dir, (uint64_t)limit << 20, 0, &err)) == NULL)
                os_log(OS_LOG_WARN, "snapshot cache off: %s", err.msg);
            svc.snap_cache = scache;
        }
    }
    svc.dataset_refresh_ms = (cfg.server.dataset_refresh_s >= 0 ? cfg.server.dataset_refresh_s : 60) * 1000;
    uint8_t server_key[SERVER_KEY_LEN];
    if (server_key_load(o.data_dir, server_key, &err) != 0) {
        fprintf(stderr, "opensharing serve: %s\n", err.msg);
        goto out;
    }
    /* One secret, separate derived keys: page tokens and file URLs never share one. */
    memcpy(svc.page_key, server_key, sizeof svc.page_key);
    local_files_ctx files_ctx;
    memset(&files_ctx, 0, sizeof files_ctx);
    local_url_key_derive(server_key, sizeof server_key, files_ctx.key);
    memcpy(svc.local_url_key, files_ctx.key, sizeof svc.local_url_key);
    memset(server_key, 0, sizeof server_key);
    char *cert = NULL, *key = NULL;
    if (o.tls_cert) {
        cert = read_file_text(o.tls_cert, &err);
        key = cert ? read_file_text(o.tls_key, &err) : NULL;
        if (key == NULL) {
            free(cert);
            fprintf(stderr, "opensharing serve: %s\n", err.msg);
            goto out;
        }
    }

    /* Block the stop signals in every thread; main waits for them below. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Discovery answers kept per catalog generation: 4096 of them, 16 MiB at
     * most (without it every answer is simply rendered each time). */
    rapi.svc = &svc;
    rapi.answers = answer_cache_new(4096, 16u << 20);
    size_t nrecipient, ntable, nassetfiles, ncred, nfiles, nhealth;
    const http_route *rroutes = recipient_api_routes(&nrecipient);
    const http_route *troutes = table_api_routes(&ntable);
    const http_route *aroutes = asset_files_routes(&nassetfiles);
    const http_route *croutes = credential_routes(&ncred);
    const http_route *froutes = local_files_routes(&nfiles);
    const http_route *hroutes = health_routes(&nhealth);
    size_t nice;
    const http_route *iroutes = iceberg_api_routes(&nice);
    char ice_prefix[1100];
    snprintf(ice_prefix, sizeof ice_prefix, "%s" ICEBERG_API_MOUNT, prefix);
    http_mount mounts[] = {
        {prefix, rroutes, nrecipient, &rapi},
        {prefix, troutes, ntable, &rapi},
        {prefix, aroutes, nassetfiles, &rapi},
        {prefix, croutes, ncred, &rapi},
        {prefix, froutes, nfiles, &files_ctx},
        {ice_prefix, iroutes, nice, &rapi},
        {"", hroutes, nhealth, st},
        {0}, {0},   /* provider administration: public routes, then admin routes */
    };
    size_t nmounts = sizeof mounts / sizeof mounts[0] - 2;
    size_t nadmin = admin_wiring_mounts(&adm, &mounts[nmounts]);
    admin_wiring_describe(&adm, mounts, nmounts + 1);
    nmounts += nadmin;
    http_server_config hc;
    memset(&hc, 0, sizeof hc);
    hc.host = host;
    hc.port = port;
    hc.threads = (unsigned)o.threads;
    hc.max_header_bytes = 64 * 1024;
    hc.max_body_bytes = 1024 * 1024;
    hc.idle_timeout_s = 60;
    hc.tls_cert_pem = cert;
    hc.tls_key_pem = key;
    hc.access_log = 1;
    hc.error_responder = api_error_responder;
    srv = http_server_start(&hc, mounts, nmounts, &err);
    if (srv != NULL && admin_wiring_start(&adm, &hc, &err) != 0) {
        free(cert);
        free(key);
        fprintf(stderr, "opensharing serve: %s\n", err.msg);
        goto out;
    }
    free(cert);
    free(key);
    if (srv == NULL) {
        fprintf(stderr, "opensharing serve: %s\n", err.msg);
        goto out;
    }
    char base[600];
    if (o.public_url) {
        size_t n = strlen(o.public_url);
        while (n > 0 && o.public_url[n - 1] == '/')
            n--;
        snprintf(base, sizeof base, "%.*s", (int)n, o.public_url);
    } else {
        int v6 = strchr(host, ':') != NULL;
        snprintf(base, sizeof base, "%s://%s%s%s:%u", o.tls_cert ? "https" : "http", v6 ? "[" : "",
                 host, v6 ? "]" : "", http_server_port(srv));
    }
    char endpoint[1700];
    snprintf(endpoint, sizeof endpoint, "%s%s/", base, prefix);
    /* Local files are served by this server under the prefix.  Clients learn
     * the port only from the lines printed below, after this is set. */
    char files_base[1700];
    snprintf(files_base, sizeof files_base, "%s%s", base, prefix);
    svc.files_base = files_base;
    os_log(OS_LOG_INFO, "listening on %s (protocol endpoint %s)", base, endpoint);
    admin_wiring_announce(&adm, base, endpoint, o.tls_cert != NULL);
    printf("opensharing: serving %s\n", endpoint);
    if (demo) {
        char profile[PATH_MAX + 32];
        if (demo_profile_ensure(st, o.data_dir, endpoint, profile, sizeof profile, &err) != 0) {
            fprintf(stderr, "opensharing serve: %s\n", err.msg);
            goto out;
        }
        printf("opensharing: recipient profile: %s\n", profile);
        printf("opensharing: admin token (for 'opensharing admin --token'): %s\n", admin_token_file);
        printf("opensharing: try it:\n"
               "  curl -s -H \"Authorization: Bearer $(sed -n 's/.*\"bearerToken\": *\"\\([^\"]*\\)\".*/\\1/p' %s)\" %sshares\n",
               profile, endpoint);
    }
    fflush(stdout);
    int sig = 0;
    /* SIGHUP: logrotate moved audit.jsonl; write to a new one. */
    while (sigwait(&stop, &sig) == 0 && sig == SIGHUP) {
        os_log(OS_LOG_INFO, "received SIGHUP: reopening the audit log");
        audit_sink_reopen(audit_sink_installed());
    }
    os_log(OS_LOG_INFO, "received %s: draining in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    rc = 0;
out:
    http_server_stop(srv, 10000);
    answer_cache_free(rapi.answers);
    iceberg_rest_cache_clear();
    admin_wiring_stop(&adm);
    snap_cache_close(scache);
    store_close(st);
    os_arena_free(&arena);
    return rc;
}
