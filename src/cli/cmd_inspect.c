/* cmd_inspect.c - `opensharing inspect`: local, read-only looks into Parquet and Avro files, Delta and Iceberg tables. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void inspect_usage(FILE *out)
{
    fprintf(out,
            "usage: opensharing inspect parquet FILE [--schema] [--columns a,b.c] [--limit N]\n"
            "       opensharing inspect avro FILE [--schema] [--meta] [--limit N] [--count]\n"
            "       opensharing inspect delta TABLE_DIR [--version V | --timestamp TS]\n"
            "                                 [--changes FROM[..TO]] [--predicate JSON] [--limit N]\n"
            "       opensharing inspect iceberg TABLE_DIR [--snapshot ID | --as-of TS | --ref NAME]\n"
            "                                   [--files] [--deletes] [--count] [--json]\n"
            "       opensharing inspect dataset DIR [--json] [--partition-columns JSON]\n");
}

int cli_inspect_main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        inspect_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "parquet"))
        return cli_inspect_parquet(argc - 1, argv + 1);
    if (!strcmp(argv[1], "avro"))
        return cli_inspect_avro(argc - 1, argv + 1);
    if (!strcmp(argv[1], "delta"))
        return cli_inspect_delta(argc - 1, argv + 1);
    if (!strcmp(argv[1], "iceberg"))
        return cli_inspect_iceberg(argc - 1, argv + 1);
    if (!strcmp(argv[1], "dataset"))
        return cli_inspect_dataset(argc - 1, argv + 1);
    fprintf(stderr, "opensharing inspect: unknown kind '%s'\n", argv[1]);
    inspect_usage(stderr);
    return 2;
}
