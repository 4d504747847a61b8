/* table_source_delta.c - the Delta log engine behind the table_source interface (a thin pass-through). */
#include <stdlib.h>

#include "sharing/table_source.h"

static int d_latest(void *impl, int64_t *v, os_err *err)
{
    return delta_table_latest_version(impl, v, err);
}

static int d_at_ts(void *impl, int64_t ts, delta_ts_rule rule, int64_t *v, os_err *err)
{
    return delta_version_at_timestamp(impl, ts, rule, v, err);
}

static void *d_load(void *impl, const delta_snapshot_opts *o, os_err *err)
{
    return delta_snapshot_load(impl, o, err);
}

static void d_free(void *s)
{
    delta_snapshot_free(s);
}

static int64_t d_version(const void *s)
{
    return delta_snapshot_version(s);
}

static int64_t d_timestamp(const void *s)
{
    return delta_snapshot_timestamp(s);
}

static const delta_protocol *d_protocol(const void *s)
{
    return delta_snapshot_protocol(s);
}

static const delta_metadata *d_metadata(const void *s)
{
    return delta_snapshot_metadata(s);
}

static int d_scan(void *s, const delta_scan_opts *o, delta_file_cb cb, void *ctx, os_err *err)
{
    return delta_snapshot_scan(s, o, cb, ctx, err);
}

static int d_changes_allowed(const void *s, int64_t version, os_err *err)
{
    if (!delta_map_true(&delta_snapshot_metadata(s)->configuration, "delta.enableChangeDataFeed"))
        return os_err_set(err, OS_EINVAL, "the change data feed is not enabled on this table at "
                          "version %lld", (long long)version);
    return 0;
}

static int d_history(void *impl, const delta_history_opts *o, delta_change_cb cb, void *ctx, os_err *err)
{
    return delta_history_scan(impl, o, cb, ctx, err);
}

static int d_history_check(void *impl, int64_t start, int64_t end, os_err *err)
{
    (void)impl;
    (void)start;
    (void)end;
    (void)err;
    return 0;   /* the log engine checks each commit as it walks */
}

static void d_close(void *impl)
{
    delta_table *t = impl;
    delta_table_free(t);
    free(t);
}

static int d_fingerprint(const void *s, os_buf *out, os_err *err)
{
    return delta_snapshot_fingerprint(s, out, err);
}

static const table_source_ops DELTA_OPS = {
    d_latest, d_at_ts, d_load, d_free, d_version, d_timestamp, d_protocol, d_metadata, d_scan,
    d_changes_allowed, d_history, d_history_check, d_close, d_fingerprint,
};

int table_source_open_delta(table_source *ts, const objstore *store, os_err *err)
{
    ts->ops = NULL;
    ts->impl = NULL;
    delta_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (delta_table_init(t, store, "", NULL, err) != 0) {
        free(t);
        return -1;
    }
    ts->ops = &DELTA_OPS;
    ts->impl = t;
    return 0;
}

void table_source_close(table_source *ts)
{
    if (ts == NULL || ts->ops == NULL)
        return;
    ts->ops->close(ts->impl);
    ts->ops = NULL;
    ts->impl = NULL;
}
