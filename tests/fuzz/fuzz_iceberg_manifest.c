/* fuzz_iceberg_manifest.c - Iceberg manifest lists and manifests (Avro) on arbitrary bytes, through a snapshot scan.
 *
 * The input is split in two: its first two bytes give the length of a manifest
 * list, the rest is a manifest.  A memory store answers every manifest-list key
 * with the first part and every other key with the second, under a fixed,
 * valid table metadata (partitioned by an identity and a day transform).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/iceberg/iceberg.h"

static const char METADATA[] =
    "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
    "\"location\":\"s3://b/t\",\"last-sequence-number\":1,\"last-updated-ms\":1,\"last-column-id\":3,"
    "\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"a\",\"required\":false,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"d\",\"required\":false,\"type\":\"timestamptz\"},"
    "{\"id\":3,\"name\":\"s\",\"required\":false,\"type\":\"decimal(9,2)\"}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":["
    "{\"name\":\"a\",\"transform\":\"identity\",\"source-id\":1,\"field-id\":1000},"
    "{\"name\":\"d_day\",\"transform\":\"day\",\"source-id\":2,\"field-id\":1001}]}],"
    "\"current-snapshot-id\":7,\"snapshots\":[{\"snapshot-id\":7,\"sequence-number\":1,"
    "\"timestamp-ms\":1,\"manifest-list\":\"s3://b/t/metadata/snap-7.avro\","
    "\"summary\":{\"operation\":\"append\"}}]}";

typedef struct mem {
    const uint8_t *list, *manifest;
    size_t list_len, manifest_len;
} mem;

static int m_read_all(void *ctx, const char *key, size_t max, os_buf *out, os_err *err)
{
    mem *m = ctx;
    const void *p = METADATA;
    size_t n = sizeof METADATA - 1;
    if (strstr(key, "snap-")) {
        p = m->list;
        n = m->list_len;
    } else if (!strstr(key, ".metadata.json")) {
        p = m->manifest;
        n = m->manifest_len;
    }
    if (n > max)
        return os_err_set(err, OS_ELIMIT, "too big");
    return os_buf_append(out, p, n) == 0 ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
}

static const objstore_vtbl MEM = {NULL, NULL, m_read_all, NULL, NULL};

static int on_entry(void *ctx, const iceberg_entry *e, os_err *err)
{
    (void)ctx;
    (void)err;
    os_buf b = OS_BUF_INIT;
    for (size_t i = 0; i < e->n_stats; i++) {
        static const iceberg_type types[] = {{.kind = ICE_LONG, .text = "long"},
                                             {.kind = ICE_TIMESTAMPTZ, .text = "timestamptz"},
                                             {.kind = ICE_DECIMAL, .text = "decimal(9,2)", .precision = 9, .scale = 2},
                                             {.kind = ICE_STRING, .text = "string"},
                                             {.kind = ICE_UUID, .text = "uuid"}};
        const iceberg_type *t = &types[(size_t)e->stats[i].field_id % 5];
        iceberg_value v;
        os_err ignore;
        if (e->stats[i].has_lower &&
            iceberg_value_from_binary(t, e->stats[i].lower, e->stats[i].lower_len, &v, &ignore) == 0)
            iceberg_value_to_text(t, &v, true, &b);
        if (e->stats[i].has_upper &&
            iceberg_value_from_binary(t, e->stats[i].upper, e->stats[i].upper_len, &v, &ignore) == 0)
            iceberg_value_to_text(t, &v, false, &b);
    }
    os_buf_free(&b);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t l = (size_t)data[0] << 8 | data[1];
    if (l > size - 2)
        l = size - 2;
    mem m = {data + 2, data + 2 + l, l, size - 2 - l};
    objstore st = {&MEM, &m};
    iceberg_table t;
    os_err e;
    if (iceberg_table_open(&t, &st, "", "metadata/v1.metadata.json", NULL, &e) != 0)
        return 0;
    iceberg_scan_opts so = {true, true, false};
    iceberg_scan(&t, iceberg_snapshot_current(&t), &so, on_entry, NULL, &e);
    /* Delete files alone: data manifests are read lean, then in full if needed. */
    iceberg_scan_opts deletes = {true, false, false};
    iceberg_scan(&t, iceberg_snapshot_current(&t), &deletes, on_entry, NULL, &e);
    iceberg_table_close(&t);
    return 0;
}
