/* lines.h - the one line reader: fed whole buffers or chunks of any size, it
 * yields each line once, as a non-owning slice, with its 1-based number.
 *
 * LF, CRLF and lone CR before LF are handled, including a CRLF split across
 * two chunks. A line longer than the reader's maximum is delivered cut to the
 * maximum with CS_LINE_OVERLONG set; the rest of it is skipped without being
 * buffered, so memory stays bounded whatever the input. NUL bytes are data. */
#ifndef CS_LINES_H
#define CS_LINES_H

#include <stddef.h>
#include <stdint.h>

enum {
    CS_LINE_OVERLONG = 1,
    CS_LINE_UNTERMINATED = 2, /* the input ended inside it (no newline) */
};

typedef struct cs_line {
    const char *ptr; /* not NUL-terminated; valid only during the callback */
    size_t len;
    uint64_t no; /* 1-based */
    unsigned flags;
} cs_line;

/* Returns 0 to go on; anything else stops the feed and is passed back. */
typedef int (*cs_line_fn)(void *ctx, const cs_line *line);

typedef struct cs_lines {
    char *buf;
    size_t len, cap;
    size_t max; /* longest line kept whole */
    uint64_t next_no;
    int skipping; /* inside the tail of an overlong line */
    uint64_t n_overlong;
    cs_line_fn fn;
    void *ctx;
} cs_lines;

void cs_lines_init(cs_lines *lr, size_t max_line, cs_line_fn fn, void *ctx);
void cs_lines_dispose(cs_lines *lr);
int cs_lines_feed(cs_lines *lr, const void *data, size_t n);
/* Delivers a last line that had no newline. */
int cs_lines_finish(cs_lines *lr);

#endif
