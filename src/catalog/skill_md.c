/* skill_md.c - the SKILL.md frontmatter: find it, parse it as YAML, check the agent-skill rules. */
#include "catalog/skill_md.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/names.h"
#include "catalog/yaml_tree.h"

/* Characters (UTF-8 code points) in s. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static int bad(os_err *err, const yaml_node *n, int line_base, const char *what)
{
    return os_err_set(err, OS_EINVAL, "SKILL.md:%d: %s", n ? n->line + line_base : 1, what);
}

static int opt_scalar(const yaml_node *fm, const char *key, int line_base, const char **out,
                      os_err *err)
{
    const yaml_node *n = yaml_map_get(fm, key);
    *out = NULL;
    if (n == NULL || yaml_is_null(n))
        return 0;
    if (n->type != YN_SCALAR) {
        char msg[128];
        snprintf(msg, sizeof msg, "'%s' must be a string", key);
        return bad(err, n, line_base, msg);
    }
    *out = n->value;
    return 0;
}

int skill_md_parse(const char *text, size_t len, const char *dir_name, os_arena *a,
                   skill_md *out, os_err *err)
{
    static const char *const allowed[] = {"name", "description", "license", "compatibility",
                                          "allowed-tools", "metadata", NULL};
    memset(out, 0, sizeof *out);
    if (len > SKILL_MD_MAX_BYTES)
        return os_err_set(err, OS_EINVAL, "SKILL.md is larger than 1 MiB");
    if (memchr(text, '\0', len) != NULL)
        return os_err_set(err, OS_EINVAL, "SKILL.md contains a NUL byte");
    size_t start;
    if (len >= 4 && memcmp(text, "---\n", 4) == 0)
        start = 4;
    else if (len >= 5 && memcmp(text, "---\r\n", 5) == 0)
        start = 5;
    else
        return os_err_set(err, OS_EINVAL,
                          "SKILL.md:1: must start with a YAML frontmatter block opened by '---'");
    /* Find the closing "---" line. */
    size_t end = 0, pos = start;
    int found = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_end = nl ? (size_t)(nl - text) : len;
        size_t l = line_end - pos;
        if (l > 0 && text[pos + l - 1] == '\r')
            l--;
        if (l == 3 && memcmp(text + pos, "---", 3) == 0) {
            end = pos;
            found = 1;
            break;
        }
        pos = line_end + 1;
    }
    if (!found)
        return os_err_set(err, OS_EINVAL, "SKILL.md: the frontmatter is not closed by a '---' line");
    os_err yerr;
    yaml_node *fm = yaml_tree_parse(text + start, end - start, a, &yerr);
    if (fm == NULL)
        return os_err_set(err, yerr.code, "SKILL.md frontmatter (after line 1): %s", yerr.msg);
    if (fm->type != YN_MAP)
        return os_err_set(err, OS_EINVAL, "SKILL.md: the frontmatter must be a mapping");
    const int base = 1;   /* the frontmatter starts on line 2 */
    for (size_t i = 0; i < fm->n; i++) {
        int ok = 0;
        for (const char *const *k = allowed; *k; k++)
            if (!strcmp(fm->keys[i]->value, *k))
                ok = 1;
        if (!ok) {
            char msg[400];
            snprintf(msg, sizeof msg,
                     "unknown frontmatter field '%.64s' (allowed: name, description, license, "
                     "compatibility, allowed-tools, metadata)",
                     fm->keys[i]->value);
            return bad(err, fm->keys[i], base, msg);
        }
    }
    if (opt_scalar(fm, "name", base, &out->name, err) ||
        opt_scalar(fm, "description", base, &out->description, err) ||
        opt_scalar(fm, "license", base, &out->license, err) ||
        opt_scalar(fm, "compatibility", base, &out->compatibility, err) ||
        opt_scalar(fm, "allowed-tools", base, &out->allowed_tools, err))
        return -1;
    if (out->name == NULL || *out->name == '\0')
        return os_err_set(err, OS_EINVAL, "SKILL.md: the frontmatter needs 'name'");
    os_err nerr;
    if (name_check(NAME_SKILL, out->name, "skill name", &nerr) != 0)
        return bad(err, yaml_map_get(fm, "name"), base, nerr.msg);
    if (dir_name != NULL && strcmp(out->name, dir_name) != 0) {
        char msg[400];
        snprintf(msg, sizeof msg, "name '%.64s' must equal the skill's directory name '%.64s'",
                 out->name, dir_name);
        return bad(err, yaml_map_get(fm, "name"), base, msg);
    }
    if (out->description == NULL || *out->description == '\0')
        return os_err_set(err, OS_EINVAL, "SKILL.md: the frontmatter needs a non-empty 'description'");
    if (utf8_chars(out->description) > SKILL_DESCRIPTION_MAX)
        return bad(err, yaml_map_get(fm, "description"), base,
                   "'description' is longer than 1024 characters");
    if (out->compatibility && utf8_chars(out->compatibility) > SKILL_COMPATIBILITY_MAX)
        return bad(err, yaml_map_get(fm, "compatibility"), base,
                   "'compatibility' is longer than 500 characters");
    const yaml_node *md = yaml_map_get(fm, "metadata");
    if (md && !yaml_is_null(md)) {
        if (md->type != YN_MAP)
            return bad(err, md, base, "'metadata' must be a mapping of strings");
        json_t *o = json_object();
        for (size_t i = 0; i < md->n; i++) {
            if (md->items[i]->type != YN_SCALAR) {
                json_decref(o);
                return bad(err, md->items[i], base, "'metadata' values must be strings");
            }
            json_object_set_new(o, md->keys[i]->value, json_string(md->items[i]->value));
        }
        char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(o);
        out->metadata_json = t ? os_arena_strdup(a, t) : NULL;
        free(t);
    }
    return 0;
}

int skill_md_load(const char *dir, os_arena *a, skill_md *out, os_err *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/SKILL.md", dir) >= (int)sizeof path)
        return os_err_set(err, OS_EINVAL, "skill path is too long");
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return os_err_set(err, OS_EINVAL, "the skill directory has no readable SKILL.md (%s)",
                          strerror(errno));
    char *buf = malloc(SKILL_MD_MAX_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, SKILL_MD_MAX_BYTES + 1, f);
    fclose(f);
    const char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : dir;
    int rc = skill_md_parse(buf, n, base, a, out, err);
    free(buf);
    return rc;
}
