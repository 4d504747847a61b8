/* stats.c - per-file statistics JSON read in place: numRecords, minValues, maxValues, nullCount, tightBounds.
 *
 * Statistics are read once per file and per predicate column, for millions of
 * files: a validating scanner over the text, no tree, no allocation except for
 * strings that hold escapes. */
#include "formats/delta/delta_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STATS_MAX_DEPTH 64

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexv(p[i]);
        if (h < 0)
            return false;
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return true;
}

/* Scans the string at *pp (on its opening quote).  With dst, also decodes
 * it there (dst has room for the raw length).  Sets *has_esc.  Returns false
 * on malformed input. */
static bool scan_string(const char **pp, char *dst, size_t *dlen, bool *has_esc)
{
    const char *p = *pp + 1;
    size_t n = 0;
    *has_esc = false;
    for (;;) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\0' || c < 0x20)
            return false;
        if (c != '\\') {
            if (dst)
                dst[n] = (char)c;
            n++;
            p++;
            continue;
        }
        *has_esc = true;
        char e = p[1];
        unsigned cp;
        p += 2;
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (!hex4(p, &cp))
                return false;
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return false;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return false;
            }
            if (cp == 0)
                return false;   /* no NUL inside values */
            break;
        default:
            return false;
        }
        /* UTF-8 encode cp */
        char tmp[4];
        size_t k;
        if (cp < 0x80) {
            tmp[0] = (char)cp;
            k = 1;
        } else if (cp < 0x800) {
            tmp[0] = (char)(0xC0 | (cp >> 6));
            tmp[1] = (char)(0x80 | (cp & 0x3F));
            k = 2;
        } else if (cp < 0x10000) {
            tmp[0] = (char)(0xE0 | (cp >> 12));
            tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            tmp[2] = (char)(0x80 | (cp & 0x3F));
            k = 3;
        } else {
            tmp[0] = (char)(0xF0 | (cp >> 18));
            tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            tmp[3] = (char)(0x80 | (cp & 0x3F));
            k = 4;
        }
        if (dst)
            memcpy(dst + n, tmp, k);
        n += k;
    }
    *pp = p + 1;
    if (dlen)
        *dlen = n;
    return true;
}

static bool scan_number(const char **pp)
{
    const char *p = *pp;
    if (*p == '-')
        p++;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (*p >= '0' && *p <= '9')
            p++;
    } else {
        return false;
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    *pp = p;
    return true;
}

static bool skip_value(const char **pp, int depth)
{
    const char *p = ws(*pp);
    bool esc;
    if (depth > STATS_MAX_DEPTH)
        return false;
    switch (*p) {
    case '"':
        if (!scan_string(&p, NULL, NULL, &esc))
            return false;
        break;
    case '{':
    case '[': {
        char close = *p == '{' ? '}' : ']';
        bool obj = *p == '{';
        p = ws(p + 1);
        if (*p == close) {
            p++;
            break;
        }
        for (;;) {
            if (obj) {
                if (*p != '"' || !scan_string(&p, NULL, NULL, &esc))
                    return false;
                p = ws(p);
                if (*p++ != ':')
                    return false;
            }
            if (!skip_value(&p, depth + 1))
                return false;
            p = ws(p);
            if (*p == ',') {
                p = ws(p + 1);
                continue;
            }
            if (*p != close)
                return false;
            p++;
            break;
        }
        break;
    }
    case 't':
        if (strncmp(p, "true", 4) != 0)
            return false;
        p += 4;
        break;
    case 'f':
        if (strncmp(p, "false", 5) != 0)
            return false;
        p += 5;
        break;
    case 'n':
        if (strncmp(p, "null", 4) != 0)
            return false;
        p += 4;
        break;
    default:
        if (!scan_number(&p))
            return false;
        break;
    }
    *pp = p;
    return true;
}

bool dl_stats_init(dl_stats *s, const char *json)
{
    s->text = NULL;
    if (json == NULL)
        return false;
    const char *p = ws(json);
    if (*p != '{' || !skip_value(&p, 0) || *ws(p) != '\0')
        return false;
    s->text = json;
    return true;
}

/* In the object at *pp, finds key (n bytes); leaves *pp at its value. */
static bool find_key(const char **pp, const char *key, size_t n)
{
    const char *p = ws(*pp);
    if (*p != '{')
        return false;
    p = ws(p + 1);
    if (*p == '}')
        return false;
    for (;;) {
        const char *k = p;
        bool esc;
        size_t klen;
        if (*p != '"' || !scan_string(&p, NULL, &klen, &esc))
            return false;
        bool match;
        if (!esc) {
            match = klen == n && memcmp(k + 1, key, n) == 0;
        } else {
            char small[256];
            const char *q = k;
            match = false;
            if (klen == n && n <= sizeof small && scan_string(&q, small, NULL, &esc))
                match = memcmp(small, key, n) == 0;
        }
        p = ws(p);
        if (*p++ != ':')
            return false;
        p = ws(p);
        if (match) {
            *pp = p;
            return true;
        }
        if (!skip_value(&p, 1))
            return false;
        p = ws(p);
        if (*p != ',')
            return false;
        p = ws(p + 1);
    }
}

static void read_value(const char *p, os_arena *a, dl_jval *out)
{
    memset(out, 0, sizeof *out);
    out->kind = DL_J_OTHER;
    if (*p == 'n') {
        out->kind = DL_J_NULL;
    } else if (*p == '"') {
        const char *q = p;
        bool esc;
        size_t n;
        if (!scan_string(&q, NULL, &n, &esc))
            return;
        if (!esc) {
            out->s = p + 1;
        } else {
            char *d = a ? os_arena_alloc(a, (size_t)(q - p) + 1) : NULL;
            const char *r = p;
            if (d == NULL || !scan_string(&r, d, &n, &esc))
                return;
            out->s = d;
        }
        out->len = n;
        out->kind = DL_J_STRING;
    } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
        const char *q = p;
        if (!scan_number(&q))
            return;
        bool integral = true;
        for (const char *r = p; r < q; r++)
            if (*r == '.' || *r == 'e' || *r == 'E')
                integral = false;
        char *end;
        if (integral) {
            errno = 0;
            long long v = strtoll(p, &end, 10);
            if (errno == 0 && end == q) {
                out->kind = DL_J_INT;
                out->i = v;
                return;
            }
        }
        out->d = strtod(p, &end);
        out->kind = DL_J_REAL;
    }
}

void dl_stats_lookup(const dl_stats *s, const char *section, const char *path, os_arena *a,
                     dl_jval *out)
{
    memset(out, 0, sizeof *out);
    out->kind = DL_J_ABSENT;
    if (s == NULL || s->text == NULL)
        return;
    const char *p = s->text;
    if (!find_key(&p, section, strlen(section)))
        return;
    const char *seg = path;
    while (path != NULL && *seg) {
        const char *dot = strchr(seg, '.');
        size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
        if (!find_key(&p, seg, n))
            return;
        seg += n;
        if (*seg == '.')
            seg++;
    }
    read_value(p, a, out);
}

int64_t dl_stats_num_records(const dl_stats *s)
{
    dl_jval v;
    dl_stats_lookup(s, "numRecords", NULL, NULL, &v);
    return v.kind == DL_J_INT && v.i >= 0 ? v.i : -1;
}

bool dl_stats_tight_bounds(const dl_stats *s)
{
    const char *p = s ? s->text : NULL;
    if (p == NULL || !find_key(&p, "tightBounds", 11))
        return true;
    return strncmp(p, "false", 5) != 0;
}
