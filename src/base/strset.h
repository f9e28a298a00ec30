/* strset.h - a set of strings, for "have we seen this name before?" checks
 * that would otherwise compare each new name with every earlier one.
 *
 * Open addressing on cs_hash64; the set owns copies of its strings. Adding
 * and looking up cost O(1) amortized, so a zip of 100,000 members checks its
 * names for duplicates in linear time. */
#ifndef CS_STRSET_H
#define CS_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cs_strset {
    char **slots; /* NULL: empty */
    uint64_t *hashes;
    size_t n, cap;
} cs_strset;

void cs_strset_init(cs_strset *s);
void cs_strset_dispose(cs_strset *s);
bool cs_strset_has(const cs_strset *s, const char *str);
/* Adds a copy of str; false when it was already there (nothing changes). */
bool cs_strset_add(cs_strset *s, const char *str);

#endif
