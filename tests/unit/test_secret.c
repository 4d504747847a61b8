/* test_secret.c - every kind of secret the server mints carries its own prefix (recipient token, admin token, activation code, server key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/activation.h"
#include "auth/secret.h"
#include "auth/server_key.h"
#include "auth/token.h"
#include "catalog/store.h"
#include "cli/demo.h"

/* The documented prefixes (docs/admin.md), written out here so that a change of the
 * constants that makes two kinds alike, or differ from the docs, fails. */
static const char *const KINDS[][2] = {
    {"recipient token", "osr_"},
    {"admin token", "osadm_"},
    {"activation code", "osact_"},
    {"server key", "osk_"},
};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

/* The index of the one kind whose prefix starts s; fails when none or several do. */
static size_t kind_of(const char *s)
{
    size_t found = NKINDS, hits = 0;
    for (size_t k = 0; k < NKINDS; k++)
        if (strncmp(s, KINDS[k][1], strlen(KINDS[k][1])) == 0) {
            found = k;
            hits++;
        }
    if (hits != 1)
        fail_msg("'%.12s...' matches %zu prefixes", s, hits);
    return found;
}

static void assert_b64url_tail(const char *s, size_t len)
{
    assert_int_equal(strlen(s), len);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        assert_true((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_');
    }
}

static void test_prefixes_distinct(void **state)
{
    (void)state;
    assert_string_equal(AUTH_PREFIX_RECIPIENT_TOKEN, KINDS[0][1]);
    assert_string_equal(AUTH_PREFIX_ADMIN_TOKEN, KINDS[1][1]);
    assert_string_equal(AUTH_PREFIX_ACTIVATION_CODE, KINDS[2][1]);
    assert_string_equal(AUTH_PREFIX_SERVER_KEY, KINDS[3][1]);
    for (size_t k = 0; k < NKINDS; k++)
        assert_int_equal(kind_of(KINDS[k][1]), k);   /* none is a prefix of another */
}

static void test_mint(void **state)
{
    (void)state;
    char a[AUTH_SECRET_BUFLEN], b[AUTH_SECRET_BUFLEN];
    assert_int_equal(auth_secret_mint("pfx_", a, sizeof a), 0);
    assert_int_equal(auth_secret_mint("pfx_", b, sizeof b), 0);
    assert_true(strncmp(a, "pfx_", 4) == 0);
    assert_b64url_tail(a + 4, 43);   /* 256 bits */
    assert_string_not_equal(a, b);
    /* Too small a buffer is refused, never overrun. */
    char small[40];
    memset(small, 'x', sizeof small);
    assert_int_equal(auth_secret_mint("pfx_", small, sizeof small), -1);
    assert_string_equal(small, "");
}

static void rm_rf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_each_kind_minted_with_its_prefix(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/os_test_secret_XXXXXX");
    assert_non_null(mkdtemp(dir));
    int seen[NKINDS] = {0};
    os_err e;

    /* recipient bearer token */
    char tok[AUTH_TOKEN_BUFLEN];
    assert_int_equal(auth_token_mint(tok), 0);
    assert_int_equal(kind_of(tok), 0);
    assert_b64url_tail(tok + 4, 43);
    seen[kind_of(tok)]++;

    /* admin token of the embedded default, as written to secrets/admin.token */
    char path[256];
    assert_int_equal(demo_admin_token_ensure(dir, path, sizeof path, &e), 0);
    char *adm = slurp(path);
    assert_int_equal(kind_of(adm), 1);
    assert_int_equal(adm[strlen(adm) - 1], '\n');
    adm[strlen(adm) - 1] = '\0';
    assert_b64url_tail(adm + 6, 43);
    seen[kind_of(adm)]++;

    /* activation code, and it still redeems (its hash is what is stored) */
    char db[128];
    snprintf(db, sizeof db, "%s/catalog.db", dir);
    cat_store *st = store_open(db, &e);
    assert_non_null(st);
    cat_tx *tx = store_tx_begin(st, &e);
    assert_non_null(tx);
    cat_recipient r = {0, "acme", NULL, NULL, NULL};
    int64_t rid, exp;
    assert_int_equal(store_recipient_put(tx, &r, 0, "test", &rid, &e), 0);
    char code[ACTIVATION_CODE_BUFLEN];
    assert_int_equal(activation_issue(tx, rid, 1000, 60000, "admin:test", code, &exp, &e), 0);
    assert_int_equal(store_tx_commit(tx, &e), 0);
    assert_int_equal(kind_of(code), 2);
    assert_b64url_tail(code + 6, 43);
    seen[kind_of(code)]++;
    int64_t got_rid;
    assert_int_equal(activation_redeem(st, code, 2000, 0, tok, &got_rid, &exp, &e), 0);
    assert_int_equal(got_rid, rid);
    assert_int_equal(kind_of(tok), 0);
    store_close(st);

    /* server key: the file starts with its prefix, and the key is the hex after it */
    uint8_t key[SERVER_KEY_LEN], again[SERVER_KEY_LEN];
    assert_int_equal(server_key_load(dir, key, &e), 0);
    snprintf(path, sizeof path, "%s/secrets/server.key", dir);
    char *line = slurp(path);
    assert_int_equal(kind_of(line), 3);
    assert_int_equal(strlen(line), 4 + 2 * SERVER_KEY_LEN + 1);
    for (int i = 0; i < SERVER_KEY_LEN; i++) {
        unsigned v;
        assert_int_equal(sscanf(line + 4 + 2 * i, "%2x", &v), 1);
        assert_int_equal(key[i], v);
    }
    seen[kind_of(line)]++;
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(server_key_load(dir, again, &e), 0);
    assert_memory_equal(key, again, SERVER_KEY_LEN);
    /* a key file written without the prefix reads as the same key */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(line + 4, f);
    fclose(f);
    assert_int_equal(server_key_load(dir, again, &e), 0);
    assert_memory_equal(key, again, SERVER_KEY_LEN);
    /* a damaged one is refused with a message that says what to do */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("osk_zz", f);
    fclose(f);
    assert_int_equal(server_key_load(dir, again, &e), -1);
    assert_int_equal(e.code, OS_ECORRUPT);
    assert_non_null(strstr(e.msg, "delete it"));

    for (size_t k = 0; k < NKINDS; k++)
        assert_int_equal(seen[k], 1);
    rm_rf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefixes_distinct),
        cmocka_unit_test(test_mint),
        cmocka_unit_test(test_each_kind_minted_with_its_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
