/* test_storage_sign.c - signing pieces against published vectors: SigV4 keys and presigned URLs, URI encoding, time stamps, S3 addressing, Azure string-to-sign. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/crypto.h"
#include "storage/azure_sas.h"
#include "storage/s3_sign.h"
#include "storage/sign_util.h"

static void test_uri_encode(void **state)
{
    (void)state;
    os_buf b = OS_BUF_INIT;
    const char *in = "a b/c=d%+\xc3\xa9~-_.!*'()";
    assert_int_equal(sto_uri_encode(&b, in, strlen(in), 1), 0);
    assert_string_equal(b.data, "a%20b/c%3Dd%25%2B%C3%A9~-_.%21%2A%27%28%29");
    os_buf_reset(&b);
    assert_int_equal(sto_uri_encode(&b, "x/y", 3, 0), 0);
    assert_string_equal(b.data, "x%2Fy");
    os_buf_reset(&b);
    assert_int_equal(sto_uri_encode(&b, "\x00\x7f\xff", 3, 0), 0);
    assert_string_equal(b.data, "%00%7F%FF");
    os_buf_free(&b);
}

static void test_time_stamps(void **state)
{
    (void)state;
    char d[9], s[17], iso[21];
    sto_time_compact(0, d, s);
    assert_string_equal(d, "19700101");
    assert_string_equal(s, "19700101T000000Z");
    sto_time_compact(951782399, d, s); /* 2000-02-28T23:59:59Z */
    assert_string_equal(s, "20000228T235959Z");
    sto_time_compact(951782400, d, s);
    assert_string_equal(s, "20000229T000000Z");
    sto_time_iso(1700000000, iso);
    assert_string_equal(iso, "2023-11-14T22:13:20Z");
}

/* AWS General Reference, "Examples of how to derive a signing key". */
static void test_signing_key_vector(void **state)
{
    (void)state;
    uint8_t k[32];
    char hex[65];
    s3_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam", k);
    os_hex_encode(k, 32, hex);
    assert_string_equal(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

/* Amazon S3 API Reference, "Authenticating Requests: Using Query Parameters":
 * GET examplebucket/test.txt, 2013-05-24, 86400 s. */
static void test_presign_aws_doc_vector(void **state)
{
    (void)state;
    s3_target t = {"https://s3.amazonaws.com", "us-east-1", 0, "examplebucket"};
    s3_creds c = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL};
    os_buf u = OS_BUF_INIT;
    os_err e;
    assert_int_equal(s3_presign_get(&t, &c, "test.txt", 1369353600, 86400, S3_PRESIGN_MINIMAL, &u,
                                    &e), 0);
    assert_string_equal(u.data,
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        "&X-Amz-SignedHeaders=host");
    os_buf_free(&u);
}

static void test_presign_refusals(void **state)
{
    (void)state;
    s3_target t = {NULL, NULL, 0, "b"};
    s3_creds c = {"AK", "SECRETVALUE", NULL};
    os_buf u = OS_BUF_INIT;
    os_err e;
    assert_int_equal(s3_presign_get(&t, &c, "k", 0, 0, 0, &u, &e), -1);
    assert_int_equal(e.code, OS_EINVAL);
    assert_int_equal(s3_presign_get(&t, &c, "k", 0, S3_PRESIGN_MAX_EXPIRES + 1, 0, &u, &e), -1);
    assert_int_equal(s3_presign_get(&t, &c, "", 0, 60, 0, &u, &e), -1);
    s3_target bad = {"ftp://x", NULL, 0, "b"};
    assert_int_equal(s3_presign_get(&bad, &c, "k", 0, 60, 0, &u, &e), -1);
    assert_null(strstr(e.msg, "SECRETVALUE"));
    s3_target slash = {NULL, NULL, 0, "a/b"};
    assert_int_equal(s3_presign_get(&slash, &c, "k", 0, 60, 0, &u, &e), -1);
    os_buf_free(&u);
}

static void resolve(const char *ep, int ps, const char *bucket, const char *key, const char *want_origin,
                    const char *want_host, const char *want_path)
{
    s3_target t = {ep, "eu-west-1", ps, bucket};
    os_buf o = OS_BUF_INIT, h = OS_BUF_INIT, p = OS_BUF_INIT;
    os_err e;
    assert_int_equal(s3_target_resolve(&t, key, &o, &h, &p, &e), 0);
    assert_string_equal(o.data, want_origin);
    assert_string_equal(h.data, want_host);
    assert_string_equal(p.data, want_path);
    os_buf_free(&o);
    os_buf_free(&h);
    os_buf_free(&p);
}

static void test_addressing(void **state)
{
    (void)state;
    resolve(NULL, 0, "bkt", "a b", "https://bkt.s3.eu-west-1.amazonaws.com",
            "bkt.s3.eu-west-1.amazonaws.com", "/a%20b");
    resolve(NULL, 1, "bkt", "k", "https://s3.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com",
            "/bkt/k");
    resolve(NULL, 0, "dotted.bucket", "k", "https://s3.eu-west-1.amazonaws.com",
            "s3.eu-west-1.amazonaws.com", "/dotted.bucket/k");
    resolve("http://127.0.0.1:9000", 0, "bkt", "k", "http://127.0.0.1:9000", "127.0.0.1:9000",
            "/bkt/k");
    resolve("http://[::1]:9000/", 0, "bkt", "k", "http://[::1]:9000", "[::1]:9000", "/bkt/k");
    resolve("http://minio:80/base", 0, "bkt", "x/y", "http://bkt.minio", "bkt.minio", "/base/x/y");
    resolve("https://r2.example:443", 1, "Bkt_1", NULL, "https://r2.example", "r2.example",
            "/Bkt_1/");
}

static void test_azure_string_to_sign(void **state)
{
    (void)state;
    azure_sas_in in = {.account = "acct", .account_key = "a2V5", .container = "c",
                       .path = "d/f.parquet", .scope = AZURE_SAS_BLOB, .permissions = "r",
                       .start_s = 0, .expiry_s = 1700000000, .allow_http = 0, .version = NULL};
    os_buf b = OS_BUF_INIT;
    os_err e;
    assert_int_equal(azure_sas_string_to_sign(&in, &b, &e), 0);
    assert_string_equal(b.data, "r\n\n2023-11-14T22:13:20Z\n/blob/acct/c/d/f.parquet\n\n\nhttps\n"
                                "2022-11-02\nb\n\n\n\n\n\n\n");
    os_buf_reset(&b);
    in.scope = AZURE_SAS_DIRECTORY;
    in.path = "d";
    in.permissions = "rl";
    in.allow_http = 1;
    in.start_s = 1699990000;
    assert_int_equal(azure_sas_string_to_sign(&in, &b, &e), 0);
    assert_string_equal(b.data, "rl\n2023-11-14T19:26:40Z\n2023-11-14T22:13:20Z\n/blob/acct/c/d\n\n\n"
                                "https,http\n2022-11-02\nd\n\n\n\n\n\n\n");
    os_buf_reset(&b);
    assert_int_equal(azure_sas_make(&in, &b, &e), 0);
    assert_non_null(strstr(b.data, "&sr=d&sp=rl&sig="));
    assert_non_null(strstr(b.data, "&sdd=1"));
    os_buf_reset(&b);
    in.version = "2019-12-12";
    assert_int_equal(azure_sas_make(&in, &b, &e), -1);
    in.version = NULL;
    in.account_key = "***";
    assert_int_equal(azure_sas_make(&in, &b, &e), -1);
    assert_null(strstr(e.msg, "***"));
    os_buf_free(&b);
}

static void endpoint_is(const char *authority, const char *want)
{
    os_buf b = OS_BUF_INIT;
    os_err e;
    assert_int_equal(azure_blob_endpoint_of(authority, &b, &e), 0);
    assert_string_equal(b.data, want);
    os_buf_free(&b);
}

static void test_azure_endpoints(void **state)
{
    (void)state;
    endpoint_is("c@acct.dfs.core.windows.net", "https://acct.blob.core.windows.net");
    endpoint_is("c@acct.blob.core.windows.net", "https://acct.blob.core.windows.net");
    endpoint_is("c@acct.dfs.core.usgovcloudapi.net", "https://acct.blob.core.usgovcloudapi.net");
    endpoint_is("c@acct", "https://acct.blob.core.windows.net");
    os_buf b = OS_BUF_INIT;
    os_err e;
    assert_int_equal(azure_blob_endpoint_of("c@", &b, &e), -1);
    assert_int_equal(azure_blob_endpoint_of("c@a/b", &b, &e), -1);
    os_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri_encode),
        cmocka_unit_test(test_time_stamps),
        cmocka_unit_test(test_signing_key_vector),
        cmocka_unit_test(test_presign_aws_doc_vector),
        cmocka_unit_test(test_presign_refusals),
        cmocka_unit_test(test_addressing),
        cmocka_unit_test(test_azure_string_to_sign),
        cmocka_unit_test(test_azure_endpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
