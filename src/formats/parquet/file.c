/* file.c - opening a Parquet file: magic, footer length, metadata checks, and the accessors over it. */
#include "formats/parquet/internal.h"

#include <stdlib.h>
#include <string.h>

static void options_defaults(pq_options *o, const pq_options *in)
{
    memset(o, 0, sizeof *o);
    if (in)
        *o = *in;
    if (o->max_footer_bytes == 0)
        o->max_footer_bytes = 64u << 20;
    if (o->max_chunk_bytes == 0)
        o->max_chunk_bytes = (uint64_t)2 << 30;
    if (o->max_page_bytes == 0)
        o->max_page_bytes = (uint64_t)1 << 30;
    if (o->max_depth <= 0 || o->max_depth > 64)
        o->max_depth = 64;
}

static int check_row_groups(pq_file *f, os_err *err)
{
    int64_t total = 0;
    for (size_t i = 0; i < f->nrgs; i++) {
        pq_row_group *rg = &f->rgs[i];
        if (rg->num_rows < 0)
            return os_err_set(err, OS_ECORRUPT, "%s: row group %zu has a negative row count", f->name, i);
        if (rg->ncols != f->nleaves)
            return os_err_set(err, OS_ECORRUPT, "%s: row group %zu has %zu column chunks but the schema has %zu leaves",
                              f->name, i, rg->ncols, f->nleaves);
        for (size_t c = 0; c < rg->ncols; c++) {
            pq_col_meta *m = &rg->cols[c];
            const pq_node *leaf = f->leaves[c];
            if (!m->has_meta)
                return os_err_set(err, OS_ECORRUPT, "%s: row group %zu column %s has no metadata",
                                  f->name, i, leaf->path);
            if (m->type != (int32_t)leaf->physical)
                return os_err_set(err, OS_ECORRUPT, "%s: row group %zu column %s: chunk type %d differs from schema type %s",
                                  f->name, i, leaf->path, (int)m->type, pq_physical_name(leaf->physical));
            if (m->num_values < 0 || m->total_compressed_size < 0)
                return os_err_set(err, OS_ECORRUPT, "%s: row group %zu column %s has negative sizes",
                                  f->name, i, leaf->path);
        }
        if (rg->num_rows > INT64_MAX - total)
            return os_err_set(err, OS_ECORRUPT, "%s: row counts overflow", f->name);
        total += rg->num_rows;
    }
    return 0;
}

pq_file *pq_file_open(const pq_source *src, const pq_options *opts, os_err *err)
{
    const char *name = src->name ? src->name : "(parquet)";
    uint8_t tail[8], head[4];
    if (src->size < 12) {
        os_err_set(err, OS_ECORRUPT, "%s: too small to be a Parquet file (%llu bytes)", name,
                   (unsigned long long)src->size);
        return NULL;
    }
    if (src->read_at(src->ctx, src->size - 8, 8, tail, err) ||
        src->read_at(src->ctx, 0, 4, head, err))
        return NULL;
    if (!memcmp(tail + 4, "PARE", 4)) {
        os_err_set(err, OS_EUNSUPPORTED, "%s: encrypted Parquet files are not supported", name);
        return NULL;
    }
    if (memcmp(tail + 4, "PAR1", 4) || memcmp(head, "PAR1", 4)) {
        os_err_set(err, OS_ECORRUPT, "%s: not a Parquet file (missing PAR1 magic at %s)", name,
                   memcmp(head, "PAR1", 4) ? "the start" : "the end");
        return NULL;
    }
    uint64_t flen = (uint64_t)tail[0] | (uint64_t)tail[1] << 8 | (uint64_t)tail[2] << 16 |
                    (uint64_t)tail[3] << 24;
    pq_file *f = calloc(1, sizeof *f);
    if (f == NULL) {
        os_err_set(err, OS_ENOMEM, "%s: out of memory", name);
        return NULL;
    }
    f->src = src;
    options_defaults(&f->opts, opts);
    f->name = os_arena_strdup(&f->arena, name);
    if (f->name == NULL) {
        f->name = name;
        os_err_set(err, OS_ENOMEM, "%s: out of memory", name);
        goto fail;
    }
    if (flen > src->size - 12) {
        os_err_set(err, OS_ECORRUPT, "%s: footer length %llu exceeds the file size %llu", name,
                   (unsigned long long)flen, (unsigned long long)src->size);
        goto fail;
    }
    if (flen > f->opts.max_footer_bytes) {
        os_err_set(err, OS_ELIMIT, "%s: footer of %llu bytes exceeds the limit of %llu", name,
                   (unsigned long long)flen, (unsigned long long)f->opts.max_footer_bytes);
        goto fail;
    }
    f->footer = malloc(flen ? flen : 1);
    if (f->footer == NULL) {
        os_err_set(err, OS_ENOMEM, "%s: out of memory for a %llu-byte footer", name, (unsigned long long)flen);
        goto fail;
    }
    if (src->read_at(src->ctx, src->size - 8 - flen, flen, f->footer, err))
        goto fail;
    if (pq_footer_decode(f, f->footer, flen, err) || pq_schema_build(f, err) || check_row_groups(f, err))
        goto fail;
    return f;
fail:
    pq_file_close(f);
    return NULL;
}

void pq_file_close(pq_file *f)
{
    if (f == NULL)
        return;
    free(f->footer);
    os_arena_free(&f->arena);
    free(f);
}

const pq_node *pq_file_schema(const pq_file *f) { return f->root; }
size_t pq_file_num_columns(const pq_file *f) { return f->nleaves; }
const pq_node *pq_file_column(const pq_file *f, size_t i) { return i < f->nleaves ? f->leaves[i] : NULL; }
int64_t pq_file_num_rows(const pq_file *f) { return f->num_rows; }
size_t pq_file_num_row_groups(const pq_file *f) { return f->nrgs; }
const char *pq_file_created_by(const pq_file *f) { return f->created_by; }
int32_t pq_file_version(const pq_file *f) { return f->version; }
size_t pq_file_num_kv(const pq_file *f) { return f->nkv; }
const char *pq_file_name(const pq_file *f) { return f->name; }

int64_t pq_file_row_group_num_rows(const pq_file *f, size_t rg)
{
    return rg < f->nrgs ? f->rgs[rg].num_rows : -1;
}

int pq_file_kv(const pq_file *f, size_t i, const char **key, const char **value)
{
    if (i >= f->nkv)
        return -1;
    *key = f->kv_keys[i];
    *value = f->kv_values[i];
    return 0;
}

static const pq_node *find_in(const pq_node *n, const char *path)
{
    if (n->parent && !strcmp(n->path, path))
        return n;
    size_t len = strlen(n->path);
    /* Descend only into nodes whose path is a prefix of the wanted one. */
    if (n->parent && (strncmp(path, n->path, len) || path[len] != '.'))
        return NULL;
    for (size_t i = 0; i < n->num_children; i++) {
        const pq_node *hit = find_in(n->children[i], path);
        if (hit)
            return hit;
    }
    return NULL;
}

const pq_node *pq_file_find(const pq_file *f, const char *dotted_path)
{
    return dotted_path && *dotted_path ? find_in(f->root, dotted_path) : NULL;
}

int pq_file_chunk_info(const pq_file *f, size_t rg, size_t col, pq_chunk_info *out, os_err *err)
{
    if (rg >= f->nrgs || col >= f->nleaves)
        return os_err_set(err, OS_EINVAL, "%s: no column chunk %zu in row group %zu", f->name, col, rg);
    const pq_col_meta *m = &f->rgs[rg].cols[col];
    out->codec = m->codec;
    out->num_values = m->num_values;
    out->total_compressed_size = m->total_compressed_size;
    out->total_uncompressed_size = m->total_uncompressed_size;
    out->data_page_offset = m->data_page_offset;
    out->dictionary_page_offset = m->dictionary_page_offset;
    out->stats = m->stats;
    return 0;
}

const char *pq_physical_name(pq_physical_type t)
{
    static const char *names[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE",
                                  "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    if (t == PQ_GROUP)
        return "GROUP";
    return t >= 0 && (size_t)t < sizeof names / sizeof names[0] ? names[t] : "UNKNOWN";
}

const char *pq_repetition_name(pq_repetition r)
{
    return r == PQ_REQUIRED ? "REQUIRED" : r == PQ_OPTIONAL ? "OPTIONAL" : "REPEATED";
}

const char *pq_logical_name(pq_logical_kind k)
{
    static const char *names[] = {"NONE", "STRING", "ENUM", "JSON", "BSON", "UUID", "DECIMAL",
                                  "DATE", "TIME", "TIMESTAMP", "INTEGER", "FLOAT16", "INTERVAL",
                                  "UNKNOWN", "LIST", "MAP", "VARIANT", "GEOMETRY", "GEOGRAPHY",
                                  "INT96_TIMESTAMP"};
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

const char *pq_codec_name(int32_t codec)
{
    static const char *names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
    return codec >= 0 && codec < 8 ? names[codec] : "UNKNOWN";
}

const pq_value *pq_value_field(const pq_value *v, const char *name)
{
    if (v == NULL || v->kind != PQ_VAL_STRUCT)
        return NULL;
    for (uint32_t i = 0; i < v->u.strct.n; i++)
        if (v->u.strct.fields[i].node && !strcmp(v->u.strct.fields[i].node->name, name))
            return &v->u.strct.fields[i];
    return NULL;
}
