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
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t')) (*n)--;
}

size_t cs_xindent(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    return i;
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
            if (!c1) c1 = p + i;
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
    if (c2 && all_digits(c2 + 1, (size_t)(c1 - c2 - 1)) && all_digits(c1 + 1, (size_t)(end - c1 - 1))) {
        if (c2 == p) return false;
        f->file = cs_xstrndup(p, (size_t)(c2 - p));
        f->line = atoi(c2 + 1);
        f->column = atoi(c1 + 1);
        return true;
    }
    if (!all_digits(c1 + 1, (size_t)(end - c1 - 1)) || c1 == p) return false;
    f->file = cs_xstrndup(p, (size_t)(c1 - p));
    f->line = atoi(c1 + 1);
    return true;
}
