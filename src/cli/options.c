#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../report/report.h"
#include "cli.h"

enum {
    OPT_MAX_MEMBER = 256,
    OPT_MAX_TOTAL,
    OPT_MAX_RATIO,
    OPT_MAX_DEPTH,
    OPT_MAX_MEMBERS,
    OPT_MAX_LINE,
    OPT_COLOR,
    OPT_COMPACT,
    OPT_PRETTY,
    OPT_FULL_STACKS,
    OPT_EXIT_CODE,
    OPT_FAIL_ON,
    OPT_REPO_ROOT,
    OPT_TOP,
    OPT_ONLY,
    OPT_ALL,
    OPT_RULES,
    OPT_SIGNATURES,
    OPT_FRAMES,
    OPT_MERGE,
    OPT_DEBUG_DIR,
    OPT_SYSROOT,
    OPT_CORE_IN_PROCESS,
    OPT_CLUSTER,
    OPT_SOURCE,
    OPT_DB,
    OPT_REGRESS_AFTER,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_SOURCE_URL,
    OPT_COMMIT,
};

typedef struct optdef {
    const char *name;
    int has_arg;
    int val;
    unsigned set;
    const char *arg;
    const char *help;
} optdef;

/* This help ends with the report formats' names, from their table. */
static const char formats_help[] = "report format for stdout and -o FILE (default text):";

static const optdef table[] = {
    {"help", no_argument, 'h', CS_OPTSET_COMMON | CS_OPTSET_HISTORY, NULL, "show this help"},
    {"jobs", required_argument, 'j', CS_OPTSET_COMMON, "N",
     "worker threads (default: the number of cores, at most 16)"},
    {"format", required_argument, 'f', CS_OPTSET_REPORT, "FMT", formats_help},
    {"output", required_argument, 'o', CS_OPTSET_OUTPUT, "[FMT:]FILE",
     "write a report to FILE (repeatable: -o json:a.json -o text:a.txt)"},
    {"color", required_argument, OPT_COLOR, CS_OPTSET_REPORT, "WHEN",
     "auto (default), always or never; NO_COLOR turns auto off"},
    {"compact", no_argument, OPT_COMPACT, CS_OPTSET_REPORT, NULL,
     "json, sarif: no indentation (the default, except on a terminal)"},
    {"pretty", no_argument, OPT_PRETTY, CS_OPTSET_REPORT, NULL,
     "json, sarif: indented, one value per line (the default on a terminal)"},
    {"full-stacks", no_argument, OPT_FULL_STACKS, CS_OPTSET_REPORT, NULL,
     "json: write the threads of every trace, as report version 1 (default: a trace whose "
     "stacks repeat an earlier one's has same_stack_as, that trace's index)"},
    {"fail-on", required_argument, OPT_FAIL_ON, CS_OPTSET_REPORT, "WHAT",
     "exit 1 when the run finds WHAT: never (default), any, new, regressed, race, or a "
     "comma list; new and regressed need --db"},
    {"top", required_argument, OPT_TOP, CS_OPTSET_REPORT, "N",
     "text, markdown: show the N largest clusters (default 10)"},
    {"all", no_argument, OPT_ALL, CS_OPTSET_REPORT, NULL,
     "text, markdown: show every cluster (markdown: no 20k size budget)"},
    {"only", required_argument, OPT_ONLY, CS_OPTSET_REPORT, "ID",
     "markdown: write up only the race pair or cluster ID"},
    {"repo-root", required_argument, OPT_REPO_ROOT, CS_OPTSET_REPORT, "PREFIX",
     "the repository's checkout path in the traces (repeatable); code locations are relative "
     "to it and SARIF keeps only results in it (default: CI checkout layouts)"},
    {"source-url", required_argument, OPT_SOURCE_URL, CS_OPTSET_REPORT, "TEMPLATE",
     "html, markdown, sarif: link frames in the repository to their code, e.g. "
     "https://github.com/o/r/blob/{commit}/{path}#L{line}"},
    {"commit", required_argument, OPT_COMMIT, CS_OPTSET_REPORT, "REV",
     "the {commit} of --source-url (default: $GITHUB_SHA, else $CI_COMMIT_SHA)"},
    {"exit-code", no_argument, OPT_EXIT_CODE, CS_OPTSET_REPORT, NULL, "the same as --fail-on any"},
    {"rules", required_argument, OPT_RULES, CS_OPTSET_RULES, "DIR",
     "also load the *.rules files of DIR (repeatable; docs/signatures.md)"},
    {"signatures", required_argument, OPT_SIGNATURES, CS_OPTSET_RULES, "DIR",
     "built-in rules folder (default: signatures/ beside the binary)"},
    {"frames", required_argument, OPT_FRAMES, CS_OPTSET_RULES, "K",
     "significant frames in a signature (default 3)"},
    {"merge-threshold", required_argument, OPT_MERGE, CS_OPTSET_GROUPING, "D",
     "link clusters whose frames are within distance D, 0..1 (default 0.2; 0 = off)"},
    {"debug-dir", required_argument, OPT_DEBUG_DIR, CS_OPTSET_CORES, "DIR",
     "cores: look for binaries and .debug files by build-id in DIR (repeatable)"},
    {"sysroot", required_argument, OPT_SYSROOT, CS_OPTSET_CORES, "DIR",
     "cores: look up the libraries named in a core below DIR"},
    {"core-in-process", no_argument, OPT_CORE_IN_PROCESS, CS_OPTSET_CORES, NULL,
     "cores: unwind in this process, not a forked child (debugging)"},
    {"source", required_argument, OPT_SOURCE, CS_OPTSET_GROUPING, "DIR",
     "a checkout of the program: its source lines tell map races apart"},
    {"cluster", required_argument, OPT_CLUSTER, CS_OPTSET_EXPLAIN, "ID",
     "explain: only the traces of cluster ID; given twice, also why the two are apart"},
    {"db", required_argument, OPT_DB, CS_OPTSET_RECORD, "DB",
     "record this batch in history database DB (a file, or postgresql://...)"},
    {"regress-after", required_argument, OPT_REGRESS_AFTER, CS_OPTSET_RECORD, "N",
     "--db: back after N or more batches without it = regressed (default 3)"},
    {"db", required_argument, OPT_DB, CS_OPTSET_HISTORY, "DB",
     "history database: a file or a postgresql:// URL (default: $CRASHSIFT_DB)"},
    {"since", required_argument, OPT_SINCE, CS_OPTSET_HISTORY, "DATE",
     "only batches at or after DATE (YYYY-MM-DD[THH:MM:SS], UTC, or @UNIXTIME)"},
    {"until", required_argument, OPT_UNTIL, CS_OPTSET_HISTORY, "DATE",
     "only batches at or before DATE (a day means its end)"},
    {"format", required_argument, 'f', CS_OPTSET_HISTORY, "FMT", "text (default) or json"},
    {"max-member", required_argument, OPT_MAX_MEMBER, CS_OPTSET_COMMON, "BYTES",
     "largest member read, uncompressed (default 4G)"},
    {"max-total", required_argument, OPT_MAX_TOTAL, CS_OPTSET_COMMON, "BYTES",
     "total uncompressed bytes read per run (default 64G)"},
    {"max-ratio", required_argument, OPT_MAX_RATIO, CS_OPTSET_COMMON, "N",
     "largest compression ratio past 16M: member, archive, input (default 1000)"},
    {"max-depth", required_argument, OPT_MAX_DEPTH, CS_OPTSET_COMMON, "N",
     "archive nesting depth (default 4)"},
    {"max-members", required_argument, OPT_MAX_MEMBERS, CS_OPTSET_COMMON, "N",
     "members read per run (default 200000)"},
    {"max-line", required_argument, OPT_MAX_LINE, CS_OPTSET_COMMON, "BYTES",
     "longest log line kept whole (default 1M)"},
};

static const char *help_of(const optdef *d, char *buf, size_t n)
{
    if (d->help != formats_help) return d->help;
    snprintf(buf, n, "%s %s", d->help, cs_report_names());
    return buf;
}

void cs_cli_each_option(unsigned optset, cs_option_fn fn, void *user)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const optdef *d = &table[i];
        char help[512];
        if (d->set & optset)
            fn(user, d->name, d->val < 256 ? d->val : 0, d->arg, help_of(d, help, sizeof help));
    }
}

void cs_cli_print_options(FILE *f, const char *cmd)
{
    unsigned optset = cs_cli_command(cmd)->optset;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const optdef *d = &table[i];
        if (!(d->set & optset)) continue;
        char left[64];
        char shortopt[8] = "    ";
        if (d->val < 256) snprintf(shortopt, sizeof shortopt, "-%c, ", d->val);
        snprintf(left, sizeof left, "%s--%s%s%s", shortopt, d->name, d->arg ? " " : "",
                 d->arg ? d->arg : "");
        char help[512];
        fprintf(f, "  %-28s %s\n", left, help_of(d, help, sizeof help));
    }
}

/* "4G", "512M", "100k" or plain bytes. */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-') return -1;
    uint64_t mul = 1;
    switch (*end) {
    case 'k':
    case 'K':
        mul = 1ULL << 10;
        end++;
        break;
    case 'm':
    case 'M':
        mul = 1ULL << 20;
        end++;
        break;
    case 'g':
    case 'G':
        mul = 1ULL << 30;
        end++;
        break;
    case 't':
    case 'T':
        mul = 1ULL << 40;
        end++;
        break;
    default:
        break;
    }
    if (*end == 'B' || *end == 'b') end++;
    if (*end || (v && mul > UINT64_MAX / v)) return -1;
    *out = v * mul;
    return 0;
}

/* A UTC date "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][Z]" (T or a space) or
 * "@UNIXTIME". A bare day means its start, or its end when end_of_day. */
static int parse_date(const char *s, bool end_of_day, long long *out)
{
    char *end;
    errno = 0;
    if (*s == '@') {
        long long v = strtoll(s + 1, &end, 10);
        if (errno || end == s + 1 || *end) return -1;
        *out = v;
        return 0;
    }
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return -1;
    const char *p = s + n;
    bool day = !*p;
    if (!day) {
        int m = 0;
        if ((*p != 'T' && *p != ' ') || sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
            return -1;
        p += 1 + m;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &m) != 1 || m != 2) return -1;
            p += 1 + m;
        }
        if (*p == 'Z') p++;
        if (*p) return -1;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || h < 0 || mi < 0 ||
        sec < 0)
        return -1;
    /* Days from the civil date (Howard Hinnant's algorithm): no timegm, no TZ. */
    long long yy = y - (mo <= 2);
    long long era = (yy >= 0 ? yy : yy - 399) / 400;
    long long yoe = yy - era * 400;
    long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097 + doe - 719468;
    *out = days * 86400 + h * 3600 + mi * 60 + sec + (day && end_of_day ? 86399 : 0);
    return 0;
}

/* "never" or a comma list of any, new, regressed, race. */
static int parse_fail_on(const char *s, unsigned *out)
{
    static const struct {
        const char *word;
        unsigned bit;
    } words[] = {{"never", 0},
                 {"any", CS_FAIL_ANY},
                 {"new", CS_FAIL_NEW},
                 {"regressed", CS_FAIL_REGRESSED},
                 {"race", CS_FAIL_RACE}};
    unsigned set = 0;
    while (*s) {
        size_t k = strcspn(s, ",");
        size_t i = 0;
        while (i < sizeof words / sizeof words[0] &&
               !(strlen(words[i].word) == k && strncmp(words[i].word, s, k) == 0))
            i++;
        if (i == sizeof words / sizeof words[0]) return -1;
        set |= words[i].bit;
        s += k + (s[k] == ',');
    }
    *out = set;
    return 0;
}

static int bad(const char *cmd, const char *opt, const char *arg, const char *why)
{
    fprintf(stderr, "crashsift %s: invalid value '%s' for --%s: %s\n", cmd, arg, opt, why);
    fprintf(stderr, "Try 'crashsift %s --help'.\n", cmd);
    return CS_EXIT_USAGE;
}

/* An option this command does not take: when another command takes it, say
 * which (explain -o is a triage option, not a typo). */
static int unknown(const char *cmd, unsigned optset, const char *arg)
{
    const optdef *d = NULL; /* this command's row of that name first */
    bool islong = arg[0] == '-' && arg[1] == '-';
    size_t k = islong ? strcspn(arg + 2, "=") : 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const optdef *t = &table[i];
        bool same = islong ? strlen(t->name) == k && strncmp(t->name, arg + 2, k) == 0
                           : arg[0] == '-' && arg[1] && t->val == (unsigned char)arg[1];
        if (same && (!d || (t->set & optset))) d = t;
    }
    if (d && (d->set & optset)) {
        fprintf(stderr, "crashsift %s: option '%s' needs a value\n", cmd, arg);
    } else if (d) {
        fprintf(stderr, "crashsift %s: '%s' is not an option of %s (it is one of:", cmd, arg, cmd);
        size_t n;
        const cs_command *cmds = cs_cli_commands(&n);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < sizeof table / sizeof table[0]; j++)
                if ((cmds[i].optset & table[j].set) && strcmp(table[j].name, d->name) == 0) {
                    fprintf(stderr, " %s", cmds[i].name);
                    break;
                }
        fputs(")\n", stderr);
    } else {
        fprintf(stderr, "crashsift %s: unknown option '%s'\n", cmd, arg);
    }
    fprintf(stderr, "Try 'crashsift %s --help'.\n", cmd);
    return CS_EXIT_USAGE;
}

int cs_cli_parse(int argc, char **argv, const char *cmd, cs_cli_opts *o)
{
    unsigned optset = cs_cli_command(cmd)->optset;
    struct option longs[sizeof table / sizeof table[0] + 1];
    char shorts[64] = "";
    size_t n = 0, sl = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const optdef *d = &table[i];
        if (!(d->set & optset)) continue;
        longs[n++] = (struct option){d->name, d->has_arg, NULL, d->val};
        if (d->val < 256) {
            shorts[sl++] = (char)d->val;
            if (d->has_arg) shorts[sl++] = ':';
        }
    }
    longs[n] = (struct option){0};
    shorts[sl] = '\0';
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        uint64_t v;
        const char *name = NULL;
        for (size_t i = 0; i < n; i++)
            if (longs[i].val == c) name = longs[i].name;
        switch (c) {
        case 'h':
            o->help = true;
            break;
        case 'j':
            if (parse_size(optarg, &v) || v < 1 || v > 256)
                return bad(cmd, name, optarg, "expected a number from 1 to 256");
            o->run.jobs = (int)v;
            break;
        case 'f':
            if (optset & CS_OPTSET_HISTORY) {
                if (strcmp(optarg, "text") && strcmp(optarg, "json"))
                    return bad(cmd, name, optarg, "expected text or json");
            } else if (!cs_report_find(optarg)) {
                return bad(cmd, name, optarg, cs_report_names());
            }
            o->format = optarg;
            break;
        case 'o': {
            if (o->n_outputs >= CS_MAX_OUTPUTS) return bad(cmd, name, optarg, "too many outputs");
            cs_output *out = &o->outputs[o->n_outputs++];
            const char *colon = strchr(optarg, ':');
            out->format = NULL;
            out->path = optarg;
            if (colon) {
                char fmt[32];
                size_t k = (size_t)(colon - optarg);
                if (k < sizeof fmt) {
                    memcpy(fmt, optarg, k);
                    fmt[k] = '\0';
                    const cs_format *f = cs_report_find(fmt);
                    if (f) {
                        out->format = f->name;
                        out->path = colon + 1;
                    }
                }
            }
            if (!*out->path) return bad(cmd, name, optarg, "missing file name");
            break;
        }
        case OPT_COMPACT:
            o->layout = CS_LAYOUT_COMPACT;
            break;
        case OPT_PRETTY:
            o->layout = CS_LAYOUT_PRETTY;
            break;
        case OPT_FULL_STACKS:
            o->full_stacks = true;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                o->color = CS_COLOR_AUTO;
            else if (strcmp(optarg, "always") == 0)
                o->color = CS_COLOR_ALWAYS;
            else if (strcmp(optarg, "never") == 0)
                o->color = CS_COLOR_NEVER;
            else
                return bad(cmd, name, optarg, "expected auto, always or never");
            break;
        case OPT_TOP:
            if (parse_size(optarg, &v) || v < 1 || v > 1000000)
                return bad(cmd, name, optarg, "expected a number from 1 to 1000000");
            o->top = (size_t)v;
            break;
        case OPT_ALL:
            o->top = SIZE_MAX;
            break;
        case OPT_ONLY:
            o->only = optarg;
            break;
        case OPT_REPO_ROOT:
            if (o->repo.n_roots >= CS_REPO_MAX_ROOTS)
                return bad(cmd, name, optarg, "at most 8 roots");
            if (!*optarg) return bad(cmd, name, optarg, "missing path");
            o->repo.roots[o->repo.n_roots++] = optarg;
            break;
        case OPT_SOURCE_URL: {
            bool needs_commit;
            const char *why;
            if (cs_report_url_check(optarg, &needs_commit, &why))
                return bad(cmd, name, optarg, why);
            o->source_url = optarg;
            break;
        }
        case OPT_COMMIT:
            if (!*optarg) return bad(cmd, name, optarg, "missing revision");
            o->commit = optarg;
            break;
        case OPT_EXIT_CODE:
            o->fail_on |= CS_FAIL_ANY;
            break;
        case OPT_FAIL_ON:
            if (parse_fail_on(optarg, &o->fail_on))
                return bad(cmd, name, optarg,
                           "expected never, any, new, regressed or race (or a comma list)");
            break;
        case OPT_RULES:
            if (o->run.n_user_rules >=
                (int)(sizeof o->run.user_rules / sizeof o->run.user_rules[0]))
                return bad(cmd, name, optarg, "at most 8 rules folders");
            o->run.user_rules[o->run.n_user_rules++] = optarg;
            break;
        case OPT_SIGNATURES:
            o->run.rules_dir = optarg;
            break;
        case OPT_CLUSTER:
            if (o->cluster2) return bad(cmd, name, optarg, "at most two --cluster");
            *(o->cluster ? &o->cluster2 : &o->cluster) = optarg;
            break;
        case OPT_SOURCE:
            o->run.source_dir = optarg;
            break;
        case OPT_DB:
            if (!*optarg) return bad(cmd, name, optarg, "missing file name");
            o->db = optarg;
            break;
        case OPT_REGRESS_AFTER:
            if (parse_size(optarg, &v) || v < 1 || v > 100000)
                return bad(cmd, name, optarg, "expected a number from 1 to 100000");
            o->regress_after = (int)v;
            break;
        case OPT_SINCE:
        case OPT_UNTIL: {
            long long t;
            if (parse_date(optarg, c == OPT_UNTIL, &t))
                return bad(cmd, name, optarg,
                           "expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or @UNIXTIME");
            if (c == OPT_SINCE)
                o->since = t, o->has_since = true;
            else
                o->until = t, o->has_until = true;
            break;
        }
        case OPT_FRAMES:
            if (parse_size(optarg, &v) || v < 1 || v > 32)
                return bad(cmd, name, optarg, "expected a number from 1 to 32");
            o->run.sig_frames = (int)v;
            break;
        case OPT_MERGE: {
            char *end;
            double d = strtod(optarg, &end);
            if (*end || end == optarg || !(d >= 0 && d <= 1))
                return bad(cmd, name, optarg, "expected a number from 0 to 1");
            o->run.merge_threshold = d;
            break;
        }
        case OPT_DEBUG_DIR:
            if (o->run.core.n_debug_dirs >= CS_CORE_MAX_DEBUG_DIRS)
                return bad(cmd, name, optarg, "too many --debug-dir folders");
            o->run.core.debug_dirs[o->run.core.n_debug_dirs++] = optarg;
            break;
        case OPT_SYSROOT:
            o->run.core.sysroot = optarg;
            break;
        case OPT_CORE_IN_PROCESS:
            o->run.core.in_process = true;
            break;
        case OPT_MAX_MEMBER:
        case OPT_MAX_TOTAL:
        case OPT_MAX_LINE:
            if (parse_size(optarg, &v) || v == 0)
                return bad(cmd, name, optarg, "expected a size like 512M or 4G");
            if (c == OPT_MAX_MEMBER) o->run.limits.max_member = v;
            if (c == OPT_MAX_TOTAL) o->run.limits.max_total = v;
            if (c == OPT_MAX_LINE) {
                if (v > (1ULL << 30)) return bad(cmd, name, optarg, "at most 1G");
                o->run.limits.max_line = (size_t)v;
            }
            break;
        case OPT_MAX_RATIO:
        case OPT_MAX_DEPTH:
        case OPT_MAX_MEMBERS:
            if (parse_size(optarg, &v) || v == 0)
                return bad(cmd, name, optarg, "expected a positive number");
            if (c == OPT_MAX_RATIO) o->run.limits.max_ratio = v;
            if (c == OPT_MAX_DEPTH) {
                if (v > 64) return bad(cmd, name, optarg, "at most 64");
                o->run.limits.max_depth = (int)v;
            }
            if (c == OPT_MAX_MEMBERS) o->run.limits.max_members = v;
            break;
        case '?':
        default:
            if (optopt > 0 && optopt < 256) {
                char shortopt[3] = {'-', (char)optopt, '\0'};
                return unknown(cmd, optset, shortopt);
            }
            return unknown(cmd, optset, argv[optind - 1]);
        }
    }
    o->paths = argv + optind;
    o->n_paths = argc - optind;
    return 0;
}
