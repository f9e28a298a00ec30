#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"

void cs_xtrim(const char **p, size_t *n)
{
    while (*n && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
        (*n)--;
}

uint64_t cs_xhex(const char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 16; i++) {
        char c = p[i];
        v = v * 16 + (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

bool cs_xis_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool cs_xis_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char *cs_xlower_dup(const char *p, size_t n)
{
    char *a = cs_xstrndup(p, n);
    for (char *c = a; *c; c++)
        if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
    return a;
}

size_t cs_xindent(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i;
}

/* The slice is not NUL-terminated: atoi() would read past it. */
static int num(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n && i < 9; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

static bool all_digits(const char *p, size_t n)
{
    if (n == 0 || n > 9) return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

bool cs_xparse_fileline(const char *p, size_t n, cs_frame *f)
{
    cs_xtrim(&p, &n);
    /* Scan back for ":digits" (line) and an optional second ":digits" (col). */
    const char *c1 = NULL, *c2 = NULL;
    for (size_t i = n; i-- > 0;) {
        if (p[i] == ':') {
            if (!c1)
                c1 = p + i;
            else {
                c2 = p + i;
                break;
            }
        } else if (p[i] < '0' || p[i] > '9') {
            if (c1) break;
            return false;
        }
    }
    if (!c1) return false;
    const char *end = p + n;
    if (c2 && all_digits(c2 + 1, (size_t)(c1 - c2 - 1)) &&
        all_digits(c1 + 1, (size_t)(end - c1 - 1))) {
        if (c2 == p) return false;
        f->file = cs_xstrndup(p, (size_t)(c2 - p));
        f->line = num(c2 + 1, (size_t)(c1 - c2 - 1));
        f->column = num(c1 + 1, (size_t)(end - c1 - 1));
        return true;
    }
    if (!all_digits(c1 + 1, (size_t)(end - c1 - 1)) || c1 == p) return false;
    f->file = cs_xstrndup(p, (size_t)(c1 - p));
    f->line = num(c1 + 1, (size_t)(end - c1 - 1));
    return true;
}
