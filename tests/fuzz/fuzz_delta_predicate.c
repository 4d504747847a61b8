/* fuzz_delta_predicate.c - JSON predicate parsing and evaluation over fuzzed stats and partition values.
 * Input: PREDICATE [\0 STATS [\0 PARTITION_VALUE]]. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/delta/delta.h"

static const char *SCHEMA =
    "{\"type\":\"struct\",\"fields\":["
    "{\"name\":\"a\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}},"
    "{\"name\":\"b\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
    "{\"name\":\"d\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}},"
    "{\"name\":\"t\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},"
    "{\"name\":\"x\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},"
    "{\"name\":\"s\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"n\",\"type\":\"long\","
    "\"nullable\":true,\"metadata\":{}}]},\"nullable\":true,\"metadata\":{}},"
    "{\"name\":\"p\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 2);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    copy[size + 1] = '\0';
    size_t plen = strlen(copy);
    const char *stats = plen < size ? copy + plen + 1 : NULL;
    const char *pval = stats ? stats + strlen(stats) + 1 : NULL;
    if (pval && pval > copy + size)
        pval = NULL;
    os_err e;
    delta_predicate *p = delta_predicate_parse(copy, plen, &e);
    if (p != NULL) {
        const char *pcols[] = {"p"};
        delta_metadata m = {.id = "f", .schema_string = SCHEMA, .partition_columns = pcols,
                            .n_partition_columns = 1};
        delta_colmap *cm = delta_colmap_build(&m, &e);
        delta_kv pv[] = {{"p", pval}, {"b", pval}};
        delta_file f = {.kind = DELTA_FILE_ADD, .path = "f", .partition_values = {pv, 2}, .stats = stats};
        delta_tristate r1 = delta_predicate_eval(p, cm, &f);
        delta_tristate r2 = delta_predicate_eval(p, NULL, &f);
        (void)r1;
        (void)r2;
        delta_colmap_free(cm);
        delta_predicate_free(p);
    }
    free(copy);
    return 0;
}
