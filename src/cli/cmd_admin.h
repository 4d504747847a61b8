/* cmd_admin.h - how `opensharing serve` wires provider administration in: settings, admin principals, audit sink, mounts, optional admin listener. */
#ifndef OS_CLI_CMD_ADMIN_H
#define OS_CLI_CMD_ADMIN_H

#include <stddef.h>

#include <jansson.h>

#include "api/admin/admin_api.h"
#include "net/http.h"
#include "sharing/audit.h"

typedef struct admin_wiring {
    admin_api api;
    audit_sink *sink;
    http_server *srv;          /* the separate admin listener, when configured */
    char listen_host[256];
    uint16_t listen_port;
    int separate;
    http_mount admin_mount;
    http_mount public_mount;
} admin_wiring;

/* Reads the config's admin sections (config_path may be NULL), applies
 * --admin-prefix / --admin-listen (flags, then OPENSHARING_ADMIN_PREFIX /
 * OPENSHARING_ADMIN_LISTEN, then the config), stores the admin principals'
 * hashes, opens DATA_DIR/audit.jsonl and installs the audit sink.  Returns 0
 * or -1 with err (usage problems are OS_EINVAL).  When the config declares no
 * admin principal and fallback_token_file is not NULL, a principal
 * "demo-admin" whose token is read from that file is used instead (the
 * embedded default). */
int admin_wiring_setup(admin_wiring *w, const char *config_path, const char *prefix_flag,
                       const char *listen_flag, const char *data_dir, const char *protocol_prefix,
                       const char *fallback_token_file, cat_store *st, os_arena *a, os_err *err);
/* Writes the mounts the main server serves into out (room for 2): the public
 * mount (activation, protocol OpenAPI) and, without a separate listener, the
 * admin mount last.  Returns how many. */
size_t admin_wiring_mounts(admin_wiring *w, http_mount *out);
/* Tells the protocol OpenAPI document which mounts to describe. */
void admin_wiring_describe(admin_wiring *w, const http_mount *mounts, size_t n);
/* Starts the separate admin listener when configured (same TLS and limits as
 * base).  Returns 0 or -1 with err. */
int admin_wiring_start(admin_wiring *w, const http_server_config *base, os_err *err);
/* Records the public base URL ("scheme://host:port") and the protocol
 * endpoint (ending in '/') used in activation URLs and profile files, and
 * prints where the admin API answers. */
void admin_wiring_announce(admin_wiring *w, const char *base, const char *endpoint, int tls);
/* Stops the admin listener and closes the audit sink. */
void admin_wiring_stop(admin_wiring *w);

/* ---- the `opensharing admin` client (cmd_admin.c, cmd_admin_http.c) ---- */

/* Exit codes of `opensharing admin`. */
#define ADMIN_EXIT_OK 0
#define ADMIN_EXIT_USAGE 2
#define ADMIN_EXIT_REFUSED 3      /* the server answered 4xx */
#define ADMIN_EXIT_SERVER 4       /* 5xx, network or protocol failure */

typedef struct admin_client {
    const char *server;          /* base URL of the admin API, e.g. http://127.0.0.1:8080/admin */
    const char *token;
    int json;                    /* print raw JSON */
} admin_client;

/* Sends one request (body may be NULL) to server + path and parses the JSON
 * answer into *out (NULL for an empty body).  Returns ADMIN_EXIT_OK on 2xx;
 * otherwise prints the server's errorCode and message (or the network error)
 * to stderr and returns ADMIN_EXIT_REFUSED or ADMIN_EXIT_SERVER. */
int admin_client_call(const admin_client *c, const char *method, const char *path, json_t *body,
                      json_t **out);
/* Percent-encodes one path segment or query value (heap string). */
char *admin_client_escape(const char *s);
/* Prints rows as an aligned text table: `cols` headers, then rows of cols
 * strings each (NULL prints "-"). */
void admin_print_table(const char *const *headers, size_t cols, const char *const *cells, size_t rows);

#endif
