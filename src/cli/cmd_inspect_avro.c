/* cmd_inspect_avro.c - `opensharing inspect avro`: an Avro container file's records, schema or metadata as JSON. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/strutil.h"
#include "cli/cli.h"
#include "formats/avro/avro.h"
#include "json/jw.h"

/* Files larger than this are refused: the reader takes the whole file in memory. */
#define INSPECT_AVRO_MAX_FILE ((size_t)4 << 30)

static void usage(FILE *out)
{
    fprintf(out,
        "usage: opensharing inspect avro FILE [--schema] [--meta] [--limit N] [--count]\n"
        "\n"
        "Prints the records of an Avro object container file (an Iceberg manifest\n"
        "list or manifest, for example) as JSON, one object per line.\n"
        "\n"
        "  --schema    print the writer schema (one line of JSON) instead of records\n"
        "  --meta      print the header metadata as one JSON object instead of records\n"
        "              (with --schema: the schema line first)\n"
        "  --limit N   stop after N records\n"
        "  --count     decode every record but print only the number of records\n"
        "\n"
        "Values: records are objects, arrays arrays, maps objects; a union is the value\n"
        "of its branch (no wrapper); enums are their symbol; bytes and fixed are\n"
        "strings in which each byte is the code point of the same value (Avro's JSON\n"
        "encoding); int and long are exact; float and double the shortest numbers\n"
        "that read back exactly, NaN and infinities the strings \"NaN\", \"Infinity\",\n"
        "\"-Infinity\"; logical types are printed as their underlying type.\n"
        "See docs/inspect-avro.md.\n"
        "\n"
        "Exit status: 0 success, 1 unreadable or malformed file, 2 usage error.\n");
}

static int fail(const char *msg)
{
    fprintf(stderr, "opensharing inspect avro: %s\n", msg);
    return 1;
}

/* Reads the whole regular file at path into *out (malloc'd).  Returns 0 or -1 with err. */
static int read_whole(const char *path, uint8_t **out, size_t *len, os_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return os_err_set(err, OS_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return os_err_set(err, OS_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > INSPECT_AVRO_MAX_FILE) {
        fclose(fp);
        return os_err_set(err, OS_ELIMIT, "%s: larger than %zu bytes", path, INSPECT_AVRO_MAX_FILE);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *p = malloc(n ? n : 1);
    if (p == NULL) {
        fclose(fp);
        return os_err_set(err, OS_ENOMEM, "%s: out of memory", path);
    }
    if (fread(p, 1, n, fp) != n) {
        free(p);
        fclose(fp);
        return os_err_set(err, OS_EIO, "%s: cannot read the file", path);
    }
    fclose(fp);
    *out = p;
    *len = n;
    return 0;
}

/* The schema JSON re-serialised on one line, keys in file order. */
static int print_schema(const avro_file *f, os_buf *b)
{
    size_t n;
    const char *s = avro_file_meta(f, "avro.schema", &n);
    json_t *j = s ? json_loadb(s, n, JSON_DECODE_ANY, NULL) : NULL;
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (text == NULL)
        return -1;
    int rc = os_buf_puts(b, text) || os_buf_putc(b, '\n');
    free(text);
    return rc ? -1 : 0;
}

/* Metadata values are printed as text: each byte that is not part of valid
 * UTF-8 becomes U+FFFD (they are JSON or plain words in practice). */
static int print_meta(const avro_file *f, os_buf *b)
{
    int rc = os_buf_putc(b, '{');
    for (size_t i = 0; i < avro_file_meta_count(f); i++) {
        const char *k;
        size_t n;
        const char *v = avro_file_meta_at(f, i, &k, &n);
        if (i)
            rc |= os_buf_putc(b, ',');
        rc |= jw_escape(b, k, strlen(k));
        rc |= os_buf_putc(b, ':');
        rc |= jw_escape(b, v, n);
    }
    rc |= os_buf_puts(b, "}\n");
    return rc ? -1 : 0;
}

static int print_records(avro_file *f, int64_t limit, bool count, os_err *err)
{
    os_arena a = OS_ARENA_INIT;
    os_buf line = OS_BUF_INIT;
    const avro_value *rec;
    int64_t n = 0;
    int got = 0;
    while ((limit < 0 || n < limit) && (got = avro_file_next(f, &a, &rec, err)) > 0) {
        n++;
        if (!count) {
            os_buf_reset(&line);
            if (avro_value_to_json(rec, &line, err) || os_buf_putc(&line, '\n')) {
                got = -1;
                if (err->code == OS_OK)
                    os_err_set(err, OS_ENOMEM, "out of memory");
            } else if (fwrite(line.data, 1, line.len, stdout) != line.len) {
                os_err_set(err, OS_EIO, "cannot write the output: %s", strerror(errno));
                got = -1;
            }
        }
        os_arena_free(&a);
        if (got < 0)
            break;
    }
    os_arena_free(&a);
    os_buf_free(&line);
    if (got < 0)
        return -1;
    if (count)
        printf("%" PRId64 "\n", n);
    return 0;
}

int cli_inspect_avro(int argc, char **argv)
{
    const char *path = NULL;
    bool schema = false, meta = false, count = false;
    int64_t limit = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--schema")) {
            schema = true;
        } else if (!strcmp(a, "--meta")) {
            meta = true;
        } else if (!strcmp(a, "--count")) {
            count = true;
        } else if (!strcmp(a, "--limit") && i + 1 < argc) {
            if (os_parse_i64(argv[++i], &limit) || limit < 0) {
                fprintf(stderr, "opensharing inspect avro: --limit needs a non-negative integer\n");
                return 2;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "opensharing inspect avro: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (path == NULL) {
            path = a;
        } else {
            fprintf(stderr, "opensharing inspect avro: more than one FILE given\n");
            return 2;
        }
    }
    if (path == NULL) {
        usage(stderr);
        return 2;
    }
    os_err err = {0};
    uint8_t *data = NULL;
    size_t len = 0;
    if (read_whole(path, &data, &len, &err))
        return fail(err.msg);
    avro_file *f = avro_file_open(data, len, path, NULL, &err);
    if (f == NULL) {
        free(data);
        return fail(err.msg);
    }
    int rc = 0;
    if (schema || meta) {
        os_buf b = OS_BUF_INIT;
        if ((schema && print_schema(f, &b)) || (meta && print_meta(f, &b)))
            rc = fail("cannot print the header (out of memory)");
        else if (fwrite(b.data, 1, b.len, stdout) != b.len)
            rc = fail("cannot write the output");
        os_buf_free(&b);
    } else if (print_records(f, limit, count, &err)) {
        fflush(stdout);
        rc = fail(err.msg);
    }
    if (rc == 0 && fflush(stdout) != 0)
        rc = fail("cannot write the output");
    avro_file_close(f);
    free(data);
    return rc;
}
