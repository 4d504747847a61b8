/* s3_sign.h - where an S3 (or S3-compatible) object lives, and SigV4 query-string presigning of GET URLs.
 *
 * Pure functions: the signing time is an input, so results can be compared
 * byte for byte with the AWS SDK's presigner.  Callers: the sharing service
 * (file URLs in query responses and volume listings) and the S3 object store. */
#ifndef OS_STORAGE_S3_SIGN_H
#define OS_STORAGE_S3_SIGN_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* A bucket and how to reach it. */
typedef struct s3_target {
    const char *endpoint;   /* "http(s)://host[:port][/base]" (MinIO, Ceph, R2, s3rver...),
                               or NULL for AWS: https://s3.{region}.amazonaws.com */
    const char *region;     /* NULL or "": "us-east-1" */
    int path_style;         /* 1: {endpoint}/{bucket}/{key}; 0: {bucket}.{host}/{key} when the
                               bucket is DNS-compatible and the host is not an IP address */
    const char *bucket;
} s3_target;

/* Credentials; session_token may be NULL.  Never logged, never in errors. */
typedef struct s3_creds {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;
} s3_creds;

/* Longest SigV4 presigned URL lifetime S3 accepts (7 days). */
#define S3_PRESIGN_MAX_EXPIRES 604800

/* Flags for s3_presign_get. */
#define S3_PRESIGN_MINIMAL 1  /* only the query parameters SigV4 needs (the AWS documentation
                                 form); default adds X-Amz-Content-Sha256=UNSIGNED-PAYLOAD
                                 and x-id=GetObject exactly as the AWS JS SDK v3 does */

/* Resolves the URL pieces for `key` (NULL or "": the bucket itself): appends
 * "scheme://host[:port]" to origin, the Host header value to host, and the
 * percent-encoded absolute path to path (any may be NULL).  Returns 0, or -1
 * with OS_EINVAL for a malformed endpoint or bucket, OS_ENOMEM. */
int s3_target_resolve(const s3_target *t, const char *key, os_buf *origin, os_buf *host,
                      os_buf *path, os_err *err);

/* Appends to url a presigned GET URL for bucket/key, signed at now_s (epoch
 * seconds) and valid for expires_s seconds (1..S3_PRESIGN_MAX_EXPIRES).  The
 * session token, when present, travels as X-Amz-Security-Token.  Returns 0, or
 * -1 with OS_EINVAL (bad expiry, endpoint, missing credentials), OS_ENOMEM. */
int s3_presign_get(const s3_target *t, const s3_creds *c, const char *key, int64_t now_s,
                   int64_t expires_s, int flags, os_buf *url, os_err *err);

/* The SigV4 signing key for (secret, date "YYYYMMDD", region, service) into
 * out[32] (exposed for tests against published vectors). */
void s3_signing_key(const char *secret, const char *date, const char *region,
                    const char *service, uint8_t out[32]);

#endif
