/* s3_sts.h - prefix-scoped, read-only temporary S3 credentials through STS AssumeRole with an inline session policy.
 *
 * Works with AWS STS and the STS of S3-compatible stores (MinIO, Ceph RGW),
 * which take the same form-encoded AssumeRole call.  Caller: url_signer's dir
 * credentials (temporary-*-credentials endpoints). */
#ifndef OS_STORAGE_S3_STS_H
#define OS_STORAGE_S3_STS_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "storage/s3_sign.h"

typedef struct s3_sts_request {
    const char *endpoint;       /* "https://sts.amazonaws.com", "https://sts.REGION.amazonaws.com",
                                   or an S3-compatible store's endpoint */
    const char *region;         /* signing region; NULL: "us-east-1" */
    const s3_creds *creds;      /* the provider's credentials (never returned) */
    const char *role_arn;
    const char *session_name;   /* sanitised to [A-Za-z0-9+=,.@_-], 2..64 characters */
    const char *bucket;
    const char *prefix;         /* "" (whole bucket) or "a/b" (no leading/trailing '/') */
    int duration_s;             /* 900..43200 (the role's maximum applies on the server) */
} s3_sts_request;

/* The temporary credentials; strings are heap copies freed by s3_sts_result_free. */
typedef struct s3_sts_result {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;
    int64_t expiration_ms;
} s3_sts_result;

/* Appends the session policy: s3:GetObject on bucket/prefix/... and
 * s3:ListBucket on the bucket under an s3:prefix condition ("prefix/" and
 * "prefix/..."), nothing else.  Returns 0 or -1 (OS_ENOMEM). */
int s3_sts_policy(const char *bucket, const char *prefix, os_buf *out, os_err *err);

/* Calls AssumeRole (SigV4-signed POST, service "sts").  Returns 0 with *out
 * filled, or -1: OS_EPERM when STS refuses (its error code is named, never
 * the request's credentials), OS_EIO for transport or malformed answers,
 * OS_EINVAL for bad inputs, OS_ENOMEM. */
int s3_sts_assume_role(const s3_sts_request *rq, s3_sts_result *out, os_err *err);

/* Frees and wipes the result's strings (NULL-safe). */
void s3_sts_result_free(s3_sts_result *r);

#endif
