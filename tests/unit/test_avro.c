/* test_avro.c - the Avro container reader on hand-made files: every type, every codec, negative
 * block counts, metadata, named types and namespaces, schema errors, the JSON of values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "avro_craft.h"

static void test_primitives(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    put_prims(&r, true, INT32_MIN, INT64_MIN, 0.1f, -2.5, "\x00\xff\x7f" "a", 4, "h\xc3\xa9\"\n");
    put_prims(&r, false, INT32_MAX, INT64_MAX, NAN, INFINITY, "", 0, "");
    put_prims(&r, false, -1, 1, -INFINITY, 5e-324, "\x80", 1, "x");
    one_block_file(&file, PRIMS, NULL, 3, &r);

    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    assert_non_null(f);
    const avro_schema *s = avro_file_schema(f);
    assert_int_equal(s->type, AVRO_RECORD);
    assert_string_equal(s->name, "P");
    assert_int_equal(s->n_fields, 8);
    assert_int_equal(avro_schema_field_index(s, "l"), 3);
    assert_int_equal(avro_schema_field_index(s, "nope"), -1);
    assert_int_equal(avro_schema_field_index(s->fields[0].schema, "n"), -1);
    assert_null(avro_file_meta(f, "avro.codec", NULL));
    os_arena a = OS_ARENA_INIT;
    const avro_value *v;
    assert_int_equal(avro_file_next(f, &a, &v, &err), 1);
    assert_int_equal(v->type, AVRO_RECORD);
    assert_int_equal(v->n, 8);
    assert_null(avro_record_field(v, 0));            /* null */
    assert_true(avro_record_field(v, 1)->b);
    assert_int_equal(avro_record_field(v, 2)->l, INT32_MIN);
    assert_true(avro_record_field(v, 3)->l == INT64_MIN);
    assert_true(avro_record_field(v, 4)->d == (double)0.1f);
    assert_true(avro_record_field(v, 5)->d == -2.5);
    const avro_value *y = avro_record_field(v, 6);
    assert_int_equal(y->len, 4);
    assert_memory_equal(y->bytes, "\x00\xff\x7f" "a", 4);
    const avro_value *str = avro_record_field(v, 7);
    assert_string_equal((const char *)str->bytes, "h\xc3\xa9\"\n");
    assert_int_equal(str->branch, -1);
    assert_null(avro_record_field(v, 8));
    assert_null(avro_record_field(v, -1));
    assert_null(avro_record_field(y, 0));
    os_buf j = OS_BUF_INIT;
    assert_int_equal(avro_value_to_json(v, &j, &err), 0);
    assert_string_equal(j.data, "{\"n\":null,\"b\":true,\"i\":-2147483648,\"l\":-9223372036854775808,\"f\":0.1,"
                                "\"d\":-2.5,\"y\":\"\\u0000\xc3\xbf\\u007fa\",\"s\":\"h\xc3\xa9\\\"\\n\"}");
    os_arena_free(&a);
    assert_int_equal(avro_file_next(f, &a, &v, &err), 1);
    os_buf_reset(&j);
    assert_int_equal(avro_value_to_json(v, &j, &err), 0);
    assert_string_equal(j.data, "{\"n\":null,\"b\":false,\"i\":2147483647,\"l\":9223372036854775807,\"f\":\"NaN\","
                                "\"d\":\"Infinity\",\"y\":\"\",\"s\":\"\"}");
    os_arena_free(&a);
    assert_int_equal(avro_file_next(f, &a, &v, &err), 1);
    os_buf_reset(&j);
    assert_int_equal(avro_value_to_json(v, &j, &err), 0);
    assert_string_equal(j.data, "{\"n\":null,\"b\":false,\"i\":-1,\"l\":1,\"f\":\"-Infinity\",\"d\":5e-324,"
                                "\"y\":\"\xc2\x80\",\"s\":\"x\"}");
    os_arena_free(&a);
    assert_int_equal(avro_file_next(f, &a, &v, &err), 0);
    assert_int_equal(avro_file_next(f, &a, &v, &err), 0);
    os_buf_free(&j);
    avro_file_close(f);
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_complex_types(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    put_long(&r, 1);                       /* GREEN */
    os_buf_append(&r, "\x01\x02\xff", 3);  /* fixed */
    put_long(&r, 2);                       /* array: block of 2, block of 1, end */
    put_long(&r, 10);
    put_long(&r, -20);
    put_long(&r, 1);
    put_long(&r, 30);
    put_long(&r, 0);
    put_long(&r, 2);                       /* map: two entries */
    put_str(&r, "k1");
    put_long(&r, 0);                       /*   null */
    put_str(&r, "k2");
    put_long(&r, 1);                       /*   Color */
    put_long(&r, 0);                       /*   RED */
    put_long(&r, 0);
    put_long(&r, 3);                       /* union: branch 3, other.F3 */
    os_buf_append(&r, "abc", 3);
    put_long(&r, 0);                       /* inner.c RED */
    put_long(&r, 1700000000000000LL);
    put_long(&r, 1);                       /* again.c GREEN */
    put_long(&r, -1);
    one_block_file(&file, COMPLEX, "null", 1, &r);
    expect_json(&file, "{\"e\":\"GREEN\",\"fx\":\"\\u0001\\u0002\xc3\xbf\",\"a\":[10,-20,30],"
                       "\"m\":{\"k1\":null,\"k2\":\"RED\"},\"u\":\"abc\","
                       "\"inner\":{\"c\":\"RED\",\"ts\":1700000000000000},\"again\":{\"c\":\"GREEN\",\"ts\":-1}}");

    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    assert_non_null(f);
    const avro_schema *s = avro_file_schema(f);
    assert_string_equal(s->name, "org.x.Top");
    assert_int_equal(s->fields[0].field_id, 1);
    assert_int_equal(s->fields[1].field_id, 2);
    assert_int_equal(s->fields[2].field_id, -1);
    assert_string_equal(s->fields[0].schema->name, "org.x.Color");
    assert_string_equal(s->fields[1].schema->name, "other.F3");
    assert_int_equal(s->fields[1].schema->size, 3);
    assert_int_equal(s->fields[2].schema->element_id, 7);
    assert_int_equal(s->fields[3].schema->key_id, 8);
    assert_int_equal(s->fields[3].schema->value_id, 9);
    assert_int_equal(s->fields[3].schema->items->type, AVRO_UNION);
    /* references point at the one definition */
    assert_ptr_equal(s->fields[3].schema->items->branches[1], s->fields[0].schema);
    assert_ptr_equal(s->fields[4].schema->branches[3], s->fields[1].schema);
    assert_ptr_equal(s->fields[6].schema, s->fields[5].schema);
    assert_string_equal(s->fields[5].schema->name, "org.x.In");
    assert_string_equal(s->fields[5].schema->fields[1].schema->logical_type, "timestamp-micros");
    os_arena a = OS_ARENA_INIT;
    const avro_value *v;
    assert_int_equal(avro_file_next(f, &a, &v, &err), 1);
    const avro_value *e = avro_record_field(v, 0);
    assert_int_equal(e->type, AVRO_ENUM);
    assert_int_equal(e->l, 1);
    assert_string_equal((const char *)e->bytes, "GREEN");
    const avro_value *arr = avro_record_field(v, 2);
    assert_int_equal(arr->n, 3);
    assert_int_equal(arr->items[1].l, -20);
    const avro_value *m = avro_record_field(v, 3);
    assert_int_equal(m->n, 2);
    assert_string_equal((const char *)m->keys[1].bytes, "k2");
    assert_int_equal(m->items[0].type, AVRO_NULL);
    assert_int_equal(m->items[0].branch, 0);
    assert_int_equal(m->items[1].type, AVRO_ENUM);
    assert_int_equal(m->items[1].branch, 1);
    const avro_value *u = avro_record_field(v, 4);
    assert_int_equal(u->type, AVRO_FIXED);
    assert_int_equal(u->branch, 3);
    assert_ptr_equal(u->schema, s->fields[1].schema);
    os_arena_free(&a);
    avro_file_close(f);
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_top_level_non_record_and_empty_record(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    put_long(&r, 1);
    put_long(&r, 42);
    one_block_file(&file, "[\"null\",\"int\"]", NULL, 1, &r);
    expect_json(&file, "42");
    os_buf_reset(&r);
    one_block_file(&file, "{\"type\":\"record\",\"name\":\"E\",\"fields\":[]}", NULL, 3, &r);
    os_err err;
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, NULL, &err), 3);
    expect_json(&file, "{}");
    /* a file without blocks */
    os_buf_reset(&file);
    put_header(&file, "\"string\"", "deflate");
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, NULL, &err), 0);
    /* an empty block, then a block */
    put_block(&file, "deflate", 0, &r);
    put_str(&r, "x");
    put_block(&file, "deflate", 1, &r);
    assert_int_equal(read_all((const uint8_t *)file.data, file.len, NULL, &err), 1);
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_negative_block_counts(void **state)
{
    (void)state;
    const char *schema = "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                         "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
                         "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"int\"}}]}";
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT, items = OS_BUF_INIT;
    /* array: -2 items in 6 bytes, then 1 item, then end */
    put_str(&items, "ab");
    put_str(&items, "cd");
    put_long(&r, -2);
    put_long(&r, (int64_t)items.len);
    os_buf_append(&r, items.data, items.len);
    put_long(&r, 1);
    put_str(&r, "e");
    put_long(&r, 0);
    /* map: -1 entry with its size */
    os_buf_reset(&items);
    put_str(&items, "k");
    put_long(&items, -7);
    put_long(&r, -1);
    put_long(&r, (int64_t)items.len);
    os_buf_append(&r, items.data, items.len);
    put_long(&r, 0);
    one_block_file(&file, schema, NULL, 1, &r);
    expect_json(&file, "{\"a\":[\"ab\",\"cd\",\"e\"],\"m\":{\"k\":-7}}");

    /* a block size that does not match what its items take */
    os_buf_reset(&r);
    put_long(&r, -1);
    put_long(&r, 5);
    put_str(&r, "ab");
    put_long(&r, 0);
    put_long(&r, 0);
    put_long(&r, 0);
    put_long(&r, 0);
    one_block_file(&file, schema, NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "declares 5 bytes but holds 3");
    /* the most negative count */
    os_buf_reset(&r);
    put_long(&r, INT64_MIN);
    put_long(&r, 0);
    one_block_file(&file, schema, NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "out of range");
    /* a negative byte size */
    os_buf_reset(&r);
    put_long(&r, -1);
    put_long(&r, -3);
    one_block_file(&file, schema, NULL, 1, &r);
    expect_error(&file, OS_ECORRUPT, "negative");
    os_buf_free(&items);
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_codecs(void **state)
{
    (void)state;
    static const char *codecs[] = {NULL, "null", "deflate", "snappy", "zstandard"};
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    for (size_t c = 0; c < sizeof codecs / sizeof *codecs; c++) {
        os_buf_reset(&file);
        put_header(&file, PRIMS, codecs[c]);
        long total = 0;
        for (int blk = 0; blk < 4; blk++) {
            os_buf_reset(&r);
            int n = blk == 2 ? 2000 : blk + 1;   /* one block large enough to grow the buffers */
            for (int i = 0; i < n; i++)
                put_prims(&r, i & 1, i, (int64_t)i * 1000003, (float)i, i / 3.0, "bytes", 5,
                          "some string that compresses");
            put_block(&file, codecs[c], n, &r);
            total += n;
        }
        os_err err = {0};
        long got = read_all((const uint8_t *)file.data, file.len, NULL, &err);
        if (got != total)
            fail_msg("codec %s: %ld records (%s)", codecs[c] ? codecs[c] : "(none)", got, err.msg);
        avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
        assert_non_null(f);
        size_t n;
        if (codecs[c])
            assert_string_equal(avro_file_meta(f, "avro.codec", &n), codecs[c]);
        avro_file_close(f);
    }
    /* a block's size limit applies after decompression too */
    os_buf_reset(&r);
    for (int i = 0; i < 20000; i++)
        put_prims(&r, 0, 0, 0, 0, 0, "", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    for (size_t c = 2; c < sizeof codecs / sizeof *codecs; c++) {
        one_block_file(&file, PRIMS, codecs[c], 20000, &r);
        avro_limits lim = {.max_block_bytes = 100000};
        os_err err = {0};
        assert_true(file.len < 100000);
        assert_int_equal(read_all((const uint8_t *)file.data, file.len, &lim, &err), -1);
        assert_int_equal(err.code, OS_ELIMIT);
        assert_non_null(strstr(err.msg, "max_block_bytes"));
        lim.max_block_bytes = r.len;   /* exactly enough */
        assert_int_equal(read_all((const uint8_t *)file.data, file.len, &lim, &err), 20000);
    }
    os_buf_free(&r);
    os_buf_free(&file);
}

static void test_metadata(void **state)
{
    (void)state;
    os_buf file = OS_BUF_INIT;
    os_buf_append(&file, "Obj\x01", 4);
    put_long(&file, -2);            /* a negative count with its byte size */
    put_long(&file, 1000);          /* (not checked against the entries) */
    put_str(&file, "avro.schema");
    put_str(&file, "\"long\"");
    put_str(&file, "format-version");
    put_str(&file, "2");
    put_long(&file, 1);
    put_str(&file, "bin");
    put_bytes(&file, "a\0b", 3);
    put_long(&file, 0);
    os_buf_append(&file, SYNC, 16);
    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    assert_non_null(f);
    size_t n = 99;
    assert_string_equal(avro_file_meta(f, "format-version", &n), "2");
    assert_int_equal(n, 1);
    assert_memory_equal(avro_file_meta(f, "bin", &n), "a\0b", 4);
    assert_int_equal(n, 3);
    assert_null(avro_file_meta(f, "nope", &n));
    assert_int_equal(avro_file_meta_count(f), 3);
    const char *k;
    assert_string_equal(avro_file_meta_at(f, 1, &k, &n), "2");
    assert_string_equal(k, "format-version");
    assert_null(avro_file_meta_at(f, 3, &k, &n));
    assert_int_equal(avro_file_schema(f)->type, AVRO_LONG);
    avro_file_close(f);

    /* a key twice */
    os_buf_reset(&file);
    os_buf_append(&file, "Obj\x01", 4);
    put_long(&file, 2);
    put_str(&file, "avro.schema");
    put_str(&file, "\"long\"");
    put_str(&file, "avro.schema");
    put_str(&file, "\"int\"");
    put_long(&file, 0);
    os_buf_append(&file, SYNC, 16);
    assert_null(avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err));
    assert_non_null(strstr(err.msg, "appears twice"));
    /* too many entries */
    os_buf_reset(&file);
    os_buf_append(&file, "Obj\x01", 4);
    put_long(&file, 2000);
    for (int i = 0; i < 2000; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        put_str(&file, key);
        put_str(&file, "");
    }
    put_long(&file, 0);
    os_buf_append(&file, SYNC, 16);
    assert_null(avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err));
    assert_int_equal(err.code, OS_ELIMIT);
    assert_non_null(strstr(err.msg, "more than 1024 metadata entries"));
    /* no schema */
    os_buf_reset(&file);
    os_buf_append(&file, "Obj\x01", 4);
    put_long(&file, 0);
    os_buf_append(&file, SYNC, 16);
    assert_null(avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err));
    assert_int_equal(err.code, OS_ECORRUPT);
    assert_non_null(strstr(err.msg, "t.avro: the header has no avro.schema"));
    /* unknown codec */
    os_buf_reset(&file);
    put_header(&file, "\"long\"", "bzip2");
    assert_null(avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err));
    assert_int_equal(err.code, OS_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "'bzip2' is not supported"));
    /* not Avro */
    assert_null(avro_file_open((const uint8_t *)"PAR1", 4, "t.avro", NULL, &err));
    assert_non_null(strstr(err.msg, "magic"));
    assert_null(avro_file_open(NULL, 0, "t.avro", NULL, &err));
    /* a schema over the limit */
    os_buf_reset(&file);
    put_header(&file, PRIMS, NULL);
    avro_limits lim = {.max_schema_bytes = 20};
    assert_null(avro_file_open((const uint8_t *)file.data, file.len, "t.avro", &lim, &err));
    assert_int_equal(err.code, OS_ELIMIT);
    os_buf_free(&file);
}

static void expect_schema_error(const char *schema, os_code code, const char *needle)
{
    os_buf file = OS_BUF_INIT;
    put_header(&file, schema, NULL);
    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    if (f) {
        avro_file_close(f);
        fail_msg("schema accepted: %s", schema);
    }
    if (err.code != code || strstr(err.msg, needle) == NULL)
        fail_msg("schema %s: error %s '%s', expected '%s'", schema, os_code_name(err.code), err.msg, needle);
    os_buf_free(&file);
}

static void test_schema_errors(void **state)
{
    (void)state;
    expect_schema_error("{", OS_ECORRUPT, "not JSON");
    expect_schema_error("\"nosuch\"", OS_ECORRUPT, "unknown type 'nosuch'");
    expect_schema_error("42", OS_ECORRUPT, "neither");
    expect_schema_error("[]", OS_ECORRUPT, "no branches");
    expect_schema_error("[\"int\",[\"null\",\"long\"]]", OS_ECORRUPT, "itself a union");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\"}", OS_ECORRUPT, "no \"fields\"");
    expect_schema_error("{\"type\":\"record\",\"fields\":[]}", OS_ECORRUPT, "\"name\" attribute is missing");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\"}]}", OS_ECORRUPT,
                        "has no type");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
                        "\"field-id\":\"x1\"}]}",
                        OS_ECORRUPT, "field-id");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
                        "\"field-id\":-4}]}",
                        OS_ECORRUPT, "field-id");
    expect_schema_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
                        "{\"type\":\"fixed\",\"name\":\"R\",\"size\":1}}]}",
                        OS_ECORRUPT, "defined twice");
    expect_schema_error("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[1]}", OS_ECORRUPT, "not a string");
    expect_schema_error("{\"type\":\"fixed\",\"name\":\"F\",\"size\":-1}", OS_ECORRUPT, "size");
    expect_schema_error("{\"type\":\"array\"}", OS_ECORRUPT, "no \"items\"");
    expect_schema_error("{\"type\":\"map\",\"values\":\"int\",\"key-id\":1.5}", OS_ECORRUPT, "key-id");
    /* a name in another namespace needs its full name */
    expect_schema_error("{\"type\":\"record\",\"name\":\"a.R\",\"fields\":["
                        "{\"name\":\"x\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"namespace\":\"b\",\"size\":1}},"
                        "{\"name\":\"y\",\"type\":\"c.F\"}]}",
                        OS_ECORRUPT, "unknown type 'c.F'");
    /* nesting past the limit */
    os_buf deep = OS_BUF_INIT;
    for (int i = 0; i < 100; i++)
        os_buf_puts(&deep, "{\"type\":\"array\",\"items\":");
    os_buf_puts(&deep, "\"int\"");
    for (int i = 0; i < 100; i++)
        os_buf_putc(&deep, '}');
    expect_schema_error(deep.data, OS_ELIMIT, "deeper than 64");
    os_buf_free(&deep);
}

static void test_namespaces(void **state)
{
    (void)state;
    /* A short name resolves in the enclosing namespace, a "namespace" attribute
     * changes it, a dotted name carries its own, and a name of the null namespace
     * is found from inside another one (as Java's parser does). */
    const char *schema =
        "{\"type\":\"record\",\"name\":\"Top\",\"namespace\":\"n1\",\"fields\":["
        " {\"name\":\"a\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"X\"]}},"
        " {\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"n2.Sub\",\"fields\":["
        "    {\"name\":\"c\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":1}},"
        "    {\"name\":\"d\",\"type\":\"F\"},"
        "    {\"name\":\"e\",\"type\":\"n1.E\"},"
        "    {\"name\":\"g\",\"type\":{\"type\":\"enum\",\"name\":\"G\",\"namespace\":\"\",\"symbols\":[\"Y\"]}}]}},"
        " {\"name\":\"h\",\"type\":\"E\"},"
        " {\"name\":\"i\",\"type\":\"n2.F\"},"
        " {\"name\":\"j\",\"type\":\"G\"},"
        " {\"name\":\"k\",\"type\":{\"type\":\"fixed\",\"name\":\"E\",\"namespace\":\"n3\",\"size\":2}}]}";
    os_buf file = OS_BUF_INIT;
    put_header(&file, schema, NULL);
    os_err err = {0};
    avro_file *f = avro_file_open((const uint8_t *)file.data, file.len, "t.avro", NULL, &err);
    if (f == NULL)
        fail_msg("%s", err.msg);
    const avro_schema *s = avro_file_schema(f);
    assert_string_equal(s->name, "n1.Top");
    assert_string_equal(s->fields[0].schema->name, "n1.E");
    const avro_schema *sub = s->fields[1].schema;
    assert_string_equal(sub->name, "n2.Sub");
    assert_string_equal(sub->fields[0].schema->name, "n2.F");
    assert_ptr_equal(sub->fields[1].schema, sub->fields[0].schema);
    assert_ptr_equal(sub->fields[2].schema, s->fields[0].schema);
    assert_string_equal(sub->fields[3].schema->name, "G");
    assert_ptr_equal(s->fields[2].schema, s->fields[0].schema);
    assert_ptr_equal(s->fields[3].schema, sub->fields[0].schema);
    assert_ptr_equal(s->fields[4].schema, sub->fields[3].schema);
    assert_string_equal(s->fields[5].schema->name, "n3.E");
    avro_file_close(f);
    os_buf_free(&file);
}

static void test_json_numbers(void **state)
{
    (void)state;
    os_buf r = OS_BUF_INIT, file = OS_BUF_INIT;
    const double ds[] = {0.1, 1e300, -0.0, 123456789012345678.0, 1.0 / 3, 2.5e-308};
    const char *want[] = {"0.1", "1e+300", "-0", "1.2345678901234568e+17", "0.3333333333333333", "2.5e-308"};
    for (size_t i = 0; i < sizeof ds / sizeof *ds; i++) {
        os_buf_reset(&r);
        put_double(&r, ds[i]);
        one_block_file(&file, "\"double\"", NULL, 1, &r);
        expect_json(&file, want[i]);
    }
    const float fs[] = {0.1f, 16777216.0f, 3.4028235e38f, 1e-45f};
    const char *fwant[] = {"0.1", "16777216", "3.4028235e+38", "1e-45"};
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++) {
        os_buf_reset(&r);
        put_float(&r, fs[i]);
        one_block_file(&file, "\"float\"", NULL, 1, &r);
        expect_json(&file, fwant[i]);
    }
    os_buf_free(&r);
    os_buf_free(&file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primitives),
        cmocka_unit_test(test_complex_types),
        cmocka_unit_test(test_top_level_non_record_and_empty_record),
        cmocka_unit_test(test_negative_block_counts),
        cmocka_unit_test(test_codecs),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_schema_errors),
        cmocka_unit_test(test_namespaces),
        cmocka_unit_test(test_json_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
