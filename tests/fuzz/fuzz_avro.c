/* fuzz_avro.c - libFuzzer harness: arbitrary bytes as an Avro container file, every record decoded and printed as JSON. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/avro/avro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;   /* keeps the reads of touch() */

/* Reads every byte a value points at, so a dangling or short pointer shows under ASan. */
static size_t touch(const avro_value *v, size_t depth)
{
    size_t sum = (size_t)v->type + (size_t)v->l + (v->b ? 1 : 0);
    if (v->bytes) {
        for (size_t i = 0; i <= v->len; i++)   /* the terminator too */
            sum += v->bytes[i];
    }
    if (v->type == AVRO_RECORD || v->type == AVRO_ARRAY || v->type == AVRO_MAP)
        for (size_t i = 0; i < v->n; i++) {
            sum += touch(&v->items[i], depth + 1);
            if (v->keys)
                sum += touch(&v->keys[i], depth + 1);
        }
    return sum;
}

/* Reads up to 5000 records with the odd fields of the top record (and every
 * field of the records it holds directly) skipped when skip is set; returns
 * the count, err has the error that stopped it (code OS_OK at the end). */
static int read_records(const uint8_t *data, size_t size, const avro_limits *lim, bool skip, os_err *err)
{
    os_err_clear(err);
    avro_file *f = avro_file_open(data, size, "fuzz.avro", lim, err);
    if (f == NULL)
        return -1;
    const avro_schema *top = avro_file_schema(f);
    for (size_t i = 0; skip && top->type == AVRO_RECORD && i < top->n_fields; i++) {
        if (i % 2 == 1)
            (void)avro_file_skip_field(f, top, (int)i);
        const avro_schema *fs = top->fields[i].schema;
        for (size_t k = 0; fs->type == AVRO_RECORD && k < fs->n_fields; k++)
            (void)avro_file_skip_field(f, fs, (int)k);
    }
    os_arena a = OS_ARENA_INIT;
    const avro_value *rec;
    int n = 0, rc = 0;
    while (n < 5000 && (rc = avro_file_next(f, &a, &rec, err)) == 1) {
        n++;
        os_arena_reset(&a);
    }
    if (rc == 0)
        os_err_clear(err);
    os_arena_free(&a);
    avro_file_close(f);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy: ASan sees any read past the end. */
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    if (size)
        memcpy(copy, data, size);
    avro_limits lim = {.max_block_bytes = 4u << 20, .max_record_bytes = 4u << 20, .max_schema_bytes = 1u << 20};
    os_err err;
    avro_file *f = avro_file_open(copy, size, "fuzz.avro", &lim, &err);
    if (f) {
        const avro_schema *s = avro_file_schema(f);
        int idx = avro_schema_field_index(s, "manifest_path");
        for (size_t i = 0; i < avro_file_meta_count(f); i++) {
            const char *k;
            size_t n;
            const char *v = avro_file_meta_at(f, i, &k, &n);
            if (v == NULL || k == NULL || v[n] != '\0')
                abort();
        }
        os_arena a = OS_ARENA_INIT;
        os_buf json = OS_BUF_INIT;
        const avro_value *rec;
        size_t sum = 0;
        int n = 0;
        while (n++ < 5000 && avro_file_next(f, &a, &rec, &err) == 1) {
            sum += touch(rec, 0);
            (void)avro_record_field(rec, idx);
            os_buf_reset(&json);
            if (avro_value_to_json(rec, &json, &err) != 0)
                break;
            os_arena_free(&a);
        }
        sink += sum;
        os_buf_free(&json);
        os_arena_free(&a);
        avro_file_close(f);
        /* Skipping fields changes what is kept, never what is read or refused. */
        os_err e1, e2;
        int n1 = read_records(copy, size, &lim, false, &e1), n2 = read_records(copy, size, &lim, true, &e2);
        if (n1 != n2 || e1.code != e2.code || strcmp(e1.msg, e2.msg) != 0)
            abort();
    }
    free(copy);
    return 0;
}
