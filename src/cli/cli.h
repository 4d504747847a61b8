/* cli.h - the subcommands of the opensharing binary; main.c dispatches to these. */
#ifndef OS_CLI_CLI_H
#define OS_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Each returns the process exit status: 0 success, 2 usage error, 1 failure
 * (other codes are documented by the subcommand). argv[0] is the subcommand. */
int cli_serve_main(int argc, char **argv);
int cli_inspect_main(int argc, char **argv);
/* `opensharing admin ...` (src/cli/cmd_admin.c); exit codes in cmd_admin.h. */
int cli_admin_main(int argc, char **argv);
/* `inspect parquet` (src/cli/cmd_inspect_parquet.c), `inspect avro`
 * (src/cli/cmd_inspect_avro.c) and `inspect delta` (src/cli/cmd_inspect_delta.c);
 * argv[0] is "parquet", "avro" or "delta". */
int cli_inspect_parquet(int argc, char **argv);
int cli_inspect_avro(int argc, char **argv);
int cli_inspect_delta(int argc, char **argv);
int cli_inspect_iceberg(int argc, char **argv);
/* `inspect dataset` (src/cli/cmd_inspect_dataset.c): a Parquet dataset checked before sharing. */
int cli_inspect_dataset(int argc, char **argv);

/* Splits "HOST:PORT" (IPv6 as "[::1]:PORT") into host (NUL-terminated, at most
 * hostlen-1 characters) and port 0..65535.  Returns 0, or -1 when malformed. */
int cli_listen_parse(const char *listen, char *host, size_t hostlen, uint16_t *port);

#endif
