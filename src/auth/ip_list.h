/* ip_list.h - IP access lists: CIDR ranges (IPv4 and IPv6) parsed once and matched against a client address. */
#ifndef OS_AUTH_IP_LIST_H
#define OS_AUTH_IP_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

/* One range: an address (IPv4 in the first 4 bytes) and a prefix length. */
typedef struct ip_cidr {
    int family;          /* 4 or 6 */
    uint8_t addr[16];
    int prefix;          /* 0..32 for IPv4, 0..128 for IPv6 */
} ip_cidr;

typedef struct ip_list {
    ip_cidr *items;
    size_t n;
} ip_list;

/* Most ranges one list may hold. */
#define IP_LIST_MAX 256

/* Parses "A.B.C.D/N", "X:Y::Z/N" or a bare address (a /32 or /128).  Host bits
 * below the prefix must be zero ("10.1.0.0/8" is refused: did you mean
 * 10.0.0.0/8?).  Returns 0, or -1 with an OS_EINVAL message quoting the text. */
int ip_cidr_parse(const char *text, ip_cidr *out, os_err *err);
/* Writes the canonical form ("10.0.0.0/8", "2001:db8::/32") into out[64]. */
void ip_cidr_format(const ip_cidr *c, char out[64]);
/* Parses a JSON array of CIDR strings (NULL or "" gives an empty list) into
 * *out (items in the arena).  Returns 0 or -1 with OS_EINVAL. */
int ip_list_parse_json(const char *json_text, os_arena *a, ip_list *out, os_err *err);
/* 1 when the textual client address (as the server reports it: "1.2.3.4",
 * "::1", "::ffff:1.2.3.4") falls in any range; 0 otherwise, also for an
 * address that does not parse.  An IPv4-mapped IPv6 address matches IPv4
 * ranges. */
int ip_list_allows(const ip_list *list, const char *client_ip);

#endif
