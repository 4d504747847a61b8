/* cmd_serve.c - placeholder; replaced by the server. */
#include <stdio.h>
#include "cli/cli.h"
int cli_serve_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    return 1;
}
