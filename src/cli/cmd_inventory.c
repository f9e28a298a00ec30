#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../report/report.h"
#include "cli.h"

void cs_cli_progress(void *user, uint64_t members, uint64_t bytes, bool done);

int cs_cmd_inventory(int argc, char **argv)
{
    cs_cli_opts o = {0};
    cs_run_opts_default(&o.run);
    int rc = cs_cli_parse(argc, argv, "inventory", &o);
    if (rc) return rc;
    if (o.help) {
        printf("usage: crashsift inventory [options] PATH...\n\n"
               "Lists every member found in PATHs (folders, zips, compressed files) with its\n"
               "sniffed kind, size and source path, then every error entry.\n\noptions:\n");
        cs_cli_print_options(stdout, "inventory");
        return CS_EXIT_OK;
    }
    if (o.n_paths == 0) {
        fprintf(stderr, "crashsift inventory: no PATH given\nTry 'crashsift inventory --help'.\n");
        return CS_EXIT_USAGE;
    }
    if (isatty(STDERR_FILENO)) o.run.progress = cs_cli_progress;
    cs_results res;
    cs_results_init(&res);
    cs_pipeline_inventory(&o.run, (const char *const *)o.paths, (size_t)o.n_paths, &res);
    cs_report_ctx ctx = {.res = &res};
    rc = cs_cli_finish_stdout(cs_report_inventory(stdout, &ctx)) == 0 ? CS_EXIT_OK : CS_EXIT_USAGE;
    cs_results_dispose(&res);
    return rc;
}
