/* test_iceberg_scan.c - scans over manifests written by hand: data and delete files, fields the reader passes over, a delete entry misfiled in a data manifest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/buf.h"
#include "formats/iceberg/iceberg.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/os_iceberg_scan_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof path, "%s/metadata", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void put_file(const char *name, const void *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* ---- a small Avro writer (null codec) ----------------------------------------- */

static void put_long(os_buf *b, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    while (u >= 0x80) {
        os_buf_putc(b, (char)(u | 0x80));
        u >>= 7;
    }
    os_buf_putc(b, (char)u);
}

static void put_str(os_buf *b, const char *s)
{
    put_long(b, (int64_t)strlen(s));
    os_buf_append(b, s, strlen(s));
}

static const char SYNC[16] = "0123456789abcdef";

/* One container file of n records (their encodings in raw). */
static void avro_file(os_buf *f, const char *schema, int64_t n, const os_buf *raw)
{
    os_buf_reset(f);
    os_buf_append(f, "Obj\x01", 4);
    put_long(f, 1);
    put_str(f, "avro.schema");
    put_str(f, schema);
    put_long(f, 0);
    os_buf_append(f, SYNC, 16);
    put_long(f, n);
    put_long(f, (int64_t)raw->len);
    os_buf_append(f, raw->data, raw->len);
    os_buf_append(f, SYNC, 16);
}

static const char *ENTRY =
    "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
    "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
    "{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"field-id\":1},"
    "{\"name\":\"sequence_number\",\"type\":[\"null\",\"long\"],\"field-id\":3},"
    "{\"name\":\"file_sequence_number\",\"type\":[\"null\",\"long\"],\"field-id\":4},"
    "{\"name\":\"data_file\",\"field-id\":2,\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
    "{\"name\":\"content\",\"type\":\"int\",\"field-id\":134},"
    "{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"
    "{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"
    "{\"name\":\"partition\",\"type\":{\"type\":\"record\",\"name\":\"r102\",\"fields\":[]},\"field-id\":102},"
    "{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"
    "{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104},"
    "{\"name\":\"column_sizes\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
    "\"name\":\"k117_v118\",\"fields\":[{\"name\":\"key\",\"type\":\"int\"},{\"name\":\"value\",\"type\":\"long\"}]}}],"
    "\"field-id\":108},"
    "{\"name\":\"lower_bounds\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
    "\"name\":\"k126_v127\",\"fields\":[{\"name\":\"key\",\"type\":\"int\"},{\"name\":\"value\",\"type\":\"bytes\"}]}}],"
    "\"field-id\":125},"
    "{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\"}],\"field-id\":132},"
    "{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"field-id\":140}]}}]}";

/* One entry: status added, data_file of the given content and path; its
 * lower bound of column 1 is the 8-byte little-endian value `low`.  bad: its
 * sort_order_id (a field no entry carries) has a union branch out of range. */
static void put_entry(os_buf *r, int content, const char *path, int64_t records, int64_t low, bool bad)
{
    put_long(r, 1);          /* status: added */
    put_long(r, 1);          /* snapshot_id: long */
    put_long(r, 5);
    put_long(r, 0);          /* sequence numbers: null, inherited */
    put_long(r, 0);
    put_long(r, content);
    put_str(r, path);
    put_str(r, "PARQUET");
    put_long(r, records);
    put_long(r, records * 10);
    put_long(r, 1);          /* column_sizes: 1 entry */
    put_long(r, 1);
    put_long(r, 1);
    put_long(r, 77);
    put_long(r, 0);
    put_long(r, 1);          /* lower_bounds: 1 entry */
    put_long(r, 1);
    put_long(r, 1);
    put_long(r, 8);
    for (int i = 0; i < 8; i++)
        os_buf_putc(r, (char)((uint64_t)low >> (8 * i)));
    put_long(r, 0);
    put_long(r, 1);          /* split_offsets: [4] */
    put_long(r, 1);
    put_long(r, 4);
    put_long(r, 0);
    put_long(r, bad ? 7 : 1);   /* sort_order_id: 0 */
    put_long(r, 0);
}

static const char *LIST =
    "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["
    "{\"name\":\"manifest_path\",\"type\":\"string\",\"field-id\":500},"
    "{\"name\":\"manifest_length\",\"type\":\"long\",\"field-id\":501},"
    "{\"name\":\"partition_spec_id\",\"type\":\"int\",\"field-id\":502},"
    "{\"name\":\"content\",\"type\":\"int\",\"field-id\":517},"
    "{\"name\":\"sequence_number\",\"type\":\"long\",\"field-id\":515},"
    "{\"name\":\"min_sequence_number\",\"type\":\"long\",\"field-id\":516},"
    "{\"name\":\"added_snapshot_id\",\"type\":\"long\",\"field-id\":503}]}";

static void put_manifest_ref(os_buf *r, const char *path, int content)
{
    put_str(r, path);
    put_long(r, 100);
    put_long(r, 0);
    put_long(r, content);
    put_long(r, 1);
    put_long(r, 1);
    put_long(r, 5);
}

static const char *META =
    "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\",\"location\":\"s3://b/t\","
    "\"last-sequence-number\":1,\"last-updated-ms\":1700000000000,\"last-column-id\":1,"
    "\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"a\",\"required\":true,\"type\":\"long\"}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[]}],"
    "\"current-snapshot-id\":5,\"snapshots\":[{\"snapshot-id\":5,\"sequence-number\":1,\"timestamp-ms\":1000,"
    "\"manifest-list\":\"s3://b/t/metadata/list.avro\",\"summary\":{\"operation\":\"append\"}}]}";

/* The table: a data manifest holding two data files and, misfiled, a position
 * delete file; a delete manifest holding an equality delete file.  damaged: no
 * misfiled file, and a bad byte in a field of the first entry that scans pass
 * over. */
static void write_table(bool damaged)
{
    os_buf r = OS_BUF_INIT, f = OS_BUF_INIT;
    put_entry(&r, 0, "s3://b/t/data/d1.parquet", 10, 100, damaged);
    if (!damaged)
        put_entry(&r, 1, "s3://b/t/data/x1-deletes.parquet", 2, 200, false);
    put_entry(&r, 0, "s3://b/t/data/d2.parquet", 30, 300, false);
    avro_file(&f, ENTRY, damaged ? 2 : 3, &r);
    put_file("metadata/m1.avro", f.data, f.len);
    os_buf_reset(&r);
    put_entry(&r, 2, "s3://b/t/data/e1-eq-deletes.parquet", 4, 400, false);
    avro_file(&f, ENTRY, 1, &r);
    put_file("metadata/m2.avro", f.data, f.len);
    os_buf_reset(&r);
    put_manifest_ref(&r, "s3://b/t/metadata/m1.avro", 0);
    put_manifest_ref(&r, "s3://b/t/metadata/m2.avro", 1);
    avro_file(&f, LIST, 2, &r);
    put_file("metadata/list.avro", f.data, f.len);
    put_file("metadata/v1.metadata.json", META, strlen(META));
    os_buf_free(&r);
    os_buf_free(&f);
}

/* What a scan saw: "content:key:records:lower;" per entry. */
static int collect(void *ctx, const iceberg_entry *e, os_err *err)
{
    (void)err;
    os_buf *b = ctx;
    int64_t low = -1;
    for (size_t i = 0; i < e->n_stats; i++)
        if (e->stats[i].field_id == 1 && e->stats[i].has_lower && e->stats[i].lower_len == 8) {
            low = 0;
            for (int k = 7; k >= 0; k--)
                low = low << 8 | e->stats[i].lower[k];
        }
    os_buf_printf(b, "%d:%s:%lld:%lld;", (int)e->content, e->key, (long long)e->record_count, (long long)low);
    return 0;
}

static int scan(bool deletes, bool data, os_buf *out, os_err *err)
{
    objstore st;
    iceberg_table t;
    assert_int_equal(objstore_local_open(dir, &st, err), 0);
    assert_int_equal(iceberg_table_open(&t, &st, "", NULL, NULL, err), 0);
    iceberg_scan_opts o = {deletes, data, false};
    os_buf_reset(out);
    int rc = iceberg_scan(&t, iceberg_snapshot_current(&t), &o, collect, out, err);
    iceberg_table_close(&t);
    objstore_close(&st);
    return rc;
}

static void test_scans(void **state)
{
    (void)state;
    write_table(false);
    os_buf b = OS_BUF_INIT;
    os_err err;
    assert_int_equal(scan(false, true, &b, &err), 0);
    assert_string_equal(os_buf_cstr(&b), "0:data/d1.parquet:10:100;0:data/d2.parquet:30:300;");
    assert_int_equal(scan(true, true, &b, &err), 0);
    assert_string_equal(os_buf_cstr(&b), "0:data/d1.parquet:10:100;1:data/x1-deletes.parquet:2:200;"
                                         "0:data/d2.parquet:30:300;2:data/e1-eq-deletes.parquet:4:400;");
    /* Delete files alone: the data manifest is read for its entries' content
     * only, and again in full when one is a delete file, so nothing is lost. */
    assert_int_equal(scan(true, false, &b, &err), 0);
    assert_string_equal(os_buf_cstr(&b), "1:data/x1-deletes.parquet:2:200;2:data/e1-eq-deletes.parquet:4:400;");
    os_buf_free(&b);
}

static void test_damaged_data_manifest(void **state)
{
    (void)state;
    write_table(true);
    os_buf b = OS_BUF_INIT;
    os_err full, deletes;
    assert_int_equal(scan(false, true, &b, &full), -1);
    /* A scan for delete files finds the same damage in the data manifest. */
    assert_int_equal(scan(true, false, &b, &deletes), -1);
    assert_int_equal(deletes.code, full.code);
    assert_string_equal(deletes.msg, full.msg);
    assert_int_equal(full.code, OS_ECORRUPT);
    assert_non_null(strstr(full.msg, "m1.avro"));
    assert_non_null(strstr(full.msg, "field 'sort_order_id': union branch 7 is out of range"));
    os_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_data_manifest, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
