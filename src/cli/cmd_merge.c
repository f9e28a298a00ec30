/* cmd_merge.c - crashsift merge [report options] SHARD...: the second half
 * of a triage over the shards that crashsift extract wrote (docs/shard.md,
 * docs/ci.md): the same reports, history and exit status as one triage over
 * all their inputs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/error.h"
#include "../base/util.h"
#include "../shard/shard.h"
#include "cli.h"

static void help(void)
{
    printf("usage: crashsift merge [options] SHARD...\n\n"
           "Clusters, analyses races, records history (--db) and reports over the shards that\n"
           "'crashsift extract' wrote, exactly as one 'crashsift triage' over all their inputs\n"
           "would, whatever the order or grouping of the shards. Every trace is normalized\n"
           "again with this run's rules (docs/shard.md).\n\noptions:\n");
    cs_cli_print_options(stdout, "merge");
    printf("\nexit status: 0 done; 1 done and found what --fail-on names; 2 usage or fatal "
           "error.\n");
}

int cs_cmd_merge(int argc, char **argv)
{
    cs_cli_opts o = {0};
    cs_run_opts_default(&o.run);
    int rc = cs_cli_parse(argc, argv, "merge", &o);
    if (rc) return rc;
    if (o.help) {
        help();
        return CS_EXIT_OK;
    }
    if ((rc = cs_cli_prepare(&o, "merge", "SHARD", "shard"))) return rc;
    cs_history *hist = NULL;
    bool lost = false;
    cs_cli_open_history(&o, &hist, &lost);
    size_t n = (size_t)o.n_paths, failed = 0;
    cs_shard_header *hs = cs_xcalloc(n, sizeof *hs);
    cs_triage tr;
    rc = cs_pipeline_merge(&o.run, (const char *const *)o.paths, n, &tr, hs, &failed);
    if (rc) {
        if (rc == CS_E_IO)
            fprintf(stderr, "crashsift merge: cannot read shard '%s': %s\n", o.paths[failed],
                    strerror(errno));
        else
            for (size_t i = 0; i < tr.res.n_diags; i++)
                fprintf(stderr, "crashsift: rules '%s': %s\n", tr.res.diags[i].source,
                        tr.res.diags[i].message);
        free(hs);
        cs_triage_dispose(&tr);
        cs_history_free(hist);
        return CS_EXIT_USAGE;
    }
    /* The report lists the inputs the shards were made from, shard by shard. */
    size_t n_inputs = 0;
    for (size_t i = 0; i < n; i++)
        n_inputs += hs[i].n_inputs;
    const char **inputs = cs_xcalloc(n_inputs + 1, sizeof *inputs);
    n_inputs = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < hs[i].n_inputs; k++)
            inputs[n_inputs++] = hs[i].inputs[k];
        if (hs[i].sig_version && (strcmp(hs[i].sig_version, tr.sig_version) != 0 ||
                                  hs[i].sig_frames != o.run.sig_frames))
            fprintf(stderr,
                    "crashsift: note: shard '%s' was made with signature version %s (%d "
                    "frames); its traces were normalized again with %s (%d frames)\n",
                    o.paths[i], hs[i].sig_version, hs[i].sig_frames, tr.sig_version,
                    o.run.sig_frames);
    }
    rc = cs_cli_report_run(&o, &tr, inputs, n_inputs, hist, lost);
    free(inputs);
    for (size_t i = 0; i < n; i++)
        cs_shard_header_dispose(&hs[i]);
    free(hs);
    cs_history_free(hist);
    cs_triage_dispose(&tr);
    return rc;
}
