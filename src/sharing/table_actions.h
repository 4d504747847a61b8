/* table_actions.h - one NDJSON line per Delta Sharing response action, in parquet or delta response format. */
#ifndef OS_SHARING_TABLE_ACTIONS_H
#define OS_SHARING_TABLE_ACTIONS_H

#include <stdint.h>

#include "base/buf.h"
#include "formats/delta/delta.h"
#include "sharing/capabilities.h"

/* Each appends one line (with '\n') to out and returns 0, or -1 when out of
 * memory.  `version` < 0 leaves the version field out. */
int ta_protocol(os_buf *out, resp_format fmt, const delta_protocol *p, int64_t version);
int ta_metadata(os_buf *out, resp_format fmt, const delta_metadata *m, int64_t version);

/* A file line.  `wrapper` is the parquet-format action name ("file", "add",
 * "remove", "cdf"); in delta format the file is wrapped as {"file": {...,
 * "deltaSingleAction": {"add"|"remove"|"cdc": ...}}}.  url replaces the path;
 * dv_url (may be NULL) replaces a deletion vector's path.  version/timestamp < 0
 * are omitted. */
typedef struct ta_file_line {
    const char *wrapper;
    const delta_file *f;
    const char *url;
    const char *dv_url;
    int64_t expires_ms;
    int64_t version;
    int64_t timestamp;
} ta_file_line;
int ta_file(os_buf *out, resp_format fmt, const ta_file_line *l);

/* The parquet-format file line in two parts, so the part that depends only
 * on the file can be rendered once and kept (snapshot images).  The body is
 * the fields between the url and the version: "id", "partitionValues",
 * "size" and (for an add) "stats", without braces.  The line then puts the
 * wrapper, the url, the body, version/timestamp (< 0: omitted) and the
 * expiry together; ta_file writes exactly the same bytes.  Each returns 0 or
 * -1 when out of memory. */
int ta_file_parquet_body(os_buf *out, const delta_file *f);
int ta_file_parquet_line(os_buf *out, const char *wrapper, const char *url, const char *body,
                         size_t body_len, int64_t version, int64_t timestamp, int64_t expires_ms);

/* {"endStreamAction": {...}}; NULL / < 0 fields are omitted. */
int ta_end_stream(os_buf *out, const char *next_page_token, const char *refresh_token,
                  int64_t min_url_expiration, const char *error_message);

/* The stable id of a file: 32 hex characters of SHA-256 over its path and
 * deletion vector identity.  id must hold 33 bytes. */
void ta_file_id(const delta_file *f, char id[33]);

#endif
