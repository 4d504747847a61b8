/* test_storage_r2.c - recognising Cloudflare R2 locations and the account in their endpoint; inputs refused before any call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "storage/r2_temp.h"

static void test_is_r2(void **state)
{
    (void)state;
    assert_true(r2_location_is_r2("{\"provider\": \"r2\"}"));
    assert_true(r2_location_is_r2("{\"provider\": \"R2\", \"endpoint\": \"http://127.0.0.1:9000\"}"));
    assert_true(r2_location_is_r2("{\"endpoint\": \"https://abc123.r2.cloudflarestorage.com\"}"));
    assert_true(r2_location_is_r2("{\"endpoint\": \"https://abc123.eu.R2.CloudflareStorage.com:443/\"}"));
    assert_false(r2_location_is_r2(NULL));
    assert_false(r2_location_is_r2(""));
    assert_false(r2_location_is_r2("not json"));
    assert_false(r2_location_is_r2("[]"));
    assert_false(r2_location_is_r2("{\"provider\": \"s3\"}"));
    assert_false(r2_location_is_r2("{\"provider\": 2}"));
    assert_false(r2_location_is_r2("{\"endpoint\": \"https://r2.cloudflarestorage.com\"}"));
    assert_false(r2_location_is_r2("{\"endpoint\": \"https://x.r2.cloudflarestorage.com.evil.example\"}"));
    assert_false(r2_location_is_r2("{\"endpoint\": \"https://evil.example/x.r2.cloudflarestorage.com\"}"));
    assert_false(r2_location_is_r2("{\"endpoint\": \"https://minio.local:9000\"}"));
}

static void test_account_of_endpoint(void **state)
{
    (void)state;
    char out[65];
    assert_int_equal(r2_account_of_endpoint("https://abc123.r2.cloudflarestorage.com", out, sizeof out), 0);
    assert_string_equal(out, "abc123");
    assert_int_equal(r2_account_of_endpoint("https://abc123.eu.r2.cloudflarestorage.com/", out, sizeof out), 0);
    assert_string_equal(out, "abc123");
    assert_int_equal(r2_account_of_endpoint("https://u:p@acct.r2.cloudflarestorage.com:443", out, sizeof out), 0);
    assert_string_equal(out, "acct");
    assert_int_equal(r2_account_of_endpoint("https://r2.cloudflarestorage.com", out, sizeof out), -1);
    assert_int_equal(r2_account_of_endpoint("https://minio.local", out, sizeof out), -1);
    assert_int_equal(r2_account_of_endpoint("abc.r2.cloudflarestorage.com", out, sizeof out), -1);
    assert_int_equal(r2_account_of_endpoint(NULL, out, sizeof out), -1);
    char small[4];
    assert_int_equal(r2_account_of_endpoint("https://abcdef.r2.cloudflarestorage.com", small, sizeof small), -1);
}

/* Every bad input is refused with OS_EINVAL before anything is sent (the API
 * base points at a closed port: a call would be OS_EUPSTREAM instead). */
static void test_bad_inputs(void **state)
{
    (void)state;
    const r2_temp_request good = {"http://127.0.0.1:9/client/v4", "acct", "tk-secret-zz", "parent", "b", "p", 900};
    r2_temp_request bad[8];
    for (int i = 0; i < 8; i++)
        bad[i] = good;
    bad[0].api_base = "ftp://x";
    bad[1].account_id = "acct/../x";
    bad[2].account_id = "";
    bad[3].api_token = "";
    bad[4].parent_access_key_id = NULL;
    bad[5].bucket = "";
    bad[6].ttl_s = 0;
    bad[7].ttl_s = 604801;
    for (int i = 0; i < 8; i++) {
        r2_temp_result r;
        os_err e;
        assert_int_equal(r2_temp_credentials(&bad[i], &r, &e), -1);
        assert_int_equal(e.code, OS_EINVAL);
        assert_null(r.access_key_id);
        assert_null(strstr(e.msg, "tk-secret-zz"));
    }
    r2_temp_result r;
    os_err e;
    assert_int_equal(r2_temp_credentials(&good, &r, &e), -1);
    assert_int_equal(e.code, OS_EUPSTREAM);
    assert_non_null(strstr(e.msg, "cannot be reached"));
    r2_temp_result_free(&r);
    r2_temp_result_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_r2),
        cmocka_unit_test(test_account_of_endpoint),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
