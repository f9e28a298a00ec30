#include "sniff.h"

#include <string.h>

#include "../base/util.h"

static cs_member_kind sniff_elf(const unsigned char *h, size_t n)
{
    if (n < 18) return CS_MK_BINARY;
    unsigned type = h[5] == 2 ? (unsigned)(h[16] << 8 | h[17]) : (unsigned)(h[17] << 8 | h[16]);
    if (type == 4) return CS_MK_ELF_CORE;
    if (type == 2 || type == 3 || type == 1) return CS_MK_ELF_BINARY;
    return CS_MK_BINARY;
}

static bool bad_byte(unsigned char c)
{
    return c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x1b && c != '\f' && c != '\b';
}

/* Text is what has few control bytes: logs may carry ANSI escapes, the odd
 * NUL or invalid UTF-8, and still be logs. A log may also quote a block of
 * raw bytes (a fuzzer's input echoed in a CHECK message): that block can pass
 * 5% of the head on its own, so a head is text too when most of its bytes are
 * on lines with no control byte at all. Binary data has none of those lines:
 * a control byte comes every few dozen bytes of random or compressed data,
 * and runs of NULs fill the pages of databases and images, far more often
 * than newlines cut them. */
static bool looks_text(const unsigned char *h, size_t n)
{
    size_t bad = 0, clean = 0, line = 0;
    bool line_bad = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = h[i];
        line++;
        if (bad_byte(c)) {
            bad++;
            line_bad = true;
        }
        if (c == '\n' || i + 1 == n) {
            if (!line_bad) clean += line;
            line = 0;
            line_bad = false;
        }
    }
    if (bad * 20 <= n) return true; /* at most 5% */
    return clean * 3 >= n * 2;      /* two thirds on clean lines */
}

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
    if (end - p >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) p += 3;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

static const unsigned char *find(const unsigned char *p, const unsigned char *end, const char *s)
{
    const char *f = cs_memmem((const char *)p, (size_t)(end - p), s, strlen(s));
    return f ? (const unsigned char *)f + strlen(s) : NULL;
}

/* The root element of an XML document, past its prolog (declaration,
 * comments, processing instructions, DOCTYPE) - a licence comment can push
 * it well past any fixed window. 1: found (*name, *len); 0: the prolog runs
 * on past the head; -1: not XML. */
static int xml_root(const unsigned char *p, const unsigned char *end, const char **name,
                    size_t *len)
{
    for (;;) {
        p = skip_ws(p, end);
        if (p == end) return 0;
        if (*p != '<') return -1;
        size_t rest = (size_t)(end - p);
        if (rest < 2) return 0;
        if (p[1] == '?') {
            p = find(p + 2, end, "?>");
        } else if (rest >= 4 && memcmp(p, "<!--", 4) == 0) {
            p = find(p + 4, end, "-->");
        } else if (rest >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0) {
            const unsigned char *gt = find(p, end, ">"), *sub = find(p, end, "[");
            if (sub && (!gt || sub < gt)) { /* an internal subset: [ ... ]> */
                const unsigned char *close = find(sub, end, "]");
                gt = close ? find(close, end, ">") : NULL;
            }
            p = gt;
        } else if (p[1] == '_' || p[1] == ':' || p[1] >= 0x80 ||
                   ((p[1] | 0x20) >= 'a' && (p[1] | 0x20) <= 'z')) {
            const unsigned char *q = p + 1;
            while (q < end && !strchr(" \t\r\n/>", *q))
                q++;
            if (q == end) return 0;
            *name = (const char *)p + 1;
            *len = (size_t)(q - p - 1);
            return 1;
        } else {
            return -1;
        }
        if (!p) return 0;
    }
}

cs_member_kind cs_sniff(const unsigned char *h, size_t n)
{
    if (n == 0) return CS_MK_EMPTY;
    if (n >= 4 && memcmp(h,
                         "\x7f"
                         "ELF",
                         4) == 0)
        return sniff_elf(h, n);
    if (n >= 4 && h[0] == 'P' && h[1] == 'K' &&
        ((h[2] == 3 && h[3] == 4) || (h[2] == 5 && h[3] == 6) || (h[2] == 7 && h[3] == 8)))
        return CS_MK_ZIP;
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) return CS_MK_GZIP;
    if (n >= 6 && memcmp(h,
                         "\xfd"
                         "7zXZ\0",
                         6) == 0)
        return CS_MK_XZ;
    if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0) return CS_MK_ZSTD;
    if (n >= 10 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9' &&
        memcmp(h + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0)
        return CS_MK_BZIP2;
    /* POSIX and GNU tar: "ustar" at offset 257 of the first header. */
    if (n >= 263 && memcmp(h + 257, "ustar", 5) == 0) return CS_MK_TAR;
    if (!looks_text(h, n)) return CS_MK_BINARY;
    const unsigned char *end = h + n, *p = skip_ws(h, end);
    size_t rest = (size_t)(end - p);
    if (rest && *p == '<') {
        const char *name;
        size_t len;
        int root = xml_root(p, end, &name, &len);
        if (root == 1)
            return (len == 9 && memcmp(name, "testsuite", 9) == 0) ||
                           (len == 10 && memcmp(name, "testsuites", 10) == 0)
                       ? CS_MK_JUNIT_XML
                       : CS_MK_XML;
        /* The prolog outlasts the head: the JUnit reader finds the root and
         * reports the document when it is not JUnit. */
        if (root == 0) return CS_MK_JUNIT_XML;
    }
    if (rest && *p == '{') {
        /* test2json events: {"Time":...,"Action":"run",...} one per line. */
        const unsigned char *nl = memchr(p, '\n', rest);
        size_t ln = nl ? (size_t)(nl - p) : rest;
        if (cs_memmem((const char *)p, ln, "\"Action\":", 9)) return CS_MK_GO_TEST_JSON;
    }
    return CS_MK_TEXT;
}
