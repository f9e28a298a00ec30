/* markdown.c - a root-cause write-up to paste into an issue tracker
 * (CommonMark + GitHub tables): a summary table, then one section per race
 * pair and per cluster.
 *
 * Everything from an artifact goes through one of three escapers:
 *   md_text()  prose and table cells: Markdown punctuation is
 *              backslash-escaped, so a log line cannot open a link, an
 *              emphasis, raw HTML or a new table cell;
 *   md_code()  inline code: a backtick fence longer than any run inside;
 *   md_block() fenced blocks: a fence longer than any backtick run inside.
 * All three neutralize control characters, bidi controls and invalid UTF-8
 * (cs_report_char), and none lets a newline through, so artifact text never
 * starts a line of its own. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../base/error.h"
#include "report.h"

#define MD_MAX_EVIDENCE 10 /* linked failures listed per race pair (the JSON has all) */
#define MD_MAX_FRAMES 8    /* significant frames shown per trace */
#define MD_SITE_FRAMES 4   /* frames of each race site's stack excerpt */
/* Issue trackers cap a comment at about 64k characters and nobody reads
 * that much: past this many bytes the remaining clusters are listed by id
 * only (the race pairs are always written whole). --all lifts it. */
#define MD_BUDGET 20000
#define MD_RESERVE 800      /* kept for the "left out" lines */
#define MD_MAX_CAUSES 10    /* error causes listed */
#define MD_MAX_TESTS 10     /* tests listed in a section */
#define MD_MAX_LIST 5       /* symptoms, artifacts listed in a section */
#define MD_TITLE_CHARS 100  /* headline bytes in a heading */
#define MD_CELL_CHARS 80    /* signature bytes in a summary cell */
#define MD_MAX_TEST_ROWS 15 /* failing tests in the test table (--all: every one) */
#define MD_MAX_TEST_LINKS 3 /* race pairs and clusters named per test row */

/* Writes s[0..n) as prose. */
static void md_textn(FILE *f, const char *s, size_t n)
{
    char esc[CS_REPORT_ESC_MAX];
    for (size_t i = 0; i < n;) {
        size_t k = cs_report_char(s + i, n - i, esc);
        if (esc[0]) {
            fputc('\\', f); /* the stand-in's own backslash, escaped */
            fputs(esc, f);
        } else if (k == 1 && strchr("\\`*_[]<>#|~&$@!", s[i])) {
            /* Any ASCII punctuation may be escaped in CommonMark; these are
             * the ones that start markup inside a line (GitHub adds ~, $
             * and @). Line-start markup (-, +, 1.) cannot occur: artifact
             * text never starts a line here. */
            fputc('\\', f);
            fputc(s[i], f);
        } else {
            fwrite(s + i, 1, k, f);
        }
        i += k;
    }
}

static void md_text(FILE *f, const char *s)
{
    if (!s) {
        fputs("\\-", f);
        return;
    }
    md_textn(f, s, strlen(s));
}

/* Prose cut to about max bytes at a character boundary, with an ellipsis. */
static void md_text_cut(FILE *f, const char *s, size_t max)
{
    if (!s) {
        md_text(f, s);
        return;
    }
    size_t n = strlen(s);
    if (n <= max) {
        md_textn(f, s, n);
        return;
    }
    char esc[CS_REPORT_ESC_MAX];
    size_t i = 0;
    while (i < max) {
        size_t k = cs_report_char(s + i, n - i, esc);
        if (i + k > max) break;
        i += k;
    }
    md_textn(f, s, i);
    fputs("…", f);
}

static size_t longest_backtick_run(const char *s)
{
    size_t best = 0, run = 0;
    for (; s && *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > best) best = run;
    }
    return best;
}

/* The raw character stream of code: only unsafe characters are replaced
 * (a code span or block shows everything else literally). in_table: '|'
 * still splits a GFM table cell inside code, so it is escaped there. */
static void md_raw(FILE *f, const char *s, bool in_table)
{
    char esc[CS_REPORT_ESC_MAX];
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = cs_report_char(s + i, n - i, esc);
        if (esc[0])
            fputs(esc, f);
        else if (in_table && s[i] == '|')
            fputs("\\|", f);
        else
            fwrite(s + i, 1, k, f);
        i += k;
    }
}

/* An inline code span. */
static void md_code_(FILE *f, const char *s, bool in_table)
{
    if (!s || !*s) {
        fputs("\\-", f);
        return;
    }
    size_t ticks = longest_backtick_run(s) + 1;
    size_t n = strlen(s);
    /* A span that starts or ends with a backtick needs a space inside the
     * fence (stripped again by the renderer). */
    bool pad = s[0] == '`' || s[n - 1] == '`' || (s[0] == ' ' && s[n - 1] == ' ');
    for (size_t i = 0; i < ticks; i++)
        fputc('`', f);
    if (pad) fputc(' ', f);
    md_raw(f, s, in_table);
    if (pad) fputc(' ', f);
    for (size_t i = 0; i < ticks; i++)
        fputc('`', f);
}

static void md_code(FILE *f, const char *s)
{
    md_code_(f, s, false);
}

static void md_cell_code(FILE *f, const char *s)
{
    md_code_(f, s, true);
}

/* A link around what write() printed as its text. url holds URI characters
 * only (cs_report_url), never '<', '>', '\\', a space or '|', so the <...>
 * destination form takes it as it is, in a table cell too. */
static void md_link_open(FILE *f, const char *url)
{
    if (url) fputc('[', f);
}

static void md_link_close(FILE *f, const char *url)
{
    if (!url) return;
    fputs("](<", f);
    fputs(url, f);
    fputs(">)", f);
}

/* `file:line,line` of a site or frame, as one code span. */
static void md_loc(FILE *f, const char *file, const int *lines, size_t n_lines, int line,
                   bool in_table)
{
    if (!file) {
        fputs("\\-", f);
        return;
    }
    size_t len = strlen(file) + 16 * (n_lines + 1) + 1;
    char *buf = malloc(len);
    if (!buf) abort();
    size_t w = (size_t)snprintf(buf, len, "%s", file);
    for (size_t i = 0; i < n_lines; i++)
        w += (size_t)snprintf(buf + w, len - w, "%c%d", i ? ',' : ':', lines[i]);
    if (!n_lines && line > 0) snprintf(buf + w, len - w, ":%d", line);
    md_code_(f, buf, in_table);
    free(buf);
}

/* `source:line` of a trace. */
static void md_source(FILE *f, const cs_trace *t)
{
    size_t len = strlen(t->source) + 24;
    char *buf = malloc(len);
    if (!buf) abort();
    if (t->line_start)
        snprintf(buf, len, "%s:%llu", t->source, (unsigned long long)t->line_start);
    else
        snprintf(buf, len, "%s", t->source);
    md_code(f, buf);
    free(buf);
}

/* a, b, c (+N more), each as code or prose. */
static void md_list(FILE *f, const char **v, size_t n, size_t max, bool code, bool in_table)
{
    if (!n) {
        fputs(in_table ? "\\-" : "none", f);
        return;
    }
    for (size_t i = 0; i < n && i < max; i++) {
        if (i) fputs(", ", f);
        if (code)
            md_code_(f, v[i], in_table);
        else
            md_text(f, v[i]);
    }
    if (n > max) fprintf(f, " (+%zu more)", n - max);
}

/* A run is the archive an artifact came in (its source path up to the last
 * '!'), or the artifact itself when it came as a plain file. Counted by
 * sorting the run names, not by comparing each with every one before it. */
typedef struct run_name {
    const char *s;
    size_t len;
} run_name;

static int cmp_run(const void *a, const void *b)
{
    const run_name *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static size_t count_runs(const cs_report_ctx *ctx, const size_t *traces, size_t n)
{
    run_name *v = cs_xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const char *s = ctx->res->traces[traces[i]]->source;
        const char *bang = strrchr(s, '!');
        v[i] = (run_name){s, bang ? (size_t)(bang - s) : strlen(s)};
    }
    if (n) qsort(v, n, sizeof *v, cmp_run);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !i || cmp_run(&v[i], &v[i - 1]) != 0;
    free(v);
    return k;
}

static size_t *race_traces(const cs_race *r)
{
    size_t *t = calloc(r->n_links + 1, sizeof *t);
    if (!t) abort();
    for (size_t i = 0; i < r->n_links; i++)
        t[i] = r->links[i].trace;
    return t;
}

/* ---- titles --------------------------------------------------------- */

static bool is_write(const char *access)
{
    return access && strstr(access, "write");
}

static void race_title(FILE *f, const cs_race *r)
{
    const cs_site *a = &r->sites[0], *b = &r->sites[1];
    if (r->partial) {
        fputs(r->map_race ? "Map race: " : "Data race: ", f);
        md_code(f, cs_site_name(a));
        fprintf(f, " (%s) and %s", a->access ? a->access : "access", cs_race_unknown_side(r));
        return;
    }
    bool same = strcmp(a->function, b->function) == 0;
    bool writes = is_write(a->access) && is_write(b->access);
    const char *verb = writes ? "write" : "access";
    fputs(r->map_race ? "Map race: " : "Data race: ", f);
    md_code(f, cs_site_name(a));
    if (same) {
        fprintf(f, " %ss %s from two goroutines or threads without a lock",
                writes ? "write" : "accesse", r->map_race ? "one map" : "shared memory");
        return;
    }
    fputs(" and ", f);
    md_code(f, cs_site_name(b));
    fprintf(f, " %s %s without a lock", verb, r->map_race ? "one map" : "shared memory");
}

/* ---- sections ------------------------------------------------------- */

static void summary(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    fputs("| Id | Count | Kind | Signature | Tests |\n|---|--:|---|---|---|\n", f);
    for (size_t i = 0; ctx->races && i < ctx->races->n; i++) {
        const cs_race *rc = &ctx->races->v[i];
        fprintf(f, "| %s | %zu | %s (%s) | ", rc->id, rc->n_links,
                rc->map_race ? "map race" : "data race", cs_race_access_types(rc));
        md_cell_code(f, cs_site_name(&rc->sites[0]));
        fputs(" ~ ", f);
        if (rc->partial)
            md_text(f, "?");
        else
            md_cell_code(f, cs_site_name(&rc->sites[1]));
        fputs(" | ", f);
        size_t n;
        const char **v = cs_report_strs_get(cs_report_race_tests(ctx, rc), &n);
        md_list(f, v, n, 3, true, true);
        fputs(" |\n", f);
    }
    for (size_t i = 0; ctx->clusters && i < ctx->clusters->n; i++) {
        const cs_cluster *c = &ctx->clusters->v[i];
        fprintf(f, "| %s | %zu | %s | ", c->id, c->n_traces,
                cs_trace_kind_name(r->traces[c->rep]->kind));
        md_text_cut(f, c->signature, MD_CELL_CHARS);
        fputs(" | ", f);
        size_t n;
        const char **v = cs_report_strs_get(cs_report_cluster_tests(ctx, c), &n);
        md_list(f, v, n, 3, true, true);
        fputs(" |\n", f);
    }
    fputc('\n', f);
}

typedef struct symptom {
    const char *headline;
    size_t n;
} symptom;

static int cmp_symptom(const void *a, const void *b)
{
    const symptom *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? 1 : -1;
    return strcmp(x->headline, y->headline);
}

static int cmp_headline(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct headlines of a race's failures, most frequent first: sorted
 * and counted in runs, O(n log n) in the links (a pair with thousands of
 * same-test failures has as many headlines to compare). */
static void race_symptoms(FILE *f, const cs_report_ctx *ctx, const cs_race *r)
{
    const char **hl = cs_xcalloc(r->n_links + 1, sizeof *hl);
    for (size_t i = 0; i < r->n_links; i++) {
        const char *h = ctx->res->traces[r->links[i].trace]->headline;
        hl[i] = h ? h : "";
    }
    if (r->n_links) qsort(hl, r->n_links, sizeof *hl, cmp_headline);
    symptom *v = cs_xcalloc(r->n_links + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < r->n_links; i++) {
        if (!k || strcmp(v[k - 1].headline, hl[i]) != 0) v[k++] = (symptom){hl[i], 0};
        v[k - 1].n++;
    }
    free(hl);
    qsort(v, k, sizeof *v, cmp_symptom);
    for (size_t j = 0; j < k && j < MD_MAX_LIST; j++) {
        fputs("- ", f);
        md_code(f, v[j].headline);
        fprintf(f, " (%zu×)\n", v[j].n);
    }
    if (k > MD_MAX_LIST) fprintf(f, "- and %zu other message(s)\n", k - MD_MAX_LIST);
    free(v);
}

static void seen(FILE *f, const char *first, const char *last)
{
    fputs("- **First seen:** ", f);
    md_code(f, first);
    fputs("\n- **Last seen:** ", f);
    md_code(f, last);
    fputs(" (by source path)\n", f);
}

static void fence(FILE *f, size_t ticks)
{
    for (size_t i = 0; i < ticks; i++)
        fputc('`', f);
}

/* Significant frames of th, at most max, as a fenced text block. */
static void frames_block(FILE *f, const cs_thread *th, size_t max)
{
    size_t ticks = 3, n_sig = 0;
    for (size_t k = 0; k < th->n_frames; k++) {
        const cs_frame *fr = &th->frames[k];
        if (!fr->significant) continue;
        n_sig++;
        size_t a = longest_backtick_run(cs_report_frame_function(fr)) + 1;
        size_t b = longest_backtick_run(cs_report_frame_file(fr)) + 1;
        if (a > ticks) ticks = a;
        if (b > ticks) ticks = b;
    }
    fence(f, ticks);
    fputs("text\n", f);
    size_t shown = 0;
    for (size_t k = 0; k < th->n_frames && shown < max; k++) {
        const cs_frame *fr = &th->frames[k];
        if (!fr->significant) continue;
        char name[128];
        md_raw(f, cs_report_short_name(cs_report_frame_function(fr), name, sizeof name, 100),
               false);
        const char *file = cs_report_frame_file(fr);
        if (file) {
            fputs("\n    ", f);
            md_raw(f, file, false);
            if (fr->line) fprintf(f, ":%d", fr->line);
        } else if (fr->module) {
            fputs("\n    ", f);
            md_raw(f, fr->module, false);
            if (fr->has_offset) fprintf(f, "+0x%llx", (unsigned long long)fr->offset);
        }
        fputc('\n', f);
        shown++;
    }
    if (n_sig > shown) fprintf(f, "... %zu more significant frame(s)\n", n_sig - shown);
    fence(f, ticks);
    fputs("\n\n", f);
}

/* --source-url: the frames a stack excerpt shows that are repository code,
 * as links under it (a fenced block cannot hold links). */
static void frames_links(FILE *f, const cs_report_ctx *ctx, const cs_thread *th, size_t max)
{
    if (!ctx->source_url) return;
    size_t shown = 0;
    bool any = false;
    for (size_t k = 0; k < th->n_frames && shown < max; k++) {
        const cs_frame *fr = &th->frames[k];
        if (!fr->significant) continue;
        shown++;
        char url[CS_REPORT_URL_MAX];
        if (!cs_report_frame_url(ctx, fr, url)) continue;
        fputs(any ? ", " : "Source: ", f);
        any = true;
        md_link_open(f, url);
        md_loc(f, cs_report_frame_file(fr), NULL, 0, fr->line, false);
        md_link_close(f, url);
    }
    if (any) fputs("\n\n", f);
}

static void race_section(FILE *f, const cs_report_ctx *ctx, const cs_race *r)
{
    const cs_results *res = ctx->res;
    fprintf(f, "### %s: ", r->id);
    race_title(f, r);
    fputs("\n\n", f);
    char hist[160];
    if (cs_report_history_text(cs_report_race_history(ctx, (size_t)(r - ctx->races->v)), hist,
                               sizeof hist))
        fprintf(f, "**History:** %s\n\n", hist);

    fputs("**Symptom:** ", f);
    fputs(r->map_race ? "a map is used by two goroutines or threads at once"
                      : "two goroutines or threads access the same memory at once",
          f);
    if (r->map_evidence) fprintf(f, " (%s)", r->map_evidence);
    fputs(". The failures say:\n\n", f);
    race_symptoms(f, ctx, r);

    fputs("\n**How often and where**\n\n", f);
    fprintf(f, "- **Failures:** %zu (", r->n_links);
    bool any = false;
    for (int e = 0; e < CS_EV_COUNT; e++)
        if (r->n_by[e]) {
            fprintf(f, "%s%s %zu", any ? ", " : "", cs_evidence_name((cs_evidence)e), r->n_by[e]);
            any = true;
        }
    fputs(")\n", f);
    for (int e = 0; e < CS_EV_COUNT; e++)
        if (r->n_by[e]) {
            fprintf(f, "- **%s (%zu):** ", cs_evidence_name((cs_evidence)e), r->n_by[e]);
            md_text(f, cs_race_evidence_sentence(r, (cs_evidence)e));
            fputs(".\n", f);
        }
    size_t *tr = race_traces(r);
    fprintf(f, "- **Artifacts:** %zu, from %zu run(s)\n",
            cs_report_distinct_sources(ctx, tr, r->n_links), count_runs(ctx, tr, r->n_links));
    free(tr);
    size_t n;
    const char **v = cs_report_strs_get(cs_report_race_tests(ctx, r), &n);
    fputs("- **Tests:** ", f);
    md_list(f, v, n, MD_MAX_TESTS, true, false);
    fputc('\n', f);
    v = cs_report_strs_get(cs_report_race_clusters(ctx, r), &n);
    fputs("- **Clusters:** ", f);
    md_list(f, v, n, MD_MAX_TESTS, false, false);
    fputc('\n', f);
    const char *first, *last;
    cs_report_race_span(ctx, r, &first, &last);
    seen(f, first, last);

    fputs("\n**Code locations**\n\n| Site | Function | File:lines | Access |\n|---|---|---|---|\n",
          f);
    for (int s = 0; s < cs_race_n_sites(r); s++) {
        const cs_site *st = &r->sites[s];
        fprintf(f, "| %c | ", s ? 'B' : 'A');
        md_cell_code(f, cs_site_name(st));
        fputs(" | ", f);
        char path[CS_REPO_MAX_PATH], url[CS_REPORT_URL_MAX];
        const char *u = ctx->source_url && cs_report_site_repo_file(ctx, r, st, path)
                            ? cs_report_url(ctx, path, st->n_lines ? st->lines[0] : 0, url)
                            : NULL;
        md_link_open(f, u);
        md_loc(f, st->file, st->lines, st->n_lines, 0, true);
        md_link_close(f, u);
        fputs(" | ", f);
        md_text(f, st->access ? st->access : "unknown");
        fputs(" |\n", f);
    }
    if (r->partial) fputs("| B | unknown | not shown in any report | unknown |\n", f);
    fputc('\n', f);
    const cs_thread *shown = NULL;
    for (int s = 0; s < cs_race_n_sites(r); s++) {
        const cs_thread *th = cs_report_site_stack(ctx, r, &r->sites[s], shown, NULL, NULL);
        if (!th) continue;
        shown = th;
        fprintf(f, "Site %c stack (%s):\n\n", s ? 'B' : 'A', cs_role_name(th->role));
        frames_block(f, th, MD_SITE_FRAMES);
        frames_links(f, ctx, th, MD_SITE_FRAMES);
    }

    fputs("\n**Evidence**\n\n", f);
    for (size_t i = 0; i < r->n_links && i < MD_MAX_EVIDENCE; i++) {
        const cs_trace *t = res->traces[r->links[i].trace];
        fputs("- ", f);
        md_source(f, t);
        fprintf(f, ": %s, %s", cs_evidence_name(r->links[i].evidence), cs_trace_kind_name(t->kind));
        if (t->test) {
            fputs(" in ", f);
            md_code(f, t->test);
        }
        fputc('\n', f);
    }
    if (r->n_links > MD_MAX_EVIDENCE)
        fprintf(f, "- and %zu more (see the JSON report)\n", r->n_links - MD_MAX_EVIDENCE);

    char *note = cs_race_note(r);
    fputs("\n**Suggested fix:** ", f);
    md_text(f, note);
    free(note);
    fputs("\n\n", f);
}

/* The race pairs a cluster's traces are linked to (cr: the run's cluster ->
 * races index, built once, so this is no scan of every race's links). */
static void cluster_races(FILE *f, const cs_report_ctx *ctx, const cs_report_index *cr,
                          const cs_cluster *c)
{
    size_t ci = (size_t)(c - ctx->clusters->v);
    size_t n = cs_report_index_n(cr, ci);
    const size_t *v = cs_report_index_row(cr, ci);
    for (size_t k = 0; k < n; k++) {
        fputs(k ? ", " : "- **Race pair:** ", f);
        fputs(ctx->races->v[v[k]].id, f);
    }
    if (n) fputc('\n', f);
}

/* A frame on one line inside a code block: function, then file:line or
 * module+offset. */
static void md_frame_inline(FILE *f, const cs_frame *fr)
{
    md_raw(f, cs_report_frame_function(fr), false);
    const char *file = cs_report_frame_file(fr);
    if (file) {
        fputs("  ", f);
        md_raw(f, file, false);
        if (fr->line) fprintf(f, ":%d", fr->line);
    } else if (fr->module) {
        fputs("  ", f);
        md_raw(f, fr->module, false);
        if (fr->has_offset) fprintf(f, "+0x%llx", (unsigned long long)fr->offset);
    }
}

/* Every other thread of a dump, one line each (name and top frame), in a
 * code block of its own. */
static void other_threads_md(FILE *f, const cs_trace *t)
{
    size_t n = cs_report_n_other_threads(t);
    if (!n) return;
    size_t ticks = 3;
    for (size_t i = 0; i < t->n_threads; i++) {
        if (!cs_report_is_other_thread(t, i)) continue;
        const cs_thread *th = &t->threads[i];
        const cs_frame *fr = cs_report_top_frame(th);
        const char *v[] = {th->name, th->state, fr ? cs_report_frame_function(fr) : NULL,
                           fr ? cs_report_frame_file(fr) : NULL, fr ? fr->module : NULL};
        for (size_t k = 0; k < CS_ARRAY_LEN(v); k++)
            if (longest_backtick_run(v[k]) + 1 > ticks) ticks = longest_backtick_run(v[k]) + 1;
    }
    fprintf(f, "Other threads (%zu), top frame each:\n\n", n);
    for (size_t i = 0; i < ticks; i++)
        fputc('`', f);
    fputs("text\n", f);
    size_t shown = 0;
    for (size_t i = 0; i < t->n_threads && shown < CS_REPORT_MAX_THREAD_LINES; i++) {
        if (!cs_report_is_other_thread(t, i)) continue;
        const cs_thread *th = &t->threads[i];
        const cs_frame *fr = cs_report_top_frame(th);
        md_raw(f, th->name ? th->name : "?", false);
        if (th->state) {
            fputs(" [", f);
            md_raw(f, th->state, false);
            fputc(']', f);
        }
        if (fr) {
            fputs(": ", f);
            md_frame_inline(f, fr);
        }
        fputc('\n', f);
        shown++;
    }
    if (n > shown) fprintf(f, "(+%zu more)\n", n - shown);
    for (size_t i = 0; i < ticks; i++)
        fputc('`', f);
    fputs("\n\n", f);
}

static void trace_block(FILE *f, const cs_report_ctx *ctx, const cs_trace *t)
{
    const cs_thread *th = cs_report_sig_thread(t);
    size_t n_sig = 0;
    for (size_t k = 0; th && k < th->n_frames; k++)
        n_sig += th->frames[k].significant;
    if (!n_sig) {
        fputs("No significant frames (the trace has no frames of the program's own).\n\n", f);
        other_threads_md(f, t);
        return;
    }
    fputs("Representative trace, ", f);
    md_source(f, t);
    fputs(", significant frames:\n\n", f);
    frames_block(f, th, MD_MAX_FRAMES);
    frames_links(f, ctx, th, MD_MAX_FRAMES);
    other_threads_md(f, t);
}

static void cluster_section(FILE *f, const cs_report_ctx *ctx, const cs_report_index *cr,
                            const cs_cluster *c)
{
    const cs_results *res = ctx->res;
    const cs_trace *rep = res->traces[c->rep];
    fprintf(f, "### %s: %s: ", c->id, cs_trace_kind_name(rep->kind));
    md_text_cut(f, rep->headline ? rep->headline : "(no message)", MD_TITLE_CHARS);
    fputs("\n\n- **Symptom:** ", f);
    md_code(f, rep->headline);
    fprintf(f, "\n- **Count:** %zu, in %zu artifact(s) from %zu run(s)\n", c->n_traces,
            cs_report_distinct_sources(ctx, c->traces, c->n_traces),
            count_runs(ctx, c->traces, c->n_traces));
    char hist[160];
    if (cs_report_history_text(cs_report_cluster_history(ctx, (size_t)(c - ctx->clusters->v)), hist,
                               sizeof hist))
        fprintf(f, "- **History:** %s\n", hist);
    size_t n;
    const char **v = cs_report_strs_get(cs_report_cluster_tests(ctx, c), &n);
    fputs("- **Tests:** ", f);
    md_list(f, v, n, MD_MAX_TESTS, true, false);
    fputc('\n', f);
    seen(f, res->traces[c->traces[0]]->source, res->traces[c->traces[c->n_traces - 1]]->source);
    fputs("- **Signature:** ", f);
    md_code(f, c->signature);
    fputc('\n', f);
    cluster_races(f, ctx, cr, c);
    fputc('\n', f);
    trace_block(f, ctx, rep);
    bool any = false;
    for (size_t i = 0; i < ctx->clusters->n_merges; i++) {
        const cs_merge *m = &ctx->clusters->merges[i];
        if (strcmp(m->into, c->id) != 0) continue;
        if (!any) fputs("Close clusters (linked, each keeps its own id):\n\n", f);
        any = true;
        fprintf(f, "- %s (distance %.3f): ", m->from, m->distance);
        md_code(f, m->from_signature);
        fputc('\n', f);
    }
    if (any) fputc('\n', f);
}

/* "R1, R2 (+N more)" of the ids given by index into races or clusters. */
static void md_ids(FILE *f, const char *sep, const size_t *v, size_t n, bool races,
                   const cs_report_ctx *ctx, bool *any)
{
    for (size_t k = 0; k < n && k < MD_MAX_TEST_LINKS; k++) {
        fputs(*any ? sep : "", f);
        fputs(races ? ctx->races->v[v[k]].id : ctx->clusters->v[v[k]].id, f);
        *any = true;
        sep = ", ";
    }
    if (n > MD_MAX_TEST_LINKS) fprintf(f, " (+%zu more)", n - MD_MAX_TEST_LINKS);
}

/* The tests that failed, flaky first (the order of ctx->tests, which the
 * JSON `tests` array has too): the numbers are the JSON's, the rate in
 * percent. Tests that only passed are counted, not listed. */
static void tests_table(FILE *f, const cs_report_ctx *ctx, bool all)
{
    const cs_tests *t = ctx->tests;
    if (!t || !t->n) return;
    size_t n_flaky = 0, n_failing = 0;
    for (size_t i = 0; i < t->n; i++) {
        n_flaky += t->v[i].flaky;
        n_failing += t->v[i].failures && !t->v[i].flaky;
    }
    fprintf(f, "## Tests\n\n%zu test(s): %zu flaky, %zu failing, %zu passing.\n\n", t->n, n_flaky,
            n_failing, t->n - n_flaky - n_failing);
    if (!n_flaky && !n_failing) return;
    fputs("| Test | Package | Runs | Failures | Rate | Verdict | Race pairs; clusters |\n"
          "|---|---|--:|--:|--:|---|---|\n",
          f);
    size_t rows = 0, left = 0;
    for (size_t i = 0; i < t->n; i++) {
        const cs_test_summary *s = &t->v[i];
        if (!s->failures) continue;
        if (!all && rows == MD_MAX_TEST_ROWS) {
            left++;
            continue;
        }
        rows++;
        fputs("| ", f);
        md_cell_code(f, s->name);
        fputs(" | ", f);
        if (s->package)
            md_cell_code(f, s->package);
        else
            fputs("\\-", f);
        fprintf(f, " | %zu | %zu | %.1f%% | %s | ", s->runs, s->failures, 100.0 * s->failure_rate,
                s->flaky ? "**flaky**" : "failing");
        bool any = false;
        if (ctx->races) md_ids(f, ", ", s->races, s->n_races, true, ctx, &any);
        if (ctx->clusters) md_ids(f, "; ", s->clusters, s->n_clusters, false, ctx, &any);
        if (!any) fputs("\\-", f);
        fputs(" |\n", f);
    }
    if (left)
        fprintf(f,
                "\nand %zu more failing test(s): the JSON report lists every test, and `--all` "
                "writes every one here.\n",
                left);
    fputc('\n', f);
}

/* Errors by cause, one example each (cs_report_error_causes). */
static void errors(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    if (!r->n_diags) return;
    size_t n;
    const cs_report_cause *c = cs_report_error_causes(ctx, &n);
    fprintf(f, "## Errors\n\n%zu error(s), %zu cause(s):\n\n", r->n_diags, n);
    for (size_t i = 0; i < n && i < MD_MAX_CAUSES; i++) {
        const cs_diag *d = &r->diags[c[i].example];
        fprintf(f, "- %zu× ", c[i].n);
        md_text(f, d->message);
        fputs(c[i].n > 1 ? " (e.g. " : " (", f);
        md_code(f, d->source);
        fputs(")\n", f);
    }
    if (n > MD_MAX_CAUSES)
        fprintf(f, "- and %zu more cause(s): the JSON report lists every error\n",
                n - MD_MAX_CAUSES);
    fputc('\n', f);
}

/* --only ID: the write-up of one race pair or cluster, or -1 when there is
 * none of that id. */
static int only(FILE *f, const cs_report_ctx *ctx, const cs_report_index *cr)
{
    for (size_t i = 0; ctx->races && i < ctx->races->n; i++)
        if (strcmp(ctx->races->v[i].id, ctx->only) == 0) {
            race_section(f, ctx, &ctx->races->v[i]);
            return ferror(f) ? CS_E_IO : CS_OK;
        }
    for (size_t i = 0; ctx->clusters && i < ctx->clusters->n; i++)
        if (strcmp(ctx->clusters->v[i].id, ctx->only) == 0) {
            cluster_section(f, ctx, cr, &ctx->clusters->v[i]);
            return ferror(f) ? CS_E_IO : CS_OK;
        }
    return CS_E_NOTFOUND; /* the CLI checks --only before writing */
}

static int write_all(FILE *f, const cs_report_ctx *ctx, const cs_report_index *cr);

/* The first n race pair or cluster sections, each rendered apart so the
 * budget is checked before a section is written, never inside one; the
 * first race pair always is (the race pairs are the headline). What does not
 * fit is listed by id. */
static void sections(FILE *f, const cs_report_ctx *ctx, const cs_report_index *cr, size_t n,
                     bool all, size_t *used, bool races)
{
    size_t i = 0;
    for (; i < n; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m) abort();
        if (races)
            race_section(m, ctx, &ctx->races->v[i]);
        else
            cluster_section(m, ctx, cr, &ctx->clusters->v[i]);
        fclose(m);
        if (!all && (i || !races) && *used + len + MD_RESERVE > MD_BUDGET) {
            free(buf);
            break;
        }
        fwrite(buf, 1, len, f);
        *used += len;
        free(buf);
    }
    if (i == n) return;
    fprintf(f, "%zu more %s left out to keep this write-up short: ", n - i,
            races ? "race pair(s)" : "cluster(s)");
    for (size_t k = i; k < n && k < i + 20; k++)
        fprintf(f, "%s%s", k > i ? ", " : "", races ? ctx->races->v[k].id : ctx->clusters->v[k].id);
    fputs(n - i > 20 ? ", ..." : "", f);
    fputs(" (`--only ID` writes one, `--all` every one).\n\n", f);
}

static int markdown(FILE *out, const cs_report_ctx *ctx)
{
    const cs_report_index *cr = cs_report_cluster_races(ctx);
    if (ctx->only) return only(out, ctx, cr);
    /* Rendered in memory first: the budget below then counts the same bytes
     * whether the report goes to a file or a pipe. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) abort();
    int rc = write_all(f, ctx, cr);
    if (fclose(f) != 0) rc = CS_E_IO;
    if (rc == 0 && fwrite(buf, 1, len, out) != len) rc = CS_E_IO;
    free(buf);
    return rc ? rc : ferror(out) ? CS_E_IO : CS_OK;
}

static int write_all(FILE *f, const cs_report_ctx *ctx, const cs_report_index *cr)
{
    const cs_results *r = ctx->res;
    size_t n_races = ctx->races ? ctx->races->n : 0;
    size_t n_clusters = ctx->clusters ? ctx->clusters->n : 0;
    size_t top = ctx->top ? ctx->top : CS_REPORT_TOP;
    bool all = ctx->top == SIZE_MAX;
    if (top > n_clusters) top = n_clusters;
    fputs("# crashsift report\n\n", f);
    fprintf(f, "%zu trace(s) in %zu member(s): %zu race pair(s), %zu cluster(s), %zu error(s).",
            r->n_traces, r->n_members, n_races, n_clusters, r->n_diags);
    if (ctx->n_inputs) {
        fputs(" Inputs: ", f);
        md_list(f, (const char **)ctx->inputs, ctx->n_inputs, 10, true, false);
        fputc('.', f);
    }
    fputs("\n\n", f);
    tests_table(f, ctx, all);
    fputs("## Summary\n\n", f);
    if (n_races || n_clusters) {
        cs_clusters shown = ctx->clusters ? *ctx->clusters : (cs_clusters){0};
        shown.n = top;
        cs_report_ctx sub = *ctx;
        sub.clusters = ctx->clusters ? &shown : NULL;
        summary(f, &sub);
        if (top < n_clusters)
            fprintf(f,
                    "The %zu largest of %zu clusters are shown; the JSON report has all, and "
                    "`--all` writes every one here.\n\n",
                    top, n_clusters);
    } else {
        fputs("No failures found.\n\n", f);
    }
    /* The errors close the write-up but are counted first, so the sections
     * fill what they leave of the budget. */
    char *ebuf = NULL;
    size_t elen = 0;
    FILE *e = open_memstream(&ebuf, &elen);
    if (!e) return CS_E_IO;
    errors(e, ctx);
    fclose(e);
    size_t used = (size_t)ftell(f) + elen;
    if (n_races) {
        fputs("## Race pairs\n\n", f);
        sections(f, ctx, cr, n_races, all, &used, true);
    }
    if (top) {
        fputs("## Clusters\n\n", f);
        sections(f, ctx, cr, top, all, &used, false);
    }
    fwrite(ebuf, 1, elen, f);
    free(ebuf);
    return ferror(f) ? CS_E_IO : CS_OK;
}

int cs_report_markdown(FILE *out, const cs_report_ctx *ctx)
{
    return cs_report_with_view(out, ctx, markdown);
}
