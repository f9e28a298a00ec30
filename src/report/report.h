/* report.h - renders a finished run for people and machines, one file per
 * format behind a table of {name, write}. Writers only read the model; they
 * escape everything that came from an artifact. */
#ifndef CS_REPORT_H
#define CS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../cluster/cluster.h"
#include "../flaky/flaky.h"
#include "../history/history.h"
#include "../model/model.h"
#include "../race/race.h"
#include "repo.h"

#define CS_REPORT_SCHEMA_VERSION 2
#define CS_REPORT_TOP 10 /* clusters the text report shows by default */

/* Recurring-crash history of one cluster or race pair (crashsift triage
 * --db; filled by the CLI from the history module). */
typedef struct cs_history_status {
    const char *status;   /* "new", "recurring" or "regressed" */
    long long first_seen; /* unix seconds */
    long long last_seen;
    unsigned long long batches; /* batches that saw it */
    unsigned long long total;   /* occurrences over all batches */
} cs_history_status;

/* Arrays parallel to clusters->v and races->v. */
typedef struct cs_report_history {
    const cs_history_status *clusters;
    const cs_history_status *races;
    const cs_history_test_mark *tests; /* parallel to ctx->tests->v; NULL: none */
} cs_report_history;

typedef struct cs_report_view cs_report_view;

typedef struct cs_report_ctx {
    const cs_results *res;
    const cs_clusters *clusters; /* NULL: not clustered (inventory) */
    const cs_races *races;
    const cs_tests *tests; /* NULL or empty: no test outcomes */
    const char *sig_version;
    const char *const *inputs;
    size_t n_inputs;
    const char *tool_version;
    bool color;                       /* text: ANSI colour allowed */
    bool compact;                     /* json, sarif: no indentation (--compact) */
    bool full_stacks;                 /* json: no same_stack_as (--full-stacks) */
    bool list_members;                /* inventory view */
    const cs_report_history *history; /* NULL: no --db, nothing to show */
    const cs_repo_opts *repo;         /* --repo-root; NULL: auto-detect checkouts */
    size_t top;       /* text, markdown: clusters shown; 0: CS_REPORT_TOP, SIZE_MAX: all */
    const char *only; /* markdown: only this race pair or cluster id; NULL: all */
    const cs_report_view *view; /* NULL: each writer builds its own (view.c) */
    /* --source-url: frames in the repository link to their code (html,
     * markdown, sarif). NULL: no links. Checked by cs_report_url_check. */
    const char *source_url;
    const char *commit; /* {commit} of source_url (--commit, $GITHUB_SHA ...); NULL unknown */
} cs_report_ctx;

typedef struct cs_format {
    const char *name;
    int (*write)(FILE *f, const cs_report_ctx *ctx);
} cs_format;

/* The format called `name`, or NULL. */
const cs_format *cs_report_find(const char *name);
/* "text, json, ..." for help and errors. */
const char *cs_report_names(void);

int cs_report_json(FILE *f, const cs_report_ctx *ctx);
int cs_report_text(FILE *f, const cs_report_ctx *ctx);
int cs_report_inventory(FILE *f, const cs_report_ctx *ctx);
int cs_report_markdown(FILE *f, const cs_report_ctx *ctx);
int cs_report_html(FILE *f, const cs_report_ctx *ctx);
int cs_report_sarif(FILE *f, const cs_report_ctx *ctx);
/* crashsift explain: every trace (only_picked: those of the picked
 * clusters), then what keeps pick[0] and pick[1] apart when both are set,
 * or the two clusters of a two-trace input. Needs res, clusters, sig_version. */
int cs_report_explain(FILE *f, const cs_report_ctx *ctx, const cs_cluster *const pick[2],
                      bool only_picked, double threshold);

/* crashsift history: the rows (and one id's occurrences) of a history
 * query, as text or JSON; db is the database as shown. */
int cs_report_history_list(FILE *f, const cs_history_list *l, const cs_history_query *q,
                           const char *db, bool as_json);

/* The one escaping of text for a terminal: every character cs_report_char
 * flags (C0/C1 controls, bidi controls, invalid UTF-8) as its visible
 * stand-in; NULL prints "-". text, explain and history output use it. */
void cs_report_put_term(FILE *f, const char *s);

/* ---- the view: computed once per run (view.c) ---------------------- */
/* A borrowed list of names: the view owns the array, the run the strings. */
typedef struct cs_report_strs {
    const char **v;
    size_t n;
} cs_report_strs;
/* Builds the view of ctx's run; the CLI builds one per run and sets
 * ctx->view before writing every report of it. */
cs_report_view *cs_report_view_new(const cs_report_ctx *ctx);
void cs_report_view_free(cs_report_view *w);
/* Calls write with ctx, or, when ctx has no view, with a copy that has one
 * built for this call. Every writer's entry point goes through it. */
int cs_report_with_view(FILE *f, const cs_report_ctx *ctx,
                        int (*write)(FILE *f, const cs_report_ctx *ctx));
/* Sorted distinct test names of a cluster's traces / of a race's links, and
 * the sorted distinct cluster ids of a race's links. */
cs_report_strs cs_report_cluster_tests(const cs_report_ctx *ctx, const cs_cluster *c);
cs_report_strs cs_report_race_tests(const cs_report_ctx *ctx, const cs_race *r);
cs_report_strs cs_report_race_clusters(const cs_report_ctx *ctx, const cs_race *r);
static inline const char **cs_report_strs_get(cs_report_strs s, size_t *n)
{
    *n = s.n;
    return s.v;
}

/* Shared by the writers (report_util.c). */
/* Sorts v[0..n) and drops repeats in place; returns the distinct count. */
size_t cs_report_uniq_strs(const char **v, size_t n);
/* triage --db: "new", "recurring since 2026-11-01, 14 batch(es), 31 total",
 * "regressed, first seen ...": into buf, which is returned; NULL when there
 * is no history to show. */
const char *cs_report_history_text(const cs_history_status *h, char *buf, size_t n);
/* The history of cluster i / race i, or NULL without --db. */
const cs_history_status *cs_report_cluster_history(const cs_report_ctx *ctx, size_t i);
const cs_history_status *cs_report_race_history(const cs_report_ctx *ctx, size_t i);
/* The signature thread of a trace, or NULL. */
const cs_thread *cs_report_sig_thread(const cs_trace *t);
/* Other threads of a dump (every thread but the signature thread, role
 * "other"): text and Markdown show each on one line, HTML in full. */
#define CS_REPORT_MAX_THREAD_LINES 32 /* text/Markdown: lines, then "+N more" */
#define CS_REPORT_MAX_THREADS_HTML 64
bool cs_report_is_other_thread(const cs_trace *t, size_t i);
size_t cs_report_n_other_threads(const cs_trace *t);
/* Other threads grouped as panicparse groups a Go dump: same state (a
 * wait's duration aside) and the same stack (function, file, line and
 * offset of every frame). Groups by size, largest first, then by first thread; linear
 * in the threads. The caller frees *groups. */
typedef struct cs_thread_group {
    size_t first; /* index of its first thread in t->threads */
    size_t n;
} cs_thread_group;
size_t cs_report_thread_groups(const cs_trace *t, cs_thread_group **groups);
/* The frame a thread's one-line summary shows: its first significant
 * frame (the program's own), else its first frame with a function, else
 * its first frame; NULL when it has none. */
const cs_frame *cs_report_top_frame(const cs_thread *th);
/* A frame as clusters show it: normalized function ("??" when unknown) and
 * repository-relative file (NULL when unknown). */
const char *cs_report_frame_function(const cs_frame *f);
const char *cs_report_frame_file(const cs_frame *f);
/* The smallest and largest source path among a race's links. */
void cs_report_race_span(const cs_report_ctx *ctx, const cs_race *r, const char **first,
                         const char **last);
/* Number of distinct sources (artifacts) among the given trace indices. */
size_t cs_report_distinct_sources(const cs_report_ctx *ctx, const size_t *traces, size_t n);

/* A function name short enough to read in a terminal or a table: template
 * argument lists become "<…>", long parameter lists "(…)", the rest cut at
 * `max` bytes with "…" (JSON keeps the full name). Into out[cap], returned. */
const char *cs_report_short_name(const char *s, char *out, size_t cap, size_t max);
/* s cut at `max` bytes on a character boundary, with "…" when cut. */
const char *cs_report_clip(const char *s, char *out, size_t cap, size_t max);

/* The stack that shows a race site: the first thread, among the race's
 * first CS_REPORT_SITE_LINKS links, whose site frame is this site - same
 * function, same file base name, a line the site has. A thread's site frame
 * is its first significant frame, or any frame when none is significant
 * (the race module's own rule, race.h). other: a thread to skip (the stack
 * shown for site A, when both sites are one function). *frame (may be
 * NULL) gets the site's frame, *trace (may be NULL) the trace of the
 * stack. NULL when no linked trace shows the site.
 * Shared by Markdown (stack excerpts), SARIF (the site's repository file)
 * and HTML (the race cards). */
#define CS_REPORT_SITE_LINKS 100
const cs_thread *cs_report_site_stack(const cs_report_ctx *ctx, const cs_race *r, const cs_site *st,
                                      const cs_thread *other, const cs_frame **frame,
                                      const cs_trace **trace);

/* What an evidence word of the race links means, for a legend: one table
 * indexed by cs_evidence (the words themselves are cs_evidence_name()), so
 * a kind of evidence added to the race module without a meaning here fails
 * the unit test, never shows an empty line. */
const char *cs_report_evidence_meaning(cs_evidence e);

/* A read-only index from one kind of row to another, built once per run so
 * that writers never scan every race for every cluster (CSR layout: the
 * rows of key k are v[start[k]] .. v[start[k + 1] - 1], sorted, distinct). */
typedef struct cs_report_index {
    size_t *start; /* n_keys + 1 offsets */
    size_t *v;
    size_t n_keys;
} cs_report_index;
/* Built into the view: for each cluster, the races linked to any of its
 * traces; for each race, the tests (indices into ctx->tests->v) it is linked
 * to. Writers read the view's (cs_report_cluster_races and
 * cs_report_race_test_rows). */
void cs_report_index_cluster_races(const cs_report_ctx *ctx, cs_report_index *out);
void cs_report_index_race_tests(const cs_report_ctx *ctx, cs_report_index *out);
const cs_report_index *cs_report_cluster_races(const cs_report_ctx *ctx);
const cs_report_index *cs_report_race_test_rows(const cs_report_ctx *ctx);
void cs_report_index_dispose(cs_report_index *ix);
static inline size_t cs_report_index_n(const cs_report_index *ix, size_t k)
{
    return k < ix->n_keys ? ix->start[k + 1] - ix->start[k] : 0;
}
static inline const size_t *cs_report_index_row(const cs_report_index *ix, size_t k)
{
    return ix->v + (k < ix->n_keys ? ix->start[k] : 0);
}

/* --source-url TEMPLATE: placeholders {path} (the repository-relative
 * file, percent-encoded but for '/'), {line} and {commit}. The template
 * must be an http(s):// or file:// URL with {path}; any other {word} is a
 * mistake. 0, or -1 with a reason in *why. *needs_commit: it uses {commit}. */
#define CS_REPORT_URL_MAX 4096
int cs_report_url_check(const char *tmpl, bool *needs_commit, const char **why);
/* The link to repository file `path` at `line` (0: unknown, then a fragment
 * holding {line} is left out, and {line} elsewhere is empty) into
 * buf[CS_REPORT_URL_MAX]; NULL without --source-url or when too long. The
 * result holds URI characters only (RFC 3986: anything else in the template
 * is percent-encoded), so each format only escapes it for its syntax. */
const char *cs_report_url(const cs_report_ctx *ctx, const char *path, int line, char *buf);
/* The same for a frame: its file placed in the repository (repo.c, as SARIF
 * does); NULL when the frame is not repository code. */
const char *cs_report_frame_url(const cs_report_ctx *ctx, const cs_frame *f, char *buf);
/* The repository file of a site (through the frame of its stack), into
 * path[CS_REPO_MAX_PATH]; NULL when it is not in the repository. */
const char *cs_report_site_repo_file(const cs_report_ctx *ctx, const cs_race *r, const cs_site *st,
                                     char *path);

/* Errors grouped by cause (the message with quoted names and numbers
 * blanked): most frequent first, each with its first diagnostic as the
 * example. The caller frees the array. */
typedef struct cs_report_cause {
    size_t example; /* index into res->diags */
    size_t n;
} cs_report_cause;
cs_report_cause *cs_report_error_causes_of(const cs_results *r, size_t *n);
/* The view's causes of ctx's run (not to be freed). */
const cs_report_cause *cs_report_error_causes(const cs_report_ctx *ctx, size_t *n);

/* triage --db: the test's record before this batch, or NULL. */
const cs_history_test_mark *cs_report_test_history(const cs_report_ctx *ctx,
                                                   const cs_test_summary *s);
/* A test's record in words: "failed 12 of 300 runs (4.0%, flaky)",
 * "failed 3 of 3 runs (100.0%)", "passed 40 of 40 runs" (into buf). */
const char *cs_report_test_verdict(const cs_test_summary *s, char *buf, size_t n);
/* What explains a test's failures: "race pair R... (MAP RACE a ~ b)" for
 * its first linked pair (", +N more pair(s)"), else the first crash among
 * its clusters ("go-panic C... (class)"); NULL when nothing does. Into
 * buf; the names inside are as the artifacts printed them (writers escape). */
const char *cs_report_test_explanation(const cs_report_ctx *ctx, const cs_test_summary *s,
                                       char *buf, size_t n);
#define CS_REPORT_TEST_LINE 1024 /* room for a verdict or an explanation */

/* Length in bytes (1..4) of the character at s, n > 0 bytes left. When the
 * character must not be emitted as is - C0 and C1 controls, DEL, Unicode
 * bidi controls (which can reorder what a reader sees), invalid UTF-8 - esc
 * gets a visible stand-in ("\x1b", "\u202E"), else esc is "". Writers then
 * apply their own escaping to the stand-in or the character. */
#define CS_REPORT_ESC_MAX 12
size_t cs_report_char(const char *s, size_t n, char esc[CS_REPORT_ESC_MAX]);

#endif
