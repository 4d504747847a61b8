/* fuzz_dataset_footer.c - libFuzzer harness: arbitrary bytes as a Parquet footer, through the dataset path (Delta schema, stats, schema merge). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dataset/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* "PAR1" + footer + u32 length + "PAR1": the footer is the only variable part. */
    uint8_t *file = malloc(size + 12);
    if (file == NULL)
        return 0;
    memcpy(file, "PAR1", 4);
    if (size)
        memcpy(file + 4, data, size);
    uint32_t len = (uint32_t)size;
    memcpy(file + 4 + size, &len, 4);
    memcpy(file + 8 + size, "PAR1", 4);
    ds_footer_facts facts;
    os_err err;
    if (ds_footer_read_mem(file, size + 12, "x=1/fuzz.parquet", &facts, &err) == 0) {
        /* What the server stores must read back: the schema as JSON that merges with itself,
         * the stats as JSON. */
        json_error_t je;
        json_t *a = json_loads(facts.schema_json, 0, &je);
        json_t *b = json_loads(facts.schema_json, 0, &je);
        /* (unsigned 64-bit and decimal bounds may pass a 64-bit integer: read them as reals) */
        json_t *st = json_loads(facts.stats_json, JSON_DECODE_INT_AS_REAL, &je);
        if (a == NULL || b == NULL || st == NULL) {
            fprintf(stderr, "not JSON: %s\n%s\n", facts.schema_json, facts.stats_json);
            abort();
        }
        if (ds_schema_merge(a, b, "a", "b", &err) != 0) {
            fprintf(stderr, "a schema does not merge with itself: %s\n%s\n", err.msg, facts.schema_json);
            abort();
        }
        ds_part_col pc = {"x", "integer"};
        bool ntz;
        char *s = ds_schema_string(a, &pc, 1, &ntz, &err);
        if (s == NULL)
            abort();
        free(s);
        json_decref(a);
        json_decref(b);
        json_decref(st);
        ds_footer_facts_free(&facts);
    }
    free(file);
    return 0;
}
