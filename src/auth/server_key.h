/* server_key.h - the server's own secret (page tokens, signed URLs), created once in the data directory. */
#ifndef OS_AUTH_SERVER_KEY_H
#define OS_AUTH_SERVER_KEY_H

#include <stdint.h>

#include "base/err.h"

#define SERVER_KEY_LEN 32

/* Reads DATA_DIR/secrets/server.key, creating it (mode 0600, AUTH_PREFIX_SERVER_KEY then
 * 32 random bytes as hex; a key without the prefix is read too) when absent.  Returns 0, or -1 with err when it cannot be read/created
 * or is malformed. */
int server_key_load(const char *data_dir, uint8_t key[SERVER_KEY_LEN], os_err *err);

#endif
