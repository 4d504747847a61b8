/* log_list.c - listing _delta_log: commits, checkpoints, _last_checkpoint, and the segment that rebuilds a version. */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Part slots allocated for multi-part checkpoint sets, across one listing. */
#define MAX_PART_SLOTS 1000000

typedef struct list_state {
    const delta_table *t;
    dl_listing *l;
    size_t cap_commits, cap_cps;
    size_t part_slots;
    size_t seen;
    size_t dirlen;
} list_state;

/* Parses exactly n decimal digits. */
static bool parse_digits(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool is_uuid(const char *s, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

static int add_cp(list_state *st, int64_t version, dl_cp_kind kind, int32_t part, int32_t nparts,
                  const char *key, int64_t mtime, os_err *err)
{
    dl_listing *l = st->l;
    dl_checkpoint *cp = NULL;
    if (kind == DL_CP_MULTI) {
        /* Parts of one set are adjacent in sorted order. */
        for (size_t i = l->ncps; i-- > 0;) {
            dl_checkpoint *c = &l->cps[i];
            if (c->version != version)
                break;
            if (c->kind == DL_CP_MULTI && c->nparts == nparts) {
                cp = c;
                break;
            }
        }
    }
    if (cp == NULL) {
        st->part_slots += (size_t)nparts;
        if (st->part_slots > MAX_PART_SLOTS)
            return os_err_set(err, OS_ELIMIT, "%s: too many checkpoint parts", st->t->log_dir);
        if (l->ncps == st->cap_cps) {
            size_t nc = st->cap_cps ? st->cap_cps * 2 : 16;
            dl_checkpoint *n = realloc(l->cps, nc * sizeof *n);
            if (n == NULL)
                return os_err_set(err, OS_ENOMEM, "out of memory listing the log");
            l->cps = n;
            st->cap_cps = nc;
        }
        cp = &l->cps[l->ncps++];
        memset(cp, 0, sizeof *cp);
        cp->version = version;
        cp->kind = kind;
        cp->nparts = nparts;
        cp->keys = calloc((size_t)nparts, sizeof *cp->keys);
        if (cp->keys == NULL) {
            l->ncps--;
            return os_err_set(err, OS_ENOMEM, "out of memory listing the log");
        }
    }
    if (cp->keys[part - 1] == NULL) {
        cp->keys[part - 1] = strdup(key);
        if (cp->keys[part - 1] == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory listing the log");
    }
    if (mtime > cp->mtime_ms)
        cp->mtime_ms = mtime;
    return 0;
}

static int on_entry(void *ctx, const objstore_entry *e, os_err *err)
{
    list_state *st = ctx;
    if (++st->seen > st->t->limits.max_log_files)
        return os_err_set(err, OS_ELIMIT, "%s: more than %zu files", st->t->log_dir,
                          st->t->limits.max_log_files);
    const char *name = e->name + st->dirlen;
    size_t n = strlen(name);
    int64_t v;
    if (n < DL_VERSION_DIGITS + 1 || !parse_digits(name, DL_VERSION_DIGITS, &v) ||
        name[DL_VERSION_DIGITS] != '.')
        return 0;   /* _last_checkpoint, .crc side files, anything else */
    const char *rest = name + DL_VERSION_DIGITS + 1;
    size_t rn = n - DL_VERSION_DIGITS - 1;
    if (rn == 4 && memcmp(rest, "json", 4) == 0) {
        dl_listing *l = st->l;
        if (l->ncommits == st->cap_commits) {
            size_t nc = st->cap_commits ? st->cap_commits * 2 : 64;
            dl_commit *c = realloc(l->commits, nc * sizeof *c);
            if (c == NULL)
                return os_err_set(err, OS_ENOMEM, "out of memory listing the log");
            l->commits = c;
            st->cap_commits = nc;
        }
        l->commits[l->ncommits++] = (dl_commit){v, e->size, e->mtime_ms};
        return 0;
    }
    if (rn < 11 || memcmp(rest, "checkpoint.", 11) != 0)
        return 0;   /* N.crc, N.M.compacted.json, others: not ours to read */
    rest += 11;
    rn -= 11;
    if (rn == 7 && memcmp(rest, "parquet", 7) == 0)
        return add_cp(st, v, DL_CP_CLASSIC, 1, 1, e->name, e->mtime_ms, err);
    int64_t part, nparts;
    if (rn == 10 + 1 + 10 + 8 && parse_digits(rest, 10, &part) && rest[10] == '.' &&
        parse_digits(rest + 11, 10, &nparts) && memcmp(rest + 21, ".parquet", 8) == 0) {
        if (nparts < 1 || part < 1 || part > nparts || nparts > 100000)
            return 0;   /* not a well-formed part name: ignored */
        return add_cp(st, v, DL_CP_MULTI, (int32_t)part, (int32_t)nparts, e->name, e->mtime_ms, err);
    }
    if (rn > 36 && is_uuid(rest, 36)) {
        if (strcmp(rest + 36, ".json") == 0)
            return add_cp(st, v, DL_CP_V2_JSON, 1, 1, e->name, e->mtime_ms, err);
        if (strcmp(rest + 36, ".parquet") == 0)
            return add_cp(st, v, DL_CP_V2_PARQUET, 1, 1, e->name, e->mtime_ms, err);
    }
    return 0;
}

void dl_listing_free(dl_listing *l)
{
    for (size_t i = 0; i < l->ncps; i++) {
        for (int32_t p = 0; p < l->cps[i].nparts; p++)
            free(l->cps[i].keys[p]);
        free(l->cps[i].keys);
    }
    free(l->cps);
    free(l->commits);
    memset(l, 0, sizeof *l);
}

int dl_listing_load(const delta_table *t, int64_t from_version, dl_listing *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    list_state st = {t, out, 0, 0, 0, 0, strlen(t->log_dir)};
    os_buf start = OS_BUF_INIT;
    if (from_version > 0) {
        /* Everything named "<v-1>..." sorts before "<v-1>/"-free names of v;
         * listing after "<v-1>.~" skips all of version v-1's files. */
        if (os_buf_printf(&start, "%s%020lld.~", t->log_dir, (long long)(from_version - 1)) < 0)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        out->partial = true;
    }
    int rc = objstore_list(t->store, t->log_dir, from_version > 0 ? start.data : NULL, on_entry, &st, err);
    os_buf_free(&start);
    if (rc < 0) {
        dl_listing_free(out);
        if (err && err->code == OS_ENOTFOUND)
            os_err_set(err, OS_ENOTFOUND, "no Delta table at '%s': %s is missing",
                       t->root[0] ? t->root : ".", t->log_dir);
        return -1;
    }
    return 0;
}

int64_t dl_last_checkpoint_hint(const delta_table *t)
{
    os_buf key = OS_BUF_INIT, body = OS_BUF_INIT;
    int64_t v = -1;
    if (os_buf_printf(&key, "%s_last_checkpoint", t->log_dir) < 0)
        goto done;
    if (objstore_read_all(t->store, key.data, t->limits.max_last_checkpoint_bytes, &body, NULL) < 0)
        goto done;
    json_t *root = json_loadb(body.data ? body.data : "", body.len, 0, NULL);
    if (root != NULL) {
        json_t *jv = json_object_get(root, "version");
        if (json_is_integer(jv) && json_integer_value(jv) >= 0)
            v = (int64_t)json_integer_value(jv);
        json_decref(root);
    }
done:
    os_buf_free(&key);
    os_buf_free(&body);
    return v;
}

bool dl_checkpoint_complete(const dl_checkpoint *cp)
{
    for (int32_t p = 0; p < cp->nparts; p++)
        if (cp->keys[p] == NULL)
            return false;
    return true;
}

int64_t dl_listing_latest(const dl_listing *l)
{
    int64_t v = -1;
    if (l->ncommits > 0)
        v = l->commits[l->ncommits - 1].version;
    for (size_t i = 0; i < l->ncps; i++)
        if (l->cps[i].version > v && dl_checkpoint_complete(&l->cps[i]))
            v = l->cps[i].version;
    return v;
}

const dl_commit *dl_listing_commit(const dl_listing *l, int64_t v)
{
    size_t lo = 0, hi = l->ncommits;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->commits[mid].version < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < l->ncommits && l->commits[lo].version == v)
        return &l->commits[lo];
    return NULL;
}

int dl_segment_find(const delta_table *t, const dl_listing *l, int64_t version,
                    dl_segment *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t latest = dl_listing_latest(l);
    if (latest < 0)
        return os_err_set(err, OS_ENOTFOUND, "%s: no commits or checkpoints", t->log_dir);
    if (version < 0)
        version = latest;
    if (version > latest)
        return os_err_set(err, OS_ENOTFOUND, "version %lld does not exist: the latest is %lld",
                          (long long)version, (long long)latest);
    const dl_checkpoint *best = NULL;
    for (size_t i = 0; i < l->ncps; i++) {
        const dl_checkpoint *cp = &l->cps[i];
        if (cp->version > version || !dl_checkpoint_complete(cp))
            continue;
        /* Newest wins; at one version any complete kind will do, v2 first. */
        if (best == NULL || cp->version > best->version ||
            (cp->version == best->version && cp->kind > best->kind))
            best = cp;
    }
    int64_t first = best ? best->version + 1 : 0;
    if (best == NULL && l->partial)
        return os_err_set(err, OS_EINTERNAL, "partial listing without a checkpoint");
    for (int64_t v = first; v <= version; v++) {
        if (dl_listing_commit(l, v) == NULL) {
            if (v == 0 && best == NULL)
                return os_err_set(err, OS_ENOTFOUND,
                                  "version %lld cannot be rebuilt: %s has no checkpoint at or "
                                  "below it and no commit 0", (long long)version, t->log_dir);
            return os_err_set(err, OS_ECORRUPT,
                              "%s: commit %020lld.json is missing (versions are not contiguous)",
                              t->log_dir, (long long)v);
        }
    }
    out->version = version;
    out->cp = best;
    out->first_commit = first;
    return 0;
}

int dl_commit_key(const delta_table *t, int64_t v, os_buf *buf)
{
    os_buf_reset(buf);
    return os_buf_printf(buf, "%s%020lld.json", t->log_dir, (long long)v);
}

void dl_listing_monotonize(dl_listing *l, size_t from)
{
    for (size_t i = from + 1; i < l->ncommits; i++)
        if (l->commits[i].mtime_ms <= l->commits[i - 1].mtime_ms)
            l->commits[i].mtime_ms = l->commits[i - 1].mtime_ms + 1;
}
