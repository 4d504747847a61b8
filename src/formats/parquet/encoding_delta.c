/* encoding_delta.c - DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY. */
#include "formats/parquet/decode.h"

#include <stdlib.h>
#include <string.h>

#define MAX_BLOCK_VALUES (1u << 20)

static int uvarint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        if (shift == 63 && (b & 0x7e))
            return -1;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static int zvarint(const uint8_t **p, const uint8_t *end, int64_t *out)
{
    uint64_t v;
    if (uvarint(p, end, &v))
        return -1;
    *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
    return 0;
}

int pq_delta_binary_decode(const uint8_t *p, size_t len, bool is32, void *out, size_t n,
                           size_t *used, os_err *err)
{
    const uint8_t *start = p, *end = p + len;
    uint64_t block, nmini, total;
    int64_t first;
    if (uvarint(&p, end, &block) || uvarint(&p, end, &nmini) || uvarint(&p, end, &total) ||
        zvarint(&p, end, &first))
        return os_err_set(err, OS_ECORRUPT, "DELTA_BINARY_PACKED header is truncated");
    if (block == 0 || block % 128 || block > MAX_BLOCK_VALUES || nmini == 0 || block % nmini ||
        (block / nmini) % 32)
        return os_err_set(err, OS_ECORRUPT, "DELTA_BINARY_PACKED block of %llu values in %llu miniblocks is invalid",
                          (unsigned long long)block, (unsigned long long)nmini);
    if (total != n)
        return os_err_set(err, OS_ECORRUPT, "DELTA_BINARY_PACKED holds %llu values where %zu are expected",
                          (unsigned long long)total, n);
    size_t vpm = (size_t)(block / nmini);
    int32_t *o32 = is32 ? out : NULL;
    int64_t *o64 = is32 ? NULL : out;
    uint64_t prev = (uint64_t)first;
    size_t got = 0;
    if (n > 0) {
        if (is32) o32[0] = (int32_t)(uint32_t)prev;
        else o64[0] = (int64_t)prev;
        got = 1;
    }
    uint64_t tmp[512];
    while (got < n) {
        int64_t min_delta;
        if (zvarint(&p, end, &min_delta))
            return os_err_set(err, OS_ECORRUPT, "DELTA_BINARY_PACKED block header is truncated");
        if ((uint64_t)(end - p) < nmini)
            return os_err_set(err, OS_ECORRUPT, "DELTA_BINARY_PACKED bit widths are truncated");
        const uint8_t *widths = p;
        p += nmini;
        for (size_t m = 0; m < nmini && got < n; m++) {
            int bw = widths[m];
            /* Some writers (DuckDB) compute INT32 deltas in 64 bits and need 33;
             * the sum is the same modulo 2^32, so up to 64 is accepted for both. */
            if (bw > 64)
                return os_err_set(err, OS_ECORRUPT, "DELTA_BINARY_PACKED bit width %d is too wide", bw);
            size_t take = n - got < vpm ? n - got : vpm;
            size_t avail = (size_t)(end - p);
            size_t need = (take * (size_t)bw + 7) / 8;
            if (need > avail)
                return os_err_set(err, OS_ECORRUPT, "DELTA_BINARY_PACKED miniblock past the end of the data");
            for (size_t k = 0; k < take; k += 512) {
                size_t c = take - k < 512 ? take - k : 512;
                size_t off = k * (size_t)bw / 8;
                if (bw == 0)
                    memset(tmp, 0, c * sizeof tmp[0]);
                else
                    pq_unpack64(p + off, avail - off, bw, tmp, c);
                if (is32) {
                    for (size_t j = 0; j < c; j++) {
                        prev = (uint32_t)((uint32_t)prev + (uint32_t)min_delta + (uint32_t)tmp[j]);
                        o32[got++] = (int32_t)(uint32_t)prev;
                    }
                } else {
                    for (size_t j = 0; j < c; j++) {
                        prev = prev + (uint64_t)min_delta + tmp[j];
                        o64[got++] = (int64_t)prev;
                    }
                }
            }
            size_t full = vpm * (size_t)bw / 8;
            p += full < avail ? full : avail;
        }
    }
    if (used)
        *used = (size_t)(p - start);
    return 0;
}

int pq_delta_length_decode(const uint8_t *p, size_t len, pq_bytes *out, size_t n, os_err *err)
{
    int32_t *lens = malloc((n ? n : 1) * sizeof *lens);
    if (lens == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory for %zu lengths", n);
    size_t used;
    if (pq_delta_binary_decode(p, len, true, lens, n, &used, err)) {
        free(lens);
        return os_err_wrap(err, "DELTA_LENGTH_BYTE_ARRAY lengths");
    }
    size_t pos = used;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] < 0 || (size_t)lens[i] > len - pos) {
            free(lens);
            return os_err_set(err, OS_ECORRUPT, "DELTA_LENGTH_BYTE_ARRAY value %zu of %zu: bad length",
                              i, n);
        }
        out[i].ptr = p + pos;
        out[i].len = (uint32_t)lens[i];
        pos += (size_t)lens[i];
    }
    free(lens);
    return 0;
}

int pq_delta_byte_array_decode(const uint8_t *p, size_t len, pq_bytes *out, size_t n,
                               int32_t fixed_len, pq_blocks *blocks, uint64_t max_bytes, os_err *err)
{
    int32_t *pre = malloc((n ? n : 1) * sizeof *pre);
    pq_bytes *suf = malloc((n ? n : 1) * sizeof *suf);
    size_t used;
    int rc = -1;
    if (pre == NULL || suf == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory for %zu prefixes", n);
        goto done;
    }
    if (pq_delta_binary_decode(p, len, true, pre, n, &used, err)) {
        os_err_wrap(err, "DELTA_BYTE_ARRAY prefix lengths");
        goto done;
    }
    if (pq_delta_length_decode(p + used, len - used, suf, n, err)) {
        os_err_wrap(err, "DELTA_BYTE_ARRAY suffixes");
        goto done;
    }
    /* Size everything first, so a hostile prefix chain cannot blow up memory. */
    uint64_t total = 0, prev_len = 0;
    for (size_t i = 0; i < n; i++) {
        if (pre[i] < 0 || (uint64_t)pre[i] > prev_len) {
            os_err_set(err, OS_ECORRUPT, "DELTA_BYTE_ARRAY value %zu: prefix %d longer than the previous value",
                       i, (int)pre[i]);
            goto done;
        }
        prev_len = (uint64_t)pre[i] + suf[i].len;
        if (prev_len > UINT32_MAX || (fixed_len > 0 && prev_len != (uint64_t)fixed_len)) {
            os_err_set(err, OS_ECORRUPT, "DELTA_BYTE_ARRAY value %zu has a bad length", i);
            goto done;
        }
        total += prev_len;
        if (total > max_bytes) {
            os_err_set(err, OS_ELIMIT, "DELTA_BYTE_ARRAY values exceed %llu bytes", (unsigned long long)max_bytes);
            goto done;
        }
    }
    uint8_t *buf = pq_blocks_alloc(blocks, (size_t)total);
    if (buf == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory for DELTA_BYTE_ARRAY values");
        goto done;
    }
    const uint8_t *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t pl = (size_t)pre[i];
        if (pl)
            memcpy(buf, prev, pl);
        if (suf[i].len)
            memcpy(buf + pl, suf[i].ptr, suf[i].len);
        out[i].ptr = buf;
        out[i].len = (uint32_t)(pl + suf[i].len);
        prev = buf;
        buf += out[i].len;
    }
    rc = 0;
done:
    free(pre);
    free(suf);
    return rc;
}
