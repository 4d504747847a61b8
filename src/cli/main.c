/* main.c - entry point of the opensharing binary: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opensharing <command> [options]\n"
            "\n"
            "Share tables, volumes, ML models and agent skills with other organisations\n"
            "through the OpenSharing (Delta Sharing compatible) protocol.\n"
            "\n"
            "commands:\n"
            "  serve      run the sharing server (see 'opensharing serve --help')\n"
            "  admin      manage shares, assets, recipients, tokens, grants and the audit\n"
            "             log of a running server (see 'opensharing admin --help')\n"
            "  inspect    read a Parquet file, an Avro file or a Delta table locally\n"
            "             (see 'opensharing inspect --help')\n"
            "  help       show this text\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("opensharing 0.1.0\n");
        return 0;
    }
    if (!strcmp(cmd, "serve"))
        return cli_serve_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "admin"))
        return cli_admin_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "inspect"))
        return cli_inspect_main(argc - 1, argv + 1);
    fprintf(stderr, "opensharing: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
