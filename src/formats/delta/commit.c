/* commit.c - reading one commit file (NNN.json) into parsed actions, and commit timestamps. */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <string.h>

#include "base/strutil.h"

int dl_commit_read(const delta_table *t, int64_t v, int64_t mtime_ms, os_arena *arena,
                   dl_commit_actions *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    out->version = v;
    out->mtime_ms = mtime_ms;
    os_buf key = OS_BUF_INIT, body = OS_BUF_INIT;
    int rc = -1;
    if (dl_commit_key(t, v, &key) < 0) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    if (objstore_read_all(t->store, key.data, t->limits.max_commit_bytes, &body, err) < 0)
        goto done;
    /* Count lines to size the array once. */
    size_t nlines = 1;
    for (size_t i = 0; i < body.len; i++)
        if (body.data[i] == '\n')
            nlines++;
    out->actions = os_arena_alloc(arena, nlines * sizeof *out->actions);
    if (out->actions == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory reading %s", key.data);
        goto done;
    }
    size_t pos = 0, lineno = 0;
    while (pos < body.len) {
        const char *line = body.data + pos;
        const char *nl = memchr(line, '\n', body.len - pos);
        size_t len = nl ? (size_t)(nl - line) : body.len - pos;
        pos += len + (nl ? 1 : 0);
        lineno++;
        char where[300];
        snprintf(where, sizeof where, "%s line %zu", key.data, lineno);
        delta_action *a = &out->actions[out->n];
        if (delta_action_parse(line, len, where, arena, a, err) < 0)
            goto done;
        if (a->kind != DELTA_ACT_NONE)
            out->n++;
    }
    rc = 0;
done:
    os_buf_free(&key);
    os_buf_free(&body);
    return rc;
}

bool dl_ict_enabled_at(const delta_metadata *m, int64_t v)
{
    if (m == NULL)
        return false;
    if (!delta_map_true(&m->configuration, "delta.enableInCommitTimestamps"))
        return false;
    const char *ev = delta_map_get(&m->configuration, "delta.inCommitTimestampEnablementVersion", NULL);
    int64_t from = 0;
    if (ev != NULL && os_parse_i64(ev, &from) < 0)
        from = 0;
    return v >= from;
}

int dl_commit_timestamp(const dl_commit_actions *c, bool ict, const char *where,
                        int64_t *ts, os_err *err)
{
    if (!ict) {
        *ts = c->mtime_ms;
        return 0;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->actions[i].kind == DELTA_ACT_COMMIT_INFO &&
            c->actions[i].u.info.has_in_commit_timestamp) {
            *ts = c->actions[i].u.info.in_commit_timestamp;
            return 0;
        }
    return os_err_set(err, OS_ECORRUPT,
                      "%s: in-commit timestamps are enabled but commit %lld has no "
                      "commitInfo.inCommitTimestamp", where, (long long)c->version);
}
