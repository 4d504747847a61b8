/* iceberg_int.h - what the Iceberg engine's files share with each other, and no one else. */
#ifndef OS_FORMATS_ICEBERG_INT_H
#define OS_FORMATS_ICEBERG_INT_H

#include <jansson.h>

#include "formats/iceberg/iceberg.h"

/* Parses a schema object (a struct type with schema-id) into out, strings in
 * a.  Returns 0 or -1 (OS_ECORRUPT, OS_EUNSUPPORTED, OS_ELIMIT, OS_ENOMEM). */
int ice_schema_parse(json_t *j, const char *where, os_arena *a, iceberg_schema *out, os_err *err);

/* Parses a partition spec's fields array into out.  Returns 0 or -1. */
int ice_spec_parse(json_t *fields, int32_t spec_id, const char *where, os_arena *a,
                   iceberg_spec *out, os_err *err);

/* Inflates gzip data (len bytes) into out (appended), refusing more than max
 * bytes.  Returns 0 or -1 (OS_ECORRUPT, OS_ELIMIT, OS_ENOMEM). */
int ice_gunzip(const void *data, size_t len, size_t max, os_buf *out, const char *where, os_err *err);

#endif
