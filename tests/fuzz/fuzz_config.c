/* fuzz_config.c - libFuzzer harness: the YAML config parser must answer any input with a value or an error. */
#include <stddef.h>
#include <stdint.h>

#include "catalog/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    os_arena a = OS_ARENA_INIT;
    os_config cfg;
    os_err err;
    (void)config_parse("fuzz.yaml", (const char *)data, size, &a, &cfg, &err);
    os_arena_free(&a);
    return 0;
}
