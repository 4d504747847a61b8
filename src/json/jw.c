/* jw.c - JSON text generation with RFC 8259 escaping; invalid UTF-8 is replaced, never passed through. */
#include "json/jw.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void jw_init(jw *w, os_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->first[0] = 1;
}

static void put(jw *w, const char *s, size_t n)
{
    os_buf *b = w->out;
    /* Most writes fit in the room already there: copy without a call. */
    if (b->data != NULL && b->cap - b->len > n) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return;
    }
    if (!w->failed && os_buf_append(b, s, n) != 0)
        w->failed = 1;
}

/* Writes the comma before a value at the current level unless it follows a key. */
static void sep(jw *w)
{
    if (w->first[w->depth])
        w->first[w->depth] = 0;
    else
        put(w, ",", 1);
}

static void open_level(jw *w, char c)
{
    put(w, &c, 1);
    if (w->depth + 1 >= JW_MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    w->depth++;
    w->first[w->depth] = 1;
}

static void close_level(jw *w, char c)
{
    if (w->depth == 0) {
        w->failed = 1;
        return;
    }
    w->depth--;
    put(w, &c, 1);
}

/* Values inside objects follow their key, which already placed the comma; a
 * key marks its level "first" so the value adds none. */
static void value_sep(jw *w)
{
    sep(w);
}

void jw_obj_begin(jw *w)
{
    value_sep(w);
    open_level(w, '{');
}

void jw_obj_end(jw *w)
{
    close_level(w, '}');
}

void jw_arr_begin(jw *w)
{
    value_sep(w);
    open_level(w, '[');
}

void jw_arr_end(jw *w)
{
    close_level(w, ']');
}

/* Length of a valid UTF-8 sequence starting at p (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    uint32_t cp = len == 2 ? (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f)
                  : len == 3 ? (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f)
                             : (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
                                   (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
    /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return len;
}

/* 1 for bytes that can be copied as they are: printable ASCII except '"' and '\\'. */
static const unsigned char PLAIN[256] = {
    ['\x20'] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1,
    [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1, ['0'] = 1,
    ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1, [':'] = 1, [';'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1, ['@'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['a'] = 1,
    ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1,
    ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1,
    ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JW_WORDS 1
/* A mask whose lowest set bit marks the first of 8 bytes (little-endian) that
 * is not PLAIN: below 0x20, '"', '\\', 0x7f or not ASCII; 0 when all are
 * plain.  (Bits above the lowest may be false: only the lowest is used.) */
static inline uint64_t not_plain(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\'), d = x ^ (ones * 0x7f);
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | ((d - ones) & ~d) | x) & high;
}
#endif

int jw_escape(os_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    /* The quotes are stored in the room reserved for the blocks: short
     * strings (keys) cost one reserve check. */
    if (os_buf_reserve(out, (n > 4096 ? 4096 : n) * 6 + 6) != 0)
        return -1;
    out->data[out->len++] = '"';
    do {
        /* A block at a time: at worst every byte becomes a six-byte escape
         * (a multi-byte character may run 3 bytes past the block), so the
         * loop stores without checks but never reserves more than ~24 KB
         * however long the string (file stats are JSON inside JSON: a quote
         * every few bytes, one string per file of a table).  The room also
         * holds the closing quote. */
        size_t end = n - i > 4096 ? i + 4096 : n;
        if (os_buf_reserve(out, (end - i) * 6 + 6) != 0)
            return -1;
        char *o = out->data + out->len;
        while (i < end) {
#ifdef JW_WORDS
            /* Runs of plain bytes 8 at a time, up to the first that is not. */
            if (end - i >= 8) {
                uint64_t x;
                memcpy(&x, p + i, 8);
                uint64_t m = not_plain(x);
                size_t k = m ? (size_t)__builtin_ctzll(m) >> 3 : 8;
                memcpy(o, p + i, 8);   /* room: 6 per byte is reserved */
                o += k;
                i += k;
                if (k == 8)
                    continue;
            }
#endif
            unsigned char c = p[i];
            if (PLAIN[c]) {
                *o++ = (char)c;
                i++;
                continue;
            }
            switch (c) {
            case '"': *o++ = '\\'; *o++ = '"'; i++; continue;
            case '\\': *o++ = '\\'; *o++ = '\\'; i++; continue;
            case '\n': *o++ = '\\'; *o++ = 'n'; i++; continue;
            case '\r': *o++ = '\\'; *o++ = 'r'; i++; continue;
            case '\t': *o++ = '\\'; *o++ = 't'; i++; continue;
            default: break;
            }
            if (c < 0x20 || c == 0x7f) {
                memcpy(o, "\\u00", 4);
                o[4] = hex[c >> 4];
                o[5] = hex[c & 15];
                o += 6;
                i++;
                continue;
            }
            size_t len = utf8_len(p + i, n - i);
            if (len == 0) {
                memcpy(o, "\\ufffd", 6);
                o += 6;
                i++;
                continue;
            }
            memcpy(o, p + i, len);
            o += len;
            i += len;
        }
        out->len = (size_t)(o - out->data);
    } while (i < n);
    out->data[out->len++] = '"';
    out->data[out->len] = '\0';
    return 0;
}

static void put_escaped(jw *w, const char *s, size_t n)
{
    if (w->failed || jw_escape(w->out, s, n) != 0)
        w->failed = 1;
}

void jw_key(jw *w, const char *key)
{
    sep(w);
    put_escaped(w, key, strlen(key));
    put(w, ":", 1);
    /* The value that follows must not add a comma. */
    w->first[w->depth] = 1;
}

void jw_strn(jw *w, const char *s, size_t n)
{
    value_sep(w);
    put_escaped(w, s, n);
    /* After a value inside an object, the next key needs a comma. */
}

void jw_str(jw *w, const char *s)
{
    if (s == NULL) {
        jw_null(w);
        return;
    }
    jw_strn(w, s, strlen(s));
}

void jw_int(jw *w, int64_t v)
{
    /* Digits right to left; the magnitude as unsigned so INT64_MIN works. */
    char b[24];
    char *p = b + sizeof b;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    value_sep(w);
    put(w, p, (size_t)(b + sizeof b - p));
}

void jw_bool(jw *w, int v)
{
    value_sep(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(jw *w)
{
    value_sep(w);
    put(w, "null", 4);
}

void jw_raw(jw *w, const char *json, size_t n)
{
    value_sep(w);
    put(w, json, n);
}

void jw_kstr(jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kint(jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

int jw_failed(const jw *w)
{
    return w->failed || w->depth != 0;
}
