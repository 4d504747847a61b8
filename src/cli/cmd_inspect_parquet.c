/* cmd_inspect_parquet.c - `opensharing inspect parquet`: a Parquet file's schema or rows as JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/strutil.h"
#include "cli/cli.h"
#include "formats/parquet/parquet.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: opensharing inspect parquet FILE [--schema] [--columns a,b.c] [--limit N] [--count]\n"
        "\n"
        "Prints the rows of a Parquet file as JSON, one object per line, or with\n"
        "--schema its schema and footer metadata as one JSON document.\n"
        "\n"
        "  --schema          schema, row count, row groups, created_by, key-value metadata\n"
        "  --columns a,b.c   read only these columns (dotted paths; a group selects its leaves)\n"
        "  --limit N         stop after N rows\n"
        "  --count           decode every row but print only the number of rows\n"
        "\n"
        "Values: structs are objects; lists are arrays; maps with string keys are\n"
        "objects, other maps arrays of {\"key\":..,\"value\":..}; integers are exact\n"
        "(unsigned logical types unsigned); binary is base64; strings with invalid\n"
        "UTF-8 have U+FFFD for each bad byte; DECIMAL is an exact string (\"-12.30\");\n"
        "DATE is \"YYYY-MM-DD\"; TIMESTAMP is ISO-8601 with 3, 6 or 9 fraction digits\n"
        "for millis, micros, nanos, ending in \"Z\" when isAdjustedToUTC and with no\n"
        "zone when not (local time); INT96 is read as a legacy timestamp in UTC with\n"
        "9 digits; TIME is \"HH:MM:SS.fff\" (3, 6 or 9 digits); UUID is the canonical\n"
        "lower-case 8-4-4-4-12 string; FLOAT and DOUBLE are the shortest numbers that\n"
        "read back exactly, NaN and infinities the strings \"NaN\", \"Infinity\",\n"
        "\"-Infinity\"; FLOAT16 is a number.  Years outside 0000-9999 get a sign.\n"
        "See docs/inspect-parquet.md.\n"
        "\n"
        "Exit status: 0 success, 1 unreadable or malformed file, 2 usage error.\n");
}

static int fail(const char *msg)
{
    fprintf(stderr, "opensharing inspect parquet: %s\n", msg);
    return 1;
}

static void put_node(os_buf *b, const pq_node *n)
{
    static const char *kinds[] = {"primitive", "struct", "list", "map"};
    os_buf_puts(b, "{\"name\":");
    pq_json_string(b, (const uint8_t *)n->name, strlen(n->name));
    os_buf_printf(b, ",\"kind\":\"%s\"", kinds[n->kind]);
    if (n->parent)
        os_buf_printf(b, ",\"repetition\":\"%s\"", pq_repetition_name(n->repetition));
    if (n->physical != PQ_GROUP) {
        os_buf_printf(b, ",\"physical_type\":\"%s\"", pq_physical_name(n->physical));
        if (n->physical == PQ_FIXED_LEN_BYTE_ARRAY)
            os_buf_printf(b, ",\"type_length\":%d", (int)n->type_length);
    }
    const pq_logical_type *lt = &n->logical;
    if (lt->kind != PQ_LT_NONE) {
        os_buf_printf(b, ",\"logical_type\":{\"type\":\"%s\"", pq_logical_name(lt->kind));
        if (lt->kind == PQ_LT_DECIMAL)
            os_buf_printf(b, ",\"precision\":%d,\"scale\":%d", (int)lt->precision, (int)lt->scale);
        if (lt->kind == PQ_LT_TIME || lt->kind == PQ_LT_TIMESTAMP)
            os_buf_printf(b, ",\"unit\":\"%s\",\"is_adjusted_to_utc\":%s",
                          lt->unit == PQ_MILLIS ? "MILLIS" : lt->unit == PQ_MICROS ? "MICROS" : "NANOS",
                          lt->utc_adjusted ? "true" : "false");
        if (lt->kind == PQ_LT_INTEGER)
            os_buf_printf(b, ",\"bit_width\":%d,\"is_signed\":%s", lt->bit_width, lt->is_signed ? "true" : "false");
        os_buf_putc(b, '}');
    }
    if (n->field_id >= 0)
        os_buf_printf(b, ",\"field_id\":%d", (int)n->field_id);
    if (n->leaf_index >= 0)
        os_buf_printf(b, ",\"column_index\":%d,\"max_definition_level\":%d,\"max_repetition_level\":%d",
                      n->leaf_index, n->max_def, n->max_rep);
    if (n->num_children) {
        os_buf_puts(b, ",\"children\":[");
        for (size_t i = 0; i < n->num_children; i++) {
            if (i)
                os_buf_putc(b, ',');
            put_node(b, n->children[i]);
        }
        os_buf_putc(b, ']');
    }
    os_buf_putc(b, '}');
}

static int print_schema(pq_file *f)
{
    os_buf b = OS_BUF_INIT;
    os_buf_puts(&b, "{\"file\":");
    const char *name = pq_file_name(f);
    pq_json_string(&b, (const uint8_t *)name, strlen(name));
    os_buf_printf(&b, ",\"version\":%d,\"num_rows\":%" PRId64 ",\"num_row_groups\":%zu", (int)pq_file_version(f),
                  pq_file_num_rows(f), pq_file_num_row_groups(f));
    os_buf_puts(&b, ",\"row_group_rows\":[");
    for (size_t i = 0; i < pq_file_num_row_groups(f); i++)
        os_buf_printf(&b, "%s%" PRId64, i ? "," : "", pq_file_row_group_num_rows(f, i));
    os_buf_puts(&b, "],\"created_by\":");
    const char *cb = pq_file_created_by(f);
    if (cb)
        pq_json_string(&b, (const uint8_t *)cb, strlen(cb));
    else
        os_buf_puts(&b, "null");
    os_buf_puts(&b, ",\"key_value_metadata\":{");
    for (size_t i = 0; i < pq_file_num_kv(f); i++) {
        const char *k, *v;
        pq_file_kv(f, i, &k, &v);
        if (i)
            os_buf_putc(&b, ',');
        pq_json_string(&b, (const uint8_t *)k, strlen(k));
        os_buf_putc(&b, ':');
        if (v)
            pq_json_string(&b, (const uint8_t *)v, strlen(v));
        else
            os_buf_puts(&b, "null");
    }
    os_buf_puts(&b, "},\"schema\":");
    put_node(&b, pq_file_schema(f));
    os_buf_puts(&b, "}\n");
    int rc = b.data && fwrite(b.data, 1, b.len, stdout) == b.len ? 0 : fail("cannot write the output");
    os_buf_free(&b);
    return rc;
}

/* Splits "a,b.c" into a NULL-terminated array inside a copy of the string. */
static char **split_columns(char *s, size_t *n)
{
    size_t cap = 1;
    for (char *p = s; *p; p++)
        cap += *p == ',';
    char **out = calloc(cap + 1, sizeof *out);
    if (out == NULL)
        return NULL;
    *n = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ","))
        if (*tok)
            out[(*n)++] = tok;
    return out;
}

int cli_inspect_parquet(int argc, char **argv)
{
    const char *path = NULL;
    char *columns = NULL;
    bool schema = false, count = false;
    int64_t limit = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--schema")) {
            schema = true;
        } else if (!strcmp(a, "--count")) {
            count = true;
        } else if (!strcmp(a, "--columns") && i + 1 < argc) {
            columns = argv[++i];
        } else if (!strcmp(a, "--limit") && i + 1 < argc) {
            if (os_parse_i64(argv[++i], &limit) || limit < 0) {
                fprintf(stderr, "opensharing inspect parquet: --limit needs a non-negative integer\n");
                return 2;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "opensharing inspect parquet: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (path == NULL) {
            path = a;
        } else {
            fprintf(stderr, "opensharing inspect parquet: more than one FILE given\n");
            return 2;
        }
    }
    if (path == NULL) {
        usage(stderr);
        return 2;
    }
    os_err err = {0};
    pq_source src;
    if (pq_source_open_file(&src, path, &err))
        return fail(err.msg);
    pq_file *f = pq_file_open(&src, NULL, &err);
    if (f == NULL) {
        pq_source_close(&src);
        return fail(err.msg);
    }
    int rc = 0;
    if (schema) {
        rc = print_schema(f);
        goto done;
    }
    char *cols_copy = columns ? strdup(columns) : NULL;
    size_t ncols = 0;
    char **cols = cols_copy ? split_columns(cols_copy, &ncols) : NULL;
    if (columns && (cols_copy == NULL || cols == NULL)) {
        free(cols_copy);
        rc = fail("out of memory");
        goto done;
    }
    if (columns && ncols == 0) {
        free(cols);
        free(cols_copy);
        fprintf(stderr, "opensharing inspect parquet: --columns needs at least one column\n");
        rc = 2;
        goto done;
    }
    pq_reader *r = pq_reader_open(f, (const char *const *)cols, ncols, &err);
    free(cols);
    free(cols_copy);
    if (r == NULL) {
        rc = fail(err.msg);
        goto done;
    }
    os_buf line = OS_BUF_INIT;
    const pq_value *row;
    int64_t n = 0;
    int got = 0;
    while ((limit < 0 || n < limit) && (got = pq_reader_next(r, &row, &err)) > 0) {
        n++;
        if (count)
            continue;
        os_buf_reset(&line);
        if (pq_value_to_json(row, &line, &err) || os_buf_putc(&line, '\n')) {
            got = -1;
            if (err.code == OS_OK)
                os_err_set(&err, OS_ENOMEM, "out of memory");
            os_err_wrap(&err, "%s: row %" PRId64, pq_file_name(f), n - 1);
            break;
        }
        if (fwrite(line.data, 1, line.len, stdout) != line.len) {
            os_err_set(&err, OS_EIO, "cannot write the output: %s", strerror(errno));
            got = -1;
            break;
        }
    }
    os_buf_free(&line);
    pq_reader_close(r);
    if (got < 0) {
        fflush(stdout);
        rc = fail(err.msg);
        goto done;
    }
    if (count)
        printf("%" PRId64 "\n", n);
    if (fflush(stdout) != 0)
        rc = fail("cannot write the output");
done:
    pq_file_close(f);
    pq_source_close(&src);
    return rc;
}
