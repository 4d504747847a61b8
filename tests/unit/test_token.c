/* test_token.c - minting, hashing and authenticating recipient tokens against a real catalog. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/token.h"
#include "catalog/store.h"

typedef struct fixture {
    char dir[64];
    cat_store *st;
    char live[AUTH_TOKEN_BUFLEN], expired[AUTH_TOKEN_BUFLEN], revoked[AUTH_TOKEN_BUFLEN];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/os_test_token_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char path[128];
    snprintf(path, sizeof path, "%s/catalog.db", f->dir);
    os_err e;
    f->st = store_open(path, &e);
    assert_non_null(f->st);
    cat_tx *tx = store_tx_begin(f->st, &e);
    cat_recipient r = {0, "acme", NULL, NULL, NULL};
    int64_t rid;
    assert_int_equal(store_recipient_put(tx, &r, 0, "test", &rid, &e), 0);
    char h[65];
    assert_int_equal(auth_token_mint(f->live), 0);
    assert_int_equal(auth_token_mint(f->expired), 0);
    assert_int_equal(auth_token_mint(f->revoked), 0);
    auth_token_hash(f->live, h);
    assert_int_equal(store_token_add(tx, rid, h, 0, "a", &e), 0);
    auth_token_hash(f->expired, h);
    assert_int_equal(store_token_add(tx, rid, h, 1000, "b", &e), 0);
    auth_token_hash(f->revoked, h);
    assert_int_equal(store_token_add(tx, rid, h, 0, "c", &e), 0);
    assert_int_equal(store_token_revoke_source(tx, rid, "c", NULL, 500, &e), 0);
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

static void test_mint_is_random_and_hashed(void **state)
{
    (void)state;
    char a[AUTH_TOKEN_BUFLEN], b[AUTH_TOKEN_BUFLEN], ha[65], hb[65];
    assert_int_equal(auth_token_mint(a), 0);
    assert_int_equal(auth_token_mint(b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), 4 + 43);
    auth_token_hash(a, ha);
    auth_token_hash(b, hb);
    assert_int_equal(strlen(ha), 64);
    assert_string_not_equal(ha, hb);
    /* SHA-256("abc") */
    auth_token_hash("abc", ha);
    assert_string_equal(ha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_authenticate_matrix(void **state)
{
    fixture *f = *state;
    cat_token t;
    os_err e;
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Bearer %s", f->live);
    assert_int_equal(auth_recipient_authenticate(f->st, hdr, 2000, &t, &e), 0);
    assert_int_equal(t.recipient_id, 1);
    snprintf(hdr, sizeof hdr, "bearer   %s  ", f->live);
    assert_int_equal(auth_recipient_authenticate(f->st, hdr, 2000, &t, &e), 0);

    assert_int_equal(auth_recipient_authenticate(f->st, NULL, 2000, &t, &e), -1);
    assert_int_equal(e.code, OS_EAUTH);
    assert_non_null(strstr(e.msg, "missing"));
    assert_int_equal(auth_recipient_authenticate(f->st, "Basic abc", 2000, &t, &e), -1);
    assert_non_null(strstr(e.msg, "malformed"));
    assert_int_equal(auth_recipient_authenticate(f->st, "Bearer ", 2000, &t, &e), -1);
    assert_int_equal(e.code, OS_EAUTH);
    snprintf(hdr, sizeof hdr, "Bearer %sx", f->live);
    assert_int_equal(auth_recipient_authenticate(f->st, hdr, 2000, &t, &e), -1);
    assert_non_null(strstr(e.msg, "not valid"));
    assert_null(strstr(e.msg, f->live));
    snprintf(hdr, sizeof hdr, "Bearer %s", f->expired);
    assert_int_equal(auth_recipient_authenticate(f->st, hdr, 999, &t, &e), 0);
    assert_int_equal(auth_recipient_authenticate(f->st, hdr, 1000, &t, &e), -1);
    assert_non_null(strstr(e.msg, "expired"));
    snprintf(hdr, sizeof hdr, "Bearer %s", f->revoked);
    assert_int_equal(auth_recipient_authenticate(f->st, hdr, 499, &t, &e), 0);
    assert_int_equal(auth_recipient_authenticate(f->st, hdr, 2000, &t, &e), -1);
    assert_non_null(strstr(e.msg, "revoked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mint_is_random_and_hashed),
        cmocka_unit_test_setup_teardown(test_authenticate_matrix, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
