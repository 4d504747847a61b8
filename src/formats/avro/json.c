/* json.c - decoded Avro values as JSON text (records as objects, unions unwrapped, bytes as code points). */
#include "formats/avro/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jw.h"

/* The shortest decimal that reads back as the same double (or, for a float,
 * the same float); NaN and infinities as strings. */
static int put_number(os_buf *out, double d, bool is_float)
{
    if (isnan(d))
        return os_buf_puts(out, "\"NaN\"");
    if (isinf(d))
        return os_buf_puts(out, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    char tmp[40];
    int max = is_float ? 9 : 17;
    for (int prec = 1; prec <= max; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        double back = strtod(tmp, NULL);
        if (is_float ? (float)back == (float)d : back == d)
            break;
    }
    return os_buf_puts(out, tmp);
}

/* Bytes as a JSON string whose code points are the byte values (Avro's JSON
 * encoding of bytes and fixed): Latin-1 to UTF-8, then the one escaper. */
static int put_bytes(os_buf *out, const uint8_t *p, size_t n)
{
    size_t wide = 0;
    for (size_t i = 0; i < n; i++)
        wide += p[i] >= 0x80;
    if (wide == 0)
        return jw_escape(out, (const char *)p, n);
    char *u = malloc(n + wide);
    if (u == NULL)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x80) {
            u[k++] = (char)p[i];
        } else {
            u[k++] = (char)(0xc0 | p[i] >> 6);
            u[k++] = (char)(0x80 | (p[i] & 0x3f));
        }
    }
    int rc = jw_escape(out, u, k);
    free(u);
    return rc;
}

static int put_value(os_buf *out, const avro_value *v)
{
    switch (v->type) {
    case AVRO_NULL: return os_buf_puts(out, "null");
    case AVRO_BOOLEAN: return os_buf_puts(out, v->b ? "true" : "false");
    case AVRO_INT:
    case AVRO_LONG: return os_buf_put_i64(out, v->l);
    case AVRO_FLOAT: return put_number(out, v->d, true);
    case AVRO_DOUBLE: return put_number(out, v->d, false);
    case AVRO_STRING:
    case AVRO_ENUM: return jw_escape(out, (const char *)v->bytes, v->len);
    case AVRO_BYTES:
    case AVRO_FIXED: return put_bytes(out, v->bytes, v->len);
    case AVRO_RECORD:
    case AVRO_MAP: {
        if (os_buf_putc(out, '{'))
            return -1;
        for (size_t i = 0; i < v->n; i++) {
            if (i && os_buf_putc(out, ','))
                return -1;
            const char *k = v->type == AVRO_MAP ? (const char *)v->keys[i].bytes : v->schema->fields[i].name;
            size_t kl = v->type == AVRO_MAP ? v->keys[i].len : strlen(k);
            if (jw_escape(out, k, kl) || os_buf_putc(out, ':') || put_value(out, &v->items[i]))
                return -1;
        }
        return os_buf_putc(out, '}');
    }
    case AVRO_ARRAY:
        if (os_buf_putc(out, '['))
            return -1;
        for (size_t i = 0; i < v->n; i++)
            if ((i && os_buf_putc(out, ',')) || put_value(out, &v->items[i]))
                return -1;
        return os_buf_putc(out, ']');
    case AVRO_UNION: break;   /* decoded values never hold a union */
    }
    return os_buf_puts(out, "null");
}

int avro_value_to_json(const avro_value *v, os_buf *out, os_err *err)
{
    if (put_value(out, v))
        return os_err_set(err, OS_ENOMEM, "out of memory writing JSON");
    return 0;
}
