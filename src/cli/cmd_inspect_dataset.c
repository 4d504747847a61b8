/* cmd_inspect_dataset.c - `opensharing inspect dataset`: a Parquet dataset's files, partitions, merged schema and every problem, checked before it is shared. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "catalog/model.h"
#include "cli/cli.h"
#include "formats/dataset/dataset.h"
#include "storage/store_open.h"

#define MAX_PROBLEMS 100

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opensharing inspect dataset DIR [--json] [--partition-columns JSON]\n"
            "\n"
            "Reads a Parquet dataset (every *.parquet below DIR, a local directory or file://\n"
            "URI; hidden and temporary files left out) as the server would share it with\n"
            "format: parquet, and prints its files, rows, partition columns, merged schema and\n"
            "every problem found (files that are not Parquet or have damaged footers, partition\n"
            "directories that do not parse, schemas that cannot be merged).  --partition-columns\n"
            "takes declared types as in the config, e.g. '[{\"name\":\"day\",\"type\":\"date\"}]'.\n"
            "Exit status: 0 no problem, 1 problems found, 2 usage or listing error.\n");
}

typedef struct entry {
    char *path;
    int64_t size;
} entry;

typedef struct files {
    os_arena arena;
    entry *e;
    size_t n, cap;
} files;

static int on_entry(void *ctx, const objstore_entry *e, os_err *err)
{
    files *f = ctx;
    if (!ds_is_data_file(e->name))
        return 0;
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 256;
        entry *ne = realloc(f->e, nc * sizeof *ne);
        if (ne == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        f->e = ne;
        f->cap = nc;
    }
    if ((f->e[f->n].path = os_arena_strdup(&f->arena, e->name)) == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    f->e[f->n++].size = e->size;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

static void problem(json_t *problems, const char *file, const os_err *e)
{
    if (json_array_size(problems) < MAX_PROBLEMS)
        json_array_append_new(problems, json_pack("{s:s?,s:s}", "file", file, "problem", e->msg));
}

static void print_type(const json_t *t, int depth);

static void print_fields(const json_t *fields, int depth)
{
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *f = json_array_get(fields, i);
        printf("%*s%s ", 2 + 2 * depth, "", json_string_value(json_object_get(f, "name")));
        print_type(json_object_get(f, "type"), depth);
        printf("%s\n", json_is_true(json_object_get(f, "nullable")) ? "" : " not null");
    }
}

static void print_type(const json_t *t, int depth)
{
    if (json_is_string(t)) {
        printf("%s", json_string_value(t));
        return;
    }
    const char *k = json_string_value(json_object_get(t, "type"));
    if (k && strcmp(k, "struct") == 0 && depth < 32) {
        printf("struct\n");
        print_fields(json_object_get(t, "fields"), depth + 1);
        printf("%*s", 2 + 2 * depth, "");
        printf("end");
    } else if (k && strcmp(k, "array") == 0) {
        printf("array<");
        print_type(json_object_get(t, "elementType"), depth + 1);
        printf(">");
    } else if (k && strcmp(k, "map") == 0) {
        printf("map<");
        print_type(json_object_get(t, "keyType"), depth + 1);
        printf(", ");
        print_type(json_object_get(t, "valueType"), depth + 1);
        printf(">");
    } else {
        printf("%s", k ? k : "?");
    }
}

int cli_inspect_dataset(int argc, char **argv)
{
    const char *dir = NULL, *declared = NULL;
    int json_out = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json_out = 1;
        else if (!strcmp(argv[i], "--partition-columns") && i + 1 < argc)
            declared = argv[++i];
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-' && dir == NULL)
            dir = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (dir == NULL) {
        usage(stderr);
        return 2;
    }
    char uri[PATH_MAX + 16], real[PATH_MAX];
    const char *path = strncmp(dir, "file://", 7) == 0 ? dir + 7 : dir;
    if (strstr(dir, "://") && strncmp(dir, "file://", 7) != 0) {
        fprintf(stderr, "opensharing inspect dataset: only local directories (or file:// URIs) can "
                        "be inspected; inspect a remote dataset through a server's admin refresh\n");
        return 2;
    }
    if (realpath(path, real) == NULL) {
        fprintf(stderr, "opensharing inspect dataset: %s: no such directory\n", path);
        return 2;
    }
    snprintf(uri, sizeof uri, "file://%s", real);
    cat_location loc = {0, "inspect", uri, NULL, NULL};
    objstore st;
    os_err err;
    if (objstore_open_location(&loc, uri, &st, &err) != 0) {
        fprintf(stderr, "opensharing inspect dataset: %s\n", err.msg);
        return 2;
    }
    files fl = {{0}, NULL, 0, 0};
    int rc = 2;
    json_t *problems = json_array(), *acc = NULL, *parts = NULL;
    const char *acc_file = NULL;
    char *parts_json = NULL, *schema_text = NULL;
    int64_t rows = 0, bytes = 0;
    if (objstore_list_recursive(&st, "", NULL, on_entry, &fl, &err) != 0) {
        fprintf(stderr, "opensharing inspect dataset: the directory cannot be listed: %s\n", err.msg);
        goto out;
    }
    if (fl.n == 0) {
        os_err_set(&err, OS_ECORRUPT, "the dataset has no Parquet files (*.parquet)");
        problem(problems, NULL, &err);
    }
    if (fl.n > 1)
        qsort(fl.e, fl.n, sizeof *fl.e, cmp_entry);
    char **paths = malloc((fl.n ? fl.n : 1) * sizeof *paths);
    if (paths == NULL)
        goto out;
    for (size_t i = 0; i < fl.n; i++)
        paths[i] = fl.e[i].path;
    if (fl.n > 0) {
        parts_json = ds_partition_columns((const char *const *)paths, fl.n, declared, &err);
        if (parts_json == NULL)
            problem(problems, NULL, &err);
    }
    free(paths);
    for (size_t i = 0; i < fl.n; i++) {
        ds_footer_facts f;
        bytes += fl.e[i].size;
        if (ds_footer_read(&st, fl.e[i].path, fl.e[i].size, fl.e[i].path, &f, &err) != 0) {
            problem(problems, fl.e[i].path, &err);
            continue;
        }
        rows += f.num_rows;
        json_error_t je;
        json_t *t = json_loads(f.schema_json, 0, &je);
        ds_footer_facts_free(&f);
        if (t == NULL)
            continue;
        if (acc == NULL) {
            acc = t;
            acc_file = fl.e[i].path;
        } else {
            if (ds_schema_merge(acc, t, acc_file, fl.e[i].path, &err) != 0)
                problem(problems, fl.e[i].path, &err);
            json_decref(t);
        }
    }
    json_error_t je;
    parts = parts_json ? json_loads(parts_json, 0, &je) : json_array();
    if (acc) {
        size_t np = json_array_size(parts);
        ds_part_col *pc = calloc(np + 1, sizeof *pc);
        for (size_t k = 0; pc && k < np; k++) {
            pc[k].name = json_string_value(json_object_get(json_array_get(parts, k), "name"));
            pc[k].type = json_string_value(json_object_get(json_array_get(parts, k), "type"));
        }
        bool ntz;
        schema_text = pc ? ds_schema_string(acc, pc, np, &ntz, &err) : NULL;
        free(pc);
    }
    json_t *schema = schema_text ? json_loads(schema_text, 0, &je) : json_null();
    if (json_out) {
        json_t *doc = json_pack("{s:s,s:I,s:I,s:I,s:O,s:o,s:O}", "location", uri, "files", (json_int_t)fl.n,
                                "rows", (json_int_t)rows, "bytes", (json_int_t)bytes, "partition_columns",
                                parts, "schema", schema, "problems", problems);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (text)
            printf("%s\n", text);
        free(text);
        json_decref(doc);
    } else {
        printf("dataset %s: %zu files, %lld rows, %lld bytes\n", uri, fl.n, (long long)rows, (long long)bytes);
        printf("partition columns:");
        for (size_t k = 0; k < json_array_size(parts); k++)
            printf("%s %s (%s)", k ? "," : "", json_string_value(json_object_get(json_array_get(parts, k), "name")),
                   json_string_value(json_object_get(json_array_get(parts, k), "type")));
        printf("%s\n", json_array_size(parts) ? "" : " none");
        if (json_is_object(schema)) {
            printf("schema:\n");
            print_fields(json_object_get(schema, "fields"), 0);
        }
        if (json_array_size(problems) == 0)
            printf("problems: none\n");
        else
            printf("problems (%zu%s):\n", json_array_size(problems),
                   json_array_size(problems) >= MAX_PROBLEMS ? ", the first ones" : "");
        for (size_t k = 0; k < json_array_size(problems); k++)
            printf("  %s\n", json_string_value(json_object_get(json_array_get(problems, k), "problem")));
        json_decref(schema);
    }
    rc = json_array_size(problems) ? 1 : 0;
out:
    json_decref(problems);
    json_decref(acc);
    json_decref(parts);
    free(parts_json);
    free(schema_text);
    free(fl.e);
    os_arena_free(&fl.arena);
    objstore_close(&st);
    return rc;
}
