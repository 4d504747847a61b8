/* test_activation.c - activation links: single use, expiry, hashed storage, token minted with the right lifetime, rotation grace and revocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/activation.h"
#include "auth/token.h"
#include "base/crypto.h"
#include "catalog/store.h"

typedef struct fixture {
    char dir[64];
    cat_store *st;
    int64_t rid;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/os_test_activation_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char path[128];
    snprintf(path, sizeof path, "%s/catalog.db", f->dir);
    os_err e;
    f->st = store_open(path, &e);
    assert_non_null(f->st);
    cat_tx *tx = store_tx_begin(f->st, &e);
    cat_recipient r = {0, "acme", NULL, NULL, NULL};
    assert_int_equal(store_recipient_put(tx, &r, 0, "test", &f->rid, &e), 0);
    assert_int_equal(store_tx_commit(tx, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void issue(fixture *f, int64_t now, int64_t ttl, char code[ACTIVATION_CODE_BUFLEN])
{
    os_err e;
    int64_t exp;
    cat_tx *tx = store_tx_begin(f->st, &e);
    assert_int_equal(activation_issue(tx, f->rid, now, ttl, "admin:test", code, &exp, &e), 0);
    assert_int_equal(exp, now + ttl);
    assert_int_equal(store_tx_commit(tx, &e), 0);
    assert_true(strncmp(code, "osact_", 6) == 0);
    assert_int_equal(strlen(code), 49);
}

static void test_single_use(void **state)
{
    fixture *f = *state;
    char code[ACTIVATION_CODE_BUFLEN], tok[AUTH_TOKEN_BUFLEN];
    int64_t now = 1700000000000LL, rid, exp;
    os_err e;
    issue(f, now, 60000, code);
    /* The code itself is not stored: only its hash would find the row. */
    assert_int_equal(activation_redeem(f->st, code, now + 1000, 0, tok, &rid, &exp, &e), 0);
    assert_int_equal(rid, f->rid);
    assert_int_equal(exp, 0);
    assert_true(strncmp(tok, "osr_", 4) == 0);
    cat_token t;
    char hash[65];
    auth_token_hash(tok, hash);
    assert_int_equal(store_token_find(f->st, hash, &t, &e), 0);
    assert_int_equal(t.recipient_id, f->rid);
    /* Second use refused. */
    char tok2[AUTH_TOKEN_BUFLEN];
    assert_int_equal(activation_redeem(f->st, code, now + 2000, 0, tok2, &rid, &exp, &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    assert_non_null(strstr(e.msg, "already been used"));
    /* Unknown, empty and absurd codes refused. */
    assert_int_equal(activation_redeem(f->st, "osact_nope", now, 0, tok2, &rid, &exp, &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    assert_int_equal(activation_redeem(f->st, "", now, 0, tok2, &rid, &exp, &e), -1);
    assert_int_equal(activation_redeem(f->st, NULL, now, 0, tok2, &rid, &exp, &e), -1);
}

static void test_expiry_and_lifetime(void **state)
{
    fixture *f = *state;
    char code[ACTIVATION_CODE_BUFLEN], tok[AUTH_TOKEN_BUFLEN];
    int64_t now = 1700000000000LL, rid, exp;
    os_err e;
    issue(f, now, 1000, code);
    assert_int_equal(activation_redeem(f->st, code, now + 1000, 0, tok, &rid, &exp, &e), -1);
    assert_non_null(strstr(e.msg, "expired"));
    /* Default lifetime applies when the recipient has none. */
    issue(f, now, 60000, code);
    assert_int_equal(activation_redeem(f->st, code, now, 5000, tok, &rid, &exp, &e), 0);
    assert_int_equal(exp, now + 5000);
    /* The recipient's own lifetime wins over the default. */
    cat_tx *tx = store_tx_begin(f->st, &e);
    assert_int_equal(store_tx_recipient_update(tx, f->rid, NULL, NULL, NULL, 7, "t", &e), 0);
    assert_int_equal(store_tx_commit(tx, &e), 0);
    issue(f, now, 60000, code);
    assert_int_equal(activation_redeem(f->st, code, now, 5000, tok, &rid, &exp, &e), 0);
    assert_int_equal(exp, now + 7000);
    json_t *p = activation_profile("http://h/p/", tok, exp);
    assert_int_equal(json_integer_value(json_object_get(p, "shareCredentialsVersion")), 1);
    assert_string_equal(json_string_value(json_object_get(p, "endpoint")), "http://h/p/");
    assert_string_equal(json_string_value(json_object_get(p, "bearerToken")), tok);
    assert_string_equal(json_string_value(json_object_get(p, "expirationTime")), "2023-11-14T22:13:27.000Z");
    json_decref(p);
    p = activation_profile("http://h/p/", tok, 0);
    assert_null(json_object_get(p, "expirationTime"));
    json_decref(p);
}

static int auth_at(fixture *f, const char *tok, int64_t now)
{
    char header[128];
    snprintf(header, sizeof header, "Bearer %s", tok);
    cat_token t;
    os_err e;
    return auth_recipient_authenticate(f->st, header, now, &t, &e);
}

static void test_rotation(void **state)
{
    fixture *f = *state;
    char code[ACTIVATION_CODE_BUFLEN], tok[AUTH_TOKEN_BUFLEN], tok2[AUTH_TOKEN_BUFLEN];
    char pending[ACTIVATION_CODE_BUFLEN];
    int64_t now = 1800000000000LL, rid, exp;
    os_err e;
    issue(f, now, 60000, code);
    assert_int_equal(activation_redeem(f->st, code, now, 0, tok, &rid, &exp, &e), 0);
    assert_int_equal(auth_at(f, tok, now + 1), 0);
    issue(f, now, 60000, pending);
    /* Rotate with a 5 s grace: the old token works until then, not after. */
    cat_tx *tx = store_tx_begin(f->st, &e);
    assert_int_equal(store_tx_tokens_supersede(tx, f->rid, now + 10, now + 5010, &e), 0);
    assert_int_equal(store_tx_commit(tx, &e), 0);
    issue(f, now + 10, 60000, code);
    assert_int_equal(auth_at(f, tok, now + 5009), 0);
    assert_int_equal(auth_at(f, tok, now + 5010), -1);
    /* A link issued before the rotation and never opened is dead. */
    assert_int_equal(activation_redeem(f->st, pending, now + 20, 0, tok2, &rid, &exp, &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    /* The new link works; rotating with no grace revokes at once. */
    assert_int_equal(activation_redeem(f->st, code, now + 20, 0, tok2, &rid, &exp, &e), 0);
    assert_int_equal(auth_at(f, tok2, now + 30), 0);
    tx = store_tx_begin(f->st, &e);
    assert_int_equal(store_tx_tokens_supersede(tx, f->rid, now + 40, now + 40, &e), 0);
    assert_int_equal(store_tx_commit(tx, &e), 0);
    assert_int_equal(auth_at(f, tok2, now + 40), -1);
    /* History keeps both rows, without hashes, newest first. */
    os_arena a = OS_ARENA_INIT;
    cat_page page;
    assert_int_equal(store_token_history(f->st, f->rid, &a, &page, &e), 0);
    assert_int_equal(page.count, 2);
    const cat_token_info *t0 = page.items[0];
    assert_int_equal(t0->revoked_ms, now + 40);
    assert_int_equal(t0->superseded_ms, now + 40);
    os_arena_free(&a);
}

static void test_recipient_delete_cascades(void **state)
{
    fixture *f = *state;
    char code[ACTIVATION_CODE_BUFLEN], tok[AUTH_TOKEN_BUFLEN];
    int64_t now = 1800000000000LL, rid, exp;
    os_err e;
    issue(f, now, 60000, code);
    assert_int_equal(activation_redeem(f->st, code, now, 0, tok, &rid, &exp, &e), 0);
    issue(f, now, 60000, code);
    cat_tx *tx = store_tx_begin(f->st, &e);
    assert_int_equal(store_recipient_delete(tx, "ACME", &e), 0);
    assert_int_equal(store_tx_commit(tx, &e), 0);
    assert_int_equal(auth_at(f, tok, now + 1), -1);
    char tok2[AUTH_TOKEN_BUFLEN];
    assert_int_equal(activation_redeem(f->st, code, now, 0, tok2, &rid, &exp, &e), -1);
    tx = store_tx_begin(f->st, &e);
    assert_int_equal(store_recipient_delete(tx, "acme", &e), -1);
    assert_int_equal(e.code, OS_ENOTFOUND);
    store_tx_rollback(tx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_single_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_and_lifetime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recipient_delete_cascades, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
