/* cmd_explain.c - "why did these group, or not?": runs the triage and picks
 * the clusters (--cluster A [--cluster B]); report/explain.c renders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../report/report.h"
#include "cli.h"

static const cs_cluster *find_cluster(const cs_triage *tr, const char *id)
{
    for (size_t i = 0; i < tr->clusters.n; i++)
        if (strcmp(tr->clusters.v[i].id, id) == 0) return &tr->clusters.v[i];
    return NULL;
}

int cs_cmd_explain(int argc, char **argv)
{
    cs_cli_opts o = {0};
    cs_run_opts_default(&o.run);
    int rc = cs_cli_parse(argc, argv, "explain", &o);
    if (rc) return rc;
    if (o.help) {
        printf("usage: crashsift explain [options] PATH...\n\n"
               "Shows, for every trace (or those of --cluster ID), each frame with the rule that\n"
               "kept, skipped or renamed it, the failure class, the signature and the cluster.\n"
               "With --cluster A --cluster B, or inputs holding exactly two traces, it also says\n"
               "what keeps the two apart: the kind, the class, or the first frame that differs.\n\n"
               "options:\n");
        cs_cli_print_options(stdout, "explain");
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
    if (!rc) {
        cs_report_ctx ctx = {.res = &tr.res,
                             .clusters = &tr.clusters,
                             .races = &tr.races,
                             .sig_version = tr.sig_version};
        cs_report_explain(stdout, &ctx, pick, o.cluster != NULL, o.run.merge_threshold);
    }
    if (cs_cli_finish_stdout(0)) rc = CS_EXIT_USAGE;
    cs_triage_dispose(&tr);
    return rc;
}
