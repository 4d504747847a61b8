/* test_ip_list.c - CIDR parsing (v4, v6, edge prefixes, malformed input) and matching, including IPv4-mapped clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "auth/admin.h"
#include "auth/ip_list.h"

static void canon(const char *in, const char *want)
{
    ip_cidr c;
    os_err e;
    if (ip_cidr_parse(in, &c, &e) != 0)
        fail_msg("'%s' refused: %s", in, e.msg);
    char out[64];
    ip_cidr_format(&c, out);
    assert_string_equal(out, want);
}

static void refused(const char *in)
{
    ip_cidr c;
    os_err e;
    if (ip_cidr_parse(in, &c, &e) == 0)
        fail_msg("'%s' was accepted", in);
    assert_int_equal(e.code, OS_EINVAL);
    assert_true(strlen(e.msg) > 0);
}

static void test_parse_valid(void **state)
{
    (void)state;
    canon("10.0.0.0/8", "10.0.0.0/8");
    canon("0.0.0.0/0", "0.0.0.0/0");
    canon("192.168.1.7/32", "192.168.1.7/32");
    canon("192.168.1.7", "192.168.1.7/32");
    canon("172.16.0.0/12", "172.16.0.0/12");
    canon("::/0", "::/0");
    canon("::1", "::1/128");
    canon("2001:DB8::/32", "2001:db8::/32");
    canon("2001:db8:0:0:0:0:0:1/128", "2001:db8::1/128");
    canon("fe80::/10", "fe80::/10");
}

static void test_parse_malformed(void **state)
{
    (void)state;
    const char *bad[] = {"", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "/8", "10.0.0/8",
                         "10.0.0.0.0/8", "256.0.0.0/8", "10.0.0.0/8/8", "10.0.0.0/+8",
                         "10.0.0.0/ 8", "010.0.0.0/8", "::/129", "2001:db8::g/32", "1.2.3.4/0x8",
                         "10.1.0.0/8", "2001:db8::1/32", "not an ip", "10.0.0.0/0008",
                         "0123456789012345678901234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(bad[i]);
    ip_cidr c;
    os_err e;
    assert_int_equal(ip_cidr_parse(NULL, &c, &e), -1);
    /* Host bits set: the message suggests the network. */
    assert_int_equal(ip_cidr_parse("10.1.2.3/8", &c, &e), -1);
    assert_non_null(strstr(e.msg, "10.0.0.0/8"));
}

static int allows(const char *json, const char *ip)
{
    os_arena a = OS_ARENA_INIT;
    ip_list l;
    os_err e;
    if (ip_list_parse_json(json, &a, &l, &e) != 0)
        fail_msg("list %s refused: %s", json, e.msg);
    int r = ip_list_allows(&l, ip);
    os_arena_free(&a);
    return r;
}

static void test_match(void **state)
{
    (void)state;
    assert_true(allows("[\"10.0.0.0/8\"]", "10.255.1.2"));
    assert_false(allows("[\"10.0.0.0/8\"]", "11.0.0.1"));
    assert_false(allows("[\"10.0.0.0/8\"]", "127.0.0.1"));
    assert_true(allows("[\"0.0.0.0/0\"]", "203.0.113.9"));
    assert_false(allows("[\"0.0.0.0/0\"]", "2001:db8::1"));
    assert_true(allows("[\"::/0\"]", "2001:db8::1"));
    assert_true(allows("[\"192.168.1.7/32\"]", "192.168.1.7"));
    assert_false(allows("[\"192.168.1.7/32\"]", "192.168.1.8"));
    assert_true(allows("[\"172.16.0.0/12\"]", "172.31.255.255"));
    assert_false(allows("[\"172.16.0.0/12\"]", "172.32.0.0"));
    assert_true(allows("[\"2001:db8::/32\"]", "2001:db8:ffff::1"));
    assert_false(allows("[\"2001:db8::/32\"]", "2001:db9::1"));
    assert_true(allows("[\"::1/128\"]", "::1"));
    assert_false(allows("[\"::1/128\"]", "::2"));
    /* IPv4-mapped IPv6 clients match IPv4 ranges. */
    assert_true(allows("[\"127.0.0.0/8\"]", "::ffff:127.0.0.1"));
    assert_false(allows("[\"10.0.0.0/8\"]", "::ffff:127.0.0.1"));
    /* Several ranges; garbage client addresses never match. */
    assert_true(allows("[\"10.0.0.0/8\", \"127.0.0.1\"]", "127.0.0.1"));
    assert_false(allows("[\"0.0.0.0/0\"]", "garbage"));
    assert_false(allows("[\"0.0.0.0/0\"]", ""));
    assert_false(allows("[]", "127.0.0.1"));
}

static void test_list_json(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    ip_list l;
    os_err e;
    assert_int_equal(ip_list_parse_json(NULL, &a, &l, &e), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(ip_list_parse_json("{\"a\":1}", &a, &l, &e), -1);
    assert_int_equal(ip_list_parse_json("[1]", &a, &l, &e), -1);
    assert_int_equal(ip_list_parse_json("[\"10.0.0.0/40\"]", &a, &l, &e), -1);
    assert_int_equal(ip_list_parse_json("[\"10.0.0.0/8\"", &a, &l, &e), -1);
    os_arena_free(&a);
}

static void test_loopback(void **state)
{
    (void)state;
    assert_true(admin_client_is_loopback("127.0.0.1"));
    assert_true(admin_client_is_loopback("127.9.9.9"));
    assert_true(admin_client_is_loopback("::1"));
    assert_true(admin_client_is_loopback("::ffff:127.0.0.1"));
    assert_false(admin_client_is_loopback("10.0.0.1"));
    assert_false(admin_client_is_loopback("::2"));
    assert_false(admin_client_is_loopback(""));
    assert_false(admin_client_is_loopback(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_list_json),
        cmocka_unit_test(test_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
