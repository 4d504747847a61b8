/* checkpoint.c - streaming the actions of a checkpoint: classic, multi-part, v2 (JSON or Parquet) and sidecars. */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"

#define CP_MAX_SIDECARS 100000
#define CP_CHUNK (1u << 20)

typedef struct cp_state {
    const delta_table *t;
    unsigned wanted;
    dl_action_cb cb;
    void *ctx;
    char **sidecars;
    size_t nsidecars, cap_sidecars;
    bool stopped;
    int64_t version;
} cp_state;

static int remember_sidecar(cp_state *st, const delta_sidecar *sc, const char *where, os_err *err)
{
    if (st->nsidecars >= CP_MAX_SIDECARS)
        return os_err_set(err, OS_ELIMIT, "%s: more than %d sidecars", where, CP_MAX_SIDECARS);
    if (strchr(sc->path, ':') != NULL || sc->path[0] == '/')
        return os_err_set(err, OS_EUNSUPPORTED, "%s: sidecar '%s' is not under _delta_log/_sidecars/",
                          where, sc->path);
    if (st->nsidecars == st->cap_sidecars) {
        size_t nc = st->cap_sidecars ? st->cap_sidecars * 2 : 8;
        char **n = realloc(st->sidecars, nc * sizeof *n);
        if (n == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        st->sidecars = n;
        st->cap_sidecars = nc;
    }
    char *p = strdup(sc->path);
    if (p == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    st->sidecars[st->nsidecars++] = p;
    return 0;
}

static bool wanted_kind(unsigned wanted, delta_action_kind k)
{
    switch (k) {
    case DELTA_ACT_ADD: return wanted & DL_WANT_ADD;
    case DELTA_ACT_REMOVE: return wanted & DL_WANT_REMOVE;
    case DELTA_ACT_METADATA: return wanted & DL_WANT_METADATA;
    case DELTA_ACT_PROTOCOL: return wanted & DL_WANT_PROTOCOL;
    case DELTA_ACT_TXN: return wanted & DL_WANT_TXN;
    case DELTA_ACT_DOMAIN: return wanted & DL_WANT_DOMAIN;
    default: return false;
    }
}

/* Handles one action from a top-level checkpoint file or sidecar. */
static int deliver(void *ctx, const delta_action *a, os_err *err)
{
    cp_state *st = ctx;
    if (a->kind == DELTA_ACT_SIDECAR)
        return remember_sidecar(st, &a->u.sidecar, "checkpoint", err);
    if (a->kind == DELTA_ACT_CHECKPOINT_META && a->u.checkpoint_version != st->version)
        return os_err_set(err, OS_ECORRUPT, "checkpoint %lld: checkpointMetadata.version is %lld",
                          (long long)st->version, (long long)a->u.checkpoint_version);
    if (!wanted_kind(st->wanted, a->kind))
        return 0;
    int r = st->cb(st->ctx, a, err);
    if (r > 0)
        st->stopped = true;
    return r;
}

/* Streams a JSON-lines file in bounded chunks. */
static int read_json_lines(cp_state *st, const char *key, os_err *err)
{
    const delta_table *t = st->t;
    char *buf = malloc(CP_CHUNK);
    os_buf line = OS_BUF_INIT;
    int rc = 0;
    size_t lineno = 0;
    uint64_t off = 0;
    if (buf == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    while (rc == 0 && !st->stopped) {
        size_t got = 0;
        if (objstore_read_range(t->store, key, off, CP_CHUNK, buf, &got, err) < 0) {
            rc = -1;
            break;
        }
        off += got;
        size_t pos = 0;
        while (rc == 0 && !st->stopped) {
            const char *nl = got > pos ? memchr(buf + pos, '\n', got - pos) : NULL;
            size_t n = nl ? (size_t)(nl - (buf + pos)) : got - pos;
            if (line.len + n > t->limits.max_commit_bytes) {
                rc = os_err_set(err, OS_ELIMIT, "%s: a line is longer than %zu bytes", key,
                                t->limits.max_commit_bytes);
                break;
            }
            if (os_buf_append(&line, buf + pos, n) < 0) {
                rc = os_err_set(err, OS_ENOMEM, "out of memory");
                break;
            }
            pos += n;
            if (nl == NULL && got == CP_CHUNK)
                break;   /* the line continues in the next chunk */
            if (nl != NULL)
                pos++;
            lineno++;
            os_arena arena = OS_ARENA_INIT;
            delta_action a;
            char where[300];
            snprintf(where, sizeof where, "%s line %zu", key, lineno);
            if (delta_action_parse(line.data ? line.data : "", line.len, where, &arena, &a, err) < 0)
                rc = -1;
            else if (a.kind != DELTA_ACT_NONE && deliver(st, &a, err) < 0)
                rc = -1;
            os_arena_free(&arena);
            os_buf_reset(&line);
            if (nl == NULL)
                break;
        }
        if (got < CP_CHUNK)
            break;
    }
    free(buf);
    os_buf_free(&line);
    return rc;
}

static int read_part(cp_state *st, const char *key, os_err *err)
{
    if (os_str_ends_with(key, ".json"))
        return read_json_lines(st, key, err);
    return dl_cp_parquet_read(st->t, key, st->wanted | DL_WANT_SIDECARS, deliver, st, err);
}

int dl_checkpoint_read(const delta_table *t, const dl_checkpoint *cp, unsigned wanted,
                       dl_action_cb cb, void *ctx, os_err *err)
{
    cp_state st = {t, wanted, cb, ctx, NULL, 0, 0, false, cp->version};
    int rc = 0;
    for (int32_t p = 0; rc == 0 && !st.stopped && p < cp->nparts; p++) {
        if (cp->keys[p] == NULL) {
            rc = os_err_set(err, OS_ECORRUPT, "checkpoint %lld: part %d of %d is missing",
                            (long long)cp->version, p + 1, cp->nparts);
            break;
        }
        rc = read_part(&st, cp->keys[p], err);
    }
    /* Sidecars hold only file actions. */
    unsigned file_wanted = wanted & (DL_WANT_ADD | DL_WANT_REMOVE);
    os_buf key = OS_BUF_INIT;
    for (size_t i = 0; rc == 0 && !st.stopped && file_wanted && i < st.nsidecars; i++) {
        os_buf_reset(&key);
        if (os_buf_printf(&key, "%s_sidecars/%s", t->log_dir, st.sidecars[i]) < 0) {
            rc = os_err_set(err, OS_ENOMEM, "out of memory");
            break;
        }
        long n = os_url_decode(key.data, 0);
        if (n < 0) {
            rc = os_err_set(err, OS_ECORRUPT, "checkpoint %lld: sidecar path '%s' is malformed",
                            (long long)cp->version, st.sidecars[i]);
            break;
        }
        key.len = (size_t)n;
        st.wanted = file_wanted;
        rc = read_part(&st, key.data, err);
        if (rc < 0 && err && err->code == OS_ENOTFOUND)
            os_err_wrap(err, "checkpoint %lld names a missing sidecar", (long long)cp->version);
    }
    os_buf_free(&key);
    for (size_t i = 0; i < st.nsidecars; i++)
        free(st.sidecars[i]);
    free(st.sidecars);
    return rc;
}
