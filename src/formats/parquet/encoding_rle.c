/* encoding_rle.c - the RLE/bit-packed hybrid (levels, dictionary indexes, booleans) and bit unpacking. */
#include "formats/parquet/decode.h"

#include <stdlib.h>
#include <string.h>

void *pq_blocks_alloc(pq_blocks *b, size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL || pq_blocks_adopt(b, p))
        return NULL;
    return p;
}

int pq_blocks_adopt(pq_blocks *b, void *ptr)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        void **np = realloc(b->ptrs, cap * sizeof *np);
        if (np == NULL) {
            free(ptr);
            return -1;
        }
        b->ptrs = np;
        b->cap = cap;
    }
    b->ptrs[b->n++] = ptr;
    return 0;
}

void pq_blocks_free(pq_blocks *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->ptrs[i]);
    free(b->ptrs);
    memset(b, 0, sizeof *b);
}

void *pq_scratch_get(pq_scratch *s, size_t n)
{
    if (s->p != NULL && n <= s->cap)
        return s->p;
    free(s->p);
    s->cap = n ? n : 1;
    s->p = malloc(s->cap);
    if (s->p == NULL)
        s->cap = 0;
    return s->p;
}

void pq_scratch_free(pq_scratch *s)
{
    free(s->p);
    s->p = NULL;
    s->cap = 0;
}

size_t pq_value_size(pq_physical_type t)
{
    switch (t) {
    case PQ_BOOLEAN: return 1;
    case PQ_INT32: case PQ_FLOAT: return 4;
    case PQ_INT64: case PQ_DOUBLE: return 8;
    default: return sizeof(pq_bytes);
    }
}

int pq_bit_width(uint32_t max)
{
    int w = 0;
    while (max) {
        w++;
        max >>= 1;
    }
    return w;
}

static inline uint64_t load64(const uint8_t *in, size_t in_len, size_t byte)
{
    uint64_t w = 0;
    if (byte + 8 <= in_len)
        memcpy(&w, in + byte, 8);
    else if (byte < in_len)
        memcpy(&w, in + byte, in_len - byte);
    return w;
}

void pq_unpack32(const uint8_t *in, size_t in_len, int bw, uint32_t *out, size_t n)
{
    const uint64_t mask = bw >= 32 ? 0xffffffffu : ((uint64_t)1 << bw) - 1;
    size_t bit = 0;
    if (bw == 1) {
        for (size_t i = 0; i < n; i++)
            out[i] = (in[i >> 3] >> (i & 7)) & 1;
        return;
    }
    for (size_t i = 0; i < n; i++, bit += (size_t)bw)
        out[i] = (uint32_t)((load64(in, in_len, bit >> 3) >> (bit & 7)) & mask);
}

void pq_unpack64(const uint8_t *in, size_t in_len, int bw, uint64_t *out, size_t n)
{
    if (bw <= 32 && bw > 0) {
        const uint64_t mask = ((uint64_t)1 << bw) - 1;
        size_t bit = 0;
        for (size_t i = 0; i < n; i++, bit += (size_t)bw)
            out[i] = (load64(in, in_len, bit >> 3) >> (bit & 7)) & mask;
        return;
    }
    /* Wider than 32 bits: assemble from up to two 64-bit words. */
    const uint64_t mask = bw >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bw) - 1;
    size_t bit = 0;
    for (size_t i = 0; i < n; i++, bit += (size_t)bw) {
        size_t byte = bit >> 3;
        unsigned sh = bit & 7;
        uint64_t lo = load64(in, in_len, byte);
        uint64_t v = lo >> sh;
        if (sh && (unsigned)bw + sh > 64)
            v |= load64(in, in_len, byte + 8) << (64 - sh);
        out[i] = v & mask;
    }
}

static int read_uvarint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

int pq_rle_decode(const uint8_t *p, size_t len, int bw, uint8_t *out8, uint32_t *out32, size_t n,
                  size_t *used, os_err *err)
{
    const uint8_t *start = p, *end = p + len;
    size_t done = 0;
    if (bw < 0 || bw > 32)
        return os_err_set(err, OS_ECORRUPT, "bit width %d is out of range", bw);
    if (out8 && bw > 8)
        return os_err_set(err, OS_ECORRUPT, "level bit width %d is too wide", bw);
    uint32_t tmp[256];
    while (done < n) {
        uint64_t h;
        if (read_uvarint(&p, end, &h))
            return os_err_set(err, OS_ECORRUPT, "RLE data ends after %zu of %zu values", done, n);
        if (h & 1) {
            uint64_t count = (h >> 1) * 8;
            if (count == 0)
                return os_err_set(err, OS_ECORRUPT, "empty bit-packed run");
            size_t take = count < n - done ? (size_t)count : n - done;
            size_t need = (take * (size_t)bw + 7) / 8;
            size_t avail = (size_t)(end - p);
            if (need > avail)
                return os_err_set(err, OS_ECORRUPT, "bit-packed run past the end of the data");
            if (bw == 0) {
                if (out8) memset(out8 + done, 0, take);
                else memset(out32 + done, 0, take * 4);
            } else if (out32) {
                pq_unpack32(p, avail, bw, out32 + done, take);
            } else {
                for (size_t k = 0; k < take; k += 256) {
                    size_t m = take - k < 256 ? take - k : 256;
                    pq_unpack32(p + (k * (size_t)bw) / 8, avail - (k * (size_t)bw) / 8, bw, tmp, m);
                    for (size_t j = 0; j < m; j++)
                        out8[done + k + j] = (uint8_t)tmp[j];
                }
            }
            size_t full = (size_t)(((h >> 1) * (uint64_t)bw) < avail ? (h >> 1) * (uint64_t)bw : avail);
            p += full;
            done += take;
        } else {
            uint64_t count = h >> 1;
            int nb = (bw + 7) / 8;
            if ((size_t)(end - p) < (size_t)nb)
                return os_err_set(err, OS_ECORRUPT, "RLE run value past the end of the data");
            uint32_t v = 0;
            for (int k = 0; k < nb; k++)
                v |= (uint32_t)p[k] << (8 * k);
            p += nb;
            if (bw < 32 && (v >> bw))
                return os_err_set(err, OS_ECORRUPT, "RLE value %u wider than %d bits", v, bw);
            size_t take = count < n - done ? (size_t)count : n - done;
            if (out8) {
                memset(out8 + done, (int)v, take);
            } else {
                for (size_t j = 0; j < take; j++)
                    out32[done + j] = v;
            }
            done += take;
        }
    }
    if (used)
        *used = (size_t)(p - start);
    return 0;
}

int pq_bitpacked_levels(const uint8_t *p, size_t len, int bw, uint8_t *out, size_t n, os_err *err)
{
    if (bw < 0 || bw > 8)
        return os_err_set(err, OS_ECORRUPT, "level bit width %d is too wide", bw);
    if (((uint64_t)n * (uint64_t)bw + 7) / 8 > len)
        return os_err_set(err, OS_ECORRUPT, "BIT_PACKED levels past the end of the page");
    size_t bit = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int k = 0; k < bw; k++, bit++)
            v = (v << 1) | ((p[bit >> 3] >> (7 - (bit & 7))) & 1);
        out[i] = (uint8_t)v;
    }
    return 0;
}
