/* fuzz_iceberg_metadata.c - Iceberg table metadata JSON (plain or gzip) and what reads the parsed result. */
#include <stddef.h>
#include <stdint.h>

#include "formats/iceberg/iceberg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    os_arena a = OS_ARENA_INIT;
    iceberg_metadata m;
    os_err e;
    if (iceberg_metadata_parse((const char *)data, size, "fuzz.metadata.json", &a, &m, &e) == 0) {
        const iceberg_schema *s = iceberg_current_schema(&m);
        for (size_t i = 0; i < m.n_specs; i++)
            for (size_t k = 0; k < m.specs[i].n_fields; k++)
                iceberg_partition_type(&m.specs[i].fields[k], s);
        for (int32_t id = 0; id < 64; id++) {
            const char *path;
            iceberg_schema_find(s, id, &a, &path);
        }
        iceberg_property(&m, "comment");
    }
    os_arena_free(&a);
    return 0;
}
