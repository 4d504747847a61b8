/* fuzz_page_token.c - libFuzzer harness: page-token decoding rejects anything not minted by the server. */
#include <stdlib.h>
#include <string.h>

#include "auth/page_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[PAGE_TOKEN_KEYLEN] = {7};
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    os_arena a = OS_ARENA_INIT;
    page_pos pos;
    os_err err;
    /* A forged token would need the key: decoding must never succeed. */
    if (page_token_decode(key, text, "shares", 1, 0, &a, &pos, &err) == 0)
        abort();
    os_arena_free(&a);
    free(text);
    return 0;
}
