/* fuzz_avro.c - libFuzzer harness: arbitrary bytes as an Avro container file, every record decoded and printed as JSON. */
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
    }
    free(copy);
    return 0;
}
