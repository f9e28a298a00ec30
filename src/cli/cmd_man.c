/* cmd_man.c - the manual page and the bash completion, both written from the
 * command table and the option table that --help prints, so the three
 * cannot disagree. The build runs `crashsift man` to make crashsift.1. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef CS_VERSION
#define CS_VERSION "0.0.0"
#endif

/* Text for roff: backslashes and hyphens escaped, and a line never starts
 * with a control character. */
static void roff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'') fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

static void man_option(void *user, const char *name, int short_opt, const char *arg,
                       const char *help)
{
    FILE *f = user;
    fputs(".TP\n", f);
    if (short_opt) fprintf(f, "\\fB\\-%c\\fR, ", short_opt);
    fputs("\\fB\\-\\-", f);
    roff(f, name);
    fputs("\\fR", f);
    if (arg) {
        fputs(" \\fI", f);
        roff(f, arg);
        fputs("\\fR", f);
    }
    fputc('\n', f);
    roff(f, help);
    fputc('\n', f);
}

static const struct {
    const char *name, *text;
} environment[] = {
    {"CRASHSIFT_SIGNATURES", "the built-in rules folder, instead of the one found beside the "
                             "binary or the rules compiled into it"},
    {"CRASHSIFT_DB", "history: the database read when --db is not given (triage never reads it)"},
    {"NO_COLOR", "when set and not empty, --color=auto means never"},
    {"GITHUB_SHA", "triage, merge: the {commit} of --source-url when --commit is not given"},
    {"CI_COMMIT_SHA", "the same, when GITHUB_SHA is not set (GitLab CI)"},
    {"CRASHSIFT_NO_JIT", "when set, patterns run without PCRE2's JIT (for valgrind)"},
    {"TMPDIR", "where what must spill past a memory budget goes"},
};

int cs_cmd_man(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    FILE *f = stdout;
    size_t n;
    const cs_command *cmds = cs_cli_commands(&n);
    fprintf(f, ".TH CRASHSIFT 1 \"\" \"crashsift %s\" \"User Commands\"\n", CS_VERSION);
    fputs(".SH NAME\ncrashsift \\- post\\-mortem triage of CI artifacts\n.SH SYNOPSIS\n", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, ".B crashsift %s\n", cmds[i].name);
        if (cmds[i].optset || *cmds[i].args)
            fprintf(f, "%s%s\\fI%s\\fR\n", cmds[i].optset ? "[\\fIoptions\\fR]" : "",
                    cmds[i].optset && *cmds[i].args ? " " : "", cmds[i].args);
        fputs(".br\n", f);
    }
    fputs(".SH DESCRIPTION\n"
          "crashsift reads a pile of downloaded CI artifacts (folders, zip files, zips inside "
          "zips, tar, gzip, xz, zstd and bzip2 files, job logs, go test \\-json streams, JUnit "
          "XML, sanitizer reports, ELF core dumps with their binaries), extracts every stack "
          "trace and test outcome, gives each trace a signature from rules kept as data, "
          "groups recurring failures, names the pairs of code sites behind races, and reports "
          "for people and machines. Inputs are never trusted: each bad input is an error "
          "entry naming it, and the run goes on.\n",
          f);
    fputs(".SH COMMANDS\n", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, ".SS %s\n", cmds[i].name);
        roff(f, cmds[i].summary);
        fputs(".\n", f);
        if (cmds[i].optset) cs_cli_each_option(cmds[i].optset, man_option, f);
    }
    fputs(".SH EXIT STATUS\n"
          ".TP\n.B 0\nthe run finished (error entries for bad inputs are part of the report)\n"
          ".TP\n.B 1\nthe run finished and found what \\-\\-fail\\-on names\n"
          ".TP\n.B 2\na usage error, a missing or unreadable input path, or a fatal error (a "
          "report that could not be written, a history that could not be recorded)\n",
          f);
    fputs(".SH ENVIRONMENT\n", f);
    for (size_t i = 0; i < sizeof environment / sizeof environment[0]; i++) {
        fprintf(f, ".TP\n.B %s\n", environment[i].name);
        roff(f, environment[i].text);
        fputc('\n', f);
    }
    fputs(".SH FILES\n.TP\n.I PREFIX/share/crashsift/signatures\nthe built\\-in signature "
          "rules, found relative to the binary\n"
          ".SH SEE ALSO\n.BR eu\\-stack (1),\n.BR gdb (1)\n",
          f);
    return ferror(f) || fflush(f) ? CS_EXIT_USAGE : CS_EXIT_OK;
}

static void word(void *user, const char *name, int short_opt, const char *arg, const char *help)
{
    (void)help;
    (void)arg;
    FILE *f = user;
    fprintf(f, " --%s", name);
    if (short_opt) fprintf(f, " -%c", short_opt);
}

static void takes_arg(void *user, const char *name, int short_opt, const char *arg,
                      const char *help)
{
    (void)help;
    FILE *f = user;
    if (!arg) return;
    fprintf(f, "|--%s", name);
    if (short_opt) fprintf(f, "|-%c", short_opt);
}

int cs_cmd_completion(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "bash") != 0) {
        fprintf(stderr, "crashsift completion: expected 'bash'\nTry 'crashsift --help'.\n");
        return CS_EXIT_USAGE;
    }
    FILE *f = stdout;
    size_t n;
    const cs_command *cmds = cs_cli_commands(&n);
    fputs("# bash completion for crashsift (written by 'crashsift completion bash')\n"
          "_crashsift() {\n"
          "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n    COMPREPLY=($(compgen -W '",
          f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? " " : "", cmds[i].name);
    fputs(" --help --version' -- \"$cur\"))\n    return\n  fi\n"
          "  local opts='' args=''\n  case ${COMP_WORDS[1]} in\n",
          f);
    for (size_t i = 0; i < n; i++) {
        if (!cmds[i].optset) continue;
        fprintf(f, "  %s) opts='", cmds[i].name);
        cs_cli_each_option(cmds[i].optset, word, f);
        fputs("'; args='x", f);
        cs_cli_each_option(cmds[i].optset, takes_arg, f);
        fputs("' ;;\n", f);
    }
    fputs("  esac\n"
          "  # After an option that takes a value, complete files (paths, FMT:FILE).\n"
          "  if [[ \"|$args|\" == *\"|$prev|\"* ]]; then\n"
          "    COMPREPLY=($(compgen -f -- \"${cur#*:}\"))\n    return\n  fi\n"
          "  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "  else\n    COMPREPLY=($(compgen -f -- \"$cur\"))\n  fi\n}\n"
          "complete -o filenames -F _crashsift crashsift\n",
          f);
    return ferror(f) || fflush(f) ? CS_EXIT_USAGE : CS_EXIT_OK;
}
