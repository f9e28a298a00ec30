/* view.c - what every writer of one run shows the same way, computed once
 * per run: each cluster's tests, each race pair's tests and clusters, the
 * cluster -> race pairs and race pair -> tests indexes, and the errors
 * grouped by cause. Five writers used to rebuild these, each for itself and
 * for every -o; now the CLI builds one view and every writer renders it.
 * A writer called without one (a unit test, a library user) builds its own
 * for that call (cs_report_with_view). The view borrows every string from
 * the run; it owns only its arrays. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "report.h"

struct cs_report_view {
    cs_report_strs *cluster_tests; /* parallel to clusters->v */
    size_t n_clusters;
    cs_report_strs *race_tests, *race_clusters; /* parallel to races->v */
    size_t n_races;
    cs_report_index cluster_races, race_test_rows;
    cs_report_cause *causes;
    size_t n_causes;
};

/* The distinct names of v[0..n) (sorted), in v itself. */
static cs_report_strs distinct(const char **v, size_t n)
{
    return (cs_report_strs){v, cs_report_uniq_strs(v, n)};
}

cs_report_view *cs_report_view_new(const cs_report_ctx *ctx)
{
    cs_report_view *w = cs_xcalloc(1, sizeof *w);
    const cs_results *res = ctx->res;
    w->n_clusters = ctx->clusters ? ctx->clusters->n : 0;
    w->cluster_tests = cs_xcalloc(w->n_clusters + 1, sizeof *w->cluster_tests);
    for (size_t c = 0; c < w->n_clusters; c++) {
        const cs_cluster *cl = &ctx->clusters->v[c];
        const char **v = cs_xcalloc(cl->n_traces + 1, sizeof *v);
        size_t k = 0;
        for (size_t i = 0; i < cl->n_traces; i++)
            if (res->traces[cl->traces[i]]->test) v[k++] = res->traces[cl->traces[i]]->test;
        w->cluster_tests[c] = distinct(v, k);
    }
    w->n_races = ctx->races ? ctx->races->n : 0;
    w->race_tests = cs_xcalloc(w->n_races + 1, sizeof *w->race_tests);
    w->race_clusters = cs_xcalloc(w->n_races + 1, sizeof *w->race_clusters);
    bool have_clusters = ctx->clusters && ctx->clusters->of_trace;
    for (size_t r = 0; r < w->n_races; r++) {
        const cs_race *rc = &ctx->races->v[r];
        const char **t = cs_xcalloc(rc->n_links + 1, sizeof *t);
        const char **c = cs_xcalloc(rc->n_links + 1, sizeof *c);
        size_t nt = 0, nc = 0;
        for (size_t i = 0; i < rc->n_links; i++) {
            size_t tr = rc->links[i].trace;
            if (res->traces[tr]->test) t[nt++] = res->traces[tr]->test;
            if (have_clusters) c[nc++] = ctx->clusters->v[ctx->clusters->of_trace[tr]].id;
        }
        w->race_tests[r] = distinct(t, nt);
        w->race_clusters[r] = distinct(c, nc);
    }
    cs_report_index_cluster_races(ctx, &w->cluster_races);
    cs_report_index_race_tests(ctx, &w->race_test_rows);
    w->causes = cs_report_error_causes_of(res, &w->n_causes);
    return w;
}

void cs_report_view_free(cs_report_view *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->n_clusters; i++)
        free(w->cluster_tests[i].v);
    for (size_t i = 0; i < w->n_races; i++) {
        free(w->race_tests[i].v);
        free(w->race_clusters[i].v);
    }
    free(w->cluster_tests);
    free(w->race_tests);
    free(w->race_clusters);
    cs_report_index_dispose(&w->cluster_races);
    cs_report_index_dispose(&w->race_test_rows);
    free(w->causes);
    free(w);
}

int cs_report_with_view(FILE *f, const cs_report_ctx *ctx,
                        int (*write)(FILE *f, const cs_report_ctx *ctx))
{
    if (ctx->view) return write(f, ctx);
    cs_report_ctx c = *ctx;
    cs_report_view *w = cs_report_view_new(ctx);
    c.view = w;
    int rc = write(f, &c);
    cs_report_view_free(w);
    return rc;
}

static const cs_report_strs none = {NULL, 0};

cs_report_strs cs_report_cluster_tests(const cs_report_ctx *ctx, const cs_cluster *c)
{
    size_t i = (size_t)(c - ctx->clusters->v);
    return ctx->view && i < ctx->view->n_clusters ? ctx->view->cluster_tests[i] : none;
}

cs_report_strs cs_report_race_tests(const cs_report_ctx *ctx, const cs_race *r)
{
    size_t i = (size_t)(r - ctx->races->v);
    return ctx->view && i < ctx->view->n_races ? ctx->view->race_tests[i] : none;
}

cs_report_strs cs_report_race_clusters(const cs_report_ctx *ctx, const cs_race *r)
{
    size_t i = (size_t)(r - ctx->races->v);
    return ctx->view && i < ctx->view->n_races ? ctx->view->race_clusters[i] : none;
}

const cs_report_index *cs_report_cluster_races(const cs_report_ctx *ctx)
{
    return &ctx->view->cluster_races;
}

const cs_report_index *cs_report_race_test_rows(const cs_report_ctx *ctx)
{
    return &ctx->view->race_test_rows;
}

const cs_report_cause *cs_report_error_causes(const cs_report_ctx *ctx, size_t *n)
{
    *n = ctx->view ? ctx->view->n_causes : 0;
    return ctx->view ? ctx->view->causes : NULL;
}
