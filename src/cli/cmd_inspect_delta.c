/* cmd_inspect_delta.c - placeholder until the delta module lands; replaced by its owner. */
#include <stdio.h>
#include "cli/cli.h"
int cli_inspect_delta(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "opensharing inspect delta: not available in this build\n");
    return 1;
}
