/* history_list.c - renders "crashsift history": the clusters, race pairs
 * and tests the history database remembers (docs/history.md), as text (one
 * row each with a trend sparkline, occurrences for one id) or JSON. Text
 * from the database came from artifacts: it goes through the one terminal
 * escaping (cs_report_put_term), like the text report. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/error.h"
#include "jsonw.h"
#include "report.h"

/* "2026-11-01T08:00:00Z" (full) or "2026-11-01" (day). */
static const char *iso(char *buf, size_t n, int64_t t, bool day)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, n, day ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, n, "@%lld", (long long)t);
    return buf;
}

/* A sparkline of counts, one cell per trend batch; '.' is absent. */
static void spark(FILE *f, const uint64_t *v, size_t n)
{
    static const char *const bars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                       "\u2585", "\u2586", "\u2587", "\u2588"};
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > max) max = v[i];
    for (size_t i = 0; i < n; i++) {
        if (!v[i]) {
            fputc('.', f);
            continue;
        }
        size_t k = max > 1 ? (size_t)((v[i] - 1) * 7 / (max - 1)) : 7;
        fputs(bars[k], f);
    }
}

static void text(FILE *f, const cs_history_list *l, const cs_history_query *q)
{
    char a[40], b[40];
    size_t nc = 0, nr = 0;
    for (size_t i = 0; i < l->n_rows; i++)
        l->rows[i].race ? nr++ : nc++;
    if (!q->id) {
        fprintf(f, "crashsift history: %lld batch(es), %zu cluster(s), %zu race pair(s)",
                (long long)l->n_batches, nc, nr);
        if (l->n_trend)
            fprintf(f, "; trend over %zu batch(es), %s .. %s", l->n_trend,
                    iso(a, sizeof a, l->trend_time[0], true),
                    iso(b, sizeof b, l->trend_time[l->n_trend - 1], true));
        fputs("\n\n", f);
        if (l->n_rows)
            fprintf(f, "  %-12s %-10s %-10s %-10s %7s %7s  %s\n", "id", "status", "first", "last",
                    "batches", "total", "trend");
    }
    for (size_t i = 0; i < l->n_rows; i++) {
        const cs_history_row *r = &l->rows[i];
        fprintf(f, "  %-12s %-10s %-10s %-10s %7llu %7llu  ", r->id,
                cs_history_state_name(r->last_state), iso(a, sizeof a, r->first_seen, true),
                iso(b, sizeof b, r->last_seen, true), (unsigned long long)r->batches,
                (unsigned long long)r->total);
        spark(f, r->trend, l->n_trend);
        fputs("\n    ", f);
        cs_report_put_term(f, r->kind);
        fputs("  ", f);
        cs_report_put_term(f, r->headline);
        fputs("\n    ", f);
        cs_report_put_term(f, r->signature);
        fputc('\n', f);
    }
    if (!q->id && l->n_tests) {
        fprintf(f, "\ntests that failed (%zu)\n", l->n_tests);
        for (size_t i = 0; i < l->n_tests; i++) {
            const cs_history_test_row *t = &l->tests[i];
            fputs("  ", f);
            cs_report_put_term(f, t->name);
            if (t->package) {
                fputs(" (", f);
                cs_report_put_term(f, t->package);
                fputc(')', f);
            }
            fprintf(f, "  failed %llu of %llu runs in %llu of %llu batch(es), last %s%s\n",
                    (unsigned long long)t->failures, (unsigned long long)t->runs,
                    (unsigned long long)t->failing_batches, (unsigned long long)t->batches,
                    iso(a, sizeof a, t->last_failure, true), t->flaky_last ? " (flaky)" : "");
            if (t->became_flaky)
                fprintf(f,
                        "    became flaky in batch %lld (%s): passed in all %llu run(s) of %llu "
                        "batch(es) before\n",
                        (long long)t->first_failure_batch, iso(a, sizeof a, t->first_failure, true),
                        (unsigned long long)t->passes_before,
                        (unsigned long long)t->passing_batches_before);
        }
    }
    if (q->id) {
        fprintf(f, "\n  occurrences (%zu)\n", l->n_occs);
        for (size_t i = 0; i < l->n_occs; i++) {
            const cs_history_occ *o = &l->occs[i];
            fprintf(f, "    batch %-4lld %s  ", (long long)o->batch,
                    iso(a, sizeof a, o->time, false));
            cs_report_put_term(f, o->source);
            if (o->line) fprintf(f, ":%llu", (unsigned long long)o->line);
            fputs("  ", f);
            cs_report_put_term(f, o->kind);
            if (o->evidence) {
                fputs(" (", f);
                cs_report_put_term(f, o->evidence);
                fputc(')', f);
            }
            if (o->test) {
                fputs("  test ", f);
                cs_report_put_term(f, o->test);
            }
            fputc('\n', f);
        }
    }
}

static void json_time(cs_jsonw *w, int64_t t)
{
    char buf[40];
    cs_jsonw_str(w, iso(buf, sizeof buf, t, false));
}

static void json(FILE *f, const cs_history_list *l, const cs_history_query *q, const char *db)
{
    cs_jsonw w;
    cs_jsonw_init(&w, f);
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "version");
    cs_jsonw_int(&w, 1);
    cs_jsonw_key(&w, "database");
    cs_jsonw_str(&w, db);
    cs_jsonw_key(&w, "since");
    if (q->since != INT64_MIN)
        json_time(&w, q->since);
    else
        cs_jsonw_null(&w);
    cs_jsonw_key(&w, "until");
    if (q->until != INT64_MAX)
        json_time(&w, q->until);
    else
        cs_jsonw_null(&w);
    cs_jsonw_key(&w, "batches");
    cs_jsonw_int(&w, l->n_batches);
    cs_jsonw_key(&w, "trend_batches");
    cs_jsonw_arr(&w);
    for (size_t i = 0; i < l->n_trend; i++)
        json_time(&w, l->trend_time[i]);
    cs_jsonw_arr_end(&w);
    cs_jsonw_key(&w, "items");
    cs_jsonw_arr(&w);
    for (size_t i = 0; i < l->n_rows; i++) {
        const cs_history_row *r = &l->rows[i];
        cs_jsonw_obj(&w);
        cs_jsonw_key(&w, "id");
        cs_jsonw_str(&w, r->id);
        cs_jsonw_key(&w, "type");
        cs_jsonw_str(&w, r->race ? "race" : "cluster");
        cs_jsonw_key(&w, "kind");
        cs_jsonw_str(&w, r->kind);
        cs_jsonw_key(&w, "signature");
        cs_jsonw_str(&w, r->signature);
        cs_jsonw_key(&w, "headline");
        cs_jsonw_str(&w, r->headline);
        cs_jsonw_key(&w, "status");
        cs_jsonw_str(&w, cs_history_state_name(r->last_state));
        cs_jsonw_key(&w, "first_seen");
        json_time(&w, r->first_seen);
        cs_jsonw_key(&w, "last_seen");
        json_time(&w, r->last_seen);
        cs_jsonw_key(&w, "batches");
        cs_jsonw_uint(&w, r->batches);
        cs_jsonw_key(&w, "total");
        cs_jsonw_uint(&w, r->total);
        cs_jsonw_key(&w, "trend");
        cs_jsonw_arr(&w);
        for (size_t k = 0; k < l->n_trend; k++)
            cs_jsonw_uint(&w, r->trend[k]);
        cs_jsonw_arr_end(&w);
        cs_jsonw_obj_end(&w);
    }
    cs_jsonw_arr_end(&w);
    if (!q->id) {
        cs_jsonw_key(&w, "tests");
        cs_jsonw_arr(&w);
        for (size_t i = 0; i < l->n_tests; i++) {
            const cs_history_test_row *t = &l->tests[i];
            cs_jsonw_obj(&w);
            cs_jsonw_key(&w, "name");
            cs_jsonw_str(&w, t->name);
            cs_jsonw_key(&w, "package");
            cs_jsonw_str(&w, t->package);
            static const char *const keys[] = {"batches",  "runs",  "passes",
                                               "failures", "skips", "failing_batches"};
            const uint64_t vals[] = {t->batches,  t->runs,  t->passes,
                                     t->failures, t->skips, t->failing_batches};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                cs_jsonw_key(&w, keys[k]);
                cs_jsonw_uint(&w, vals[k]);
            }
            cs_jsonw_key(&w, "first_failure");
            json_time(&w, t->first_failure);
            cs_jsonw_key(&w, "last_failure");
            json_time(&w, t->last_failure);
            cs_jsonw_key(&w, "first_failure_batch");
            cs_jsonw_int(&w, t->first_failure_batch);
            cs_jsonw_key(&w, "flaky_last");
            cs_jsonw_bool(&w, t->flaky_last);
            cs_jsonw_key(&w, "became_flaky");
            cs_jsonw_bool(&w, t->became_flaky);
            cs_jsonw_key(&w, "passes_before");
            cs_jsonw_uint(&w, t->passes_before);
            cs_jsonw_key(&w, "passing_batches_before");
            cs_jsonw_uint(&w, t->passing_batches_before);
            cs_jsonw_obj_end(&w);
        }
        cs_jsonw_arr_end(&w);
    }
    if (q->id) {
        cs_jsonw_key(&w, "occurrences");
        cs_jsonw_arr(&w);
        for (size_t i = 0; i < l->n_occs; i++) {
            const cs_history_occ *o = &l->occs[i];
            cs_jsonw_obj(&w);
            cs_jsonw_key(&w, "batch");
            cs_jsonw_int(&w, o->batch);
            cs_jsonw_key(&w, "time");
            json_time(&w, o->time);
            cs_jsonw_key(&w, "source");
            cs_jsonw_str(&w, o->source);
            cs_jsonw_key(&w, "line");
            if (o->line)
                cs_jsonw_uint(&w, o->line);
            else
                cs_jsonw_null(&w);
            cs_jsonw_key(&w, "test");
            cs_jsonw_str(&w, o->test);
            cs_jsonw_key(&w, "artifact");
            cs_jsonw_str(&w, o->artifact);
            cs_jsonw_key(&w, "kind");
            cs_jsonw_str(&w, o->kind);
            cs_jsonw_key(&w, "evidence");
            cs_jsonw_str(&w, o->evidence);
            cs_jsonw_key(&w, "content_hash");
            cs_jsonw_str(&w, o->hash);
            cs_jsonw_obj_end(&w);
        }
        cs_jsonw_arr_end(&w);
    }
    cs_jsonw_obj_end(&w);
    fputc('\n', f);
}

int cs_report_history_list(FILE *f, const cs_history_list *l, const cs_history_query *q,
                           const char *db, bool as_json)
{
    if (as_json)
        json(f, l, q, db);
    else
        text(f, l, q);
    return ferror(f) ? CS_E_IO : CS_OK;
}
