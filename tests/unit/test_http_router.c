/* test_http_router.c - route matching, captures, 404/405, trailing slashes and query decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/http_internal.h"

static int h_dummy(http_request *req, http_response *res, void *ctx)
{
    (void)req;
    (void)res;
    (void)ctx;
    return 0;
}

static const http_route api_routes[] = {
    {"GET", "/shares", h_dummy, "listShares", "List shares"},
    {"GET", "/shares/{share}", h_dummy, "getShare", "Get a share"},
    {"GET", "/shares/{share}/schemas/{schema}/tables", h_dummy, "listTables", "List tables"},
    {"POST", "/shares/{share}/schemas/{schema}/tables/{table}/query", h_dummy, "query", "Query"},
    {"GET", "/shares/{share}/schemas/{schema}/tables/{table}/version", h_dummy, "ver", "Version"},
    {"HEAD", "/shares/{share}/schemas/{schema}/tables/{table}/version", h_dummy, "verh", "Version"},
    {"GET", "/shares/all/literal", h_dummy, "literal", "Literal"},
};
static const http_route root_routes[] = {
    {"GET", "/healthz", h_dummy, "healthz", "Alive"},
    {"GET", "/", h_dummy, "root", "Root"},
    {"DELETE", "/shares", h_dummy, "rootDel", "Outside the prefix"},
};
static const http_mount mounts[] = {
    {"/opensharing", api_routes, sizeof api_routes / sizeof api_routes[0], (void *)1},
    {"", root_routes, sizeof root_routes / sizeof root_routes[0], (void *)2},
};
#define NM (sizeof mounts / sizeof mounts[0])

static const char *param(const http_match *m, const char *name)
{
    for (size_t i = 0; i < m->nparams; i++)
        if (strcmp(m->params[i].name, name) == 0)
            return m->params[i].value;
    return NULL;
}

static void test_literal_and_captures(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    http_match m;
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares", &a, &m), 200);
    assert_string_equal(m.route->operation_id, "listShares");
    assert_ptr_equal(m.mount->ctx, (void *)1);
    assert_int_equal(m.nparams, 0);

    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/s1/schemas/d%20b/tables",
                                       &a, &m), 200);
    assert_string_equal(m.route->operation_id, "listTables");
    assert_int_equal(m.nparams, 2);
    assert_string_equal(param(&m, "share"), "s1");
    assert_string_equal(param(&m, "schema"), "d b");

    assert_int_equal(http_router_match(mounts, NM, "POST",
                                       "/opensharing/shares/a+b/schemas/%C3%A9t%C3%A9/tables/t%2Bx/query",
                                       &a, &m), 200);
    assert_string_equal(param(&m, "share"), "a+b");
    assert_string_equal(param(&m, "schema"), "\xC3\xA9t\xC3\xA9");
    assert_string_equal(param(&m, "table"), "t+x");

    /* a literal route listed after a capture route still matches literally */
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/all/literal", &a, &m), 200);
    assert_string_equal(m.route->operation_id, "literal");

    assert_int_equal(http_router_match(mounts, NM, "GET", "/healthz", &a, &m), 200);
    assert_ptr_equal(m.mount->ctx, (void *)2);
    assert_int_equal(http_router_match(mounts, NM, "GET", "/", &a, &m), 200);
    assert_string_equal(m.route->operation_id, "root");
    os_arena_free(&a);
}

static void test_not_found_and_wrong_method(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    http_match m;
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/nope", &a, &m), 404);
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharingx/shares", &a, &m), 404);
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/s/extra/x", &a, &m), 404);
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares//schemas/x/tables", &a, &m), 404);
    assert_int_equal(http_router_match(mounts, NM, "GET", "", &a, &m), 404);
    assert_int_equal(http_router_match(mounts, NM, "GET", "*", &a, &m), 404);
    assert_int_equal(http_router_match(mounts, NM, "GET", "http://x/healthz", &a, &m), 404);

    assert_int_equal(http_router_match(mounts, NM, "DELETE", "/opensharing/shares/s1", &a, &m), 405);
    assert_string_equal(m.allow, "GET");
    assert_int_equal(http_router_match(mounts, NM, "PUT",
                                       "/opensharing/shares/s/schemas/d/tables/t/version", &a, &m), 405);
    assert_string_equal(m.allow, "GET, HEAD");
    /* HEAD is not implied by GET */
    assert_int_equal(http_router_match(mounts, NM, "HEAD", "/opensharing/shares", &a, &m), 405);
    assert_string_equal(m.allow, "GET");
    assert_int_equal(http_router_match(mounts, NM, "HEAD",
                                       "/opensharing/shares/s/schemas/d/tables/t/version", &a, &m), 200);
    assert_string_equal(m.route->operation_id, "verh");
    /* methods are case-sensitive */
    assert_int_equal(http_router_match(mounts, NM, "get", "/healthz", &a, &m), 405);
    os_arena_free(&a);
}

static void test_trailing_slash(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    http_match m;
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/", &a, &m), 200);
    assert_string_equal(m.route->operation_id, "listShares");
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/s1/", &a, &m), 200);
    assert_string_equal(param(&m, "share"), "s1");
    assert_int_equal(http_router_match(mounts, NM, "GET", "/healthz/", &a, &m), 200);
    /* the bare prefix is the mount's root, which has no route: falls through to "" mount */
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/", &a, &m), 404);
    os_arena_free(&a);
}

static void test_rejects_bad_captures(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    http_match m;
    /* an encoded '/' must not produce a capture containing '/' */
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/a%2Fb", &a, &m), 404);
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/a%2fb", &a, &m), 404);
    /* encoded NUL, malformed escapes */
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/a%00b", &a, &m), 404);
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/a%zz", &a, &m), 404);
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/a%2", &a, &m), 404);
    /* a raw '..' segment is just a name for the layer above to judge */
    assert_int_equal(http_router_match(mounts, NM, "GET", "/opensharing/shares/..", &a, &m), 200);
    assert_string_equal(param(&m, "share"), "..");
    os_arena_free(&a);
}

static void test_query(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    const char *q = "maxResults=10&pageToken=ab%2Bc%3D%3D&x=a+b&maxResults=20&flag&empty=&bad=%zz&k%20y=v";
    assert_string_equal(http_query_lookup(q, "maxResults", &a), "10");
    assert_string_equal(http_query_lookup(q, "pageToken", &a), "ab+c==");
    assert_string_equal(http_query_lookup(q, "x", &a), "a b");
    assert_string_equal(http_query_lookup(q, "flag", &a), "");
    assert_string_equal(http_query_lookup(q, "empty", &a), "");
    assert_null(http_query_lookup(q, "bad", &a));
    assert_string_equal(http_query_lookup(q, "k y", &a), "v");
    assert_null(http_query_lookup(q, "missing", &a));
    assert_null(http_query_lookup(NULL, "x", &a));
    assert_null(http_query_lookup("", "x", &a));
    assert_null(http_query_lookup("&&=&", "x", &a));
    assert_string_equal(http_query_lookup("a=1=2", "a", &a), "1=2");
    assert_null(http_query_lookup("a=%00", "a", &a));
    os_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_and_captures),
        cmocka_unit_test(test_not_found_and_wrong_method),
        cmocka_unit_test(test_trailing_slash),
        cmocka_unit_test(test_rejects_bad_captures),
        cmocka_unit_test(test_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
