#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

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

/* How rare a byte is in log text, coarsely: blanks 0, lowercase letters
 * and digits 1, everything else (capitals, punctuation) 2. */
static const unsigned char byte_rank[256] = {
    [' '] = 0, ['\t'] = 0,
#define R1(c) [c] = 1
    R1('a'),   R1('b'),    R1('c'), R1('d'), R1('e'), R1('f'), R1('g'), R1('h'), R1('i'),
    R1('j'),   R1('k'),    R1('l'), R1('m'), R1('n'), R1('o'), R1('p'), R1('q'), R1('r'),
    R1('s'),   R1('t'),    R1('u'), R1('v'), R1('w'), R1('x'), R1('y'), R1('z'), R1('0'),
    R1('1'),   R1('2'),    R1('3'), R1('4'), R1('5'), R1('6'), R1('7'), R1('8'), R1('9'),
#undef R1
};

/* The probes call this on every line with short literal anchors, mostly on
 * lines that do not contain them. glibc's memmem pays a setup cost per call
 * that dominated a 1 GB log's profile; memchr on the needle's rarest byte
 * (table lookups, no setup), then memcmp, skips most lines in one scan. */
const char *cs_memmem(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0) return hay;
    if (m > n) return NULL;
    /* Needles are literals: remember each one's rarest byte by address, so
     * the ranking is paid once, not once per line. */
    static _Thread_local struct {
        const char *needle;
        size_t m, r;
    } memo[64];
    size_t slot = ((uintptr_t)needle >> 3) & 63, r = 0;
    if (memo[slot].needle == needle && memo[slot].m == m) {
        r = memo[slot].r;
    } else {
        unsigned best = 0;
        for (size_t i = 0; i < m; i++) {
            /* Unset table entries are 0 too: rank 2 is "not blank, not lower". */
            unsigned char c = (unsigned char)needle[i];
            unsigned k = (c == ' ' || c == '\t') ? 0 : byte_rank[c] ? 1 : 2;
            if (k > best || i == 0) {
                best = k;
                r = i;
                if (k == 2) break;
            }
        }
        memo[slot].needle = needle;
        memo[slot].m = m;
        memo[slot].r = r;
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

int cs_cmp_strp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t cs_lower_bound(const void *base, size_t n, size_t size, const void *key,
                      int (*cmp)(const void *elem, const void *key))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp((const char *)base + mid * size, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
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

int cs_tmpfile_fd(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
    char *tmpl = cs_xasprintf("%s/crashsift-XXXXXX", dir);
    fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd >= 0) unlink(tmpl);
    free(tmpl);
    return fd;
}

int cs_write_all(int fd, const void *p, size_t n)
{
    const unsigned char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return CS_E_IO;
        c += k;
        n -= (size_t)k;
    }
    return CS_OK;
}
