/* iceberg_delta.c - Iceberg types, partition values and column bounds written the way Delta writes them (schemaString, partitionValues, stats). */
#include "sharing/iceberg_delta.h"

#include <stdint.h>
#include <string.h>

#include "json/jw.h"

/* ---- Delta types from Iceberg types ---------------------------------------- */

static const char *delta_primitive(const iceberg_type *t)
{
    switch (t->kind) {
    case ICE_BOOLEAN:
        return "boolean";
    case ICE_INT:
        return "integer";
    case ICE_LONG:
    case ICE_TIME:
        return "long";
    case ICE_FLOAT:
        return "float";
    case ICE_DOUBLE:
        return "double";
    case ICE_DATE:
        return "date";
    case ICE_TIMESTAMP:
    case ICE_TIMESTAMP_NS:
        return "timestamp_ntz";
    case ICE_TIMESTAMPTZ:
    case ICE_TIMESTAMPTZ_NS:
        return "timestamp";
    case ICE_STRING:
        return "string";
    case ICE_UNKNOWN:
        return "void";
    case ICE_VARIANT:
        return "variant";
    default:
        return "binary";   /* uuid, fixed, binary, geometry, geography */
    }
}


static json_t *delta_field(const iceberg_field *f, bool cm, bool *ntz)
{
    json_t *md = json_object();
    if (cm) {
        json_object_set_new(md, "delta.columnMapping.id", json_integer(f->id));
        json_object_set_new(md, "delta.columnMapping.physicalName", json_string(f->name));
    }
    if (f->doc)
        json_object_set_new(md, "comment", json_string(f->doc));
    return json_pack("{s:s,s:o,s:b,s:o}", "name", f->name, "type", ice_delta_type(f->type, cm, ntz),
                     "nullable", !f->required, "metadata", md);
}

json_t *ice_delta_type(const iceberg_type *t, bool cm, bool *ntz)
{
    switch (t->kind) {
    case ICE_STRUCT: {
        json_t *fields = json_array();
        for (size_t i = 0; i < t->n_fields; i++)
            json_array_append_new(fields, delta_field(&t->fields[i], cm, ntz));
        return json_pack("{s:s,s:o}", "type", "struct", "fields", fields);
    }
    case ICE_LIST:
        return json_pack("{s:s,s:o,s:b}", "type", "array", "elementType",
                         ice_delta_type(t->element.type, cm, ntz), "containsNull", !t->element.required);
    case ICE_MAP:
        return json_pack("{s:s,s:o,s:o,s:b}", "type", "map", "keyType", ice_delta_type(t->key.type, cm, ntz),
                         "valueType", ice_delta_type(t->value.type, cm, ntz), "valueContainsNull",
                         !t->value.required);
    case ICE_DECIMAL: {
        char s[32];
        snprintf(s, sizeof s, "decimal(%d,%d)", (int)t->precision, (int)t->scale);
        return json_string(s);
    }
    case ICE_TIMESTAMP:
    case ICE_TIMESTAMP_NS:
        *ntz = true;
        return json_string(delta_primitive(t));
    default:
        return json_string(delta_primitive(t));
    }
}

/* ---- values as Delta writes them ----------------------------------------------- */

/* Microseconds of a timestamp value, rounded down (or up when ceil) from nanoseconds. */
static int64_t micros_of(const iceberg_type *t, int64_t v, bool ceil)
{
    if (t->kind != ICE_TIMESTAMP_NS && t->kind != ICE_TIMESTAMPTZ_NS)
        return v;
    int64_t q = v / 1000, r = v % 1000;
    if (r < 0)
        q--, r += 1000;
    return (ceil && r) ? q + 1 : q;
}

static const iceberg_type MICROS_NTZ = {.kind = ICE_TIMESTAMP, .text = "timestamp"};
static const iceberg_type MICROS_TZ = {.kind = ICE_TIMESTAMPTZ, .text = "timestamptz"};

/* Delta's partition value text for v (not null). */
int ice_delta_partition_text(const iceberg_type *t, const iceberg_value *v, os_buf *out)
{
    iceberg_value x = *v;
    switch (t->kind) {
    case ICE_TIME:
        return os_buf_put_i64(out, v->i);
    case ICE_TIMESTAMP:
    case ICE_TIMESTAMP_NS:
        x.i = micros_of(t, v->i, false);
        return iceberg_value_to_text(&MICROS_NTZ, &x, false, out);
    case ICE_TIMESTAMPTZ:
    case ICE_TIMESTAMPTZ_NS:
        x.i = micros_of(t, v->i, false);
        return iceberg_value_to_text(&MICROS_TZ, &x, true, out);
    case ICE_UUID:
    case ICE_FIXED:
    case ICE_BINARY:
        /* Delta: binary partition values are strings of one character per byte. */
        for (size_t i = 0; i < v->len; i++) {
            unsigned c = v->bytes[i];
            int rc = c < 0x80 ? os_buf_putc(out, (char)c)
                              : (os_buf_putc(out, (char)(0xc0 | (c >> 6))) ||
                                 os_buf_putc(out, (char)(0x80 | (c & 0x3f))));
            if (rc != 0)
                return -1;
        }
        return 0;
    default:
        return iceberg_value_to_text(t, v, false, out);
    }
}

/* ---- statistics ------------------------------------------------------------------ */

/* The stats of field id, or NULL.  *hint: where to look first, then just
 * past the one found (a file lists its columns' stats in schema order, which
 * the callers walk, so the usual lookup is one comparison, not a scan). */
const iceberg_col_stats *ice_delta_stats_of(const iceberg_entry *e, int32_t id, size_t *hint)
{
    size_t h = *hint;
    if (h < e->n_stats && e->stats[h].field_id == id) {
        *hint = h + 1;
        return &e->stats[h];
    }
    for (size_t i = 0; i < e->n_stats; i++)
        if (e->stats[i].field_id == id) {
            *hint = i + 1;
            return &e->stats[i];
        }
    return NULL;
}

/* Writes the JSON value of one bound (min or max); 0 when the type has no
 * Delta statistic or the bound does not decode, 1 when written. */
int ice_delta_bound_json(const iceberg_type *t, const uint8_t *b, size_t n, bool is_max, os_buf *out,
                         os_buf *tmp)
{
    iceberg_value v;
    os_err ignore;
    if (iceberg_value_from_binary(t, b, n, &v, &ignore) != 0)
        return 0;
    os_buf_reset(tmp);
    switch (t->kind) {
    case ICE_INT:
    case ICE_LONG:
        return os_buf_put_i64(out, v.i) == 0;
    case ICE_FLOAT:
    case ICE_DOUBLE:
        if (v.d != v.d || v.d > 1.7976931348623157e308 || v.d < -1.7976931348623157e308)
            return 0;
        return iceberg_value_to_text(t, &v, false, out) == 0;
    case ICE_DECIMAL:
        return iceberg_value_to_text(t, &v, false, out) == 0;
    case ICE_DATE:
        if (iceberg_value_to_text(t, &v, false, tmp) != 0)
            return 0;
        jw_escape(out, tmp->data, tmp->len);
        return 1;
    case ICE_STRING:
        jw_escape(out, (const char *)v.bytes, v.len);
        return 1;
    case ICE_TIMESTAMP:
    case ICE_TIMESTAMP_NS:
    case ICE_TIMESTAMPTZ:
    case ICE_TIMESTAMPTZ_NS: {
        v.i = micros_of(t, v.i, is_max);
        bool tz = t->kind == ICE_TIMESTAMPTZ || t->kind == ICE_TIMESTAMPTZ_NS;
        if (iceberg_value_to_text(tz ? &MICROS_TZ : &MICROS_NTZ, &v, true, tmp) != 0)
            return 0;
        if (!tz && os_buf_puts(tmp, "") != 0)
            return 0;
        jw_escape(out, tmp->data, tmp->len);
        return 1;
    }
    default:
        return 0;
    }
}

