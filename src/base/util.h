/* util.h - allocation wrappers and small string helpers.
 *
 * Running out of memory is not an input error: the wrappers abort with a
 * message, so callers never juggle NULL from malloc. Input that is *too big*
 * is refused earlier, by the limits of each module, and becomes a diagnostic. */
#ifndef CS_UTIL_H
#define CS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *cs_xmalloc(size_t n);
void *cs_xcalloc(size_t n, size_t size);
void *cs_xrealloc(void *p, size_t n);
/* Grows *p (an array of *cap elements of `size` bytes) to hold at least
 * `need` elements; overflow-checked. */
void cs_grow(void **p, size_t *cap, size_t need, size_t size);
char *cs_xstrdup(const char *s);
char *cs_xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *cs_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

bool cs_starts_with(const char *s, size_t n, const char *prefix);
/* memmem without relying on _GNU_SOURCE in every file. */
const char *cs_memmem(const char *hay, size_t n, const char *needle, size_t m);
/* FNV-1a 64-bit hash: stable across runs and machines, used for ids. */
uint64_t cs_hash64(const void *data, size_t n, uint64_t seed);
#define CS_HASH_SEED 0xcbf29ce484222325ULL
/* qsort/bsearch comparator of (char *) elements, by strcmp. */
int cs_cmp_strp(const void *a, const void *b);
/* The index of the first of n sorted elements (of `size` bytes) that is not
 * less than key, by a qsort/bsearch comparator called (element, key): the
 * range search bsearch lacks. n when every element is less. */
size_t cs_lower_bound(const void *base, size_t n, size_t size, const void *key,
                      int (*cmp)(const void *elem, const void *key));

#define CS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CS_PUSH(arr, n, cap)                                                                       \
    (cs_grow((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr))), &(arr)[(n)++])

/* A private temporary file in $TMPDIR (else /tmp), unlinked from the start
 * (O_TMPFILE where the file system has it): what must spill past a memory
 * budget. -1 with errno on failure. */
int cs_tmpfile_fd(void);
/* Writes all n bytes (EINTR retried): CS_OK or CS_E_IO. */
int cs_write_all(int fd, const void *p, size_t n);

#endif
