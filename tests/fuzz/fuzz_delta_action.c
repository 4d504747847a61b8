/* fuzz_delta_action.c - the Delta commit-line parser (and what consumes its output) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "formats/delta/delta.h"

static const char *const types[] = {"string", "integer", "long", "date", "timestamp", "boolean",
                                    "double", "decimal(10,2)", "byte", "timestamp_ntz"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    size_t pos = 0;
    os_buf key = OS_BUF_INIT;
    while (pos <= size) {
        const char *nl = memchr(p + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (p + pos)) : size - pos;
        os_arena a = OS_ARENA_INIT;
        delta_action act;
        os_err e;
        if (delta_action_parse(p + pos, len, "fuzz", &a, &act, &e) == 0) {
            switch (act.kind) {
            case DELTA_ACT_ADD:
            case DELTA_ACT_REMOVE:
            case DELTA_ACT_CDC:
                delta_file_key(&act.u.file, &key, &e);
                for (size_t i = 0; i < act.u.file.partition_values.n; i++) {
                    delta_value v;
                    delta_partition_value_parse(types[i % 10], act.u.file.partition_values.items[i].value, &v, &e);
                }
                break;
            case DELTA_ACT_PROTOCOL:
                delta_protocol_check(&act.u.proto, &e);
                break;
            case DELTA_ACT_METADATA: {
                delta_colmap *cm = delta_colmap_build(&act.u.meta, &e);
                const char *phys, *type;
                bool part;
                if (cm && act.u.meta.n_partition_columns)
                    delta_colmap_lookup(cm, act.u.meta.partition_columns[0], &phys, &type, &part);
                delta_colmap_free(cm);
                break;
            }
            default:
                break;
            }
        }
        os_arena_free(&a);
        if (nl == NULL)
            break;
        pos += len + 1;
    }
    os_buf_free(&key);
    return 0;
}
