/* internal.h - what the files of the avro module share (schema nodes, cursors, the decoder); not for other modules. */
#ifndef OS_FORMATS_AVRO_INTERNAL_H
#define OS_FORMATS_AVRO_INTERNAL_H

#include "formats/avro/avro.h"

#define AVRO_DEFAULT_MAX_BLOCK_BYTES ((size_t)64 << 20)
#define AVRO_DEFAULT_MAX_RECORD_BYTES ((size_t)64 << 20)
#define AVRO_DEFAULT_MAX_DEPTH 64
#define AVRO_DEFAULT_MAX_SCHEMA_BYTES ((size_t)4 << 20)

/* A schema node as the parser allocates it: the public part first, so an
 * `const avro_schema *` handed out by this module can be cast back. */
typedef struct avro_node {
    avro_schema pub;
    /* The fewest bytes one value of this type takes in the binary encoding
     * (a lower bound: a recursive reference counts 0).  Used to refuse block
     * counts that the remaining bytes cannot hold. */
    size_t min_bytes;
    bool done;                 /* the definition is complete (not being parsed) */
    bool *skip;                /* RECORD: fields read past without keeping them, or NULL */
} avro_node;

static inline const avro_node *avro_node_of(const avro_schema *s)
{
    return (const avro_node *)s;
}

/* Parses the writer schema (JSON text, len bytes) into nodes allocated in a.
 * Named types are resolved with namespaces; nesting deeper than max_depth is
 * refused.  Returns the top-level schema, or NULL with err (OS_ECORRUPT with a
 * message saying what is wrong, OS_ELIMIT, OS_ENOMEM); the message does not
 * name the file (the caller prefixes it). */
const avro_schema *avro_schema_parse(const char *json, size_t len, os_arena *a, size_t max_depth,
                                     os_err *err);

/* A read position over bytes that belong to someone else. */
typedef struct avro_cursor {
    const uint8_t *p;
    const uint8_t *end;
} avro_cursor;

/* Reads a zigzag varint long (at most 10 bytes).  Returns 0, or -1 with
 * OS_ECORRUPT when truncated or longer than 64 bits. */
int avro_read_long(avro_cursor *c, int64_t *v, os_err *err);

/* Decodes values from a cursor into an arena, within a record's budget. */
typedef struct avro_decoder {
    avro_cursor cur;
    os_arena *arena;
    size_t arena_start;        /* arena->total when the record began */
    size_t skipped;            /* arena bytes skipped values would have taken */
    size_t max_record_bytes;
    size_t max_depth;
    os_err *err;
} avro_decoder;

/* Decodes one value of schema s into *out (zeroed by the caller).  depth is
 * the nesting of the value (0 for a record of the file).  Returns 0, or -1
 * with d->err (OS_ECORRUPT, OS_ELIMIT, OS_ENOMEM) whose message names the
 * path of fields down to the fault. */
int avro_decode_value(avro_decoder *d, const avro_schema *s, avro_value *out, size_t depth);

/* Codec identifiers of a container file. */
typedef enum avro_codec {
    AVRO_CODEC_NULL = 0,
    AVRO_CODEC_DEFLATE,
    AVRO_CODEC_SNAPPY,
    AVRO_CODEC_ZSTANDARD
} avro_codec;

/* Decompresses one block src[0..n) of codec c into *buf (malloc'd, grown as
 * needed, capacity in *cap, owned by the caller), refusing more than max
 * bytes.  *out_len gets the size.  Not called for AVRO_CODEC_NULL.  Returns 0,
 * or -1 with OS_ECORRUPT (bad data, snappy checksum mismatch), OS_ELIMIT,
 * OS_ENOMEM; the message does not name the file. */
int avro_codec_decompress(avro_codec c, const uint8_t *src, size_t n, uint8_t **buf, size_t *cap,
                          size_t max, size_t *out_len, os_err *err);

#endif
