/* cmd_explain.c - "why did these group, or not?": for each trace, every
 * frame of the signature thread with the rule that kept, skipped or renamed
 * it, the failure class, the signature, the cluster it landed in and the
 * close clusters linked to it; for two clusters (--cluster A --cluster B, or
 * inputs with exactly two traces), what keeps them apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../report/report.h"
#include "cli.h"

static void put_safe(const char *s)
{
    if (!s) {
        fputs("-", stdout);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            printf("\\x%02x", *p);
        else
            putchar(*p);
    }
}

static const cs_cluster *find_cluster(const cs_triage *tr, const char *id)
{
    for (size_t i = 0; i < tr->clusters.n; i++)
        if (strcmp(tr->clusters.v[i].id, id) == 0) return &tr->clusters.v[i];
    return NULL;
}

static void why_apart(const cs_triage *tr, const cs_cluster *a, const cs_cluster *b,
                      double threshold)
{
    printf("%s and %s are apart: ", a->id, b->id);
    char *why = cs_cluster_why_apart(tr->res.traces[a->rep], tr->res.traces[b->rep], threshold);
    put_safe(why ? why : "they are the same cluster");
    free(why);
    putchar('\n');
}

static void explain_trace(const cs_triage *tr, size_t i)
{
    const cs_trace *t = tr->res.traces[i];
    const cs_cluster *c = &tr->clusters.v[tr->clusters.of_trace[i]];
    put_safe(t->source);
    if (t->line_start) printf(":%llu", (unsigned long long)t->line_start);
    printf("  %s  ", cs_trace_kind_name(t->kind));
    put_safe(t->headline);
    printf("\n  class:     ");
    put_safe(t->norm_headline);
    printf("\n  signature: ");
    put_safe(t->signature);
    printf("\n  cluster:   %s", c->id);
    for (size_t k = 0; k < tr->clusters.n_merges; k++) {
        const cs_merge *m = &tr->clusters.merges[k];
        if (strcmp(m->from, c->id) == 0)
            printf(" (close to %s at distance %.3f)", m->into, m->distance);
        else if (strcmp(m->into, c->id) == 0)
            printf(" (%s is close at distance %.3f)", m->from, m->distance);
    }
    putchar('\n');
    for (size_t k = 0; k < t->n_threads; k++) {
        const cs_thread *th = &t->threads[k];
        printf("  %s %s", (int)k == t->crash_thread ? "*" : " ", cs_role_name(th->role));
        if (th->name) {
            putchar(' ');
            put_safe(th->name);
        }
        printf("%s\n", (int)k == t->crash_thread ? "  (signature thread)" : "");
        if ((int)k != t->crash_thread && th->role != CS_ROLE_ACCESS && th->role != CS_ROLE_PREVIOUS)
            continue;
        for (size_t j = 0; j < th->n_frames; j++) {
            const cs_frame *f = &th->frames[j];
            printf("      %-4s ", f->significant ? "keep" : "skip");
            put_safe(f->function ? f->function : "??");
            if (f->norm_function && f->function && strcmp(f->norm_function, f->function) != 0) {
                printf(" -> ");
                put_safe(f->norm_function);
            }
            if (f->norm_file) {
                printf("  (");
                put_safe(f->norm_file);
                if (f->line) printf(":%d", f->line);
                putchar(')');
            }
            if (f->map_impl) printf("  [map code]");
            if (f->rule && *f->rule) {
                printf("  by ");
                put_safe(f->rule);
            }
            putchar('\n');
        }
    }
    putchar('\n');
}

int cs_cmd_explain(int argc, char **argv)
{
    cs_cli_opts o = {0};
    cs_run_opts_default(&o.run);
    int rc = cs_cli_parse(argc, argv, "explain", CS_OPTSET_COMMON | CS_OPTSET_TRIAGE, &o);
    if (rc) return rc;
    if (o.help) {
        printf("usage: crashsift explain [options] PATH...\n\n"
               "Shows, for every trace (or those of --cluster ID), each frame with the rule that\n"
               "kept, skipped or renamed it, the failure class, the signature and the cluster.\n"
               "With --cluster A --cluster B, or inputs holding exactly two traces, it also says\n"
               "what keeps the two apart: the kind, the class, or the first frame that differs.\n\n"
               "options:\n");
        cs_cli_print_options(stdout, CS_OPTSET_COMMON | CS_OPTSET_TRIAGE);
        return CS_EXIT_OK;
    }
    if (o.n_paths == 0) {
        fprintf(stderr, "crashsift explain: no PATH given\nTry 'crashsift explain --help'.\n");
        return CS_EXIT_USAGE;
    }
    cs_triage tr;
    if (cs_pipeline_triage(&o.run, (const char *const *)o.paths, (size_t)o.n_paths, &tr)) {
        for (size_t i = 0; i < tr.res.n_diags; i++)
            fprintf(stderr, "crashsift: rules '%s': %s\n", tr.res.diags[i].source,
                    tr.res.diags[i].message);
        cs_triage_dispose(&tr);
        return CS_EXIT_USAGE;
    }
    printf("signature version %s\n\n", tr.sig_version);
    const char *want[2] = {o.cluster, o.cluster2};
    const cs_cluster *pick[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        if (!want[k]) continue;
        pick[k] = find_cluster(&tr, want[k]);
        if (!pick[k]) {
            fprintf(stderr, "crashsift explain: no cluster '%s' in these inputs\n", want[k]);
            rc = CS_EXIT_USAGE;
        }
    }
    for (size_t i = 0; i < tr.res.n_traces && !rc; i++) {
        const cs_cluster *c = &tr.clusters.v[tr.clusters.of_trace[i]];
        if (o.cluster && c != pick[0] && c != pick[1]) continue;
        explain_trace(&tr, i);
    }
    double thr = o.run.merge_threshold;
    if (!rc && pick[0] && pick[1])
        why_apart(&tr, pick[0], pick[1], thr);
    else if (!rc && !o.cluster && tr.res.n_traces == 2 && tr.clusters.n == 2)
        why_apart(&tr, &tr.clusters.v[tr.clusters.of_trace[0]],
                  &tr.clusters.v[tr.clusters.of_trace[1]], thr);
    if (cs_cli_finish_stdout(0)) rc = CS_EXIT_USAGE;
    cs_triage_dispose(&tr);
    return rc;
}
