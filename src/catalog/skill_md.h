/* skill_md.h - reading and validating an agent skill's SKILL.md frontmatter (AGENT_SKILLS.md rules). */
#ifndef OS_CATALOG_SKILL_MD_H
#define OS_CATALOG_SKILL_MD_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

#define SKILL_DESCRIPTION_MAX 1024
#define SKILL_COMPATIBILITY_MAX 500
#define SKILL_MD_MAX_BYTES (1024 * 1024)

/* What the frontmatter declares; strings live in the arena, optional ones may be NULL. */
typedef struct skill_md {
    const char *name;
    const char *description;
    const char *license;
    const char *compatibility;
    const char *allowed_tools;
    const char *metadata_json;   /* JSON object of string -> string, or NULL */
} skill_md;

/* Parses SKILL.md text: a YAML frontmatter between a first line "---" and the
 * next "---" line.  Checks: 'name' present, a valid skill name, equal to
 * dir_name (when not NULL); 'description' of 1..1024 characters;
 * 'compatibility' at most 500 characters; 'license' and 'allowed-tools'
 * strings; 'metadata' a mapping of strings; no other keys.  Returns 0, or -1
 * with an OS_EINVAL message naming SKILL.md, the line and the rule. */
int skill_md_parse(const char *text, size_t len, const char *dir_name, os_arena *a,
                   skill_md *out, os_err *err);
/* Reads DIR/SKILL.md and parses it with dir_name = the last segment of dir. */
int skill_md_load(const char *dir, os_arena *a, skill_md *out, os_err *err);

#endif
