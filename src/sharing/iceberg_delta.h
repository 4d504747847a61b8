/* iceberg_delta.h - Iceberg types, partition values and column bounds written the way Delta writes them (schemaString, partitionValues, stats).
 *
 * Pure mapping, no I/O: table_source_iceberg.c uses it to present an Iceberg
 * snapshot as a Delta one. */
#ifndef OS_SHARING_ICEBERG_DELTA_H
#define OS_SHARING_ICEBERG_DELTA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "formats/iceberg/iceberg.h"

/* The Delta type (a new JSON value the caller owns, NULL when out of memory)
 * of an Iceberg type.  cm: carry field ids as column-mapping metadata; *ntz
 * is set when a timestamp without time zone appears. */
json_t *ice_delta_type(const iceberg_type *t, bool cm, bool *ntz);
/* Appends Delta's partition value text for v (not null) to out.
 * Returns 0, or -1 when the type has no partition text or out of memory. */
int ice_delta_partition_text(const iceberg_type *t, const iceberg_value *v, os_buf *out);
/* The stats of field id in a data file's entry, or NULL.  *hint: where to
 * look first, then just past the one found (callers walk columns in schema
 * order, so the usual lookup is one comparison). */
const iceberg_col_stats *ice_delta_stats_of(const iceberg_entry *e, int32_t id, size_t *hint);
/* Appends the JSON value of one bound (min, or max when is_max) decoded from
 * its Iceberg binary form b[0..n); tmp is scratch.  Returns 1 when written,
 * 0 when the type has no Delta statistic or the bound does not decode. */
int ice_delta_bound_json(const iceberg_type *t, const uint8_t *b, size_t n, bool is_max, os_buf *out,
                         os_buf *tmp);

#endif
