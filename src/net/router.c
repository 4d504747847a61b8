/* router.c - maps a method and raw path to a route of a mount, with `{name}` captures. */
#include <string.h>

#include "base/strutil.h"
#include "net/http_internal.h"

/* Length of s without trailing slashes ("/" and "" both give 0). */
static size_t trimmed_len(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == '/')
        n--;
    return n;
}

static size_t count_captures(const char *pattern)
{
    size_t n = 0;
    for (const char *p = pattern; *p; p++)
        if (*p == '{')
            n++;
    return n;
}

/* Matches the trimmed raw path rest[0..rn) against pattern.  On a match fills
 * params (room for count_captures(pattern)) and returns 1; 0 for no match; -1
 * when out of memory. */
static int match_pattern(const char *pattern, const char *rest, size_t rn, os_arena *a,
                         http_param *params, size_t *nparams)
{
    size_t pn = trimmed_len(pattern, strlen(pattern));
    size_t pi = 0, ri = 0, np = 0;
    while (pi < pn && ri < rn) {
        if (pattern[pi] != '/' || rest[ri] != '/')
            return 0;
        pi++;
        ri++;
        size_t ps = pi, rs = ri;
        while (pi < pn && pattern[pi] != '/')
            pi++;
        while (ri < rn && rest[ri] != '/')
            ri++;
        size_t plen = pi - ps, rlen = ri - rs;
        if (plen >= 2 && pattern[ps] == '{' && pattern[pi - 1] == '}') {
            if (rlen == 0)
                return 0;
            char *v = os_arena_strndup(a, rest + rs, rlen);
            char *name = os_arena_strndup(a, pattern + ps + 1, plen - 2);
            if (v == NULL || name == NULL)
                return -1;
            /* A "+" stays a "+": object names may hold one, never a space. */
            long dn = os_url_decode(v, 0);
            if (dn < 0 || memchr(v, '/', (size_t)dn) != NULL)
                return 0;
            params[np].name = name;
            params[np].value = v;
            np++;
        } else if (plen != rlen || memcmp(pattern + ps, rest + rs, plen) != 0) {
            return 0;
        }
    }
    if (pi != pn || ri != rn)
        return 0;
    *nparams = np;
    return 1;
}

/* Appends method to the ", "-separated list unless already there. */
static int allow_add(os_arena *a, const char **allow, const char *method)
{
    const char *cur = *allow;
    if (cur != NULL) {
        size_t ml = strlen(method);
        for (const char *p = cur; *p;) {
            const char *e = strstr(p, ", ");
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if (l == ml && memcmp(p, method, ml) == 0)
                return 0;
            if (e == NULL)
                break;
            p = e + 2;
        }
    }
    const char *n = cur ? os_arena_sprintf(a, "%s, %s", cur, method) : os_arena_strdup(a, method);
    if (n == NULL)
        return -1;
    *allow = n;
    return 0;
}

int http_router_match(const http_mount *mounts, size_t nmounts, const char *method,
                      const char *path, os_arena *a, http_match *m)
{
    memset(m, 0, sizeof *m);
    if (path == NULL || path[0] != '/' || method == NULL)
        return 404;
    size_t path_len = strlen(path);
    int path_found = 0;
    for (size_t i = 0; i < nmounts; i++) {
        const http_mount *mt = &mounts[i];
        const char *prefix = mt->prefix ? mt->prefix : "";
        size_t pl = trimmed_len(prefix, strlen(prefix));
        if (pl > 0 && (path_len < pl || memcmp(path, prefix, pl) != 0 ||
                       (path[pl] != '/' && path[pl] != '\0')))
            continue;
        const char *rest = path + pl;
        size_t rn = trimmed_len(rest, path_len - pl);
        for (size_t r = 0; r < mt->nroutes; r++) {
            const http_route *rt = &mt->routes[r];
            if (rt->pattern == NULL || rt->method == NULL)
                continue;
            size_t cap = count_captures(rt->pattern);
            http_param *params = NULL;
            if (cap > 0 && (params = os_arena_alloc(a, cap * sizeof *params)) == NULL)
                return 500;
            size_t np = 0;
            int ok = match_pattern(rt->pattern, rest, rn, a, params, &np);
            if (ok < 0)
                return 500;
            if (ok == 0)
                continue;
            if (strcmp(rt->method, method) == 0) {
                m->mount = mt;
                m->route = rt;
                m->params = params;
                m->nparams = np;
                m->allow = NULL;
                return 200;
            }
            path_found = 1;
            if (allow_add(a, &m->allow, rt->method) != 0)
                return 500;
        }
    }
    return path_found ? 405 : 404;
}
