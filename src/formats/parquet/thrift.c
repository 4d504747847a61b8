/* thrift.c - Thrift compact protocol decoding with bounds checks and unknown-field skipping. */
#include "formats/parquet/thrift.h"

#include <string.h>

static int fail(pq_thrift *t, const char *why)
{
    if (t->why == NULL)
        t->why = why;
    t->p = t->end;
    return -1;
}

void pq_thrift_init(pq_thrift *t, const void *data, size_t len)
{
    t->start = t->p = data;
    t->end = t->p + len;
    t->depth = 0;
    t->why = NULL;
}

size_t pq_thrift_pos(const pq_thrift *t)
{
    return (size_t)(t->p - t->start);
}

static int read_varint(pq_thrift *t, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (t->p >= t->end)
            return fail(t, "truncated varint");
        uint8_t b = *t->p++;
        if (shift == 63 && (b & 0x7e))
            return fail(t, "varint overflows 64 bits");
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return fail(t, "varint too long");
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int pq_thrift_field(pq_thrift *t, int16_t *last_id, int16_t *id, int *type)
{
    if (t->why)
        return -1;
    if (t->p >= t->end)
        return fail(t, "truncated struct");
    uint8_t b = *t->p++;
    if (b == 0)
        return 0;
    *type = b & 0x0f;
    int delta = b >> 4;
    if (delta) {
        int v = *last_id + delta;
        if (v > INT16_MAX)
            return fail(t, "field id out of range");
        *id = (int16_t)v;
    } else {
        uint64_t v;
        if (read_varint(t, &v))
            return -1;
        int64_t s = unzigzag(v);
        if (s < INT16_MIN || s > INT16_MAX)
            return fail(t, "field id out of range");
        *id = (int16_t)s;
    }
    if (*type > PQ_T_STRUCT)
        return fail(t, "unknown field type");
    *last_id = *id;
    return 1;
}

int pq_thrift_bool(pq_thrift *t, int type, bool *out)
{
    if (type == PQ_T_TRUE || type == PQ_T_FALSE) {
        *out = type == PQ_T_TRUE;
        return t->why ? -1 : 0;
    }
    return fail(t, "expected a bool");
}

int pq_thrift_i64(pq_thrift *t, int type, int64_t *out)
{
    if (type == PQ_T_BYTE) {
        if (t->p >= t->end)
            return fail(t, "truncated byte");
        *out = (int8_t)*t->p++;
        return 0;
    }
    if (type != PQ_T_I16 && type != PQ_T_I32 && type != PQ_T_I64)
        return fail(t, "expected an integer");
    uint64_t v;
    if (read_varint(t, &v))
        return -1;
    *out = unzigzag(v);
    return 0;
}

int pq_thrift_i32(pq_thrift *t, int type, int32_t *out)
{
    int64_t v;
    if (pq_thrift_i64(t, type, &v))
        return -1;
    if (v < INT32_MIN || v > INT32_MAX)
        return fail(t, "i32 out of range");
    *out = (int32_t)v;
    return 0;
}

int pq_thrift_binary(pq_thrift *t, int type, const uint8_t **data, uint32_t *len)
{
    if (type != PQ_T_BINARY)
        return fail(t, "expected binary");
    uint64_t n;
    if (read_varint(t, &n))
        return -1;
    if (n > (uint64_t)(t->end - t->p))
        return fail(t, "binary length past the end");
    *data = t->p;
    *len = (uint32_t)n;
    t->p += n;
    return 0;
}

int pq_thrift_list(pq_thrift *t, int type, int *elem_type, uint32_t *count)
{
    if (type != PQ_T_LIST && type != PQ_T_SET)
        return fail(t, "expected a list");
    if (t->p >= t->end)
        return fail(t, "truncated list");
    uint8_t b = *t->p++;
    uint64_t n = b >> 4;
    *elem_type = b & 0x0f;
    if (n == 15 && read_varint(t, &n))
        return -1;
    if (*elem_type == PQ_T_FALSE)
        *elem_type = PQ_T_TRUE; /* booleans in lists are one byte each */
    if (*elem_type == PQ_T_STOP || *elem_type > PQ_T_STRUCT)
        return fail(t, "unknown list element type");
    if (n > (uint64_t)(t->end - t->p))
        return fail(t, "list count larger than the input");
    *count = (uint32_t)n;
    return 0;
}

int pq_thrift_struct_begin(pq_thrift *t, int type)
{
    if (type != PQ_T_STRUCT)
        return fail(t, "expected a struct");
    if (++t->depth > PQ_THRIFT_MAX_DEPTH)
        return fail(t, "structs nested too deeply");
    return t->why ? -1 : 0;
}

void pq_thrift_struct_end(pq_thrift *t)
{
    t->depth--;
}

/* A list element of type BOOL is a single byte (1 true, 2 or 0 false). */
static int skip_elem(pq_thrift *t, int type)
{
    if (type == PQ_T_TRUE) {
        if (t->p >= t->end)
            return fail(t, "truncated bool");
        t->p++;
        return 0;
    }
    return pq_thrift_skip(t, type);
}

int pq_thrift_skip(pq_thrift *t, int type)
{
    if (t->why)
        return -1;
    int64_t i;
    const uint8_t *d;
    uint32_t n;
    switch (type) {
    case PQ_T_TRUE:
    case PQ_T_FALSE:
        return 0;
    case PQ_T_BYTE:
    case PQ_T_I16:
    case PQ_T_I32:
    case PQ_T_I64:
        return pq_thrift_i64(t, type, &i);
    case PQ_T_DOUBLE:
        if (t->end - t->p < 8)
            return fail(t, "truncated double");
        t->p += 8;
        return 0;
    case PQ_T_BINARY:
        return pq_thrift_binary(t, type, &d, &n);
    case PQ_T_LIST:
    case PQ_T_SET: {
        int et;
        if (pq_thrift_list(t, type, &et, &n))
            return -1;
        if (++t->depth > PQ_THRIFT_MAX_DEPTH)
            return fail(t, "values nested too deeply");
        for (uint32_t k = 0; k < n; k++)
            if (skip_elem(t, et))
                return -1;
        t->depth--;
        return 0;
    }
    case PQ_T_MAP: {
        uint64_t cnt;
        if (read_varint(t, &cnt))
            return -1;
        if (cnt == 0)
            return 0;
        if (cnt > (uint64_t)(t->end - t->p))
            return fail(t, "map count larger than the input");
        if (t->p >= t->end)
            return fail(t, "truncated map");
        uint8_t kv = *t->p++;
        int kt = kv >> 4, vt = kv & 0x0f;
        if (kt == PQ_T_FALSE) kt = PQ_T_TRUE;
        if (vt == PQ_T_FALSE) vt = PQ_T_TRUE;
        if (kt == 0 || kt > PQ_T_STRUCT || vt == 0 || vt > PQ_T_STRUCT)
            return fail(t, "unknown map element type");
        if (++t->depth > PQ_THRIFT_MAX_DEPTH)
            return fail(t, "values nested too deeply");
        for (uint64_t k = 0; k < cnt; k++)
            if (skip_elem(t, kt) || skip_elem(t, vt))
                return -1;
        t->depth--;
        return 0;
    }
    case PQ_T_STRUCT: {
        if (pq_thrift_struct_begin(t, type))
            return -1;
        int16_t last = 0, id;
        int ft, rc;
        while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0)
            if (pq_thrift_skip(t, ft))
                return -1;
        pq_thrift_struct_end(t);
        return rc;
    }
    default:
        return fail(t, "unknown type");
    }
}
