/* test_delta_predicate.c - JSON predicate parsing and three-valued file skipping over partitions and stats, per op and type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "formats/delta/delta.h"

static delta_predicate *P(const char *json)
{
    os_err e;
    delta_predicate *p = delta_predicate_parse(json, strlen(json), &e);
    if (p == NULL)
        fail_msg("parse failed: %s: %s", json, e.msg);
    return p;
}

/* eval of one predicate text over a file, no column map (partition columns are
 * the keys of partitionValues, types from the predicate). */
static delta_tristate ev(const char *json, const delta_kv *pv, size_t npv, const char *stats)
{
    delta_predicate *p = P(json);
    delta_file f = {.kind = DELTA_FILE_ADD, .path = "x"};
    f.partition_values.items = (delta_kv *)pv;
    f.partition_values.n = npv;
    f.stats = stats;
    delta_tristate r = delta_predicate_eval(p, NULL, &f);
    delta_predicate_free(p);
    return r;
}

static char buf[2048];

static const char *cmp(const char *op, const char *col, const char *vt, const char *lit)
{
    snprintf(buf, sizeof buf,
             "{\"op\":\"%s\",\"children\":[{\"op\":\"column\",\"name\":\"%s\",\"valueType\":\"%s\"},"
             "{\"op\":\"literal\",\"value\":\"%s\",\"valueType\":\"%s\"}]}", op, col, vt, lit, vt);
    return buf;
}

static void test_partition_ops_every_type(void **state)
{
    (void)state;
    struct { const char *vt, *val, *lo, *hi; } types[] = {
        {"int", "5", "4", "6"},
        {"long", "5000000000", "4999999999", "5000000001"},
        {"string", "m", "l", "n"},
        {"date", "2021-09-08", "2021-09-07", "2021-09-09"},
        {"double", "1.5", "1.25", "1.75"},
        {"float", "1.5", "1.25", "1.75"},
        {"bool", "false", "false", "true"},
        {"timestamp", "2021-09-08T11:11:11Z", "2021-09-08T11:11:10Z", "2021-09-08T11:11:12Z"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        delta_kv pv[] = {{"c", types[i].val}};
        const char *vt = types[i].vt;
        bool is_bool = !strcmp(vt, "bool");
        assert_int_equal(ev(cmp("equal", "c", vt, types[i].val), pv, 1, NULL), DELTA_TRUE);
        if (!is_bool)
            assert_int_equal(ev(cmp("equal", "c", vt, types[i].lo), pv, 1, NULL), DELTA_FALSE);
        assert_int_equal(ev(cmp("lessThan", "c", vt, types[i].hi), pv, 1, NULL), DELTA_TRUE);
        assert_int_equal(ev(cmp("lessThan", "c", vt, types[i].val), pv, 1, NULL), DELTA_FALSE);
        assert_int_equal(ev(cmp("lessThanOrEqual", "c", vt, types[i].val), pv, 1, NULL), DELTA_TRUE);
        if (!is_bool)
            assert_int_equal(ev(cmp("lessThanOrEqual", "c", vt, types[i].lo), pv, 1, NULL), DELTA_FALSE);
        assert_int_equal(ev(cmp("greaterThan", "c", vt, types[i].val), pv, 1, NULL), DELTA_FALSE);
        if (!is_bool)
            assert_int_equal(ev(cmp("greaterThan", "c", vt, types[i].lo), pv, 1, NULL), DELTA_TRUE);
        assert_int_equal(ev(cmp("greaterThanOrEqual", "c", vt, types[i].val), pv, 1, NULL), DELTA_TRUE);
        assert_int_equal(ev(cmp("greaterThanOrEqual", "c", vt, types[i].hi), pv, 1, NULL), DELTA_FALSE);
        /* A null partition: comparisons are NULL (skip), isNull is TRUE. */
        delta_kv nul[] = {{"c", NULL}};
        assert_int_equal(ev(cmp("equal", "c", vt, types[i].val), nul, 1, NULL), DELTA_FALSE);
        char eqbuf[1024], notbuf[2048];
        strcpy(eqbuf, cmp("equal", "c", vt, types[i].val));
        snprintf(notbuf, sizeof notbuf, "{\"op\":\"not\",\"children\":[%s]}", eqbuf);
        assert_int_equal(ev(notbuf, nul, 1, NULL), DELTA_FALSE);
        snprintf(buf, sizeof buf, "{\"op\":\"isNull\",\"children\":[{\"op\":\"column\",\"name\":\"c\",\"valueType\":\"%s\"}]}", vt);
        assert_int_equal(ev(buf, nul, 1, NULL), DELTA_TRUE);
        assert_int_equal(ev(buf, pv, 1, NULL), DELTA_FALSE);
    }
}

static void test_logic(void **state)
{
    (void)state;
    delta_kv pv[] = {{"a", "1"}, {"b", "x"}, {"n", NULL}};
    char t[512], f[512], n[512], x[4096];
    strcpy(t, cmp("equal", "a", "int", "1"));
    strcpy(f, cmp("equal", "a", "int", "2"));
    strcpy(n, cmp("equal", "n", "int", "2"));
    /* and/or/not over TRUE, FALSE, NULL */
    snprintf(x, sizeof x, "{\"op\":\"and\",\"children\":[%s,%s]}", t, t);
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_TRUE);
    snprintf(x, sizeof x, "{\"op\":\"and\",\"children\":[%s,%s]}", t, f);
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_FALSE);
    snprintf(x, sizeof x, "{\"op\":\"and\",\"children\":[%s,%s]}", t, n);
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_FALSE);   /* NULL rows never match */
    snprintf(x, sizeof x, "{\"op\":\"or\",\"children\":[%s,%s]}", f, n);
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_FALSE);
    snprintf(x, sizeof x, "{\"op\":\"or\",\"children\":[%s,%s,%s]}", f, n, t);
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_TRUE);
    snprintf(x, sizeof x, "{\"op\":\"not\",\"children\":[%s]}", f);
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_TRUE);
    snprintf(x, sizeof x, "{\"op\":\"not\",\"children\":[%s]}", n);
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_FALSE);   /* NOT NULL is NULL */
    snprintf(x, sizeof x, "{\"op\":\"not\",\"children\":[{\"op\":\"or\",\"children\":[%s,%s]}]}", f, n);
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_FALSE);
    /* Unknown column (no stats, not a partition): cannot skip. */
    assert_int_equal(ev(cmp("equal", "zz", "int", "1"), pv, 3, NULL), DELTA_UNKNOWN);
    strcpy(t, cmp("equal", "zz", "int", "1"));
    snprintf(x, sizeof x, "{\"op\":\"not\",\"children\":[%s]}", t);
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_UNKNOWN);
    /* literal on the left */
    snprintf(x, sizeof x, "{\"op\":\"lessThan\",\"children\":[{\"op\":\"literal\",\"value\":\"0\",\"valueType\":\"int\"},"
             "{\"op\":\"column\",\"name\":\"a\",\"valueType\":\"int\"}]}");
    assert_int_equal(ev(x, pv, 3, NULL), DELTA_TRUE);
}

static const char *STATS =
    "{\"numRecords\":10,\"minValues\":{\"i\":3,\"s\":\"bb\",\"d\":\"2020-01-01\",\"t\":\"2020-01-01T00:00:00.000Z\","
    "\"x\":1.5,\"nest\":{\"k\":5}},"
    "\"maxValues\":{\"i\":7,\"s\":\"dd\",\"d\":\"2020-12-31\",\"t\":\"2020-01-01T00:00:01.000Z\",\"x\":2.5,\"nest\":{\"k\":5}},"
    "\"nullCount\":{\"i\":0,\"s\":2,\"d\":0,\"t\":0,\"x\":0,\"allnull\":10,\"nest\":{\"k\":0}}}";

static void test_stats(void **state)
{
    (void)state;
    assert_int_equal(ev(cmp("equal", "i", "int", "5"), NULL, 0, STATS), DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("equal", "i", "int", "8"), NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev(cmp("equal", "i", "int", "2"), NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev(cmp("equal", "i", "long", "7"), NULL, 0, STATS), DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("lessThan", "i", "int", "3"), NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev(cmp("lessThan", "i", "int", "4"), NULL, 0, STATS), DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("lessThan", "i", "int", "8"), NULL, 0, STATS), DELTA_TRUE);  /* no nulls, all < 8 */
    assert_int_equal(ev(cmp("greaterThan", "i", "int", "7"), NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev(cmp("greaterThanOrEqual", "i", "int", "7"), NULL, 0, STATS), DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("lessThanOrEqual", "i", "int", "2"), NULL, 0, STATS), DELTA_FALSE);
    /* strings with nulls: never all-true */
    assert_int_equal(ev(cmp("lessThan", "s", "string", "zz"), NULL, 0, STATS), DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("greaterThan", "s", "string", "dd"), NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev(cmp("equal", "s", "string", "a"), NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev(cmp("equal", "d", "date", "2021-01-01"), NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev(cmp("equal", "d", "date", "2020-06-01"), NULL, 0, STATS), DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("greaterThan", "x", "double", "2.5"), NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev(cmp("greaterThan", "x", "double", "2.4"), NULL, 0, STATS), DELTA_UNKNOWN);
    /* Timestamps: the max is truncated to ms, so 00:00:01.0005 may exist. */
    assert_int_equal(ev(cmp("greaterThan", "t", "timestamp", "2020-01-01T00:00:01.000500Z"), NULL, 0, STATS),
                     DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("greaterThan", "t", "timestamp", "2020-01-01T00:00:01.001Z"), NULL, 0, STATS),
                     DELTA_FALSE);
    assert_int_equal(ev(cmp("lessThan", "t", "timestamp", "2019-12-31T23:59:59Z"), NULL, 0, STATS), DELTA_FALSE);
    /* All null: comparisons skip, isNull is true. */
    assert_int_equal(ev(cmp("equal", "allnull", "int", "1"), NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev("{\"op\":\"isNull\",\"children\":[{\"op\":\"column\",\"name\":\"allnull\",\"valueType\":\"int\"}]}",
                        NULL, 0, STATS), DELTA_TRUE);
    assert_int_equal(ev("{\"op\":\"isNull\",\"children\":[{\"op\":\"column\",\"name\":\"i\",\"valueType\":\"int\"}]}",
                        NULL, 0, STATS), DELTA_FALSE);
    assert_int_equal(ev("{\"op\":\"isNull\",\"children\":[{\"op\":\"column\",\"name\":\"s\",\"valueType\":\"string\"}]}",
                        NULL, 0, STATS), DELTA_UNKNOWN);
    /* nested column path */
    assert_int_equal(ev(cmp("equal", "nest.k", "int", "5"), NULL, 0, STATS), DELTA_TRUE);
    assert_int_equal(ev(cmp("equal", "nest.k", "int", "6"), NULL, 0, STATS), DELTA_FALSE);
    /* no stats, bad stats: unknown */
    assert_int_equal(ev(cmp("equal", "i", "int", "100"), NULL, 0, NULL), DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("equal", "i", "int", "100"), NULL, 0, "{not json"), DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("equal", "i", "int", "100"), NULL, 0, "{\"numRecords\":3}"), DELTA_UNKNOWN);
    /* truncated long string max: cannot bound above */
    const char *long_max = "{\"numRecords\":2,\"minValues\":{\"s\":\"aaaa\"},"
                           "\"maxValues\":{\"s\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"},\"nullCount\":{\"s\":0}}";
    assert_int_equal(ev(cmp("greaterThan", "s", "string", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbzz"), NULL, 0, long_max),
                     DELTA_UNKNOWN);
    assert_int_equal(ev(cmp("lessThan", "s", "string", "aaaa"), NULL, 0, long_max), DELTA_FALSE);
    /* escapes in keys and values are decoded; malformed documents tell nothing */
    const char *esc = "{\"numRecords\":2,\"minValues\":{\"s\\u0074r\":\"b\\\"q\"},"
                      "\"maxValues\":{\"str\":\"\\u00e9t\\u00e9\"},\"nullCount\":{\"str\":0}}";
    assert_int_equal(ev(cmp("lessThan", "str", "string", "b"), NULL, 0, esc), DELTA_FALSE);      /* min b"q */
    assert_int_equal(ev(cmp("greaterThan", "str", "string", "z"), NULL, 0, esc), DELTA_UNKNOWN);  /* max is past z */
    assert_int_equal(ev(cmp("greaterThan", "str", "string", "\xc3\xa9t\xc3\xa9"), NULL, 0, esc), DELTA_FALSE);
    const char *bad[] = {
        "{\"numRecords\":0,\"minValues\":{\"i\":100}} trailing",
        "{\"numRecords\":0,\"minValues\":{\"i\":100},}",
        "{\"numRecords\":0,\"minValues\":{\"i\":01}}",
        "{\"numRecords\":0,\"minValues\":{\"i\":\"\\x\"}}",
        "{\"numRecords\":0,\"minValues\":{\"i\":\"\\ud800\"}}",
        "{\"numRecords\":0",
        "[1]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ev(cmp("equal", "i", "int", "1"), NULL, 0, bad[i]), DELTA_UNKNOWN);
    /* a big integer reads as a number all the same */
    assert_int_equal(ev(cmp("lessThan", "i", "long", "5"), NULL, 0,
                        "{\"numRecords\":1,\"minValues\":{\"i\":99999999999999999999},"
                        "\"maxValues\":{\"i\":99999999999999999999},\"nullCount\":{\"i\":0}}"), DELTA_FALSE);
    /* empty file */
    assert_int_equal(ev(cmp("equal", "i", "int", "1"), NULL, 0, "{\"numRecords\":0}"), DELTA_FALSE);
}

static void test_column_mapping(void **state)
{
    (void)state;
    const char *schema =
        "{\"type\":\"struct\",\"fields\":["
        "{\"name\":\"Part\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{\"delta.columnMapping.physicalName\":\"col-p\"}},"
        "{\"name\":\"val\",\"type\":\"long\",\"nullable\":true,\"metadata\":{\"delta.columnMapping.physicalName\":\"col-v\"}},"
        "{\"name\":\"s\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"in\",\"type\":\"string\",\"nullable\":true,"
        "\"metadata\":{\"delta.columnMapping.physicalName\":\"col-in\"}}]},\"nullable\":true,"
        "\"metadata\":{\"delta.columnMapping.physicalName\":\"col-s\"}}]}";
    const char *pcols[] = {"Part"};
    delta_kv conf[] = {{"delta.columnMapping.mode", "name"}};
    delta_metadata m = {.id = "x", .schema_string = schema, .partition_columns = pcols,
                        .n_partition_columns = 1, .configuration = {conf, 1}};
    os_err e;
    delta_colmap *cm = delta_colmap_build(&m, &e);
    assert_non_null(cm);
    const char *phys, *type;
    bool part;
    assert_int_equal(delta_colmap_lookup(cm, "part", &phys, &type, &part), 0);
    assert_string_equal(phys, "col-p");
    assert_true(part);
    assert_int_equal(delta_colmap_lookup(cm, "s.in", &phys, &type, &part), 0);
    assert_string_equal(phys, "col-s.col-in");
    assert_string_equal(type, "string");
    assert_int_equal(delta_colmap_lookup(cm, "nope", &phys, &type, &part), -1);
    delta_kv pv[] = {{"col-p", "4"}};
    delta_file f = {.kind = DELTA_FILE_ADD, .path = "x", .partition_values = {pv, 1},
                    .stats = "{\"numRecords\":1,\"minValues\":{\"col-v\":10,\"col-s\":{\"col-in\":\"q\"}},"
                             "\"maxValues\":{\"col-v\":20,\"col-s\":{\"col-in\":\"q\"}},"
                             "\"nullCount\":{\"col-v\":0,\"col-s\":{\"col-in\":0}}}"};
    delta_predicate *p = P(cmp("equal", "Part", "int", "4"));
    assert_int_equal(delta_predicate_eval(p, cm, &f), DELTA_TRUE);
    delta_predicate_free(p);
    p = P(cmp("equal", "part", "int", "5"));
    assert_int_equal(delta_predicate_eval(p, cm, &f), DELTA_FALSE);
    delta_predicate_free(p);
    p = P(cmp("greaterThan", "val", "long", "20"));
    assert_int_equal(delta_predicate_eval(p, cm, &f), DELTA_FALSE);
    delta_predicate_free(p);
    p = P(cmp("equal", "s.in", "string", "r"));
    assert_int_equal(delta_predicate_eval(p, cm, &f), DELTA_FALSE);
    delta_predicate_free(p);
    /* A type the column cannot be compared as: unknown, never skipped. */
    p = P(cmp("equal", "val", "string", "abc"));
    assert_int_equal(delta_predicate_eval(p, cm, &f), DELTA_UNKNOWN);
    delta_predicate_free(p);
    delta_colmap_free(cm);
}

static void expect_invalid(const char *json)
{
    os_err e;
    os_err_clear(&e);
    delta_predicate *p = delta_predicate_parse(json, strlen(json), &e);
    if (p != NULL)
        fail_msg("accepted: %s", json);
    assert_true(e.code == OS_EINVAL || e.code == OS_ELIMIT);
}

/* Float bounds and literals as doubles' text name 32-bit values: "1.399999976158142"
 * (a float 1.4 written as a double) and the literal "1.4" are the same float. */
static void test_float_bounds_are_32_bit(void **state)
{
    (void)state;
    const char *as_double = "{\"numRecords\":5,\"minValues\":{\"f\":1.0},\"maxValues\":{\"f\":1.399999976158142},"
                            "\"nullCount\":{\"f\":0}}";
    const char *as_float = "{\"numRecords\":5,\"minValues\":{\"f\":1.0},\"maxValues\":{\"f\":1.4},"
                           "\"nullCount\":{\"f\":0}}";
    const char *stats[] = {as_double, as_float};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ev(cmp("equal", "f", "float", "1.4"), NULL, 0, stats[i]), DELTA_UNKNOWN);
        assert_int_equal(ev(cmp("greaterThanOrEqual", "f", "float", "1.4"), NULL, 0, stats[i]), DELTA_UNKNOWN);
        assert_int_equal(ev(cmp("equal", "f", "float", "1.399999976158142"), NULL, 0, stats[i]), DELTA_UNKNOWN);
        assert_int_equal(ev(cmp("greaterThan", "f", "float", "1.4"), NULL, 0, stats[i]), DELTA_FALSE);
        assert_int_equal(ev(cmp("equal", "f", "float", "1.5"), NULL, 0, stats[i]), DELTA_FALSE);
        assert_int_equal(ev(cmp("lessThan", "f", "float", "1.0"), NULL, 0, stats[i]), DELTA_FALSE);
        /* beyond float range: left alone, compared as doubles */
        assert_int_equal(ev(cmp("greaterThan", "f", "float", "1e300"), NULL, 0, stats[i]), DELTA_FALSE);
    }
    /* Double columns are not rounded: 1.4 is above a double max of 1.399999976158142. */
    assert_int_equal(ev(cmp("greaterThanOrEqual", "f", "double", "1.4"), NULL, 0, as_double), DELTA_FALSE);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_invalid("");
    expect_invalid("[]");
    expect_invalid("{\"op\":\"nope\"}");
    expect_invalid("{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"a\",\"valueType\":\"int\"}]}");
    expect_invalid("{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"a\",\"valueType\":\"int\"},"
                   "{\"op\":\"literal\",\"value\":\"x\",\"valueType\":\"int\"}]}");
    expect_invalid("{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"a\",\"valueType\":\"int\"},"
                   "{\"op\":\"literal\",\"value\":\"99999999999\",\"valueType\":\"int\"}]}");
    expect_invalid("{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"a\",\"valueType\":\"blob\"},"
                   "{\"op\":\"literal\",\"value\":\"1\",\"valueType\":\"int\"}]}");
    expect_invalid("{\"op\":\"and\",\"children\":[{\"op\":\"column\",\"name\":\"a\",\"valueType\":\"int\"}]}");
    expect_invalid("{\"op\":\"not\",\"children\":[]}");
    expect_invalid("{\"op\":\"column\",\"name\":\"a\",\"valueType\":\"int\"}");
    expect_invalid("{\"op\":\"isNull\",\"children\":[{\"op\":\"not\",\"children\":[]}]}");
    expect_invalid("{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"valueType\":\"int\"},"
                   "{\"op\":\"literal\",\"value\":\"1\",\"valueType\":\"int\"}]}");
    expect_invalid("{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"d\",\"valueType\":\"date\"},"
                   "{\"op\":\"literal\",\"value\":\"2021-02-30\",\"valueType\":\"date\"}]}");
    /* deep nesting is refused, not recursed into without bound */
    char deep[8192] = "";
    for (int i = 0; i < 100; i++)
        strcat(deep, "{\"op\":\"not\",\"children\":[");
    strcat(deep, "{\"op\":\"literal\",\"value\":\"true\",\"valueType\":\"bool\"}");
    for (int i = 0; i < 100; i++)
        strcat(deep, "]}");
    expect_invalid(deep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_ops_every_type),
        cmocka_unit_test(test_logic),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_column_mapping),
        cmocka_unit_test(test_float_bounds_are_32_bit),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
