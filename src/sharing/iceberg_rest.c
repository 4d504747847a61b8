/* iceberg_rest.c - the Iceberg REST catalog over shares: names to shares, schemas and tables; metadata and vended credentials. */
#include "sharing/iceberg_rest.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/crypto.h"
#include "base/strutil.h"
#include "formats/iceberg/iceberg.h"
#include "json/jw.h"
#include "sharing/credentials.h"
#include "sharing/file_access.h"

/* The routes served, as getConfig lists them (the REST spec's "endpoints"). */
static const char *const ENDPOINTS[] = {
    "GET /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    NULL,
};

int iceberg_rest_config(sharing_service *svc, const sharing_caller *who, const char *warehouse,
                        os_arena *a, json_t **out, os_err *err)
{
    if (warehouse == NULL || warehouse[0] == '\0')
        return os_err_set(err, OS_EINVAL, "the warehouse parameter is required: set the catalog's "
                          "warehouse to the name of a share");
    json_t *share;
    if (sharing_share_get(svc, who, warehouse, a, &share, err) != 0)
        return -1;
    const char *name = json_string_value(json_object_get(json_object_get(share, "share"), "name"));
    json_t *eps = json_array();
    for (int i = 0; ENDPOINTS[i]; i++)
        json_array_append_new(eps, json_string(ENDPOINTS[i]));
    *out = json_pack("{s:{},s:{s:s+},s:o}", "defaults", "overrides", "prefix", "shares/",
                     name ? name : warehouse, "endpoints", eps);
    json_decref(share);
    return *out ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
}

bool iceberg_rest_namespace_valid(const char *ns)
{
    return ns != NULL && ns[0] != '\0' && strchr(ns, 0x1f) == NULL;
}

/* Namespaces are one level: a name holding the multi-level separator (0x1F)
 * names nothing here. */
static int one_level(const char *ns, os_err *err)
{
    if (!iceberg_rest_namespace_valid(ns))
        return os_err_set(err, OS_ENOTFOUND, "namespace does not exist: shares have one-level "
                          "namespaces (their schemas)");
    return 0;
}

int iceberg_rest_namespaces(sharing_service *svc, const sharing_caller *who, const char *share,
                            const char *parent, const char *page_size, const char *page_token,
                            os_arena *a, json_t **out, os_err *err)
{
    if (parent && parent[0]) {
        cat_schema *sc;
        if (one_level(parent, err) != 0 || sharing_schema_get(svc, who, share, parent, a, &sc, err) != 0)
            return -1;
        *out = json_pack("{s:[]}", "namespaces");
        return *out ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
    }
    sharing_page_req pg = {page_size, page_token};
    sharing_page p;
    if (sharing_schemas_page(svc, who, share, &pg, a, &p, err) != 0)
        return -1;
    json_t *list = json_array();
    for (int i = 0; i < p.count; i++)
        json_array_append_new(list, json_pack("[s]", ((const cat_schema *)p.items[i])->name));
    *out = json_pack("{s:o}", "namespaces", list);
    if (p.next_token)
        json_object_set_new(*out, "next-page-token", json_string(p.next_token));
    return 0;
}

int iceberg_rest_namespace(sharing_service *svc, const sharing_caller *who, const char *share,
                           const char *ns, os_arena *a, json_t **out, os_err *err)
{
    cat_schema *sc;
    if (one_level(ns, err) != 0 || sharing_schema_get(svc, who, share, ns, a, &sc, err) != 0)
        return -1;
    *out = json_pack("{s:[s],s:{}}", "namespace", sc->name, "properties");
    return *out ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
}

static bool is_iceberg(const cat_asset *x)
{
    return x->format && strcmp(x->format, "iceberg") == 0;
}

int iceberg_rest_tables(sharing_service *svc, const sharing_caller *who, const char *share,
                        const char *ns, const char *page_size, const char *page_token, os_arena *a,
                        json_t **out, os_err *err)
{
    if (one_level(ns, err) != 0)
        return -1;
    sharing_page_req pg = {page_size, page_token};
    sharing_page p;
    if (sharing_assets_page(svc, who, CAT_ASSET_TABLE, share, ns, &pg, a, &p, err) != 0)
        return -1;
    json_t *ids = json_array();
    for (int i = 0; i < p.count; i++) {
        const cat_asset *x = p.items[i];
        if (is_iceberg(x))
            json_array_append_new(ids, json_pack("{s:[s],s:s}", "namespace", x->schema_name, "name", x->name));
    }
    *out = json_pack("{s:o}", "identifiers", ids);
    if (p.next_token)
        json_object_set_new(*out, "next-page-token", json_string(p.next_token));
    return 0;
}

/* ---- one table ------------------------------------------------------------- */

typedef struct open_table {
    cat_asset *x;
    file_access fa;
    objstore store;
    bool fa_open, store_open;
    iceberg_table t;
    bool t_open;
    const char *base;              /* the table's location as recipients see it */
} open_table;

static void table_close(open_table *o)
{
    if (o->t_open)
        iceberg_table_close(&o->t);
    if (o->store_open)
        objstore_close(&o->store);
    if (o->fa_open)
        file_access_close(&o->fa);
}

/* Resolves an Iceberg table of a granted share and opens its store (not its metadata yet). */
static int table_resolve(sharing_service *svc, const sharing_caller *who, const char *share, const char *ns,
                         const char *table, os_arena *a, open_table *o, os_err *err)
{
    memset(o, 0, sizeof *o);
    if (one_level(ns, err) != 0 ||
        sharing_resolve_asset(svc, who, CAT_ASSET_TABLE, share, ns, table, a, &o->x, err) != 0)
        return -1;
    if (!is_iceberg(o->x))
        return os_err_set(err, OS_ENOTFOUND, "table '%s' is shared in %s format: read it through the "
                          "Delta Sharing API", o->x->name, o->x->format ? o->x->format : "delta");
    if (file_access_open(svc, o->x->location,
                         &(local_url_claims){who->recipient_id, who->recipient_name, o->x->share_name,
                                             o->x->schema_name, o->x->name},
                         a, &o->fa, err) != 0)
        return -1;
    o->fa_open = true;
    if (file_access_store(&o->fa, &o->store, err) != 0)
        return -1;
    o->store_open = true;
    /* Local disks: a logical name, so no server path reaches a recipient. */
    size_t n = strlen(o->x->location);
    while (n > 0 && o->x->location[n - 1] == '/')
        n--;
    o->base = strncmp(o->x->location, "file:", 5) == 0
                  ? os_arena_sprintf(a, "opensharing://shares/%s/%s/%s", o->x->share_name, o->x->schema_name,
                                     o->x->name)
                  : os_arena_strndup(a, o->x->location, n);
    return o->base ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
}

/* Reads the table's metadata file (metadata_key, or the provider's choice). */
static int table_read_metadata(open_table *o, const char *metadata_key, os_err *err)
{
    if (iceberg_table_open(&o->t, &o->store, "", metadata_key ? metadata_key : o->x->metadata_location,
                           NULL, err) != 0)
        return -1;
    o->t_open = true;
    return 0;
}


/* ---- the loadTable cache ----------------------------------------------------
 *
 * A metadata file is never rewritten (a commit writes a new one), so the
 * metadata a loadTable answers is a pure function of the file read, where the
 * table is shown and the snapshots mode.  Big tables have metadata files of
 * megabytes; parsing and re-rooting them per request cost ~0.4 s for 10,000
 * snapshots, so the rendered text is kept for the few tables last loaded.
 * Entries are shared by reference count and never modified. */

#define LOAD_CACHE_ENTRIES 16
#define LOAD_CACHE_BYTES (128u << 20)

typedef struct rendered {
    int refs;                      /* under g_cache.lock */
    int64_t snapshot_id;
    size_t len;
    char *ident;
    char text[];
} rendered;

static struct {
    pthread_mutex_t lock;
    rendered *slot[LOAD_CACHE_ENTRIES];
    uint64_t used[LOAD_CACHE_ENTRIES];
    uint64_t clock;
    size_t bytes;
} g_cache = {PTHREAD_MUTEX_INITIALIZER, {0}, {0}, 0, 0};

static void rendered_release(rendered *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&g_cache.lock);
    int left = --r->refs;
    pthread_mutex_unlock(&g_cache.lock);
    if (left == 0) {
        free(r->ident);
        free(r);
    }
}

/* A referenced entry for ident, or NULL. */
static rendered *cache_get(const char *ident)
{
    rendered *hit = NULL;
    pthread_mutex_lock(&g_cache.lock);
    for (int i = 0; i < LOAD_CACHE_ENTRIES; i++)
        if (g_cache.slot[i] && strcmp(g_cache.slot[i]->ident, ident) == 0) {
            hit = g_cache.slot[i];
            hit->refs++;
            g_cache.used[i] = ++g_cache.clock;
            break;
        }
    pthread_mutex_unlock(&g_cache.lock);
    return hit;
}

/* Keeps r (the cache takes a reference) unless it alone exceeds the budget;
 * evicts the least recently used entries to make room. */
static void cache_put(rendered *r)
{
    if (r->len > LOAD_CACHE_BYTES / 4)
        return;
    rendered *evicted[LOAD_CACHE_ENTRIES];
    int ne = 0;
    pthread_mutex_lock(&g_cache.lock);
    for (;;) {
        int empty = -1, lru = -1;
        for (int i = 0; i < LOAD_CACHE_ENTRIES; i++) {
            if (g_cache.slot[i] == NULL) {
                if (empty < 0)
                    empty = i;
            } else if (lru < 0 || g_cache.used[i] < g_cache.used[lru]) {
                lru = i;
            }
        }
        if (empty >= 0 && g_cache.bytes + r->len <= LOAD_CACHE_BYTES) {
            r->refs++;
            g_cache.slot[empty] = r;
            g_cache.used[empty] = ++g_cache.clock;
            g_cache.bytes += r->len;
            break;
        }
        if (lru < 0)
            break;
        g_cache.bytes -= g_cache.slot[lru]->len;
        evicted[ne++] = g_cache.slot[lru];
        g_cache.slot[lru] = NULL;
    }
    pthread_mutex_unlock(&g_cache.lock);
    for (int i = 0; i < ne; i++)
        rendered_release(evicted[i]);
}

void iceberg_rest_cache_clear(void)
{
    for (int i = 0; i < LOAD_CACHE_ENTRIES; i++) {
        pthread_mutex_lock(&g_cache.lock);
        rendered *r = g_cache.slot[i];
        g_cache.slot[i] = NULL;
        if (r)
            g_cache.bytes -= r->len;
        pthread_mutex_unlock(&g_cache.lock);
        rendered_release(r);
    }
}

/* The metadata loadTable answers for this table and metadata file: from the
 * cache, else read, re-rooted and kept.  Returns a reference or NULL. */
static rendered *metadata_rendered(open_table *o, const char *key, bool refs_only, os_arena *a, os_err *err)
{
    const char *ident = os_arena_sprintf(a, "%s|%s|%s|%s", o->x->uuid, o->base, key, refs_only ? "refs" : "all");
    if (ident == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    rendered *r = cache_get(ident);
    if (r)
        return r;
    if (table_read_metadata(o, key, err) != 0)
        return NULL;
    char *meta = iceberg_metadata_json(&o->t, o->base, refs_only, err);
    if (meta == NULL)
        return NULL;
    size_t len = strlen(meta);
    r = malloc(sizeof *r + len + 1);
    if (r == NULL || (r->ident = strdup(ident)) == NULL) {
        free(r);
        free(meta);
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(r->text, meta, len + 1);
    free(meta);
    r->len = len;
    r->refs = 1;
    const iceberg_snapshot *cur = iceberg_snapshot_current(&o->t);
    r->snapshot_id = cur ? cur->snapshot_id : -1;
    cache_put(r);
    return r;
}

/* The storage account host Iceberg clients key an Azure SAS by: the host of the
 * table's location (abfss://container@HOST/path), else that of the container
 * URL the SAS is for.  host is "" when neither has one. */
static void azure_host(const char *location, const char *container_url, char *host, size_t cap)
{
    const char *h = strstr(location, "://");
    size_t n = 0;
    if (h) {
        h += 3;
        size_t auth = strcspn(h, "/");
        const char *at = memchr(h, '@', auth);
        if (at) {
            n = auth - (size_t)(at + 1 - h);
            h = at + 1;
        }
    }
    if (n == 0) {
        h = strstr(container_url ? container_url : "", "://");
        h = h ? h + 3 : "";
        n = strcspn(h, "/");
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(host, h, n);
    host[n] = '\0';
}

/* adls.sas-token.HOST and adls.sas-token-expires-at-ms.HOST. */
static void azure_keys(json_t *cfg, const char *host, const char *sas, const char *exp)
{
    char key[320];
    snprintf(key, sizeof key, "adls.sas-token.%s", host);
    json_object_set_new(cfg, key, json_string(sas));
    snprintf(key, sizeof key, "adls.sas-token-expires-at-ms.%s", host);
    json_object_set_new(cfg, key, json_string(exp));
}

/* The Iceberg client properties of vended credentials (FileIO's keys) for a
 * table at location. */
static json_t *credential_config(const sharing_dir_grant *g, const char *location)
{
    const url_dir_credentials *c = &g->creds;
    json_t *cfg = json_object();
    char exp[24];
    snprintf(exp, sizeof exp, "%" PRId64, c->expires_at_ms);
    switch ((int)c->kind) {
    case URL_DIR_AZURE_SAS: {
        /* Keyed by the account's host as the location names it, and by its
         * twin: engines reach ADLS through both the dfs and the blob host. */
        char host[256], twin[264] = "";
        azure_host(location, c->container_url, host, sizeof host);
        const char *dfs = strstr(host, ".dfs."), *blob = strstr(host, ".blob.");
        if (dfs)
            snprintf(twin, sizeof twin, "%.*s.blob.%s", (int)(dfs - host), host, dfs + 5);
        else if (blob)
            snprintf(twin, sizeof twin, "%.*s.dfs.%s", (int)(blob - host), host, blob + 6);
        azure_keys(cfg, host, c->sas, exp);
        if (twin[0])
            azure_keys(cfg, twin, c->sas, exp);
        json_object_set_new(cfg, "adls.sas-token-expires-at-ms", json_string(exp));
        break;
    }
    case URL_DIR_GCS_TOKEN:
        json_object_set_new(cfg, "gcs.oauth2.token", json_string(c->oauth_token));
        json_object_set_new(cfg, "gcs.oauth2.token-expires-at", json_string(exp));
        break;
    default:   /* S3 and S3-compatible stores (MinIO, R2, ...) */
        json_object_set_new(cfg, "s3.access-key-id", json_string(c->access_key_id));
        json_object_set_new(cfg, "s3.secret-access-key", json_string(c->secret_access_key));
        if (c->session_token && c->session_token[0])
            json_object_set_new(cfg, "s3.session-token", json_string(c->session_token));
        json_object_set_new(cfg, "s3.session-token-expires-at-ms", json_string(exp));
        if (g->endpoint)
            json_object_set_new(cfg, "s3.endpoint", json_string(g->endpoint));
        if (g->region) {
            json_object_set_new(cfg, "s3.region", json_string(g->region));
            json_object_set_new(cfg, "client.region", json_string(g->region));
        }
        json_object_set_new(cfg, "s3.path-style-access", json_string(g->path_style ? "true" : "false"));
        break;
    }
    return cfg;
}

/* [{"prefix": base, "config": {...}}] for the table's location, and the same
 * keys merged into config. */
static int vend(sharing_service *svc, const sharing_caller *who, open_table *o, os_arena *a,
                json_t *config, json_t **creds, os_err *err)
{
    sharing_dir_grant g;
    if (sharing_dir_grant_vend(svc, who, o->x->location, a, &g, err) != 0)
        return -1;
    json_t *cfg = credential_config(&g, o->x->location);
    sharing_dir_grant_free(&g);
    if (config)
        json_object_update(config, cfg);
    *creds = json_pack("[{s:s,s:o}]", "prefix", o->base, "config", cfg);
    return *creds ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
}

int iceberg_rest_load_table(sharing_service *svc, const sharing_caller *who, const iceberg_load_req *r,
                            os_arena *a, iceberg_load_answer *ans, os_err *err)
{
    memset(ans, 0, sizeof *ans);
    ans->snapshot_id = -1;
    bool refs_only = false;
    if (r->snapshots && strcmp(r->snapshots, "refs") == 0)
        refs_only = true;
    else if (r->snapshots && strcmp(r->snapshots, "all") != 0)
        return os_err_set(err, OS_EINVAL, "snapshots must be 'all' or 'refs', got '%.40s'", r->snapshots);
    open_table o;
    int rc = table_resolve(svc, who, r->share, r->ns, r->table, a, &o, err);
    char *key = NULL;
    rendered *meta = NULL;
    json_t *config = NULL, *creds = NULL;
    if (rc == 0 && o.x->metadata_location == NULL)
        rc = iceberg_metadata_find(&o.store, "", &key, err);
    const char *mkey = key ? key : rc == 0 ? o.x->metadata_location : NULL;
    if (rc == 0) {
        /* A new metadata file is a new version: the tag follows its name. */
        char hex[65];
        const char *tagged = os_arena_sprintf(a, "%s/%s|%s", o.base, mkey, refs_only ? "refs" : "all");
        os_sha256_hex(tagged ? tagged : "", tagged ? strlen(tagged) : 0, hex);
        snprintf(ans->etag, sizeof ans->etag, "\"%.32s\"", hex);
        meta = metadata_rendered(&o, mkey, refs_only, a, err);
        config = json_object();
        if (meta == NULL || config == NULL)
            rc = -1;
        else
            ans->snapshot_id = meta->snapshot_id;
    }
    if (rc == 0 && r->if_none_match && strstr(r->if_none_match, ans->etag)) {
        ans->not_modified = true;
        rendered_release(meta);
        json_decref(config);
        free(key);
        table_close(&o);
        return 0;
    }
    if (rc == 0 && r->credentials_url)
        json_object_set_new(config, "client.refresh-credentials-endpoint", json_string(r->credentials_url));
    if (rc == 0 && r->vended && strncmp(o.x->location, "file:", 5) != 0) {
        rc = vend(svc, who, &o, a, config, &creds, err);
        ans->vended = rc == 0;
    }
    if (rc == 0) {
        /* The stored metadata is spliced in as it is, not parsed again. */
        const char *loc = os_arena_sprintf(a, "%s/%s", o.base, mkey);
        char *cfg = json_dumps(config, JSON_COMPACT);
        char *crd = creds ? json_dumps(creds, JSON_COMPACT) : NULL;
        os_buf h = OS_BUF_INIT, t = OS_BUF_INIT;
        os_buf_puts(&h, "{\"metadata-location\":");
        jw_escape(&h, loc ? loc : "", loc ? strlen(loc) : 0);
        os_buf_puts(&h, ",\"metadata\":");
        os_buf_puts(&t, ",\"config\":");
        os_buf_puts(&t, cfg ? cfg : "{}");
        if (crd) {
            os_buf_puts(&t, ",\"storage-credentials\":");
            os_buf_puts(&t, crd);
        }
        int bad = os_buf_putc(&t, '}') != 0 || h.data == NULL || loc == NULL || cfg == NULL ||
                  (creds && crd == NULL);
        free(cfg);
        free(crd);
        if (bad) {
            os_buf_free(&h);
            os_buf_free(&t);
            rc = os_err_set(err, OS_ENOMEM, "out of memory");
        } else {
            ans->head = os_buf_detach(&h);
            ans->tail = os_buf_detach(&t);
            ans->metadata = meta;
            meta = NULL;   /* the answer holds the reference now */
        }
    }
    json_decref(config);
    json_decref(creds);
    rendered_release(meta);
    free(key);
    table_close(&o);
    return rc;
}

int iceberg_rest_credentials(sharing_service *svc, const sharing_caller *who, const char *share,
                             const char *ns, const char *table, os_arena *a, json_t **out, os_err *err)
{
    open_table o;
    int rc = table_resolve(svc, who, share, ns, table, a, &o, err);
    json_t *creds = NULL;
    if (rc == 0 && strncmp(o.x->location, "file:", 5) == 0)
        rc = os_err_set(err, OS_EUNSUPPORTED, "this table is on the provider's local storage, which "
                        "has no credentials to vend; read it through the Delta Sharing API");
    if (rc == 0)
        rc = vend(svc, who, &o, a, NULL, &creds, err);
    if (rc == 0)
        *out = json_pack("{s:o}", "storage-credentials", creds);
    table_close(&o);
    return rc;
}

int iceberg_rest_metrics_parse(const char *body, size_t len, int64_t *snapshot_id, os_err *err)
{
    *snapshot_id = -1;
    json_error_t je;
    json_t *doc = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, &je);
    int rc = 0;
    if (!json_is_object(doc))
        rc = os_err_set(err, OS_EINVAL, "the body must be a ReportMetricsRequest JSON object");
    const char *type = json_string_value(json_object_get(doc, "report-type"));
    json_t *sid = json_object_get(doc, "snapshot-id");
    if (rc == 0 && (type == NULL || (strcmp(type, "scan-report") && strcmp(type, "commit-report"))))
        rc = os_err_set(err, OS_EINVAL, "report-type must be 'scan-report' or 'commit-report'");
    if (rc == 0 && !json_is_string(json_object_get(doc, "table-name")))
        rc = os_err_set(err, OS_EINVAL, "table-name is required");
    if (rc == 0 && !json_is_integer(sid))
        rc = os_err_set(err, OS_EINVAL, "snapshot-id must be an integer");
    if (rc == 0 && !json_is_object(json_object_get(doc, "metrics")))
        rc = os_err_set(err, OS_EINVAL, "metrics must be an object");
    if (rc == 0 && strcmp(type, "commit-report") == 0)
        rc = os_err_set(err, OS_EINVAL, "shared tables are read-only: there are no commits to report");
    if (rc == 0)
        *snapshot_id = json_integer_value(sid);
    json_decref(doc);
    return rc;
}

int iceberg_rest_metrics(sharing_service *svc, const sharing_caller *who, const char *share,
                         const char *ns, const char *table, const char *body, size_t len, os_arena *a,
                         int64_t *snapshot_id, os_err *err)
{
    *snapshot_id = -1;
    cat_asset *x;
    if (one_level(ns, err) != 0 ||
        sharing_resolve_asset(svc, who, CAT_ASSET_TABLE, share, ns, table, a, &x, err) != 0)
        return -1;
    if (!is_iceberg(x))
        return os_err_set(err, OS_ENOTFOUND, "table '%s' is not an Iceberg table", x->name);
    return iceberg_rest_metrics_parse(body, len, snapshot_id, err);
}

size_t iceberg_load_answer_read(iceberg_load_answer *ans, char *buf, size_t max)
{
    size_t done = 0;
    while (done < max && ans->part < 3) {
        const char *src;
        size_t len;
        if (ans->part == 0) {
            src = ans->head;
            len = src ? strlen(src) : 0;
        } else if (ans->part == 1) {
            const rendered *r = ans->metadata;
            src = r ? r->text : NULL;
            len = r ? r->len : 0;
        } else {
            src = ans->tail;
            len = src ? strlen(src) : 0;
        }
        size_t n = len - ans->offset < max - done ? len - ans->offset : max - done;
        if (n)
            memcpy(buf + done, src + ans->offset, n);
        done += n;
        ans->offset += n;
        if (ans->offset == len) {
            ans->part++;
            ans->offset = 0;
        }
    }
    return done;
}

void iceberg_load_answer_free(iceberg_load_answer *ans)
{
    if (ans == NULL)
        return;
    free(ans->head);
    free(ans->tail);
    rendered_release(ans->metadata);
    ans->head = ans->tail = NULL;
    ans->metadata = NULL;
}
