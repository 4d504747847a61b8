/* codec.c - page decompression through the system libraries: snappy, zlib, zstd, lz4. */
#include "formats/parquet/decode.h"

#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <string.h>

static int gzip_decompress(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len, os_err *err)
{
    z_stream zs = {0};
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return os_err_set(err, OS_ENOMEM, "cannot initialise zlib");
    size_t out = 0;
    const uint8_t *in = src;
    size_t in_left = src_len;
    int rc = Z_OK;
    /* Feed in slices so sizes above 4 GiB cannot overflow zlib's uInt. */
    while (out < dst_len || rc != Z_STREAM_END) {
        zs.next_in = (Bytef *)in;
        zs.avail_in = (uInt)(in_left > (1u << 30) ? (1u << 30) : in_left);
        zs.next_out = dst + out;
        zs.avail_out = (uInt)((dst_len - out) > (1u << 30) ? (1u << 30) : (dst_len - out));
        uInt ai = zs.avail_in, ao = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        in += ai - zs.avail_in;
        in_left -= ai - zs.avail_in;
        out += ao - zs.avail_out;
        if (rc == Z_STREAM_END) {
            /* Concatenated gzip members: continue with the next one. */
            if (in_left > 0 && out < dst_len) {
                if (inflateReset(&zs) != Z_OK)
                    break;
                rc = Z_OK;
                continue;
            }
            break;
        }
        if (rc != Z_OK || (ai == zs.avail_in && ao == zs.avail_out)) {
            inflateEnd(&zs);
            return os_err_set(err, OS_ECORRUPT, "invalid GZIP data%s%s", zs.msg ? ": " : "", zs.msg ? zs.msg : "");
        }
    }
    inflateEnd(&zs);
    if (out != dst_len || rc != Z_STREAM_END)
        return os_err_set(err, OS_ECORRUPT, "GZIP data decompresses to %zu bytes, expected %zu", out, dst_len);
    return 0;
}

/* Hadoop's LZ4 framing: blocks of [u32 BE raw size][u32 BE compressed size][raw LZ4 data]. */
static int lz4_hadoop(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    size_t in = 0, out = 0;
    while (in < src_len) {
        if (src_len - in < 8)
            return -1;
        uint32_t raw = (uint32_t)src[in] << 24 | (uint32_t)src[in + 1] << 16 |
                       (uint32_t)src[in + 2] << 8 | src[in + 3];
        uint32_t comp = (uint32_t)src[in + 4] << 24 | (uint32_t)src[in + 5] << 16 |
                        (uint32_t)src[in + 6] << 8 | src[in + 7];
        in += 8;
        if (comp > src_len - in || raw > dst_len - out || comp > INT32_MAX || raw > INT32_MAX)
            return -1;
        int n = LZ4_decompress_safe((const char *)src + in, (char *)dst + out, (int)comp, (int)raw);
        if (n < 0 || (uint32_t)n != raw)
            return -1;
        in += comp;
        out += raw;
    }
    return out == dst_len ? 0 : -1;
}

int pq_codec_decompress(int32_t codec, const uint8_t *src, size_t src_len, uint8_t *dst,
                        size_t dst_len, os_err *err)
{
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        if (src_len != dst_len)
            return os_err_set(err, OS_ECORRUPT, "uncompressed page of %zu bytes declares %zu", src_len, dst_len);
        if (dst_len)
            memcpy(dst, src, dst_len);
        return 0;
    case PQ_CODEC_SNAPPY: {
        size_t n;
        if (snappy_uncompressed_length((const char *)src, src_len, &n) != SNAPPY_OK)
            return os_err_set(err, OS_ECORRUPT, "invalid SNAPPY data");
        if (n != dst_len)
            return os_err_set(err, OS_ECORRUPT, "SNAPPY data decompresses to %zu bytes, expected %zu", n, dst_len);
        n = dst_len;
        if (snappy_uncompress((const char *)src, src_len, (char *)dst, &n) != SNAPPY_OK || n != dst_len)
            return os_err_set(err, OS_ECORRUPT, "invalid SNAPPY data");
        return 0;
    }
    case PQ_CODEC_GZIP:
        return gzip_decompress(src, src_len, dst, dst_len, err);
    case PQ_CODEC_ZSTD: {
        size_t n = ZSTD_decompress(dst, dst_len, src, src_len);
        if (ZSTD_isError(n))
            return os_err_set(err, OS_ECORRUPT, "invalid ZSTD data: %s", ZSTD_getErrorName(n));
        if (n != dst_len)
            return os_err_set(err, OS_ECORRUPT, "ZSTD data decompresses to %zu bytes, expected %zu", n, dst_len);
        return 0;
    }
    case PQ_CODEC_LZ4_RAW:
    case PQ_CODEC_LZ4: {
        if (src_len > INT32_MAX || dst_len > INT32_MAX)
            return os_err_set(err, OS_ELIMIT, "LZ4 page too large");
        if (codec == PQ_CODEC_LZ4 && lz4_hadoop(src, src_len, dst, dst_len) == 0)
            return 0;
        int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
        if (n < 0 || (size_t)n != dst_len)
            return os_err_set(err, OS_ECORRUPT, "invalid %s data", codec == PQ_CODEC_LZ4 ? "LZ4" : "LZ4_RAW");
        return 0;
    }
    case PQ_CODEC_LZO:
    case PQ_CODEC_BROTLI:
        return os_err_set(err, OS_EUNSUPPORTED, "compression codec %s is not supported", pq_codec_name(codec));
    default:
        return os_err_set(err, OS_EUNSUPPORTED, "unknown compression codec %d", (int)codec);
    }
}
