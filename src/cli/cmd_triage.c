#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../report/report.h"
#include "cli.h"

void cs_cli_progress(void *user, uint64_t members, uint64_t bytes, bool done);

static void help(void)
{
    printf("usage: crashsift triage [options] PATH...\n\n"
           "Reads every artifact under PATHs, extracts every stack trace, and reports them.\n"
           "Reports go to stdout (--format) and to files (-o [FMT:]FILE, repeatable; the\n"
           "format defaults to --format, else text).\n\noptions:\n");
    cs_cli_print_options(stdout, CS_OPTSET_COMMON | CS_OPTSET_TRIAGE);
    printf("\nexit status: 0 done; 1 done and traces found (with --exit-code); 2 usage or "
           "fatal error.\n");
}

static bool want_color(cs_color_mode m)
{
    if (m == CS_COLOR_ALWAYS) return true;
    if (m == CS_COLOR_NEVER) return false;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return false;
    return isatty(STDOUT_FILENO);
}

int cs_cmd_triage(int argc, char **argv)
{
    cs_cli_opts o = {0};
    cs_run_opts_default(&o.run);
    int rc = cs_cli_parse(argc, argv, "triage", CS_OPTSET_COMMON | CS_OPTSET_TRIAGE, &o);
    if (rc) return rc;
    if (o.help) {
        help();
        return CS_EXIT_OK;
    }
    if (o.n_paths == 0) {
        fprintf(stderr, "crashsift triage: no PATH given\nTry 'crashsift triage --help'.\n");
        return CS_EXIT_USAGE;
    }
    if (isatty(STDERR_FILENO)) o.run.progress = cs_cli_progress;
    cs_triage tr;
    if (cs_pipeline_triage(&o.run, (const char *const *)o.paths, (size_t)o.n_paths, &tr)) {
        for (size_t i = 0; i < tr.res.n_diags; i++)
            fprintf(stderr, "crashsift: rules '%s': %s\n", tr.res.diags[i].source,
                    tr.res.diags[i].message);
        cs_triage_dispose(&tr);
        return CS_EXIT_USAGE;
    }
    cs_results res = tr.res;
    const char *dflt = o.format ? o.format : "text";
    cs_report_ctx ctx = {
        .res = &res,
        .inputs = (const char *const *)o.paths,
        .n_inputs = (size_t)o.n_paths,
        .tool_version = CS_VERSION,
        .clusters = &tr.clusters,
        .races = &tr.races,
        .sig_version = tr.sig_version,
    };
    rc = CS_EXIT_OK;
    if (o.n_outputs == 0 || o.format) {
        ctx.color = want_color(o.color);
        if (cs_cli_write_report(NULL, dflt, &ctx)) rc = CS_EXIT_USAGE;
    }
    ctx.color = o.color == CS_COLOR_ALWAYS;
    for (int i = 0; i < o.n_outputs; i++) {
        const char *fmt = o.outputs[i].format ? o.outputs[i].format : dflt;
        if (cs_cli_write_report(o.outputs[i].path, fmt, &ctx)) rc = CS_EXIT_USAGE;
    }
    if (rc == CS_EXIT_OK && o.exit_code && res.n_traces) rc = CS_EXIT_FOUND;
    cs_triage_dispose(&tr);
    return rc;
}
