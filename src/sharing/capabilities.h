/* capabilities.h - the delta-sharing-capabilities request header and the response format it selects. */
#ifndef OS_SHARING_CAPABILITIES_H
#define OS_SHARING_CAPABILITIES_H

#include "base/err.h"

typedef enum { RESP_PARQUET = 1, RESP_DELTA = 2 } resp_format;

#define CAPS_MAX_FEATURES 32

typedef struct caps {
    int want_parquet;            /* responseformat lists parquet (or nothing was asked) */
    int want_delta;              /* responseformat lists delta */
    int format_given;            /* responseformat was present */
    const char *reader_features[CAPS_MAX_FEATURES];   /* lower-case, into the parse buffer */
    int n_reader_features;
    int include_end_stream;      /* includeendstreamaction=true */
    char buf[1024];              /* owns the strings above */
} caps;

/* Parses the header value (NULL means absent: parquet format, no features).
 * Keys and values are case-insensitive; unknown keys are ignored.  Returns 0,
 * or -1 with OS_EINVAL for an unknown response format or a header too long. */
int caps_parse(const char *header, caps *out, os_err *err);
/* 1 when `feature` (any case) is among the reader features. */
int caps_has_feature(const caps *c, const char *feature);

#endif
