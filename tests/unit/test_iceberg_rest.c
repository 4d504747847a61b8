/* test_iceberg_rest.c - the Iceberg REST catalog's pure checks: one-level namespaces and reportMetrics bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sharing/iceberg_rest.h"

#define SCAN "{\"report-type\":\"scan-report\",\"table-name\":\"s.t\",\"snapshot-id\":%s,\"metrics\":{}%s}"

static void test_namespace_valid(void **state)
{
    (void)state;
    assert_true(iceberg_rest_namespace_valid("sales"));
    assert_true(iceberg_rest_namespace_valid(".."));    /* a name like any other: no path here */
    assert_true(iceberg_rest_namespace_valid("a.b"));   /* '.' is not the separator */
    assert_false(iceberg_rest_namespace_valid(""));
    assert_false(iceberg_rest_namespace_valid(NULL));
    assert_false(iceberg_rest_namespace_valid("a\x1f" "b"));
    assert_false(iceberg_rest_namespace_valid("\x1f"));
}

static int parse(const char *body, int64_t *sid, os_err *e)
{
    return iceberg_rest_metrics_parse(body, body ? strlen(body) : 0, sid, e);
}

static void refused(const char *body, const char *words)
{
    int64_t sid = 7;
    os_err e;
    if (parse(body, &sid, &e) == 0)
        fail_msg("accepted: %s", body ? body : "(null)");
    assert_int_equal(e.code, OS_EINVAL);
    assert_int_equal(sid, -1);
    if (strstr(e.msg, words) == NULL)
        fail_msg("'%s' does not say '%s'", e.msg, words);
}

static void test_metrics_accepted(void **state)
{
    (void)state;
    char body[256];
    int64_t sid;
    os_err e;
    snprintf(body, sizeof body, SCAN, "9223372036854775807", ",\"filter\":true,\"projected-field-ids\":[1]");
    assert_int_equal(parse(body, &sid, &e), 0);
    assert_int_equal(sid, INT64_MAX);
    snprintf(body, sizeof body, SCAN, "42", "");
    assert_int_equal(parse(body, &sid, &e), 0);
    assert_int_equal(sid, 42);
    /* Only len bytes are read: what follows is not part of the body. */
    char tail[300];
    snprintf(tail, sizeof tail, "%s garbage", body);
    assert_int_equal(iceberg_rest_metrics_parse(tail, strlen(body), &sid, &e), 0);
}

static void test_metrics_refused(void **state)
{
    (void)state;
    char body[256];
    refused(NULL, "JSON object");
    refused("", "JSON object");
    refused("[]", "JSON object");
    refused("{\"report-type\":", "JSON object");
    refused("{}", "report-type");
    snprintf(body, sizeof body, SCAN, "1", ",\"report-type\":\"scan-report\"");
    refused(body, "JSON object");   /* duplicate keys */
    refused("{\"report-type\":\"x\",\"table-name\":\"t\",\"snapshot-id\":1,\"metrics\":{}}", "report-type");
    refused("{\"report-type\":\"scan-report\",\"snapshot-id\":1,\"metrics\":{}}", "table-name");
    snprintf(body, sizeof body, SCAN, "\"1\"", "");
    refused(body, "snapshot-id");
    snprintf(body, sizeof body, SCAN, "1.5", "");
    refused(body, "snapshot-id");
    snprintf(body, sizeof body, SCAN, "99999999999999999999", "");
    refused(body, "JSON object");   /* beyond 64 bits */
    refused("{\"report-type\":\"scan-report\",\"table-name\":\"t\",\"snapshot-id\":1,\"metrics\":[]}", "metrics");
    refused("{\"report-type\":\"commit-report\",\"table-name\":\"t\",\"snapshot-id\":1,\"metrics\":{}}",
            "read-only");
    char nul[] = "{\"report-type\":\"scan-report\"\0,\"table-name\":\"t\",\"snapshot-id\":1,\"metrics\":{}}";
    int64_t sid;
    os_err e;
    assert_int_equal(iceberg_rest_metrics_parse(nul, sizeof nul - 1, &sid, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_namespace_valid),
        cmocka_unit_test(test_metrics_accepted),
        cmocka_unit_test(test_metrics_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
