/* encoding_plain.c - PLAIN and BYTE_STREAM_SPLIT values, and dictionary lookups. */
#include "formats/parquet/decode.h"

#include <string.h>

long pq_plain_decode(pq_physical_type t, int32_t type_len, const uint8_t *p, size_t len, void *out,
                     size_t n, os_err *err)
{
    switch (t) {
    case PQ_BOOLEAN: {
        if ((n + 7) / 8 > len)
            return os_err_set(err, OS_ECORRUPT, "PLAIN booleans past the end of the page");
        uint8_t *o = out;
        for (size_t i = 0; i < n; i++)
            o[i] = (p[i >> 3] >> (i & 7)) & 1;
        return (long)((n + 7) / 8);
    }
    case PQ_INT32:
    case PQ_FLOAT:
    case PQ_INT64:
    case PQ_DOUBLE: {
        size_t w = (t == PQ_INT32 || t == PQ_FLOAT) ? 4 : 8;
        if (n > len / w)
            return os_err_set(err, OS_ECORRUPT, "PLAIN values past the end of the page (%zu values, %zu bytes)",
                              n, len);
        memcpy(out, p, n * w);
        return (long)(n * w);
    }
    case PQ_INT96:
    case PQ_FIXED_LEN_BYTE_ARRAY: {
        size_t w = t == PQ_INT96 ? 12 : (size_t)type_len;
        if (w == 0 || n > len / w)
            return os_err_set(err, OS_ECORRUPT, "PLAIN fixed-length values past the end of the page");
        pq_bytes *o = out;
        for (size_t i = 0; i < n; i++) {
            o[i].ptr = p + i * w;
            o[i].len = (uint32_t)w;
        }
        return (long)(n * w);
    }
    case PQ_BYTE_ARRAY: {
        pq_bytes *o = out;
        size_t pos = 0;
        for (size_t i = 0; i < n; i++) {
            if (len - pos < 4)
                return os_err_set(err, OS_ECORRUPT, "PLAIN byte array %zu of %zu: length past the end of the page",
                                  i, n);
            /* The walk is a chain of dependent loads through a page that is
             * rarely still in cache: asking for the bytes ahead keeps it from
             * waiting on memory at every value.  (A prefetch never faults.) */
            __builtin_prefetch(p + pos + 256);
            uint32_t l;
            memcpy(&l, p + pos, 4);
            pos += 4;
            if (l > len - pos)
                return os_err_set(err, OS_ECORRUPT, "PLAIN byte array %zu of %zu: %u bytes past the end of the page",
                                  i, n, l);
            o[i].ptr = p + pos;
            o[i].len = l;
            pos += l;
        }
        return (long)pos;
    }
    default:
        return os_err_set(err, OS_ECORRUPT, "unknown physical type %d", (int)t);
    }
}

int pq_bss_decode(pq_physical_type t, int32_t type_len, const uint8_t *p, size_t len, void *out,
                  size_t n, pq_blocks *blocks, os_err *err)
{
    size_t w;
    switch (t) {
    case PQ_INT32: case PQ_FLOAT: w = 4; break;
    case PQ_INT64: case PQ_DOUBLE: w = 8; break;
    case PQ_FIXED_LEN_BYTE_ARRAY: w = (size_t)type_len; break;
    default:
        return os_err_set(err, OS_ECORRUPT, "BYTE_STREAM_SPLIT is not defined for %s", pq_physical_name(t));
    }
    if (w == 0 || len % w != 0 || len / w < n)
        return os_err_set(err, OS_ECORRUPT, "BYTE_STREAM_SPLIT data of %zu bytes does not hold %zu values of %zu bytes",
                          len, n, w);
    size_t stride = len / w; /* values present in the page data */
    uint8_t *dst;
    if (t == PQ_FIXED_LEN_BYTE_ARRAY) {
        dst = pq_blocks_alloc(blocks, n * w);
        if (dst == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory for BYTE_STREAM_SPLIT values");
    } else {
        dst = out;
    }
    for (size_t k = 0; k < w; k++) {
        const uint8_t *s = p + k * stride;
        for (size_t i = 0; i < n; i++)
            dst[i * w + k] = s[i];
    }
    if (t == PQ_FIXED_LEN_BYTE_ARRAY) {
        pq_bytes *o = out;
        for (size_t i = 0; i < n; i++) {
            o[i].ptr = dst + i * w;
            o[i].len = (uint32_t)w;
        }
    }
    return 0;
}

int pq_dict_gather(pq_physical_type t, const void *dict, size_t dict_n, const uint32_t *idx,
                   void *out, size_t n, os_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= dict_n)
            return os_err_set(err, OS_ECORRUPT, "dictionary index %u out of range (dictionary has %zu entries)",
                              idx[i], dict_n);
    switch (pq_value_size(t)) {
    case 1: {
        const uint8_t *d = dict;
        uint8_t *o = out;
        for (size_t i = 0; i < n; i++)
            o[i] = d[idx[i]];
        break;
    }
    case 4: {
        const uint32_t *d = dict;
        uint32_t *o = out;
        for (size_t i = 0; i < n; i++)
            o[i] = d[idx[i]];
        break;
    }
    case 8: {
        const uint64_t *d = dict;
        uint64_t *o = out;
        for (size_t i = 0; i < n; i++)
            o[i] = d[idx[i]];
        break;
    }
    default: {
        const pq_bytes *d = dict;
        pq_bytes *o = out;
        for (size_t i = 0; i < n; i++)
            o[i] = d[idx[i]];
        break;
    }
    }
    return 0;
}
