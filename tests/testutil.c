#define _GNU_SOURCE
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char slots[8][4096];
static int slot;

const char *cs_t_src(const char *rel)
{
    char *b = slots[slot++ % 8];
    snprintf(b, 4096, "%s/%s", CS_SOURCE_DIR, rel);
    return b;
}

const char *cs_t_corpus(void)
{
    static char dir[4096];
    static int state; /* 0 unknown, 1 present, 2 absent */
    if (!state) {
        const char *env = getenv("CS_CORPUS");
        if (env)
            snprintf(dir, sizeof dir, "%s", env);
        else
            snprintf(dir, sizeof dir, "%s/../shared/corpus", CS_SOURCE_DIR);
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/README.md", dir);
        state = access(probe, R_OK) == 0 ? 1 : 2;
    }
    return state == 1 ? dir : NULL;
}

const char *cs_t_corpus_path(const char *rel)
{
    const char *c = cs_t_corpus();
    if (!c) return NULL;
    char *b = slots[slot++ % 8];
    snprintf(b, 4096, "%s/%s", c, rel);
    return b;
}

cs_trace *cs_t_find(const cs_results *r, cs_trace_kind k, size_t *from)
{
    for (size_t i = from ? *from : 0; i < r->n_traces; i++)
        if (r->traces[i]->kind == k) {
            if (from) *from = i + 1;
            return r->traces[i];
        }
    return NULL;
}

size_t cs_t_count(const cs_results *r, cs_trace_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_traces; i++)
        n += r->traces[i]->kind == k;
    return n;
}

int cs_t_thread(const cs_trace *t, cs_role role)
{
    for (size_t i = 0; i < t->n_threads; i++)
        if (t->threads[i].role == role) return (int)i;
    return -1;
}
