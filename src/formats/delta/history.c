/* history.c - walking the commits of a version window: per-commit changes and the change-data-feed rules. */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <string.h>

static bool cdf_enabled(const delta_metadata *m)
{
    return delta_map_true(&m->configuration, "delta.enableChangeDataFeed");
}

int delta_history_scan(const delta_table *t, const delta_history_opts *opts,
                       delta_change_cb cb, void *ctx, os_err *err)
{
    int64_t start = opts->start_version;
    if (start < 0)
        return os_err_set(err, OS_EINVAL, "starting version %lld is negative", (long long)start);
    if (opts->has_end_version && opts->end_version < start)
        return os_err_set(err, OS_EINVAL, "ending version %lld is before starting version %lld",
                          (long long)opts->end_version, (long long)start);
    delta_snapshot_opts so = {.has_version = true, .version = start};
    delta_snapshot *snap = delta_snapshot_load(t, &so, err);
    if (snap == NULL)
        return -1;
    os_arena keep = OS_ARENA_INIT;
    dl_listing l;
    memset(&l, 0, sizeof l);
    delta_protocol proto;
    delta_metadata meta;
    int rc = -1;
    if (dl_protocol_copy(&keep, &proto, delta_snapshot_protocol(snap)) < 0 ||
        dl_metadata_copy(&keep, &meta, delta_snapshot_metadata(snap)) < 0) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        goto done;
    }
    delta_snapshot_free(snap);
    snap = NULL;
    if (dl_listing_load(t, start, &l, err) < 0)
        goto done;
    dl_listing_monotonize(&l, 0);   /* the listing starts at `start` */
    int64_t latest = l.ncommits ? l.commits[l.ncommits - 1].version : -1;
    int64_t end = opts->has_end_version ? opts->end_version : latest;
    if (end > latest) {
        os_err_set(err, OS_EINVAL, "ending version %lld is after the latest version %lld",
                   (long long)end, (long long)latest);
        goto done;
    }
    for (int64_t v = start; v <= end; v++)
        if (dl_listing_commit(&l, v) == NULL) {
            os_err_set(err, OS_ENOTFOUND, "%s%020lld.json is missing: version %lld has no commit to "
                       "read changes from", t->log_dir, (long long)v, (long long)v);
            goto done;
        }
    for (int64_t v = start; v <= end; v++) {
        os_arena arena = OS_ARENA_INIT;
        dl_commit_actions c;
        char where[300];
        snprintf(where, sizeof where, "%s%020lld.json", t->log_dir, (long long)v);
        const dl_commit *lc = dl_listing_commit(&l, v);
        int r = dl_commit_read(t, v, lc->mtime_ms, &arena, &c, err);
        const delta_protocol *np = NULL;
        const delta_metadata *nm = NULL;
        const delta_commit_info *info = NULL;
        bool has_cdc = false;
        for (size_t i = 0; r == 0 && i < c.n; i++) {
            const delta_action *a = &c.actions[i];
            if (a->kind == DELTA_ACT_PROTOCOL) {
                if (np != NULL)
                    r = os_err_set(err, OS_ECORRUPT, "%s: conflicting protocol actions", where);
                np = &a->u.proto;
            } else if (a->kind == DELTA_ACT_METADATA) {
                if (nm != NULL)
                    r = os_err_set(err, OS_ECORRUPT, "%s: conflicting metaData actions", where);
                nm = &a->u.meta;
            } else if (a->kind == DELTA_ACT_COMMIT_INFO && info == NULL) {
                info = &a->u.info;
            } else if (a->kind == DELTA_ACT_CDC) {
                has_cdc = true;
            }
        }
        if (r == 0 && np != NULL && v != start) {
            if (delta_protocol_check(np, err) < 0) {
                os_err_wrap(err, "%s", where);
                r = -1;
            } else if (dl_protocol_copy(&keep, &proto, np) < 0) {
                r = os_err_set(err, OS_ENOMEM, "out of memory");
            }
        }
        if (r == 0 && nm != NULL && v != start) {
            if (dl_check_metadata(t, nm, v, err) < 0)
                r = -1;
            else if (dl_metadata_copy(&keep, &meta, nm) < 0)
                r = os_err_set(err, OS_ENOMEM, "out of memory");
        }
        if (r == 0 && opts->cdf && !cdf_enabled(&meta))
            r = os_err_set(err, OS_EINVAL, "change data feed is not enabled at version %lld of %s",
                           (long long)v, t->root[0] ? t->root : ".");
        int64_t ts = 0;
        if (r == 0)
            r = dl_commit_timestamp(&c, dl_ict_enabled_at(&meta, v), where, &ts, err);
        delta_change ch = {DELTA_CHANGE_COMMIT, v, ts, NULL, NULL, NULL, info};
        if (r == 0)
            r = cb(ctx, &ch, err);
        if (r == 0 && np != NULL) {
            delta_change pc = {DELTA_CHANGE_PROTOCOL, v, ts, NULL, np, NULL, NULL};
            r = cb(ctx, &pc, err);
        }
        if (r == 0 && nm != NULL) {
            delta_change mc = {DELTA_CHANGE_METADATA, v, ts, NULL, NULL, nm, NULL};
            r = cb(ctx, &mc, err);
        }
        for (size_t i = 0; r == 0 && i < c.n; i++) {
            const delta_action *a = &c.actions[i];
            delta_change fc = {0, v, ts, &a->u.file, NULL, NULL, NULL};
            if (a->kind == DELTA_ACT_CDC) {
                if (!opts->cdf || has_cdc)
                    fc.kind = DELTA_CHANGE_CDC;
            } else if (a->kind == DELTA_ACT_ADD || a->kind == DELTA_ACT_REMOVE) {
                if (!opts->cdf || (!has_cdc && a->u.file.data_change))
                    fc.kind = a->kind == DELTA_ACT_ADD ? DELTA_CHANGE_ADD : DELTA_CHANGE_REMOVE;
            }
            if (fc.kind != 0)
                r = cb(ctx, &fc, err);
        }
        os_arena_free(&arena);
        if (r < 0)
            goto done;
        if (r > 0)
            break;
    }
    rc = 0;
done:
    delta_snapshot_free(snap);
    dl_listing_free(&l);
    os_arena_free(&keep);
    return rc;
}
