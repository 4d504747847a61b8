/* footer.c - decodes Parquet's FileMetaData (schema, row groups, column chunks, statistics, key-value metadata). */
#include "formats/parquet/internal.h"
#include "formats/parquet/thrift.h"

#include <string.h>

/* Every decoder below returns 0 or -1; on -1 the thrift cursor says why. */

static char *dup_str(pq_file *f, const uint8_t *p, uint32_t n)
{
    return os_arena_strndup(&f->arena, (const char *)p, n);
}

static int read_string(pq_file *f, pq_thrift *t, int type, const char **out)
{
    const uint8_t *p;
    uint32_t n;
    if (pq_thrift_binary(t, type, &p, &n))
        return -1;
    if ((*out = dup_str(f, p, n)) == NULL) {
        t->why = "out of memory";
        return -1;
    }
    return 0;
}

/* An empty struct (the marker types of LogicalType/TimeUnit unions). */
static int skip_struct(pq_thrift *t, int type)
{
    if (type != PQ_T_STRUCT) {
        t->why = t->why ? t->why : "expected a struct";
        return -1;
    }
    return pq_thrift_skip(t, type);
}

static int decode_time_unit(pq_thrift *t, int type, pq_time_unit *unit)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    int16_t last = 0, id;
    int ft, rc;
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        if (id >= 1 && id <= 3)
            *unit = (pq_time_unit)(id - 1);
        if (pq_thrift_skip(t, ft))
            return -1;
    }
    pq_thrift_struct_end(t);
    return rc;
}

/* TimeType / TimestampType: 1 isAdjustedToUTC, 2 unit. */
static int decode_time_type(pq_thrift *t, int type, pq_logical_type *lt)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    int16_t last = 0, id;
    int ft, rc;
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        if (id == 1 && (ft == PQ_T_TRUE || ft == PQ_T_FALSE))
            rc = pq_thrift_bool(t, ft, &lt->utc_adjusted);
        else if (id == 2)
            rc = decode_time_unit(t, ft, &lt->unit);
        else
            rc = pq_thrift_skip(t, ft);
        if (rc)
            return -1;
    }
    pq_thrift_struct_end(t);
    return rc;
}

static int decode_logical(pq_thrift *t, int type, pq_logical_type *lt)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    int16_t last = 0, id;
    int ft, rc;
    memset(lt, 0, sizeof *lt);
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        static const pq_logical_kind simple[] = {
            [1] = PQ_LT_STRING, [2] = PQ_LT_MAP, [3] = PQ_LT_LIST, [4] = PQ_LT_ENUM,
            [6] = PQ_LT_DATE, [11] = PQ_LT_NULL, [12] = PQ_LT_JSON, [13] = PQ_LT_BSON,
            [14] = PQ_LT_UUID, [15] = PQ_LT_FLOAT16, [16] = PQ_LT_VARIANT,
            [17] = PQ_LT_GEOMETRY, [18] = PQ_LT_GEOGRAPHY};
        if (id == 5) { /* DecimalType: 1 scale, 2 precision */
            lt->kind = PQ_LT_DECIMAL;
            if (pq_thrift_struct_begin(t, ft))
                return -1;
            int16_t l2 = 0, id2;
            int ft2;
            while ((rc = pq_thrift_field(t, &l2, &id2, &ft2)) > 0) {
                if (id2 == 1)
                    rc = pq_thrift_i32(t, ft2, &lt->scale);
                else if (id2 == 2)
                    rc = pq_thrift_i32(t, ft2, &lt->precision);
                else
                    rc = pq_thrift_skip(t, ft2);
                if (rc)
                    return -1;
            }
            if (rc < 0)
                return -1;
            pq_thrift_struct_end(t);
        } else if (id == 7 || id == 8) {
            lt->kind = id == 7 ? PQ_LT_TIME : PQ_LT_TIMESTAMP;
            if (decode_time_type(t, ft, lt))
                return -1;
        } else if (id == 10) { /* IntType: 1 bitWidth (i8), 2 isSigned */
            lt->kind = PQ_LT_INTEGER;
            if (pq_thrift_struct_begin(t, ft))
                return -1;
            int16_t l2 = 0, id2;
            int ft2;
            while ((rc = pq_thrift_field(t, &l2, &id2, &ft2)) > 0) {
                int32_t bw;
                if (id2 == 1) {
                    rc = pq_thrift_i32(t, ft2, &bw);
                    lt->bit_width = bw;
                } else if (id2 == 2 && (ft2 == PQ_T_TRUE || ft2 == PQ_T_FALSE)) {
                    rc = pq_thrift_bool(t, ft2, &lt->is_signed);
                } else {
                    rc = pq_thrift_skip(t, ft2);
                }
                if (rc)
                    return -1;
            }
            if (rc < 0)
                return -1;
            pq_thrift_struct_end(t);
        } else if (id > 0 && (size_t)id < sizeof simple / sizeof simple[0] && simple[id]) {
            lt->kind = simple[id];
            if (skip_struct(t, ft))
                return -1;
        } else {
            /* A logical type this reader does not know: keep the physical type. */
            if (pq_thrift_skip(t, ft))
                return -1;
        }
    }
    pq_thrift_struct_end(t);
    return rc;
}

static int decode_schema_elem(pq_file *f, pq_thrift *t, int type, pq_schema_elem *e)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    e->type = e->repetition = e->num_children = e->converted_type = e->field_id = -1;
    e->name = "";
    int16_t last = 0, id;
    int ft, rc;
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        switch (id) {
        case 1: rc = pq_thrift_i32(t, ft, &e->type); break;
        case 2: rc = pq_thrift_i32(t, ft, &e->type_length); break;
        case 3: rc = pq_thrift_i32(t, ft, &e->repetition); break;
        case 4: rc = read_string(f, t, ft, &e->name); break;
        case 5: rc = pq_thrift_i32(t, ft, &e->num_children); break;
        case 6: rc = pq_thrift_i32(t, ft, &e->converted_type); break;
        case 7: rc = pq_thrift_i32(t, ft, &e->scale); break;
        case 8: rc = pq_thrift_i32(t, ft, &e->precision); break;
        case 9: rc = pq_thrift_i32(t, ft, &e->field_id); break;
        case 10:
            e->has_logical = true;
            rc = decode_logical(t, ft, &e->logical);
            break;
        default: rc = pq_thrift_skip(t, ft); break;
        }
        if (rc)
            return -1;
    }
    pq_thrift_struct_end(t);
    return rc;
}

int pq_stats_decode(pq_thrift *t, int type, pq_stats *st)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    const uint8_t *min = NULL, *max = NULL, *minv = NULL, *maxv = NULL;
    uint32_t nmin = 0, nmax = 0, nminv = 0, nmaxv = 0;
    int16_t last = 0, id;
    int ft, rc;
    memset(st, 0, sizeof *st);
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        switch (id) {
        case 1: rc = pq_thrift_binary(t, ft, &max, &nmax); break;
        case 2: rc = pq_thrift_binary(t, ft, &min, &nmin); break;
        case 3: rc = pq_thrift_i64(t, ft, &st->null_count); st->has_null_count = true; break;
        case 4: rc = pq_thrift_i64(t, ft, &st->distinct_count); st->has_distinct_count = true; break;
        case 5: rc = pq_thrift_binary(t, ft, &maxv, &nmaxv); break;
        case 6: rc = pq_thrift_binary(t, ft, &minv, &nminv); break;
        default: rc = pq_thrift_skip(t, ft); break;
        }
        if (rc)
            return -1;
    }
    pq_thrift_struct_end(t);
    if (minv || maxv) {
        st->has_min = minv != NULL; st->min = minv; st->min_len = nminv;
        st->has_max = maxv != NULL; st->max = maxv; st->max_len = nmaxv;
    } else if (min || max) {
        st->legacy_min_max = true;
        st->has_min = min != NULL; st->min = min; st->min_len = nmin;
        st->has_max = max != NULL; st->max = max; st->max_len = nmax;
    }
    return rc;
}

static int decode_col_meta(pq_thrift *t, int type, pq_col_meta *m)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    int16_t last = 0, id;
    int ft, rc;
    m->has_meta = true;
    m->dictionary_page_offset = -1;
    m->data_page_offset = -1;
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        switch (id) {
        case 1: rc = pq_thrift_i32(t, ft, &m->type); break;
        case 4: rc = pq_thrift_i32(t, ft, &m->codec); break;
        case 5: rc = pq_thrift_i64(t, ft, &m->num_values); break;
        case 6: rc = pq_thrift_i64(t, ft, &m->total_uncompressed_size); break;
        case 7: rc = pq_thrift_i64(t, ft, &m->total_compressed_size); break;
        case 9: rc = pq_thrift_i64(t, ft, &m->data_page_offset); break;
        case 11: rc = pq_thrift_i64(t, ft, &m->dictionary_page_offset); break;
        case 12: rc = pq_stats_decode(t, ft, &m->stats); break;
        default: rc = pq_thrift_skip(t, ft); break;
        }
        if (rc)
            return -1;
    }
    pq_thrift_struct_end(t);
    return rc;
}

static int decode_column_chunk(pq_thrift *t, int type, pq_col_meta *m)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    int16_t last = 0, id;
    int ft, rc;
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        if (id == 3)
            rc = decode_col_meta(t, ft, m);
        else if (id == 1 && ft == PQ_T_BINARY) {
            const uint8_t *p;
            uint32_t n;
            rc = pq_thrift_binary(t, ft, &p, &n);
            if (rc == 0 && n > 0) {
                t->why = "column chunks in other files (file_path) are not supported";
                return -1;
            }
        } else
            rc = pq_thrift_skip(t, ft);
        if (rc)
            return -1;
    }
    pq_thrift_struct_end(t);
    return rc;
}

/* Room for a list of n decoded elements.  A list count is only checked
 * against the bytes left, and an element decodes to far more than its
 * smallest encoding (a 1-byte struct becomes a 112-byte column chunk), so the
 * lists of one footer share a budget proportional to its size: a small
 * hostile footer cannot make us allocate gigabytes.  NULL with t->why set. */
static void *alloc_list(pq_file *f, pq_thrift *t, uint32_t n, size_t size)
{
    uint64_t want = (uint64_t)(n ? n : 1) * size;
    if (want > f->footer_budget) {
        t->why = "lists declare more entries than the footer's size can hold";
        return NULL;
    }
    f->footer_budget -= want;
    void *p = os_arena_alloc(&f->arena, (size_t)want);
    if (p == NULL)
        t->why = "out of memory";
    return p;
}

static int decode_row_group(pq_file *f, pq_thrift *t, int type, pq_row_group *rg)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    int16_t last = 0, id;
    int ft, rc;
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        if (id == 1 && rg->cols == NULL) {
            int et;
            uint32_t n;
            if (pq_thrift_list(t, ft, &et, &n))
                return -1;
            rg->cols = alloc_list(f, t, n, sizeof *rg->cols);
            if (rg->cols == NULL)
                return -1;
            rg->ncols = n;
            for (uint32_t i = 0; i < n; i++)
                if (decode_column_chunk(t, et, &rg->cols[i]))
                    return -1;
            rc = 0;
        } else if (id == 3) {
            rc = pq_thrift_i64(t, ft, &rg->num_rows);
        } else {
            rc = pq_thrift_skip(t, ft);
        }
        if (rc)
            return -1;
    }
    pq_thrift_struct_end(t);
    return rc;
}

static int decode_kv(pq_file *f, pq_thrift *t, int type, const char **k, const char **v)
{
    if (pq_thrift_struct_begin(t, type))
        return -1;
    int16_t last = 0, id;
    int ft, rc;
    *k = "";
    *v = NULL;
    while ((rc = pq_thrift_field(t, &last, &id, &ft)) > 0) {
        if (id == 1)
            rc = read_string(f, t, ft, k);
        else if (id == 2)
            rc = read_string(f, t, ft, v);
        else
            rc = pq_thrift_skip(t, ft);
        if (rc)
            return -1;
    }
    pq_thrift_struct_end(t);
    return rc;
}

int pq_footer_decode(pq_file *f, const uint8_t *data, size_t len, os_err *err)
{
    pq_thrift t;
    pq_thrift_init(&t, data, len);
    /* Real footers decode to a few times their size (names and statistics
     * are encoded compactly too); 16x plus 16 MiB leaves ample room. */
    f->footer_budget = (uint64_t)len * 16 + ((uint64_t)16 << 20);
    int16_t last = 0, id;
    int ft, rc, et;
    uint32_t n;
    bool have_schema = false, have_rgs = false;
    if (pq_thrift_struct_begin(&t, PQ_T_STRUCT))
        goto bad;
    while ((rc = pq_thrift_field(&t, &last, &id, &ft)) > 0) {
        switch (id) {
        case 1: rc = pq_thrift_i32(&t, ft, &f->version); break;
        case 2:
            if (have_schema || pq_thrift_list(&t, ft, &et, &n) ||
                (f->elems = alloc_list(f, &t, n, sizeof *f->elems)) == NULL)
                goto bad;
            have_schema = true;
            f->nelems = n;
            for (uint32_t i = 0; i < n; i++)
                if (decode_schema_elem(f, &t, et, &f->elems[i]))
                    goto bad;
            rc = 0;
            break;
        case 3: rc = pq_thrift_i64(&t, ft, &f->num_rows); break;
        case 4:
            if (have_rgs || pq_thrift_list(&t, ft, &et, &n) ||
                (f->rgs = alloc_list(f, &t, n, sizeof *f->rgs)) == NULL)
                goto bad;
            have_rgs = true;
            f->nrgs = n;
            for (uint32_t i = 0; i < n; i++)
                if (decode_row_group(f, &t, et, &f->rgs[i]))
                    goto bad;
            rc = 0;
            break;
        case 5:
            if (f->kv_keys || pq_thrift_list(&t, ft, &et, &n) ||
                (f->kv_keys = alloc_list(f, &t, n, sizeof(char *))) == NULL ||
                (f->kv_values = alloc_list(f, &t, n, sizeof(char *))) == NULL)
                goto bad;
            for (uint32_t i = 0; i < n; i++, f->nkv++)
                if (decode_kv(f, &t, et, &f->kv_keys[i], &f->kv_values[i]))
                    goto bad;
            rc = 0;
            break;
        case 6: rc = read_string(f, &t, ft, &f->created_by); break;
        case 8:
            return os_err_set(err, OS_EUNSUPPORTED, "%s: encrypted Parquet files are not supported",
                              f->name);
        default: rc = pq_thrift_skip(&t, ft); break;
        }
        if (rc)
            goto bad;
    }
    if (rc < 0)
        goto bad;
    if (!have_schema || f->nelems == 0)
        return os_err_set(err, OS_ECORRUPT, "%s: footer has no schema", f->name);
    if (f->num_rows < 0)
        return os_err_set(err, OS_ECORRUPT, "%s: negative row count in footer", f->name);
    return 0;
bad:
    if (t.why && !strcmp(t.why, "out of memory"))
        return os_err_set(err, OS_ENOMEM, "%s: out of memory reading the footer", f->name);
    return os_err_set(err, OS_ECORRUPT, "%s: corrupt footer at byte %zu of %zu: %s", f->name,
                      pq_thrift_pos(&t), len, t.why ? t.why : "malformed thrift");
}
