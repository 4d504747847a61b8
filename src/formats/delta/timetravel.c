/* timetravel.c - commit timestamps and the version in force at a timestamp (Delta Sharing rules). */
#include "formats/delta/delta_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

/* ISO text of ms, or the number when it is beyond any calendar. */
static void fmt_ms(int64_t ms, char out[32])
{
    if (ms > 8000000000000000LL || ms < -8000000000000000LL)
        snprintf(out, 32, "%lld", (long long)ms);
    else
        os_time_format_iso(ms, out);
}

typedef struct tt {
    const delta_table *t;
    const dl_listing *l;
    const delta_metadata *meta;   /* latest metadata: tells when ICT began */
    os_arena arena;
} tt;

/* Timestamp of version v (which has a commit file in the listing). */
static int ts_of(tt *c, int64_t v, int64_t *ts, os_err *err)
{
    const dl_commit *cm = dl_listing_commit(c->l, v);
    if (cm == NULL)
        return os_err_set(err, OS_ENOTFOUND, "commit %lld is missing", (long long)v);
    if (!dl_ict_enabled_at(c->meta, v)) {
        *ts = cm->mtime_ms;
        return 0;
    }
    dl_commit_actions ca;
    char where[300];
    snprintf(where, sizeof where, "%s%020lld.json", c->t->log_dir, (long long)v);
    if (dl_commit_read(c->t, v, cm->mtime_ms, &c->arena, &ca, err) < 0)
        return -1;
    int rc = dl_commit_timestamp(&ca, true, where, ts, err);
    os_arena_free(&c->arena);
    return rc;
}

int delta_version_at_timestamp(const delta_table *t, int64_t ts_ms, delta_ts_rule rule,
                               int64_t *version, os_err *err)
{
    delta_snapshot *latest = delta_snapshot_load(t, NULL, err);
    if (latest == NULL)
        return -1;
    dl_listing l;
    if (dl_listing_load(t, -1, &l, err) < 0) {
        delta_snapshot_free(latest);
        return -1;
    }
    tt c = {t, &l, delta_snapshot_metadata(latest), OS_ARENA_INIT};
    int rc = -1;
    /* Candidates: versions with a commit file, from the earliest version that
     * can be rebuilt (commit 0, or the oldest complete checkpoint). */
    int64_t earliest = -1;
    if (dl_listing_commit(&l, 0) != NULL)
        earliest = 0;
    for (size_t i = 0; earliest < 0 && i < l.ncps; i++)
        if (dl_checkpoint_complete(&l.cps[i]))
            earliest = l.cps[i].version;
    int64_t last = l.ncommits ? l.commits[l.ncommits - 1].version : -1;
    if (earliest < 0 || last < earliest) {
        os_err_set(err, OS_ENOTFOUND, "%s: no commit can be time-travelled to", t->log_dir);
        goto done;
    }
    size_t lo_i = 0;
    while (lo_i < l.ncommits && l.commits[lo_i].version < earliest)
        lo_i++;
    if (lo_i >= l.ncommits) {
        os_err_set(err, OS_ENOTFOUND, "%s: no commit can be time-travelled to", t->log_dir);
        goto done;
    }
    /* File times over the versions that can be answered, as Delta orders them. */
    dl_listing_monotonize(&l, lo_i);
    /* Index of the first commit whose time is an in-commit timestamp. */
    size_t ict_i = lo_i;
    while (ict_i < l.ncommits && !dl_ict_enabled_at(c.meta, l.commits[ict_i].version))
        ict_i++;
    int64_t first_ts, last_ts;
    if (ts_of(&c, l.commits[lo_i].version, &first_ts, err) < 0 ||
        ts_of(&c, last, &last_ts, err) < 0)
        goto done;
    char tsbuf[32], b2[32];
    fmt_ms(ts_ms, tsbuf);
    if (rule == DELTA_TS_AT_OR_BEFORE) {
        if (ts_ms < first_ts) {
            fmt_ms(first_ts, b2);
            os_err_set(err, OS_EINVAL, "timestamp %s is before the earliest available version "
                       "%lld (%s)", tsbuf, (long long)l.commits[lo_i].version, b2);
            goto done;
        }
        if (ts_ms > last_ts) {
            fmt_ms(last_ts, b2);
            os_err_set(err, OS_EINVAL, "timestamp %s is after the latest version %lld (%s)",
                       tsbuf, (long long)last, b2);
            goto done;
        }
        /* In-commit timestamps only grow, so their range is searched by
         * halves; file times (made increasing above) are scanned newest first. */
        if (ict_i < l.ncommits) {
            int64_t t0;
            if (ts_of(&c, l.commits[ict_i].version, &t0, err) < 0)
                goto done;
            if (t0 <= ts_ms) {
                size_t lo = ict_i, hi = l.ncommits - 1;   /* ts(lo) <= ts */
                while (lo < hi) {
                    size_t mid = lo + (hi - lo + 1) / 2;
                    int64_t tm;
                    if (ts_of(&c, l.commits[mid].version, &tm, err) < 0)
                        goto done;
                    if (tm <= ts_ms)
                        lo = mid;
                    else
                        hi = mid - 1;
                }
                *version = l.commits[lo].version;
                rc = 0;
                goto done;
            }
        }
        for (size_t i = ict_i; i-- > lo_i;) {
            if (l.commits[i].mtime_ms <= ts_ms) {
                *version = l.commits[i].version;
                rc = 0;
                goto done;
            }
        }
        os_err_set(err, OS_EINVAL, "timestamp %s is before the earliest available version", tsbuf);
    } else {
        if (ts_ms > last_ts) {
            fmt_ms(last_ts, b2);
            os_err_set(err, OS_EINVAL, "timestamp %s is after the latest version %lld (%s)",
                       tsbuf, (long long)last, b2);
            goto done;
        }
        for (size_t i = lo_i; i < ict_i; i++) {
            if (l.commits[i].mtime_ms >= ts_ms) {
                *version = l.commits[i].version;
                rc = 0;
                goto done;
            }
        }
        if (ict_i < l.ncommits) {
            size_t lo = ict_i, hi = l.ncommits - 1;   /* ts(hi) >= ts (checked above) */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int64_t tm;
                if (ts_of(&c, l.commits[mid].version, &tm, err) < 0)
                    goto done;
                if (tm >= ts_ms)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            *version = l.commits[lo].version;
            rc = 0;
            goto done;
        }
        os_err_set(err, OS_EINVAL, "timestamp %s is after the latest version", tsbuf);
    }
done:
    os_arena_free(&c.arena);
    dl_listing_free(&l);
    delta_snapshot_free(latest);
    return rc;
}
