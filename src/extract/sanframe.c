/* sanframe.c - the sanitizer frame line parser (sanframe.h), shared by the
 * sanitizer dialects and any dialect printing the same shape. */
#include <string.h>

#include "../base/util.h"
#include "extract.h"
#include "sanframe.h"

/* "file.cc" or "dir/file" printed without a line: no characters of C++
 * names, and a path separator or a short extension. */
static bool looks_like_file(const char *p, size_t n)
{
    if (n == 0) return false;
    bool slash = false;
    size_t dot = n;
    for (size_t i = 0; i < n; i++) {
        if (strchr("()<>,'*&", p[i]) || (p[i] == ':' && !(i == 1 && n > 2 && p[2] == '\\')))
            return false;
        if (p[i] == '/' || p[i] == '\\') slash = true;
        if (p[i] == '.') dot = i;
    }
    if (slash) return true;
    if (dot == 0 || dot + 1 >= n || n - dot - 1 > 4) return false;
    for (size_t i = dot + 1; i < n; i++)
        if (!cs_xis_alnum(p[i])) return false;
    return true;
}

/* A trailing "(module+0xoff)", "(/abs/path)" or "(<unknown module>)" group
 * (after the BuildId group was cut). Sets *open to its '(' when found. */
static bool module_group(const char *p, size_t n, size_t *open)
{
    if (n < 3 || p[n - 1] != ')') return false;
    size_t o = n - 1;
    while (o > 0 && p[o - 1] != '(')
        o--;
    if (o == 0) return false;
    o--;                                                /* p[o] == '(' */
    if (o > 0 && !cs_xis_blank(p[o - 1])) return false; /* "f(int)" is a signature */
    const char *c = p + o + 1;
    size_t cn = n - o - 2;
    if (cn == 0) return false;
    if (cn == 16 && memcmp(c, "<unknown module>", 16) == 0) {
        *open = o;
        return true;
    }
    for (size_t i = 0; i < cn; i++)
        if (cs_xis_blank(c[i])) return false;
    if (!cs_memmem(c, cn, "+0x", 3) && c[0] != '/') return false;
    *open = o;
    return true;
}

/* Fuchsia's symbolizer ends a frame with the module in angle brackets and
 * the offset in it: "<libc.so>+0x975fe", "<<application>>+0xacf4c" (the
 * main binary), "<>+0xb8bff" (a module without a name). Sets *start to the
 * token's first byte. */
static bool angle_module(const char *p, size_t n, size_t *start, cs_frame *f)
{
    size_t t = n;
    while (t > 0 && !cs_xis_blank(p[t - 1]))
        t--;
    const char *tok = p + t;
    size_t tn = n - t;
    const char *plus = tn > 4 ? cs_memmem(tok, tn, ">+0x", 4) : NULL;
    if (!plus || tok[0] != '<') return false;
    size_t hn = (size_t)(tok + tn - plus - 4);
    if (hn == 0) return false;
    for (size_t k = 0; k < hn; k++)
        if (!cs_xis_hex(plus[4 + k])) return false;
    /* The name between the brackets, both levels of "<<application>>". */
    const char *a = tok;
    const char *b = plus + 1;
    while (a < b && *a == '<')
        a++;
    while (b > a && b[-1] == '>')
        b--;
    if (b > a) f->module = cs_xstrndup(a, (size_t)(b - a));
    f->offset = cs_xhex(plus + 4, hn);
    f->has_offset = true;
    *start = t;
    return true;
}

bool cs_san_parse_frame(const char *p, size_t n, cs_frame *f)
{
    cs_xtrim(&p, &n);
    if (n < 3 || p[0] != '#') return false;
    size_t i = 1;
    while (i < n && i < 8 && p[i] >= '0' && p[i] <= '9')
        i++;
    if (i == 1) return false;
    cs_frame tmp = {0};
    /* Fuchsia numbers the frames inlined into frame N as "#N.1", "#N.2". */
    if (i + 1 < n && p[i] == '.' && p[i + 1] >= '0' && p[i + 1] <= '9') {
        i++;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        tmp.inlined = true;
    }
    if (i >= n || !cs_xis_blank(p[i])) return false;
    const char *q = p + i;
    size_t m = n - i;
    cs_xtrim(&q, &m);
    if (m >= 3 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        size_t j = 2;
        while (j < m && cs_xis_hex(q[j]))
            j++;
        if (j == 2 || (j < m && !cs_xis_blank(q[j]))) return false;
        tmp.pc = cs_xhex(q + 2, j - 2);
        tmp.has_pc = true;
        q += j;
        m -= j;
        cs_xtrim(&q, &m);
        if (m >= 3 && memcmp(q, "in ", 3) == 0) {
            q += 3;
            m -= 3;
            cs_xtrim(&q, &m);
        } else if (m == 2 && memcmp(q, "in", 2) == 0) {
            m = 0; /* "#3 0x7b11af60c in": the symbolizer found nothing */
        }
    }
    /* " (BuildId: 0a1b...)" since LLVM 15. */
    const char *bid = m ? cs_memmem(q, m, "(BuildId: ", 10) : NULL;
    if (bid && q[m - 1] == ')') {
        m = (size_t)(bid - q);
        cs_xtrim(&q, &m);
    }
    size_t open;
    if (angle_module(q, m, &open, &tmp)) {
        m = open;
        cs_xtrim(&q, &m);
    } else if (module_group(q, m, &open)) {
        const char *c = q + open + 1;
        size_t cn = m - open - 2;
        const char *plus = NULL;
        for (size_t k = cn; k-- > 1;)
            if (c[k] == '+' && k + 2 < cn && c[k + 1] == '0' && c[k + 2] == 'x') {
                plus = c + k;
                break;
            }
        if (plus) {
            size_t hn = (size_t)(c + cn - plus - 3);
            bool ok = hn > 0;
            for (size_t k = 0; k < hn; k++)
                ok = ok && cs_xis_hex(plus[3 + k]);
            if (ok) {
                tmp.offset = cs_xhex(plus + 3, hn);
                tmp.has_offset = true;
                cn = (size_t)(plus - c);
            }
        }
        if (!(cn == 16 && memcmp(c, "<unknown module>", 16) == 0)) tmp.module = cs_xstrndup(c, cn);
        m = open;
        cs_xtrim(&q, &m);
    }
    if (m == 0) {
        if (!tmp.has_pc && !tmp.module) {
            cs_frame_dispose(&tmp);
            return false;
        }
        *f = tmp;
        return true;
    }
    /* The last blank-separated token: file[:line[:col]], "<null>" or "??:0". */
    size_t t = m;
    while (t > 0 && !cs_xis_blank(q[t - 1]))
        t--;
    const char *tok = q + t;
    size_t tn = m - t;
    size_t fn_len = m;
    if (t > 0) {
        if ((tn == 6 && memcmp(tok, "<null>", 6) == 0) || (tn >= 2 && memcmp(tok, "??", 2) == 0)) {
            fn_len = t;
        } else if (cs_xparse_fileline(tok, tn, &tmp)) {
            fn_len = t;
        } else if (looks_like_file(tok, tn)) {
            tmp.file = cs_xstrndup(tok, tn);
            fn_len = t;
        }
    }
    while (fn_len > 0 && cs_xis_blank(q[fn_len - 1]))
        fn_len--;
    /* libFuzzer's progress lines ("#2\tINITED cov: 5 ft: 5 corp: 1/1b",
     * "#1024\tpulse  cov: ...") have no pc either, and "name: value" pairs
     * where a TSan frame has its function: no function name holds ": ". */
    if (!tmp.has_pc && !tmp.module && cs_memmem(q, fn_len, ": ", 2)) {
        cs_frame_dispose(&tmp);
        return false;
    }
    if (fn_len) tmp.function = cs_xstrndup(q, fn_len);
    *f = tmp;
    return true;
}
