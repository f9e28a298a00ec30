#include "lines.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void cs_lines_init(cs_lines *lr, size_t max_line, cs_line_fn fn, void *ctx)
{
    memset(lr, 0, sizeof *lr);
    lr->max = max_line ? max_line : 1;
    /* The line buffer grows on demand up to max: many small readers (one
     * per test stream) must not each pin a full-size buffer. */
    lr->next_no = 1;
    lr->fn = fn;
    lr->ctx = ctx;
}

void cs_lines_dispose(cs_lines *lr)
{
    free(lr->buf);
    lr->buf = NULL;
}

static int emit(cs_lines *lr, const char *p, size_t n, unsigned flags)
{
    if (n && p[n - 1] == '\r') n--;
    cs_line l = {p, n, lr->next_no++, flags};
    if (flags & CS_LINE_OVERLONG) lr->n_overlong++;
    return lr->fn(lr->ctx, &l);
}

int cs_lines_feed(cs_lines *lr, const void *data, size_t n)
{
    const char *p = data, *end = p + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t seg = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (lr->skipping) {
            /* Tail of an overlong line: drop it, never buffer it. */
            if (nl) lr->skipping = 0;
            p += seg + (nl ? 1 : 0);
            continue;
        }
        if (nl && lr->len == 0) {
            /* Fast path: the whole line is in this chunk; no copy. */
            int r;
            if (seg > lr->max)
                r = emit(lr, p, lr->max, CS_LINE_OVERLONG);
            else
                r = emit(lr, p, seg, 0);
            p = nl + 1;
            if (r) return r;
            continue;
        }
        size_t room = lr->max - lr->len;
        size_t take = seg < room ? seg : room;
        if (lr->len + take + 1 > lr->cap) {
            size_t c = lr->cap ? lr->cap : 256;
            while (c < lr->len + take + 1)
                c *= 2;
            if (c > lr->max + 1) c = lr->max + 1;
            lr->buf = cs_xrealloc(lr->buf, c);
            lr->cap = c;
        }
        memcpy(lr->buf + lr->len, p, take);
        lr->len += take;
        if (seg > room) {
            /* The line outgrew the maximum: deliver what we have now and
             * skip the rest, so one huge line costs no more than `max`. */
            size_t len = lr->len;
            lr->len = 0;
            lr->skipping = nl ? 0 : 1;
            p += seg + (nl ? 1 : 0);
            int r = emit(lr, lr->buf, len, CS_LINE_OVERLONG);
            if (r) return r;
            continue;
        }
        p += seg;
        if (nl) {
            size_t len = lr->len;
            lr->len = 0;
            p++;
            int r = emit(lr, lr->buf, len, 0);
            if (r) return r;
        }
    }
    return 0;
}

int cs_lines_finish(cs_lines *lr)
{
    int r = 0;
    if (lr->len) {
        size_t len = lr->len;
        lr->len = 0;
        r = emit(lr, lr->buf, len, CS_LINE_UNTERMINATED);
    }
    lr->skipping = 0;
    return r;
}
