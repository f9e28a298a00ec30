#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

void cs_buf_init(cs_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void cs_buf_dispose(cs_buf *b)
{
    free(b->ptr);
    cs_buf_init(b, b->max);
}

void cs_buf_clear(cs_buf *b)
{
    b->len = 0;
    if (b->ptr) b->ptr[0] = '\0';
}

int cs_buf_add(cs_buf *b, const void *data, size_t n)
{
    if (n > SIZE_MAX - b->len - 1) return CS_E_LIMIT;
    size_t need = b->len + n + 1;
    if (b->max && need - 1 > b->max) return CS_E_LIMIT;
    if (need > b->cap) {
        size_t c = b->cap ? b->cap : 64;
        while (c < need)
            c = c > SIZE_MAX / 2 ? need : c * 2;
        b->ptr = cs_xrealloc(b->ptr, c);
        b->cap = c;
    }
    if (n) memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int cs_buf_adds(cs_buf *b, const char *s)
{
    return cs_buf_add(b, s, strlen(s));
}

int cs_buf_addc(cs_buf *b, char c)
{
    return cs_buf_add(b, &c, 1);
}

int cs_buf_printf(cs_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return CS_E_USAGE;
    if ((size_t)n < sizeof small) return cs_buf_add(b, small, (size_t)n);
    char *big = cs_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int r = cs_buf_add(b, big, (size_t)n);
    free(big);
    return r;
}

char *cs_buf_take(cs_buf *b)
{
    char *s = b->ptr ? b->ptr : cs_xstrdup("");
    cs_buf_init(b, b->max);
    return s;
}
