/* test_config.c - config parsing errors name file, line and column; applying is idempotent and all-or-nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog/config.h"
#include "catalog/store.h"

/* Parses text and returns the error message ("" when it parsed). */
static const char *parse_error(const char *text)
{
    static char msg[600];
    os_arena a = OS_ARENA_INIT;
    os_config cfg;
    os_err e;
    msg[0] = '\0';
    if (config_parse("conf.yaml", text, strlen(text), &a, &cfg, &e) != 0)
        snprintf(msg, sizeof msg, "%s", e.msg);
    os_arena_free(&a);
    return msg;
}

#define BASE "storage:\n  - name: local\n    uri: file:///srv/data\n"

static void test_errors_have_positions(void **state)
{
    (void)state;
    assert_string_equal(parse_error("shares: [\n"), "conf.yaml: 2:1: did not find expected node content");
    assert_string_equal(parse_error("bogus: 1\n"), "conf.yaml:1:1: unknown key 'bogus' in the config file");
    assert_string_equal(parse_error(BASE "shares:\n  - name: 'bad name'\n"),
                        "conf.yaml:5:5: share name 'bad name' must not contain a space");
    assert_string_equal(parse_error(BASE "shares:\n  - name: s\n    schemas:\n      - name: a.b\n"),
                        "conf.yaml:7:9: schema name 'a.b' must not contain '.'");
    assert_string_equal(
        parse_error(BASE "shares:\n  - name: s\n    schemas:\n      - name: x\n        tables:\n"
                         "          - name: t\n            location: file:///elsewhere/t\n"),
        "conf.yaml:10:23: table location 'file:///elsewhere/t' is not under any declared storage location");
    assert_string_equal(
        parse_error(BASE "shares:\n  - name: s\n    schemas:\n      - name: x\n        tables:\n"
                         "          - name: t\n            location: file:///srv/data/../etc\n"),
        "conf.yaml:10:23: table location: location 'file:///srv/data/../etc' must not contain '.' or '..' segments");
    assert_string_equal(parse_error(BASE "recipients:\n  - name: r\n    token: abcdef\n"),
                        "conf.yaml:6:12: a recipient token must not be written inline; use {env: VARIABLE} or {file: /path}");
    assert_string_equal(parse_error(BASE "shares:\n  - name: s\n  - name: S\n"),
                        "conf.yaml:6:5: share 'S' is declared twice");
    assert_string_equal(parse_error(BASE "grants:\n  - share: nope\n    recipients: []\n"),
                        "conf.yaml:5:12: grant names share 'nope', which is not declared");
    assert_string_equal(
        parse_error(BASE "shares:\n  - name: s\n    schemas:\n      - name: x\n        skills:\n"
                         "          - name: my-skill\n"
                         "            location: file:///srv/data/other-dir\n"),
        "conf.yaml:10:23: skill name 'my-skill' must equal the directory name of its location 'file:///srv/data/other-dir'");
    assert_string_equal(
        parse_error(BASE "shares:\n  - name: s\n    schemas:\n      - name: x\n        models:\n"
                         "          - name: m\n            aliases: {prod: 3}\n"),
        "conf.yaml:10:29: alias 'prod' points to version 3, which is not declared");
    assert_string_equal(parse_error("server:\n  log_format: xml\n"),
                        "conf.yaml:2:15: log_format must be 'json' or 'text'");
    assert_string_equal(parse_error("a: &x 1\n"), "conf.yaml: 1:4: anchors are not supported");
}

static void test_valid(void **state)
{
    (void)state;
    assert_string_equal(parse_error(""), "");
    assert_string_equal(
        parse_error(BASE "shares:\n  - name: s\n    properties: {a: b}\n    schemas:\n      - name: x\n"
                         "        tables: [{name: t, location: 'file:///srv/data/t', history_shared: true}]\n"
                         "        volumes: [{name: v, location: 'file:///srv/data/v'}]\n"
                         "        skills: [{name: sk, location: 'file:///srv/data/sk/'}]\n"
                         "        models:\n          - name: m\n            versions:\n"
                         "              - {version: 1, location: 'file:///srv/data/m/1'}\n"
                         "            aliases: {prod: 1}\n"
                         "recipients:\n  - {name: r, token: {env: TOK}}\n"
                         "grants:\n  - {share: s, recipients: [R]}\n"),
        "");
}

static int count_rows(cat_store *st, int64_t rid)
{
    os_arena a = OS_ARENA_INIT;
    cat_page p;
    os_err e;
    assert_int_equal(store_share_list(st, rid, NULL, 100, &a, &p, &e), 0);
    int n = p.count;
    os_arena_free(&a);
    return n;
}

static void test_apply_all_or_nothing(void **state)
{
    (void)state;
    char dir[] = "/tmp/os_test_cfg_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[128], data[128], yaml[2048];
    snprintf(db, sizeof db, "%s/catalog.db", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    assert_int_equal(mkdir(data, 0700), 0);
    char t1[160];
    snprintf(t1, sizeof t1, "%s/t1", data);
    assert_int_equal(mkdir(t1, 0700), 0);
    setenv("OS_TEST_TOKEN", "0123456789abcdef-token", 1);
    os_err e;
    cat_store *st = store_open(db, &e);
    assert_non_null(st);
    snprintf(yaml, sizeof yaml,
             "storage: [{name: l, uri: 'file://%s'}]\n"
             "shares:\n  - name: s1\n    schemas:\n      - name: x\n"
             "        tables: [{name: t, location: 'file://%s/t1'}]\n"
             "  - name: s2\n"
             "recipients: [{name: r, token: {env: OS_TEST_TOKEN}}]\n"
             "grants: [{share: s1, recipients: [r]}, {share: s2, recipients: [r]}]\n",
             data, data);
    for (int round = 0; round < 2; round++) {
        os_arena a = OS_ARENA_INIT;
        os_config cfg;
        assert_int_equal(config_parse("c.yaml", yaml, strlen(yaml), &a, &cfg, &e), 0);
        assert_int_equal(config_apply(&cfg, st, &e), 0);
        os_arena_free(&a);
        assert_int_equal(count_rows(st, 1), 2);   /* idempotent: same answer twice */
    }
    os_arena arena = OS_ARENA_INIT;
    cat_share *s1;
    assert_int_equal(store_share_get(st, 1, "S1", &arena, &s1, &e), 0);
    char uuid[64];
    snprintf(uuid, sizeof uuid, "%s", s1->uuid);
    os_arena_free(&arena);

    /* A config whose table escapes through a missing path fails in apply:
     * nothing changes, not even the shares it would have removed. */
    snprintf(yaml, sizeof yaml,
             "storage: [{name: l, uri: 'file://%s'}]\n"
             "shares:\n  - name: s1\n    schemas:\n      - name: x\n"
             "        tables: [{name: t, location: 'file://%s/missing'}]\n",
             data, data);
    os_arena a = OS_ARENA_INIT;
    os_config cfg;
    assert_int_equal(config_parse("c.yaml", yaml, strlen(yaml), &a, &cfg, &e), 0);
    assert_int_equal(config_apply(&cfg, st, &e), -1);
    assert_non_null(strstr(e.msg, "c.yaml:6:18"));
    os_arena_free(&a);
    assert_int_equal(count_rows(st, 1), 2);

    /* Dropping s2 from the config removes it; s1 keeps its id. */
    snprintf(yaml, sizeof yaml,
             "storage: [{name: l, uri: 'file://%s'}]\n"
             "shares: [{name: s1}]\n"
             "recipients: [{name: r, token: {env: OS_TEST_TOKEN}}]\n"
             "grants: [{share: s1, recipients: [r]}]\n",
             data);
    assert_int_equal(config_parse("c.yaml", yaml, strlen(yaml), &a, &cfg, &e), 0);
    assert_int_equal(config_apply(&cfg, st, &e), 0);
    os_arena_free(&a);
    assert_int_equal(count_rows(st, 1), 1);
    assert_int_equal(store_share_get(st, 1, "s1", &arena, &s1, &e), 0);
    assert_string_equal(s1->uuid, uuid);
    os_arena_free(&arena);

    /* A missing secret fails before anything is written. */
    unsetenv("OS_TEST_TOKEN");
    assert_int_equal(config_parse("c.yaml", yaml, strlen(yaml), &a, &cfg, &e), 0);
    assert_int_equal(config_apply(&cfg, st, &e), -1);
    assert_non_null(strstr(e.msg, "OS_TEST_TOKEN"));
    os_arena_free(&a);
    assert_int_equal(count_rows(st, 1), 1);
    store_close(st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_have_positions),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_apply_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
