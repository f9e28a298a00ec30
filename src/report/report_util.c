#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdio.h>
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
    for (size_t i = 0; i < n; i++) v[i] = ctx->res->traces[traces[i]]->source;
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
    if (c >= 0xc2 && c <= 0xdf) k = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) k = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) k = 4, cp = c & 0x07;
    else k = 0, cp = 0;
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
