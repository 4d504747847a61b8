/* predicate_eval.c - three-valued evaluation of a predicate over one file's partition values and statistics. */
#include "formats/delta/delta_int.h"
#include "formats/delta/pred_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Row outcomes that may occur in a file: a set over {TRUE, FALSE, NULL}.
 * Only a set without TRUE lets a file be skipped; extra members are always
 * safe (they only keep files). */
enum { M_T = 1, M_F = 2, M_N = 4, M_ALL = 7 };

/* What is known of one operand over the rows of a file. */
typedef struct operand {
    bool known;          /* false: nothing is known (every outcome possible) */
    bool may_null, may_value;
    bool has_lo, has_hi; /* bounds of the non-null values */
    delta_value lo, hi;
} operand;

typedef struct eval_ctx {
    const delta_colmap *cm;
    const delta_file *f;
    dl_stats stats;
    bool stats_parsed, stats_ok;
    os_arena arena;      /* decoded escaped strings */
} eval_ctx;

/* Delta type family of a predicate value type, for cast compatibility. */
static int family(const char *delta_type)
{
    if (delta_type == NULL) return 0;
    if (!strcmp(delta_type, "byte") || !strcmp(delta_type, "short") || !strcmp(delta_type, "integer") ||
        !strcmp(delta_type, "long") || !strcmp(delta_type, "float") || !strcmp(delta_type, "double") ||
        !strncmp(delta_type, "decimal", 7))
        return 1;
    if (!strcmp(delta_type, "string")) return 2;
    if (!strcmp(delta_type, "date")) return 3;
    if (!strcmp(delta_type, "timestamp") || !strcmp(delta_type, "timestamp_ntz")) return 4;
    if (!strcmp(delta_type, "boolean")) return 5;
    return 0;
}

/* A stats value into a delta_value of type `type`. */
static bool stat_value(const dl_jval *j, const char *type, delta_value *out)
{
    memset(out, 0, sizeof *out);
    int fam = family(type);
    if (fam == 1) {
        if (j->kind == DL_J_INT) {
            out->kind = DELTA_V_INT;
            out->i = j->i;
            return true;
        }
        if (j->kind == DL_J_REAL) {
            out->kind = DELTA_V_DOUBLE;
            out->d = j->d;
            return true;
        }
        if (j->kind == DL_J_STRING && j->len < 16) {   /* "NaN", "Infinity" */
            char tmp[16];
            memcpy(tmp, j->s, j->len);
            tmp[j->len] = '\0';
            os_err e;
            return delta_partition_value_parse("double", tmp, out, &e) == 0 && out->kind != DELTA_V_NULL;
        }
        return false;
    }
    if (j->kind != DL_J_STRING)
        return false;
    if (fam == 2) {   /* strings are used as they are ("" is a real empty string) */
        out->kind = DELTA_V_STRING;
        out->s = j->s;
        out->len = j->len;
        return true;
    }
    char tmp[64];
    if (j->len >= sizeof tmp)
        return false;
    memcpy(tmp, j->s, j->len);
    tmp[j->len] = '\0';
    os_err e;
    if (delta_partition_value_parse(type, tmp, out, &e) < 0)
        return false;
    return out->kind != DELTA_V_NULL && out->kind != DELTA_V_STRING && out->kind != DELTA_V_DECIMAL;
}

/* Float columns hold 32-bit values and float literals are cast to 32 bits
 * (as Spark does), but both arrive as text read into doubles: a bound
 * written "1.399999976158142" and a literal "1.4" name the same float.
 * Rounding both to 32 bits compares them as the reader will; the rounding is
 * monotonic, so it never hides a match. */
static void round_f32(delta_value *v)
{
    double d = v->kind == DELTA_V_DOUBLE ? v->d : v->kind == DELTA_V_INT ? (double)v->i : NAN;
    if (isnan(d) || fabs(d) > FLT_MAX)
        return;   /* NaN, infinities and values beyond float range stay as they are */
    v->kind = DELTA_V_DOUBLE;
    v->d = (double)(float)d;
}

static void operand_f32(operand *o)
{
    if (o->has_lo)
        round_f32(&o->lo);
    if (o->has_hi)
        round_f32(&o->hi);
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static void column_operand(eval_ctx *c, const pred_node *n, operand *o)
{
    memset(o, 0, sizeof *o);
    const char *phys = n->name, *type = n->value_type;
    bool is_part = false;
    if (c->cm != NULL) {
        if (delta_colmap_lookup(c->cm, n->name, &phys, &type, &is_part) < 0)
            return;   /* unknown column: nothing known */
        if (family(type) == 0 || family(type) != family(n->value_type))
            return;   /* a cast we do not model */
    } else {
        bool found = false;
        delta_map_get(&c->f->partition_values, n->name, &found);
        is_part = found;
    }
    if (is_part) {
        bool found = false;
        const char *raw = delta_map_get(&c->f->partition_values, phys, &found);
        if (!found) {
            /* Spark writes partitionValues keyed by the name as in the schema. */
            for (size_t i = 0; i < c->f->partition_values.n; i++)
                if (!strcasecmp(c->f->partition_values.items[i].key, phys)) {
                    raw = c->f->partition_values.items[i].value;
                    found = true;
                }
        }
        if (!found)
            return;
        delta_value v;
        os_err e;
        if (delta_partition_value_parse(type, raw, &v, &e) < 0)
            return;
        o->known = true;
        if (v.kind == DELTA_V_NULL) {
            o->may_null = true;
            return;
        }
        o->may_value = true;
        o->has_lo = o->has_hi = true;
        o->lo = o->hi = v;
        if (type && !strcmp(type, "float"))
            operand_f32(o);
        bool zone = true;
        int64_t us;
        if (!strcmp(type, "timestamp") && dl_parse_timestamp_zone(raw, &us, &zone) == 0 && !zone) {
            /* Written in the writer's session zone: any offset up to 14 hours. */
            o->lo.i -= 14LL * 3600 * 1000000;
            o->hi.i += 14LL * 3600 * 1000000;
        }
        return;
    }
    if (!c->stats_parsed) {
        c->stats_ok = dl_stats_init(&c->stats, c->f->stats);
        c->stats_parsed = true;
    }
    if (!c->stats_ok)
        return;
    int64_t nrec = dl_stats_num_records(&c->stats);
    dl_jval nc, mn, mx;
    dl_stats_lookup(&c->stats, "nullCount", phys, &c->arena, &nc);
    dl_stats_lookup(&c->stats, "minValues", phys, &c->arena, &mn);
    dl_stats_lookup(&c->stats, "maxValues", phys, &c->arena, &mx);
    o->known = true;
    o->may_null = true;
    o->may_value = true;
    if (nc.kind == DL_J_INT) {
        int64_t k = nc.i;
        if (k == 0)
            o->may_null = false;
        if (nrec >= 0 && k >= nrec)
            o->may_value = false;
    }
    if (nrec == 0) {
        o->may_null = o->may_value = false;
        return;
    }
    if (stat_value(&mn, type, &o->lo))
        o->has_lo = true;
    if (stat_value(&mx, type, &o->hi)) {
        o->has_hi = true;
        if (o->hi.kind == DELTA_V_TIMESTAMP)
            o->hi.i += 999;   /* stats keep milliseconds, truncated */
        if (o->hi.kind == DELTA_V_STRING && utf8_chars(o->hi.s, o->hi.len) >= 32)
            o->has_hi = false;   /* may be a truncated prefix */
    }
    if (type && !strcmp(type, "float"))
        operand_f32(o);
}

static void leaf_operand(eval_ctx *c, const pred_node *n, operand *o)
{
    if (n->op == P_LITERAL) {
        memset(o, 0, sizeof *o);
        o->known = true;
        if (n->lit.kind == DELTA_V_NULL) {
            o->may_null = true;
            return;
        }
        o->may_value = true;
        o->has_lo = o->has_hi = true;
        o->lo = o->hi = n->lit;
        if (n->value_type && !strcmp(n->value_type, "float"))
            operand_f32(o);
        return;
    }
    column_operand(c, n, o);
}

/* cmp(a,b) < 0 etc. with failure meaning "cannot tell". */
static bool lt(const delta_value *a, const delta_value *b, bool *ok)
{
    int r;
    if (delta_value_compare(a, b, &r) < 0) {
        *ok = false;
        return true;
    }
    return r < 0;
}

static bool le(const delta_value *a, const delta_value *b, bool *ok)
{
    int r;
    if (delta_value_compare(a, b, &r) < 0) {
        *ok = false;
        return true;
    }
    return r <= 0;
}

static int compare_mask(pred_op op, const operand *l, const operand *r)
{
    if (!l->known || !r->known)
        return M_ALL;
    int m = 0;
    if (l->may_null || r->may_null)
        m |= M_N;
    if (!l->may_value || !r->may_value)
        return m;
    /* Without both bounds on a side, both outcomes stay possible. */
    bool ok = true;
    bool t = true, f = true;
    switch (op) {
    case P_LT:   /* exists l < r: l.lo < r.hi ; exists l >= r: l.hi >= r.lo */
        if (l->has_lo && r->has_hi) t = lt(&l->lo, &r->hi, &ok);
        if (l->has_hi && r->has_lo) f = le(&r->lo, &l->hi, &ok);
        break;
    case P_LE:
        if (l->has_lo && r->has_hi) t = le(&l->lo, &r->hi, &ok);
        if (l->has_hi && r->has_lo) f = lt(&r->lo, &l->hi, &ok);
        break;
    case P_GT:
        if (l->has_hi && r->has_lo) t = lt(&r->lo, &l->hi, &ok);
        if (l->has_lo && r->has_hi) f = le(&l->lo, &r->hi, &ok);
        break;
    case P_GE:
        if (l->has_hi && r->has_lo) t = le(&r->lo, &l->hi, &ok);
        if (l->has_lo && r->has_hi) f = lt(&l->lo, &r->hi, &ok);
        break;
    case P_EQ:
        if (l->has_lo && r->has_hi && !le(&l->lo, &r->hi, &ok)) t = false;
        if (r->has_lo && l->has_hi && !le(&r->lo, &l->hi, &ok)) t = false;
        if (l->has_lo && l->has_hi && r->has_lo && r->has_hi) {
            int a, b, d;
            if (delta_value_compare(&l->lo, &l->hi, &a) == 0 && a == 0 &&
                delta_value_compare(&r->lo, &r->hi, &b) == 0 && b == 0 &&
                delta_value_compare(&l->lo, &r->lo, &d) == 0 && d == 0)
                f = false;
        }
        break;
    default:
        return M_ALL;
    }
    if (!ok)
        return M_ALL;
    if (t) m |= M_T;
    if (f) m |= M_F;
    return m;
}

static int k_and(int a, int b)
{
    int m = 0;
    if ((a & M_F) || (b & M_F)) m |= M_F;
    if ((a & M_T) && (b & M_T)) m |= M_T;
    if (((a & M_N) && (b & (M_T | M_N))) || ((b & M_N) && (a & (M_T | M_N)))) m |= M_N;
    return m;
}

static int k_or(int a, int b)
{
    int m = 0;
    if ((a & M_T) || (b & M_T)) m |= M_T;
    if ((a & M_F) && (b & M_F)) m |= M_F;
    if (((a & M_N) && (b & (M_F | M_N))) || ((b & M_N) && (a & (M_F | M_N)))) m |= M_N;
    return m;
}

static int eval(eval_ctx *c, const pred_node *n)
{
    switch (n->op) {
    case P_COLUMN:
    case P_LITERAL: {
        /* A boolean leaf used as a condition: true where it is true. */
        operand o, t;
        leaf_operand(c, n, &o);
        memset(&t, 0, sizeof t);
        t.known = t.may_value = t.has_lo = t.has_hi = true;
        t.lo.kind = t.hi.kind = DELTA_V_BOOL;
        t.lo.b = t.hi.b = true;
        return compare_mask(P_EQ, &o, &t);
    }
    case P_ISNULL: {
        operand o;
        leaf_operand(c, n->kids[0], &o);
        if (!o.known)
            return M_T | M_F;
        return (o.may_null ? M_T : 0) | (o.may_value ? M_F : 0);
    }
    case P_EQ: case P_LT: case P_LE: case P_GT: case P_GE: {
        operand l, r;
        leaf_operand(c, n->kids[0], &l);
        leaf_operand(c, n->kids[1], &r);
        return compare_mask(n->op, &l, &r);
    }
    case P_NOT: {
        int m = eval(c, n->kids[0]);
        return (m & M_N) | ((m & M_T) ? M_F : 0) | ((m & M_F) ? M_T : 0);
    }
    case P_AND: {
        int m = eval(c, n->kids[0]);
        for (size_t i = 1; i < n->nkids; i++)
            m = k_and(m, eval(c, n->kids[i]));
        return m;
    }
    case P_OR: {
        int m = eval(c, n->kids[0]);
        for (size_t i = 1; i < n->nkids; i++)
            m = k_or(m, eval(c, n->kids[i]));
        return m;
    }
    }
    return M_ALL;
}

delta_tristate delta_predicate_eval(const delta_predicate *p, const delta_colmap *cm,
                                    const delta_file *f)
{
    if (p == NULL || p->root == NULL)
        return DELTA_UNKNOWN;
    eval_ctx c;
    memset(&c, 0, sizeof c);
    c.cm = cm;
    c.f = f;
    int m = eval(&c, p->root);
    os_arena_free(&c.arena);
    if (!(m & M_T))
        return DELTA_FALSE;
    if (m == M_T)
        return DELTA_TRUE;
    return DELTA_UNKNOWN;
}
