/* fuzz_capabilities.c - libFuzzer harness: the delta-sharing-capabilities header parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sharing/capabilities.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    caps c;
    os_err err;
    if (caps_parse(text, &c, &err) == 0) {
        if (c.n_reader_features > CAPS_MAX_FEATURES || (!c.want_parquet && !c.want_delta))
            abort();
        for (int i = 0; i < c.n_reader_features; i++)
            (void)caps_has_feature(&c, c.reader_features[i]);
    }
    free(text);
    return 0;
}
