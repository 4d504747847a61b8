/* snapshot.c - loading a table version (protocol, metadata, commits after the checkpoint) and streaming its active files. */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct delta_snapshot {
    const delta_table *t;
    os_arena arena;
    dl_listing listing;
    dl_segment seg;
    int64_t version;
    int64_t timestamp;
    delta_protocol proto;
    delta_metadata meta;
    dl_commit_actions *commits;   /* seg.first_commit .. version */
    size_t ncommits;
};

#define DEFAULT_MAX_COMMIT (256u << 20)

int delta_table_init(delta_table *t, const objstore *store, const char *root,
                     const delta_limits *limits, os_err *err)
{
    memset(t, 0, sizeof *t);
    t->store = store;
    if (root == NULL)
        root = "";
    size_t n = strlen(root);
    while (n > 0 && root[n - 1] == '/')
        n--;
    t->root = strndup(root, n);
    t->log_dir = malloc(n + 13);
    if (t->root == NULL || t->log_dir == NULL) {
        delta_table_free(t);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    if (n > 0)
        snprintf(t->log_dir, n + 13, "%s/_delta_log/", t->root);
    else
        strcpy(t->log_dir, "_delta_log/");
    if (limits)
        t->limits = *limits;
    if (t->limits.max_commit_bytes == 0)
        t->limits.max_commit_bytes = DEFAULT_MAX_COMMIT;
    if (t->limits.max_last_checkpoint_bytes == 0)
        t->limits.max_last_checkpoint_bytes = 1u << 20;
    if (t->limits.max_log_files == 0)
        t->limits.max_log_files = 10000000;
    if (t->limits.checkpoint_threads == 0) {
        /* Asked once: sysconf reads /sys on every call, and tables are opened per request. */
        static long online;
        long cpus = __atomic_load_n(&online, __ATOMIC_RELAXED);
        if (cpus == 0) {
            cpus = sysconf(_SC_NPROCESSORS_ONLN);
            __atomic_store_n(&online, cpus, __ATOMIC_RELAXED);
        }
        t->limits.checkpoint_threads = cpus < 1 ? 1 : cpus > 4 ? 4 : (unsigned)cpus;
    }
    return 0;
}

void delta_table_free(delta_table *t)
{
    free(t->root);
    free(t->log_dir);
    t->root = t->log_dir = NULL;
}

/* Lists the log for version target (-1 latest), using _last_checkpoint as a
 * starting point when it helps and falling back to a full listing whenever
 * the hint is stale, wrong or not useful. */
static int list_for(const delta_table *t, int64_t target, dl_listing *l, dl_segment *seg, os_err *err)
{
    int64_t hint = dl_last_checkpoint_hint(t);
    if (hint >= 0 && (target < 0 || target >= hint)) {
        os_err e2;
        if (dl_listing_load(t, hint, l, &e2) == 0) {
            if (dl_segment_find(t, l, target, seg, &e2) == 0 && seg->cp != NULL)
                return 0;
            dl_listing_free(l);
        }
    }
    if (dl_listing_load(t, -1, l, err) < 0)
        return -1;
    if (dl_segment_find(t, l, target, seg, err) < 0) {
        dl_listing_free(l);
        return -1;
    }
    return 0;
}

typedef struct pm_state {
    delta_snapshot *s;
    bool need_proto, need_meta;
    const char *key;
} pm_state;

static int on_pm(void *ctx, const delta_action *a, os_err *err)
{
    pm_state *st = ctx;
    if (a->kind == DELTA_ACT_PROTOCOL) {
        if (!st->need_proto)
            return os_err_set(err, OS_ECORRUPT, "checkpoint %lld holds two protocol actions",
                              (long long)st->s->seg.cp->version);
        if (dl_protocol_copy(&st->s->arena, &st->s->proto, &a->u.proto) < 0)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        st->need_proto = false;
    } else if (a->kind == DELTA_ACT_METADATA) {
        if (!st->need_meta)
            return os_err_set(err, OS_ECORRUPT, "checkpoint %lld holds two metaData actions",
                              (long long)st->s->seg.cp->version);
        if (dl_metadata_copy(&st->s->arena, &st->s->meta, &a->u.meta) < 0)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        st->need_meta = false;
    }
    return 0;
}

/* Per commit, at most one protocol and one metaData. */
static int check_commit_unique(const delta_table *t, const dl_commit_actions *c, os_err *err)
{
    int np = 0, nm = 0;
    for (size_t i = 0; i < c->n; i++) {
        np += c->actions[i].kind == DELTA_ACT_PROTOCOL;
        nm += c->actions[i].kind == DELTA_ACT_METADATA;
    }
    if (np > 1 || nm > 1)
        return os_err_set(err, OS_ECORRUPT, "%s%020lld.json: conflicting %s actions in one commit",
                          t->log_dir, (long long)c->version, np > 1 ? "protocol" : "metaData");
    return 0;
}

int dl_check_metadata(const delta_table *t, const delta_metadata *m, int64_t v, os_err *err)
{
    const char *mode = delta_map_get(&m->configuration, "delta.columnMapping.mode", NULL);
    if (mode != NULL && strcmp(mode, "none") != 0 && strcmp(mode, "name") != 0 &&
        strcmp(mode, "id") != 0)
        return os_err_set(err, OS_EUNSUPPORTED, "%s version %lld: column mapping mode '%s' is not supported",
                          t->log_dir, (long long)v, mode);
    if (m->format_provider && strcmp(m->format_provider, "parquet") != 0)
        return os_err_set(err, OS_EUNSUPPORTED, "%s version %lld: data format '%s' is not supported",
                          t->log_dir, (long long)v, m->format_provider);
    return 0;
}

delta_snapshot *delta_snapshot_load(const delta_table *t, const delta_snapshot_opts *opts, os_err *err)
{
    int64_t target = -1;
    if (opts && opts->has_timestamp) {
        if (delta_version_at_timestamp(t, opts->timestamp_ms, DELTA_TS_AT_OR_BEFORE, &target, err) < 0)
            return NULL;
    } else if (opts && opts->has_version) {
        if (opts->version < 0) {
            os_err_set(err, OS_EINVAL, "version %lld is negative", (long long)opts->version);
            return NULL;
        }
        target = opts->version;
    }
    delta_snapshot *s = calloc(1, sizeof *s);
    if (s == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    s->t = t;
    if (list_for(t, target, &s->listing, &s->seg, err) < 0)
        goto fail;
    s->version = s->seg.version;
    s->ncommits = (size_t)(s->version - s->seg.first_commit + 1);
    if (s->ncommits > 0) {
        s->commits = os_arena_alloc(&s->arena, s->ncommits * sizeof *s->commits);
        if (s->commits == NULL) {
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto fail;
        }
    }
    for (size_t i = 0; i < s->ncommits; i++) {
        int64_t v = s->seg.first_commit + (int64_t)i;
        const dl_commit *c = dl_listing_commit(&s->listing, v);
        if (dl_commit_read(t, v, c->mtime_ms, &s->arena, &s->commits[i], err) < 0 ||
            check_commit_unique(t, &s->commits[i], err) < 0)
            goto fail;
    }
    bool have_p = false, have_m = false;
    for (size_t i = s->ncommits; i-- > 0 && !(have_p && have_m);) {
        const dl_commit_actions *c = &s->commits[i];
        for (size_t j = 0; j < c->n; j++) {
            if (!have_p && c->actions[j].kind == DELTA_ACT_PROTOCOL) {
                s->proto = c->actions[j].u.proto;
                have_p = true;
            } else if (!have_m && c->actions[j].kind == DELTA_ACT_METADATA) {
                s->meta = c->actions[j].u.meta;
                have_m = true;
            }
        }
    }
    if ((!have_p || !have_m) && s->seg.cp != NULL) {
        pm_state st = {s, !have_p, !have_m, NULL};
        unsigned wanted = (have_p ? 0 : DL_WANT_PROTOCOL) | (have_m ? 0 : DL_WANT_METADATA);
        if (dl_checkpoint_read(t, s->seg.cp, wanted, on_pm, &st, err) < 0)
            goto fail;
        have_p = !st.need_proto;
        have_m = !st.need_meta;
    }
    if (!have_p) {
        os_err_set(err, OS_ECORRUPT, "%s version %lld: no protocol action in the log",
                   t->log_dir, (long long)s->version);
        goto fail;
    }
    if (delta_protocol_check(&s->proto, err) < 0) {
        os_err_wrap(err, "%s version %lld", t->log_dir, (long long)s->version);
        goto fail;
    }
    if (!have_m) {
        os_err_set(err, OS_ECORRUPT, "%s version %lld: no metaData action in the log",
                   t->log_dir, (long long)s->version);
        goto fail;
    }
    if (dl_check_metadata(t, &s->meta, s->version, err) < 0)
        goto fail;
    /* Commit timestamp of the version itself. */
    bool ict = dl_ict_enabled_at(&s->meta, s->version);
    if (s->ncommits > 0) {
        char where[300];
        snprintf(where, sizeof where, "%s%020lld.json", t->log_dir, (long long)s->version);
        if (dl_commit_timestamp(&s->commits[s->ncommits - 1], ict, where, &s->timestamp, err) < 0)
            goto fail;
    } else {
        const dl_commit *c = dl_listing_commit(&s->listing, s->version);
        if (c != NULL && ict) {
            dl_commit_actions ca;
            char where[300];
            snprintf(where, sizeof where, "%s%020lld.json", t->log_dir, (long long)s->version);
            if (dl_commit_read(t, s->version, c->mtime_ms, &s->arena, &ca, err) < 0 ||
                dl_commit_timestamp(&ca, true, where, &s->timestamp, err) < 0)
                goto fail;
        } else {
            s->timestamp = c ? c->mtime_ms : s->seg.cp->mtime_ms;
        }
    }
    return s;
fail:
    delta_snapshot_free(s);
    return NULL;
}

void delta_snapshot_free(delta_snapshot *s)
{
    if (s == NULL)
        return;
    dl_listing_free(&s->listing);
    os_arena_free(&s->arena);
    free(s);
}

int64_t delta_snapshot_version(const delta_snapshot *s) { return s->version; }
int64_t delta_snapshot_timestamp(const delta_snapshot *s) { return s->timestamp; }
const delta_protocol *delta_snapshot_protocol(const delta_snapshot *s) { return &s->proto; }
const delta_metadata *delta_snapshot_metadata(const delta_snapshot *s) { return &s->meta; }

/* ------------------------------------------------------------------ scan */

typedef struct scan_state {
    delta_snapshot *s;
    const delta_scan_opts *opts;
    delta_colmap *cm;
    delta_file_cb cb;
    void *ctx;
    dl_keyset seen;
    os_buf key;
    int64_t rows;        /* rows certainly covered so far (for limit_hint) */
    bool done;
    int64_t active;      /* active files met so far */
    int64_t skip;        /* active files already handed on from an image */
} scan_state;

/* Filters one active file and hands it on.  Returns 0, 1 (stop) or -1. */
static int emit(scan_state *st, const delta_file *f, os_err *err)
{
    if (st->active++ < st->skip)
        return 0;
    delta_tristate r = DELTA_UNKNOWN;
    if (st->opts && st->opts->predicate) {
        r = delta_predicate_eval(st->opts->predicate, st->cm, f);
        if (r == DELTA_FALSE)
            return 0;
    }
    int rc = st->cb(st->ctx, f, err);
    if (rc != 0)
        return rc;
    int64_t limit = st->opts ? st->opts->limit_hint : 0;
    if (limit > 0 && (st->opts->predicate == NULL || r == DELTA_TRUE) && f->stats) {
        dl_stats ps;
        int64_t nr = dl_stats_init(&ps, f->stats) ? dl_stats_num_records(&ps) : -1;
        if (nr >= 0) {
            if (f->has_dv)
                nr -= f->dv.cardinality;
            if (nr > 0)
                st->rows = nr > INT64_MAX - st->rows ? INT64_MAX : st->rows + nr;
            if (st->rows >= limit)
                return 1;
        }
    }
    return 0;
}

static int on_cp_add(void *ctx, const delta_action *a, os_err *err)
{
    scan_state *st = ctx;
    if (a->kind != DELTA_ACT_ADD)
        return 0;
    if (delta_file_key(&a->u.file, &st->key, err) < 0)
        return -1;
    if (dl_keyset_has(&st->seen, st->key.data, st->key.len))
        return 0;
    int rc = emit(st, &a->u.file, err);
    if (rc > 0)
        st->done = true;
    return rc;
}

static int on_image_file(void *ctx, const delta_file *f, os_err *err)
{
    scan_state *st = ctx;
    int rc = emit(st, f, err);
    if (rc > 0)
        st->done = true;
    return rc;
}

int delta_snapshot_scan(delta_snapshot *s, const delta_scan_opts *opts,
                        delta_file_cb cb, void *ctx, os_err *err)
{
    scan_state st;
    memset(&st, 0, sizeof st);
    st.s = s;
    st.opts = opts;
    st.cb = cb;
    st.ctx = ctx;
    dl_keyset_init(&st.seen);
    st.skip = opts && opts->skip_active > 0 ? opts->skip_active : 0;
    int rc = -1;
    bool **marks = NULL;
    if (opts && opts->predicate) {
        st.cm = delta_colmap_build(&s->meta, NULL);   /* NULL: names used as given */
    }
    if (opts && opts->use_image) {
        bool cb_failed;
        int r = delta_image_read(opts->image_fd, on_image_file, &st, &cb_failed, err);
        if (r >= 0 || cb_failed || err->code != OS_ECORRUPT) {
            rc = r < 0 ? -1 : 0;
            goto done;
        }
        /* A bad image is never served: replay the log past what it gave. */
        if (opts->image_bad)
            *opts->image_bad = true;
        st.skip = st.active > st.skip ? st.active : st.skip;
        st.active = 0;
        os_err_clear(err);
    }
    if (s->ncommits > 0) {
        marks = calloc(s->ncommits, sizeof *marks);
        if (marks == NULL) {
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto done;
        }
    }
    /* Newest first: the first time a file's identity is seen decides. */
    for (size_t i = s->ncommits; i-- > 0;) {
        dl_commit_actions *c = &s->commits[i];
        marks[i] = calloc(c->n ? c->n : 1, sizeof **marks);
        if (marks[i] == NULL) {
            os_err_set(err, OS_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t j = c->n; j-- > 0;) {
            const delta_action *a = &c->actions[j];
            if (a->kind != DELTA_ACT_ADD && a->kind != DELTA_ACT_REMOVE)
                continue;
            if (delta_file_key(&a->u.file, &st.key, err) < 0) {
                os_err_wrap(err, "%s%020lld.json", s->t->log_dir, (long long)c->version);
                goto done;
            }
            int added = dl_keyset_add(&st.seen, st.key.data, st.key.len);
            if (added < 0) {
                os_err_set(err, OS_ENOMEM, "out of memory");
                goto done;
            }
            if (added && a->kind == DELTA_ACT_ADD)
                marks[i][j] = true;
        }
    }
    for (size_t i = 0; i < s->ncommits && !st.done; i++) {
        dl_commit_actions *c = &s->commits[i];
        for (size_t j = 0; j < c->n && !st.done; j++) {
            if (!marks[i][j])
                continue;
            int r = emit(&st, &c->actions[j].u.file, err);
            if (r < 0)
                goto done;
            if (r > 0)
                st.done = true;
        }
    }
    if (!st.done && s->seg.cp != NULL &&
        dl_checkpoint_read(s->t, s->seg.cp, DL_WANT_ADD, on_cp_add, &st, err) < 0)
        goto done;
    rc = 0;
done:
    if (marks) {
        for (size_t i = 0; i < s->ncommits; i++)
            free(marks[i]);
        free(marks);
    }
    delta_colmap_free(st.cm);
    dl_keyset_free(&st.seen);
    os_buf_free(&st.key);
    return rc;
}

int delta_snapshot_fingerprint(const delta_snapshot *s, os_buf *out, os_err *err)
{
    os_buf_reset(out);
    const dl_commit *c = dl_listing_commit(&s->listing, s->version);
    int rc = os_buf_printf(out, "v%lld c%lld:%lld", (long long)s->version,
                           c ? (long long)c->mtime_ms : -1LL, c ? (long long)c->size : -1LL);
    if (rc == 0 && s->seg.cp != NULL)
        rc = os_buf_printf(out, " cp%lld:%lld:%d", (long long)s->seg.cp->version,
                           (long long)s->seg.cp->mtime_ms, (int)s->seg.cp->kind);
    if (rc != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

/* ------------------------------------------------------------------ txn */

typedef struct txn_state {
    const char *app_id;
    int64_t version;
} txn_state;

static int on_txn(void *ctx, const delta_action *a, os_err *err)
{
    (void)err;
    txn_state *st = ctx;
    if (a->kind == DELTA_ACT_TXN && strcmp(a->u.txn.app_id, st->app_id) == 0) {
        st->version = a->u.txn.version;
        return 1;
    }
    return 0;
}

int delta_snapshot_txn_version(delta_snapshot *s, const char *app_id, int64_t *version, os_err *err)
{
    for (size_t i = s->ncommits; i-- > 0;) {
        const dl_commit_actions *c = &s->commits[i];
        for (size_t j = c->n; j-- > 0;)
            if (c->actions[j].kind == DELTA_ACT_TXN && strcmp(c->actions[j].u.txn.app_id, app_id) == 0) {
                *version = c->actions[j].u.txn.version;
                return 0;
            }
    }
    txn_state st = {app_id, -1};
    if (s->seg.cp != NULL && dl_checkpoint_read(s->t, s->seg.cp, DL_WANT_TXN, on_txn, &st, err) < 0)
        return -1;
    *version = st.version;
    return 0;
}

typedef struct domain_state {
    const char *domain;
    bool found;
    char *config;
} domain_state;

static int on_domain(void *ctx, const delta_action *a, os_err *err)
{
    domain_state *st = ctx;
    if (a->kind != DELTA_ACT_DOMAIN || strcmp(a->u.domain.domain, st->domain) != 0)
        return 0;
    st->found = true;
    if (!a->u.domain.removed) {
        st->config = strdup(a->u.domain.configuration ? a->u.domain.configuration : "");
        if (st->config == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    return 1;
}

int delta_snapshot_domain(delta_snapshot *s, const char *domain, char **config, os_err *err)
{
    *config = NULL;
    domain_state st = {domain, false, NULL};
    for (size_t i = s->ncommits; i-- > 0 && !st.found;) {
        const dl_commit_actions *c = &s->commits[i];
        for (size_t j = c->n; j-- > 0 && !st.found;)
            if (on_domain(&st, &c->actions[j], err) < 0)
                return -1;
    }
    if (!st.found && s->seg.cp != NULL &&
        dl_checkpoint_read(s->t, s->seg.cp, DL_WANT_DOMAIN, on_domain, &st, err) < 0) {
        free(st.config);
        return -1;
    }
    *config = st.config;
    return 0;
}

int delta_table_latest_version(const delta_table *t, int64_t *version, os_err *err)
{
    dl_listing l;
    dl_segment seg;
    if (list_for(t, -1, &l, &seg, err) < 0)
        return -1;
    *version = seg.version;
    dl_listing_free(&l);
    return 0;
}
