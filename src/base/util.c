#define _GNU_SOURCE
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "crashsift: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *cs_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *cs_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *cs_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

void cs_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 4;
    while (c < need) {
        if (c > SIZE_MAX / 2) oom(SIZE_MAX);
        c *= 2;
    }
    if (c > SIZE_MAX / size) oom(SIZE_MAX);
    *p = cs_xrealloc(*p, c * size);
    *cap = c;
}

char *cs_xstrdup(const char *s)
{
    return cs_xstrndup(s, strlen(s));
}

char *cs_xstrndup(const char *s, size_t n)
{
    char *d = cs_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *cs_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0) oom(0);
    return s;
}

bool cs_starts_with(const char *s, size_t n, const char *prefix)
{
    size_t m = strlen(prefix);
    return n >= m && memcmp(s, prefix, m) == 0;
}

/* How rare a byte is in logs, roughly: blanks and lower case are everywhere,
 * upper case and punctuation much less so. */
static int byte_rank(unsigned char c)
{
    if (c == ' ' || c == '\t') return 0;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 1;
    return 2;
}

/* The probes call this on every line with short literal anchors, mostly on
 * lines that do not contain them. glibc's memmem pays a setup cost per call
 * that dominated a 1 GB log's profile (half the time); memchr on the
 * needle's rarest byte, then memcmp, does no setup and skips most lines in
 * one vectorised scan. */
const char *cs_memmem(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0) return hay;
    if (m > n) return NULL;
    if (m == 1) return memchr(hay, needle[0], n);
    size_t r = m - 1;
    int best = byte_rank((unsigned char)needle[r]);
    for (size_t i = 0; i < m && best < 2; i++)
        if (byte_rank((unsigned char)needle[i]) > best) {
            best = byte_rank((unsigned char)needle[i]);
            r = i;
        }
    /* needle[r] can only sit at hay[r .. n - m + r]. */
    const char *p = hay + r, *last = hay + (n - m) + r;
    while (p <= last) {
        const char *q = memchr(p, needle[r], (size_t)(last - p) + 1);
        if (!q) return NULL;
        if (memcmp(q - r, needle, m) == 0) return q - r;
        p = q + 1;
    }
    return NULL;
}

uint64_t cs_hash64(const void *data, size_t n, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
