/* test_dataset.c - Parquet dataset rules: data files, Hive partitions, type inference, schema merging, footers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/dataset/dataset.h"

static void test_data_files(void **state)
{
    (void)state;
    assert_true(ds_is_data_file("a.parquet"));
    assert_true(ds_is_data_file("y=2024/m=1/part-0.snappy.parquet"));
    assert_false(ds_is_data_file("_SUCCESS"));
    assert_false(ds_is_data_file("a.parquet.crc"));
    assert_false(ds_is_data_file(".a.parquet.crc"));
    assert_false(ds_is_data_file(".hidden.parquet"));
    assert_false(ds_is_data_file("_temporary/0/a.parquet"));
    assert_false(ds_is_data_file("y=1/_tmp/a.parquet"));
    assert_false(ds_is_data_file("y=1/.spark-staging/a.parquet"));
    assert_false(ds_is_data_file("_delta_log/00.checkpoint.parquet"));
    assert_false(ds_is_data_file("a.json"));
    assert_false(ds_is_data_file("dir.parquet/"));
    assert_false(ds_is_data_file(""));
}

static void test_partitions(void **state)
{
    (void)state;
    os_arena a = {0};
    ds_part *p;
    os_err e;
    assert_int_equal(ds_partitions_parse("f.parquet", &a, &p, &e), 0);
    assert_int_equal(ds_partitions_parse("plain/y=2024/city=New%20York/f.parquet", &a, &p, &e), 2);
    assert_string_equal(p[0].name, "y");
    assert_string_equal(p[0].value, "2024");
    assert_string_equal(p[1].name, "city");
    assert_string_equal(p[1].value, "New York");
    assert_int_equal(ds_partitions_parse("k=__HIVE_DEFAULT_PARTITION__/f.parquet", &a, &p, &e), 1);
    assert_null(p[0].value);
    assert_int_equal(ds_partitions_parse("k=a%3Db%2Fc/f.parquet", &a, &p, &e), 1);
    assert_string_equal(p[0].value, "a=b/c");
    assert_int_equal(ds_partitions_parse("k=/f.parquet", &a, &p, &e), 1);
    assert_string_equal(p[0].value, "");
    /* Damage: no name, a bad escape, a name twice. */
    assert_int_equal(ds_partitions_parse("=v/f.parquet", &a, &p, &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    assert_non_null(strstr(e.msg, "=v/f.parquet"));
    assert_int_equal(ds_partitions_parse("k=%zz/f.parquet", &a, &p, &e), -1);
    assert_non_null(strstr(e.msg, "escape"));
    assert_int_equal(ds_partitions_parse("k=%4/f.parquet", &a, &p, &e), -1);
    assert_int_equal(ds_partitions_parse("k=%00/f.parquet", &a, &p, &e), -1);
    assert_int_equal(ds_partitions_parse("k=1/k=2/f.parquet", &a, &p, &e), -1);
    assert_non_null(strstr(e.msg, "twice"));
    os_arena_free(&a);
}

static const char *infer(const char *const *vals, size_t n)
{
    ds_infer in;
    ds_infer_init(&in);
    for (size_t i = 0; i < n; i++)
        ds_infer_add(&in, vals[i]);
    return ds_infer_type(&in);
}

static void test_inference(void **state)
{
    (void)state;
    const char *ints[] = {"1", "-20", NULL, "2147483647"};
    assert_string_equal(infer(ints, 4), "integer");
    const char *longs[] = {"1", "2147483648"};
    assert_string_equal(infer(longs, 2), "long");
    const char *dbl[] = {"1", "2.5", "-0.25"};
    assert_string_equal(infer(dbl, 3), "double");
    const char *dates[] = {"2024-01-31", "1999-12-01"};
    assert_string_equal(infer(dates, 2), "date");
    const char *bad_date[] = {"2024-02-30"};
    assert_string_equal(infer(bad_date, 1), "string");
    const char *ts[] = {"2024-01-31 10:11:12", "2024-01-31 10:11:12.123456"};
    assert_string_equal(infer(ts, 2), "timestamp");
    const char *mixed[] = {"2024-01-31", "7"};
    assert_string_equal(infer(mixed, 2), "string");
    const char *lead0[] = {"007", "1"};
    assert_string_equal(infer(lead0, 2), "string");
    const char *nulls[] = {NULL, NULL};
    assert_string_equal(infer(nulls, 2), "string");
    const char *empty[] = {""};
    assert_string_equal(infer(empty, 1), "string");
    const char *words[] = {"NaN", "Infinity", "true"};
    assert_string_equal(infer(words, 3), "string");
    assert_true(ds_partition_type_ok("decimal(10,2)"));
    assert_false(ds_partition_type_ok("decimal(39,2)"));
    assert_false(ds_partition_type_ok("decimal(10,2"));
    assert_false(ds_partition_type_ok("varchar"));
}

static void test_partition_columns(void **state)
{
    (void)state;
    os_err e;
    const char *paths[] = {"y=2024/c=a/1.parquet", "y=2025/c=__HIVE_DEFAULT_PARTITION__/2.parquet"};
    char *s = ds_partition_columns(paths, 2, NULL, &e);
    assert_non_null(s);
    assert_string_equal(s, "[{\"name\":\"y\",\"type\":\"integer\"},{\"name\":\"c\",\"type\":\"string\"}]");
    free(s);
    s = ds_partition_columns(paths, 2, "[{\"name\":\"y\",\"type\":\"long\"}]", &e);
    assert_non_null(s);
    assert_string_equal(s, "[{\"name\":\"y\",\"type\":\"long\"},{\"name\":\"c\",\"type\":\"string\"}]");
    free(s);
    /* A declared type the values do not parse as; a declared column that is no directory. */
    assert_null(ds_partition_columns(paths, 2, "[{\"name\":\"c\",\"type\":\"integer\"}]", &e));
    assert_int_equal(e.code, OS_ECORRUPT);
    assert_non_null(strstr(e.msg, "y=2024/c=a/1.parquet"));
    assert_null(ds_partition_columns(paths, 2, "[{\"name\":\"z\",\"type\":\"integer\"}]", &e));
    assert_non_null(strstr(e.msg, "z=..."));
    assert_null(ds_partition_columns(paths, 2, "[{\"name\":\"y\",\"type\":\"varchar\"}]", &e));
    assert_int_equal(e.code, OS_EINVAL);
    assert_null(ds_partition_columns(paths, 2, "{}", &e));
    /* Files under different directories name both files. */
    const char *mixed[] = {"y=2024/1.parquet", "z=1/2.parquet"};
    assert_null(ds_partition_columns(mixed, 2, NULL, &e));
    assert_non_null(strstr(e.msg, "'y=2024/1.parquet' and 'z=1/2.parquet'"));
    const char *flat[] = {"1.parquet", "sub/2.parquet"};
    s = ds_partition_columns(flat, 2, NULL, &e);
    assert_string_equal(s, "[]");
    free(s);
}

static json_t *parse(const char *s)
{
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    assert_non_null(j);
    return j;
}

#define F(name, type, nullable) "{\"name\":\"" name "\",\"type\":" type ",\"nullable\":" nullable ",\"metadata\":{}}"
#define S(...) "{\"type\":\"struct\",\"fields\":[" __VA_ARGS__ "]}"

static const char *field_type(const json_t *st, const char *name, bool *nullable)
{
    const json_t *fs = json_object_get(st, "fields");
    for (size_t i = 0; i < json_array_size(fs); i++) {
        const json_t *f = json_array_get(fs, i);
        if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0) {
            *nullable = json_is_true(json_object_get(f, "nullable"));
            const json_t *t = json_object_get(f, "type");
            return json_is_string(t) ? json_string_value(t) : json_string_value(json_object_get(t, "type"));
        }
    }
    return NULL;
}

static void test_merge(void **state)
{
    (void)state;
    os_err e;
    bool nl;
    json_t *a = parse(S(F("id", "\"integer\"", "false") "," F("f", "\"float\"", "true") ","
                        F("d", "\"decimal(10,2)\"", "true") "," F("only_a", "\"string\"", "false") ","
                        F("s", S(F("x", "\"short\"", "true")), "true")));
    json_t *b = parse(S(F("id", "\"long\"", "false") "," F("f", "\"double\"", "false") ","
                        F("d", "\"decimal(12,4)\"", "true") "," F("only_b", "\"date\"", "false") ","
                        F("s", S(F("x", "\"integer\"", "true") "," F("y", "\"string\"", "false")), "true")));
    assert_int_equal(ds_schema_merge(a, b, "a.parquet", "b.parquet", &e), 0);
    assert_string_equal(field_type(a, "id", &nl), "long");
    assert_false(nl);
    assert_string_equal(field_type(a, "f", &nl), "double");
    assert_string_equal(field_type(a, "d", &nl), "decimal(12,4)");
    assert_string_equal(field_type(a, "only_a", &nl), "string");
    assert_true(nl);   /* missing in b */
    assert_string_equal(field_type(a, "only_b", &nl), "date");
    assert_true(nl);   /* missing in a */
    const json_t *s = json_object_get(json_array_get(json_object_get(a, "fields"), 4), "type");
    assert_string_equal(field_type(s, "x", &nl), "integer");
    assert_string_equal(field_type(s, "y", &nl), "string");
    assert_true(nl);
    json_decref(b);
    /* integers widen into decimals that hold them */
    b = parse(S(F("d", "\"long\"", "true")));
    assert_int_equal(ds_schema_merge(a, b, "a.parquet", "c.parquet", &e), 0);
    assert_string_equal(field_type(a, "d", &nl), "decimal(24,4)");
    json_decref(b);
    /* conflicts name both files and the column */
    b = parse(S(F("s", S(F("x", "\"string\"", "true")), "true")));
    assert_int_equal(ds_schema_merge(a, b, "a.parquet", "z=1/c.parquet", &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    assert_non_null(strstr(e.msg, "s.x"));
    assert_non_null(strstr(e.msg, "'a.parquet'"));
    assert_non_null(strstr(e.msg, "'z=1/c.parquet'"));
    json_decref(b);
    b = parse(S(F("id", "\"string\"", "true")));
    assert_int_equal(ds_schema_merge(a, b, "a.parquet", "c.parquet", &e), -1);
    json_decref(b);
    b = parse(S(F("id", "{\"type\":\"array\",\"elementType\":\"long\",\"containsNull\":true}", "true")));
    assert_int_equal(ds_schema_merge(a, b, "a.parquet", "c.parquet", &e), -1);
    assert_non_null(strstr(e.msg, "array"));
    json_decref(b);
    b = parse(S(F("d", "\"decimal(38,30)\"", "true")));
    assert_int_equal(ds_schema_merge(a, b, "a.parquet", "c.parquet", &e), -1);
    json_decref(b);
    /* long does not narrow to double; float and integer meet at double */
    b = parse(S(F("f", "\"long\"", "true")));
    assert_int_equal(ds_schema_merge(a, b, "a.parquet", "c.parquet", &e), -1);
    json_decref(b);
    b = parse("[]");
    assert_int_equal(ds_schema_merge(a, b, "a", "b", &e), -1);
    json_decref(b);
    /* the table's schema: partition columns last; a data column of the same name gives way */
    ds_part_col pc[] = {{"only_a", "integer"}, {"p", "date"}};
    bool ntz = true;
    char *text = ds_schema_string(a, pc, 2, &ntz, &e);
    assert_non_null(text);
    assert_false(ntz);
    json_t *t = parse(text);
    const json_t *fs = json_object_get(t, "fields");
    size_t n = json_array_size(fs);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fs, n - 1), "name")), "p");
    assert_string_equal(json_string_value(json_object_get(json_array_get(fs, n - 2), "name")), "only_a");
    assert_string_equal(field_type(t, "only_a", &nl), "integer");
    assert_true(nl);
    free(text);
    json_decref(t);
    json_decref(a);
    a = parse(S(F("ts", "{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"timestamp_ntz\",\"valueContainsNull\":true}", "true")));
    text = ds_schema_string(a, NULL, 0, &ntz, &e);
    assert_true(ntz);
    free(text);
    json_decref(a);
}

/* A footer from the fuzz corpus (written by DuckDB), wrapped into a file. */
static uint8_t *corpus_file(const char *name, size_t *len)
{
    char path[512];
    const char *src = getenv("OS_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/parquet_footer/%s", src ? src : ".", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    static uint8_t body[1 << 20];
    size_t n = fread(body + 4, 1, sizeof body - 16, f);
    fclose(f);
    memcpy(body, "PAR1", 4);
    uint32_t l = (uint32_t)n;
    memcpy(body + 4 + n, &l, 4);
    memcpy(body + 8 + n, "PAR1", 4);
    *len = n + 12;
    return body;
}

static void test_footers(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = corpus_file("duck-flat-v1-snappy.footer", &len);
    assert_non_null(b);
    ds_footer_facts f;
    os_err e;
    assert_int_equal(ds_footer_read_mem(b, len, "p=1/x.parquet", &f, &e), 0);
    assert_int_equal(strlen(f.digest), 64);
    json_t *schema = parse(f.schema_json);
    json_t *stats = parse(f.stats_json);
    assert_true(json_is_integer(json_object_get(stats, "numRecords")));
    assert_int_equal(json_integer_value(json_object_get(stats, "numRecords")), f.num_rows);
    assert_true(json_array_size(json_object_get(schema, "fields")) > 0);
    json_decref(schema);
    json_decref(stats);
    ds_footer_facts_free(&f);
    /* Not Parquet, truncated, too small: damage naming the file. */
    const char junk[] = "this is not a parquet file at all";
    assert_int_equal(ds_footer_read_mem(junk, sizeof junk, "a/junk.parquet", &f, &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    assert_non_null(strstr(e.msg, "a/junk.parquet"));
    b = corpus_file("duck-flat-v1-snappy.footer", &len);
    memcpy(b + len - 8, "\xff\xff\x00\x00", 4);
    assert_int_equal(ds_footer_read_mem(b, len, "t.parquet", &f, &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    b = corpus_file("duck-flat-v1-snappy.footer", &len);
    b[len - 9] ^= 0xff;   /* the footer's last byte */
    b[len / 2] ^= 0x5a;
    if (ds_footer_read_mem(b, len, "t.parquet", &f, &e) == 0)
        ds_footer_facts_free(&f);
    assert_int_equal(ds_footer_read_mem("PAR1PAR1", 8, "s.parquet", &f, &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_files),
        cmocka_unit_test(test_partitions),
        cmocka_unit_test(test_inference),
        cmocka_unit_test(test_partition_columns),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_footers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
