/* file.c - Avro object container files: header (magic, metadata, sync marker), then blocks of records, one at a time. */
#include "formats/avro/internal.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t MAGIC[4] = {'O', 'b', 'j', 1};
#define SYNC_LEN 16
/* Writers put a handful of entries in the header (Iceberg: six); keys are
 * compared pairwise for duplicates, so their number is bounded. */
#define AVRO_MAX_META 1024

typedef struct meta_entry {
    const char *key;
    const char *val;
    size_t len;
} meta_entry;

struct avro_file {
    const uint8_t *data;
    size_t len;
    size_t pos;                /* where the next block starts */
    char *where;
    avro_limits lim;
    os_arena arena;            /* schema nodes, metadata */
    const avro_schema *schema;
    meta_entry *meta;
    size_t n_meta;
    avro_codec codec;
    uint8_t sync[SYNC_LEN];
    /* the current block */
    uint64_t block_no;         /* 1 for the first block; 0 before it */
    size_t block_off;          /* its offset in the file */
    int64_t block_left;        /* records not yet decoded */
    int64_t block_rec;         /* index in the block of the next record */
    avro_cursor cur;           /* over its (decompressed) bytes */
    uint8_t *buf;              /* decompression buffer, reused */
    size_t buf_cap;
    bool failed;
    os_err error;              /* why, once failed */
};

/* Makes the reader fail from now on with the error in f->error (copied to err). */
static int fail(avro_file *f, os_err *err)
{
    f->failed = true;
    if (err)
        *err = f->error;
    return -1;
}

/* A string or bytes value of the header, NUL-terminated in the arena. */
static int header_bytes(avro_file *f, avro_cursor *c, const char **out, size_t *len, os_err *err)
{
    int64_t n = 0;
    if (avro_read_long(c, &n, err))
        return -1;
    if (n < 0 || (uint64_t)n > (size_t)(c->end - c->p))
        return os_err_set(err, OS_ECORRUPT, "a metadata length %lld is negative or exceeds the file", (long long)n);
    char *s = os_arena_strndup(&f->arena, (const char *)c->p, (size_t)n);
    if (s == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory reading the header");
    c->p += n;
    *out = s;
    if (len)
        *len = (size_t)n;
    return 0;
}

/* The metadata map<bytes>: blocks of entries, negative counts with sizes. */
static int read_meta(avro_file *f, avro_cursor *c, os_err *err)
{
    size_t cap = 0;
    for (;;) {
        int64_t count = 0;
        if (avro_read_long(c, &count, err))
            return -1;
        if (count == 0)
            return 0;
        if (count < 0) {
            int64_t size = 0;
            if (count == INT64_MIN || avro_read_long(c, &size, err))
                return count == INT64_MIN ? os_err_set(err, OS_ECORRUPT, "a metadata block count is out of range")
                                          : -1;
            if (size < 0)
                return os_err_set(err, OS_ECORRUPT, "a metadata block size %lld is negative", (long long)size);
            count = -count;
        }
        /* Each entry takes at least two bytes (two empty lengths). */
        if ((uint64_t)count > (size_t)(c->end - c->p) / 2)
            return os_err_set(err, OS_ECORRUPT, "a metadata block of %lld entries exceeds the file", (long long)count);
        if ((uint64_t)count > AVRO_MAX_META - f->n_meta)
            return os_err_set(err, OS_ELIMIT, "the header has more than %d metadata entries", AVRO_MAX_META);
        if ((size_t)count > cap - f->n_meta) {
            size_t ncap = cap * 2 > f->n_meta + (size_t)count ? cap * 2 : f->n_meta + (size_t)count;
            meta_entry *m = os_arena_alloc(&f->arena, ncap * sizeof *m);
            if (m == NULL)
                return os_err_set(err, OS_ENOMEM, "out of memory reading the header");
            if (f->n_meta)
                memcpy(m, f->meta, f->n_meta * sizeof *m);
            f->meta = m;
            cap = ncap;
        }
        for (int64_t i = 0; i < count; i++) {
            meta_entry *e = &f->meta[f->n_meta];
            if (header_bytes(f, c, &e->key, NULL, err) || header_bytes(f, c, &e->val, &e->len, err))
                return -1;
            for (size_t j = 0; j < f->n_meta; j++)
                if (!strcmp(f->meta[j].key, e->key))
                    return os_err_set(err, OS_ECORRUPT, "the metadata key '%.100s' appears twice", e->key);
            f->n_meta++;
        }
    }
}

static int parse_codec(avro_file *f, os_err *err)
{
    size_t n;
    const char *c = avro_file_meta(f, "avro.codec", &n);
    if (c == NULL || !strcmp(c, "null"))
        f->codec = AVRO_CODEC_NULL;
    else if (!strcmp(c, "deflate"))
        f->codec = AVRO_CODEC_DEFLATE;
    else if (!strcmp(c, "snappy"))
        f->codec = AVRO_CODEC_SNAPPY;
    else if (!strcmp(c, "zstandard"))
        f->codec = AVRO_CODEC_ZSTANDARD;
    else
        return os_err_set(err, OS_EUNSUPPORTED,
                          "the codec '%.64s' is not supported (null, deflate, snappy, zstandard are)", c);
    if (c && strlen(c) != n)
        return os_err_set(err, OS_ECORRUPT, "the avro.codec value holds a NUL byte");
    return 0;
}

static int open_header(avro_file *f, os_err *err)
{
    if (f->len < sizeof MAGIC || memcmp(f->data, MAGIC, sizeof MAGIC))
        return os_err_set(err, OS_ECORRUPT, "not an Avro container file (no \"Obj\\x01\" magic)");
    avro_cursor c = {f->data + sizeof MAGIC, f->data + f->len};
    if (read_meta(f, &c, err))
        return os_err_wrap(err, "header metadata");
    if ((size_t)(c.end - c.p) < SYNC_LEN)
        return os_err_set(err, OS_ECORRUPT, "the header is cut off before its sync marker");
    memcpy(f->sync, c.p, SYNC_LEN);
    c.p += SYNC_LEN;
    f->pos = (size_t)(c.p - f->data);
    if (parse_codec(f, err))
        return -1;
    size_t slen;
    const char *sj = avro_file_meta(f, "avro.schema", &slen);
    if (sj == NULL)
        return os_err_set(err, OS_ECORRUPT, "the header has no avro.schema");
    if (slen > f->lim.max_schema_bytes)
        return os_err_set(err, OS_ELIMIT, "the schema is %zu bytes, more than %zu (max_schema_bytes)", slen,
                          f->lim.max_schema_bytes);
    if ((f->schema = avro_schema_parse(sj, slen, &f->arena, f->lim.max_depth, err)) == NULL)
        return os_err_wrap(err, "avro.schema");
    return 0;
}

avro_file *avro_file_open(const uint8_t *data, size_t len, const char *where, const avro_limits *limits,
                          os_err *err)
{
    avro_file *f = calloc(1, sizeof *f);
    if (f == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory opening %s", where ? where : "an Avro file");
        return NULL;
    }
    f->data = data;
    f->len = data ? len : 0;
    f->where = strdup(where ? where : "avro");
    if (limits)
        f->lim = *limits;
    if (f->lim.max_block_bytes == 0)
        f->lim.max_block_bytes = AVRO_DEFAULT_MAX_BLOCK_BYTES;
    if (f->lim.max_record_bytes == 0)
        f->lim.max_record_bytes = AVRO_DEFAULT_MAX_RECORD_BYTES;
    if (f->lim.max_depth == 0)
        f->lim.max_depth = AVRO_DEFAULT_MAX_DEPTH;
    if (f->lim.max_schema_bytes == 0)
        f->lim.max_schema_bytes = AVRO_DEFAULT_MAX_SCHEMA_BYTES;
    if (f->where == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory opening %s", where ? where : "an Avro file");
        avro_file_close(f);
        return NULL;
    }
    if (open_header(f, err)) {
        os_err_wrap(err, "%s", f->where);
        avro_file_close(f);
        return NULL;
    }
    return f;
}

void avro_file_close(avro_file *f)
{
    if (f == NULL)
        return;
    os_arena_free(&f->arena);
    free(f->buf);
    free(f->where);
    free(f);
}

int avro_file_skip_field(avro_file *f, const avro_schema *rec, int i)
{
    if (f == NULL || rec == NULL || rec->type != AVRO_RECORD || i < 0 || (size_t)i >= rec->n_fields)
        return -1;
    /* The nodes are the file's own (parsed into its arena), so not really const. */
    avro_node *n = (avro_node *)avro_node_of(rec);
    if (n->skip == NULL && (n->skip = os_arena_alloc(&f->arena, rec->n_fields * sizeof *n->skip)) == NULL)
        return -1;
    n->skip[i] = true;
    return 0;
}

const avro_schema *avro_file_schema(const avro_file *f)
{
    return f ? f->schema : NULL;
}

const char *avro_file_meta(const avro_file *f, const char *key, size_t *len)
{
    if (f == NULL || key == NULL)
        return NULL;
    for (size_t i = 0; i < f->n_meta; i++)
        if (!strcmp(f->meta[i].key, key)) {
            if (len)
                *len = f->meta[i].len;
            return f->meta[i].val;
        }
    return NULL;
}

size_t avro_file_meta_count(const avro_file *f)
{
    return f ? f->n_meta : 0;
}

const char *avro_file_meta_at(const avro_file *f, size_t i, const char **key, size_t *len)
{
    if (f == NULL || i >= f->n_meta)
        return NULL;
    if (key)
        *key = f->meta[i].key;
    if (len)
        *len = f->meta[i].len;
    return f->meta[i].val;
}

/* Reads the next block's header, bytes and sync marker and makes the
 * cursor point at its records.  Returns 1, 0 at the end of the file, -1. */
static int next_block(avro_file *f, os_err *err)
{
    if (f->pos == f->len)
        return 0;
    f->block_no++;
    f->block_off = f->pos;
    avro_cursor c = {f->data + f->pos, f->data + f->len};
    int64_t count = 0, size = 0;
    if (avro_read_long(&c, &count, err) || avro_read_long(&c, &size, err))
        return -1;
    if (count < 0)
        return os_err_set(err, OS_ECORRUPT, "the record count %lld is negative", (long long)count);
    if (size < 0)
        return os_err_set(err, OS_ECORRUPT, "the block size %lld is negative", (long long)size);
    if ((uint64_t)size > f->lim.max_block_bytes)
        return os_err_set(err, OS_ELIMIT, "the block is %lld bytes, more than %zu (max_block_bytes)",
                          (long long)size, f->lim.max_block_bytes);
    size_t rest = (size_t)(c.end - c.p);
    if ((uint64_t)size > rest || rest - (size_t)size < SYNC_LEN)
        return os_err_set(err, OS_ECORRUPT, "the block of %lld bytes and its sync marker exceed the %zu bytes left",
                          (long long)size, rest);
    const uint8_t *bytes = c.p;
    const uint8_t *sync = bytes + size;
    if (memcmp(sync, f->sync, SYNC_LEN))
        return os_err_set(err, OS_ECORRUPT, "the sync marker after the block does not match the header's");
    f->pos = (size_t)(sync + SYNC_LEN - f->data);
    size_t n = (size_t)size;
    if (f->codec != AVRO_CODEC_NULL) {
        if (avro_codec_decompress(f->codec, bytes, n, &f->buf, &f->buf_cap, f->lim.max_block_bytes, &n, err))
            return -1;
        bytes = f->buf;
    }
    /* Every record takes at least min_bytes; a type that takes none still
     * may not claim more records than the block limit. */
    size_t min = avro_node_of(f->schema)->min_bytes;
    if (min ? (uint64_t)count > n / min : (uint64_t)count > f->lim.max_block_bytes)
        return os_err_set(err, OS_ECORRUPT, "%lld records cannot fit in a block of %zu bytes", (long long)count, n);
    f->cur.p = bytes;
    f->cur.end = bytes + n;
    f->block_left = count;
    f->block_rec = 0;
    if (count == 0 && n != 0)
        return os_err_set(err, OS_ECORRUPT, "a block of no records holds %zu bytes", n);
    return 1;
}

int avro_file_next(avro_file *f, os_arena *a, const avro_value **out, os_err *err)
{
    if (f->failed) {
        if (err)
            *err = f->error;
        return -1;
    }
    os_err *e = &f->error;
    while (f->block_left == 0) {
        int rc = next_block(f, e);
        if (rc == 0)
            return 0;
        if (rc < 0) {
            os_err_wrap(e, "%s: block %llu at offset %zu", f->where, (unsigned long long)f->block_no, f->block_off);
            return fail(f, err);
        }
    }
    avro_decoder d = {.cur = f->cur,
                      .arena = a,
                      .arena_start = a->total,
                      .max_record_bytes = f->lim.max_record_bytes,
                      .max_depth = f->lim.max_depth,
                      .err = e};
    avro_value *v = os_arena_alloc(a, sizeof *v);
    if (v == NULL) {
        os_err_set(e, OS_ENOMEM, "%s: out of memory", f->where);
        return fail(f, err);
    }
    if (avro_decode_value(&d, f->schema, v, 0)) {
        os_err_wrap(e, "%s: block %llu at offset %zu, record %lld", f->where, (unsigned long long)f->block_no,
                    f->block_off, (long long)f->block_rec);
        return fail(f, err);
    }
    f->cur = d.cur;
    f->block_left--;
    f->block_rec++;
    if (f->block_left == 0 && f->cur.p != f->cur.end) {
        os_err_set(e, OS_ECORRUPT, "%s: block %llu at offset %zu: %zu bytes follow its last record (%lld)",
                   f->where, (unsigned long long)f->block_no, f->block_off, (size_t)(f->cur.end - f->cur.p),
                   (long long)f->block_rec - 1);
        return fail(f, err);
    }
    *out = v;
    return 1;
}
