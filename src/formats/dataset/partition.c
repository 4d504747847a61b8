/* partition.c - which listed keys are data files, Hive key=value directories, and partition type inference. */
#include "formats/dataset/dataset.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "formats/delta/delta.h"

#define HIVE_DEFAULT "__HIVE_DEFAULT_PARTITION__"

bool ds_is_data_file(const char *rel)
{
    if (rel == NULL || !os_str_ends_with(rel, ".parquet"))
        return false;
    const char *seg = rel;
    for (;;) {
        if (*seg == '_' || *seg == '.' || *seg == '/' || *seg == '\0')
            return false;
        const char *slash = strchr(seg, '/');
        if (slash == NULL)
            return true;
        seg = slash + 1;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Hive's unescaping of a path segment: %XX is the byte XX. */
static char *unescape(const char *s, size_t n, os_arena *a, bool *bad)
{
    char *out = os_arena_alloc(a, n + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int h = i + 2 < n ? hexval(s[i + 1]) : -1;
            int l = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (h < 0 || l < 0 || (h == 0 && l == 0)) {
                *bad = true;
                return out;
            }
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

int ds_partitions_parse(const char *rel, os_arena *a, ds_part **parts, os_err *err)
{
    *parts = NULL;
    size_t cap = 0, n = 0;
    for (const char *p = rel; *p; p++)
        if (*p == '/')
            cap++;
    if (cap == 0)
        return 0;
    ds_part *out = os_arena_alloc(a, cap * sizeof *out);
    if (out == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    const char *seg = rel;
    const char *slash;
    while ((slash = strchr(seg, '/')) != NULL) {
        size_t len = (size_t)(slash - seg);
        const char *eq = memchr(seg, '=', len);
        if (eq != NULL) {
            bool bad = false;
            size_t klen = (size_t)(eq - seg);
            if (klen == 0)
                return os_err_set(err, OS_ECORRUPT,
                                  "'%s': the partition directory '%.*s' has no column name before '='",
                                  rel, (int)len, seg);
            char *k = unescape(seg, klen, a, &bad);
            char *v = k ? unescape(eq + 1, len - klen - 1, a, &bad) : NULL;
            if (k == NULL || v == NULL)
                return os_err_set(err, OS_ENOMEM, "out of memory");
            if (bad)
                return os_err_set(err, OS_ECORRUPT,
                                  "'%s': the partition directory '%.*s' has a bad %%-escape",
                                  rel, (int)len, seg);
            for (size_t i = 0; i < n; i++)
                if (strcmp(out[i].name, k) == 0)
                    return os_err_set(err, OS_ECORRUPT,
                                      "'%s': the partition column '%s' appears twice in the path",
                                      rel, k);
            out[n].name = k;
            out[n].value = strcmp(v, HIVE_DEFAULT) == 0 ? NULL : v;
            n++;
        }
        seg = slash + 1;
    }
    *parts = n ? out : NULL;
    return (int)n;
}

/* ---- inference ------------------------------------------------------------- */

enum { T_INT = 1, T_LONG = 2, T_DOUBLE = 4, T_DATE = 8, T_TS = 16 };

void ds_infer_init(ds_infer *in)
{
    in->possible = T_INT | T_LONG | T_DOUBLE | T_DATE | T_TS;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return n > 0;
}

static bool is_date_text(const char *s)
{
    /* Strictly YYYY-MM-DD, as Spark and DuckDB infer dates. */
    if (strlen(s) != 10 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) ||
        s[7] != '-' || !all_digits(s + 8, 2))
        return false;
    delta_value v;
    os_err e;
    return delta_partition_value_parse("date", s, &v, &e) == 0;
}

static bool is_timestamp_text(const char *s)
{
    size_t n = strlen(s);
    char date[11];
    if (n < 19 || s[10] != ' ')
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!is_date_text(date))
        return false;
    if (!all_digits(s + 11, 2) || s[13] != ':' || !all_digits(s + 14, 2) || s[16] != ':' ||
        !all_digits(s + 17, 2))
        return false;
    if (n == 19)
        return true;
    return s[19] == '.' && n <= 26 && all_digits(s + 20, n - 20);
}

void ds_infer_add(ds_infer *in, const char *v)
{
    if (v == NULL)
        return;
    delta_value dv;
    os_err e;
    size_t n = strlen(v);
    /* Leading zeros ("007") would not survive a round trip as a number. */
    bool lead0 = (n > 1 && v[0] == '0' && isdigit((unsigned char)v[1])) ||
                 (n > 2 && v[0] == '-' && v[1] == '0' && isdigit((unsigned char)v[2]));
    if ((in->possible & T_INT) && (lead0 || delta_partition_value_parse("integer", v, &dv, &e) != 0))
        in->possible &= ~(unsigned)T_INT;
    if ((in->possible & T_LONG) && (lead0 || delta_partition_value_parse("long", v, &dv, &e) != 0))
        in->possible &= ~(unsigned)T_LONG;
    if ((in->possible & T_DOUBLE) &&
        (n == 0 || lead0 || !(isdigit((unsigned char)v[0]) || v[0] == '-' || v[0] == '.') ||
         delta_partition_value_parse("double", v, &dv, &e) != 0))
        in->possible &= ~(unsigned)T_DOUBLE;
    if ((in->possible & T_DATE) && !is_date_text(v))
        in->possible &= ~(unsigned)T_DATE;
    if ((in->possible & T_TS) && !is_timestamp_text(v))
        in->possible &= ~(unsigned)T_TS;
    if (n == 0)
        in->possible = 0;
}

const char *ds_infer_type(const ds_infer *in)
{
    unsigned p = in->possible;
    if (p == (T_INT | T_LONG | T_DOUBLE | T_DATE | T_TS))
        return "string";   /* only NULLs */
    if (p & T_INT)
        return "integer";
    if (p & T_LONG)
        return "long";
    if (p & T_DOUBLE)
        return "double";
    if (p & T_DATE)
        return "date";
    if (p & T_TS)
        return "timestamp";
    return "string";
}

bool ds_partition_type_ok(const char *t)
{
    static const char *const ok[] = {"string", "boolean", "byte", "short", "integer", "long",
                                     "float", "double", "date", "timestamp", NULL};
    if (t == NULL)
        return false;
    for (int i = 0; ok[i]; i++)
        if (strcmp(t, ok[i]) == 0)
            return true;
    int p, s, used = 0;
    if (sscanf(t, "decimal(%d,%d)%n", &p, &s, &used) == 2 && t[used] == '\0' && p >= 1 &&
        p <= 38 && s >= 0 && s <= p)
        return true;
    return false;
}

/* ---- the columns of a listing ------------------------------------------------ */

static const char *declared_type(const json_t *decl, const char *name)
{
    for (size_t i = 0; i < json_array_size(decl); i++) {
        const json_t *d = json_array_get(decl, i);
        const char *n = json_string_value(json_object_get(d, "name"));
        if (n && strcmp(n, name) == 0)
            return json_string_value(json_object_get(d, "type"));
    }
    return NULL;
}

char *ds_partition_columns(const char *const *paths, size_t n, const char *declared_json,
                           os_err *err)
{
    json_t *decl = NULL;
    if (declared_json) {
        json_error_t je;
        decl = json_loads(declared_json, 0, &je);
        if (!json_is_array(decl)) {
            json_decref(decl);
            os_err_set(err, OS_EINVAL, "partition_columns must be a list of {name, type}");
            return NULL;
        }
        for (size_t i = 0; i < json_array_size(decl); i++) {
            const json_t *d = json_array_get(decl, i);
            if (!json_is_string(json_object_get(d, "name")) ||
                !ds_partition_type_ok(json_string_value(json_object_get(d, "type")))) {
                json_decref(decl);
                os_err_set(err, OS_EINVAL, "partition_columns[%zu] needs a name and a type (string, "
                           "boolean, byte, short, integer, long, float, double, date, timestamp or "
                           "decimal(p,s))", i);
                return NULL;
            }
        }
    }
    os_arena a = {0};
    char *out = NULL;
    char **names = NULL;        /* the first file's columns, malloc'd */
    int nnames = 0;
    ds_infer *inf = NULL;
    for (size_t f = 0; f < n; f++) {
        ds_part *p;
        os_arena_reset(&a);
        int np = ds_partitions_parse(paths[f], &a, &p, err);
        if (np < 0)
            goto done;
        if (f == 0) {
            names = calloc((size_t)np + 1, sizeof *names);
            inf = calloc((size_t)np + 1, sizeof *inf);
            if (names == NULL || inf == NULL) {
                os_err_set(err, OS_ENOMEM, "out of memory");
                goto done;
            }
            for (int k = 0; k < np; k++) {
                if ((names[k] = strdup(p[k].name)) == NULL) {
                    os_err_set(err, OS_ENOMEM, "out of memory");
                    goto done;
                }
                nnames = k + 1;
                ds_infer_init(&inf[k]);
            }
        }
        bool same = np == nnames;
        for (int k = 0; same && k < np; k++)
            same = strcmp(p[k].name, names[k]) == 0;
        if (!same) {
            os_err_set(err, OS_ECORRUPT, "'%s' and '%s' have different partition directories; every "
                       "file of a dataset must sit under the same key=value directories",
                       paths[0], paths[f]);
            goto done;
        }
        for (int k = 0; k < np; k++) {
            const char *t = declared_type(decl, p[k].name);
            delta_value v;
            os_err e;
            if (t && delta_partition_value_parse(t, p[k].value, &v, &e) != 0) {
                os_err_set(err, OS_ECORRUPT, "'%s': the partition value '%s' of column %s is not "
                           "a %s, as partition_columns declares", paths[f], p[k].value, p[k].name, t);
                goto done;
            }
            ds_infer_add(&inf[k], p[k].value);
        }
    }
    for (size_t i = 0; i < json_array_size(decl); i++) {
        const char *dn = json_string_value(json_object_get(json_array_get(decl, i), "name"));
        bool found = false;
        for (int k = 0; k < nnames && !found; k++)
            found = strcmp(names[k], dn) == 0;
        if (!found) {
            os_err_set(err, OS_ECORRUPT, "partition_columns declares %s, but no directory of the "
                       "dataset is named %s=...", dn, dn);
            goto done;
        }
    }
    json_t *arr = json_array();
    for (int k = 0; k < nnames; k++) {
        const char *t = declared_type(decl, names[k]);
        json_array_append_new(arr, json_pack("{s:s,s:s}", "name", names[k], "type",
                                             t ? t : ds_infer_type(&inf[k])));
    }
    out = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (out == NULL)
        os_err_set(err, OS_ENOMEM, "out of memory");
done:
    for (int k = 0; k < nnames; k++)
        free(names[k]);
    free(names);
    free(inf);
    json_decref(decl);
    os_arena_free(&a);
    return out;
}
