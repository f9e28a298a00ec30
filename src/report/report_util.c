#define _GNU_SOURCE /* strncasecmp */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../base/util.h"
#include "report.h"

size_t cs_report_uniq_strs(const char **v, size_t n)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cs_cmp_strp);
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i], v[w - 1]) != 0) v[w++] = v[i];
    return w;
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

/* "chan receive, 3 minutes" waits as "chan receive" does. */
static size_t state_len(const char *s)
{
    if (!s) return 0;
    const char *comma = strstr(s, ", ");
    if (comma && comma[2] >= '0' && comma[2] <= '9') return (size_t)(comma - s);
    return strlen(s);
}

static uint64_t group_hash(const cs_thread *th)
{
    uint64_t h = cs_hash64(th->state ? th->state : "", state_len(th->state), CS_HASH_SEED);
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        const char *fn = cs_report_frame_function(f), *file = f->norm_file ? f->norm_file : "";
        h = cs_hash64(fn, strlen(fn) + 1, h);
        h = cs_hash64(file, strlen(file) + 1, h);
        h = cs_hash64(&f->line, sizeof f->line, h);
        h = cs_hash64(&f->offset, sizeof f->offset, h);
    }
    return h ? h : 1;
}

static bool same_group(const cs_thread *a, const cs_thread *b)
{
    size_t la = state_len(a->state), lb = state_len(b->state);
    if (la != lb || (la && memcmp(a->state, b->state, la) != 0) || a->n_frames != b->n_frames)
        return false;
    for (size_t j = 0; j < a->n_frames; j++) {
        const cs_frame *x = &a->frames[j], *y = &b->frames[j];
        if (x->line != y->line || x->offset != y->offset ||
            strcmp(cs_report_frame_function(x), cs_report_frame_function(y)) != 0 ||
            strcmp(x->norm_file ? x->norm_file : "", y->norm_file ? y->norm_file : "") != 0)
            return false;
    }
    return true;
}

static int cmp_group(const void *pa, const void *pb)
{
    const cs_thread_group *a = pa, *b = pb;
    if (a->n != b->n) return a->n > b->n ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

size_t cs_report_thread_groups(const cs_trace *t, cs_thread_group **groups)
{
    size_t n_other = cs_report_n_other_threads(t), n = 0, cap = 16;
    while (cap < 2 * n_other)
        cap *= 2;
    uint64_t *keys = cs_xcalloc(cap, sizeof *keys);
    size_t *slot = cs_xcalloc(cap, sizeof *slot);
    cs_thread_group *g = cs_xmalloc((n_other ? n_other : 1) * sizeof *g);
    for (size_t i = 0; i < t->n_threads; i++) {
        if (!cs_report_is_other_thread(t, i)) continue;
        const cs_thread *th = &t->threads[i];
        uint64_t h = group_hash(th);
        size_t k = h & (cap - 1);
        for (; keys[k]; k = (k + 1) & (cap - 1))
            if (keys[k] == h && same_group(&t->threads[g[slot[k]].first], th)) break;
        if (keys[k]) {
            g[slot[k]].n++;
            continue;
        }
        keys[k] = h;
        slot[k] = n;
        g[n++] = (cs_thread_group){i, 1};
    }
    free(keys);
    free(slot);
    qsort(g, n, sizeof *g, cmp_group);
    *groups = g;
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
    size_t k = cs_report_uniq_strs(v, n);
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
    assert(cap >= 8); /* room for a character and the ellipsis */
    if (!s) s = "??";
    if (max + 4 > cap) max = cap - 4;
    /* One pass straight into out (no allocation: the text report and the
     * stack excerpts call this for every frame they print): template
     * argument lists at any depth collapse to "<…>", parameter lists past
     * 40 bytes to "(…)". "operator<", "<<" and "->" are operators, not
     * lists. The pass stops once more than max bytes are written - the rest
     * would be cut anyway - so a long name costs O(max) passes over it at
     * most, whatever its length. */
    size_t n = strlen(s), w = 0, i = 0;
    while (i < n && w <= max) {
        char c = s[i];
        bool op = i >= 8 && memcmp(s + i - 8, "operator", 8) == 0;
        size_t skip = 0; /* a list collapsed: bytes of s it covers */
        char open = 0;
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
            if (j < n) skip = j + 1 - i, open = '<';
        } else if (c == '(' && !op) {
            int depth = 0;
            size_t j = i;
            for (; j < n; j++) {
                if (s[j] == '(')
                    depth++;
                else if (s[j] == ')' && --depth == 0)
                    break;
            }
            if (j < n && j - i > 40) skip = j + 1 - i, open = '(';
        }
        if (skip) {
            if (w + 5 >= cap) break;
            out[w++] = open;
            memcpy(out + w, "\xE2\x80\xA6", 3);
            w += 3;
            out[w++] = open == '<' ? '>' : ')';
            i += skip;
            continue;
        }
        if (w + 1 >= cap) break;
        out[w++] = c;
        i++;
    }
    /* w <= max + 1 <= cap - 3 here, so a character copied byte by byte never
     * stops at cap: the loop ends past max, or before a collapsed list with no
     * room for it (then at a character boundary). */
    out[w] = '\0';
    if (w > max || i < n) {
        /* cut on a character boundary, never inside a UTF-8 sequence */
        size_t k = w < max ? w : max;
        while (k && k < w && ((unsigned char)out[k] & 0xC0) == 0x80)
            k--;
        memcpy(out + k, "\xE2\x80\xA6", 4);
    }
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

cs_report_cause *cs_report_error_causes_of(const cs_results *r, size_t *n_out)
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
            short_function(cs_site_name(&r->sites[0])), short_function(cs_site_name(&r->sites[1])));
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

/* ---- race sites ----------------------------------------------------- */

static const char *base_name(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s ? s + 1 : p;
}

static bool has_line(const cs_site *st, int line)
{
    size_t lo = 0, hi = st->n_lines;
    if (!hi || line <= 0) return true; /* nothing to compare */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->lines[mid] == line) return true;
        if (st->lines[mid] < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool is_site_frame(const cs_site *st, const cs_frame *fr)
{
    if (!st->function || strcmp(cs_report_frame_function(fr), st->function) != 0) return false;
    const char *file = cs_report_frame_file(fr);
    if (st->file && file && strcmp(base_name(file), base_name(st->file)) != 0) return false;
    return has_line(st, fr->line);
}

const cs_thread *cs_report_site_stack(const cs_report_ctx *ctx, const cs_race *r, const cs_site *st,
                                      const cs_thread *other, const cs_frame **frame,
                                      const cs_trace **trace)
{
    /* Bounded by the links looked at: a pair with 10,000 failures is found
     * in its first report, and never costs more than 100 traces. */
    /* Race reports first: their two stacks are the two accesses, so both
     * sites' stacks come from one report when one names them. */
    size_t n = r->n_links < CS_REPORT_SITE_LINKS ? r->n_links : CS_REPORT_SITE_LINKS;
    for (size_t i = 0; i < 2 * n; i++) {
        size_t li = i % n;
        if ((i < n) != (r->links[li].evidence == CS_EV_DIRECT)) continue;
        const cs_trace *t = ctx->res->traces[r->links[li].trace];
        for (size_t k = 0; k < t->n_threads; k++) {
            const cs_thread *th = &t->threads[k];
            if (th == other) continue; /* both sites in one function: two stacks */
            const cs_frame *sig = NULL;
            for (size_t j = 0; j < th->n_frames && !sig; j++)
                if (th->frames[j].significant) sig = &th->frames[j];
            const cs_frame *hit = NULL;
            if (sig) {
                if (is_site_frame(st, sig)) hit = sig;
            } else {
                for (size_t j = 0; j < th->n_frames && !hit; j++)
                    if (is_site_frame(st, &th->frames[j])) hit = &th->frames[j];
            }
            if (!hit) continue;
            if (frame) *frame = hit;
            if (trace) *trace = t;
            return th;
        }
    }
    return NULL;
}

const char *cs_report_site_repo_file(const cs_report_ctx *ctx, const cs_race *r, const cs_site *st,
                                     char *path)
{
    const cs_frame *fr = NULL;
    char repo[CS_REPO_MAX_PATH];
    if (!cs_report_site_stack(ctx, r, st, NULL, &fr, NULL) ||
        !cs_repo_path(ctx->repo, fr, path, repo))
        return NULL;
    return path;
}

/* ---- evidence ------------------------------------------------------- */

static const char *const evidence_meaning[CS_EV_COUNT] = {
    [CS_EV_DIRECT] = "a race detector report (Go -race, ThreadSanitizer) that names the access",
    [CS_EV_RUNTIME] = "a Go runtime fatal error (concurrent map writes, read and write, iteration "
                      "and write) thrown at a site of the pair: the runtime caught the map in use "
                      "by two goroutines, but names only the one that noticed",
    [CS_EV_CORE] = "a core dump with a thread crashed or stopped inside map code at a site",
    [CS_EV_SANITIZER] = "a sanitizer crash (AddressSanitizer and others) inside map code at a "
                        "site",
    [CS_EV_SAME_TEST] = "a failure with no crash of its own (an assertion, a wrong result) in a "
                        "test run in which the race was seen: likely its consequence, not proof",
};

const char *cs_report_evidence_meaning(cs_evidence e)
{
    return (unsigned)e < CS_EV_COUNT && evidence_meaning[e] ? evidence_meaning[e] : "";
}

/* ---- indexes -------------------------------------------------------- */

typedef struct kv {
    size_t k, v;
} kv;

static int cmp_kv(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    if (x->k != y->k) return x->k < y->k ? -1 : 1;
    return (x->v > y->v) - (x->v < y->v);
}

/* Sorts the pairs, drops repeats and lays them out by key. */
static void index_build(kv *p, size_t n, size_t n_keys, cs_report_index *out)
{
    if (n) qsort(p, n, sizeof *p, cmp_kv);
    out->n_keys = n_keys;
    out->start = cs_xcalloc(n_keys + 1, sizeof *out->start);
    out->v = cs_xcalloc(n + 1, sizeof *out->v);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w && p[i].k == p[i - 1].k && p[i].v == p[i - 1].v) continue;
        out->v[w++] = p[i].v;
        out->start[p[i].k + 1]++;
    }
    for (size_t k = 0; k < n_keys; k++)
        out->start[k + 1] += out->start[k];
    free(p);
}

void cs_report_index_cluster_races(const cs_report_ctx *ctx, cs_report_index *out)
{
    size_t n_keys = ctx->clusters ? ctx->clusters->n : 0, n = 0;
    for (size_t i = 0; ctx->races && i < ctx->races->n; i++)
        n += ctx->races->v[i].n_links;
    kv *p = cs_xcalloc(n + 1, sizeof *p);
    size_t w = 0;
    if (n_keys && ctx->clusters->of_trace)
        for (size_t i = 0; ctx->races && i < ctx->races->n; i++)
            for (size_t k = 0; k < ctx->races->v[i].n_links; k++)
                p[w++] = (kv){ctx->clusters->of_trace[ctx->races->v[i].links[k].trace], i};
    index_build(p, w, n_keys, out);
}

void cs_report_index_race_tests(const cs_report_ctx *ctx, cs_report_index *out)
{
    size_t n_keys = ctx->races ? ctx->races->n : 0, n = 0;
    for (size_t i = 0; ctx->tests && i < ctx->tests->n; i++)
        n += ctx->tests->v[i].n_races;
    kv *p = cs_xcalloc(n + 1, sizeof *p);
    size_t w = 0;
    for (size_t i = 0; ctx->tests && i < ctx->tests->n; i++)
        for (size_t k = 0; k < ctx->tests->v[i].n_races; k++)
            if (ctx->tests->v[i].races[k] < n_keys) p[w++] = (kv){ctx->tests->v[i].races[k], i};
    index_build(p, w, n_keys, out);
}

void cs_report_index_dispose(cs_report_index *ix)
{
    if (!ix) return;
    free(ix->start);
    free(ix->v);
    memset(ix, 0, sizeof *ix);
}

/* ---- source links --------------------------------------------------- */

static bool unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("-._~", c);
}

/* Characters a URI may hold as they are (RFC 3986 unreserved, reserved and
 * '%'); the template's others are percent-encoded. */
static bool uri_char(unsigned char c)
{
    return c && (unreserved(c) || strchr(":/?#[]@!$&'()*+,;=%", c));
}

static const char *const placeholders[] = {"{path}", "{line}", "{commit}"};

/* The placeholder at s, as an index into placeholders, or -1. */
static int placeholder(const char *s)
{
    for (int i = 0; i < (int)CS_ARRAY_LEN(placeholders); i++)
        if (strncmp(s, placeholders[i], strlen(placeholders[i])) == 0) return i;
    return -1;
}

int cs_report_url_check(const char *tmpl, bool *needs_commit, const char **why)
{
    bool path = false, commit = false;
    if (strncasecmp(tmpl, "https://", 8) != 0 && strncasecmp(tmpl, "http://", 7) != 0 &&
        strncasecmp(tmpl, "file://", 7) != 0) {
        *why = "expected an http://, https:// or file:// URL";
        return -1;
    }
    if (strlen(tmpl) > 1024) {
        *why = "longer than 1024 bytes";
        return -1;
    }
    for (const char *p = tmpl; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            *why = "control characters in the URL";
            return -1;
        }
        if (*p != '{') continue;
        int k = placeholder(p);
        if (k < 0) {
            *why = "unknown placeholder (use {path}, {line} and {commit})";
            return -1;
        }
        path |= k == 0;
        commit |= k == 2;
    }
    if (!path) {
        *why = "no {path} in the URL";
        return -1;
    }
    *needs_commit = commit;
    return 0;
}

/* Appends s percent-encoded (keeping '/' when keep_slash) to buf at *w;
 * false when it does not fit. */
static bool put_encoded(char *buf, size_t *w, const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*w + 4 > CS_REPORT_URL_MAX) return false;
        if (unreserved(*p) || (keep_slash && *p == '/')) {
            buf[(*w)++] = (char)*p;
        } else {
            buf[(*w)++] = '%';
            buf[(*w)++] = hex[*p >> 4];
            buf[(*w)++] = hex[*p & 15];
        }
    }
    return true;
}

const char *cs_report_url(const cs_report_ctx *ctx, const char *path, int line, char *buf)
{
    const char *t = ctx->source_url;
    if (!t || !path) return NULL;
    /* Without a line, the fragment that holds {line} ("#L{line}") goes. */
    const char *hash = strrchr(t, '#');
    const char *end = t + strlen(t);
    if (line <= 0 && hash && strstr(hash, "{line}")) end = hash;
    size_t w = 0;
    char num[24];
    snprintf(num, sizeof num, "%d", line > 0 ? line : 0);
    for (const char *p = t; p < end;) {
        int k = *p == '{' ? placeholder(p) : -1;
        bool ok = true;
        if (k == 0)
            ok = put_encoded(buf, &w, path, true);
        else if (k == 1)
            ok = put_encoded(buf, &w, line > 0 ? num : "", false);
        else if (k == 2)
            ok = put_encoded(buf, &w, ctx->commit ? ctx->commit : "", true);
        if (!ok) return NULL;
        if (k >= 0) {
            p += strlen(placeholders[k]);
            continue;
        }
        unsigned char c = (unsigned char)*p++;
        if (w + 4 > CS_REPORT_URL_MAX) return NULL;
        if (uri_char(c)) {
            buf[w++] = (char)c;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            buf[w++] = '%';
            buf[w++] = hex[c >> 4];
            buf[w++] = hex[c & 15];
        }
    }
    buf[w] = '\0';
    return buf;
}

const char *cs_report_frame_url(const cs_report_ctx *ctx, const cs_frame *f, char *buf)
{
    if (!ctx->source_url) return NULL;
    char path[CS_REPO_MAX_PATH], repo[CS_REPO_MAX_PATH];
    if (!cs_repo_path(ctx->repo, f, path, repo)) return NULL;
    return cs_report_url(ctx, path, f->line, buf);
}

const cs_history_test_mark *cs_report_test_history(const cs_report_ctx *ctx,
                                                   const cs_test_summary *s)
{
    if (!ctx->history || !ctx->history->tests || !ctx->tests) return NULL;
    size_t i = (size_t)(s - ctx->tests->v);
    return i < ctx->tests->n ? &ctx->history->tests[i] : NULL;
}
