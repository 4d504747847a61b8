/* test_delta_image.c - snapshot images: files round-trip field by field, and a damaged image (any byte flipped, any
 * length cut) is refused as corrupt without ever handing on a file that differs from what was written; the cache index
 * keeps its bounds and never opens a dropped image. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/buf.h"
#include "formats/delta/delta.h"
#include "sharing/snap_cache.h"

/* A file rendered as text, field by field, to compare what comes back. */
static void describe(const delta_file *f, os_buf *out)
{
    os_buf_printf(out, "k%d p=%s", (int)f->kind, f->path ? f->path : "(null)");
    for (size_t i = 0; i < f->partition_values.n; i++)
        os_buf_printf(out, " pv[%s]=%s", f->partition_values.items[i].key,
                      f->partition_values.items[i].value ? f->partition_values.items[i].value : "(null)");
    for (size_t i = 0; i < f->tags.n; i++)
        os_buf_printf(out, " tag[%s]=%s", f->tags.items[i].key,
                      f->tags.items[i].value ? f->tags.items[i].value : "(null)");
    os_buf_printf(out, " size=%d:%lld mt=%d:%lld dc=%d stats=%s", f->has_size, (long long)f->size,
                  f->has_modification_time, (long long)f->modification_time, f->data_change,
                  f->stats ? f->stats : "(null)");
    if (f->has_dv)
        os_buf_printf(out, " dv=%c:%s:%d:%d:%d:%lld", f->dv.storage_type, f->dv.path_or_inline_dv,
                      f->dv.has_offset, f->dv.offset, f->dv.size_in_bytes, (long long)f->dv.cardinality);
    os_buf_printf(out, " row=%d:%lld:%d:%lld cp=%s del=%d:%lld ext=%d", f->has_base_row_id,
                  (long long)f->base_row_id, f->has_default_row_commit_version,
                  (long long)f->default_row_commit_version,
                  f->clustering_provider ? f->clustering_provider : "(null)", f->has_deletion_timestamp,
                  (long long)f->deletion_timestamp, f->extended_file_metadata);
    if (f->image_aux)
        os_buf_printf(out, " aux=%.*s", (int)f->image_aux_len, f->image_aux);
    os_buf_putc(out, '\n');
}

static int collect(void *ctx, const delta_file *f, os_err *err)
{
    (void)err;
    describe(f, ctx);
    return 0;
}

#define NFILES 400

/* Writes NFILES files of several shapes; `expect` gets their descriptions. */
static void write_image(int fd, os_buf *expect)
{
    os_err err;
    delta_image_writer *w = delta_image_writer_open(fd, &err);
    assert_non_null(w);
    char path[64], stats[128], aux[96];
    delta_kv pv[2] = {{"p", "x"}, {"q", NULL}};
    delta_kv tags[1] = {{"t", "v"}};
    for (int i = 0; i < NFILES; i++) {
        delta_file f;
        memset(&f, 0, sizeof f);
        f.kind = i % 5 == 4 ? DELTA_FILE_REMOVE : DELTA_FILE_ADD;
        snprintf(path, sizeof path, "p=x/part-%05d.parquet", i);
        snprintf(stats, sizeof stats, "{\"numRecords\":%d,\"minValues\":{\"id\":\"a\\\"b\"}}", i);
        f.path = path;
        f.partition_values.items = pv;
        f.partition_values.n = i % 3;
        f.tags.items = tags;
        f.tags.n = i % 2;
        f.has_size = true;
        f.size = 1000 + i;
        f.has_modification_time = i % 4 != 0;
        f.modification_time = 1700000000000LL + i;
        f.data_change = i % 2;
        f.stats = i % 6 == 0 ? NULL : stats;
        if (i % 7 == 0) {
            f.has_dv = true;
            f.dv.storage_type = 'u';
            f.dv.path_or_inline_dv = "ab^-aqEH.-t@S}K{vb[*k^";
            f.dv.has_offset = i % 2;
            f.dv.offset = 4;
            f.dv.size_in_bytes = 40;
            f.dv.cardinality = 6;
        }
        f.has_base_row_id = i % 9 == 0;
        f.base_row_id = 77;
        f.clustering_provider = i % 11 == 0 ? "liquid" : NULL;
        f.has_deletion_timestamp = f.kind == DELTA_FILE_REMOVE;
        f.deletion_timestamp = 5;
        f.extended_file_metadata = f.kind == DELTA_FILE_REMOVE;
        if (i % 3 == 2) {
            /* A rendering stands for the file: only kind and aux come back. */
            int n = snprintf(aux, sizeof aux, "rendered line body %d", i);
            assert_int_equal(delta_image_writer_add(w, &f, aux, (size_t)n, &err), 0);
            delta_file g;
            memset(&g, 0, sizeof g);
            g.kind = f.kind;
            g.image_aux = aux;
            g.image_aux_len = (size_t)n;
            describe(&g, expect);
        } else {
            assert_int_equal(delta_image_writer_add(w, &f, NULL, 0, &err), 0);
            describe(&f, expect);
        }
    }
    assert_int_equal(delta_image_writer_finish(w, &err), 0);
    assert_true(delta_image_writer_finished(w));
    delta_image_writer_free(w);
}

static int tmpfile_fd(char *name)
{
    strcpy(name, "/tmp/test_delta_image.XXXXXX");
    int fd = mkstemp(name);
    assert_true(fd >= 0);
    return fd;
}

static void test_round_trip(void **state)
{
    (void)state;
    char name[64];
    int fd = tmpfile_fd(name);
    os_buf expect = OS_BUF_INIT, got = OS_BUF_INIT;
    write_image(fd, &expect);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    os_err err;
    bool cb_failed = true;
    assert_int_equal(delta_image_read(fd, collect, &got, &cb_failed, &err), 0);
    assert_false(cb_failed);
    assert_int_equal(got.len, expect.len);
    assert_memory_equal(got.data, expect.data, expect.len);
    close(fd);
    unlink(name);
    os_buf_free(&expect);
    os_buf_free(&got);
}

static int stop_at_3(void *ctx, const delta_file *f, os_err *err)
{
    (void)f;
    (void)err;
    return ++*(int *)ctx == 3 ? 1 : 0;
}

static int fail_at_2(void *ctx, const delta_file *f, os_err *err)
{
    (void)f;
    if (++*(int *)ctx == 2)
        return os_err_set(err, OS_EIO, "client went away");
    return 0;
}

static void test_callback_stop_and_error(void **state)
{
    (void)state;
    char name[64];
    int fd = tmpfile_fd(name);
    os_buf expect = OS_BUF_INIT;
    write_image(fd, &expect);
    os_err err;
    bool cb_failed;
    int n = 0;
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    assert_int_equal(delta_image_read(fd, stop_at_3, &n, &cb_failed, &err), 1);
    assert_int_equal(n, 3);
    n = 0;
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    assert_int_equal(delta_image_read(fd, fail_at_2, &n, &cb_failed, &err), -1);
    assert_true(cb_failed);
    assert_int_equal(err.code, OS_EIO);
    close(fd);
    unlink(name);
    os_buf_free(&expect);
}

/* Reads a damaged copy: it must fail as corrupt, and what it handed on before
 * must be a prefix of the good files, line for line. */
static void check_damaged(const char *data, size_t len, const os_buf *expect)
{
    char name[64];
    int fd = tmpfile_fd(name);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    os_buf got = OS_BUF_INIT;
    os_err err;
    bool cb_failed;
    int rc = delta_image_read(fd, collect, &got, &cb_failed, &err);
    assert_int_equal(rc, -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    assert_false(cb_failed);
    assert_true(got.len <= expect->len);
    if (got.len > 0)
        assert_memory_equal(got.data, expect->data, got.len);
    close(fd);
    unlink(name);
    os_buf_free(&got);
}

static void test_damage_is_never_served(void **state)
{
    (void)state;
    char name[64];
    int fd = tmpfile_fd(name);
    os_buf expect = OS_BUF_INIT;
    write_image(fd, &expect);
    off_t size = lseek(fd, 0, SEEK_END);
    char *data = malloc((size_t)size);
    assert_non_null(data);
    assert_int_equal(pread(fd, data, (size_t)size, 0), size);
    close(fd);
    unlink(name);
    /* Every cut, and a flipped bit at spread offsets (every byte would be slow). */
    for (off_t cut = 0; cut < size; cut += cut < 64 ? 1 : 97)
        check_damaged(data, (size_t)cut, &expect);
    check_damaged(data, (size_t)size - 1, &expect);
    for (off_t at = 0; at < size; at += at < 64 ? 1 : 13) {
        data[at] ^= 0x20;
        check_damaged(data, (size_t)size, &expect);
        data[at] ^= 0x20;
    }
    /* Trailing bytes after the end marker. */
    char *longer = malloc((size_t)size + 1);
    assert_non_null(longer);
    memcpy(longer, data, (size_t)size);
    longer[size] = 'x';
    check_damaged(longer, (size_t)size + 1, &expect);
    free(longer);
    free(data);
    os_buf_free(&expect);
}

static void test_blocks_put_elsewhere(void **state)
{
    (void)state;
    /* Records packed in a block by another party read the same, in memory and in an image. */
    os_buf block = OS_BUF_INIT, expect = OS_BUF_INIT, got = OS_BUF_INIT, got2 = OS_BUF_INIT;
    delta_kv pv[1] = {{"p", "1"}};
    for (int i = 0; i < 50; i++) {
        delta_file f;
        memset(&f, 0, sizeof f);
        f.kind = DELTA_FILE_ADD;
        char path[32];
        snprintf(path, sizeof path, "f%d", i);
        f.path = path;
        f.partition_values.items = pv;
        f.partition_values.n = 1;
        assert_int_equal(delta_image_record_put(&block, &f, i % 2 ? "aux" : NULL, i % 2 ? 3 : 0), 0);
        if (i % 2) {
            delta_file g;
            memset(&g, 0, sizeof g);
            g.kind = DELTA_FILE_ADD;
            g.image_aux = "aux";
            g.image_aux_len = 3;
            describe(&g, &expect);
        } else {
            describe(&f, &expect);
        }
    }
    char *copy = malloc(block.len);
    assert_non_null(copy);
    memcpy(copy, block.data, block.len);
    os_err err;
    assert_int_equal(delta_image_block_each(copy, block.len, collect, &got, &err), 0);
    assert_int_equal(got.len, expect.len);
    assert_memory_equal(got.data, expect.data, expect.len);
    char name[64];
    int fd = tmpfile_fd(name);
    delta_image_writer *w = delta_image_writer_open(fd, &err);
    assert_non_null(w);
    assert_int_equal(delta_image_writer_add_block(w, block.data, block.len, 50, &err), 0);
    assert_int_equal(delta_image_writer_finish(w, &err), 0);
    delta_image_writer_free(w);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    bool cb_failed;
    assert_int_equal(delta_image_read(fd, collect, &got2, &cb_failed, &err), 0);
    assert_int_equal(got2.len, expect.len);
    assert_memory_equal(got2.data, expect.data, expect.len);
    /* A count that does not match the records is corrupt. */
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    w = delta_image_writer_open(fd, &err);
    assert_non_null(w);
    assert_int_equal(delta_image_writer_add_block(w, block.data, block.len, 49, &err), 0);
    assert_int_equal(delta_image_writer_finish(w, &err), 0);
    delta_image_writer_free(w);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    os_buf_reset(&got2);
    assert_int_equal(delta_image_read(fd, collect, &got2, &cb_failed, &err), -1);
    assert_int_equal(err.code, OS_ECORRUPT);
    close(fd);
    unlink(name);
    free(copy);
    os_buf_free(&block);
    os_buf_free(&expect);
    os_buf_free(&got);
    os_buf_free(&got2);
}

/* ---- the cache index ---- */

static void put_image(snap_cache *c, const char *key, size_t bytes)
{
    int fd = snap_cache_build_begin(c, key);
    assert_true(fd >= 0);
    char *junk = calloc(1, bytes);
    assert_non_null(junk);
    assert_int_equal(write(fd, junk, bytes), (ssize_t)bytes);
    free(junk);
    snap_cache_build_end(c, key, fd, true);
}

static void test_cache_bounds_and_drop(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_snap_cache.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[128];
    snprintf(sub, sizeof sub, "%s/c", dir);
    os_err err;
    snap_cache *c = snap_cache_open(sub, 3000, 3, &err);
    assert_non_null(c);
    char k1[65], k2[65], k3[65], k4[65];
    snap_cache_key("file:///t", "v1", k1);
    snap_cache_key("file:///t", "v2", k2);
    snap_cache_key("file:///t", "v3", k3);
    snap_cache_key("file:///u", "v1", k4);
    assert_string_not_equal(k1, k4);
    assert_int_equal(snap_cache_lookup(c, k1), -1);
    put_image(c, k1, 1000);
    /* Built once: a second build of the same key is refused. */
    assert_int_equal(snap_cache_build_begin(c, k1), -1);
    int fd = snap_cache_lookup(c, k1);
    assert_true(fd >= 0);
    close(fd);
    /* A build that is not kept leaves nothing. */
    fd = snap_cache_build_begin(c, k2);
    assert_true(fd >= 0);
    assert_int_equal(snap_cache_build_begin(c, k2), -1);   /* being built */
    snap_cache_build_end(c, k2, fd, false);
    assert_int_equal(snap_cache_lookup(c, k2), -1);
    put_image(c, k2, 1000);
    put_image(c, k3, 1000);
    fd = snap_cache_lookup(c, k1);   /* k1 is now the most recently used */
    assert_true(fd >= 0);
    close(fd);
    put_image(c, k4, 1000);          /* over 3000 bytes: the least recently used (k2) goes */
    assert_int_equal(snap_cache_lookup(c, k2), -1);
    snap_cache_stats st;
    snap_cache_get_stats(c, &st);
    assert_int_equal(st.entries, 3);
    assert_true(st.bytes <= 3000);
    /* A dropped image is never opened again, and its file is gone. */
    snap_cache_drop(c, k3);
    assert_int_equal(snap_cache_lookup(c, k3), -1);
    char p[256];
    snprintf(p, sizeof p, "%s/%s.img", sub, k3);
    assert_int_equal(access(p, F_OK), -1);
    snap_cache_close(c);
    /* A new process starts empty: images of an earlier one are removed. */
    c = snap_cache_open(sub, 0, 0, &err);
    assert_non_null(c);
    assert_int_equal(snap_cache_lookup(c, k1), -1);
    snprintf(p, sizeof p, "%s/%s.img", sub, k1);
    assert_int_equal(access(p, F_OK), -1);
    snap_cache_close(c);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_callback_stop_and_error),
        cmocka_unit_test(test_damage_is_never_served),
        cmocka_unit_test(test_blocks_put_elsewhere),
        cmocka_unit_test(test_cache_bounds_and_drop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
