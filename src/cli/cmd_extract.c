/* cmd_extract.c - crashsift extract -o FILE PATH...: the first half of a
 * triage (read, extract, normalize) written as a shard for crashsift merge
 * (docs/shard.md, docs/ci.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../shard/shard.h"
#include "cli.h"

void cs_cli_progress(void *user, uint64_t members, uint64_t bytes, bool done);

static void help(void)
{
    printf("usage: crashsift extract -o FILE [options] PATH...\n\n"
           "Reads every artifact under PATHs as triage does and writes what it finds - every\n"
           "trace with its raw and normalized frames, every member and error entry - to the\n"
           "shard FILE (JSON lines, docs/shard.md). 'crashsift merge' over the shards of many\n"
           "jobs reports exactly what one triage over all their inputs would (docs/ci.md).\n\n"
           "options:\n");
    cs_cli_print_options(stdout, "extract");
    printf("\nexit status: 0 shard written (error entries for bad inputs are part of it); 2 usage\n"
           "or fatal error (no shard written).\n");
}

typedef struct shard_job {
    const cs_shard_header *h;
    const cs_results *res;
} shard_job;

static int write_shard(FILE *f, const void *ctx)
{
    const shard_job *j = ctx;
    return cs_shard_write(f, j->h, j->res);
}

int cs_cmd_extract(int argc, char **argv)
{
    cs_cli_opts o = {0};
    cs_run_opts_default(&o.run);
    int rc = cs_cli_parse(argc, argv, "extract", &o);
    if (rc) return rc;
    if (o.help) {
        help();
        return CS_EXIT_OK;
    }
    if (o.n_outputs != 1 || o.outputs[0].format || o.format) {
        fprintf(stderr, "crashsift extract: give the shard file once, as -o FILE (no format: a "
                        "shard has one)\nTry 'crashsift extract --help'.\n");
        return CS_EXIT_USAGE;
    }
    if (o.n_paths == 0) {
        fprintf(stderr, "crashsift extract: no PATH given\nTry 'crashsift extract --help'.\n");
        return CS_EXIT_USAGE;
    }
    for (int i = 0; i < o.n_paths; i++) {
        if (access(o.paths[i], R_OK) != 0) {
            fprintf(stderr, "crashsift extract: cannot read input '%s': %s\n", o.paths[i],
                    strerror(errno));
            return CS_EXIT_USAGE;
        }
    }
    if (isatty(STDERR_FILENO)) o.run.progress = cs_cli_progress;
    cs_triage tr;
    if (cs_pipeline_extract_shard(&o.run, (const char *const *)o.paths, (size_t)o.n_paths, &tr)) {
        for (size_t i = 0; i < tr.res.n_diags; i++)
            fprintf(stderr, "crashsift: rules '%s': %s\n", tr.res.diags[i].source,
                    tr.res.diags[i].message);
        cs_triage_dispose(&tr);
        return CS_EXIT_USAGE;
    }
    cs_shard_header h = {
        .format = CS_SHARD_FORMAT_VERSION,
        .tool_version = (char *)CS_VERSION,
        .sig_version = tr.sig_version,
        .sig_frames = o.run.sig_frames,
        .inputs = o.paths,
        .n_inputs = (size_t)o.n_paths,
    };
    shard_job j = {&h, &tr.res};
    rc = cs_cli_write_atomic(o.outputs[0].path, write_shard, &j) ? CS_EXIT_USAGE : CS_EXIT_OK;
    cs_triage_dispose(&tr);
    return rc;
}
