/* codec.c - block decompression of container files: raw deflate, snappy with its CRC32, zstandard frames. */
#include "formats/avro/internal.h"

#include <snappy-c.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

/* Makes room for at least `need` bytes in *buf (never past max). */
static int grow(uint8_t **buf, size_t *cap, size_t need, size_t max, os_err *err)
{
    if (need <= *cap)
        return 0;
    if (need > max)
        return os_err_set(err, OS_ELIMIT, "the block decompresses to more than %zu bytes (max_block_bytes)", max);
    uint8_t *p = realloc(*buf, need);
    if (p == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory for a block of %zu bytes", need);
    *buf = p;
    *cap = need;
    return 0;
}

/* For streams of unknown output size: when the buffer is full, doubles it
 * (first guess: four times the input), up to one byte past max so that
 * output of exactly max bytes can be told from more. */
static int room(uint8_t **buf, size_t *cap, size_t out, size_t n, size_t max, os_err *err)
{
    if (out < *cap)
        return 0;
    size_t limit = max < SIZE_MAX ? max + 1 : max;
    if (*cap >= limit)
        return os_err_set(err, OS_ELIMIT, "the block decompresses to more than %zu bytes (max_block_bytes)", max);
    size_t want = *cap ? (*cap > limit / 2 ? limit : *cap * 2) : (n > limit / 4 ? limit : n * 4 + 1024);
    if (want > limit)
        want = limit;
    return grow(buf, cap, want, limit, err);
}

static uInt chunk(size_t n)
{
    return n > (1u << 30) ? (1u << 30) : (uInt)n;
}

/* Raw deflate (RFC 1951, no zlib header), as Avro's "deflate" codec writes it.
 * Bytes after the end of the stream are ignored, as Java's Inflater does:
 * some writers leave three bytes of a zlib trailer there (fastavro, which
 * wrote Iceberg manifests for pyiceberg, cut zlib output with [2:-1]). */
static int inflate_raw(const uint8_t *src, size_t n, uint8_t **buf, size_t *cap, size_t max, size_t *out_len,
                       os_err *err)
{
    z_stream zs = {0};
    if (inflateInit2(&zs, -15) != Z_OK)
        return os_err_set(err, OS_ENOMEM, "cannot initialise zlib");
    size_t out = 0, in = 0;
    int ret = 0;
    for (;;) {
        if ((ret = room(buf, cap, out, n, max, err)) != 0)
            break;
        uInt ai = chunk(n - in), ao = chunk(*cap - out);
        zs.next_in = (Bytef *)(uintptr_t)(src + in);
        zs.avail_in = ai;
        zs.next_out = *buf + out;
        zs.avail_out = ao;
        int rc = inflate(&zs, Z_NO_FLUSH);
        in += ai - zs.avail_in;
        out += ao - zs.avail_out;
        if (rc == Z_STREAM_END)
            break;
        if (rc == Z_OK || (rc == Z_BUF_ERROR && zs.avail_out == 0))
            continue;
        if (rc == Z_BUF_ERROR)
            ret = os_err_set(err, OS_ECORRUPT, "the deflate data is cut off");
        else
            ret = os_err_set(err, OS_ECORRUPT, "invalid deflate data%s%s", zs.msg ? ": " : "", zs.msg ? zs.msg : "");
        break;
    }
    inflateEnd(&zs);
    if (ret)
        return -1;
    if (out > max)
        return os_err_set(err, OS_ELIMIT, "the block decompresses to more than %zu bytes (max_block_bytes)", max);
    *out_len = out;
    return 0;
}

/* Raw snappy followed by the CRC32 (big-endian) of the uncompressed bytes. */
static int unsnappy(const uint8_t *src, size_t n, uint8_t **buf, size_t *cap, size_t max, size_t *out_len,
                    os_err *err)
{
    if (n < 4)
        return os_err_set(err, OS_ECORRUPT, "a snappy block of %zu bytes has no room for its checksum", n);
    n -= 4;
    size_t len;
    if (snappy_uncompressed_length((const char *)src, n, &len) != SNAPPY_OK)
        return os_err_set(err, OS_ECORRUPT, "invalid snappy data (no length)");
    if (len > max)
        return os_err_set(err, OS_ELIMIT, "the block decompresses to %zu bytes, more than %zu (max_block_bytes)",
                          len, max);
    if (grow(buf, cap, len ? len : 1, len ? len : 1, err))
        return -1;
    size_t got = len;
    if (snappy_uncompress((const char *)src, n, (char *)*buf, &got) != SNAPPY_OK || got != len)
        return os_err_set(err, OS_ECORRUPT, "invalid snappy data");
    uint32_t want = (uint32_t)src[n] << 24 | (uint32_t)src[n + 1] << 16 | (uint32_t)src[n + 2] << 8 | src[n + 3];
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t off = 0; off < len;) {
        size_t chunk = len - off > (1u << 30) ? (1u << 30) : len - off;
        crc = crc32(crc, *buf + off, (uInt)chunk);
        off += chunk;
    }
    if ((uint32_t)crc != want)
        return os_err_set(err, OS_ECORRUPT, "snappy block checksum mismatch (CRC32 %08x, stored %08x)",
                          (unsigned)crc, (unsigned)want);
    *out_len = len;
    return 0;
}

/* One or more zstandard frames, their content size known or not. */
static int unzstd(const uint8_t *src, size_t n, uint8_t **buf, size_t *cap, size_t max, size_t *out_len,
                  os_err *err)
{
    ZSTD_DStream *zs = ZSTD_createDStream();
    if (zs == NULL)
        return os_err_set(err, OS_ENOMEM, "cannot initialise zstd");
    ZSTD_inBuffer in = {src, n, 0};
    size_t out = 0;
    int ret = 0;
    for (;;) {
        if ((ret = room(buf, cap, out, n, max, err)) != 0)
            break;
        ZSTD_outBuffer ob = {*buf, *cap, out};
        size_t in_before = in.pos;
        size_t rc = ZSTD_decompressStream(zs, &ob, &in);
        if (ZSTD_isError(rc)) {
            ret = os_err_set(err, OS_ECORRUPT, "invalid zstandard data: %s", ZSTD_getErrorName(rc));
            break;
        }
        if (in.pos == in_before && ob.pos == out && ob.pos < ob.size && rc != 0) {
            ret = os_err_set(err, OS_ECORRUPT, "the zstandard data makes no progress");
            break;
        }
        out = ob.pos;
        if (in.pos == n && rc == 0)
            break;   /* every frame complete and flushed */
        if (in.pos == n && ob.pos < ob.size) {
            ret = os_err_set(err, OS_ECORRUPT, "the zstandard data is cut off");
            break;
        }
    }
    ZSTD_freeDStream(zs);
    if (ret)
        return -1;
    if (out > max)
        return os_err_set(err, OS_ELIMIT, "the block decompresses to more than %zu bytes (max_block_bytes)", max);
    *out_len = out;
    return 0;
}

int avro_codec_decompress(avro_codec c, const uint8_t *src, size_t n, uint8_t **buf, size_t *cap,
                          size_t max, size_t *out_len, os_err *err)
{
    switch (c) {
    case AVRO_CODEC_DEFLATE: return inflate_raw(src, n, buf, cap, max, out_len, err);
    case AVRO_CODEC_SNAPPY: return unsnappy(src, n, buf, cap, max, out_len, err);
    case AVRO_CODEC_ZSTANDARD: return unzstd(src, n, buf, cap, max, out_len, err);
    case AVRO_CODEC_NULL: break;
    }
    return os_err_set(err, OS_EINTERNAL, "no decompression for codec %d", (int)c);
}
