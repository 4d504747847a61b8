/* test_delta_action.c - the Delta commit-line parser: every action kind, defaults, bad types, file identities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/buf.h"
#include "formats/delta/delta.h"

static int parse(const char *line, os_arena *a, delta_action *out, os_err *e)
{
    return delta_action_parse(line, strlen(line), "t.json line 1", a, out, e);
}

static void test_add(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    delta_action act;
    os_err e;
    const char *line =
        "{\"add\":{\"path\":\"p%20q/f.parquet\",\"partitionValues\":{\"x\":\"1\",\"y\":null},"
        "\"size\":10,\"modificationTime\":5,\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":3}\","
        "\"tags\":{\"k\":\"v\"},\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"ab\","
        "\"offset\":4,\"sizeInBytes\":40,\"cardinality\":2},\"baseRowId\":7,\"defaultRowCommitVersion\":3}}";
    assert_int_equal(parse(line, &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_ADD);
    const delta_file *f = &act.u.file;
    assert_string_equal(f->path, "p%20q/f.parquet");
    assert_int_equal(f->partition_values.n, 2);
    bool found;
    assert_string_equal(delta_map_get(&f->partition_values, "x", &found), "1");
    assert_null(delta_map_get(&f->partition_values, "y", &found));
    assert_true(found);
    assert_null(delta_map_get(&f->partition_values, "z", &found));
    assert_false(found);
    assert_int_equal(f->size, 10);
    assert_true(f->data_change);
    assert_string_equal(f->stats, "{\"numRecords\":3}");
    assert_true(f->has_dv);
    assert_int_equal(f->dv.storage_type, 'u');
    assert_int_equal(f->dv.offset, 4);
    assert_int_equal(f->dv.cardinality, 2);
    assert_int_equal(f->base_row_id, 7);
    os_buf k = OS_BUF_INIT;
    assert_int_equal(delta_file_key(f, &k, &e), 0);
    assert_int_equal(k.len, strlen("p q/f.parquet") + 1 + strlen("uab@4"));
    assert_memory_equal(k.data, "p q/f.parquet\0uab@4", k.len);
    os_buf_free(&k);
    os_arena_free(&a);
}

static void test_other_actions(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    delta_action act;
    os_err e;
    assert_int_equal(parse("{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
                           "\"readerFeatures\":[\"deletionVectors\"],\"writerFeatures\":[]}}", &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_PROTOCOL);
    assert_true(act.u.proto.has_reader_features);
    assert_int_equal(act.u.proto.n_reader_features, 1);
    assert_int_equal(delta_protocol_check(&act.u.proto, &e), 0);
    assert_int_equal(parse("{\"metaData\":{\"id\":\"i\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"
                           "\"schemaString\":\"{}\",\"partitionColumns\":[\"a\"],\"configuration\":{\"k\":\"v\"},"
                           "\"createdTime\":12}}", &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_METADATA);
    assert_string_equal(act.u.meta.partition_columns[0], "a");
    assert_int_equal(act.u.meta.created_time, 12);
    assert_int_equal(parse("{\"remove\":{\"path\":\"f\",\"deletionTimestamp\":9,\"dataChange\":false}}", &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_REMOVE);
    assert_false(act.u.file.data_change);
    assert_false(act.u.file.has_size);
    assert_int_equal(parse("{\"cdc\":{\"path\":\"c\",\"partitionValues\":{},\"size\":1,\"dataChange\":false}}", &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_CDC);
    assert_int_equal(parse("{\"txn\":{\"appId\":\"x\",\"version\":3,\"lastUpdated\":4}}", &a, &act, &e), 0);
    assert_int_equal(act.u.txn.version, 3);
    assert_int_equal(parse("{\"commitInfo\":{\"inCommitTimestamp\":99,\"timestamp\":5,\"operation\":\"WRITE\","
                           "\"operationParameters\":{\"a\":[1,{\"b\":null}]}}}", &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_COMMIT_INFO);
    assert_int_equal(act.u.info.in_commit_timestamp, 99);
    assert_string_equal(act.u.info.operation, "WRITE");
    assert_non_null(strstr(act.u.info.json, "operationParameters"));
    assert_int_equal(parse("{\"domainMetadata\":{\"domain\":\"d\",\"configuration\":\"{}\",\"removed\":false}}", &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_DOMAIN);
    assert_int_equal(parse("{\"checkpointMetadata\":{\"version\":2}}", &a, &act, &e), 0);
    assert_int_equal(act.u.checkpoint_version, 2);
    assert_int_equal(parse("{\"sidecar\":{\"path\":\"s.parquet\",\"sizeInBytes\":1,\"modificationTime\":2}}", &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_SIDECAR);
    /* Unknown actions and blank lines are ignored. */
    assert_int_equal(parse("{\"futureAction\":{\"x\":1}}", &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_NONE);
    assert_int_equal(parse("   ", &a, &act, &e), 0);
    assert_int_equal(act.kind, DELTA_ACT_NONE);
    os_arena_free(&a);
}

static void expect_corrupt(const char *line, const char *fragment)
{
    os_arena a = OS_ARENA_INIT;
    delta_action act;
    os_err e;
    os_err_clear(&e);
    assert_int_equal(parse(line, &a, &act, &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    assert_non_null(strstr(e.msg, "t.json line 1"));
    if (fragment && strstr(e.msg, fragment) == NULL)
        fail_msg("'%s' lacks '%s'", e.msg, fragment);
    os_arena_free(&a);
}

static void test_bad_lines(void **state)
{
    (void)state;
    expect_corrupt("{\"add\":{\"path\":", "invalid JSON");
    expect_corrupt("[1,2]", "not a JSON object");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"size\":1},\"remove\":{\"path\":\"a\"}}", "two actions");
    expect_corrupt("{\"add\":{\"size\":1}}", "add.path is missing");
    expect_corrupt("{\"add\":{\"path\":\"\",\"size\":1}}", "empty");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"size\":\"1\"}}", "add.size is not an integer");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"size\":-1}}", "negative");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"size\":1,\"partitionValues\":{\"x\":1}}}", "not a string");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"size\":1,\"dataChange\":\"yes\"}}", "boolean");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"size\":1,\"deletionVector\":{\"storageType\":\"z\","
                   "\"pathOrInlineDv\":\"x\",\"sizeInBytes\":1,\"cardinality\":1}}}", "storageType");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"size\":1,\"deletionVector\":{\"storageType\":\"u\","
                   "\"pathOrInlineDv\":\"x\",\"sizeInBytes\":99999999999,\"cardinality\":1}}}", "out of range");
    expect_corrupt("{\"protocol\":{\"minReaderVersion\":0,\"minWriterVersion\":1}}", "out of range");
    expect_corrupt("{\"protocol\":{\"minReaderVersion\":1}}", "minWriterVersion is missing");
    expect_corrupt("{\"metaData\":{\"name\":\"x\"}}", "metaData.id is missing");
    expect_corrupt("{\"metaData\":{\"id\":\"x\",\"partitionColumns\":[1]}}", "not a string");
    expect_corrupt("{\"add\":5}", "not an object");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"path\":\"b\",\"size\":1}}", "invalid JSON");
    expect_corrupt("{\"add\":{\"path\":\"a\\u0000b\",\"size\":1}}", "invalid JSON");
}

static void test_protocol_check(void **state)
{
    (void)state;
    os_err e;
    const char *ok[] = {"columnMapping", "deletionVectors", "v2Checkpoint", "timestampNtz"};
    delta_protocol p = {3, 7, true, true, ok, 4, NULL, 0};
    assert_int_equal(delta_protocol_check(&p, &e), 0);
    const char *bad[] = {"deletionVectors", "catalogManaged"};
    p.reader_features = bad;
    p.n_reader_features = 2;
    assert_int_equal(delta_protocol_check(&p, &e), -1);
    assert_int_equal(e.code, OS_EUNSUPPORTED);
    assert_non_null(strstr(e.msg, "catalogManaged"));
    p.has_reader_features = false;
    assert_int_equal(delta_protocol_check(&p, &e), -1);
    delta_protocol p4 = {4, 7, false, false, NULL, 0, NULL, 0};
    assert_int_equal(delta_protocol_check(&p4, &e), -1);
    assert_int_equal(e.code, OS_EUNSUPPORTED);
    delta_protocol p2 = {2, 5, false, false, NULL, 0, NULL, 0};
    assert_int_equal(delta_protocol_check(&p2, &e), 0);
}

static void test_file_keys(void **state)
{
    (void)state;
    os_err e;
    os_buf k1 = OS_BUF_INIT, k2 = OS_BUF_INIT;
    delta_file a = {.path = "/some/with%20space/p@%23h"};
    delta_file b = {.path = "file:/some/with%20space/p@%23h"};
    delta_file c = {.path = "file:///some/with%20space/p@%23h"};
    assert_int_equal(delta_file_key(&a, &k1, &e), 0);
    assert_string_equal(k1.data, "/some/with space/p@#h");
    assert_int_equal(delta_file_key(&b, &k2, &e), 0);
    assert_string_equal(k2.data, k1.data);
    assert_int_equal(delta_file_key(&c, &k2, &e), 0);
    assert_string_equal(k2.data, k1.data);
    delta_file bad = {.path = "x%zz"};
    assert_int_equal(delta_file_key(&bad, &k1, &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    /* An encoded NUL cannot be signed, so it is no identity either. */
    delta_file nul = {.path = "x%00y"};
    assert_int_equal(delta_file_key(&nul, &k1, &e), -1);
    assert_non_null(strstr(e.msg, "bad %-escape"));
    /* Same path, different deletion vectors: different files. */
    delta_file d1 = {.path = "f", .has_dv = true, .dv = {'u', "abc", false, 0, 1, 1}};
    delta_file d2 = {.path = "f", .has_dv = true, .dv = {'u', "abc", true, 1, 1, 1}};
    assert_int_equal(delta_file_key(&d1, &k1, &e), 0);
    assert_int_equal(delta_file_key(&d2, &k2, &e), 0);
    assert_false(k1.len == k2.len && memcmp(k1.data, k2.data, k1.len) == 0);
    os_buf_free(&k1);
    os_buf_free(&k2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_other_actions),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_protocol_check),
        cmocka_unit_test(test_file_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
