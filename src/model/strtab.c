/* The run's string table (model.h, cs_strtab): equal strings of the model
 * stored once. A pile repeats its strings - a member's path in each of its
 * traces and test records, a cluster's signature in every occurrence, the
 * same headline and test name in every copy of a job - and a malloc per
 * copy cost more than the strings themselves (malloc's header and rounding
 * on strings of 20-80 bytes). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "model.h"

/* Strings are packed into blocks that grow with the table, from SMALL up to
 * BLOCK bytes: a table holding one string (a reader's results for one
 * go test -json stream, merged into the run's) costs a small block, not a
 * large one, and no table wastes more than it uses. A string longer than
 * BIG gets a block of its own. */
#define SMALL 256u
#define BLOCK (64u << 10)
#define BIG (BLOCK / 8)

struct cs_strtab_block {
    struct cs_strtab_block *next;
    size_t used, size;
    char data[];
};

/* Under ASan every string is its own allocation, so an overrun of one
 * string is caught at its end, not somewhere in a block (STYLE.md: the
 * arena's debug switch). CS_STRTAB_MALLOC does the same in any build. */
#if defined(__SANITIZE_ADDRESS__) || defined(CS_STRTAB_MALLOC)
#define ONE_EACH 1
#else
#define ONE_EACH 0
#endif

static char *place(cs_strtab *t, const char *s, size_t n)
{
    struct cs_strtab_block *b = t->blocks;
    if (ONE_EACH || n + 1 > BIG || !b || b->size - b->used < n + 1) {
        bool own = ONE_EACH || n + 1 > BIG;
        size_t size = t->bytes < SMALL ? SMALL : t->bytes > BLOCK ? BLOCK : t->bytes;
        if (own) size = n + 1;
        if (size < n + 1) size = n + 1;
        struct cs_strtab_block *nb = cs_xmalloc(sizeof *nb + size);
        nb->used = 0;
        nb->size = size;
        if (!own || !b) {
            nb->next = b;
            t->blocks = nb;
        } else { /* a big string: keep filling the current block */
            nb->next = b->next;
            b->next = nb;
        }
        b = nb;
    }
    char *p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    t->bytes += n + 1;
    return p;
}

static void grow(cs_strtab *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    const char **slots = cs_xcalloc(cap, sizeof *slots);
    uint32_t *tags = cs_xcalloc(cap, sizeof *tags);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i]) continue;
        uint64_t h = cs_hash64(t->slots[i], strlen(t->slots[i]), CS_HASH_SEED);
        size_t k = h & (cap - 1);
        while (slots[k])
            k = (k + 1) & (cap - 1);
        slots[k] = t->slots[i];
        tags[k] = (uint32_t)(h >> 32);
    }
    free(t->slots);
    free(t->tags);
    t->slots = slots;
    t->tags = tags;
    t->cap = cap;
}

const char *cs_strtab_intern_n(cs_strtab *t, const char *s, size_t n)
{
    /* Load factor at most 1/2: probes stay short (linear probing). */
    if (2 * (t->n + 1) > t->cap) grow(t);
    uint64_t h = cs_hash64(s, n, CS_HASH_SEED);
    uint32_t tag = (uint32_t)(h >> 32);
    size_t k = h & (t->cap - 1);
    for (; t->slots[k]; k = (k + 1) & (t->cap - 1))
        if (t->tags[k] == tag && strncmp(t->slots[k], s, n) == 0 && t->slots[k][n] == '\0')
            return t->slots[k];
    t->slots[k] = place(t, s, n);
    t->tags[k] = tag;
    t->n++;
    return t->slots[k];
}

const char *cs_strtab_path(cs_strtab *t, const char *s)
{
    /* Paths are mostly distinct (one per member) and come in runs: a
     * member's traces, its test records and the member itself name it one
     * after another. Indexing them would cost more than the strings. */
    if (!s) return NULL;
    if (t->last_path && strcmp(t->last_path, s) == 0) return t->last_path;
    t->last_path = place(t, s, strlen(s));
    return t->last_path;
}

void cs_strtab_expect_path(cs_strtab *t, const char *s)
{
    t->last_path = s;
}

const char *cs_strtab_intern(cs_strtab *t, const char *s)
{
    return s ? cs_strtab_intern_n(t, s, strlen(s)) : NULL;
}

void cs_strtab_adopt(cs_strtab *to, cs_strtab *from)
{
    if (!to->blocks) { /* the usual case: one worker's table into an empty one */
        cs_strtab_dispose(to);
        *to = *from;
        memset(from, 0, sizeof *from);
        return;
    }
    /* The strings stay where they are (pointers to them stay valid); only
     * to's index does not learn them, so a later equal string is stored
     * again in to: once per table merged, not once per use. from's blocks
     * go first (walking from's list, not to's: to grows with the run). */
    if (from->blocks) {
        struct cs_strtab_block *last = from->blocks;
        while (last->next)
            last = last->next;
        last->next = to->blocks;
        to->blocks = from->blocks;
        from->blocks = NULL;
    }
    to->bytes += from->bytes;
    cs_strtab_dispose(from);
}

void cs_strtab_dispose(cs_strtab *t)
{
    for (struct cs_strtab_block *b = t->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(t->slots);
    free(t->tags);
    memset(t, 0, sizeof *t);
}
