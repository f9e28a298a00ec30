/* cli.h - the command-line front end: a command table (main.c) whose rows
 * name each command's option groups, one cmd_<name>.c per command, and one
 * option table (options.c, a row per option, in groups) that drives
 * getopt_long, --help, the man page and completion alike. main() only
 * dispatches. */
#ifndef CS_CLI_H
#define CS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "../history/history.h"
#include "../pipeline/pipeline.h"
#include "../report/repo.h"

/* Exit codes (documented in --help and docs/cli.md). */
enum {
    CS_EXIT_OK = 0,    /* the run finished */
    CS_EXIT_FOUND = 1, /* --fail-on: the run finished and found what it names */
    CS_EXIT_USAGE = 2, /* usage error, a missing input, or a fatal error */
};

/* --fail-on: what makes a finished run exit CS_EXIT_FOUND (a set). */
enum {
    CS_FAIL_ANY = 1,       /* any trace or test failure */
    CS_FAIL_NEW = 2,       /* a cluster or race pair new to the --db history */
    CS_FAIL_REGRESSED = 4, /* one back after --regress-after quiet batches */
    CS_FAIL_RACE = 8,      /* any race pair, full or partial */
};

#define CS_MAX_OUTPUTS 8

typedef struct cs_output {
    const char *format; /* text, json ... */
    const char *path;   /* NULL: stdout */
} cs_output;

typedef enum { CS_COLOR_AUTO, CS_COLOR_ALWAYS, CS_COLOR_NEVER } cs_color_mode;
/* JSON and SARIF layout: auto is pretty on a terminal, compact elsewhere. */
typedef enum { CS_LAYOUT_AUTO, CS_LAYOUT_PRETTY, CS_LAYOUT_COMPACT } cs_layout_mode;

typedef struct cs_cli_opts {
    cs_run_opts run;
    cs_output outputs[CS_MAX_OUTPUTS];
    int n_outputs;
    const char *format; /* --format, for stdout or -o FILE without prefix */
    cs_color_mode color;
    cs_layout_mode layout;  /* --compact, --pretty */
    bool full_stacks;       /* --full-stacks (json) */
    cs_repo_opts repo;      /* --repo-root */
    const char *only;       /* --only ID (markdown) */
    const char *source_url; /* --source-url TEMPLATE (checked when parsed) */
    const char *commit;     /* --commit REV; NULL: $GITHUB_SHA, $CI_COMMIT_SHA */
    size_t top;             /* --top N, --all (SIZE_MAX); 0: the report's default */
    unsigned fail_on;       /* CS_FAIL_... set; 0: never */
    const char *cluster;    /* explain: --cluster ID */
    const char *cluster2;   /* explain: a second --cluster ID (why the two are apart) */
    const char *db;         /* triage, history: --db FILE (history database) */
    int regress_after;      /* triage: --regress-after N; 0: the default */
    long long since, until; /* history: --since/--until (unix seconds) */
    bool has_since, has_until;
    bool help;
    char **paths;
    int n_paths;
} cs_cli_opts;

/* Option groups. Each command's row in the command table (main.c) names
 * the groups it takes, and a command is parsed with exactly those: an
 * option of another command (explain -o, triage --cluster) is rejected as
 * unknown, never accepted and ignored. */
enum {
    CS_OPTSET_COMMON = 1,    /* --help, --jobs, input limits (--max-*) */
    CS_OPTSET_RULES = 2,     /* signatures: --rules, --signatures, --frames */
    CS_OPTSET_CORES = 4,     /* unwinding cores: --debug-dir, --sysroot, ... */
    CS_OPTSET_GROUPING = 8,  /* clusters and races: --merge-threshold, --source */
    CS_OPTSET_OUTPUT = 16,   /* -o [FMT:]FILE */
    CS_OPTSET_REPORT = 32,   /* reports and exit policy: --format, --fail-on, --top, ... */
    CS_OPTSET_RECORD = 64,   /* recording into a history database: --db, --regress-after */
    CS_OPTSET_EXPLAIN = 128, /* explain: --cluster */
    CS_OPTSET_HISTORY = 256, /* the history command */
};
#define CS_OPTSET_ANALYSIS                                                                         \
    (CS_OPTSET_COMMON | CS_OPTSET_RULES | CS_OPTSET_CORES | CS_OPTSET_GROUPING)

/* Parses argv (after the command name) with the options of command cmd's
 * groups. Prints one specific line and a hint on error and returns
 * CS_EXIT_USAGE; 0 on success. */
int cs_cli_parse(int argc, char **argv, const char *cmd, cs_cli_opts *o);
/* The options of command cmd, as --help lists them. */
void cs_cli_print_options(FILE *f, const char *cmd);
/* Calls fn for each option of optset, in table order: the one list that
 * --help, the man page and shell completion are all written from. short_opt
 * is 0 when the option has no one-letter form; arg NULL when it takes none. */
typedef void (*cs_option_fn)(void *user, const char *name, int short_opt, const char *arg,
                             const char *help);
void cs_cli_each_option(unsigned optset, cs_option_fn fn, void *user);

/* The command table (main.c). */
typedef struct cs_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    unsigned optset;  /* CS_OPTSET_... it takes; 0: none */
    const char *args; /* what follows the options in its synopsis */
} cs_command;
const cs_command *cs_cli_commands(size_t *n);
/* The row of command `name` (it must exist). */
const cs_command *cs_cli_command(const char *name);
/* One report of `format` through cs_cli_write_atomic. */
int cs_cli_write_report(const char *path, const char *format, const void *ctx);
/* Runs write to stdout (path NULL or "-"); to a regular or missing file
 * atomically (a temporary file beside it, renamed over it, keeping an
 * existing file's mode); or in place to anything else (FIFO, device,
 * symlink such as /dev/stdout). CS_E_IO, with a message on stderr naming the
 * output, when any write fails. */
int cs_cli_write_atomic(const char *path, int (*write)(FILE *f, const void *ctx), const void *ctx);
/* Flushes stdout after a report; CS_E_IO with a message when it failed, else r. */
int cs_cli_finish_stdout(int r);

/* After the pipeline, for triage and merge: records the batch in hist (may
 * be NULL), writes every report of o, returns the exit status. */
int cs_cli_report_run(const cs_cli_opts *o, cs_triage *tr, const char *const *inputs,
                      size_t n_inputs, cs_history *hist, bool history_lost);
/* The checks triage and merge make before any work: paths given and
 * readable (noun names them in the message), --fail-on new/regressed with a
 * --db, a usable --source-url. 0, or the exit status with a message. */
int cs_cli_prepare(const cs_cli_opts *o, const char *cmd, const char *what, const char *noun);
/* --db for triage and merge: opens the history into *out (NULL without
 * --db). When it cannot be opened (busy, full, foreign, corrupt) it says so
 * and that the batch will not be recorded, and sets *lost: the run goes on
 * and writes its reports, and cs_cli_report_run then exits 2. */
void cs_cli_open_history(const cs_cli_opts *o, cs_history **out, bool *lost);

/* --source-url's {commit} into *commit: --commit, else $GITHUB_SHA, else
 * $CI_COMMIT_SHA (NULL when none is set or no template is given). -1, with
 * a message, when the template uses {commit} and none is known. */
int cs_cli_source_commit(const cs_cli_opts *o, const char **commit);

int cs_cmd_triage(int argc, char **argv);
int cs_cmd_extract(int argc, char **argv);
int cs_cmd_merge(int argc, char **argv);
int cs_cmd_inventory(int argc, char **argv);
int cs_cmd_explain(int argc, char **argv);
int cs_cmd_history(int argc, char **argv);
int cs_cmd_man(int argc, char **argv);
int cs_cmd_completion(int argc, char **argv);

#endif
