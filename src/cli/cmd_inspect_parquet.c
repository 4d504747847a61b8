/* cmd_inspect_parquet.c - placeholder until the parquet module lands; replaced by its owner. */
#include <stdio.h>
#include "cli/cli.h"
int cli_inspect_parquet(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "opensharing inspect parquet: not available in this build\n");
    return 1;
}
