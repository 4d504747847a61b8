/* test_storage_policy.c - the scopes of vended credentials: S3 session policies and GCS access boundaries, including awkward prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "storage/gcs_token.h"
#include "storage/s3_sts.h"

static void test_s3_policy(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    os_err e;
    assert_int_equal(s3_sts_policy("bkt", "a/b", &b, &e), 0);
    assert_string_equal(b.data,
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":[\"arn:aws:s3:::bkt/a/b/*\"]},"
        "{\"Effect\":\"Allow\",\"Action\":[\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::bkt\"],"
        "\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"a/b/\",\"a/b/*\"]}}}]}");
    os_buf_reset(&b);
    /* whole bucket: no condition */
    assert_int_equal(s3_sts_policy("bkt", "", &b, &e), 0);
    assert_null(strstr(b.data, "Condition"));
    assert_non_null(strstr(b.data, "arn:aws:s3:::bkt/*"));
    os_buf_reset(&b);
    /* JSON-significant characters stay inside their strings */
    assert_int_equal(s3_sts_policy("bkt", "we\"ird\\p", &b, &e), 0);
    json_error_t je;
    json_t *doc = json_loads(b.data, 0, &je);
    assert_non_null(doc);
    json_t *res = json_array_get(json_object_get(json_array_get(json_object_get(doc, "Statement"), 0),
                                                 "Resource"), 0);
    assert_string_equal(json_string_value(res), "arn:aws:s3:::bkt/we\"ird\\p/*");
    json_decref(doc);
    os_buf_free(&b);
}

static void test_gcs_boundary(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    os_err e;
    assert_int_equal(gcs_downscope_options("bkt", "it's\\x", &b, &e), 0);
    json_error_t je;
    json_t *doc = json_loads(b.data, 0, &je);
    assert_non_null(doc);
    json_t *rule = json_array_get(json_object_get(json_object_get(doc, "accessBoundary"),
                                                  "accessBoundaryRules"), 0);
    const char *expr = json_string_value(
        json_object_get(json_object_get(rule, "availabilityCondition"), "expression"));
    assert_string_equal(expr,
        "resource.name.startsWith('projects/_/buckets/bkt/objects/it\\'s\\\\x/') || "
        "api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('it\\'s\\\\x/')");
    assert_string_equal(json_string_value(json_object_get(rule, "availableResource")),
                        "//storage.googleapis.com/projects/_/buckets/bkt");
    json_decref(doc);
    os_buf_reset(&b);
    assert_int_equal(gcs_downscope_options("bkt", "", &b, &e), 0);
    assert_null(strstr(b.data, "availabilityCondition"));
    os_buf_free(&b);
}

static void test_sts_input_checks(void **state)
{
    (void)state;
    s3_creds c = {"AK", "SK", NULL};
    s3_sts_result r;
    os_err e;
    s3_sts_request rq = {"http://127.0.0.1:1", NULL, &c, "arn:aws:iam::1:role/r", "s", "bkt", "p",
                         600};
    assert_int_equal(s3_sts_assume_role(&rq, &r, &e), -1);
    assert_int_equal(e.code, OS_EINVAL);
    rq.duration_s = 900;
    rq.endpoint = "ftp://x";
    assert_int_equal(s3_sts_assume_role(&rq, &r, &e), -1);
    assert_int_equal(e.code, OS_EINVAL);
    rq.endpoint = "http://127.0.0.1:1";   /* nothing listens: a transport error, no secret in it */
    assert_int_equal(s3_sts_assume_role(&rq, &r, &e), -1);
    assert_int_equal(e.code, OS_EIO);
    assert_null(strstr(e.msg, "SK"));
    s3_sts_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s3_policy),
        cmocka_unit_test(test_gcs_boundary),
        cmocka_unit_test(test_sts_input_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
