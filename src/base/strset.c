/* strset.c - see strset.h. */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void cs_strset_init(cs_strset *s)
{
    memset(s, 0, sizeof *s);
}

void cs_strset_dispose(cs_strset *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i]);
    free(s->slots);
    free(s->hashes);
    memset(s, 0, sizeof *s);
}

/* The slot holding str, or the empty slot where it would go. */
static size_t find(const cs_strset *s, const char *str, uint64_t h)
{
    size_t i = (size_t)h & (s->cap - 1);
    while (s->slots[i] && !(s->hashes[i] == h && strcmp(s->slots[i], str) == 0))
        i = (i + 1) & (s->cap - 1);
    return i;
}

static uint64_t hash(const char *str)
{
    return cs_hash64(str, strlen(str), CS_HASH_SEED);
}

bool cs_strset_has(const cs_strset *s, const char *str)
{
    return s->cap && s->slots[find(s, str, hash(str))];
}

static void grow(cs_strset *s)
{
    cs_strset old = *s;
    s->cap = old.cap ? old.cap * 2 : 64;
    s->slots = cs_xcalloc(s->cap, sizeof *s->slots);
    s->hashes = cs_xcalloc(s->cap, sizeof *s->hashes);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i]) {
            size_t j = find(s, old.slots[i], old.hashes[i]);
            s->slots[j] = old.slots[i];
            s->hashes[j] = old.hashes[i];
        }
    free(old.slots);
    free(old.hashes);
}

bool cs_strset_add(cs_strset *s, const char *str)
{
    /* Kept at most half full, so probes stay short. */
    if ((s->n + 1) * 2 > s->cap) grow(s);
    uint64_t h = hash(str);
    size_t i = find(s, str, h);
    if (s->slots[i]) return false;
    s->slots[i] = cs_xstrdup(str);
    s->hashes[i] = h;
    s->n++;
    return true;
}
