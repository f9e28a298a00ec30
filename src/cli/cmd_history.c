/* cmd_history.c - crashsift history: queries what the history database
 * remembers (docs/history.md); report/history_list.c renders it. Reads
 * only; the database is written by triage --db. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../history/history.h"
#include "../report/report.h"
#include "cli.h"

static void help(void)
{
    printf("usage: crashsift history [options] [ID]\n\n"
           "Lists every cluster (C...) and race pair (R...) recorded by 'crashsift triage\n"
           "--db FILE': first and last seen, batches, total occurrences, and a trend over the\n"
           "last %d batches (oldest first). With ID, that one and its occurrences over time.\n"
           "\noptions:\n",
           CS_HISTORY_TREND);
    cs_cli_print_options(stdout, "history");
    printf("\nexit status: 0 done; 2 usage error, unknown ID, or an unreadable, corrupt or\n"
           "newer database.\n");
}

int cs_cmd_history(int argc, char **argv)
{
    cs_cli_opts o = {0};
    cs_run_opts_default(&o.run);
    int rc = cs_cli_parse(argc, argv, "history", &o);
    if (rc) return rc;
    if (o.help) {
        help();
        return CS_EXIT_OK;
    }
    if (o.n_paths > 1) {
        fprintf(stderr,
                "crashsift history: one ID at most, got '%s' and '%s'\n"
                "Try 'crashsift history --help'.\n",
                o.paths[0], o.paths[1]);
        return CS_EXIT_USAGE;
    }
    const char *db = o.db;
    if (!db) db = getenv("CRASHSIFT_DB");
    if (!db || !*db) {
        fprintf(stderr, "crashsift history: no database: give --db FILE or set CRASHSIFT_DB\n"
                        "Try 'crashsift history --help'.\n");
        return CS_EXIT_USAGE;
    }
    cs_history_query q = {
        .since = o.has_since ? o.since : INT64_MIN,
        .until = o.has_until ? o.until : INT64_MAX,
        .id = o.n_paths ? o.paths[0] : NULL,
    };
    cs_history *h = NULL;
    char *err = NULL;
    if (cs_history_open(&h, db, false, &err)) {
        fprintf(stderr, "crashsift: %s\n", err);
        free(err);
        return CS_EXIT_USAGE;
    }
    cs_history_list l;
    if (cs_history_query_run(h, &q, &l)) {
        fprintf(stderr, "crashsift: %s\n", cs_history_errmsg(h));
        cs_history_free(h);
        return CS_EXIT_USAGE;
    }
    cs_report_history_list(stdout, &l, &q, cs_history_display(h),
                           o.format && strcmp(o.format, "json") == 0);
    fflush(stdout);
    rc = ferror(stdout) ? CS_EXIT_USAGE : CS_EXIT_OK;
    cs_history_list_dispose(&l);
    cs_history_free(h);
    return rc;
}
