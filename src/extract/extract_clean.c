/* extract_clean.c - line cleaning before any dialect sees a line: ANSI
 * colour and cursor sequences, carriage returns, CI timestamps, a Markdown
 * inline-code mark. */
#define _GNU_SOURCE
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract_internal.h"

/* ---- line cleaning ---------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* GitHub Actions' downloaded logs put an ISO-8601 timestamp before each line:
 * "2024-05-01T12:34:56.1234567Z ". */
static size_t gha_timestamp_len(const char *p, size_t n)
{
    if (n < 21 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':')
        return 0;
    static const int digits[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    for (size_t i = 0; i < CS_ARRAY_LEN(digits); i++)
        if (!is_digit(p[digits[i]])) return 0;
    size_t i = 19;
    if (i < n && p[i] == '.')
        for (i++; i < n && is_digit(p[i]); i++)
            ;
    if (i < n && p[i] == 'Z')
        i++;
    else if (i + 6 <= n && (p[i] == '+' || p[i] == '-') && p[i + 3] == ':')
        i += 6;
    else
        return 0;
    if (i < n && p[i] == ' ') return i + 1;
    return i == n ? i : 0;
}

/* Copies the line into e->clean without ANSI escapes, keeping only what
 * follows the last carriage return (terminal semantics: a CR rewinds the
 * line, which is how GitLab section markers and progress bars are drawn). */
void cs_x_clean_line(cs_extractor *e, const char *p, size_t n, const char **outp, size_t *outn)
{
    size_t ts = gha_timestamp_len(p, n);
    p += ts;
    n -= ts;
    /* A Markdown paste's inline-code mark glued to the text ("`==42==ERROR:
     * ..."): no log line begins with one backtick; a fence ("```") stays. */
    if (n > 1 && p[0] == '`' && p[1] != '`') {
        p++;
        n--;
    }
    if (!memchr(p, '\x1b', n) && !memchr(p, '\r', n) && !(n > 3 && p[0] == '#' && p[1] == '#')) {
        *outp = p;
        *outn = n;
        return;
    }
    if (n + 1 > e->clean_cap) {
        e->clean_cap = n + 1;
        e->clean = cs_xrealloc(e->clean, e->clean_cap);
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\x1b' && i + 1 < n && p[i + 1] == '[') {
            /* CSI: parameters and intermediates, then a final byte. */
            i += 2;
            while (i < n && !((unsigned char)p[i] >= 0x40 && (unsigned char)p[i] <= 0x7e))
                i++;
            continue;
        }
        if (c == '\x1b' && i + 1 < n && p[i + 1] == ']') {
            /* OSC: up to BEL or ESC \ */
            i += 2;
            while (i < n && p[i] != '\a' && !(p[i] == '\x1b' && i + 1 < n && p[i + 1] == '\\'))
                i++;
            if (i < n && p[i] == '\x1b') i++;
            continue;
        }
        if (c == '\x1b' && i + 1 < n && p[i + 1] == '_') {
            /* APC: Buildkite's "\x1b_bk;t=1700000000000\a" timestamps. */
            i += 2;
            while (i < n && p[i] != '\a' && !(p[i] == '\x1b' && i + 1 < n && p[i + 1] == '\\'))
                i++;
            if (i < n && p[i] == '\x1b') i++;
            continue;
        }
        if (c == '\r') {
            o = 0;
            continue;
        }
        e->clean[o++] = c;
    }
    const char *q = e->clean;
    /* GitHub workflow commands: "##[group]", "##[error]" and friends. */
    if (o > 3 && q[0] == '#' && q[1] == '#' && q[2] == '[') {
        const char *rb = memchr(q, ']', o < 32 ? o : 32);
        if (rb) {
            o -= (size_t)(rb + 1 - q);
            q = rb + 1;
        }
    }
    /* GitLab section markers that carry no text. */
    if (cs_starts_with(q, o, "section_start:") || cs_starts_with(q, o, "section_end:")) o = 0;
    *outp = q;
    *outn = o;
}
