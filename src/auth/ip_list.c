/* ip_list.c - CIDR parsing, canonical formatting and matching for recipient IP access lists. */
#include "auth/ip_list.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/strutil.h"

static int parse_addr(const char *s, int *family, uint8_t addr[16])
{
    memset(addr, 0, 16);
    if (strchr(s, ':') != NULL) {
        *family = 6;
        return inet_pton(AF_INET6, s, addr) == 1 ? 0 : -1;
    }
    *family = 4;
    /* inet_pton(AF_INET) accepts only the dotted-quad form: no octal, no short forms. */
    return inet_pton(AF_INET, s, addr) == 1 ? 0 : -1;
}

int ip_cidr_parse(const char *text, ip_cidr *out, os_err *err)
{
    if (text == NULL || *text == '\0')
        return os_err_set(err, OS_EINVAL, "an IP range must not be empty");
    size_t len = strlen(text);
    if (len > 63)
        return os_err_set(err, OS_EINVAL, "IP range '%.64s...' is too long", text);
    char buf[64];
    memcpy(buf, text, len + 1);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    memset(out, 0, sizeof *out);
    if (parse_addr(buf, &out->family, out->addr) != 0)
        return os_err_set(err, OS_EINVAL,
                          "'%s' is not an IP range: expected CIDR such as 10.0.0.0/8 or 2001:db8::/32",
                          text);
    int max = out->family == 4 ? 32 : 128;
    out->prefix = max;
    if (slash) {
        int64_t p;
        const char *ptext = slash + 1;
        if (*ptext == '\0' || *ptext == '-' || *ptext == '+' || os_parse_i64(ptext, &p) != 0 ||
            p < 0 || p > max || strlen(ptext) > 3)
            return os_err_set(err, OS_EINVAL, "'%s': the prefix length must be 0 to %d", text, max);
        out->prefix = (int)p;
    }
    int bytes = max / 8;
    for (int i = 0; i < bytes; i++) {
        int keep = out->prefix - i * 8;
        uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
        if (out->addr[i] & (uint8_t)~mask) {
            ip_cidr fixed = *out;
            for (int j = i; j < bytes; j++) {
                int k = out->prefix - j * 8;
                fixed.addr[j] &= k >= 8 ? 0xff : k <= 0 ? 0 : (uint8_t)(0xff << (8 - k));
            }
            char canon[64];
            ip_cidr_format(&fixed, canon);
            return os_err_set(err, OS_EINVAL,
                              "'%s' has bits set past its prefix length; did you mean %s?", text,
                              canon);
        }
    }
    return 0;
}

void ip_cidr_format(const ip_cidr *c, char out[64])
{
    char a[INET6_ADDRSTRLEN];
    if (inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a, sizeof a) == NULL)
        snprintf(a, sizeof a, "?");
    snprintf(out, 64, "%s/%d", a, c->prefix);
}

int ip_list_parse_json(const char *json_text, os_arena *a, ip_list *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    if (json_text == NULL || *json_text == '\0')
        return 0;
    json_error_t je;
    json_t *arr = json_loads(json_text, 0, &je);
    if (arr == NULL || !json_is_array(arr)) {
        json_decref(arr);
        return os_err_set(err, OS_EINVAL, "the IP access list must be a list of CIDR strings");
    }
    size_t n = json_array_size(arr);
    if (n > IP_LIST_MAX) {
        json_decref(arr);
        return os_err_set(err, OS_EINVAL, "an IP access list holds at most %d ranges", IP_LIST_MAX);
    }
    out->items = os_arena_alloc(a, sizeof *out->items * (n ? n : 1));
    if (out->items == NULL) {
        json_decref(arr);
        return os_err_set(err, OS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s == NULL) {
            json_decref(arr);
            return os_err_set(err, OS_EINVAL, "IP access list entries must be strings");
        }
        if (ip_cidr_parse(s, &out->items[out->n], err) != 0) {
            json_decref(arr);
            return -1;
        }
        out->n++;
    }
    json_decref(arr);
    return 0;
}

static int cidr_match(const ip_cidr *c, const uint8_t addr[16])
{
    int full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr, addr, (size_t)full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (c->addr[full] & mask) == (addr[full] & mask);
}

int ip_list_allows(const ip_list *list, const char *client_ip)
{
    if (list == NULL || client_ip == NULL)
        return 0;
    int family;
    uint8_t addr[16];
    if (parse_addr(client_ip, &family, addr) != 0)
        return 0;
    uint8_t v4[16] = {0};
    int has_v4 = family == 4;
    if (family == 4) {
        memcpy(v4, addr, 4);
    } else {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(addr, mapped, 12) == 0) {
            memcpy(v4, addr + 12, 4);
            has_v4 = 1;
        }
    }
    for (size_t i = 0; i < list->n; i++) {
        const ip_cidr *c = &list->items[i];
        if (c->family == 4 ? has_v4 && cidr_match(c, v4) : family == 6 && cidr_match(c, addr))
            return 1;
    }
    return 0;
}
