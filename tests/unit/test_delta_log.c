/* test_delta_log.c - log listing and replay on small tables written here: reconciliation, deletion vectors,
 * gaps, stale or corrupt _last_checkpoint, compaction files, JSON v2 checkpoints, limits, timestamps, history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "formats/delta/delta.h"
#include "storage/objstore.h"
#include "pq_craft.h"

static char dir[256];

static void put(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
    *slash = '/';
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void set_mtime(const char *name, int64_t ms)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct timespec ts[2] = {{ms / 1000, (ms % 1000) * 1000000}, {ms / 1000, (ms % 1000) * 1000000}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void rm(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(unlink(path), 0);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/test_delta_log.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

#define PROTO "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
#define META(conf) "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"        \
    "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"p\\\",\\\"type\\\":"   \
    "\\\"integer\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}},{\\\"name\\\":\\\"v\\\",\\\"type\\\":"         \
    "\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\",\"partitionColumns\":[\"p\"],"                \
    "\"configuration\":{" conf "}}}\n"
#define ADD(path, p, n) "{\"add\":{\"path\":\"" path "\",\"partitionValues\":{\"p\":\"" p "\"},\"size\":1,"  \
    "\"modificationTime\":1,\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":" n                          \
    ",\\\"minValues\\\":{\\\"v\\\":1},\\\"maxValues\\\":{\\\"v\\\":9},\\\"nullCount\\\":{\\\"v\\\":0}}\"}}\n"
#define REMOVE(path) "{\"remove\":{\"path\":\"" path "\",\"deletionTimestamp\":1,\"dataChange\":true}}\n"

typedef struct collected {
    char paths[64][128];
    int n;
} collected;

static int collect(void *ctx, const delta_file *f, os_err *err)
{
    (void)err;
    collected *c = ctx;
    if (c->n < 64)
        snprintf(c->paths[c->n++], 128, "%s%s", f->path, f->has_dv ? "#dv" : "");
    return 0;
}

typedef struct fixture {
    objstore st;
    delta_table t;
} fixture;

static void open_table(fixture *fx, const delta_limits *lim)
{
    os_err e;
    assert_int_equal(objstore_local_open(dir, &fx->st, &e), 0);
    assert_int_equal(delta_table_init(&fx->t, &fx->st, "tbl", lim, &e), 0);
}

static void close_table(fixture *fx)
{
    delta_table_free(&fx->t);
    objstore_close(&fx->st);
}

/* Loads version v (-1 latest) and returns the files as "a,b,c" or the error. */
static const char *files_at(int64_t v, const delta_scan_opts *so, os_err *e)
{
    static char out[4096];
    fixture fx;
    open_table(&fx, NULL);
    delta_snapshot_opts o = {.has_version = v >= 0, .version = v};
    delta_snapshot *s = delta_snapshot_load(&fx.t, &o, e);
    out[0] = '\0';
    if (s == NULL) {
        snprintf(out, sizeof out, "ERR %s: %s", os_code_name(e->code), e->msg);
        close_table(&fx);
        return out;
    }
    collected c = {.n = 0};
    if (delta_snapshot_scan(s, so, collect, &c, e) < 0) {
        snprintf(out, sizeof out, "ERR %s: %s", os_code_name(e->code), e->msg);
    } else {
        for (int i = 0; i < c.n; i++) {
            if (i)
                strcat(out, ",");
            strcat(out, c.paths[i]);
        }
    }
    delta_snapshot_free(s);
    close_table(&fx);
    return out;
}

static void test_replay_rules(void **state)
{
    (void)state;
    os_err e;
    put("tbl/_delta_log/00000000000000000000.json", PROTO META("") ADD("a", "1", "10") ADD("b", "1", "10"));
    put("tbl/_delta_log/00000000000000000001.json", REMOVE("a") ADD("c", "2", "10"));
    put("tbl/_delta_log/00000000000000000002.json", "{\"commitInfo\":{\"operation\":\"X\"}}\n" ADD("a", "3", "10"));
    /* a version that is only noise */
    put("tbl/_delta_log/00000000000000000003.json", "\n{\"txn\":{\"appId\":\"app\",\"version\":7}}\n"
        "{\"domainMetadata\":{\"domain\":\"d1\",\"configuration\":\"{\\\"a\\\":1}\",\"removed\":false}}\n"
        "{\"domainMetadata\":{\"domain\":\"gone\",\"configuration\":\"x\",\"removed\":false}}\n");
    put("tbl/_delta_log/00000000000000000004.json", REMOVE("%61")
        "{\"domainMetadata\":{\"domain\":\"d1\",\"configuration\":\"{\\\"a\\\":2}\",\"removed\":false}}\n"
        "{\"domainMetadata\":{\"domain\":\"gone\",\"configuration\":\"x\",\"removed\":true}}\n");
    assert_string_equal(files_at(3, NULL, &e), "b,c,a");   /* ascending commits, newest state */
    assert_string_equal(files_at(0, NULL, &e), "a,b");
    assert_string_equal(files_at(1, NULL, &e), "b,c");
    /* an escaped name is the same file: commit 4 removes "%61" = "a" */
    assert_string_equal(files_at(4, NULL, &e), "b,c");
    /* A compaction file and junk in the log are not read. */
    put("tbl/_delta_log/00000000000000000000.00000000000000000004.compacted.json", "garbage\n");
    put("tbl/_delta_log/00000000000000000004.crc", "garbage\n");
    put("tbl/_delta_log/.00000000000000000004.json.crc", "garbage\n");
    assert_string_equal(files_at(-1, NULL, &e), "b,c");
    /* limit hint: numRecords 10 each */
    delta_scan_opts lim = {.limit_hint = 15};
    assert_string_equal(files_at(-1, &lim, &e), "b,c");
    lim.limit_hint = 10;
    assert_string_equal(files_at(-1, &lim, &e), "b");
    /* predicate on the partition column */
    const char *pj = "{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"p\",\"valueType\":\"int\"},"
                     "{\"op\":\"literal\",\"value\":\"1\",\"valueType\":\"int\"}]}";
    delta_predicate *p = delta_predicate_parse(pj, strlen(pj), &e);
    delta_scan_opts ps = {.predicate = p};
    assert_string_equal(files_at(-1, &ps, &e), "b");
    /* and with a limit: partition-only predicate TRUE counts rows */
    ps.limit_hint = 1;
    assert_string_equal(files_at(-1, &ps, &e), "b");
    delta_predicate_free(p);
    /* txn */
    fixture fx;
    open_table(&fx, NULL);
    delta_snapshot *s = delta_snapshot_load(&fx.t, NULL, &e);
    assert_non_null(s);
    int64_t tv;
    assert_int_equal(delta_snapshot_txn_version(s, "app", &tv, &e), 0);
    assert_int_equal(tv, 7);
    assert_int_equal(delta_snapshot_txn_version(s, "other", &tv, &e), 0);
    assert_int_equal(tv, -1);
    assert_int_equal(delta_snapshot_version(s), 4);
    char *conf = NULL;
    assert_int_equal(delta_snapshot_domain(s, "d1", &conf, &e), 0);
    assert_string_equal(conf, "{\"a\":2}");
    free(conf);
    assert_int_equal(delta_snapshot_domain(s, "gone", &conf, &e), 0);
    assert_null(conf);
    assert_int_equal(delta_snapshot_domain(s, "never", &conf, &e), 0);
    assert_null(conf);
    delta_snapshot_free(s);
    close_table(&fx);
}

static void test_deletion_vectors(void **state)
{
    (void)state;
    os_err e;
    put("tbl/_delta_log/00000000000000000000.json", PROTO META("") ADD("f", "1", "10"));
    put("tbl/_delta_log/00000000000000000001.json",
        REMOVE("f")
        "{\"add\":{\"path\":\"f\",\"partitionValues\":{\"p\":\"1\"},\"size\":1,\"modificationTime\":1,"
        "\"dataChange\":true,\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"abc\","
        "\"offset\":1,\"sizeInBytes\":10,\"cardinality\":2}}}\n");
    put("tbl/_delta_log/00000000000000000002.json",
        "{\"remove\":{\"path\":\"f\",\"dataChange\":true,\"deletionVector\":{\"storageType\":\"u\","
        "\"pathOrInlineDv\":\"abc\",\"offset\":1,\"sizeInBytes\":10,\"cardinality\":2}}}\n"
        "{\"add\":{\"path\":\"f\",\"partitionValues\":{\"p\":\"1\"},\"size\":1,\"modificationTime\":1,"
        "\"dataChange\":true,\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"abd\","
        "\"offset\":1,\"sizeInBytes\":10,\"cardinality\":3}}}\n");
    assert_string_equal(files_at(1, NULL, &e), "f#dv");
    assert_string_equal(files_at(2, NULL, &e), "f#dv");
    assert_string_equal(files_at(0, NULL, &e), "f");
}

static void test_gaps_and_bad_logs(void **state)
{
    (void)state;
    os_err e;
    assert_non_null(strstr(files_at(-1, NULL, &e), "ERR ENOTFOUND"));   /* no table */
    put("tbl/_delta_log/00000000000000000000.json", PROTO META("") ADD("a", "1", "10"));
    put("tbl/_delta_log/00000000000000000002.json", ADD("b", "1", "10"));
    const char *r = files_at(-1, NULL, &e);
    assert_non_null(strstr(r, "ERR ECORRUPT"));
    assert_non_null(strstr(r, "00000000000000000001.json is missing"));
    assert_string_equal(files_at(0, NULL, &e), "a");
    assert_non_null(strstr(files_at(3, NULL, &e), "does not exist"));
    put("tbl/_delta_log/00000000000000000001.json", ADD("c", "1", "10") "{\"add\":{\"path\":\"x\"\n");
    r = files_at(-1, NULL, &e);
    assert_non_null(strstr(r, "00000000000000000001.json line 2"));
    put("tbl/_delta_log/00000000000000000001.json", PROTO PROTO);
    r = files_at(-1, NULL, &e);
    assert_non_null(strstr(r, "conflicting protocol"));
    put("tbl/_delta_log/00000000000000000001.json",
        "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"futureThing\"],"
        "\"writerFeatures\":[]}}\n");
    r = files_at(-1, NULL, &e);
    assert_non_null(strstr(r, "ERR EUNSUPPORTED"));
    assert_non_null(strstr(r, "futureThing"));
    put("tbl/_delta_log/00000000000000000001.json", ADD("c", "1", "10"));
    assert_string_equal(files_at(-1, NULL, &e), "a,c,b");
    /* absurd sizes are refused, not read */
    fixture fx;
    delta_limits lim = {.max_commit_bytes = 100};
    open_table(&fx, &lim);
    assert_null(delta_snapshot_load(&fx.t, NULL, &e));
    assert_int_equal(e.code, OS_ELIMIT);
    close_table(&fx);
}

#define CKPT "00000000000000000002.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json"

static void test_checkpoints_and_hints(void **state)
{
    (void)state;
    os_err e;
    put("tbl/_delta_log/00000000000000000000.json", PROTO META("") ADD("a", "1", "10"));
    put("tbl/_delta_log/00000000000000000001.json", ADD("b", "1", "10"));
    put("tbl/_delta_log/00000000000000000002.json", REMOVE("a") ADD("c", "1", "10"));
    put("tbl/_delta_log/00000000000000000003.json", ADD("d", "1", "10"));
    /* A v2 JSON checkpoint at 2 that differs from the commits on purpose
     * (holds "cp" instead of "c"), to prove it is what gets read. */
    put("tbl/_delta_log/" CKPT,
        "{\"checkpointMetadata\":{\"version\":2}}\n" PROTO META("") ADD("b", "1", "10") ADD("cp", "1", "10")
        "{\"domainMetadata\":{\"domain\":\"cpd\",\"configuration\":\"c\",\"removed\":false}}\n"
        "{\"txn\":{\"appId\":\"cpapp\",\"version\":4}}\n");
    assert_string_equal(files_at(-1, NULL, &e), "d,b,cp");
    {
        fixture fx;
        open_table(&fx, NULL);
        delta_snapshot *s = delta_snapshot_load(&fx.t, NULL, &e);
        assert_non_null(s);
        char *conf = NULL;
        assert_int_equal(delta_snapshot_domain(s, "cpd", &conf, &e), 0);
        assert_string_equal(conf, "c");
        free(conf);
        int64_t tv = 0;
        assert_int_equal(delta_snapshot_txn_version(s, "cpapp", &tv, &e), 0);
        assert_int_equal(tv, 4);
        delta_snapshot_free(s);
        close_table(&fx);
    }
    assert_string_equal(files_at(1, NULL, &e), "a,b");     /* before the checkpoint: commits */
    /* _last_checkpoint: corrupt, empty, stale, pointing at nothing: all survive */
    const char *hints[] = {"{\"version\":2,\"size\":3}", "", "not json", "{\"version\":1}", "{\"version\":9}",
                           "{\"version\":\"x\"}"};
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        put("tbl/_delta_log/_last_checkpoint", hints[i]);
        assert_string_equal(files_at(-1, NULL, &e), "d,b,cp");
        assert_string_equal(files_at(0, NULL, &e), "a");
    }
    /* Old commits cleaned up: versions before the checkpoint cannot be rebuilt. */
    rm("tbl/_delta_log/00000000000000000000.json");
    rm("tbl/_delta_log/00000000000000000001.json");
    assert_string_equal(files_at(-1, NULL, &e), "d,b,cp");
    assert_non_null(strstr(files_at(1, NULL, &e), "cannot be rebuilt"));
    /* An incomplete multi-part checkpoint at 3 is not used. */
    put("tbl/_delta_log/00000000000000000003.checkpoint.0000000001.0000000002.parquet", "junk");
    assert_string_equal(files_at(-1, NULL, &e), "d,b,cp");
    /* A sidecar the checkpoint names but that is missing: a clear error. */
    put("tbl/_delta_log/" CKPT,
        "{\"checkpointMetadata\":{\"version\":2}}\n" PROTO META("")
        "{\"sidecar\":{\"path\":\"gone.parquet\",\"sizeInBytes\":1,\"modificationTime\":1}}\n");
    const char *r = files_at(-1, NULL, &e);
    assert_non_null(strstr(r, "ERR ENOTFOUND"));
    assert_non_null(strstr(r, "missing sidecar"));
    /* A checkpoint without protocol: the error names it. */
    put("tbl/_delta_log/" CKPT, "{\"checkpointMetadata\":{\"version\":2}}\n" META("") ADD("b", "1", "10"));
    assert_non_null(strstr(files_at(-1, NULL, &e), "no protocol"));
    put("tbl/_delta_log/" CKPT, "{\"checkpointMetadata\":{\"version\":5}}\n" PROTO META(""));
    assert_non_null(strstr(files_at(-1, NULL, &e), "checkpointMetadata.version"));
}

static int count_files(void *ctx, const delta_file *f, os_err *err)
{
    (void)err;
    int64_t *n = ctx;
    if (f->size != *n)   /* the checkpoint's files, in its order */
        return os_err_set(err, OS_EINTERNAL, "file %s out of order", f->path);
    (*n)++;
    return 0;
}

static void test_big_json_checkpoint_and_junk(void **state)
{
    (void)state;
    os_err e;
    put("tbl/_delta_log/00000000000000000000.json", PROTO META("") ADD("a", "1", "10"));
    put("tbl/_delta_log/00000000000000000001.json", ADD("b", "1", "10"));
    /* A v2 JSON checkpoint of ~3 MB: lines cross the reader's 1 MB chunks. */
    char path[512];
    snprintf(path, sizeof path, "%s/tbl/_delta_log/00000000000000000001.checkpoint."
             "80a083e8-7026-4e79-81be-64bd76c43a11.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"checkpointMetadata\":{\"version\":1}}\n" PROTO META(""), f);
    for (int i = 0; i < 30000; i++)
        fprintf(f, "{\"add\":{\"path\":\"f%06d-padding-padding-padding-padding\",\"partitionValues\":{},"
                   "\"size\":%d,\"modificationTime\":1,\"dataChange\":false}}\n", i, i);
    fclose(f);
    fixture fx;
    open_table(&fx, NULL);
    delta_snapshot *s = delta_snapshot_load(&fx.t, NULL, &e);
    assert_non_null(s);
    int64_t n = 0;
    assert_int_equal(delta_snapshot_scan(s, NULL, count_files, &n, &e), 0);
    assert_int_equal(n, 30000);
    delta_snapshot_free(s);
    close_table(&fx);
    /* A classic checkpoint that is not Parquet: an error naming it. */
    put("tbl/_delta_log/00000000000000000002.json", ADD("c", "1", "10"));
    put("tbl/_delta_log/00000000000000000002.checkpoint.parquet", "this is not parquet");
    const char *r = files_at(-1, NULL, &e);
    assert_non_null(strstr(r, "ERR"));
    assert_non_null(strstr(r, "00000000000000000002.checkpoint.parquet"));
}

typedef struct chlist {
    char s[2048];
} chlist;

static int on_change(void *ctx, const delta_change *c, os_err *err)
{
    (void)err;
    chlist *l = ctx;
    char one[128];
    const char *k[] = {"", "commit", "protocol", "metadata", "add", "remove", "cdc"};
    snprintf(one, sizeof one, "%s%lld:%s%s%s@%lld", l->s[0] ? " " : "", (long long)c->version, k[c->kind],
             c->file ? ":" : "", c->file ? c->file->path : "", (long long)c->timestamp);
    strncat(l->s, one, sizeof l->s - strlen(l->s) - 1);
    return 0;
}

static void test_timestamps_and_history(void **state)
{
    (void)state;
    os_err e;
    put("tbl/_delta_log/00000000000000000000.json", PROTO META("\"delta.enableChangeDataFeed\":\"true\"")
        ADD("a", "1", "10"));
    put("tbl/_delta_log/00000000000000000001.json",
        ADD("b", "1", "10") "{\"cdc\":{\"path\":\"_change_data/x\",\"partitionValues\":{},\"size\":1,"
        "\"dataChange\":false}}\n");
    put("tbl/_delta_log/00000000000000000002.json",
        "{\"commitInfo\":{\"inCommitTimestamp\":5000}}\n" PROTO
        META("\"delta.enableChangeDataFeed\":\"true\",\"delta.enableInCommitTimestamps\":\"true\","
             "\"delta.inCommitTimestampEnablementVersion\":\"2\"")
        "{\"remove\":{\"path\":\"a\",\"dataChange\":false}}\n" ADD("c", "1", "10"));
    put("tbl/_delta_log/00000000000000000003.json", "{\"commitInfo\":{\"inCommitTimestamp\":6000}}\n" ADD("d", "1", "10"));
    set_mtime("tbl/_delta_log/00000000000000000000.json", 1000);
    set_mtime("tbl/_delta_log/00000000000000000001.json", 2000);
    set_mtime("tbl/_delta_log/00000000000000000002.json", 999999);   /* ICT wins */
    set_mtime("tbl/_delta_log/00000000000000000003.json", 3);
    fixture fx;
    open_table(&fx, NULL);
    int64_t v = -9;
    struct { int64_t ts; delta_ts_rule rule; int64_t want; } cases[] = {
        {1000, DELTA_TS_AT_OR_BEFORE, 0}, {1999, DELTA_TS_AT_OR_BEFORE, 0}, {2000, DELTA_TS_AT_OR_BEFORE, 1},
        {4999, DELTA_TS_AT_OR_BEFORE, 1}, {5000, DELTA_TS_AT_OR_BEFORE, 2}, {6000, DELTA_TS_AT_OR_BEFORE, 3},
        {1000, DELTA_TS_AT_OR_AFTER, 0}, {1001, DELTA_TS_AT_OR_AFTER, 1}, {5500, DELTA_TS_AT_OR_AFTER, 3},
        {0, DELTA_TS_AT_OR_AFTER, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (delta_version_at_timestamp(&fx.t, cases[i].ts, cases[i].rule, &v, &e) < 0)
            fail_msg("ts %lld: %s", (long long)cases[i].ts, e.msg);
        assert_int_equal(v, cases[i].want);
    }
    assert_int_equal(delta_version_at_timestamp(&fx.t, 999, DELTA_TS_AT_OR_BEFORE, &v, &e), -1);
    assert_int_equal(e.code, OS_EINVAL);
    assert_non_null(strstr(e.msg, "before the earliest"));
    assert_int_equal(delta_version_at_timestamp(&fx.t, 6001, DELTA_TS_AT_OR_BEFORE, &v, &e), -1);
    assert_non_null(strstr(e.msg, "after the latest"));
    assert_int_equal(delta_version_at_timestamp(&fx.t, 6001, DELTA_TS_AT_OR_AFTER, &v, &e), -1);
    delta_snapshot_opts so = {.has_timestamp = true, .timestamp_ms = 5500};
    delta_snapshot *s = delta_snapshot_load(&fx.t, &so, &e);
    assert_non_null(s);
    assert_int_equal(delta_snapshot_version(s), 2);
    assert_int_equal(delta_snapshot_timestamp(s), 5000);
    delta_snapshot_free(s);

    chlist l = {""};
    delta_history_opts ho = {0, false, 0, false};
    assert_int_equal(delta_history_scan(&fx.t, &ho, on_change, &l, &e), 0);
    assert_string_equal(l.s,
        "0:commit@1000 0:protocol@1000 0:metadata@1000 0:add:a@1000 "
        "1:commit@2000 1:add:b@2000 1:cdc:_change_data/x@2000 "
        "2:commit@5000 2:protocol@5000 2:metadata@5000 2:remove:a@5000 2:add:c@5000 "
        "3:commit@6000 3:add:d@6000");
    chlist c = {""};
    delta_history_opts cdf = {1, true, 2, true};
    assert_int_equal(delta_history_scan(&fx.t, &cdf, on_change, &c, &e), 0);
    /* v1 has cdc: only it; v2 has none: data-changing adds/removes (remove a is not). */
    assert_string_equal(c.s,
        "1:commit@2000 1:cdc:_change_data/x@2000 "
        "2:commit@5000 2:protocol@5000 2:metadata@5000 2:add:c@5000");
    delta_history_opts bad = {3, true, 1, false};
    assert_int_equal(delta_history_scan(&fx.t, &bad, on_change, &c, &e), -1);
    assert_int_equal(e.code, OS_EINVAL);
    delta_history_opts past = {0, true, 9, false};
    assert_int_equal(delta_history_scan(&fx.t, &past, on_change, &c, &e), -1);
    close_table(&fx);
    /* ICT enabled but a commit lacks its timestamp: corrupt, named. */
    put("tbl/_delta_log/00000000000000000004.json", ADD("e", "1", "10"));
    open_table(&fx, NULL);
    s = delta_snapshot_load(&fx.t, NULL, &e);
    assert_null(s);
    assert_non_null(strstr(e.msg, "00000000000000000004.json"));
    assert_non_null(strstr(e.msg, "inCommitTimestamp"));
    close_table(&fx);
}

/* A copied table whose commit files share one mtime, or go back in time:
 * Delta makes the times strictly increasing (+1 ms), and so do we for time
 * travel and history; a snapshot's own timestamp is the raw file time. */
static void test_file_times_made_increasing(void **state)
{
    (void)state;
    os_err e;
    put("tbl/_delta_log/00000000000000000000.json", PROTO META("") ADD("a", "1", "10"));
    put("tbl/_delta_log/00000000000000000001.json", ADD("b", "1", "10"));
    put("tbl/_delta_log/00000000000000000002.json", ADD("c", "1", "10"));
    put("tbl/_delta_log/00000000000000000003.json", ADD("d", "1", "10"));
    set_mtime("tbl/_delta_log/00000000000000000000.json", 5000);
    set_mtime("tbl/_delta_log/00000000000000000001.json", 5000);   /* -> 5001 */
    set_mtime("tbl/_delta_log/00000000000000000002.json", 4000);   /* -> 5002 */
    set_mtime("tbl/_delta_log/00000000000000000003.json", 9000);
    fixture fx;
    open_table(&fx, NULL);
    struct { int64_t ts; delta_ts_rule rule; int64_t want; } cases[] = {
        {5000, DELTA_TS_AT_OR_BEFORE, 0}, {5001, DELTA_TS_AT_OR_BEFORE, 1}, {5002, DELTA_TS_AT_OR_BEFORE, 2},
        {8999, DELTA_TS_AT_OR_BEFORE, 2}, {9000, DELTA_TS_AT_OR_BEFORE, 3}, {5001, DELTA_TS_AT_OR_AFTER, 1},
        {5002, DELTA_TS_AT_OR_AFTER, 2}, {5003, DELTA_TS_AT_OR_AFTER, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = -9;
        if (delta_version_at_timestamp(&fx.t, cases[i].ts, cases[i].rule, &v, &e) < 0)
            fail_msg("ts %lld: %s", (long long)cases[i].ts, e.msg);
        assert_int_equal(v, cases[i].want);
    }
    int64_t v;
    assert_int_equal(delta_version_at_timestamp(&fx.t, 4999, DELTA_TS_AT_OR_BEFORE, &v, &e), -1);
    assert_non_null(strstr(e.msg, "before the earliest"));
    chlist l = {""};
    delta_history_opts ho = {0, false, 0, false};
    assert_int_equal(delta_history_scan(&fx.t, &ho, on_change, &l, &e), 0);
    assert_string_equal(l.s,
        "0:commit@5000 0:protocol@5000 0:metadata@5000 0:add:a@5000 1:commit@5001 1:add:b@5001 "
        "2:commit@5002 2:add:c@5002 3:commit@9000 3:add:d@9000");
    /* A window starting at 2 is made increasing from its own start, as Delta lists it. */
    chlist w = {""};
    delta_history_opts from2 = {2, false, 0, false};
    assert_int_equal(delta_history_scan(&fx.t, &from2, on_change, &w, &e), 0);
    assert_string_equal(w.s, "2:commit@4000 2:add:c@4000 3:commit@9000 3:add:d@9000");
    delta_snapshot_opts so = {.has_version = true, .version = 2};
    delta_snapshot *s = delta_snapshot_load(&fx.t, &so, &e);
    assert_non_null(s);
    assert_int_equal(delta_snapshot_timestamp(s), 4000);
    delta_snapshot_free(s);
    close_table(&fx);
}

/* Boolean table properties are read in any letter case, as Delta reads them:
 * a feed enabled with "TRUE" serves its cdc files. */
static void test_properties_any_case(void **state)
{
    (void)state;
    os_err e;
    put("tbl/_delta_log/00000000000000000000.json", PROTO META("\"delta.enableChangeDataFeed\":\"TRUE\"")
        ADD("a", "1", "10"));
    put("tbl/_delta_log/00000000000000000001.json",
        ADD("b", "1", "10") "{\"cdc\":{\"path\":\"_change_data/x\",\"partitionValues\":{},\"size\":1,"
        "\"dataChange\":false}}\n");
    set_mtime("tbl/_delta_log/00000000000000000000.json", 1000);
    set_mtime("tbl/_delta_log/00000000000000000001.json", 2000);
    fixture fx;
    open_table(&fx, NULL);
    chlist c = {""};
    delta_history_opts cdf = {1, true, 1, true};
    if (delta_history_scan(&fx.t, &cdf, on_change, &c, &e) != 0)
        fail_msg("%s", e.msg);
    assert_string_equal(c.s, "1:commit@2000 1:cdc:_change_data/x@2000");
    close_table(&fx);
}

/* ------------------------------------------------------------ Parquet checkpoints, page by page */

static void put_bytes(const char *name, const uint8_t *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Files as "path{k=v,k=null}" joined by spaces, or the error. */
static int collect_pv(void *ctx, const delta_file *f, os_err *err)
{
    (void)err;
    os_buf *b = ctx;
    os_buf_printf(b, "%s%s{", b->len ? " " : "", f->path);
    for (size_t i = 0; i < f->partition_values.n; i++)
        os_buf_printf(b, "%s%s=%s", i ? "," : "", f->partition_values.items[i].key,
                      f->partition_values.items[i].value ? f->partition_values.items[i].value : "null");
    os_buf_printf(b, "}");
    return 0;
}

static const char *files_pv(char *out, size_t cap)
{
    os_err e;
    fixture fx;
    open_table(&fx, NULL);
    delta_snapshot *s = delta_snapshot_load(&fx.t, NULL, &e);
    os_buf b = OS_BUF_INIT;
    if (s == NULL || delta_snapshot_scan(s, NULL, collect_pv, &b, &e) < 0)
        snprintf(out, cap, "ERR %s: %s", os_code_name(e.code), e.msg);
    else
        snprintf(out, cap, "%s", b.data ? b.data : "");
    os_buf_free(&b);
    delta_snapshot_free(s);
    close_table(&fx);
    return out;
}

#define META_PQ "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\",\"options\":{}}," \
    "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"p\\\",\\\"type\\\":" \
    "\\\"string\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}},{\\\"name\\\":\\\"q\\\",\\\"type\\\":" \
    "\\\"string\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\",\"partitionColumns\":[\"p\",\"q\"]," \
    "\"configuration\":{}}}\n"

/* A checkpoint whose add columns are split into pages anywhere, even inside a
 * partitionValues record (data page v1 allows it), read by the columnar path
 * page by page and by the record path: the same files either way. */
static void test_parquet_checkpoint_pages(void **state)
{
    (void)state;
    const gelem el[] = {
        {"schema", -1, -1, 1, -1},
        {"add", -1, 1, 3, -1},
        {"path", 6, 1, 0, 0},
        {"size", 2, 1, 0, -1},
        {"partitionValues", -1, 1, 1, 1},
        {"key_value", -1, 2, 2, 2},
        {"key", 6, 0, 0, 0},
        {"value", 6, 1, 0, 0},
    };
    /* rows: a/0 {p=1,q=x}; no add; a/2 {}; a/3 {p=null,q=y}; a/4 no map */
    static const uint8_t path_def[] = {2, 0, 2, 2, 2};
    static const char *const paths[] = {"a/0", "a/2", "a/3", "a/4"};
    static const int32_t sizes[] = {10, 12, 13, 14};
    static const uint8_t k_rep[] = {0, 1, 0, 0, 0, 1, 0}, k_def[] = {3, 3, 0, 2, 3, 3, 1};
    static const char *const keys[] = {"p", "q", "p", "q"};
    static const uint8_t v_def[] = {4, 4, 0, 2, 3, 4, 1};
    static const char *const vals[] = {"1", "x", "y"};
    static const int at13[] = {1, 3}, at4[] = {4}, at15[] = {1, 5}, at5[] = {5};
    gcol cols[] = {
        {6, 2, 0, 5, NULL, path_def, NULL, paths, 4, at13, 2, 0, false},
        {2, 2, 0, 5, NULL, path_def, sizes, NULL, 4, at4, 1, 0, false},
        {6, 3, 1, 7, k_rep, k_def, NULL, keys, 4, at15, 2, 0, false},
        {6, 4, 1, 7, k_rep, v_def, NULL, vals, 3, at5, 1, 0, false},
    };
    static uint8_t buf[1 << 16];
    char out[1024];
    const char *want = "a/0{p=1,q=x} a/2{} a/3{p=null,q=y} a/4{}";
    put("tbl/_delta_log/00000000000000000000.json", PROTO META_PQ);
    put("tbl/_delta_log/00000000000000000002.json", PROTO META_PQ);
    size_t n = build_generic(el, (int)(sizeof el / sizeof el[0]), cols, 4, 5, buf);
    put_bytes("tbl/_delta_log/00000000000000000001.checkpoint.parquet", buf, n);
    assert_string_equal(files_pv(out, sizeof out), want);
    setenv("OS_DELTA_CHECKPOINT_RECORDS", "1", 1);
    assert_string_equal(files_pv(out, sizeof out), want);
    unsetenv("OS_DELTA_CHECKPOINT_RECORDS");
    /* One page per column: the same. */
    for (int c = 0; c < 4; c++)
        cols[c].npage_starts = 0;
    n = build_generic(el, (int)(sizeof el / sizeof el[0]), cols, 4, 5, buf);
    put_bytes("tbl/_delta_log/00000000000000000001.checkpoint.parquet", buf, n);
    assert_string_equal(files_pv(out, sizeof out), want);
    /* A size column with a sixth entry: more rows than the row group says. */
    static const uint8_t def6[] = {2, 0, 2, 2, 2, 0};
    cols[1].def = def6;
    cols[1].n = 6;
    n = build_generic(el, (int)(sizeof el / sizeof el[0]), cols, 4, 5, buf);
    put_bytes("tbl/_delta_log/00000000000000000001.checkpoint.parquet", buf, n);
    assert_non_null(strstr(files_pv(out, sizeof out), "add.size holds more rows than the row group says"));
    /* A path column one entry short: it ends early. */
    cols[1].def = path_def;
    cols[1].n = 5;
    cols[0].n = 4;
    cols[0].nvals = 3;
    n = build_generic(el, (int)(sizeof el / sizeof el[0]), cols, 4, 5, buf);
    put_bytes("tbl/_delta_log/00000000000000000001.checkpoint.parquet", buf, n);
    assert_non_null(strstr(files_pv(out, sizeof out), "a column ends early"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_replay_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deletion_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gaps_and_bad_logs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoints_and_hints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamps_and_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_json_checkpoint_and_junk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parquet_checkpoint_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_times_made_increasing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_properties_any_case, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
