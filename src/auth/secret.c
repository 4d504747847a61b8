/* secret.c - minting prefixed random secrets: 32 bytes from the system's random source, in base64url. */
#include "auth/secret.h"

#include <stdint.h>
#include <string.h>

#include "base/base64.h"
#include "base/crypto.h"

int auth_secret_mint(const char *prefix, char *out, size_t cap)
{
    uint8_t raw[32];
    size_t plen = strlen(prefix);
    if (cap > 0)
        out[0] = '\0';
    if (plen + os_base64_encoded_len(sizeof raw) > cap)
        return -1;
    if (os_random_bytes(raw, sizeof raw) != 0)
        return -1;
    memcpy(out, prefix, plen);
    os_base64_encode(raw, sizeof raw, out + plen, 1);
    memset(raw, 0, sizeof raw);
    return 0;
}
