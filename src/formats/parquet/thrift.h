/* thrift.h - a bounds-checked reader for the Thrift compact protocol (Parquet's footer and page headers). */
#ifndef OS_FORMATS_PARQUET_THRIFT_H
#define OS_FORMATS_PARQUET_THRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Compact-protocol type codes. */
enum {
    PQ_T_STOP = 0, PQ_T_TRUE = 1, PQ_T_FALSE = 2, PQ_T_BYTE = 3, PQ_T_I16 = 4,
    PQ_T_I32 = 5, PQ_T_I64 = 6, PQ_T_DOUBLE = 7, PQ_T_BINARY = 8, PQ_T_LIST = 9,
    PQ_T_SET = 10, PQ_T_MAP = 11, PQ_T_STRUCT = 12
};

#define PQ_THRIFT_MAX_DEPTH 32

/* A cursor over [p, end).  On the first failure `why` says what was wrong and
 * every later call fails too; callers turn that into an os_err. */
typedef struct pq_thrift {
    const uint8_t *p, *end, *start;
    int depth;
    const char *why;
} pq_thrift;

void pq_thrift_init(pq_thrift *t, const void *data, size_t len);
/* Bytes consumed so far. */
size_t pq_thrift_pos(const pq_thrift *t);

/* Reads the next field header of the current struct.  *last_id is the
 * caller's per-struct state (start it at 0).  Returns 1 with *id and *type,
 * 0 at the struct's STOP, -1 on malformed input. */
int pq_thrift_field(pq_thrift *t, int16_t *last_id, int16_t *id, int *type);
/* Value readers for a field or element of the given type; each returns 0 or
 * -1 (malformed input or a type that does not fit the wanted value). */
int pq_thrift_bool(pq_thrift *t, int type, bool *out);
int pq_thrift_i32(pq_thrift *t, int type, int32_t *out);
int pq_thrift_i64(pq_thrift *t, int type, int64_t *out);
/* A BINARY: *data points into the input, valid as long as it. */
int pq_thrift_binary(pq_thrift *t, int type, const uint8_t **data, uint32_t *len);
/* A LIST or SET header: element type and count (count <= bytes left). */
int pq_thrift_list(pq_thrift *t, int type, int *elem_type, uint32_t *count);
/* Enters / leaves a nested struct (depth bounded by PQ_THRIFT_MAX_DEPTH). */
int pq_thrift_struct_begin(pq_thrift *t, int type);
void pq_thrift_struct_end(pq_thrift *t);
/* Skips a value of any type (nesting bounded).  Returns 0 or -1. */
int pq_thrift_skip(pq_thrift *t, int type);

#endif
