/* fuzz_skill_md.c - libFuzzer harness: any SKILL.md text is accepted with its rules holding, or refused with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/names.h"
#include "catalog/skill_md.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    os_arena a = OS_ARENA_INIT;
    skill_md md;
    os_err err;
    if (skill_md_parse((const char *)data, size, "fuzz-skill", &a, &md, &err) == 0) {
        /* What was accepted obeys the rules. */
        if (md.name == NULL || strcmp(md.name, "fuzz-skill") != 0 || md.description == NULL ||
            md.description[0] == '\0')
            abort();
    } else if (err.msg[0] == '\0') {
        abort();
    }
    os_arena_free(&a);
    return 0;
}
