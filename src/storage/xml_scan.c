/* xml_scan.c - bounded element search and entity decoding for S3/Azure XML listings. */
#include "storage/xml_scan.h"

#include <string.h>

/* Searches needle (nn bytes) in h[0..hn). */
static const char *find(const char *h, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0 || hn < nn)
        return NULL;
    const char *end = h + hn - nn;
    for (const char *p = h; p <= end; p++) {
        p = memchr(p, needle[0], (size_t)(end - p) + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p, needle, nn) == 0)
            return p;
    }
    return NULL;
}

static int name_end(char c)
{
    return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int xml_next(const char *doc, size_t len, size_t *pos, const char *tag, xml_span *inner)
{
    size_t tl = strlen(tag);
    if (tl == 0 || tl > 64)
        return -1;
    char open[72], close[72];
    open[0] = '<';
    memcpy(open + 1, tag, tl);
    close[0] = '<';
    close[1] = '/';
    memcpy(close + 2, tag, tl);
    close[2 + tl] = '>';
    size_t at = *pos;
    while (at < len) {
        const char *o = find(doc + at, len - at, open, tl + 1);
        if (o == NULL)
            return 0;
        size_t oi = (size_t)(o - doc);
        size_t after = oi + 1 + tl;
        if (after >= len)
            return -1;
        if (!name_end(doc[after])) {
            at = after;   /* a longer name, e.g. <BlobPrefix> while looking for <Blob> */
            continue;
        }
        const char *gt = memchr(doc + after, '>', len - after);
        if (gt == NULL)
            return -1;
        size_t gi = (size_t)(gt - doc);
        if (gi > after && doc[gi - 1] == '/') {
            inner->p = doc + gi + 1;
            inner->n = 0;
            *pos = gi + 1;
            return 1;
        }
        const char *c = find(doc + gi + 1, len - gi - 1, close, tl + 3);
        if (c == NULL)
            return -1;
        inner->p = doc + gi + 1;
        inner->n = (size_t)(c - inner->p);
        *pos = (size_t)(c - doc) + tl + 3;
        return 1;
    }
    return 0;
}

int xml_child(xml_span parent, const char *tag, xml_span *inner)
{
    size_t pos = 0;
    return xml_next(parent.p, parent.n, &pos, tag, inner);
}

static int put_utf8(os_buf *out, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return os_buf_append(out, b, n);
}

int xml_text(xml_span s, os_buf *out)
{
    static const struct { const char *name; char c; } ents[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    size_t i = 0;
    while (i < s.n) {
        char c = s.p[i];
        if (c == '<') {
            if (s.n - i >= 9 && memcmp(s.p + i, "<![CDATA[", 9) == 0) {
                const char *e = find(s.p + i + 9, s.n - i - 9, "]]>", 3);
                if (e == NULL)
                    return -1;
                if (os_buf_append(out, s.p + i + 9, (size_t)(e - (s.p + i + 9))) != 0)
                    return -1;
                i = (size_t)(e - s.p) + 3;
                continue;
            }
            return -1;
        }
        if (c == '\0')
            return -1;
        if (c != '&') {
            if (os_buf_putc(out, c) != 0)
                return -1;
            i++;
            continue;
        }
        const char *semi = memchr(s.p + i, ';', s.n - i < 12 ? s.n - i : 12);
        if (semi == NULL)
            return -1;
        const char *name = s.p + i + 1;
        size_t nl = (size_t)(semi - name);
        if (nl >= 2 && name[0] == '#') {
            unsigned long cp = 0;
            int hexa = name[1] == 'x' || name[1] == 'X';
            size_t k = hexa ? 2 : 1;
            if (k >= nl)
                return -1;
            for (; k < nl; k++) {
                char d = name[k];
                unsigned v;
                if (d >= '0' && d <= '9')
                    v = (unsigned)(d - '0');
                else if (hexa && d >= 'a' && d <= 'f')
                    v = (unsigned)(d - 'a' + 10);
                else if (hexa && d >= 'A' && d <= 'F')
                    v = (unsigned)(d - 'A' + 10);
                else
                    return -1;
                cp = cp * (hexa ? 16 : 10) + v;
                if (cp > 0x10FFFF)
                    return -1;
            }
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || put_utf8(out, cp) != 0)
                return -1;
        } else {
            size_t j = 0;
            for (; j < sizeof ents / sizeof ents[0]; j++)
                if (strlen(ents[j].name) == nl && memcmp(ents[j].name, name, nl) == 0)
                    break;
            if (j == sizeof ents / sizeof ents[0] || os_buf_putc(out, ents[j].c) != 0)
                return -1;
        }
        i = (size_t)(semi - s.p) + 1;
    }
    return 0;
}

char *xml_child_text_dup(xml_span parent, const char *tag, size_t max)
{
    xml_span s;
    os_buf b = OS_BUF_INIT;
    if (xml_child(parent, tag, &s) != 1 || xml_text(s, &b) != 0 || b.len == 0 || b.len > max ||
        strlen(b.data) != b.len) {
        os_buf_free(&b);
        return NULL;
    }
    return os_buf_detach(&b);
}
