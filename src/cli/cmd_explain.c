/* cmd_explain.c - "why did these group?": for each trace, every frame of
 * the signature thread with the rule that kept, skipped or renamed it, the
 * failure class, the signature, and the cluster it landed in. */
#include <stdio.h>
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
    if (strcmp(c->signature, t->signature) != 0) {
        for (size_t k = 0; k < tr->clusters.n_merges; k++) {
            const cs_merge *m = &tr->clusters.merges[k];
            if (strcmp(m->into, c->id) == 0 && strcmp(m->from_signature, t->signature) == 0)
                printf(" (merged from %s at distance %.3f)", m->from, m->distance);
        }
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
               "kept, skipped or renamed it, the failure class, the signature and the cluster.\n\n"
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
    size_t shown = 0;
    for (size_t i = 0; i < tr.res.n_traces; i++) {
        const cs_cluster *c = &tr.clusters.v[tr.clusters.of_trace[i]];
        if (o.cluster && strcmp(o.cluster, c->id) != 0) continue;
        explain_trace(&tr, i);
        shown++;
    }
    if (o.cluster && !shown) {
        fprintf(stderr, "crashsift explain: no cluster '%s' in these inputs\n", o.cluster);
        rc = CS_EXIT_USAGE;
    }
    cs_triage_dispose(&tr);
    return rc;
}
