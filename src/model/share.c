/* Identical stacks stored once (model.h, cs_share_threads). Equality is
 * over every field extraction fills, so a borrowed copy is the same bytes
 * in every report; the hash only finds candidates. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "model.h"

struct cs_share {
    uint64_t *keys; /* 0: empty slot */
    const cs_trace **owner;
    size_t cap, n;
};

cs_share *cs_share_new(void)
{
    return cs_xcalloc(1, sizeof(cs_share));
}

void cs_share_free(cs_share *s)
{
    if (!s) return;
    free(s->keys);
    free(s->owner);
    free(s);
}

/* Eight bytes a step: every frame of every trace goes through here once,
 * and byte-at-a-time FNV (cs_hash64) was a twentieth of a whole run on a
 * log of repeated crashes. The value never reaches an output (equality
 * decides; ids use cs_hash64), so it may change with the code. */
static uint64_t h_val(const void *data, size_t n, uint64_t h)
{
    const unsigned char *p = data;
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w ^ (uint64_t)n << 59) * k;
    return h ^ h >> 32;
}

static uint64_t h_str(const char *p, uint64_t h)
{
    /* NULL and "" differ: the reports tell them apart. */
    return p ? h_val(p, strlen(p) + 1, h) : h_val("\xff", 1, h);
}

#define H_VAL(x, h) h_val(&(x), sizeof(x), h)

static uint64_t h_frame(const cs_frame *f, uint64_t h)
{
    h = h_str(f->function, h);
    h = h_str(f->file, h);
    h = h_str(f->module, h);
    h = h_str(f->build_id, h);
    int64_t nums[] = {f->line, f->column, (int64_t)f->offset, (int64_t)f->pc};
    unsigned char flags = (unsigned char)(f->has_offset | f->has_pc << 1 | f->pc_is_return << 2 |
                                          f->inlined << 3 | f->dynsym << 4);
    h = h_val(nums, sizeof nums, h);
    return H_VAL(flags, h);
}

uint64_t cs_share_threads_hash(const cs_trace *t)
{
    int64_t head[] = {t->kind, t->stack_line ? (int64_t)t->stack_kind : -1, (int64_t)t->n_threads,
                      (int64_t)t->n_dropped_threads};
    uint64_t h = h_val(head, sizeof head, CS_HASH_SEED);
    for (size_t i = 0; i < t->n_threads; i++) {
        const cs_thread *th = &t->threads[i];
        int64_t nums[] = {th->role,
                          th->id,
                          (int64_t)th->addr,
                          th->size,
                          th->created_by_id,
                          (int64_t)th->n_frames,
                          th->elided | th->capped << 1 | (th->created_by != NULL) << 2};
        h = h_val(nums, sizeof nums, h);
        h = h_str(th->name, h);
        h = h_str(th->state, h);
        h = h_str(th->label, h);
        h = h_str(th->access, h);
        if (th->created_by) h = h_frame(th->created_by, h);
        for (size_t j = 0; j < th->n_frames; j++)
            h = h_frame(&th->frames[j], h);
    }
    return h ? h : 1;
}

static bool eq_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool eq_frame(const cs_frame *a, const cs_frame *b)
{
    return eq_str(a->function, b->function) && eq_str(a->file, b->file) &&
           eq_str(a->module, b->module) && eq_str(a->build_id, b->build_id) && a->line == b->line &&
           a->column == b->column && a->offset == b->offset && a->pc == b->pc &&
           a->has_offset == b->has_offset && a->has_pc == b->has_pc &&
           a->pc_is_return == b->pc_is_return && a->inlined == b->inlined && a->dynsym == b->dynsym;
}

static bool eq_thread(const cs_thread *a, const cs_thread *b)
{
    if (a->role != b->role || a->id != b->id || a->addr != b->addr || a->size != b->size ||
        a->created_by_id != b->created_by_id || a->n_frames != b->n_frames ||
        a->elided != b->elided || a->capped != b->capped ||
        (a->created_by == NULL) != (b->created_by == NULL))
        return false;
    if (!eq_str(a->name, b->name) || !eq_str(a->state, b->state) || !eq_str(a->label, b->label) ||
        !eq_str(a->access, b->access))
        return false;
    if (a->created_by && !eq_frame(a->created_by, b->created_by)) return false;
    for (size_t j = 0; j < a->n_frames; j++)
        if (!eq_frame(&a->frames[j], &b->frames[j])) return false;
    return true;
}

bool cs_share_threads_equal(const cs_trace *a, const cs_trace *b)
{
    if (a->kind != b->kind || a->n_threads != b->n_threads ||
        a->n_dropped_threads != b->n_dropped_threads ||
        (a->stack_line != 0) != (b->stack_line != 0) ||
        (a->stack_line && a->stack_kind != b->stack_kind))
        return false;
    for (size_t i = 0; i < a->n_threads; i++)
        if (!eq_thread(&a->threads[i], &b->threads[i])) return false;
    return true;
}

static void grow(cs_share *s)
{
    size_t cap = s->cap ? s->cap * 2 : 256;
    uint64_t *keys = cs_xcalloc(cap, sizeof *keys);
    const cs_trace **owner = cs_xcalloc(cap, sizeof *owner);
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->keys[i]) continue;
        size_t k = s->keys[i] & (cap - 1);
        while (keys[k])
            k = (k + 1) & (cap - 1);
        keys[k] = s->keys[i];
        owner[k] = s->owner[i];
    }
    free(s->keys);
    free(s->owner);
    s->keys = keys;
    s->owner = owner;
    s->cap = cap;
}

/* The earlier trace with the same threads, or NULL after remembering t as
 * the owner of its own. */
static const cs_trace *find_or_add(cs_share *s, const cs_trace *t)
{
    if (2 * (s->n + 1) > s->cap) grow(s);
    uint64_t h = cs_share_threads_hash(t);
    size_t k = h & (s->cap - 1);
    for (; s->keys[k]; k = (k + 1) & (s->cap - 1))
        if (s->keys[k] == h && cs_share_threads_equal(s->owner[k], t)) return s->owner[k];
    s->keys[k] = h;
    s->owner[k] = t;
    s->n++;
    return NULL;
}

void cs_share_threads(cs_share *s, cs_results *r, size_t first)
{
    for (size_t i = first; i < r->n_traces; i++) {
        cs_trace *t = r->traces[i];
        /* Nothing to save on a trace without frames (and a frameless
         * headline may still take a report's threads). */
        size_t frames = 0;
        for (size_t j = 0; j < t->n_threads; j++)
            frames += t->threads[j].n_frames;
        if (t->same_as || frames == 0) continue;
        const cs_trace *o = find_or_add(s, t);
        if (!o || o == t) continue; /* new, or already the owner */
        for (size_t j = 0; j < t->n_threads; j++)
            cs_thread_dispose(&t->threads[j]);
        free(t->threads);
        t->threads = o->threads;
        t->n_threads = o->n_threads;
        t->cap_threads = 0;
        t->same_as = o;
    }
}
