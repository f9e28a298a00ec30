#include "jsonw.h"

#include <string.h>

void cs_jsonw_init(cs_jsonw *w, FILE *f)
{
    w->f = f;
    w->depth = 0;
    w->first = true;
    w->after_key = false;
}

static void indent(cs_jsonw *w)
{
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->f);
}

/* Separator and indentation before a value or key. */
static void pre(cs_jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first) fputc(',', w->f);
    if (w->depth > 0) indent(w);
    w->first = false;
}

void cs_jsonw_obj(cs_jsonw *w)
{
    pre(w);
    fputc('{', w->f);
    w->depth++;
    w->first = true;
}

void cs_jsonw_arr(cs_jsonw *w)
{
    pre(w);
    fputc('[', w->f);
    w->depth++;
    w->first = true;
}

static void close_(cs_jsonw *w, char c)
{
    w->depth--;
    if (!w->first) indent(w);
    fputc(c, w->f);
    w->first = false;
    if (w->depth == 0) fputc('\n', w->f);
}

void cs_jsonw_obj_end(cs_jsonw *w)
{
    close_(w, '}');
}

void cs_jsonw_arr_end(cs_jsonw *w)
{
    close_(w, ']');
}

void cs_jsonw_key(cs_jsonw *w, const char *k)
{
    pre(w);
    fputc('"', w->f);
    cs_json_escape(w->f, k, strlen(k));
    fputs("\": ", w->f);
    w->after_key = true;
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

void cs_json_escape(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            switch (c) {
            case '\n':
                fputs("\\n", f);
                break;
            case '\t':
                fputs("\\t", f);
                break;
            case '\r':
                fputs("\\r", f);
                break;
            default:
                fprintf(f, "\\u%04x", c);
            }
            p++;
        } else if (c < 0x80) {
            fputc(c, f);
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
                fprintf(f, "\\u%04x", cp);
                p += k;
            } else if (k) {
                fwrite(p, 1, k, f);
                p += k;
            } else {
                fputs("\\ufffd", f);
                p++;
            }
        }
    }
}

void cs_jsonw_strn(cs_jsonw *w, const char *s, size_t n)
{
    pre(w);
    fputc('"', w->f);
    cs_json_escape(w->f, s, n);
    fputc('"', w->f);
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
    pre(w);
    fprintf(w->f, "%lld", v);
}

void cs_jsonw_uint(cs_jsonw *w, uint64_t v)
{
    pre(w);
    fprintf(w->f, "%llu", (unsigned long long)v);
}

void cs_jsonw_bool(cs_jsonw *w, bool v)
{
    pre(w);
    fputs(v ? "true" : "false", w->f);
}

void cs_jsonw_null(cs_jsonw *w)
{
    pre(w);
    fputs("null", w->f);
}

void cs_jsonw_raw(cs_jsonw *w, const char *number)
{
    pre(w);
    fputs(number, w->f);
}
