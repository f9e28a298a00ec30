/* text.c - the terminal views. Everything from an artifact goes through
 * cs_report_put_term(), which neutralizes control characters (and bidi controls and
 * invalid UTF-8) so a log cannot move the cursor, recolour the user's
 * terminal or reorder what they read. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/error.h"
#include "report.h"

#define TEXT_FRAMES 5
#define TEXT_THREAD_LINES 8 /* other threads listed per cluster, then "+N more" */
#define TEXT_NAME_MAX 100   /* a function name in a terminal line */
#define TEXT_HEADLINE_MAX 160
#define TEXT_NEW_MAX 10 /* "new since the last batch" lines */

void cs_report_put_term(FILE *f, const char *s)
{
    if (!s) {
        fputc('-', f);
        return;
    }
    char esc[CS_REPORT_ESC_MAX];
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = cs_report_char(s + i, n - i, esc);
        if (esc[0])
            fputs(esc, f);
        else
            fwrite(s + i, 1, k, f);
        i += k;
    }
}

typedef struct style {
    const char *bold, *dim, *red, *yellow, *cyan, *reset;
} style;

static style get_style(const cs_report_ctx *c)
{
    if (c->color)
        return (style){"\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[0m"};
    return (style){"", "", "", "", "", ""};
}

static int write_inventory(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    style st = get_style(ctx);
    for (size_t i = 0; i < r->n_members; i++) {
        const cs_member *m = &r->members[i];
        fprintf(f, "%-12s %12llu  ", cs_member_kind_name(m->kind), (unsigned long long)m->size);
        cs_report_put_term(f, m->source);
        if (m->elf_kind) {
            fputs("  (", f);
            cs_report_put_term(f, m->elf_kind);
            if (m->build_id) {
                fputs(", build-id ", f);
                cs_report_put_term(f, m->build_id);
            } else if (m->kind != CS_MK_ELF_CORE) {
                fputs(", no build-id: cores cannot be matched to it", f);
            }
            fputc(')', f);
        }
        fputc('\n', f);
    }
    for (size_t i = 0; i < r->n_diags; i++) {
        fprintf(f, "%serror%s        ", st.red, st.reset);
        cs_report_put_term(f, r->diags[i].source);
        fputs(": ", f);
        cs_report_put_term(f, r->diags[i].message);
        fputc('\n', f);
    }
    fprintf(f, "%zu member(s), %zu error(s)\n", r->n_members, r->n_diags);
    return ferror(f) ? CS_E_IO : CS_OK;
}

int cs_report_inventory(FILE *f, const cs_report_ctx *ctx)
{
    return cs_report_with_view(f, ctx, write_inventory);
}

/* A function name, C++ templates elided and cut to a terminal line. */
static void put_name(FILE *f, const char *name)
{
    char buf[TEXT_NAME_MAX + 8];
    cs_report_put_term(f, cs_report_short_name(name, buf, sizeof buf, TEXT_NAME_MAX));
}

static void put_headline(FILE *f, const char *h)
{
    char buf[TEXT_HEADLINE_MAX + 8];
    cs_report_put_term(f, h ? cs_report_clip(h, buf, sizeof buf, TEXT_HEADLINE_MAX) : NULL);
}

static void frame_text(FILE *f, const cs_frame *fr, const style *st)
{
    fputs(st->cyan, f);
    put_name(f, fr->norm_function ? fr->norm_function : fr->function ? fr->function : "??");
    fputs(st->reset, f);
    if (fr->norm_file || fr->file) {
        fputs("  ", f);
        fputs(st->dim, f);
        cs_report_put_term(f, fr->norm_file ? fr->norm_file : fr->file);
        if (fr->line) fprintf(f, ":%d", fr->line);
        fputs(st->reset, f);
    } else if (fr->module) {
        fputs("  ", f);
        cs_report_put_term(f, fr->module);
        if (fr->has_offset) fprintf(f, "+0x%llx", (unsigned long long)fr->offset);
    }
}

static void frame_line(FILE *f, const cs_frame *fr, const style *st)
{
    fputs("      ", f);
    frame_text(f, fr, st);
    fputc('\n', f);
}

/* Every other thread of a dump, one line per group of threads with the same
 * state and stack (a dump of 20,000 goroutines is a few groups): the
 * group's size or its one thread's name, the state and the top frame. */
static void other_threads(FILE *f, const cs_trace *t, const style *st)
{
    /* Threads past CS_MAX_THREADS are counted, not listed. */
    size_t n = cs_report_n_other_threads(t) + t->n_dropped_threads, shown = 0;
    if (!n) return;
    cs_thread_group *g;
    size_t n_groups = cs_report_thread_groups(t, &g), k = 0;
    fprintf(f, "    other threads (%zu):\n", n);
    for (; k < n_groups && k < TEXT_THREAD_LINES; k++) {
        const cs_thread *th = &t->threads[g[k].first];
        const cs_frame *fr = cs_report_top_frame(th);
        fputs("      ", f);
        cs_report_put_term(f, th->name ? th->name : "?");
        if (g[k].n > 1) fprintf(f, " (+%zu alike)", g[k].n - 1);
        if (th->state) {
            fputs(" [", f);
            cs_report_put_term(f, th->state);
            fputc(']', f);
        }
        if (fr) {
            fputs(": ", f);
            frame_text(f, fr, st);
        }
        fputc('\n', f);
        shown += g[k].n;
    }
    if (k < n_groups)
        fprintf(f, "      (+%zu more in %zu group(s))\n", n - shown - t->n_dropped_threads,
                n_groups - k);
    if (t->n_dropped_threads)
        fprintf(f, "      (+%zu past the first %d threads: counted, not read)\n",
                t->n_dropped_threads, CS_MAX_THREADS);
    free(g);
}

/* "label a, b, c (+N more)" on the current line; nothing when n is 0. */
static void list_inline(FILE *f, const char *sep, const char *label, const char **v, size_t n)
{
    if (!n) return;
    fprintf(f, "%s%s ", sep, label);
    for (size_t i = 0; i < n && i < 5; i++) {
        if (i) fputs(", ", f);
        cs_report_put_term(f, v[i]);
    }
    if (n > 5) fprintf(f, " (+%zu more)", n - 5);
}

static void list(FILE *f, const char *label, const char **v, size_t n)
{
    if (!n) return;
    list_inline(f, "    ", label, v, n);
    fputc('\n', f);
}

/* triage --db: " [new]", " [recurring since DAY, N batch(es), M total]". */
static void history_tag(FILE *f, const cs_history_status *h, const style *st)
{
    char buf[160];
    if (!cs_report_history_text(h, buf, sizeof buf)) return;
    const char *c = strcmp(h->status, "new") == 0         ? st->yellow
                    : strcmp(h->status, "regressed") == 0 ? st->red
                                                          : st->dim;
    fprintf(f, " %s[%s]%s", c, buf, st->reset);
}

static void site_loc(FILE *f, const cs_site *site)
{
    cs_report_put_term(f, site->file);
    for (size_t k = 0; k < site->n_lines; k++)
        fprintf(f, "%s%d", k ? "," : ":", site->lines[k]);
}

static void races(FILE *f, const cs_report_ctx *ctx, const style *st)
{
    if (!ctx->races || !ctx->races->n) return;
    fprintf(f, "%sRace pairs%s (%zu)\n\n", st->bold, st->reset, ctx->races->n);
    for (size_t i = 0; i < ctx->races->n; i++) {
        const cs_race *r = &ctx->races->v[i];
        fprintf(f, "  %s%s%s %s%s%s  ", st->bold, r->id, st->reset,
                r->map_race ? st->red : st->yellow, r->map_race ? "MAP RACE" : "data race",
                st->reset);
        if (r->partial) {
            /* One known access: say so in the headline, never "f ~ f". */
            const cs_site *site = &r->sites[0];
            fputs(st->cyan, f);
            put_name(f, cs_site_name(site));
            fputs(st->reset, f);
            fprintf(f, " (%s) and %s, %zu failure(s)", site->access ? site->access : "access",
                    cs_race_unknown_side(r), r->n_links);
        } else {
            fprintf(f, "%s, %zu failure(s)", cs_race_access_types(r), r->n_links);
        }
        history_tag(f, ctx->history ? &ctx->history->races[i] : NULL, st);
        fputc('\n', f);
        for (int s = 0; s < cs_race_n_sites(r); s++) {
            const cs_site *site = &r->sites[s];
            fprintf(f, "    %s ", s ? "and" : "   ");
            fputs(st->cyan, f);
            put_name(f, cs_site_name(site));
            fputs(st->reset, f);
            fputs("  ", f);
            site_loc(f, site);
            if (site->access) fprintf(f, "  (%s)", site->access);
            fputc('\n', f);
        }
        fputs("    evidence:", f);
        for (int e = 0; e < CS_EV_COUNT; e++)
            if (r->n_by[e]) fprintf(f, " %s %zu", cs_evidence_name((cs_evidence)e), r->n_by[e]);
        size_t n;
        const char **v = cs_report_strs_get(cs_report_race_tests(ctx, r), &n);
        list_inline(f, "; ", "tests:", v, n);
        v = cs_report_strs_get(cs_report_race_clusters(ctx, r), &n);
        list_inline(f, "; ", "clusters:", v, n);
        fputc('\n', f);
        /* What links each kind of symptom, in one sentence. */
        for (int e = 0; e < CS_EV_COUNT; e++)
            if (r->n_by[e])
                fprintf(f, "      %s %zu: %s\n", cs_evidence_name((cs_evidence)e), r->n_by[e],
                        cs_race_evidence_sentence(r, (cs_evidence)e));
        fputc('\n', f);
    }
}

static void clusters(FILE *f, const cs_report_ctx *ctx, const style *st)
{
    const cs_results *r = ctx->res;
    if (!ctx->clusters) return;
    if (!ctx->clusters->n) {
        fputs("No stack traces or test failures found.\n\n", f);
        return;
    }
    size_t top = ctx->top ? ctx->top : CS_REPORT_TOP;
    if (top >= ctx->clusters->n) {
        top = ctx->clusters->n;
        fprintf(f, "%sClusters%s (%zu, from %zu trace(s))\n\n", st->bold, st->reset,
                ctx->clusters->n, r->n_traces);
    } else {
        fprintf(f, "%sTop clusters%s (%zu of %zu, from %zu trace(s); --all shows every one)\n\n",
                st->bold, st->reset, top, ctx->clusters->n, r->n_traces);
    }
    for (size_t i = 0; i < top; i++) {
        const cs_cluster *c = &ctx->clusters->v[i];
        const cs_trace *rep = r->traces[c->rep];
        fprintf(f, "  %s%5zux%s %s %-12s ", st->bold, c->n_traces, st->reset, c->id,
                cs_trace_kind_name(rep->kind));
        put_headline(f, rep->headline);
        history_tag(f, ctx->history ? &ctx->history->clusters[i] : NULL, st);
        fputc('\n', f);
        fputs("    ", f);
        fputs(st->dim, f);
        put_headline(f, c->signature);
        fputs(st->reset, f);
        fputc('\n', f);
        size_t n;
        const char **v = cs_report_strs_get(cs_report_cluster_tests(ctx, c), &n);
        list(f, "tests:", v, n);
        fputs("    seen: ", f);
        cs_report_put_term(f, r->traces[c->traces[0]]->source);
        if (c->n_traces > 1) {
            fputs(" .. ", f);
            cs_report_put_term(f, r->traces[c->traces[c->n_traces - 1]]->source);
        }
        fputc('\n', f);
        const cs_thread *th = cs_report_sig_thread(rep);
        size_t shown = 0;
        for (size_t k = 0; th && k < th->n_frames && shown < TEXT_FRAMES; k++)
            if (th->frames[k].significant) {
                frame_line(f, &th->frames[k], st);
                shown++;
            }
        other_threads(f, rep, st);
        fputc('\n', f);
    }
}

/* triage --db: how this batch compares, and what it brought that is new or
 * back, one line each (the details follow in their sections). */
static void history_overview(FILE *f, const cs_report_ctx *ctx, const style *st)
{
    if (!ctx->history || !ctx->clusters) return;
    size_t by[3] = {0}, shown = 0, more = 0;
    static const char *const names[3] = {"new", "recurring", "regressed"};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ctx->clusters->n; i++) {
            const cs_history_status *h = &ctx->history->clusters[i];
            if (!h->status) continue;
            int k = strcmp(h->status, "new") == 0 ? 0 : strcmp(h->status, "regressed") == 0 ? 2 : 1;
            if (pass == 0) {
                by[k]++;
                continue;
            }
            if (k == 1) continue;
            if (shown == TEXT_NEW_MAX) {
                more++;
                continue;
            }
            const cs_cluster *c = &ctx->clusters->v[i];
            const cs_trace *rep = ctx->res->traces[c->rep];
            fprintf(f, "  %s%-9s%s %s %5zux  ", k ? st->red : st->yellow, names[k], st->reset,
                    c->id, c->n_traces);
            put_headline(f, rep->headline);
            fputc('\n', f);
            shown++;
        }
        if (pass == 0) {
            fprintf(f, "History: %zu new, %zu recurring, %zu regressed cluster(s)\n", by[0], by[1],
                    by[2]);
            if (by[0] + by[2]) fprintf(f, "%sNew since the last batch%s\n", st->bold, st->reset);
        }
    }
    if (more) fprintf(f, "  (+%zu more)\n", more);
    fputc('\n', f);
}

/* Errors by cause, most frequent first, one example each: a pile with a
 * thousand truncated members reads as one line, not a thousand. */
static void errors(FILE *f, const cs_report_ctx *ctx, const style *st)
{
    const cs_results *r = ctx->res;
    if (!r->n_diags) return;
    size_t n;
    const cs_report_cause *c = cs_report_error_causes(ctx, &n);
    fprintf(f, "%sErrors%s (%zu, %zu cause(s))\n\n", st->red, st->reset, r->n_diags, n);
    for (size_t i = 0; i < n; i++) {
        const cs_diag *d = &r->diags[c[i].example];
        fprintf(f, "  %5zux  ", c[i].n);
        cs_report_put_term(f, d->message);
        fputs("\n         ", f);
        fputs(st->dim, f);
        fputs(c[i].n > 1 ? "e.g. " : "", f);
        cs_report_put_term(f, d->source);
        fputs(st->reset, f);
        fputc('\n', f);
    }
    fputc('\n', f);
}

static void cluster_ids(FILE *f, const cs_report_ctx *ctx, const cs_test_summary *s)
{
    if (!s->n_clusters || !ctx->clusters) return;
    fputs("; clusters:", f);
    for (size_t k = 0; k < s->n_clusters && k < 5; k++)
        fprintf(f, " %s", ctx->clusters->v[s->clusters[k]].id);
    if (s->n_clusters > 5) fprintf(f, " (+%zu more)", s->n_clusters - 5);
}

/* The report opens with the question a pile of CI artifacts is opened for:
 * which tests are flaky, how often they fail, and what explains it. Tests
 * that failed every run follow; tests that only passed are counted. */
static void tests(FILE *f, const cs_report_ctx *ctx, const style *st)
{
    const cs_tests *t = ctx->tests;
    if (!t || !t->n) return;
    size_t n_flaky = 0, n_failing = 0;
    for (size_t i = 0; i < t->n; i++) {
        n_flaky += t->v[i].flaky;
        n_failing += t->v[i].failures && !t->v[i].flaky;
    }
    fprintf(f, "%sTests%s (%zu: %zu flaky, %zu failing, %zu passing)\n\n", st->bold, st->reset,
            t->n, n_flaky, n_failing, t->n - n_flaky - n_failing);
    for (size_t i = 0; i < t->n; i++) {
        const cs_test_summary *s = &t->v[i];
        if (!s->failures) continue;
        char v[CS_REPORT_TEST_LINE], e[CS_REPORT_TEST_LINE];
        fputs("  ", f);
        fputs(s->flaky ? st->yellow : st->red, f);
        cs_report_put_term(f, s->name);
        fputs(st->reset, f);
        fputc(' ', f);
        fputs(cs_report_test_verdict(s, v, sizeof v), f);
        const char *why = cs_report_test_explanation(ctx, s, e, sizeof e);
        if (why) {
            fputs(" \xe2\x80\x94 explained by ", f);
            cs_report_put_term(f, why);
        }
        const cs_history_test_mark *m = cs_report_test_history(ctx, s);
        if (m && m->became_failing)
            fprintf(f, " %s[new: passed in all %llu run(s) of %llu earlier batch(es)]%s",
                    st->yellow, (unsigned long long)m->prior_runs,
                    (unsigned long long)m->prior_batches, st->reset);
        fputc('\n', f);
        fputs("    ", f);
        fputs(st->dim, f);
        fputs("package ", f);
        cs_report_put_term(f, s->package);
        cluster_ids(f, ctx, s);
        fputs(st->reset, f);
        fputc('\n', f);
        if (s->first_failure) {
            fputs("    failed in: ", f);
            cs_report_put_term(f, s->first_failure);
            if (s->last_failure && strcmp(s->last_failure, s->first_failure) != 0) {
                fputs(" .. ", f);
                cs_report_put_term(f, s->last_failure);
            }
            fputc('\n', f);
        }
    }
    fputc('\n', f);
}

static int write_text(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    style st = get_style(ctx);
    fprintf(f,
            "%scrashsift%s: %zu member(s), %zu trace(s), %zu cluster(s), %zu race pair(s), "
            "%zu error(s)\n\n",
            st.bold, st.reset, r->n_members, r->n_traces, ctx->clusters ? ctx->clusters->n : 0,
            ctx->races ? ctx->races->n : 0, r->n_diags);
    tests(f, ctx, &st);
    history_overview(f, ctx, &st);
    races(f, ctx, &st);
    clusters(f, ctx, &st);
    errors(f, ctx, &st);
    return ferror(f) ? CS_E_IO : CS_OK;
}

int cs_report_text(FILE *f, const cs_report_ctx *ctx)
{
    return cs_report_with_view(f, ctx, write_text);
}

static const cs_format formats[] = {
    {"text", cs_report_text}, {"json", cs_report_json},   {"markdown", cs_report_markdown},
    {"html", cs_report_html}, {"sarif", cs_report_sarif},
};

const cs_format *cs_report_find(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, name) == 0) return &formats[i];
    return NULL;
}

const char *cs_report_names(void)
{
    return "text, json, markdown, html, sarif";
}
