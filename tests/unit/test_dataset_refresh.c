/* test_dataset_refresh.c - re-listing a Parquet dataset into catalog versions: no change keeps the version, changes add one, the footer cache spares reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog/store.h"
#include "catalog/store_dataset.h"
#include "sharing/dataset_refresh.h"
#include "storage/store_open.h"

typedef struct fixture {
    char dir[64];
    char data[128];
    cat_store *st;
    int64_t a1, a2;
} fixture;

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static const char *sample(int i)
{
    static char p[2][512];
    const char *src = getenv("OS_SOURCE_DIR");
    snprintf(p[i], sizeof p[i], "%s/examples/sample/tables/trips/%s", src ? src : ".",
             i == 0 ? "part-00000-6f1c2a53-4b2e-4d8e-9a6e-1d2b3c4d5e6f-c000.snappy.parquet"
                    : "part-00001-0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d-c000.snappy.parquet");
    return p[i];
}

static void put(fixture *f, const char *rel, int which)
{
    char path[512], dir[512];
    snprintf(path, sizeof path, "%s/%s", f->data, rel);
    snprintf(dir, sizeof dir, "%s", path);
    for (char *s = dir + strlen(f->data) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(dir, 0755);
        *s = '/';
    }
    copy_file(sample(which), path);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/os_test_dsrefresh_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->data, sizeof f->data, "%s/ds", f->dir);
    mkdir(f->data, 0755);
    char path[128];
    snprintf(path, sizeof path, "%s/catalog.db", f->dir);
    os_err e;
    f->st = store_open(path, &e);
    assert_non_null(f->st);
    cat_tx *tx = store_tx_begin(f->st, &e);
    cat_share sh = {0, "s", NULL, NULL, NULL, NULL};
    int64_t share_id, schema_id;
    assert_int_equal(store_share_put(tx, &sh, 0, "test", &share_id, &e), 0);
    assert_int_equal(store_schema_put(tx, share_id, "d", 0, &schema_id, &e), 0);
    cat_asset x;
    memset(&x, 0, sizeof x);
    x.kind = CAT_ASSET_TABLE;
    x.schema_id = schema_id;
    x.name = "t1";
    x.location = f->data;
    x.format = "parquet";
    assert_int_equal(store_asset_put(tx, &x, 0, "test", &f->a1, &e), 0);
    x.name = "t2";
    assert_int_equal(store_asset_put(tx, &x, 0, "test", &f->a2, &e), 0);
    assert_int_equal(store_tx_commit(tx, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static int refresh(fixture *f, int64_t asset, bool force, ds_refresh_result *r, os_err *e)
{
    char uri[256];
    snprintf(uri, sizeof uri, "file://%s", f->data);
    cat_location loc = {0, "l", uri, NULL, NULL};
    objstore st;
    assert_int_equal(objstore_open_location(&loc, uri, &st, e), 0);
    ds_refresh_opts o = {f->st, &st, asset, uri, NULL, 3600 * 1000, force, 2};
    int rc = ds_refresh(&o, r, e);
    objstore_close(&st);
    return rc;
}

static void test_versions_follow_the_directory(void **state)
{
    fixture *f = *state;
    ds_refresh_result r;
    os_err e;
    put(f, "k=1/a.parquet", 0);
    put(f, "k=2/b.parquet", 1);
    assert_int_equal(refresh(f, f->a1, false, &r, &e), 0);
    assert_true(r.changed);
    assert_int_equal(r.version, 0);
    assert_int_equal(r.files, 2);
    assert_int_equal(r.footers_read, 2);
    /* Within the interval nothing is listed; forced, an unchanged listing keeps the version. */
    assert_int_equal(refresh(f, f->a1, false, &r, &e), 0);
    assert_false(r.listed);
    assert_int_equal(refresh(f, f->a1, true, &r, &e), 0);
    assert_true(r.listed);
    assert_false(r.changed);
    assert_int_equal(r.version, 0);
    /* A second table over the same files reads no footer. */
    assert_int_equal(refresh(f, f->a2, false, &r, &e), 0);
    assert_int_equal(r.footers_read, 0);
    assert_int_equal(r.version, 0);
    /* A new file and a removed one make version 1. */
    put(f, "k=3/c.parquet", 0);
    char p[256];
    snprintf(p, sizeof p, "%s/k=1/a.parquet", f->data);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(refresh(f, f->a1, true, &r, &e), 0);
    assert_true(r.changed);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.added, 1);
    assert_int_equal(r.removed, 1);
    assert_int_equal(r.footers_read, 1);
    /* The catalog's record: live files per version, changes per version. */
    os_arena a = {0};
    cat_page pg;
    assert_int_equal(store_ds_files(f->st, f->a1, 0, NULL, 100, &a, &pg, &e), 0);
    assert_int_equal(pg.count, 2);
    assert_string_equal(((cat_ds_file *)pg.items[0])->path, "k=1/a.parquet");
    assert_int_equal(store_ds_files(f->st, f->a1, 1, NULL, 100, &a, &pg, &e), 0);
    assert_int_equal(pg.count, 2);
    assert_string_equal(((cat_ds_file *)pg.items[1])->path, "k=3/c.parquet");
    assert_int_equal(store_ds_files(f->st, f->a1, 1, "k=2/b.parquet", 1, &a, &pg, &e), 0);
    assert_int_equal(pg.count, 1);
    assert_false(pg.more);
    assert_int_equal(store_ds_changes(f->st, f->a1, 1, 1, 0, 100, &a, &pg, &e), 0);
    assert_int_equal(pg.count, 1);
    assert_string_equal(((cat_ds_file *)pg.items[0])->path, "k=1/a.parquet");
    assert_int_equal(store_ds_changes(f->st, f->a1, 1, 0, 0, 100, &a, &pg, &e), 0);
    assert_int_equal(pg.count, 1);
    cat_ds_version *v;
    assert_int_equal(store_ds_version_get(f->st, f->a1, 1, &a, &v, &e), 0);
    assert_int_equal(v->num_files, 2);
    assert_non_null(strstr(v->partition_columns_json, "\"k\""));
    assert_int_equal(store_ds_version_get(f->st, f->a1, 5, &a, &v, &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    /* Bad input fails the refresh and records nothing. */
    snprintf(p, sizeof p, "%s/k=4", f->data);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/k=4/junk.parquet", f->data);
    FILE *j = fopen(p, "w");
    fputs("no parquet here, none at all", j);
    fclose(j);
    assert_int_equal(refresh(f, f->a1, true, &r, &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    assert_non_null(strstr(e.msg, "k=4/junk.parquet"));
    assert_int_equal(store_ds_versions(f->st, f->a1, &a, &pg, &e), 0);
    assert_int_equal(pg.count, 2);
    os_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_versions_follow_the_directory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
