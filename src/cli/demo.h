/* demo.h - the embedded default: a sample share with one asset of each type, and a recipient profile to try it. */
#ifndef OS_CLI_DEMO_H
#define OS_CLI_DEMO_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "catalog/config.h"
#include "catalog/store.h"

/* Copies the sample files from sample_src to DATA_DIR/sample when absent, then
 * builds the sample config (parsed and checked like any config file).
 * Returns 0 or -1 with err. */
int demo_config_build(const char *data_dir, const char *sample_src, os_arena *a, os_config *cfg,
                      os_err *err);
/* Makes sure DATA_DIR/profiles/demo.share holds a live token of the demo
 * recipient and the given endpoint: reuses the token already in the profile
 * when it is still live, otherwise mints one (only its hash is stored) and
 * revokes earlier demo tokens.  Writes the path into path_out. */
int demo_profile_ensure(cat_store *st, const char *data_dir, const char *endpoint, char *path_out,
                        size_t path_len, os_err *err);

/* Makes sure DATA_DIR/secrets/admin.token holds an admin token (minted once,
 * mode 0600) for the embedded default's provider, and writes its path into
 * path_out.  Returns 0 or -1 with err. */
int demo_admin_token_ensure(const char *data_dir, char *path_out, size_t path_len, os_err *err);

#endif
