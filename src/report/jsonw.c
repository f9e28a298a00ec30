#define _GNU_SOURCE /* fwrite_unlocked */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

void cs_jsonw_init(cs_jsonw *w, FILE *f)
{
    w->f = f;
    w->depth = 0;
    w->first = true;
    w->after_key = false;
    w->compact = false;
    w->len = 0;
}

/* One report is written by one thread: no stdio lock per write. */
void cs_jsonw_flush(cs_jsonw *w)
{
    if (w->len) fwrite_unlocked(w->buf, 1, w->len, w->f);
    w->len = 0;
}

static void put(cs_jsonw *w, const void *p, size_t n)
{
    if (n > sizeof w->buf - w->len) {
        cs_jsonw_flush(w);
        if (n > sizeof w->buf) {
            fwrite_unlocked(p, 1, n, w->f);
            return;
        }
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void putc_(cs_jsonw *w, char c)
{
    if (w->len == sizeof w->buf) cs_jsonw_flush(w);
    w->buf[w->len++] = c;
}

static void puts_(cs_jsonw *w, const char *s)
{
    put(w, s, strlen(s));
}

static void indent(cs_jsonw *w)
{
    /* A newline and two spaces per level, copied in pieces of 64. */
    static const char spaces[] = "                                                                ";
    if (w->compact) return;
    putc_(w, '\n');
    size_t n = 2 * (size_t)w->depth;
    for (; n > sizeof spaces - 1; n -= sizeof spaces - 1)
        put(w, spaces, sizeof spaces - 1);
    put(w, spaces, n);
}

/* Separator and indentation before a value or key. */
static void pre(cs_jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first) putc_(w, ',');
    if (w->depth > 0) indent(w);
    w->first = false;
}

void cs_jsonw_obj(cs_jsonw *w)
{
    pre(w);
    putc_(w, '{');
    w->depth++;
    w->first = true;
}

void cs_jsonw_arr(cs_jsonw *w)
{
    pre(w);
    putc_(w, '[');
    w->depth++;
    w->first = true;
}

static void close_(cs_jsonw *w, char c)
{
    w->depth--;
    if (!w->first) indent(w);
    putc_(w, c);
    w->first = false;
    if (w->depth == 0) {
        putc_(w, '\n');
        cs_jsonw_flush(w);
    }
}

void cs_jsonw_obj_end(cs_jsonw *w)
{
    close_(w, '}');
}

void cs_jsonw_arr_end(cs_jsonw *w)
{
    close_(w, ']');
}

/* Length of a valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t k;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf)
        k = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        k = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        k = 4, cp = c & 0x07;
    else
        return 0;
    if (n < k) return 0;
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return k;
}

/* Bytes copied as they are: printable ASCII but the quote and backslash. */
static bool plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static void put_u(cs_jsonw *w, unsigned cp)
{
    char u[8];
    snprintf(u, sizeof u, "\\u%04x", cp);
    put(w, u, 6);
}

static void escape(cs_jsonw *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        /* A run of plain bytes in one copy: most of any report. */
        const unsigned char *q = p;
        while (q < end && plain(*q))
            q++;
        if (q > p) {
            put(w, p, (size_t)(q - p));
            p = q;
            if (p == end) break;
        }
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(w, e, 2);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            switch (c) {
            case '\n':
                put(w, "\\n", 2);
                break;
            case '\t':
                put(w, "\\t", 2);
                break;
            case '\r':
                put(w, "\\r", 2);
                break;
            default:
                put_u(w, c);
            }
            p++;
        } else {
            size_t k = utf8_len(p, (size_t)(end - p));
            unsigned cp = k == 2   ? (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu)
                          : k == 3 ? (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu)
                                   : 0;
            if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
                (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x61c) {
                /* C1 controls and bidi controls: escaped (losslessly), so a
                 * viewer of the raw file cannot be tricked by reordering. */
                put_u(w, cp);
                p += k;
            } else if (k) {
                put(w, p, k);
                p += k;
            } else {
                put(w, "\\ufffd", 6);
                p++;
            }
        }
    }
}

void cs_json_escape(FILE *f, const char *s, size_t n)
{
    cs_jsonw w;
    cs_jsonw_init(&w, f);
    escape(&w, s, n);
    cs_jsonw_flush(&w);
}

void cs_jsonw_key(cs_jsonw *w, const char *k)
{
    pre(w);
    putc_(w, '"');
    escape(w, k, strlen(k));
    put(w, "\": ", w->compact ? 2 : 3);
    w->after_key = true;
}

void cs_jsonw_strn(cs_jsonw *w, const char *s, size_t n)
{
    pre(w);
    putc_(w, '"');
    escape(w, s, n);
    putc_(w, '"');
}

void cs_jsonw_str(cs_jsonw *w, const char *s)
{
    if (!s) {
        cs_jsonw_null(w);
        return;
    }
    cs_jsonw_strn(w, s, strlen(s));
}

void cs_jsonw_int(cs_jsonw *w, long long v)
{
    char b[32];
    int k = snprintf(b, sizeof b, "%lld", v);
    pre(w);
    put(w, b, (size_t)k);
}

void cs_jsonw_uint(cs_jsonw *w, uint64_t v)
{
    char b[32];
    int k = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    pre(w);
    put(w, b, (size_t)k);
}

void cs_jsonw_bool(cs_jsonw *w, bool v)
{
    pre(w);
    puts_(w, v ? "true" : "false");
}

void cs_jsonw_null(cs_jsonw *w)
{
    pre(w);
    put(w, "null", 4);
}

void cs_jsonw_raw(cs_jsonw *w, const char *number)
{
    pre(w);
    puts_(w, number);
}
