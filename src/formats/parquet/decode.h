/* decode.h - value and level decoders shared by the page reader (internal to the parquet module). */
#ifndef OS_FORMATS_PARQUET_DECODE_H
#define OS_FORMATS_PARQUET_DECODE_H

#include "formats/parquet/internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the parquet decoders assume a little-endian host"
#endif

/* A list of malloc'd blocks freed together (page buffers that values point into). */
typedef struct pq_blocks {
    void **ptrs;
    size_t n, cap;
} pq_blocks;

/* Returns size bytes (uninitialised) owned by b, or NULL when out of memory. */
void *pq_blocks_alloc(pq_blocks *b, size_t size);
/* Keeps ptr (from malloc) to be freed with b; on failure frees ptr and returns -1. */
int pq_blocks_adopt(pq_blocks *b, void *ptr);
void pq_blocks_free(pq_blocks *b);

/* A buffer reused from page to page whose contents need not survive growing
 * (growing frees and allocates: no copy). */
typedef struct pq_scratch {
    void *p;
    size_t cap;
} pq_scratch;

/* Returns room for n bytes (at least 1), reusing s when it is big enough, or
 * NULL when out of memory (s is then empty). */
void *pq_scratch_get(pq_scratch *s, size_t n);
void pq_scratch_free(pq_scratch *s);

/* Size of one decoded value of a physical type in pq_column_data.values. */
size_t pq_value_size(pq_physical_type t);

/* encoding_rle.c ----------------------------------------------------------- */

/* Decodes n values of the RLE/bit-packed hybrid (width bw, 0..32) from
 * [p, p+len) into out8 (when not NULL; values must fit a byte) or out32.
 * *used (may be NULL) receives the bytes consumed.  Returns 0, or -1 with err
 * when the data ends early or a value is too wide. */
int pq_rle_decode(const uint8_t *p, size_t len, int bw, uint8_t *out8, uint32_t *out32, size_t n,
                  size_t *used, os_err *err);
/* Decodes n levels of the deprecated BIT_PACKED encoding (most significant bit first). */
int pq_bitpacked_levels(const uint8_t *p, size_t len, int bw, uint8_t *out, size_t n, os_err *err);
/* Bits needed for values up to max (0 for 0). */
int pq_bit_width(uint32_t max);
/* Unpacks n little-endian bit-packed values of width bw (1..32); the caller
 * guarantees ceil(n*bw/8) bytes are readable at in (in_len bytes in all). */
void pq_unpack32(const uint8_t *in, size_t in_len, int bw, uint32_t *out, size_t n);
void pq_unpack64(const uint8_t *in, size_t in_len, int bw, uint64_t *out, size_t n);

/* encoding_plain.c --------------------------------------------------------- */

/* Decodes n PLAIN values of type t (fixed length len for FLBA) into out
 * (pq_value_size(t) bytes each); byte values point into p.  Returns the bytes
 * consumed, or -1 with err. */
long pq_plain_decode(pq_physical_type t, int32_t type_len, const uint8_t *p, size_t len, void *out,
                     size_t n, os_err *err);
/* BYTE_STREAM_SPLIT for FLOAT, DOUBLE, INT32, INT64, FIXED_LEN_BYTE_ARRAY.
 * FLBA values are rebuilt into memory from blocks.  Returns 0 or -1. */
int pq_bss_decode(pq_physical_type t, int32_t type_len, const uint8_t *p, size_t len, void *out,
                  size_t n, pq_blocks *blocks, os_err *err);
/* Copies dict[idx[i]] for i < n into out; -1 with err for an index >= dict_n. */
int pq_dict_gather(pq_physical_type t, const void *dict, size_t dict_n, const uint32_t *idx,
                   void *out, size_t n, os_err *err);

/* encoding_delta.c --------------------------------------------------------- */

/* DELTA_BINARY_PACKED: decodes exactly n values (int32 when is32, else int64)
 * into out; *used receives the bytes the stream occupies.  0 or -1 with err. */
int pq_delta_binary_decode(const uint8_t *p, size_t len, bool is32, void *out, size_t n,
                           size_t *used, os_err *err);
/* DELTA_LENGTH_BYTE_ARRAY into pq_bytes pointing into p.  0 or -1 with err. */
int pq_delta_length_decode(const uint8_t *p, size_t len, pq_bytes *out, size_t n, os_err *err);
/* DELTA_BYTE_ARRAY (incremental); values are rebuilt into memory from blocks,
 * at most max_bytes in all.  fixed_len > 0 checks each value's length. */
int pq_delta_byte_array_decode(const uint8_t *p, size_t len, pq_bytes *out, size_t n,
                               int32_t fixed_len, pq_blocks *blocks, uint64_t max_bytes, os_err *err);

/* codec.c ------------------------------------------------------------------ */

/* Decompresses exactly dst_len bytes from src with the given codec.  Returns 0,
 * or -1 with err (OS_EUNSUPPORTED for LZO/BROTLI/unknown, OS_ECORRUPT for bad
 * data or a size mismatch). */
int pq_codec_decompress(int32_t codec, const uint8_t *src, size_t src_len, uint8_t *dst,
                        size_t dst_len, os_err *err);

#endif
