/* names.h - the naming rules of the protocol (OVERVIEW.md, AGENT_SKILLS.md) and lookup keys. */
#ifndef OS_CATALOG_NAMES_H
#define OS_CATALOG_NAMES_H

#include <stddef.h>

#include "base/err.h"

typedef enum name_kind {
    NAME_SHARE,       /* share, recipient, storage location names */
    NAME_SCHEMA,      /* schema and asset names: no '.' either */
    NAME_SKILL        /* agent skill: [a-z0-9-], <= 64, no leading/trailing/double '-' */
} name_kind;

#define NAME_MAX_LEN 255
#define SKILL_NAME_MAX_LEN 64

/* Returns 0 when `name` is valid for `kind`, else -1 with an OS_EINVAL message
 * that names `what` (e.g. "share name") and the rule broken. */
int name_check(name_kind kind, const char *name, const char *what, os_err *err);
/* Writes the lookup key of name (ASCII lower-case) into out (size outlen);
 * returns 0, or -1 when it does not fit. */
int name_key(const char *name, char *out, size_t outlen);

/* Checks a path inside an asset ("metadata/v3.metadata.json"): relative,
 * '/'-separated, no empty, "." or ".." segments, no control characters, at
 * most 1024 bytes.  Returns 0, or -1 with OS_EINVAL naming `what`. */
int name_relpath_check(const char *path, const char *what, os_err *err);

#endif
