/* test_skill_md.c - the SKILL.md frontmatter rules: a matrix of valid and invalid documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog/skill_md.h"

static int parse(const char *text, const char *dir, skill_md *md, os_err *e, os_arena *a)
{
    return skill_md_parse(text, strlen(text), dir, a, md, e);
}

static void ok(const char *text, const char *dir)
{
    os_arena a = OS_ARENA_INIT;
    skill_md md;
    os_err e;
    if (parse(text, dir, &md, &e, &a) != 0)
        fail_msg("refused: %s\n---\n%s", e.msg, text);
    os_arena_free(&a);
}

static void bad(const char *text, const char *dir, const char *needle)
{
    os_arena a = OS_ARENA_INIT;
    skill_md md;
    os_err e;
    if (parse(text, dir, &md, &e, &a) == 0)
        fail_msg("accepted:\n%s", text);
    assert_int_equal(e.code, OS_EINVAL);
    if (strstr(e.msg, needle) == NULL)
        fail_msg("message '%s' does not mention '%s'", e.msg, needle);
    os_arena_free(&a);
}

static void test_valid(void **state)
{
    (void)state;
    os_arena a = OS_ARENA_INIT;
    skill_md md;
    os_err e;
    const char *full = "---\nname: pdf-tools\ndescription: Work with PDF files.\nlicense: MIT\n"
                       "compatibility: python3\nallowed-tools: Read Bash\nmetadata:\n  team: docs\n"
                       "  version: \"1.0\"\n---\n# Body\n";
    assert_int_equal(parse(full, "pdf-tools", &md, &e, &a), 0);
    assert_string_equal(md.name, "pdf-tools");
    assert_string_equal(md.description, "Work with PDF files.");
    assert_string_equal(md.license, "MIT");
    assert_string_equal(md.compatibility, "python3");
    assert_string_equal(md.allowed_tools, "Read Bash");
    assert_string_equal(md.metadata_json, "{\"team\":\"docs\",\"version\":\"1.0\"}");
    os_arena_free(&a);
    ok("---\r\nname: a\r\ndescription: x\r\n---\r\n", "a");
    ok("---\nname: a1-b2\ndescription: x\n---", "a1-b2");
    ok("---\nname: a\ndescription: x\n---\n", NULL);
    /* 1024 characters exactly, counted as characters not bytes. */
    char *d = malloc(4096);
    strcpy(d, "---\nname: a\ndescription: ");
    for (int i = 0; i < 1024; i++)
        strcat(d, "\xc3\xa9");
    strcat(d, "\n---\n");
    ok(d, "a");
    free(d);
}

static void test_invalid(void **state)
{
    (void)state;
    bad("name: a\ndescription: x\n", "a", "frontmatter");
    bad("---\nname: a\ndescription: x\n", "a", "not closed");
    bad("---\ndescription: x\n---\n", "a", "'name'");
    bad("---\nname: a\n---\n", "a", "description");
    bad("---\nname: a\ndescription: ''\n---\n", "a", "description");
    bad("---\nname: other\ndescription: x\n---\n", "a", "directory name");
    bad("---\nname: Bad_Name\ndescription: x\n---\n", "Bad_Name", "skill name");
    bad("---\nname: -a\ndescription: x\n---\n", "-a", "skill name");
    bad("---\nname: a--b\ndescription: x\n---\n", "a--b", "skill name");
    bad("---\nname: a-\ndescription: x\n---\n", "a-", "skill name");
    bad("---\nname: [a]\ndescription: x\n---\n", "a", "'name' must be a string");
    bad("---\nname: a\ndescription: x\nmetadata: [1]\n---\n", "a", "metadata");
    bad("---\nname: a\ndescription: x\nmetadata: {k: [1]}\n---\n", "a", "metadata");
    bad("---\nname: a\ndescription: x\nunknown: 1\n---\n", "a", "unknown frontmatter field");
    bad("---\nname: a\ndescription: x\n  bad: indent\n---\n", "a", "SKILL.md");
    bad("---\n- a\n- b\n---\n", "a", "mapping");
    char *d = malloc(4096);
    strcpy(d, "---\nname: a\ndescription: ");
    for (int i = 0; i < 1025; i++)
        strcat(d, "x");
    strcat(d, "\n---\n");
    bad(d, "a", "1024");
    strcpy(d, "---\nname: a\ndescription: x\ncompatibility: ");
    for (int i = 0; i < 501; i++)
        strcat(d, "y");
    strcat(d, "\n---\n");
    bad(d, "a", "500");
    free(d);
    char name65[100] = "---\nname: ";
    for (int i = 0; i < 65; i++)
        strcat(name65, "a");
    strcat(name65, "\ndescription: x\n---\n");
    bad(name65, NULL, "skill name");
    /* A NUL byte inside is refused, not truncated. */
    os_arena a = OS_ARENA_INIT;
    skill_md md;
    os_err e;
    assert_int_equal(skill_md_parse("---\nname: a\0\ndescription: x\n---\n", 30, "a", &a, &md, &e), -1);
    os_arena_free(&a);
}

static void test_load(void **state)
{
    (void)state;
    char dir[64] = "/tmp/os_test_skill_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sk[128], file[160];
    snprintf(sk, sizeof sk, "%s/my-skill", dir);
    assert_int_equal(mkdir(sk, 0755), 0);
    os_arena a = OS_ARENA_INIT;
    skill_md md;
    os_err e;
    assert_int_equal(skill_md_load(sk, &a, &md, &e), -1);   /* no SKILL.md */
    snprintf(file, sizeof file, "%s/SKILL.md", sk);
    FILE *f = fopen(file, "w");
    fputs("---\nname: my-skill\ndescription: d\n---\n", f);
    fclose(f);
    assert_int_equal(skill_md_load(sk, &a, &md, &e), 0);
    assert_string_equal(md.name, "my-skill");
    os_arena_free(&a);
    unlink(file);
    rmdir(sk);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
