/* explain.c - renders "crashsift explain": for each chosen trace, every
 * frame of the signature thread with the rule that kept, skipped or renamed
 * it, the failure class, the signature and the cluster (with the close
 * clusters linked to it); for two clusters, what keeps them apart. Choosing
 * the traces is the command's; everything printed from an artifact goes
 * through cs_report_put_term, like the text report. */
#include <stdlib.h>
#include <string.h>

#include "../base/error.h"
#include "report.h"

static void why_apart(FILE *f, const cs_report_ctx *ctx, const cs_cluster *a, const cs_cluster *b,
                      double threshold)
{
    fprintf(f, "%s and %s are apart: ", a->id, b->id);
    char *why = cs_cluster_why_apart(ctx->res->traces[a->rep], ctx->res->traces[b->rep], threshold);
    cs_report_put_term(f, why ? why : "they are the same cluster");
    free(why);
    fputc('\n', f);
}

static void explain_trace(FILE *f, const cs_report_ctx *ctx, size_t i)
{
    const cs_trace *t = ctx->res->traces[i];
    const cs_cluster *c = &ctx->clusters->v[ctx->clusters->of_trace[i]];
    cs_report_put_term(f, t->source);
    if (t->line_start) fprintf(f, ":%llu", (unsigned long long)t->line_start);
    fprintf(f, "  %s  ", cs_trace_kind_name(t->kind));
    cs_report_put_term(f, t->headline);
    fprintf(f, "\n  class:     ");
    cs_report_put_term(f, t->norm_headline);
    fprintf(f, "\n  signature: ");
    cs_report_put_term(f, t->signature);
    fprintf(f, "\n  cluster:   %s", c->id);
    for (size_t k = 0; k < ctx->clusters->n_merges; k++) {
        const cs_merge *m = &ctx->clusters->merges[k];
        if (strcmp(m->from, c->id) == 0)
            fprintf(f, " (close to %s at distance %.3f)", m->into, m->distance);
        else if (strcmp(m->into, c->id) == 0)
            fprintf(f, " (%s is close at distance %.3f)", m->from, m->distance);
    }
    fputc('\n', f);
    for (size_t k = 0; k < t->n_threads; k++) {
        const cs_thread *th = &t->threads[k];
        fprintf(f, "  %s %s", (int)k == t->crash_thread ? "*" : " ", cs_role_name(th->role));
        if (th->name) {
            fputc(' ', f);
            cs_report_put_term(f, th->name);
        }
        fprintf(f, "%s\n", (int)k == t->crash_thread ? "  (signature thread)" : "");
        if ((int)k != t->crash_thread && th->role != CS_ROLE_ACCESS && th->role != CS_ROLE_PREVIOUS)
            continue;
        for (size_t j = 0; j < th->n_frames; j++) {
            const cs_frame *fr = &th->frames[j];
            fprintf(f, "      %-4s ", fr->significant ? "keep" : "skip");
            cs_report_put_term(f, fr->function ? fr->function : "??");
            if (fr->norm_function && fr->function && strcmp(fr->norm_function, fr->function) != 0) {
                fprintf(f, " -> ");
                cs_report_put_term(f, fr->norm_function);
            }
            if (fr->norm_file) {
                fprintf(f, "  (");
                cs_report_put_term(f, fr->norm_file);
                if (fr->line) fprintf(f, ":%d", fr->line);
                fputc(')', f);
            }
            if (fr->map_impl) fprintf(f, "  [map code]");
            if (fr->rule && *fr->rule) {
                fprintf(f, "  by ");
                cs_report_put_term(f, fr->rule);
            }
            fputc('\n', f);
        }
    }
    fputc('\n', f);
}

int cs_report_explain(FILE *f, const cs_report_ctx *ctx, const cs_cluster *const pick[2],
                      bool only_picked, double threshold)
{
    fprintf(f, "signature version %s\n\n", ctx->sig_version);
    for (size_t i = 0; i < ctx->res->n_traces; i++) {
        const cs_cluster *c = &ctx->clusters->v[ctx->clusters->of_trace[i]];
        if (only_picked && c != pick[0] && c != pick[1]) continue;
        explain_trace(f, ctx, i);
    }
    if (pick[0] && pick[1])
        why_apart(f, ctx, pick[0], pick[1], threshold);
    else if (!only_picked && ctx->res->n_traces == 2 && ctx->clusters->n == 2)
        why_apart(f, ctx, &ctx->clusters->v[ctx->clusters->of_trace[0]],
                  &ctx->clusters->v[ctx->clusters->of_trace[1]], threshold);
    return ferror(f) ? CS_E_IO : CS_OK;
}
