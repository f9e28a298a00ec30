#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/util.h"
#include "report.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts and removes duplicates in place; returns the new count. */
static size_t uniq(const char **v, size_t n)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_str);
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i], v[w - 1]) != 0) v[w++] = v[i];
    return w;
}

const char **cs_report_cluster_tests(const cs_report_ctx *ctx, const cs_cluster *c, size_t *n)
{
    const char **v = cs_xcalloc(c->n_traces + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < c->n_traces; i++) {
        const cs_trace *t = ctx->res->traces[c->traces[i]];
        if (t->test) v[k++] = t->test;
    }
    *n = uniq(v, k);
    return v;
}

const char **cs_report_race_tests(const cs_report_ctx *ctx, const cs_race *r, size_t *n)
{
    const char **v = cs_xcalloc(r->n_links + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < r->n_links; i++) {
        const cs_trace *t = ctx->res->traces[r->links[i].trace];
        if (t->test) v[k++] = t->test;
    }
    *n = uniq(v, k);
    return v;
}

const char **cs_report_race_clusters(const cs_report_ctx *ctx, const cs_race *r, size_t *n)
{
    const char **v = cs_xcalloc(r->n_links + 1, sizeof *v);
    size_t k = 0;
    if (ctx->clusters && ctx->clusters->of_trace)
        for (size_t i = 0; i < r->n_links; i++)
            v[k++] = ctx->clusters->v[ctx->clusters->of_trace[r->links[i].trace]].id;
    *n = uniq(v, k);
    return v;
}

const cs_thread *cs_report_sig_thread(const cs_trace *t)
{
    if (t->crash_thread >= 0 && (size_t)t->crash_thread < t->n_threads)
        return &t->threads[t->crash_thread];
    return t->n_threads ? &t->threads[0] : NULL;
}

bool cs_report_is_other_thread(const cs_trace *t, size_t i)
{
    return i < t->n_threads && &t->threads[i] != cs_report_sig_thread(t) &&
           t->threads[i].role == CS_ROLE_OTHER;
}

size_t cs_report_n_other_threads(const cs_trace *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_threads; i++)
        n += cs_report_is_other_thread(t, i);
    return n;
}

const cs_frame *cs_report_top_frame(const cs_thread *th)
{
    for (size_t k = 0; k < th->n_frames; k++)
        if (th->frames[k].significant) return &th->frames[k];
    for (size_t k = 0; k < th->n_frames; k++)
        if (th->frames[k].function) return &th->frames[k];
    return th->n_frames ? &th->frames[0] : NULL;
}

const char *cs_report_frame_function(const cs_frame *f)
{
    return f->norm_function ? f->norm_function : f->function ? f->function : "??";
}

const char *cs_report_frame_file(const cs_frame *f)
{
    return f->norm_file ? f->norm_file : f->file;
}

void cs_report_race_span(const cs_report_ctx *ctx, const cs_race *r, const char **first,
                         const char **last)
{
    const char *lo = NULL, *hi = NULL;
    for (size_t i = 0; i < r->n_links; i++) {
        const char *s = ctx->res->traces[r->links[i].trace]->source;
        if (!lo || strcmp(s, lo) < 0) lo = s;
        if (!hi || strcmp(s, hi) > 0) hi = s;
    }
    *first = lo;
    *last = hi;
}

size_t cs_report_distinct_sources(const cs_report_ctx *ctx, const size_t *traces, size_t n)
{
    const char **v = cs_xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = ctx->res->traces[traces[i]]->source;
    size_t k = uniq(v, n);
    free(v);
    return k;
}

size_t cs_report_char(const char *s, size_t n, char esc[CS_REPORT_ESC_MAX])
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0];
    esc[0] = '\0';
    if (c < 0x80) {
        if (c < 0x20 || c == 0x7f) snprintf(esc, CS_REPORT_ESC_MAX, "\\x%02x", c);
        return 1;
    }
    size_t k;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf)
        k = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        k = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        k = 4, cp = c & 0x07;
    else
        k = 0, cp = 0;
    if (k && n >= k) {
        for (size_t i = 1; i < k; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                k = 0;
                break;
            }
            cp = cp << 6 | (p[i] & 0x3f);
        }
    } else {
        k = 0;
    }
    if (k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) k = 0;
    if (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) k = 0;
    if (!k) { /* invalid UTF-8: show the byte */
        snprintf(esc, CS_REPORT_ESC_MAX, "\\x%02x", c);
        return 1;
    }
    /* C1 controls; bidi embeddings, overrides and isolates; LRM/RLM/ALM. */
    if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x61c)
        snprintf(esc, CS_REPORT_ESC_MAX, "\\u%04X", cp);
    return k;
}

const char *cs_report_history_text(const cs_history_status *h, char *buf, size_t n)
{
    if (!h || !h->status) return NULL;
    if (strcmp(h->status, "new") == 0) {
        snprintf(buf, n, "new");
        return buf;
    }
    char day[32] = "?";
    time_t t = (time_t)h->first_seen;
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(day, sizeof day, "%Y-%m-%d", &tm);
    bool regressed = strcmp(h->status, "regressed") == 0;
    snprintf(buf, n, "%s%s %s, %llu batch(es), %llu total", h->status,
             regressed ? ", first seen" : " since", day, h->batches, h->total);
    return buf;
}

const cs_history_status *cs_report_cluster_history(const cs_report_ctx *ctx, size_t i)
{
    return ctx->history && ctx->history->clusters ? &ctx->history->clusters[i] : NULL;
}

const cs_history_status *cs_report_race_history(const cs_report_ctx *ctx, size_t i)
{
    return ctx->history && ctx->history->races ? &ctx->history->races[i] : NULL;
}

/* Copies at most `max` bytes of s, cut on a character boundary, with "…"
 * when cut. */
static void clip(char *out, size_t cap, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (max + 4 > cap) max = cap - 4;
    if (n <= max) {
        memcpy(out, s, n + 1);
        return;
    }
    while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--; /* not inside a UTF-8 sequence */
    memcpy(out, s, max);
    memcpy(out + max, "\xE2\x80\xA6", 4);
}

const char *cs_report_short_name(const char *s, char *out, size_t cap, size_t max)
{
    if (!s) s = "??";
    /* One pass, O(n): template argument lists at any depth collapse to
     * "<…>", parameter lists past 40 bytes to "(…)". "operator<", "<<" and
     * "->" are operators, not lists. */
    size_t n = strlen(s), w = 0;
    char *tmp = cs_xmalloc(n + 1);
    for (size_t i = 0; i < n;) {
        char c = s[i];
        bool op = i >= 8 && memcmp(s + i - 8, "operator", 8) == 0;
        if (c == '<' && !op && i + 1 < n && s[i + 1] != '<' && s[i + 1] != '=' && i > 0 &&
            s[i - 1] != '<' && s[i - 1] != ' ') {
            int depth = 0;
            size_t j = i;
            for (; j < n; j++) {
                if (s[j] == '<')
                    depth++;
                else if (s[j] == '>' && s[j - 1] != '-' && --depth == 0)
                    break;
            }
            if (j < n) {
                memcpy(tmp + w, "<\xE2\x80\xA6>", 5);
                w += 5;
                i = j + 1;
                continue;
            }
        }
        if (c == '(' && !op) {
            int depth = 0;
            size_t j = i;
            for (; j < n; j++) {
                if (s[j] == '(')
                    depth++;
                else if (s[j] == ')' && --depth == 0)
                    break;
            }
            if (j < n && j - i > 40) {
                memcpy(tmp + w, "(\xE2\x80\xA6)", 5);
                w += 5;
                i = j + 1;
                continue;
            }
        }
        tmp[w++] = c;
        i++;
    }
    tmp[w] = '\0';
    clip(out, cap, tmp, max);
    free(tmp);
    return out;
}

const char *cs_report_clip(const char *s, char *out, size_t cap, size_t max)
{
    clip(out, cap, s ? s : "", max);
    return out;
}

/* An error's cause: its message with the parts that name one input or one
 * size ('quoted', digits) blanked, so "member 'a' is 12 bytes" and "member
 * 'b' is 9 bytes" are one cause. */
static char *cause_of(const char *m)
{
    size_t n = strlen(m), w = 0;
    char *c = cs_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        if (m[i] == '\'' || m[i] == '"') {
            const char *end = strchr(m + i + 1, m[i]);
            if (end) {
                c[w++] = m[i];
                c[w++] = '_';
                c[w++] = m[i];
                i = (size_t)(end - m);
                continue;
            }
        }
        if (m[i] >= '0' && m[i] <= '9') {
            c[w++] = 'N';
            while (i + 1 < n && ((m[i + 1] >= '0' && m[i + 1] <= '9') || m[i + 1] == '.'))
                i++;
            continue;
        }
        c[w++] = m[i];
    }
    c[w] = '\0';
    return c;
}

typedef struct cause_row {
    char *cause;
    size_t first; /* index of the first diagnostic with it */
    size_t n;
} cause_row;

static int cmp_cause(const void *a, const void *b)
{
    const cause_row *x = a, *y = b;
    int c = strcmp(x->cause, y->cause);
    return c ? c : (x->first > y->first) - (x->first < y->first);
}

static int cmp_count(const void *a, const void *b)
{
    const cs_report_cause *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? 1 : -1;
    return (x->example > y->example) - (x->example < y->example);
}

cs_report_cause *cs_report_error_causes(const cs_results *r, size_t *n_out)
{
    /* Sort by cause, then count runs: O(n log n) over the errors. */
    cause_row *rows = cs_xcalloc(r->n_diags + 1, sizeof *rows);
    for (size_t i = 0; i < r->n_diags; i++)
        rows[i] = (cause_row){cause_of(r->diags[i].message), i, 1};
    qsort(rows, r->n_diags, sizeof *rows, cmp_cause);
    cs_report_cause *out = cs_xcalloc(r->n_diags + 1, sizeof *out);
    size_t k = 0;
    for (size_t i = 0; i < r->n_diags;) {
        size_t j = i;
        while (j < r->n_diags && strcmp(rows[j].cause, rows[i].cause) == 0)
            j++;
        out[k++] = (cs_report_cause){rows[i].first, j - i};
        i = j;
    }
    for (size_t i = 0; i < r->n_diags; i++)
        free(rows[i].cause);
    free(rows);
    qsort(out, k, sizeof *out, cmp_count);
    *n_out = k;
    return out;
}

const char *cs_report_test_verdict(const cs_test_summary *s, char *buf, size_t n)
{
    if (!s->failures)
        snprintf(buf, n, "passed %zu of %zu runs%s", s->passes, s->runs,
                 s->skips ? " (the others skipped)" : "");
    else
        snprintf(buf, n, "failed %zu of %zu runs (%.1f%%%s)", s->failures, s->runs,
                 100.0 * s->failure_rate, s->flaky ? ", flaky" : "");
    return buf;
}

/* The last path element of a function ("example.com/x.(*T).Add" ->
 * "x.(*T).Add"): enough to tell the two sites apart on one line. */
static const char *short_function(const char *f)
{
    if (!f) return "?";
    const char *paren = strchr(f, '(');
    const char *slash = NULL;
    for (const char *p = f; *p && (!paren || p < paren); p++)
        if (*p == '/') slash = p;
    return slash ? slash + 1 : f;
}

const char *cs_report_test_explanation(const cs_report_ctx *ctx, const cs_test_summary *s,
                                       char *buf, size_t n)
{
    if (s->n_races && ctx->races) {
        const cs_race *r = &ctx->races->v[s->races[0]];
        int k = snprintf(
            buf, n, "race pair %s (%s %s ~ %s)", r->id, r->map_race ? "MAP RACE" : "data race",
            short_function(r->sites[0].function), short_function(r->sites[1].function));
        if (s->n_races > 1 && k > 0 && (size_t)k < n)
            snprintf(buf + k, n - (size_t)k, ", +%zu more pair(s)", s->n_races - 1);
        return buf;
    }
    /* Else the first crash among its clusters (a panic, a fatal error):
     * an assertion failure's own cluster explains nothing. */
    for (size_t i = 0; ctx->clusters && i < s->n_clusters; i++) {
        const cs_cluster *c = &ctx->clusters->v[s->clusters[i]];
        const cs_trace *rep = ctx->res->traces[c->rep];
        if (rep->kind == CS_TK_TEST_FAILURE) continue;
        snprintf(buf, n, "%s %s (%s)", cs_trace_kind_name(rep->kind), c->id,
                 rep->norm_headline ? rep->norm_headline
                 : rep->headline    ? rep->headline
                                    : "?");
        return buf;
    }
    return NULL;
}
