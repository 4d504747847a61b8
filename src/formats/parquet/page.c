/* page.c - one page of a column chunk: header, decompression, levels and values (v1, v2, dictionary). */
#include "formats/parquet/column.h"
#include "formats/parquet/thrift.h"

#include <stdlib.h>
#include <string.h>

typedef struct page_header {
    int32_t type;
    int32_t uncompressed_size, compressed_size;
    int32_t num_values, num_nulls, num_rows;
    int32_t encoding, def_encoding, rep_encoding;
    int32_t def_len, rep_len;
    bool is_compressed;
    bool has_data, has_dict, has_v2;
} page_header;

static int decode_sub(pq_thrift *t, int type, page_header *h, int which)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    int16_t last = 0, id;
    int ft, rc;
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        int32_t *dst = NULL;
        if (which == 0) { /* DataPageHeader */
            int32_t *map[] = {NULL, &h->num_values, &h->encoding, &h->def_encoding, &h->rep_encoding};
            if (id >= 1 && id <= 4) dst = map[id];
        } else if (which == 1) { /* DictionaryPageHeader */
            if (id == 1) dst = &h->num_values;
            else if (id == 2) dst = &h->encoding;
        } else { /* DataPageHeaderV2 */
            int32_t *map[] = {NULL, &h->num_values, &h->num_nulls, &h->num_rows, &h->encoding,
                              &h->def_len, &h->rep_len};
            if (id >= 1 && id <= 6) dst = map[id];
            if (id == 7 && (ft == PQ_T_TRUE || ft == PQ_T_FALSE)) {
                if (pq_thrift_bool(t, ft, &h->is_compressed))
                    return -1;
                continue;
            }
        }
        if (dst ? pq_thrift_i32(t, ft, dst) : pq_thrift_skip(t, ft))
            return -1;
    }
    pq_thrift_struct_end(t);
    return rc;
}

static int decode_header(pq_thrift *t, page_header *h)
{
    memset(h, 0, sizeof *h);
    h->type = -1;
    h->is_compressed = true;
    h->uncompressed_size = h->compressed_size = -1;
    if (pq_thrift_struct_begin(t, PQ_T_STRUCT))
        return -1;
    int16_t last = 0, id;
    int ft, rc;
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        switch (id) {
        case 1: rc = pq_thrift_i32(t, ft, &h->type); break;
        case 2: rc = pq_thrift_i32(t, ft, &h->uncompressed_size); break;
        case 3: rc = pq_thrift_i32(t, ft, &h->compressed_size); break;
        case 5: h->has_data = true; rc = decode_sub(t, ft, h, 0); break;
        case 7: h->has_dict = true; rc = decode_sub(t, ft, h, 1); break;
        case 8: h->has_v2 = true; rc = decode_sub(t, ft, h, 2); break;
        default: rc = pq_thrift_skip(t, ft); break;
        }
        if (rc)
            return -1;
    }
    pq_thrift_struct_end(t);
    return rc;
}

/* Takes `want` bytes of budget; -1 with err when the chunk's limit is exceeded. */
static int spend(pq_column *c, uint64_t want, os_err *err)
{
    if (want > c->budget)
        return os_err_set(err, OS_ELIMIT, "decoded size exceeds the limit for one column chunk");
    c->budget -= want;
    return 0;
}

/* Where buffers that a data page's values point into are kept: with the
 * chunk when it is decoded whole, else only until the next page. */
static pq_blocks *data_blocks(pq_column *c)
{
    return c->paged ? &c->page_blocks : &c->blocks;
}

/* Decompressed bytes of a page (or of its values section for v2).  When the
 * values will point into the buffer it is kept in `into`; with into NULL a
 * reusable scratch buffer is used. */
static const uint8_t *page_bytes(pq_column *c, int32_t codec, const uint8_t *src, size_t src_len,
                                 size_t dst_len, pq_blocks *into, os_err *err)
{
    if (codec == PQ_CODEC_UNCOMPRESSED) {
        if (src_len != dst_len) {
            os_err_set(err, OS_ECORRUPT, "uncompressed page of %zu bytes declares %zu", src_len, dst_len);
            return NULL;
        }
        c->chunk_pinned = true; /* the chunk now lives for the row group */
        return src;
    }
    uint8_t *dst;
    if (into != NULL) {
        if (spend(c, dst_len, err))
            return NULL;
        /* the paged mode's current page reuses one buffer: no fresh pages
         * for the kernel to fault in for every page of every row group */
        dst = into == &c->page_blocks ? pq_scratch_get(&c->page_buf, dst_len) : pq_blocks_alloc(into, dst_len);
    } else {
        dst = pq_scratch_get(&c->scratch, dst_len < 4096 ? 4096 : dst_len);
    }
    if (dst == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory for a %zu-byte page", dst_len);
        return NULL;
    }
    if (pq_codec_decompress(codec, src, src_len, dst, dst_len, err))
        return NULL;
    return dst;
}

/* Whether values decoded with `enc` point into the page buffer. */
static bool values_point_into_page(const pq_node *leaf, int32_t enc)
{
    bool bytes = leaf->physical == PQ_BYTE_ARRAY || leaf->physical == PQ_FIXED_LEN_BYTE_ARRAY ||
                 leaf->physical == PQ_INT96;
    return bytes && (enc == PQ_ENC_PLAIN || enc == PQ_ENC_DELTA_LENGTH_BYTE_ARRAY);
}

static int decode_levels(const uint8_t **p, const uint8_t *end, int32_t enc, bool v1, size_t v2_len,
                         int max, uint8_t *out, size_t n, const char *what, os_err *err)
{
    int bw = pq_bit_width((uint32_t)max);
    size_t avail = (size_t)(end - *p);
    if (!v1) {
        if (v2_len > avail)
            return os_err_set(err, OS_ECORRUPT, "%s levels past the end of the page", what);
        if (pq_rle_decode(*p, v2_len, bw, out, NULL, n, NULL, err))
            return os_err_wrap(err, "%s levels", what);
        *p += v2_len;
    } else if (enc == PQ_ENC_RLE) {
        if (avail < 4)
            return os_err_set(err, OS_ECORRUPT, "%s levels: length past the end of the page", what);
        uint32_t len;
        memcpy(&len, *p, 4);
        *p += 4;
        if (len > avail - 4)
            return os_err_set(err, OS_ECORRUPT, "%s levels: %u bytes past the end of the page", what, len);
        if (pq_rle_decode(*p, len, bw, out, NULL, n, NULL, err))
            return os_err_wrap(err, "%s levels", what);
        *p += len;
    } else if (enc == PQ_ENC_BIT_PACKED) {
        if (pq_bitpacked_levels(*p, avail, bw, out, n, err))
            return os_err_wrap(err, "%s levels", what);
        *p += ((uint64_t)n * (uint64_t)bw + 7) / 8;
    } else {
        return os_err_set(err, OS_EUNSUPPORTED, "%s level encoding %d is not supported", what, (int)enc);
    }
    for (size_t i = 0; i < n; i++)
        if (out[i] > max)
            return os_err_set(err, OS_ECORRUPT, "%s level %u exceeds the maximum %d", what, out[i], max);
    return 0;
}

static int decode_dictionary(pq_column *c, pq_file *f, const page_header *h, const uint8_t *data,
                             size_t len, os_err *err)
{
    const pq_node *leaf = c->leaf;
    if (c->has_dict)
        return os_err_set(err, OS_ECORRUPT, "second dictionary page in one column chunk");
    if (h->encoding != PQ_ENC_PLAIN && h->encoding != PQ_ENC_PLAIN_DICTIONARY)
        return os_err_set(err, OS_EUNSUPPORTED, "dictionary page encoding %d is not supported", (int)h->encoding);
    if (h->num_values < 0 || (uint64_t)h->num_values > (uint64_t)len * 8 + 8)
        return os_err_set(err, OS_ECORRUPT, "dictionary of %d values cannot fit in %zu bytes",
                          (int)h->num_values, len);
    size_t n = (size_t)h->num_values, vs = pq_value_size(leaf->physical);
    if (spend(c, (uint64_t)n * vs, err))
        return -1;
    void *dict = pq_blocks_alloc(&c->blocks, n * vs);
    if (dict == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory for a dictionary of %zu values", n);
    if (pq_plain_decode(leaf->physical, leaf->type_length, data, len, dict, n, err) < 0)
        return os_err_wrap(err, "dictionary");
    (void)f;
    c->dict = dict;
    c->dict_n = n;
    c->has_dict = true;
    return 0;
}

/* Decodes the n dictionary indexes of a page into c->idx.  0 or -1 with err. */
static int decode_indexes(pq_column *c, const uint8_t *p, size_t len, size_t n, os_err *err)
{
    if (!c->has_dict)
        return os_err_set(err, OS_ECORRUPT, "dictionary-encoded page without a dictionary page");
    if (n == 0)
        return 0;
    if (len < 1)
        return os_err_set(err, OS_ECORRUPT, "dictionary indexes missing");
    uint32_t *idx = pq_scratch_get(&c->idx, n * sizeof *idx);
    if (idx == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory for %zu dictionary indexes", n);
    if (pq_rle_decode(p + 1, len - 1, p[0], NULL, idx, n, NULL, err))
        return os_err_wrap(err, "dictionary indexes");
    return 0;
}

static int decode_values(pq_column *c, pq_file *f, int32_t enc, const uint8_t *p, size_t len,
                         size_t n, os_err *err)
{
    const pq_node *leaf = c->leaf;
    pq_physical_type t = leaf->physical;
    uint8_t *out = c->values + c->nvalues * pq_value_size(t);
    switch (enc) {
    case PQ_ENC_PLAIN:
        return pq_plain_decode(t, leaf->type_length, p, len, out, n, err) < 0 ? -1 : 0;
    case PQ_ENC_PLAIN_DICTIONARY:
    case PQ_ENC_RLE_DICTIONARY:
        if (decode_indexes(c, p, len, n, err))
            return -1;
        return n == 0 ? 0 : pq_dict_gather(t, c->dict, c->dict_n, c->idx.p, out, n, err);
    case PQ_ENC_RLE: {
        if (t != PQ_BOOLEAN)
            return os_err_set(err, OS_EUNSUPPORTED, "RLE values are only defined for BOOLEAN");
        if (len < 4)
            return os_err_set(err, OS_ECORRUPT, "RLE booleans: length missing");
        uint32_t l;
        memcpy(&l, p, 4);
        if (l > len - 4)
            return os_err_set(err, OS_ECORRUPT, "RLE booleans: %u bytes past the end of the page", l);
        if (pq_rle_decode(p + 4, l, 1, out, NULL, n, NULL, err))
            return os_err_wrap(err, "RLE booleans");
        return 0;
    }
    case PQ_ENC_DELTA_BINARY_PACKED:
        if (t != PQ_INT32 && t != PQ_INT64)
            return os_err_set(err, OS_ECORRUPT, "DELTA_BINARY_PACKED is not defined for %s", pq_physical_name(t));
        return pq_delta_binary_decode(p, len, t == PQ_INT32, out, n, NULL, err);
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        if (t != PQ_BYTE_ARRAY)
            return os_err_set(err, OS_ECORRUPT, "DELTA_LENGTH_BYTE_ARRAY is not defined for %s", pq_physical_name(t));
        return pq_delta_length_decode(p, len, (pq_bytes *)out, n, err);
    case PQ_ENC_DELTA_BYTE_ARRAY: {
        if (t != PQ_BYTE_ARRAY && t != PQ_FIXED_LEN_BYTE_ARRAY)
            return os_err_set(err, OS_ECORRUPT, "DELTA_BYTE_ARRAY is not defined for %s", pq_physical_name(t));
        uint64_t before = c->budget;
        if (pq_delta_byte_array_decode(p, len, (pq_bytes *)out, n,
                                       t == PQ_FIXED_LEN_BYTE_ARRAY ? leaf->type_length : 0,
                                       data_blocks(c), before, err))
            return -1;
        uint64_t used = 0;
        for (size_t i = 0; i < n; i++)
            used += ((pq_bytes *)out)[i].len;
        c->budget -= used <= before ? used : before;
        return 0;
    }
    case PQ_ENC_BYTE_STREAM_SPLIT:
        if (t == PQ_FIXED_LEN_BYTE_ARRAY && spend(c, (uint64_t)n * (uint64_t)leaf->type_length, err))
            return -1;
        return pq_bss_decode(t, leaf->type_length, p, len, out, n, data_blocks(c), err);
    default:
        (void)f;
        return os_err_set(err, OS_EUNSUPPORTED, "value encoding %d is not supported", (int)enc);
    }
}

static int decode_data(pq_column *c, pq_file *f, int32_t codec, const page_header *h,
                       const uint8_t *body, os_err *err)
{
    const pq_node *leaf = c->leaf;
    bool v2 = h->type == PQ_PAGE_DATA_V2;
    if (v2 ? !h->has_v2 : !h->has_data)
        return os_err_set(err, OS_ECORRUPT, "data page without its header");
    if (h->num_values < 0)
        return os_err_set(err, OS_ECORRUPT, "negative value count");
    size_t n = (size_t)h->num_values;
    if (n > c->limit - c->before - c->nlevels)
        return os_err_set(err, OS_ECORRUPT, "pages hold more values than the column chunk declares (%zu)",
                          c->limit);
    if (pq_column_reserve_levels(c, c->nlevels + n, err))
        return -1;
    size_t usize = (size_t)h->uncompressed_size, csize = (size_t)h->compressed_size;
    const uint8_t *p, *end;
    const uint8_t *levels_p = NULL, *levels_end = NULL;
    pq_blocks *keep = values_point_into_page(leaf, h->encoding) ? data_blocks(c) : NULL;
    if (!v2) {
        p = page_bytes(c, codec, body, csize, usize, keep, err);
        if (p == NULL)
            return -1;
        end = p + usize;
        levels_p = p;
        levels_end = end;
    } else {
        if (h->def_len < 0 || h->rep_len < 0 || (size_t)h->def_len + (size_t)h->rep_len > csize ||
            (size_t)h->def_len + (size_t)h->rep_len > usize)
            return os_err_set(err, OS_ECORRUPT, "v2 level lengths exceed the page size");
        size_t lv = (size_t)h->def_len + (size_t)h->rep_len;
        levels_p = body;
        levels_end = body + lv;
        bool comp = h->is_compressed && codec != PQ_CODEC_UNCOMPRESSED;
        p = comp ? page_bytes(c, codec, body + lv, csize - lv, usize - lv, keep, err)
                 : page_bytes(c, PQ_CODEC_UNCOMPRESSED, body + lv, csize - lv, usize - lv, keep, err);
        if (p == NULL)
            return -1;
        end = p + (usize - lv);
    }
    /* Levels. */
    if (leaf->max_rep > 0) {
        if (decode_levels(&levels_p, levels_end, h->rep_encoding, !v2, (size_t)h->rep_len, leaf->max_rep,
                          c->rep + c->nlevels, n, "repetition", err))
            return -1;
    } else if (v2) {
        levels_p += h->rep_len;
    }
    size_t nonnull = n;
    if (leaf->max_def > 0) {
        if (decode_levels(&levels_p, levels_end, h->def_encoding, !v2, (size_t)h->def_len, leaf->max_def,
                          c->def + c->nlevels, n, "definition", err))
            return -1;
        const uint8_t *d = c->def + c->nlevels;
        uint8_t maxd = (uint8_t)leaf->max_def;
        nonnull = 0;
        for (size_t i = 0; i < n; i++)
            nonnull += d[i] == maxd;
    }
    if (!v2)
        p = levels_p; /* v1: values follow the levels in the same buffer */
    c->pg_lazy = 0;
    if (c->paged && h->encoding == PQ_ENC_PLAIN && leaf->physical != PQ_BOOLEAN) {
        /* decoded batch by batch; the bytes stay where they are until the next page */
        c->pg_lazy = PQ_LAZY_PLAIN;
        c->pg_p = p;
        c->pg_len = (size_t)(end - p);
        c->pg_off = 0;
    } else if (c->paged && (h->encoding == PQ_ENC_PLAIN_DICTIONARY || h->encoding == PQ_ENC_RLE_DICTIONARY)) {
        c->pg_lazy = PQ_LAZY_DICT;
        if (decode_indexes(c, p, (size_t)(end - p), nonnull, err))
            return -1;
    } else {
        if (pq_column_reserve_values(c, c->nvalues + nonnull, err) ||
            decode_values(c, f, h->encoding, p, (size_t)(end - p), nonnull, err))
            return -1;
    }
    c->nlevels += n;
    c->nvalues += nonnull;
    return 0;
}

int pq_page_decode(pq_column *c, pq_file *f, int32_t codec, const uint8_t *p, size_t len,
                   size_t *consumed, os_err *err)
{
    pq_thrift t;
    page_header h;
    pq_thrift_init(&t, p, len);
    if (decode_header(&t, &h) != 0)
        return os_err_set(err, OS_ECORRUPT, "corrupt page header: %s", t.why ? t.why : "malformed thrift");
    size_t hlen = pq_thrift_pos(&t);
    if (h.compressed_size < 0 || h.uncompressed_size < 0 || (size_t)h.compressed_size > len - hlen)
        return os_err_set(err, OS_ECORRUPT, "page of %d bytes does not fit in the column chunk",
                          (int)h.compressed_size);
    if ((uint64_t)h.uncompressed_size > f->opts.max_page_bytes)
        return os_err_set(err, OS_ELIMIT, "page of %d uncompressed bytes exceeds the limit",
                          (int)h.uncompressed_size);
    *consumed = hlen + (size_t)h.compressed_size;
    const uint8_t *body = p + hlen;
    switch (h.type) {
    case PQ_PAGE_DICT: {
        if (!h.has_dict)
            return os_err_set(err, OS_ECORRUPT, "dictionary page without its header");
        const uint8_t *data = page_bytes(c, codec, body, (size_t)h.compressed_size,
                                         (size_t)h.uncompressed_size, &c->blocks, err);
        if (data == NULL)
            return -1;
        return decode_dictionary(c, f, &h, data, (size_t)h.uncompressed_size, err);
    }
    case PQ_PAGE_DATA:
    case PQ_PAGE_DATA_V2:
        return decode_data(c, f, codec, &h, body, err);
    default:
        return 0; /* index pages and unknown pages are skipped */
    }
}
