/* buf.h - growable byte buffers with a maximum chosen at init (curl's dynbuf).
 *
 * A buffer is {ptr, len, cap, max}; appends that would pass `max` fail with
 * CS_E_LIMIT and leave the buffer as it was. ptr is always NUL-terminated. */
#ifndef CS_BUF_H
#define CS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct cs_buf {
    char *ptr;
    size_t len;
    size_t cap;
    size_t max; /* 0: no limit beyond memory */
} cs_buf;

void cs_buf_init(cs_buf *b, size_t max);
void cs_buf_dispose(cs_buf *b);
void cs_buf_clear(cs_buf *b);
int cs_buf_add(cs_buf *b, const void *data, size_t n);
int cs_buf_adds(cs_buf *b, const char *s);
int cs_buf_addc(cs_buf *b, char c);
int cs_buf_printf(cs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the string to the caller (who frees it) and resets the buffer. */
char *cs_buf_take(cs_buf *b);

#endif
