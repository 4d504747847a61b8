/* footer.c - reads one dataset file's footer through an objstore (one ranged read for most files) into the facts the server keeps. */
#include "formats/dataset/dataset.h"

#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"

/* Bytes read from the end of a file at once: most footers fit. */
#define TAIL_BYTES (64 * 1024)

typedef struct obj_src {
    const objstore *st;
    const char *key;
    uint64_t size;
    uint8_t *tail;             /* the last tail_len bytes of the object */
    size_t tail_len;
    uint8_t head[4];
    bool has_head;
    char digest[65];
} obj_src;

static int read_exact(obj_src *o, uint64_t off, size_t len, void *dst, os_err *err)
{
    size_t got = 0;
    if (objstore_read_range(o->st, o->key, off, len, dst, &got, err) != 0)
        return -1;
    if (got != len)
        return os_err_set(err, OS_ECORRUPT, "the file changed size while it was read");
    return 0;
}

static int obj_read_at(void *ctx, uint64_t off, size_t len, void *dst, os_err *err)
{
    obj_src *o = ctx;
    uint64_t tail_start = o->size - o->tail_len;
    if (off >= tail_start && off + len <= o->size)
        memcpy(dst, o->tail + (off - tail_start), len);
    else if (off == 0 && len <= 4 && o->has_head)
        memcpy(dst, o->head, len);
    else if (read_exact(o, off, len, dst, err) != 0)
        return -1;
    /* The footer is the read that ends 8 bytes before the end. */
    if (len > 0 && off + len == o->size - 8 && off + len > off)
        os_sha256_hex(dst, len, o->digest);
    return 0;
}

void ds_footer_facts_free(ds_footer_facts *f)
{
    if (f == NULL)
        return;
    free(f->schema_json);
    free(f->stats_json);
    f->schema_json = f->stats_json = NULL;
}

static int facts_from(const pq_source *src, const char *rel, char *digest, ds_footer_facts *out,
                      os_err *err)
{
    memset(out, 0, sizeof *out);
    pq_options po = {.max_footer_bytes = 16u << 20};
    pq_file *f = pq_file_open(src, &po, err);
    if (f == NULL) {
        if (err->code == OS_EIO || err->code == OS_ENOTFOUND)
            return -1;
        /* The reader names the file (by rel, the source's name): say it as damage. */
        if (err->code == OS_ECORRUPT || err->code == OS_ELIMIT)
            err->code = OS_ECORRUPT;
        return -1;
    }
    int rc = 0;
    json_t *schema = ds_schema_of_file(f, rel, err);
    os_buf stats = OS_BUF_INIT;
    if (schema == NULL || ds_stats_of_file(f, &stats, err) != 0) {
        rc = -1;
    } else {
        out->num_rows = pq_file_num_rows(f);
        out->schema_json = json_dumps(schema, JSON_COMPACT | JSON_PRESERVE_ORDER);
        out->stats_json = os_buf_detach(&stats);
        if (out->stats_json == NULL)
            out->stats_json = strdup("{}");
        memcpy(out->digest, digest, 65);
        if (out->schema_json == NULL || out->stats_json == NULL) {
            ds_footer_facts_free(out);
            rc = os_err_set(err, OS_ENOMEM, "out of memory");
        }
    }
    json_decref(schema);
    os_buf_free(&stats);
    pq_file_close(f);
    return rc;
}

int ds_footer_read(const objstore *st, const char *key, int64_t size, const char *rel,
                   ds_footer_facts *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    obj_src o = {.st = st, .key = key, .size = (uint64_t)(size < 0 ? 0 : size)};
    if (o.size < 12)
        return os_err_set(err, OS_ECORRUPT, "'%s': too small to be a Parquet file (%lld bytes)", rel,
                          (long long)size);
    o.tail_len = o.size < TAIL_BYTES ? (size_t)o.size : TAIL_BYTES;
    o.tail = malloc(o.tail_len);
    if (o.tail == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (read_exact(&o, o.size - o.tail_len, o.tail_len, o.tail, err) != 0) {
        free(o.tail);
        return os_err_wrap(err, "'%s'", rel);
    }
    if (o.tail_len == o.size) {
        memcpy(o.head, o.tail, 4);
        o.has_head = true;
    }
    /* A footer inside the tail is hashed here; a longer one as it is read. */
    uint32_t flen = (uint32_t)o.tail[o.tail_len - 8] | (uint32_t)o.tail[o.tail_len - 7] << 8 |
                    (uint32_t)o.tail[o.tail_len - 6] << 16 | (uint32_t)o.tail[o.tail_len - 5] << 24;
    if ((uint64_t)flen + 8 <= o.tail_len)
        os_sha256_hex(o.tail + o.tail_len - 8 - flen, flen, o.digest);
    pq_source src = {&o, o.size, rel, obj_read_at, NULL};
    int rc = facts_from(&src, rel, o.digest, out, err);
    free(o.tail);
    return rc;
}

int ds_footer_read_mem(const void *data, size_t len, const char *rel, ds_footer_facts *out,
                       os_err *err)
{
    pq_source src;
    pq_source_init_mem(&src, data, len, rel);
    char digest[65] = "";
    if (len >= 12) {
        const uint8_t *p = (const uint8_t *)data + len - 8;
        uint64_t flen = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
        if (flen + 8 <= len)
            os_sha256_hex((const uint8_t *)data + len - 8 - flen, (size_t)flen, digest);
    }
    return facts_from(&src, rel, digest, out, err);
}
