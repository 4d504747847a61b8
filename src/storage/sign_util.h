/* sign_util.h - pieces shared by the URL signers and store clients: RFC 3986 percent-encoding, query pairs and the timestamp forms the clouds sign. */
#ifndef OS_STORAGE_SIGN_UTIL_H
#define OS_STORAGE_SIGN_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Appends s[0..n) to b percent-encoded the way SigV4, GCS V4 and
 * encodeURIComponent-plus-!'()* agree on: every byte except A-Z a-z 0-9 - _ . ~
 * becomes %XX (upper-case hex); '/' is kept when keep_slash is 1.  Bytes are
 * encoded as they are (UTF-8 stays UTF-8).  Returns 0 or -1 (out of memory). */
int sto_uri_encode(os_buf *b, const char *s, size_t n, int keep_slash);

/* Appends "name=value" to a query string or form body, value percent-encoded
 * as sto_uri_encode does ('/' too), preceded by '&' unless q is empty.  name
 * is copied as it is.  Returns 0 or -1 (out of memory; q may hold a partial
 * pair, so callers give up on it). */
int sto_query_add(os_buf *q, const char *name, const char *value);

/* Formats epoch seconds as SigV4/GCS stamps: date "YYYYMMDD" and
 * stamp "YYYYMMDDTHHMMSSZ".  Either output may be NULL. */
void sto_time_compact(int64_t epoch_s, char date[9], char stamp[17]);

/* Formats epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" (Azure SAS times). */
void sto_time_iso(int64_t epoch_s, char out[21]);

#endif
