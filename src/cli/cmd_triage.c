#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../history/history.h"
#include "../base/util.h"
#include "../report/report.h"
#include "cli.h"

void cs_cli_progress(void *user, uint64_t members, uint64_t bytes, bool done);

static void help(void)
{
    printf("usage: crashsift triage [options] PATH...\n\n"
           "Reads every artifact under PATHs, extracts every stack trace, and reports them.\n"
           "Reports go to stdout (--format) and to files (-o [FMT:]FILE, repeatable; the\n"
           "format defaults to --format, else text).\n\noptions:\n");
    cs_cli_print_options(stdout, "triage");
    printf("\nexit status: 0 the run finished; 1 it finished and found what --fail-on names;\n"
           "2 usage error, a missing or unreadable PATH, or a fatal error.\n");
}

static bool want_color(cs_color_mode m)
{
    if (m == CS_COLOR_ALWAYS) return true;
    if (m == CS_COLOR_NEVER) return false;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return false;
    return isatty(STDOUT_FILENO);
}

/* The report's view of history marks (the caller frees it). */
static cs_history_status *history_view(const cs_history_mark *m, size_t n)
{
    cs_history_status *v = calloc(n + 1, sizeof *v);
    if (!v) abort();
    for (size_t i = 0; i < n; i++)
        v[i] = (cs_history_status){cs_history_state_name(m[i].state), m[i].first_seen,
                                   m[i].last_seen, m[i].batches, m[i].total};
    return v;
}

static bool has_id(const cs_triage *tr, const char *id)
{
    for (size_t i = 0; i < tr->races.n; i++)
        if (strcmp(tr->races.v[i].id, id) == 0) return true;
    for (size_t i = 0; i < tr->clusters.n; i++)
        if (strcmp(tr->clusters.v[i].id, id) == 0) return true;
    return false;
}

/* Whether the run found what --fail-on names; hc/hr are the history marks
 * of clusters and races (NULL without --db). */
static bool fails(unsigned fail_on, const cs_triage *tr, const cs_history_mark *hc,
                  const cs_history_mark *hr)
{
    if ((fail_on & CS_FAIL_ANY) && tr->res.n_traces) return true;
    if ((fail_on & CS_FAIL_RACE) && tr->races.n) return true;
    unsigned states = 0;
    for (size_t i = 0; hc && i < tr->clusters.n; i++)
        states |= 1u << hc[i].state;
    for (size_t i = 0; hr && i < tr->races.n; i++)
        states |= 1u << hr[i].state;
    if ((fail_on & CS_FAIL_NEW) && (states & (1u << CS_HISTORY_NEW))) return true;
    if ((fail_on & CS_FAIL_REGRESSED) && (states & (1u << CS_HISTORY_REGRESSED))) return true;
    return false;
}

/* What triage and merge do after the pipeline: record the batch (hist may
 * be NULL), write every report, and say the exit status. */
int cs_cli_prepare(const cs_cli_opts *o, const char *cmd, const char *what, const char *noun)
{
    if (o->n_paths == 0) {
        fprintf(stderr, "crashsift %s: no %s given\nTry 'crashsift %s --help'.\n", cmd, what, cmd);
        return CS_EXIT_USAGE;
    }
    if ((o->fail_on & (CS_FAIL_NEW | CS_FAIL_REGRESSED)) && !o->db) {
        fprintf(stderr,
                "crashsift %s: --fail-on new and regressed need --db FILE (a history to compare "
                "with)\nTry 'crashsift %s --help'.\n",
                cmd, cmd);
        return CS_EXIT_USAGE;
    }
    const char *commit;
    if (cs_cli_source_commit(o, &commit)) return CS_EXIT_USAGE;
    /* A mistyped path in a CI step (or a shard a failed job never wrote)
     * must fail the step, not pass it quietly with a smaller report;
     * unreadable members deeper down stay error entries. */
    for (int i = 0; i < o->n_paths; i++) {
        if (access(o->paths[i], R_OK) != 0) {
            fprintf(stderr, "crashsift %s: cannot read %s '%s': %s\n", cmd, noun, o->paths[i],
                    strerror(errno));
            return CS_EXIT_USAGE;
        }
    }
    return CS_EXIT_OK;
}

void cs_cli_open_history(const cs_cli_opts *o, cs_history **out, bool *lost)
{
    *out = NULL;
    *lost = false;
    if (!o->db) return;
    char *err = NULL;
    if (cs_history_open(out, o->db, true, &err)) {
        fprintf(stderr,
                "crashsift: %s\ncrashsift: this batch will NOT be recorded; the reports "
                "are written without history\n",
                err);
        free(err);
        *out = NULL;
        *lost = true;
    }
}

int cs_cli_report_run(const cs_cli_opts *o, cs_triage *tr, const char *const *inputs,
                      size_t n_inputs, cs_history *hist, bool history_lost)
{
    cs_results res = tr->res;
    const char *dflt = o->format ? o->format : "text";
    cs_report_ctx ctx = {
        .res = &res,
        .inputs = inputs,
        .n_inputs = n_inputs,
        .tool_version = CS_VERSION,
        .clusters = &tr->clusters,
        .races = &tr->races,
        .tests = &tr->tests,
        .sig_version = tr->sig_version,
        .repo = &o->repo,
        .top = o->top,
        .only = o->only,
        .full_stacks = o->full_stacks,
    };
    if (o->source_url) {
        if (cs_cli_source_commit(o, &ctx.commit)) return CS_EXIT_USAGE;
        ctx.source_url = o->source_url;
    }
    if (o->only && !has_id(tr, o->only)) {
        fprintf(stderr, "crashsift: --only %s: no race pair or cluster has that id in this batch\n",
                o->only);
        return CS_EXIT_USAGE;
    }
    cs_history_mark *hc = NULL, *hr = NULL;
    cs_history_status *sc = NULL, *sr = NULL;
    cs_report_history rh = {0};
    bool not_recorded = history_lost;
    cs_history_test_mark *tmarks = NULL;
    if (hist) {
        tmarks = cs_xcalloc(tr->tests.n + 1, sizeof *tmarks);
        cs_history_batch b = {
            .res = &res,
            .clusters = &tr->clusters,
            .races = &tr->races,
            .sig_version = tr->sig_version,
            .tool_version = CS_VERSION,
            .inputs = inputs,
            .n_inputs = n_inputs,
            .time = cs_history_now(),
            .regress_after = o->regress_after ? o->regress_after : CS_HISTORY_DEFAULT_REGRESS_AFTER,
            .tests = &tr->tests,
            .test_marks = tmarks,
        };
        if (cs_history_record(hist, &b, &hc, &hr, NULL)) {
            /* The report is still worth having: written without history,
             * and the run fails so the lost batch is noticed. */
            fprintf(stderr,
                    "crashsift: %s\ncrashsift: this batch was NOT recorded; the reports "
                    "are written without history\n",
                    cs_history_errmsg(hist));
            not_recorded = true;
        } else {
            sc = history_view(hc, tr->clusters.n);
            sr = history_view(hr, tr->races.n);
            rh = (cs_report_history){sc, sr, tmarks};
            ctx.history = &rh;
        }
    }
    /* One view for every report of this run (report/view.c). */
    cs_report_view *view = cs_report_view_new(&ctx);
    ctx.view = view;
    int rc = CS_EXIT_OK;
    if (o->n_outputs == 0 || o->format) {
        ctx.color = want_color(o->color);
        ctx.compact = o->layout == CS_LAYOUT_COMPACT ||
                      (o->layout == CS_LAYOUT_AUTO && !isatty(STDOUT_FILENO));
        if (cs_cli_write_report(NULL, dflt, &ctx)) rc = CS_EXIT_USAGE;
    }
    ctx.color = o->color == CS_COLOR_ALWAYS;
    ctx.compact = o->layout != CS_LAYOUT_PRETTY;
    for (int i = 0; i < o->n_outputs; i++) {
        const char *fmt = o->outputs[i].format ? o->outputs[i].format : dflt;
        if (cs_cli_write_report(o->outputs[i].path, fmt, &ctx)) rc = CS_EXIT_USAGE;
    }
    if (rc == CS_EXIT_OK && fails(o->fail_on, tr, hc, hr)) rc = CS_EXIT_FOUND;
    if (not_recorded) rc = CS_EXIT_USAGE;
    cs_report_view_free(view);
    free(tmarks);
    free(hc);
    free(hr);
    free(sc);
    free(sr);
    return rc;
}

int cs_cmd_triage(int argc, char **argv)
{
    cs_cli_opts o = {0};
    cs_run_opts_default(&o.run);
    int rc = cs_cli_parse(argc, argv, "triage", &o);
    if (rc) return rc;
    if (o.help) {
        help();
        return CS_EXIT_OK;
    }
    if ((rc = cs_cli_prepare(&o, "triage", "PATH", "input"))) return rc;
    /* The history database is opened (checked, migrated) before the work,
     * so a bad --db costs nothing; without --db nothing is stored. */
    cs_history *hist = NULL;
    bool lost = false;
    cs_cli_open_history(&o, &hist, &lost);
    if (isatty(STDERR_FILENO)) o.run.progress = cs_cli_progress;
    cs_triage tr;
    if (cs_pipeline_triage(&o.run, (const char *const *)o.paths, (size_t)o.n_paths, &tr)) {
        for (size_t i = 0; i < tr.res.n_diags; i++)
            fprintf(stderr, "crashsift: rules '%s': %s\n", tr.res.diags[i].source,
                    tr.res.diags[i].message);
        cs_triage_dispose(&tr);
        cs_history_free(hist);
        return CS_EXIT_USAGE;
    }
    rc = cs_cli_report_run(&o, &tr, (const char *const *)o.paths, (size_t)o.n_paths, hist, lost);
    cs_history_free(hist);
    cs_triage_dispose(&tr);
    return rc;
}
