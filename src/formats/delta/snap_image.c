/* snap_image.c - a reconciled snapshot's active files written to and read back from a checksummed file. */
#include "formats/delta/delta_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Layout: an 8-byte magic and a 4-byte byte-order mark, then blocks of
 * [u32 payload length][u32 CRC-32 of payload][payload], each payload holding
 * whole file records, then an end block [u32 0xffffffff][u32 CRC-32 of the
 * count][u64 count of records].  Numbers are in the writer's byte order (the
 * mark refuses a file from another machine); strings are a u32 length, the
 * bytes and a NUL, so a record read back points into its block. */
static const char MAGIC[8] = {'O', 'S', 'D', 'I', 'M', 'G', '0', '1'};
#define BOM 0x01020304u
#define END_MARK 0xffffffffu
#define BLOCK_TARGET (256u << 10)
#define BLOCK_MAX (256u << 20)   /* a single record larger than this is refused */

enum {
    F_SIZE = 1u << 0, F_MTIME = 1u << 1, F_CHANGE = 1u << 2, F_DV = 1u << 3, F_DV_OFFSET = 1u << 4,
    F_ROWID = 1u << 5, F_ROWVER = 1u << 6, F_STATS = 1u << 7, F_CLUSTER = 1u << 8,
    F_DELTS = 1u << 9, F_EXT = 1u << 10, F_AUX_ONLY = 1u << 11,
    F_KIND_SHIFT = 12
};

struct delta_image_writer {
    int fd;
    os_buf block;
    uint64_t count;
    bool failed, finished;
};

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

delta_image_writer *delta_image_writer_open(int fd, os_err *err)
{
    delta_image_writer *w = calloc(1, sizeof *w);
    uint32_t bom = BOM;
    if (w == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    w->fd = fd;
    if (write_all(fd, MAGIC, sizeof MAGIC) != 0 || write_all(fd, &bom, sizeof bom) != 0) {
        os_err_set(err, OS_EIO, "cannot write a snapshot image: %s", strerror(errno));
        free(w);
        return NULL;
    }
    return w;
}

static int flush_block(delta_image_writer *w)
{
    if (w->block.len == 0)
        return 0;
    uint32_t head[2] = {(uint32_t)w->block.len,
                        (uint32_t)crc32(0L, (const Bytef *)w->block.data, (uInt)w->block.len)};
    if (write_all(w->fd, head, sizeof head) != 0 || write_all(w->fd, w->block.data, w->block.len) != 0)
        return -1;
    os_buf_reset(&w->block);
    return 0;
}

static int put_u32(os_buf *b, uint32_t v) { return os_buf_append(b, &v, sizeof v); }
static int put_i64(os_buf *b, int64_t v) { return os_buf_append(b, &v, sizeof v); }

static int put_str(os_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > UINT32_MAX - 1)
        return -1;
    if (put_u32(b, (uint32_t)n) != 0 || os_buf_append(b, s ? s : "", n) != 0 || os_buf_putc(b, '\0') != 0)
        return -1;
    return 0;
}

static int put_map(os_buf *b, const delta_map *m)
{
    if (put_u32(b, (uint32_t)m->n) != 0)
        return -1;
    for (size_t i = 0; i < m->n; i++)
        if (put_str(b, m->items[i].key) != 0 || os_buf_putc(b, m->items[i].value != NULL) != 0 ||
            put_str(b, m->items[i].value) != 0)
            return -1;
    return 0;
}

int delta_image_record_put(os_buf *b, const delta_file *f, const void *aux, size_t aux_len)
{
    size_t start = b->len;
    if (aux != NULL && aux_len > 0) {
        /* The caller's rendering stands for the file: only it is kept. */
        if (aux_len > BLOCK_MAX ||
            (put_u32(b, ((uint32_t)f->kind << F_KIND_SHIFT) | F_AUX_ONLY) | put_u32(b, (uint32_t)aux_len) |
             os_buf_append(b, aux, aux_len)) != 0) {
            b->len = start;
            return -1;
        }
        return 0;
    }
    uint32_t flags = (uint32_t)f->kind << F_KIND_SHIFT;
    flags |= f->has_size ? F_SIZE : 0;
    flags |= f->has_modification_time ? F_MTIME : 0;
    flags |= f->data_change ? F_CHANGE : 0;
    flags |= f->has_dv ? F_DV : 0;
    flags |= f->has_dv && f->dv.has_offset ? F_DV_OFFSET : 0;
    flags |= f->has_base_row_id ? F_ROWID : 0;
    flags |= f->has_default_row_commit_version ? F_ROWVER : 0;
    flags |= f->stats ? F_STATS : 0;
    flags |= f->clustering_provider ? F_CLUSTER : 0;
    flags |= f->has_deletion_timestamp ? F_DELTS : 0;
    flags |= f->extended_file_metadata ? F_EXT : 0;
    int rc = put_u32(b, flags) | put_i64(b, f->size) | put_i64(b, f->modification_time) |
             put_i64(b, f->base_row_id) | put_i64(b, f->default_row_commit_version) |
             put_i64(b, f->deletion_timestamp) | put_str(b, f->path) | put_map(b, &f->partition_values) |
             put_map(b, &f->tags);
    if (rc == 0 && f->stats)
        rc = put_str(b, f->stats);
    if (rc == 0 && f->clustering_provider)
        rc = put_str(b, f->clustering_provider);
    if (rc == 0 && f->has_dv)
        rc = os_buf_putc(b, f->dv.storage_type) | put_str(b, f->dv.path_or_inline_dv) |
             put_i64(b, f->dv.offset) | put_i64(b, f->dv.size_in_bytes) | put_i64(b, f->dv.cardinality);
    if (rc != 0 || b->len - start > BLOCK_MAX) {
        b->len = start;
        return -1;
    }
    return 0;
}

int delta_image_writer_add(delta_image_writer *w, const delta_file *f, const void *aux,
                           size_t aux_len, os_err *err)
{
    if (w->failed || w->finished)
        return os_err_set(err, OS_EIO, "the snapshot image is no longer being written");
    if (delta_image_record_put(&w->block, f, aux, aux_len) != 0) {
        w->failed = true;
        return os_err_set(err, OS_ENOMEM, "cannot add a file to the snapshot image (out of memory "
                          "or a record over %u bytes)", BLOCK_MAX);
    }
    w->count++;
    if (w->block.len >= BLOCK_TARGET && flush_block(w) != 0) {
        w->failed = true;
        return os_err_set(err, OS_EIO, "cannot write a snapshot image: %s", strerror(errno));
    }
    return 0;
}

int delta_image_writer_add_block(delta_image_writer *w, const void *block, size_t n, uint64_t count,
                                 os_err *err)
{
    if (w->failed || w->finished)
        return os_err_set(err, OS_EIO, "the snapshot image is no longer being written");
    if (n == 0)
        return 0;
    if (n > BLOCK_MAX + BLOCK_TARGET) {
        w->failed = true;
        return os_err_set(err, OS_EINVAL, "a snapshot image block of %zu bytes is too large", n);
    }
    uint32_t head[2] = {(uint32_t)n, (uint32_t)crc32(0L, (const Bytef *)block, (uInt)n)};
    if (flush_block(w) != 0 || write_all(w->fd, head, sizeof head) != 0 || write_all(w->fd, block, n) != 0) {
        w->failed = true;
        return os_err_set(err, OS_EIO, "cannot write a snapshot image: %s", strerror(errno));
    }
    w->count += count;
    return 0;
}

int delta_image_writer_finish(delta_image_writer *w, os_err *err)
{
    if (w->failed || w->finished)
        return os_err_set(err, OS_EIO, "the snapshot image is no longer being written");
    uint64_t count = w->count;
    uint32_t end[2] = {END_MARK, (uint32_t)crc32(0L, (const Bytef *)&count, sizeof count)};
    if (flush_block(w) != 0 || write_all(w->fd, end, sizeof end) != 0 ||
        write_all(w->fd, &count, sizeof count) != 0) {
        w->failed = true;
        return os_err_set(err, OS_EIO, "cannot write a snapshot image: %s", strerror(errno));
    }
    w->finished = true;
    return 0;
}

bool delta_image_writer_finished(const delta_image_writer *w)
{
    return w != NULL && w->finished && !w->failed;
}

void delta_image_writer_free(delta_image_writer *w)
{
    if (w == NULL)
        return;
    os_buf_free(&w->block);
    free(w);
}

/* ------------------------------------------------------------------ reading */

/* Reads exactly n bytes: 1, 0 at a clean end of file before any byte, -1. */
static int read_full(int fd, void *p, size_t n)
{
    char *c = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, c + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return got == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

typedef struct cursor {
    char *p, *end;
    bool bad;
} cursor;

static uint32_t get_u32(cursor *c)
{
    uint32_t v = 0;
    if ((size_t)(c->end - c->p) < sizeof v) {
        c->bad = true;
        return 0;
    }
    memcpy(&v, c->p, sizeof v);
    c->p += sizeof v;
    return v;
}

static int64_t get_i64(cursor *c)
{
    int64_t v = 0;
    if ((size_t)(c->end - c->p) < sizeof v) {
        c->bad = true;
        return 0;
    }
    memcpy(&v, c->p, sizeof v);
    c->p += sizeof v;
    return v;
}

static const char *get_str(cursor *c)
{
    uint32_t n = get_u32(c);
    if (c->bad || (size_t)(c->end - c->p) <= n || c->p[n] != '\0') {
        c->bad = true;
        return NULL;
    }
    const char *s = c->p;
    c->p += (size_t)n + 1;
    return s;
}

typedef struct kv_pool {
    delta_kv *items;
    size_t cap, used;
} kv_pool;

static int get_map(cursor *c, kv_pool *pool, delta_map *m)
{
    uint32_t n = get_u32(c);
    /* Each entry takes at least 11 bytes: a count beyond that is corrupt. */
    if (c->bad || n > (size_t)(c->end - c->p) / 11) {
        c->bad = true;
        return 0;
    }
    if (pool->used + n > pool->cap) {
        size_t cap = (pool->used + n) * 2 + 8;
        delta_kv *items = realloc(pool->items, cap * sizeof *items);
        if (items == NULL)
            return -1;
        pool->items = items;
        pool->cap = cap;
    }
    /* Offsets, not pointers, until the record is complete: the pool may move. */
    m->items = (delta_kv *)(uintptr_t)pool->used;
    m->n = n;
    for (uint32_t i = 0; i < n && !c->bad; i++) {
        delta_kv *kv = &pool->items[pool->used++];
        kv->key = get_str(c);
        bool has = c->p < c->end && *c->p != 0;
        if (c->p < c->end)
            c->p++;
        const char *v = get_str(c);
        kv->value = has ? v : NULL;
    }
    return 0;
}

/* Decodes one record at c into f; 0, or -1 with c->bad or out of memory. */
static int get_record(cursor *c, kv_pool *pool, delta_file *f)
{
    memset(f, 0, sizeof *f);
    uint32_t flags = get_u32(c);
    f->kind = (delta_file_kind)(flags >> F_KIND_SHIFT);
    if (flags & F_AUX_ONLY) {
        uint32_t n = get_u32(c);
        if (c->bad || n == 0 || n > (size_t)(c->end - c->p) || f->kind < DELTA_FILE_ADD ||
            f->kind > DELTA_FILE_CDC) {
            c->bad = true;
            return 0;
        }
        f->image_aux = c->p;
        f->image_aux_len = n;
        c->p += n;
        return 0;
    }
    f->has_size = flags & F_SIZE;
    f->has_modification_time = flags & F_MTIME;
    f->data_change = flags & F_CHANGE;
    f->has_dv = flags & F_DV;
    f->has_base_row_id = flags & F_ROWID;
    f->has_default_row_commit_version = flags & F_ROWVER;
    f->has_deletion_timestamp = flags & F_DELTS;
    f->extended_file_metadata = flags & F_EXT;
    f->size = get_i64(c);
    f->modification_time = get_i64(c);
    f->base_row_id = get_i64(c);
    f->default_row_commit_version = get_i64(c);
    f->deletion_timestamp = get_i64(c);
    f->path = get_str(c);
    pool->used = 0;
    if (get_map(c, pool, &f->partition_values) != 0 || get_map(c, pool, &f->tags) != 0)
        return -1;
    if (flags & F_STATS)
        f->stats = get_str(c);
    if (flags & F_CLUSTER)
        f->clustering_provider = get_str(c);
    if (f->has_dv) {
        f->dv.storage_type = c->p < c->end ? *c->p++ : (c->bad = true, 0);
        f->dv.path_or_inline_dv = get_str(c);
        f->dv.has_offset = flags & F_DV_OFFSET;
        f->dv.offset = (int32_t)get_i64(c);
        f->dv.size_in_bytes = (int32_t)get_i64(c);
        f->dv.cardinality = get_i64(c);
    }
    if (f->kind < DELTA_FILE_ADD || f->kind > DELTA_FILE_CDC)
        c->bad = true;
    if (c->bad)
        return 0;
    /* An empty pool has no base to offset from (NULL + 0 is undefined). */
    if (pool->items == NULL) {
        if ((uintptr_t)f->partition_values.items != 0 || (uintptr_t)f->tags.items != 0 ||
            f->partition_values.n != 0 || f->tags.n != 0) {
            c->bad = true;
            return 0;
        }
        f->partition_values.items = f->tags.items = NULL;
        return 0;
    }
    f->partition_values.items = pool->items + (uintptr_t)f->partition_values.items;
    f->tags.items = pool->items + (uintptr_t)f->tags.items;
    return 0;
}

/* Hands on the records of one block; *n counts them.  Returns 0, 1 (cb
 * stopped) or -1 (malformed: OS_ECORRUPT; out of memory; cb's error). */
static int block_each(char *data, size_t len, kv_pool *pool, delta_file_cb cb, void *ctx, uint64_t *n,
                      bool *cb_failed, os_err *err)
{
    cursor c = {data, data + len, false};
    *cb_failed = false;
    while (c.p < c.end) {
        delta_file f;
        if (get_record(&c, pool, &f) != 0)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        if (c.bad)
            return os_err_set(err, OS_ECORRUPT, "a record of the snapshot image is malformed");
        (*n)++;
        int r = cb(ctx, &f, err);
        if (r != 0) {
            *cb_failed = r < 0;
            return r < 0 ? -1 : 1;
        }
    }
    return 0;
}

int delta_image_block_each(char *block, size_t n, delta_file_cb cb, void *ctx, os_err *err)
{
    kv_pool pool = {0};
    uint64_t count = 0;
    bool cb_failed;
    int rc = block_each(block, n, &pool, cb, ctx, &count, &cb_failed, err);
    free(pool.items);
    return rc;
}

int delta_image_read(int fd, delta_file_cb cb, void *ctx, bool *cb_failed, os_err *err)
{
    *cb_failed = false;
    char magic[sizeof MAGIC];
    uint32_t bom;
    if (read_full(fd, magic, sizeof magic) != 1 || memcmp(magic, MAGIC, sizeof magic) != 0 ||
        read_full(fd, &bom, sizeof bom) != 1 || bom != BOM)
        return os_err_set(err, OS_ECORRUPT, "the snapshot image has no valid header");
    char *block = NULL;
    size_t cap = 0;
    kv_pool pool = {0};
    uint64_t count = 0;
    int rc = -1;
    for (;;) {
        uint32_t head[2];
        if (read_full(fd, head, sizeof head) != 1) {
            os_err_set(err, OS_ECORRUPT, "the snapshot image ends early");
            goto out;
        }
        if (head[0] == END_MARK) {
            uint64_t want;
            char extra;
            if (read_full(fd, &want, sizeof want) != 1 ||
                head[1] != (uint32_t)crc32(0L, (const Bytef *)&want, sizeof want) || want != count ||
                read_full(fd, &extra, 1) != 0) {
                os_err_set(err, OS_ECORRUPT, "the snapshot image's end does not match its records");
                goto out;
            }
            rc = 0;
            goto out;
        }
        if (head[0] == 0 || head[0] > BLOCK_MAX + BLOCK_TARGET) {
            os_err_set(err, OS_ECORRUPT, "the snapshot image has a block of %u bytes", head[0]);
            goto out;
        }
        if (head[0] > cap) {
            char *nb = realloc(block, head[0]);
            if (nb == NULL) {
                os_err_set(err, OS_ENOMEM, "out of memory");
                goto out;
            }
            block = nb;
            cap = head[0];
        }
        if (read_full(fd, block, head[0]) != 1 ||
            head[1] != (uint32_t)crc32(0L, (const Bytef *)block, head[0])) {
            os_err_set(err, OS_ECORRUPT, "a block of the snapshot image fails its checksum");
            goto out;
        }
        /* The whole block is checked before any of its records is handed on. */
        uint64_t n = 0;
        int r = block_each(block, head[0], &pool, cb, ctx, &n, cb_failed, err);
        count += n;
        if (r != 0) {
            rc = r;
            goto out;
        }
    }
out:
    free(block);
    free(pool.items);
    return rc;
}

/* ------------------------------------------------------------------ block reader */

struct delta_image_reader {
    int fd;
    bool ended;
    uint64_t count;    /* records the end marker declares */
};

delta_image_reader *delta_image_reader_open(int fd, os_err *err)
{
    char magic[sizeof MAGIC];
    uint32_t bom;
    if (read_full(fd, magic, sizeof magic) != 1 || memcmp(magic, MAGIC, sizeof magic) != 0 ||
        read_full(fd, &bom, sizeof bom) != 1 || bom != BOM) {
        os_err_set(err, OS_ECORRUPT, "the snapshot image has no valid header");
        return NULL;
    }
    delta_image_reader *r = calloc(1, sizeof *r);
    if (r == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    r->fd = fd;
    return r;
}

int delta_image_reader_next(delta_image_reader *r, char **block, size_t *cap, size_t *n, os_err *err)
{
    *n = 0;
    if (r->ended)
        return 0;
    uint32_t head[2];
    if (read_full(r->fd, head, sizeof head) != 1)
        return os_err_set(err, OS_ECORRUPT, "the snapshot image ends early");
    if (head[0] == END_MARK) {
        uint64_t want;
        char extra;
        if (read_full(r->fd, &want, sizeof want) != 1 ||
            head[1] != (uint32_t)crc32(0L, (const Bytef *)&want, sizeof want) || read_full(r->fd, &extra, 1) != 0)
            return os_err_set(err, OS_ECORRUPT, "the snapshot image's end is damaged");
        r->ended = true;
        r->count = want;
        return 0;
    }
    if (head[0] == 0 || head[0] > BLOCK_MAX + BLOCK_TARGET)
        return os_err_set(err, OS_ECORRUPT, "the snapshot image has a block of %u bytes", head[0]);
    if (*block == NULL || *cap < head[0]) {
        char *b = realloc(*block, head[0]);
        if (b == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        *block = b;
        *cap = head[0];
    }
    if (read_full(r->fd, *block, head[0]) != 1 ||
        head[1] != (uint32_t)crc32(0L, (const Bytef *)*block, head[0]))
        return os_err_set(err, OS_ECORRUPT, "a block of the snapshot image fails its checksum");
    *n = head[0];
    return 1;
}

uint64_t delta_image_reader_count(const delta_image_reader *r)
{
    return r->ended ? r->count : UINT64_MAX;
}

void delta_image_reader_free(delta_image_reader *r)
{
    free(r);
}
