/* demo.c - creates the sample data, its config and the demo recipient's profile file. */
#include "cli/demo.h"

#include "auth/activation.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/secret.h"
#include "auth/token.h"
#include "base/buf.h"
#include "base/timeutil.h"

/* Copies a directory tree (regular files and directories only). */
static int copy_tree(const char *src, const char *dst, os_err *err)
{
    if (mkdir(dst, 0755) != 0 && errno != EEXIST)
        return os_err_set(err, OS_EIO, "cannot create %s: %s", dst, strerror(errno));
    DIR *d = opendir(src);
    if (d == NULL)
        return os_err_set(err, OS_EIO, "cannot read sample directory %s: %s", src, strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char s[PATH_MAX], t[PATH_MAX];
        if (snprintf(s, sizeof s, "%s/%s", src, e->d_name) >= (int)sizeof s ||
            snprintf(t, sizeof t, "%s/%s", dst, e->d_name) >= (int)sizeof t) {
            rc = os_err_set(err, OS_ELIMIT, "sample path too long");
            break;
        }
        struct stat st;
        if (lstat(s, &st) != 0) {
            rc = os_err_set(err, OS_EIO, "cannot stat %s: %s", s, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = copy_tree(s, t, err);
        } else if (S_ISREG(st.st_mode)) {
            int in = open(s, O_RDONLY), out = -1;
            if (in >= 0)
                out = open(t, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            char buf[65536];
            ssize_t n = 0;
            while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
                if (write(out, buf, (size_t)n) != n) {
                    n = -1;
                    break;
                }
            if (in < 0 || out < 0 || n < 0)
                rc = os_err_set(err, OS_EIO, "cannot copy %s to %s: %s", s, t, strerror(errno));
            if (in >= 0)
                close(in);
            if (out >= 0)
                close(out);
        }
    }
    closedir(d);
    return rc;
}

/* Single-quoted YAML scalar: the only escape is '' for '. */
static void yaml_quote(os_buf *b, const char *s)
{
    os_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            os_buf_putc(b, '\'');
        os_buf_putc(b, *s);
    }
    os_buf_putc(b, '\'');
}

int demo_config_build(const char *data_dir, const char *sample_src, os_arena *a, os_config *cfg,
                      os_err *err)
{
    char root[PATH_MAX], sample[PATH_MAX + 16];
    if (realpath(data_dir, root) == NULL)
        return os_err_set(err, OS_EIO, "cannot resolve data directory %s: %s", data_dir,
                          strerror(errno));
    snprintf(sample, sizeof sample, "%s/sample", root);
    struct stat st;
    if (stat(sample, &st) != 0) {
        char tmp[PATH_MAX + 32];
        snprintf(tmp, sizeof tmp, "%s/sample.partial", root);
        if (copy_tree(sample_src, tmp, err) != 0)
            return os_err_wrap(err, "creating the sample data (set --sample-dir or OPENSHARING_SAMPLE_DIR)");
        /* Rename last so an interrupted copy is redone, never half-used. */
        if (rename(tmp, sample) != 0)
            return os_err_set(err, OS_EIO, "cannot move sample data into place: %s", strerror(errno));
    }
    os_buf y = OS_BUF_INIT;
    os_buf base = OS_BUF_INIT;
    os_buf_printf(&base, "file://%s", sample);
    const char *B = os_buf_cstr(&base);
    os_buf_puts(&y, "storage:\n  - name: sample\n    uri: ");
    yaml_quote(&y, B);
    os_buf_puts(&y,
                "\nshares:\n"
                "  - name: demo\n"
                "    display_name: Demo share\n"
                "    comment: A sample share with one asset of each type\n"
                "    properties: {purpose: demo}\n"
                "    schemas:\n"
                "      - name: default\n"
                "        tables:\n"
                "          - name: trips\n"
                "            history_shared: true\n"
                "            comment: Sample taxi trips (Delta)\n"
                "            location: ");
    yaml_quote(&y, os_arena_sprintf(a, "%s/tables/trips", B));
    os_buf_puts(&y,
                "\n        volumes:\n"
                "          - name: field-notes\n"
                "            comment: A directory of files\n"
                "            location: ");
    yaml_quote(&y, os_arena_sprintf(a, "%s/volumes/field-notes", B));
    os_buf_puts(&y,
                "\n        skills:\n"
                "          - name: csv-summary\n"
                "            location: ");
    yaml_quote(&y, os_arena_sprintf(a, "%s/skills/csv-summary", B));
    os_buf_puts(&y,
                "\n        models:\n"
                "          - name: churn-classifier\n"
                "            comment: Predicts customer churn\n"
                "            location: ");
    yaml_quote(&y, os_arena_sprintf(a, "%s/models/churn-classifier", B));
    os_buf_puts(&y, "\n            versions:\n");
    for (int v = 1; v <= 2; v++) {
        os_buf_printf(&y, "              - version: %d\n                status: READY\n"
                          "                run_id: run-%d\n                location: ", v, v);
        yaml_quote(&y, os_arena_sprintf(a, "%s/models/churn-classifier/%d", B, v));
        os_buf_puts(&y, "\n");
    }
    os_buf_puts(&y,
                "            aliases: {champion: 2, baseline: 1}\n"
                "recipients:\n"
                "  - name: demo\n"
                "    comment: The recipient of the demo profile\n"
                "grants:\n"
                "  - share: demo\n"
                "    recipients: [demo]\n");
    int rc = config_parse("(embedded default)", os_buf_cstr(&y), y.len, a, cfg, err);
    os_buf_free(&y);
    os_buf_free(&base);
    return rc;
}

/* Reads the token from an existing profile file, or NULL. */
static char *profile_token(const char *path)
{
    json_error_t jerr;
    json_t *o = json_load_file(path, 0, &jerr);
    const char *t = o ? json_string_value(json_object_get(o, "bearerToken")) : NULL;
    char *copy = t ? strdup(t) : NULL;
    json_decref(o);
    return copy;
}

static int write_profile(const char *path, const char *endpoint, const char *token, os_err *err)
{
    json_t *o = activation_profile(endpoint, token, 0);
    char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    json_decref(o);
    if (text == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    size_t n = strlen(text);
    int ok = fd >= 0 && write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
    if (fd >= 0)
        close(fd);
    memset(text, 0, n);
    free(text);
    if (!ok || rename(tmp, path) != 0)
        return os_err_set(err, OS_EIO, "cannot write profile %s: %s", path, strerror(errno));
    return 0;
}

int demo_profile_ensure(cat_store *st, const char *data_dir, const char *endpoint, char *path_out,
                        size_t path_len, os_err *err)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/profiles", data_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return os_err_set(err, OS_EIO, "cannot create %s: %s", dir, strerror(errno));
    snprintf(path_out, path_len, "%s/demo.share", dir);
    cat_tx *tx = store_tx_begin(st, err);
    if (tx == NULL)
        return -1;
    int64_t rid;
    if (store_tx_recipient_id(tx, "demo", &rid, err) != 0) {
        store_tx_rollback(tx);
        return -1;
    }
    char token[AUTH_TOKEN_BUFLEN];
    char hash[65];
    char *old = profile_token(path_out);
    int reuse = 0;
    if (old != NULL && strlen(old) < sizeof token) {
        cat_token t;
        auth_token_hash(old, hash);
        os_err ignore;
        /* The read runs on another connection: it sees committed rows only,
         * which is all a live token can be. */
        if (store_token_find(st, hash, &t, &ignore) == 0 && t.recipient_id == rid &&
            t.revoked_ms == 0 && (t.expires_ms == 0 || t.expires_ms > os_now_ms())) {
            snprintf(token, sizeof token, "%s", old);
            reuse = 1;
        }
    }
    free(old);
    if (!reuse) {
        if (auth_token_mint(token) != 0) {
            store_tx_rollback(tx);
            return os_err_set(err, OS_EINTERNAL, "random source failed");
        }
        auth_token_hash(token, hash);
        if (store_token_add(tx, rid, hash, 0, "demo", err) != 0 ||
            store_token_revoke_source(tx, rid, "demo", hash, os_now_ms(), err) != 0) {
            store_tx_rollback(tx);
            return -1;
        }
    }
    if (store_tx_commit(tx, err) != 0)
        return -1;
    int rc = write_profile(path_out, endpoint, token, err);
    memset(token, 0, sizeof token);
    return rc;
}

int demo_admin_token_ensure(const char *data_dir, char *path_out, size_t path_len, os_err *err)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/secrets", data_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return os_err_set(err, OS_EIO, "cannot create %s: %s", dir, strerror(errno));
    snprintf(path_out, path_len, "%s/admin.token", dir);
    struct stat st;
    if (stat(path_out, &st) == 0)
        return 0;
    char token[AUTH_SECRET_BUFLEN];
    /* The admin token says what it is for: its prefix marks it apart from recipient
     * tokens and activation codes. */
    if (auth_secret_mint(AUTH_PREFIX_ADMIN_TOKEN, token, sizeof token) != 0)
        return os_err_set(err, OS_EINTERNAL, "random source failed");
    int fd = open(path_out, O_WRONLY | O_CREAT | O_EXCL, 0600);
    size_t n = strlen(token);
    int ok = fd >= 0 && write(fd, token, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
    if (fd >= 0)
        close(fd);
    memset(token, 0, sizeof token);
    if (!ok)
        return os_err_set(err, OS_EIO, "cannot write %s: %s", path_out, strerror(errno));
    return 0;
}
