#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "report.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts and removes duplicates in place; returns the new count. */
static size_t uniq(const char **v, size_t n)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_str);
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i], v[w - 1]) != 0) v[w++] = v[i];
    return w;
}

const char **cs_report_cluster_tests(const cs_report_ctx *ctx, const cs_cluster *c, size_t *n)
{
    const char **v = cs_xcalloc(c->n_traces + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < c->n_traces; i++) {
        const cs_trace *t = ctx->res->traces[c->traces[i]];
        if (t->test) v[k++] = t->test;
    }
    *n = uniq(v, k);
    return v;
}

const char **cs_report_race_tests(const cs_report_ctx *ctx, const cs_race *r, size_t *n)
{
    const char **v = cs_xcalloc(r->n_links + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < r->n_links; i++) {
        const cs_trace *t = ctx->res->traces[r->links[i].trace];
        if (t->test) v[k++] = t->test;
    }
    *n = uniq(v, k);
    return v;
}

const char **cs_report_race_clusters(const cs_report_ctx *ctx, const cs_race *r, size_t *n)
{
    const char **v = cs_xcalloc(r->n_links + 1, sizeof *v);
    size_t k = 0;
    if (ctx->clusters && ctx->clusters->of_trace)
        for (size_t i = 0; i < r->n_links; i++)
            v[k++] = ctx->clusters->v[ctx->clusters->of_trace[r->links[i].trace]].id;
    *n = uniq(v, k);
    return v;
}

const cs_thread *cs_report_sig_thread(const cs_trace *t)
{
    if (t->crash_thread >= 0 && (size_t)t->crash_thread < t->n_threads)
        return &t->threads[t->crash_thread];
    return t->n_threads ? &t->threads[0] : NULL;
}
