/* table_read.c - answers version, metadata, query and changes for a shared table (Delta, Iceberg or a Parquet dataset). */
#include "sharing/table_read.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth/page_token.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/timeutil.h"
#include "formats/delta/delta.h"
#include "formats/delta/dv_path.h"
#include "sharing/file_access.h"
#include "sharing/image_lines.h"
#include "sharing/line_stream.h"
#include "sharing/scan_pipeline.h"
#include "sharing/snap_cache.h"
#include "sharing/table_actions.h"
#include "sharing/table_request.h"
#include "sharing/table_source.h"

#define REFRESH_TOKEN_TTL_MS (7LL * 24 * 3600 * 1000)

/* ---- the job: everything a read needs, owned by one object --------------- */

typedef struct read_job {
    os_arena arena;
    sharing_service *svc;
    int64_t recipient_id;
    cat_asset *asset;
    file_access fa;
    objstore store;
    int store_open;
    table_source src;
    void *snap;                 /* the source's snapshot */
    delta_predicate *pred;
    resp_format fmt;
    int end_stream;
    /* snapshot queries */
    int64_t limit_hint;
    int64_t meta_version;       /* version field on the metadata line, or -1 */
    int64_t file_version;       /* version/timestamp on file lines (time travel), or -1 */
    int64_t file_timestamp;
    int include_refresh;
    /* history (query startingVersion, changes) */
    int history;
    int cdf;
    int historical_metadata;
    int64_t start_version, end_version;
    /* paging over file lines */
    int64_t offset;
    int64_t max_files;          /* -1: unlimited */
    const char *page_listing;
    /* progress */
    int64_t seen, emitted;
    int64_t min_expiry;
    int more;
    os_buf line, url, dv_url, key, aux;
    line_sink *sink;
    delta_image_writer *image;  /* the snapshot image this full query writes, or NULL */
    delta_image_writer *pipe_image;   /* the same while the scan pipeline writes it by blocks */
    int pipe_image_failed;
} read_job;

static void job_free(void *p)
{
    read_job *j = p;
    if (j == NULL)
        return;
    delta_predicate_free(j->pred);
    if (j->snap)
        j->src.ops->snapshot_free(j->snap);
    table_source_close(&j->src);
    if (j->store_open)
        objstore_close(&j->store);
    file_access_close(&j->fa);
    os_buf_free(&j->line);
    os_buf_free(&j->url);
    os_buf_free(&j->dv_url);
    os_buf_free(&j->key);
    os_buf_free(&j->aux);
    os_arena_free(&j->arena);
    free(j);
}

/* Resolves the table for the caller and opens its log. */
static read_job *job_open(sharing_service *svc, const sharing_caller *who, const table_ref *ref,
                          const caps *c, os_err *err)
{
    read_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    j->svc = svc;
    j->recipient_id = who->recipient_id;
    j->meta_version = j->file_version = j->file_timestamp = -1;
    j->max_files = -1;
    j->min_expiry = -1;
    if (sharing_resolve_asset(svc, who, CAT_ASSET_TABLE, ref->share, ref->schema, ref->table,
                              &j->arena, &j->asset, err) != 0)
        goto fail;
    const char *format = j->asset->format ? j->asset->format : "delta";
    if (strcmp(format, "delta") != 0 && strcmp(format, "iceberg") != 0 &&
        strcmp(format, "parquet") != 0) {
        os_err_set(err, OS_EUNSUPPORTED, "table '%s' is shared in %s format, which this server "
                   "cannot read through the Delta Sharing API yet", ref->table, format);
        goto fail;
    }
    if (file_access_open(svc, j->asset->location,
                         &(local_url_claims){who->recipient_id, who->recipient_name,
                                             j->asset->share_name, j->asset->schema_name,
                                             j->asset->name},
                         &j->arena, &j->fa, err) != 0 ||
        file_access_store(&j->fa, &j->store, err) != 0) {
        /* A dataset is its directory: one that is gone is damage to the table
         * (said without the server's path), as a file gone from a log is. */
        if (strcmp(format, "parquet") == 0 && err->code == OS_ENOTFOUND)
            os_err_set(err, OS_ECORRUPT, "the dataset's location cannot be listed: it does not "
                       "exist, is not a directory, or no storage location holds it");
        goto fail;
    }
    j->store_open = 1;
    if (strcmp(format, "iceberg") == 0) {
        table_source_opts o = {.column_mapping = c && c->want_delta &&
                                                 caps_has_feature(c, "columnMapping"),
                               .metadata_key = j->asset->metadata_location,
                               .fallback_id = j->asset->uuid};
        if (table_source_open_iceberg(&j->src, &j->store, &o, err) != 0)
            goto fail;
    } else if (strcmp(format, "parquet") == 0) {
        table_source_opts o = {.fallback_id = j->asset->uuid, .catalog = svc->store,
                               .asset_id = j->asset->id, .location = j->asset->location,
                               .partition_columns_json = j->asset->partition_columns_json,
                               .refresh_interval_ms = svc->dataset_refresh_ms};
        if (table_source_open_parquet(&j->src, &j->store, &o, err) != 0)
            goto fail;
    } else if (table_source_open_delta(&j->src, &j->store, err) != 0) {
        goto fail;
    }
    return j;
fail:
    job_free(j);
    return NULL;
}

/* Errors from the log engine, said in the protocol's terms. */
static int snapshot_error(os_err *err, const char *what)
{
    if (err->code == OS_ENOTFOUND) {
        /* os_err_wrap copies the old text first: printing err->msg into itself overlaps. */
        err->code = OS_EINVAL;
        return os_err_wrap(err, "%s", what);
    }
    return -1;
}

static int require_history(const read_job *j, const char *what, os_err *err)
{
    if (!j->asset->history_shared)
        return os_err_set(err, OS_EPERM,
                          "%s needs the table's history, which the provider has not shared "
                          "(history sharing is off for this table)", what);
    return 0;
}

/* ---- version and metadata ----------------------------------------------- */

int table_read_version(sharing_service *svc, const sharing_caller *who, const table_ref *ref,
                       const char *starting_timestamp, os_arena *a, int64_t *version, os_err *err)
{
    (void)a;
    read_job *j = job_open(svc, who, ref, NULL, err);
    if (j == NULL)
        return -1;
    int rc;
    if (starting_timestamp) {
        int64_t ms;
        rc = require_history(j, "startingTimestamp", err);
        if (rc == 0)
            rc = table_req_timestamp(starting_timestamp, "startingTimestamp", &ms, err);
        if (rc == 0)
            rc = j->src.ops->version_at_timestamp(j->src.impl, ms, DELTA_TS_AT_OR_AFTER, version, err);
    } else {
        rc = j->src.ops->latest_version(j->src.impl, version, err);
    }
    job_free(j);
    return rc;
}

int table_read_metadata(sharing_service *svc, const sharing_caller *who, const table_ref *ref,
                        const char *capabilities, const char *version_text, os_arena *a,
                        os_buf *out, table_answer *ans, os_err *err)
{
    (void)a;
    caps c;
    if (caps_parse(capabilities, &c, err) != 0)
        return -1;
    read_job *j = job_open(svc, who, ref, &c, err);
    if (j == NULL)
        return -1;
    delta_snapshot_opts o;
    memset(&o, 0, sizeof o);
    int rc = 0;
    if (version_text) {
        rc = require_history(j, "reading metadata at a version", err);
        if (rc == 0)
            rc = table_req_version(version_text, "version", &o.version, err);
        o.has_version = 1;
    }
    if (rc == 0 && (j->snap = j->src.ops->snapshot_load(j->src.impl, version_text ? &o : NULL, err)) == NULL)
        rc = snapshot_error(err, "version");
    if (rc == 0)
        rc = table_req_format(&c, j->src.ops->snapshot_protocol(j->snap), &ans->format, err);
    if (rc == 0) {
        ans->version = j->src.ops->snapshot_version(j->snap);
        ans->end_stream = 0;
        int64_t mv = version_text ? ans->version : -1;
        if (ta_protocol(out, ans->format, j->src.ops->snapshot_protocol(j->snap), -1) != 0 ||
            ta_metadata(out, ans->format, j->src.ops->snapshot_metadata(j->snap), mv) != 0)
            rc = os_err_set(err, OS_ENOMEM, "out of memory");
    }
    job_free(j);
    return rc;
}

/* ---- streaming files ------------------------------------------------------ */

/* Signs f (and its deletion vector) and writes its line. */
static int emit_file(read_job *j, const char *wrapper, const delta_file *f, int64_t version,
                     int64_t timestamp, os_err *err)
{
    int64_t now = os_now_ms(), exp = 0, dv_exp = 0;
    os_buf_reset(&j->url);
    os_buf_reset(&j->dv_url);
    if (file_access_sign(&j->fa, f->path, now, &j->url, &exp, err) != 0)
        return -1;
    const char *dv_url = NULL;
    if (f->has_dv && f->dv.storage_type != 'i') {
        os_buf_reset(&j->key);
        if (delta_dv_file_path(&f->dv, &j->key, err) != 0)
            return -1;
        /* Relative DV paths are plain names (no %-escapes) under the root. */
        int rc = f->dv.storage_type == 'u'
                     ? file_access_sign_rel(&j->fa, os_buf_cstr(&j->key), now, &j->dv_url, &dv_exp, err)
                     : file_access_sign(&j->fa, os_buf_cstr(&j->key), now, &j->dv_url, &dv_exp, err);
        if (rc != 0)
            return -1;
        dv_url = os_buf_cstr(&j->dv_url);
    }
    ta_file_line l = {wrapper, f, os_buf_cstr(&j->url), dv_url, exp, version, timestamp};
    if (ta_file(&j->line, j->fmt, &l) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (j->min_expiry < 0 || exp < j->min_expiry)
        j->min_expiry = exp;
    return line_sink_put(j->sink, &j->line, err);
}

/* Paging: 1 when this file line is inside the page, 0 when skipped, 2 when
 * the page is full (stop; more follows). */
static int page_step(read_job *j)
{
    int64_t idx = j->seen++;
    if (idx < j->offset)
        return 0;
    if (j->max_files >= 0 && j->emitted >= j->max_files) {
        j->more = 1;
        return 2;
    }
    j->emitted++;
    return 1;
}

/* A snapshot file in the parquet format, from what a snapshot image keeps
 * beside it: [u32 length][relative key][line body] (ta_file_parquet_body),
 * so a cached query only signs and joins.  When j->image is set the aux of
 * f is made and stored.  Returns 0, -1, or 2 when f cannot take this path. */
static int parquet_aux(const read_job *j, const delta_file *f, os_buf *aux, os_err *err)
{
    char *rel = file_access_rel(&j->fa, f->path, err);
    if (rel == NULL)
        return -1;
    size_t n = strlen(rel);
    uint32_t rel_len = (uint32_t)n;
    int rc = n > UINT32_MAX ? -1 : os_buf_append(aux, &rel_len, sizeof rel_len) |
                                   os_buf_append(aux, rel, n + 1) | ta_file_parquet_body(aux, f);
    free(rel);
    return rc != 0 ? os_err_set(err, OS_ENOMEM, "out of memory") : 0;
}

static int emit_parquet_file(read_job *j, const delta_file *f, os_err *err)
{
    delta_file g;
    if (f->image_aux == NULL) {
        if (j->image == NULL)
            return 2;
        os_buf_reset(&j->aux);
        if (parquet_aux(j, f, &j->aux, err) != 0 ||
            delta_image_writer_add(j->image, f, j->aux.data, j->aux.len, err) != 0)
            return -1;
        g = *f;
        g.image_aux = j->aux.data;
        g.image_aux_len = j->aux.len;
        f = &g;
    }
    int64_t exp = 0;
    int rc = image_line_render(&j->fa, f, j->file_version, j->file_timestamp, &j->url,
                               line_sink_buf(j->sink), &exp, err);
    if (rc != 0)
        return rc;
    if (j->min_expiry < 0 || exp < j->min_expiry)
        j->min_expiry = exp;
    return line_sink_commit(j->sink, err);
}

static int on_snapshot_file(void *ctx, const delta_file *f, os_err *err)
{
    read_job *j = ctx;
    int step = page_step(j);
    if (step == 0)
        return 0;
    if (step == 2)
        return 1;
    if (j->fmt == RESP_PARQUET && !f->has_dv) {
        int rc = emit_parquet_file(j, f, err);
        if (rc != 2)
            return rc;
    } else if (f->image_aux) {
        return os_err_set(err, OS_ECORRUPT, "a snapshot image of another response format was read");
    }
    if (j->image && delta_image_writer_add(j->image, f, NULL, 0, err) != 0)
        return -1;
    return emit_file(j, "file", f, j->file_version, j->file_timestamp, err);
}

static int on_change(void *ctx, const delta_change *c, os_err *err)
{
    read_job *j = ctx;
    switch (c->kind) {
    case DELTA_CHANGE_COMMIT:
    case DELTA_CHANGE_PROTOCOL:
        return 0;
    case DELTA_CHANGE_METADATA:
        /* The metadata in force at the start was sent first; later ones only
         * when asked (changes) or always (streaming queries). */
        if (c->version <= j->start_version || !j->historical_metadata)
            return 0;
        if (ta_metadata(&j->line, j->fmt, c->metadata, c->version) != 0)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        return line_sink_put(j->sink, &j->line, err);
    case DELTA_CHANGE_ADD:
    case DELTA_CHANGE_REMOVE:
    case DELTA_CHANGE_CDC: {
        if (!j->cdf && !c->file->data_change)
            return 0;
        int step = page_step(j);
        if (step == 0)
            return 0;
        if (step == 2)
            return 1;
        const char *w = c->kind == DELTA_CHANGE_ADD ? "add" : c->kind == DELTA_CHANGE_REMOVE ? "remove" : "cdf";
        return emit_file(j, w, c->file, c->version, c->timestamp, err);
    }
    }
    return 0;
}

static char *make_page_token(read_job *j)
{
    char v[24], off[24];
    snprintf(v, sizeof v, "%lld", (long long)(j->history ? j->end_version : j->src.ops->snapshot_version(j->snap)));
    snprintf(off, sizeof off, "%lld", (long long)(j->offset + j->emitted));
    page_pos pos = {v, off};
    return page_token_encode(j->svc->page_key, j->page_listing, j->recipient_id, &pos,
                             os_now_ms() + j->svc->page_token_ttl_ms, &j->arena);
}

/* Pipeline stage one (helper thread): what the image keeps for f. */
static int render_aux(void *ctx, const delta_file *f, os_buf *aux, os_err *err)
{
    const read_job *j = ctx;
    return f->has_dv ? 0 : parquet_aux(j, f, aux, err);
}

/* Pipeline stage two: writes the block to the image, then its files out. */
static int consume_block(void *ctx, char *block, size_t n, uint64_t count, os_err *err)
{
    read_job *j = ctx;
    os_err e2;
    /* A failed image write only means no image (never finished, not kept). */
    if (!j->pipe_image_failed && delta_image_writer_add_block(j->pipe_image, block, n, count, &e2) != 0) {
        os_log(OS_LOG_WARN, "snapshot cache: %s", e2.msg);
        j->pipe_image_failed = 1;
    }
    return delta_image_block_each(block, n, on_snapshot_file, j, err);
}

/* Parallel reading of a cached image: blocks the helper left to us. */
static int image_block_out(void *ctx, char *block, size_t n, os_err *err)
{
    return delta_image_block_each(block, n, on_snapshot_file, ctx, err);
}

/* ... and lines it rendered (a full query: every file is in the page). */
static int image_lines_out_fn(void *ctx, os_buf *lines, int64_t files, int64_t min_expiry, os_err *err)
{
    read_job *j = ctx;
    j->seen += files;
    j->emitted += files;
    if (min_expiry >= 0 && (j->min_expiry < 0 || min_expiry < j->min_expiry))
        j->min_expiry = min_expiry;
    return line_sink_put_block(j->sink, lines, err);
}

/* Streams the snapshot's files: from its cached image when there is one,
 * else by replaying the log, and then, for a full query (every active file
 * passes through on_snapshot_file), writing the image for the next one. */
static int scan_snapshot(read_job *j, os_err *err)
{
    delta_scan_opts so;
    memset(&so, 0, sizeof so);
    so.predicate = j->pred;
    so.limit_hint = j->limit_hint;
    snap_cache *cache = j->svc->snap_cache;
    char key[65];
    int fd = -1;
    bool building = false, bad = false;
    /* Images hold files as rendered lines: no predicate or limit can be
     * evaluated on them, so only queries without either use them, and only
     * complete ones write them.  The format is part of the key. */
    bool plain = j->pred == NULL && j->limit_hint <= 0;
    bool full = plain && j->max_files < 0 && j->offset == 0;
    if (cache != NULL && plain && j->src.ops->snapshot_fingerprint != NULL &&
        j->src.ops->snapshot_fingerprint(j->snap, &j->key, err) == 0 &&
        os_buf_puts(&j->key, j->fmt == RESP_PARQUET ? " parquet" : " delta") == 0) {
        snap_cache_key(j->asset->location, os_buf_cstr(&j->key), key);
        if ((fd = snap_cache_lookup(cache, key)) >= 0) {
            so.use_image = true;
            so.image_fd = fd;
            so.image_bad = &bad;
        } else if (full && (fd = snap_cache_build_begin(cache, key)) >= 0) {
            building = true;
            os_err e2;
            if ((j->image = delta_image_writer_open(fd, &e2)) == NULL)
                os_log(OS_LOG_WARN, "snapshot cache: %s", e2.msg);
        }
    }
    os_buf_reset(&j->key);
    os_err_clear(err);
    int rc;
    if (so.use_image && full && j->fmt == RESP_PARQUET && j->fa.root.scheme == LOC_FILE) {
        /* A repeated full query: sign and join on two threads.  (Local signing
         * is known to be safe from two threads at once.) */
        image_lines_out out = {image_block_out, image_lines_out_fn, j};
        int64_t done = 0;
        rc = image_lines_run(fd, &j->fa, j->file_version, j->file_timestamp, &out, &done, err);
        if (rc == 2) {
            bad = true;
            so.use_image = false;
            so.skip_active = done;
            rc = j->src.ops->snapshot_scan(j->snap, &so, on_snapshot_file, j, err);
        } else if (rc == 1) {
            rc = 0;
        }
    } else if (j->image != NULL && j->fmt == RESP_PARQUET) {
        /* The first query of a version: replay and render on a second core. */
        j->pipe_image = j->image;
        j->image = NULL;
        rc = scan_pipeline_run(&j->src, j->snap, &so, render_aux, consume_block, j, err);
        j->image = j->pipe_image;
        j->pipe_image = NULL;
        if (rc > 0)
            rc = 0;
    } else {
        rc = j->src.ops->snapshot_scan(j->snap, &so, on_snapshot_file, j, err);
    }
    if (building) {
        os_err e2;
        bool keep = rc == 0 && !j->more && j->image != NULL &&
                    delta_image_writer_finish(j->image, &e2) == 0;
        snap_cache_build_end(cache, key, fd, keep);
    } else if (fd >= 0) {
        close(fd);
    }
    if (bad) {
        os_log(OS_LOG_WARN, "snapshot cache: the image of %s is corrupt; dropped, the log was read instead",
               j->asset->location);
        snap_cache_drop(cache, key);
    }
    delta_image_writer_free(j->image);
    j->image = NULL;
    return rc;
}

static int produce_lines(read_job *j, line_sink *sink, os_err *err);

static int produce(void *job, line_sink *sink, os_err *err)
{
    read_job *j = job;
    int rc = produce_lines(j, sink, err);
    line_sink_set_count(sink, j->emitted);
    return rc;
}

static int produce_lines(read_job *j, line_sink *sink, os_err *err)
{
    j->sink = sink;
    const delta_protocol *proto = j->src.ops->snapshot_protocol(j->snap);
    const delta_metadata *meta = j->src.ops->snapshot_metadata(j->snap);
    if (ta_protocol(&j->line, j->fmt, proto, -1) != 0 ||
        ta_metadata(&j->line, j->fmt, meta, j->meta_version) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (line_sink_put(sink, &j->line, err) != 0)
        return -1;
    int rc;
    if (j->history) {
        delta_history_opts ho;
        memset(&ho, 0, sizeof ho);
        ho.start_version = j->start_version;
        ho.has_end_version = 1;
        ho.end_version = j->end_version;
        ho.cdf = j->cdf != 0;
        rc = j->src.ops->history_scan(j->src.impl, &ho, on_change, j, err);
    } else {
        rc = scan_snapshot(j, err);
    }
    if (rc != 0) {
        if (err->code == OS_EIO && strstr(err->msg, "client went away"))
            return -1;
        /* Headers are gone: tell the client in the stream when it can read it. */
        if (j->end_stream && ta_end_stream(&j->line, NULL, NULL, -1,
                                           "the server failed while reading the table; retry later") == 0) {
            os_err ignore;
            line_sink_put(sink, &j->line, &ignore);
        }
        return -1;
    }
    if (!j->end_stream)
        return 0;
    char *next = j->more ? make_page_token(j) : NULL;
    char *refresh = NULL;
    if (j->include_refresh && !j->history) {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)j->src.ops->snapshot_version(j->snap));
        page_pos pos = {v, NULL};
        refresh = page_token_encode(j->svc->page_key, os_arena_sprintf(&j->arena, "refresh:%s", j->asset->uuid),
                                    j->recipient_id, &pos, os_now_ms() + REFRESH_TOKEN_TTL_MS, &j->arena);
    }
    if (ta_end_stream(&j->line, next, refresh, j->min_expiry, NULL) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return line_sink_put(sink, &j->line, err);
}

/* ---- query ---------------------------------------------------------------- */

/* A digest of what selects the files, so a page token only continues the
 * same query. */
static const char *query_listing(read_job *j, const query_body *q)
{
    json_t *sel = json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "v", q->version, "t", q->timestamp,
                            "s", q->starting, "e", q->ending, "p", q->predicate, "l", q->limit);
    char *text = sel ? json_dumps(sel, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(sel);
    char hex[65] = "";
    if (text)
        os_sha256_hex(text, strlen(text), hex);
    free(text);
    hex[16] = '\0';
    return os_arena_sprintf(&j->arena, "query:%s:%s", j->asset->uuid, hex);
}

void *table_read_query(sharing_service *svc, const sharing_caller *who, const table_ref *ref,
                       const char *capabilities, const char *body, size_t body_len, os_arena *a,
                       table_answer *ans, os_err *err)
{
    (void)a;
    caps c;
    query_body q;
    read_job *j = NULL;
    if (caps_parse(capabilities, &c, err) != 0)
        return NULL;
    if (table_req_body_parse(body, body_len, &q, err) != 0)
        goto fail;
    if ((j = job_open(svc, who, ref, &c, err)) == NULL)
        goto fail;
    delta_snapshot_opts o;
    memset(&o, 0, sizeof o);
    int64_t page_version = -1;
    j->page_listing = query_listing(j, &q);
    if (q.max_files) {
        if (table_req_body_int(q.max_files, "maxFiles", &j->max_files, err) != 0)
            goto fail;
        if (j->max_files > svc->max_files_cap)
            j->max_files = svc->max_files_cap;
    }
    if (q.page_token) {
        page_pos pos;
        int64_t off;
        if (page_token_decode(svc->page_key, json_string_value(q.page_token), j->page_listing,
                              who->recipient_id, os_now_ms(), &j->arena, &pos, err) != 0)
            goto fail;
        if (os_parse_i64(pos.k1, &page_version) != 0 || !pos.k2 || os_parse_i64(pos.k2, &off) != 0) {
            os_err_set(err, OS_EINVAL, "pageToken is not valid");
            goto fail;
        }
        j->offset = off;
        if (j->max_files < 0)
            j->max_files = svc->max_files_cap;
    }
    if (q.refresh_token) {
        page_pos pos;
        if (page_token_decode(svc->page_key, json_string_value(q.refresh_token),
                              os_arena_sprintf(&j->arena, "refresh:%s", j->asset->uuid),
                              who->recipient_id, os_now_ms(), &j->arena, &pos, err) != 0 ||
            os_parse_i64(pos.k1, &o.version) != 0) {
            os_err_set(err, OS_EINVAL, "refreshToken is not valid or has expired: run the query again");
            goto fail;
        }
        o.has_version = 1;
    }
    if (q.version || q.timestamp || q.starting) {
        if (require_history(j, q.starting ? "startingVersion" : q.version ? "version" : "timestamp",
                            err) != 0)
            goto fail;
    }
    if (q.version) {
        if (table_req_body_int(q.version, "version", &o.version, err) != 0)
            goto fail;
        o.has_version = 1;
    }
    if (q.timestamp) {
        if (table_req_timestamp(json_string_value(q.timestamp), "timestamp", &o.timestamp_ms, err) != 0)
            goto fail;
        o.has_timestamp = 1;
    }
    if (q.limit) {
        if (!json_is_integer(q.limit) || json_integer_value(q.limit) < 0) {
            os_err_set(err, OS_EINVAL, "limitHint must be a non-negative integer");
            goto fail;
        }
        j->limit_hint = json_integer_value(q.limit);
    }
    if (q.starting) {
        j->history = 1;
        j->historical_metadata = 1;
        if (table_req_body_int(q.starting, "startingVersion", &j->start_version, err) != 0)
            goto fail;
        int64_t latest;
        if (j->src.ops->latest_version(j->src.impl, &latest, err) != 0)
            goto fail;
        j->end_version = latest;
        if (q.ending && table_req_body_int(q.ending, "endingVersion", &j->end_version, err) != 0)
            goto fail;
        if (page_version >= 0)
            j->end_version = page_version;
        if (j->start_version > latest) {
            os_err_set(err, OS_EINVAL, "startingVersion %lld is past the table's latest version %lld",
                       (long long)j->start_version, (long long)latest);
            goto fail;
        }
        if (j->end_version > latest)
            j->end_version = latest;
        if (j->end_version < j->start_version) {
            os_err_set(err, OS_EINVAL, "endingVersion %lld is before startingVersion %lld",
                       (long long)j->end_version, (long long)j->start_version);
            goto fail;
        }
        o.has_version = 1;
        o.version = j->start_version;
        o.has_timestamp = 0;
    } else if (page_version >= 0) {
        o.has_version = 1;
        o.has_timestamp = 0;
        o.version = page_version;
    }
    if ((j->snap = j->src.ops->snapshot_load(j->src.impl, (o.has_version || o.has_timestamp) ? &o : NULL,
                                       err)) == NULL) {
        snapshot_error(err, "version");
        goto fail;
    }
    if (table_req_format(&c, j->src.ops->snapshot_protocol(j->snap), &j->fmt, err) != 0)
        goto fail;
    if (!j->history && (q.version || q.timestamp)) {
        j->meta_version = j->file_version = j->src.ops->snapshot_version(j->snap);
        j->file_timestamp = j->src.ops->snapshot_timestamp(j->snap);
    }
    if (q.predicate) {
        const char *text = json_string_value(q.predicate);
        os_err ignore;
        /* Hints are best effort: a predicate we cannot use filters nothing. */
        j->pred = delta_predicate_parse(text, strlen(text), &ignore);
    }
    if (j->history && j->src.ops->history_check(j->src.impl, j->start_version, j->end_version, err) != 0)
        goto fail;
    j->include_refresh = q.include_refresh && json_is_true(q.include_refresh);
    j->end_stream = c.include_end_stream || j->max_files >= 0 || j->include_refresh;
    ans->version = j->history ? j->start_version : j->src.ops->snapshot_version(j->snap);
    ans->format = j->fmt;
    ans->end_stream = j->end_stream;
    json_decref(q.doc);
    return line_stream_start(produce, j, job_free, err);
fail:
    json_decref(q.doc);
    job_free(j);
    return NULL;
}

/* ---- changes -------------------------------------------------------------- */

void *table_read_changes(sharing_service *svc, const sharing_caller *who, const table_ref *ref,
                         const char *capabilities, const changes_params *p, os_arena *a,
                         table_answer *ans, os_err *err)
{
    (void)a;
    caps c;
    if (caps_parse(capabilities, &c, err) != 0)
        return NULL;
    read_job *j = job_open(svc, who, ref, &c, err);
    if (j == NULL)
        return NULL;
    if (require_history(j, "reading changes", err) != 0)
        goto fail;
    if ((p->starting_version != NULL) == (p->starting_timestamp != NULL)) {
        os_err_set(err, OS_EINVAL, p->starting_version
                                       ? "startingVersion and startingTimestamp cannot both be given"
                                       : "changes need startingVersion or startingTimestamp");
        goto fail;
    }
    if (p->ending_version && p->ending_timestamp) {
        os_err_set(err, OS_EINVAL, "endingVersion and endingTimestamp cannot both be given");
        goto fail;
    }
    int64_t latest, ms;
    if (j->src.ops->latest_version(j->src.impl, &latest, err) != 0)
        goto fail;
    if (p->starting_version) {
        if (table_req_version(p->starting_version, "startingVersion", &j->start_version, err) != 0)
            goto fail;
    } else if (table_req_timestamp(p->starting_timestamp, "startingTimestamp", &ms, err) != 0 ||
               j->src.ops->version_at_timestamp(j->src.impl, ms, DELTA_TS_AT_OR_AFTER, &j->start_version,
                                          err) != 0) {
        goto fail;
    }
    j->end_version = latest;
    if (p->ending_version) {
        if (table_req_version(p->ending_version, "endingVersion", &j->end_version, err) != 0)
            goto fail;
    } else if (p->ending_timestamp) {
        if (table_req_timestamp(p->ending_timestamp, "endingTimestamp", &ms, err) != 0 ||
            j->src.ops->version_at_timestamp(j->src.impl, ms, DELTA_TS_AT_OR_BEFORE, &j->end_version, err) != 0)
            goto fail;
    }
    if (j->start_version > latest) {
        os_err_set(err, OS_EINVAL, "startingVersion %lld is past the table's latest version %lld",
                   (long long)j->start_version, (long long)latest);
        goto fail;
    }
    if (j->end_version > latest) {
        os_err_set(err, OS_EINVAL, "endingVersion %lld is past the table's latest version %lld",
                   (long long)j->end_version, (long long)latest);
        goto fail;
    }
    if (j->end_version < j->start_version) {
        os_err_set(err, OS_EINVAL, "the ending version %lld is before the starting version %lld",
                   (long long)j->end_version, (long long)j->start_version);
        goto fail;
    }
    j->history = 1;
    j->cdf = 1;
    j->historical_metadata = p->include_historical_metadata &&
                             strcasecmp(p->include_historical_metadata, "true") == 0;
    delta_snapshot_opts o;
    memset(&o, 0, sizeof o);
    o.has_version = 1;
    o.version = j->start_version;
    if ((j->snap = j->src.ops->snapshot_load(j->src.impl, &o, err)) == NULL) {
        snapshot_error(err, "startingVersion");
        goto fail;
    }
    if (table_req_format(&c, j->src.ops->snapshot_protocol(j->snap), &j->fmt, err) != 0)
        goto fail;
    /* Check the feed is enabled over the window before answering 200. */
    if (j->src.ops->changes_allowed(j->snap, j->start_version, err) != 0)
        goto fail;
    if (j->src.ops->history_check(j->src.impl, j->start_version, j->end_version, err) != 0)
        goto fail;
    j->end_stream = c.include_end_stream;
    ans->version = j->start_version;
    ans->format = j->fmt;
    ans->end_stream = j->end_stream;
    return line_stream_start(produce, j, job_free, err);
fail:
    job_free(j);
    return NULL;
}
