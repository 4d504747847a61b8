/* test_iceberg.c - the Iceberg engine without manifests: metadata JSON, finding the metadata file, relocation, values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "formats/iceberg/iceberg.h"

static char dir[256];

static void put_bytes(const char *name, const void *data, size_t n)
{
    char path[512], cmd[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void put(const char *name, const char *text)
{
    put_bytes(name, text, strlen(text));
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/os_iceberg_XXXXXX");
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

/* A small valid v2 metadata document; %s is the location. */
static const char *META_FMT =
    "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\",\"location\":\"%s\","
    "\"last-sequence-number\":2,\"last-updated-ms\":1700000000000,\"last-column-id\":5,"
    "\"current-schema-id\":1,\"schemas\":["
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":true,\"type\":\"long\"}]},"
    "{\"type\":\"struct\",\"schema-id\":1,\"identifier-field-ids\":[1],\"fields\":["
    "{\"id\":1,\"name\":\"a\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"p\",\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":3,\"name\":\"q\",\"required\":false,\"type\":\"decimal(9, 2)\",\"doc\":\"money\"}]}},"
    "{\"id\":4,\"name\":\"l\",\"required\":false,\"type\":{\"type\":\"list\",\"element-id\":5,"
    "\"element\":\"fixed[3]\",\"element-required\":true}}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":["
    "{\"name\":\"a_bucket\",\"transform\":\"bucket[16]\",\"source-id\":1,\"field-id\":1000},"
    "{\"name\":\"q_trunc\",\"transform\":\"truncate[4]\",\"source-id\":3,\"field-id\":1001},"
    "{\"name\":\"x\",\"transform\":\"zorder\",\"source-id\":1,\"field-id\":1002}]}],"
    "\"properties\":{\"comment\":\"a table\",\"n\":\"1\"},"
    "\"current-snapshot-id\":11,\"refs\":{\"main\":{\"snapshot-id\":11,\"type\":\"branch\"},"
    "\"t1\":{\"snapshot-id\":10,\"type\":\"tag\"}},"
    "\"snapshots\":[{\"snapshot-id\":10,\"sequence-number\":1,\"timestamp-ms\":1000,"
    "\"manifest-list\":\"%s/metadata/snap-10.avro\",\"summary\":{\"operation\":\"append\"}},"
    "{\"snapshot-id\":11,\"parent-snapshot-id\":10,\"sequence-number\":2,\"timestamp-ms\":2000,"
    "\"manifest-list\":\"%s/metadata/snap-11.avro\",\"summary\":{\"operation\":\"overwrite\"},\"schema-id\":1}]}";

static char *meta_text(const char *loc)
{
    static char buf[8192];
    snprintf(buf, sizeof buf, META_FMT, loc, loc, loc);
    return buf;
}

static void test_metadata_parse(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    iceberg_metadata m;
    os_err e;
    const char *t = meta_text("s3://bucket/wh/t");
    assert_int_equal(iceberg_metadata_parse(t, strlen(t), "v2.metadata.json", &a, &m, &e), 0);
    assert_int_equal(m.format_version, 2);
    assert_int_equal(m.n_schemas, 2);
    const iceberg_schema *s = iceberg_current_schema(&m);
    assert_int_equal(s->schema_id, 1);
    assert_int_equal(s->n_identifier_ids, 1);
    assert_int_equal(s->root.n_fields, 3);
    const char *path = NULL;
    const iceberg_field *q = iceberg_schema_find(s, 3, &a, &path);
    assert_non_null(q);
    assert_string_equal(path, "p.q");
    assert_int_equal(q->type->kind, ICE_DECIMAL);
    assert_int_equal(q->type->precision, 9);
    assert_int_equal(q->type->scale, 2);
    assert_string_equal(q->doc, "money");
    const iceberg_field *el = iceberg_schema_find(s, 5, &a, &path);
    assert_non_null(el);
    assert_string_equal(path, "l.element");
    assert_int_equal(el->type->kind, ICE_FIXED);
    assert_int_equal(el->type->length, 3);
    assert_null(iceberg_schema_find(s, 99, NULL, NULL));
    const iceberg_spec *spec = iceberg_spec_by_id(&m, 0);
    assert_int_equal(spec->n_fields, 3);
    assert_int_equal(spec->fields[0].transform, ICE_T_BUCKET);
    assert_int_equal(spec->fields[0].param, 16);
    assert_int_equal(spec->fields[1].transform, ICE_T_TRUNCATE);
    assert_int_equal(spec->fields[1].param, 4);
    assert_int_equal(spec->fields[2].transform, ICE_T_OTHER);
    assert_int_equal(iceberg_partition_type(&spec->fields[0], s)->kind, ICE_INT);
    assert_int_equal(iceberg_partition_type(&spec->fields[1], s)->kind, ICE_DECIMAL);
    assert_string_equal(iceberg_property(&m, "comment"), "a table");
    assert_null(iceberg_property(&m, "nope"));
    assert_int_equal(m.n_snapshots, 2);
    assert_true(m.has_current_snapshot);
    assert_int_equal(m.current_snapshot_id, 11);
    assert_string_equal(iceberg_snapshot_by_id(&m, 11)->operation, "overwrite");
    assert_int_equal(m.n_refs, 2);
    os_arena_free(&a);
}

/* Each broken document is refused with a message naming the file and what is wrong. */
static void test_metadata_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        os_code code;
        const char *words;
    } cases[] = {
        {"{", OS_ECORRUPT, "not valid JSON"},
        {"[]", OS_ECORRUPT, "must be a JSON object"},
        {"{\"format-version\":4}", OS_EUNSUPPORTED, "format-version 4"},
        {"{\"format-version\":\"2\"}", OS_ECORRUPT, "format-version"},
        {"{\"format-version\":2,\"table-uuid\":\"u\",\"last-updated-ms\":1}", OS_ECORRUPT, "location"},
        {"{\"format-version\":2,\"table-uuid\":\"u\",\"location\":\"x\",\"last-updated-ms\":1}",
         OS_ECORRUPT, "schemas"},
        {"{\"format-version\":1,\"location\":\"x\",\"last-updated-ms\":1,\"schema\":{\"type\":\"struct\","
         "\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":true,\"type\":\"varchar\"}]}}",
         OS_EUNSUPPORTED, "varchar"},
        {"{\"format-version\":1,\"location\":\"x\",\"last-updated-ms\":1,\"schema\":{\"type\":\"struct\","
         "\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":true,\"type\":\"decimal(40,2)\"}]}}",
         OS_ECORRUPT, "decimal"},
        {"{\"format-version\":1,\"location\":\"x\",\"last-updated-ms\":1,\"schema\":{\"type\":\"struct\","
         "\"fields\":[{\"name\":\"a\",\"required\":true,\"type\":\"int\"}]}}", OS_ECORRUPT, "'id'"},
        {"{\"format-version\":1,\"location\":\"x\",\"last-updated-ms\":1,\"schema\":{\"type\":\"struct\","
         "\"fields\":[]},\"current-snapshot-id\":5}", OS_ECORRUPT, "current snapshot 5"},
        {"{\"format-version\":1,\"location\":\"x\",\"last-updated-ms\":1,\"schema\":{\"type\":\"struct\","
         "\"fields\":[]},\"snapshots\":[{\"snapshot-id\":1,\"timestamp-ms\":1}]}", OS_ECORRUPT,
         "neither 'manifest-list' nor 'manifests'"},
        {"{\"format-version\":2,\"table-uuid\":\"u\",\"location\":\"x\",\"last-updated-ms\":1,"
         "\"current-schema-id\":3,\"schemas\":[{\"type\":\"struct\",\"schema-id\":0,\"fields\":[]}]}",
         OS_ECORRUPT, "current-schema-id 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        os_arena a = OS_ARENA_INIT;
        iceberg_metadata m;
        os_err e;
        assert_int_equal(iceberg_metadata_parse(cases[i].json, strlen(cases[i].json), "m.json", &a, &m, &e), -1);
        if (e.code != cases[i].code || !strstr(e.msg, cases[i].words) || !strstr(e.msg, "m.json"))
            fail_msg("case %zu: %s: %s", i, os_code_name(e.code), e.msg);
        os_arena_free(&a);
    }
    /* Every truncation of a valid document fails cleanly or parses. */
    const char *t = meta_text("x");
    for (size_t n = 0; n < strlen(t); n += 7) {
        os_arena a = OS_ARENA_INIT;
        iceberg_metadata m;
        os_err e;
        assert_int_equal(iceberg_metadata_parse(t, n, "m.json", &a, &m, &e), -1);
        os_arena_free(&a);
    }
}

static void gzip_put(const char *name, const char *text)
{
    unsigned char out[16384];
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = out;
    z.avail_out = sizeof out;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    put_bytes(name, out, sizeof out - z.avail_out);
    deflateEnd(&z);
}

static int64_t open_snapshot(const char *root, const char *key, os_err *e, char *loc_out)
{
    objstore st;
    assert_int_equal(objstore_local_open(dir, &st, e), 0);
    iceberg_table t;
    int64_t id = -1;
    if (iceberg_table_open(&t, &st, root, key, NULL, e) == 0) {
        id = iceberg_snapshot_current(&t)->snapshot_id;
        if (loc_out)
            strcpy(loc_out, t.meta.location);
        iceberg_table_close(&t);
    }
    objstore_close(&st);
    return id;
}

static void test_find_metadata(void **state)
{
    (void)state;
    os_err e;
    char loc[256];
    /* Nothing there. */
    assert_int_equal(open_snapshot("t", NULL, &e, NULL), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    /* The highest vN wins (numerically: v10 > v9). */
    put("t/metadata/v9.metadata.json", meta_text("v9"));
    put("t/metadata/v10.metadata.json", meta_text("v10"));
    put("t/metadata/notes.json", "{");
    assert_int_equal(open_snapshot("t", NULL, &e, loc), 11);
    assert_string_equal(loc, "v10");
    /* NNNNN-uuid names, and gzip ones. */
    gzip_put("t/metadata/00011-6c5a9f3e-1111-2222-3333-444455556666.gz.metadata.json", meta_text("gz11"));
    assert_int_equal(open_snapshot("t", NULL, &e, loc), 11);
    assert_string_equal(loc, "gz11");
    /* A version hint wins over listing: a number, then a name stem. */
    put("t/metadata/version-hint.text", "9\n");
    assert_int_equal(open_snapshot("t", NULL, &e, loc), 11);
    assert_string_equal(loc, "v9");
    put("t/metadata/version-hint.text", "00011-6c5a9f3e-1111-2222-3333-444455556666");
    assert_int_equal(open_snapshot("t", NULL, &e, loc), 11);
    assert_string_equal(loc, "gz11");
    /* A hint naming nothing falls back to the listing. */
    put("t/metadata/version-hint.text", "77");
    assert_int_equal(open_snapshot("t", NULL, &e, loc), 11);
    assert_string_equal(loc, "gz11");
    /* An explicit file, and a missing one named in the message. */
    assert_int_equal(open_snapshot("t", "metadata/v10.metadata.json", &e, loc), 11);
    assert_string_equal(loc, "v10");
    assert_int_equal(open_snapshot("t", "metadata/v99.metadata.json", &e, NULL), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    assert_non_null(strstr(e.msg, "v99.metadata.json"));
    /* A broken newest file is an error naming it, not a silent fallback. */
    put("t/metadata/v12.metadata.json", "{\"format-version\": 2,");
    put("t/metadata/version-hint.text", "12");
    assert_int_equal(open_snapshot("t", NULL, &e, NULL), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    assert_non_null(strstr(e.msg, "v12.metadata.json"));
}

static void test_relocation(void **state)
{
    (void)state;
    static const struct {
        const char *location, *path, *key;   /* key NULL: refused */
    } cases[] = {
        {"s3://b/wh/t", "s3://b/wh/t/data/x.parquet", "root/data/x.parquet"},
        {"s3://b/wh/t/", "s3a://b/wh/t/data/x.parquet", "root/data/x.parquet"},
        {"s3a://b/wh/t", "s3://b/wh/t/data/y.parquet", "root/data/y.parquet"},
        {"./lineitem", "lineitem/metadata/snap.avro", "root/metadata/snap.avro"},
        {"file:///data/t", "file:/data/t/d/a=1/f.parquet", "root/d/a=1/f.parquet"},
        {"file://data/persistent/t", "data/persistent/t/data/f.parquet", "root/data/f.parquet"},
        {"/data/t", "file:///data/t/f", "root/f"},
        {"s3://b/wh/t", "s3://b/wh/tt/data/x.parquet", NULL},
        {"s3://b/wh/t", "s3://b/wh/t/../u/x.parquet", NULL},
        {"s3://b/wh/t", "s3://b/wh/t//x.parquet", NULL},
        {"s3://b/wh/t", "s3://b/wh/t/", NULL},
        {"s3://b/wh/t", "gs://b/wh/t/x.parquet", NULL},
        {"gs://bucket/table_name", "data/persistent/big_query_error/metadata/x.avro", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "root/metadata/v%zu.metadata.json", i + 1);
        put(name, meta_text(cases[i].location));
        objstore st;
        os_err e;
        assert_int_equal(objstore_local_open(dir, &st, &e), 0);
        iceberg_table t;
        assert_int_equal(iceberg_table_open(&t, &st, "root", name + 5, NULL, &e), 0);
        os_buf out = OS_BUF_INIT;
        int rc = iceberg_path_to_key(&t, cases[i].path, &out, &e);
        if (cases[i].key) {
            if (rc != 0)
                fail_msg("case %zu: %s", i, e.msg);
            assert_string_equal(os_buf_cstr(&out), cases[i].key);
        } else {
            assert_int_equal(rc, -1);
            assert_int_equal(e.code, OS_EPERM);
            assert_non_null(strstr(e.msg, cases[i].path));
        }
        os_buf_free(&out);
        iceberg_table_close(&t);
        objstore_close(&st);
    }
}

static void test_snapshots(void **state)
{
    (void)state;
    put("t/metadata/v1.metadata.json", meta_text("loc"));
    objstore st;
    os_err e;
    assert_int_equal(objstore_local_open(dir, &st, &e), 0);
    iceberg_table t;
    assert_int_equal(iceberg_table_open(&t, &st, "t", NULL, NULL, &e), 0);
    assert_int_equal(iceberg_snapshot_at_ref(&t, "t1", &e)->snapshot_id, 10);
    assert_null(iceberg_snapshot_at_ref(&t, "nope", &e));
    assert_int_equal(e.code, OS_ENOTFOUND);
    assert_int_equal(iceberg_snapshot_as_of(&t, 1500, &e)->snapshot_id, 10);
    assert_int_equal(iceberg_snapshot_as_of(&t, 2000, &e)->snapshot_id, 11);
    assert_null(iceberg_snapshot_as_of(&t, 999, &e));
    assert_int_equal(e.code, OS_EINVAL);
    os_arena a = OS_ARENA_INIT;
    const iceberg_snapshot **h;
    assert_int_equal(iceberg_ancestry(&t, iceberg_snapshot_current(&t), &a, &h, &e), 2);
    assert_int_equal(h[0]->snapshot_id, 10);
    assert_int_equal(h[1]->snapshot_id, 11);
    os_arena_free(&a);
    iceberg_table_close(&t);
    /* Parents that form a cycle are refused, not followed forever. */
    put("c/metadata/v1.metadata.json",
        "{\"format-version\":1,\"location\":\"x\",\"last-updated-ms\":1,\"schema\":{\"type\":\"struct\","
        "\"fields\":[]},\"current-snapshot-id\":1,\"snapshots\":["
        "{\"snapshot-id\":1,\"parent-snapshot-id\":2,\"timestamp-ms\":5,\"manifests\":[]},"
        "{\"snapshot-id\":2,\"parent-snapshot-id\":1,\"timestamp-ms\":6,\"manifests\":[]}]}");
    assert_int_equal(iceberg_table_open(&t, &st, "c", NULL, NULL, &e), 0);
    assert_int_equal(iceberg_ancestry(&t, iceberg_snapshot_current(&t), &a, &h, &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    assert_null(iceberg_snapshot_as_of(&t, 1, &e));
    os_arena_free(&a);
    iceberg_table_close(&t);
    objstore_close(&st);
}

static const char *text_of(iceberg_kind kind, int32_t p, int32_t s, const void *b, size_t n, bool iso)
{
    static char out[128];
    iceberg_type t = {.kind = kind, .text = "t", .precision = p, .scale = s, .length = (int32_t)n};
    iceberg_value v;
    os_err e;
    if (iceberg_value_from_binary(&t, b, n, &v, &e) != 0)
        return "ERROR";
    os_buf buf = OS_BUF_INIT;
    assert_int_equal(iceberg_value_to_text(&t, &v, iso, &buf), 0);
    snprintf(out, sizeof out, "%s", os_buf_cstr(&buf));
    os_buf_free(&buf);
    return out;
}

static void test_values(void **state)
{
    (void)state;
    assert_string_equal(text_of(ICE_BOOLEAN, 0, 0, "\x01", 1, false), "true");
    assert_string_equal(text_of(ICE_INT, 0, 0, "\xfe\xff\xff\xff", 4, false), "-2");
    assert_string_equal(text_of(ICE_LONG, 0, 0, "\x00\x00\x00\x00\x00\x00\x00\x80", 8, false),
                        "-9223372036854775808");
    assert_string_equal(text_of(ICE_LONG, 0, 0, "\x07\x00\x00\x00", 4, false), "7");   /* promoted int */
    assert_string_equal(text_of(ICE_FLOAT, 0, 0, "\x00\x00\xc0\x3f", 4, false), "1.5");
    assert_string_equal(text_of(ICE_DOUBLE, 0, 0, "\x9a\x99\x99\x99\x99\x99\xb9\x3f", 8, false), "0.1");
    assert_string_equal(text_of(ICE_DATE, 0, 0, "\xff\xff\xff\xff", 4, false), "1969-12-31");
    assert_string_equal(text_of(ICE_DATE, 0, 0, "\x46\x4d\x00\x00", 4, false), "2024-02-29");
    /* 2024-02-29T12:34:56.789012Z = 1709210096789012 us */
    int64_t us = 1709210096789012LL;
    assert_string_equal(text_of(ICE_TIMESTAMPTZ, 0, 0, &us, 8, true), "2024-02-29T12:34:56.789012Z");
    assert_string_equal(text_of(ICE_TIMESTAMP, 0, 0, &us, 8, false), "2024-02-29 12:34:56.789012");
    int64_t before = -1;
    assert_string_equal(text_of(ICE_TIMESTAMP, 0, 0, &before, 8, true), "1969-12-31T23:59:59.999999");
    int64_t ns = 1709210096789012345LL;
    assert_string_equal(text_of(ICE_TIMESTAMPTZ_NS, 0, 0, &ns, 8, true), "2024-02-29T12:34:56.789012345Z");
    int64_t t = 45296000001LL;   /* 12:34:56.000001 */
    assert_string_equal(text_of(ICE_TIME, 0, 0, &t, 8, false), "12:34:56.000001");
    assert_string_equal(text_of(ICE_DECIMAL, 9, 2, "\x30\x39", 2, false), "123.45");
    assert_string_equal(text_of(ICE_DECIMAL, 9, 2, "\xcf\xc7", 2, false), "-123.45");
    assert_string_equal(text_of(ICE_DECIMAL, 9, 4, "\x05", 1, false), "0.0005");
    assert_string_equal(text_of(ICE_DECIMAL, 9, 0, "\x80", 1, false), "-128");
    assert_string_equal(text_of(ICE_DECIMAL, 38, 0,
                                "\x4b\x3b\x4c\xa8\x5a\x86\xc4\x7a\x09\x8a\x22\x3f\xff\xff\xff\xff", 16, false),
                        "99999999999999999999999999999999999999");
    assert_string_equal(text_of(ICE_DECIMAL, 38, 0,
                                "\xb4\xc4\xb3\x57\xa5\x79\x3b\x85\xf6\x75\xdd\xc0\x00\x00\x00\x01", 16, false),
                        "-99999999999999999999999999999999999999");
    assert_string_equal(text_of(ICE_STRING, 0, 0, "héllo", 6, false), "héllo");
    assert_string_equal(text_of(ICE_UUID, 0, 0,
                                "\xf7\x9c\x3e\x09\x67\x7c\x4b\xbd\xa4\x79\x3f\x34\x9c\xb7\x85\xe7", 16, false),
                        "f79c3e09-677c-4bbd-a479-3f349cb785e7");
    assert_string_equal(text_of(ICE_BINARY, 0, 0, "\x00\xff", 2, false), "00ff");
    /* Wrong sizes are errors, not reads past the end. */
    assert_string_equal(text_of(ICE_INT, 0, 0, "\x01\x02", 2, false), "ERROR");
    assert_string_equal(text_of(ICE_UUID, 0, 0, "\x01\x02", 2, false), "ERROR");
    assert_string_equal(text_of(ICE_DECIMAL, 9, 2, "", 0, false), "ERROR");
    assert_string_equal(text_of(ICE_DECIMAL, 9, 2, "12345678901234567", 17, false), "ERROR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata_parse),
        cmocka_unit_test(test_metadata_errors),
        cmocka_unit_test_setup_teardown(test_find_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relocation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshots, setup, teardown),
        cmocka_unit_test(test_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
