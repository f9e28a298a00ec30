/* history_query.c - the listings crashsift history shows: clusters, race
 * pairs and tests in a time window with their trends, one id's
 * occurrences. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/error.h"
#include "../base/util.h"
#include "history.h"
#include "history_db.h"
#include "history_internal.h"

/* ---- reading ---------------------------------------------------------- */

static char *col_str(const cs_hdb_ops *ops, cs_hstmt *st, int i)
{
    const char *t = ops->col_text(st, i);
    return t ? cs_xstrdup(t) : NULL;
}

void cs_history_list_dispose(cs_history_list *l)
{
    for (size_t i = 0; i < l->n_rows; i++) {
        free(l->rows[i].signature);
        free(l->rows[i].kind);
        free(l->rows[i].headline);
    }
    free(l->rows);
    for (size_t i = 0; i < l->n_occs; i++) {
        cs_history_occ *o = &l->occs[i];
        free(o->source);
        free(o->test);
        free(o->artifact);
        free(o->kind);
        free(o->evidence);
        free(o->hash);
    }
    free(l->occs);
    for (size_t i = 0; i < l->n_tests; i++) {
        free(l->tests[i].package);
        free(l->tests[i].name);
    }
    free(l->tests);
    memset(l, 0, sizeof *l);
}

static const char *const sql_count = "SELECT COUNT(*) FROM batches WHERE time BETWEEN ?1 AND ?2";
/* The trend covers the window's last CS_HISTORY_TREND batches. */
static const char *const sql_trend = "SELECT id, time FROM batches WHERE time BETWEEN ?1 AND ?2 "
                                     "ORDER BY id DESC LIMIT ?3";
static const char *const sql_rows =
    "SELECT e.id, e.type, e.signature, e.kind, e.headline, MIN(b.time), MAX(b.time), "
    "COUNT(*), SUM(s.n_new), "
    " (SELECT s2.status FROM sightings s2 JOIN batches b2 ON b2.id = s2.batch_id"
    "  WHERE s2.entity_id = e.id AND s2.n_new > 0 AND b2.time BETWEEN ?1 AND ?2"
    "  ORDER BY s2.batch_id DESC LIMIT 1) "
    "FROM entities e JOIN sightings s ON s.entity_id = e.id "
    "JOIN batches b ON b.id = s.batch_id "
    "WHERE s.n_new > 0 AND b.time BETWEEN ?1 AND ?2 AND (?3 IS NULL OR e.id = ?3) "
    "GROUP BY e.id ORDER BY MAX(b.time) DESC, MAX(b.id) DESC, e.id";
static const char *const sql_row_trend = "SELECT batch_id, n_new FROM sightings "
                                         "WHERE entity_id = ?1 AND batch_id >= ?2";
static const char *const sql_occs =
    "SELECT o.batch_id, b.time, o.source, o.line, o.test, o.artifact, "
    "o.kind, o.evidence, o.content_hash FROM occurrences o "
    "JOIN batches b ON b.id = o.batch_id "
    "WHERE o.entity_id = ?1 AND b.time BETWEEN ?2 AND ?3 "
    "ORDER BY o.batch_id, o.source, o.line, o.id";

/* Tests with a failure in the window; newest first failure first. */
static const char *const sql_tests =
    "SELECT t.package, t.name, COUNT(*), SUM(t.runs), SUM(t.passes), SUM(t.failures), "
    "SUM(t.skips), SUM(CASE WHEN t.failures > 0 THEN 1 ELSE 0 END), "
    "MIN(CASE WHEN t.failures > 0 THEN b.time END), MAX(CASE WHEN t.failures > 0 THEN b.time END) "
    "FROM test_runs t JOIN batches b ON b.id = t.batch_id WHERE b.time BETWEEN ?1 AND ?2 "
    "GROUP BY t.package, t.name HAVING SUM(t.failures) > 0 "
    "ORDER BY MIN(CASE WHEN t.failures > 0 THEN t.batch_id END) DESC, t.package, t.name";
/* Its first failing batch ever, and what ran before it. */
static const char *const sql_test_first =
    "SELECT MIN(batch_id) FROM test_runs WHERE package = ?1 AND name = ?2 AND failures > 0";
static const char *const sql_test_before =
    "SELECT COUNT(*), COALESCE(SUM(passes), 0) FROM test_runs "
    "WHERE package = ?1 AND name = ?2 AND batch_id < ?3 AND passes > 0";
static const char *const sql_test_last =
    "SELECT t.passes, t.failures FROM test_runs t JOIN batches b ON b.id = t.batch_id "
    "WHERE t.package = ?1 AND t.name = ?2 AND b.time BETWEEN ?3 AND ?4 "
    "ORDER BY t.batch_id DESC LIMIT 1";

static int query_tests(cs_history *h, const cs_history_query *q, cs_history_list *out)
{
    const cs_hdb_ops *ops = h->ops;
    cs_hstmt *st = NULL, *first = NULL, *before = NULL, *last = NULL;
    size_t cap = 0;
    int rc;
    if ((rc = ops->prepare(h->db, sql_tests, &st)) ||
        (rc = ops->prepare(h->db, sql_test_first, &first)) ||
        (rc = ops->prepare(h->db, sql_test_before, &before)) ||
        (rc = ops->prepare(h->db, sql_test_last, &last)))
        goto done;
    ops->bind_int(st, 1, q->since);
    ops->bind_int(st, 2, q->until);
    while ((rc = ops->step(st)) == CS_HDB_ROW) {
        cs_grow((void **)&out->tests, &cap, out->n_tests + 1, sizeof *out->tests);
        cs_history_test_row *t = &out->tests[out->n_tests++];
        memset(t, 0, sizeof *t);
        const char *pkg = ops->col_text(st, 0);
        t->package = pkg && *pkg ? cs_xstrdup(pkg) : NULL;
        t->name = col_str(ops, st, 1);
        if (!t->name) t->name = cs_xstrdup("");
        t->batches = (uint64_t)ops->col_int(st, 2);
        t->runs = (uint64_t)ops->col_int(st, 3);
        t->passes = (uint64_t)ops->col_int(st, 4);
        t->failures = (uint64_t)ops->col_int(st, 5);
        t->skips = (uint64_t)ops->col_int(st, 6);
        t->failing_batches = (uint64_t)ops->col_int(st, 7);
        t->first_failure = ops->col_int(st, 8);
        t->last_failure = ops->col_int(st, 9);
    }
    if (rc < 0) goto done;
    for (size_t i = 0; i < out->n_tests; i++) {
        cs_history_test_row *t = &out->tests[i];
        const char *pkg = t->package ? t->package : "";
        ops->bind_text(first, 1, pkg);
        ops->bind_text(first, 2, t->name);
        if ((rc = cs_history_one_row(ops, first))) goto done;
        t->first_failure_batch = ops->col_int(first, 0);
        ops->reset(first);
        ops->bind_text(before, 1, pkg);
        ops->bind_text(before, 2, t->name);
        ops->bind_int(before, 3, t->first_failure_batch);
        if ((rc = cs_history_one_row(ops, before))) goto done;
        t->passing_batches_before = (uint64_t)ops->col_int(before, 0);
        t->passes_before = (uint64_t)ops->col_int(before, 1);
        ops->reset(before);
        t->became_flaky = t->passes_before > 0;
        ops->bind_text(last, 1, pkg);
        ops->bind_text(last, 2, t->name);
        ops->bind_int(last, 3, q->since);
        ops->bind_int(last, 4, q->until);
        if ((rc = cs_history_one_row(ops, last))) goto done;
        t->flaky_last = ops->col_int(last, 0) > 0 && ops->col_int(last, 1) > 0;
        ops->reset(last);
    }
    rc = 0;
done:
    if (st) ops->finalize(st);
    if (first) ops->finalize(first);
    if (before) ops->finalize(before);
    if (last) ops->finalize(last);
    return rc;
}

static int query_run(cs_history *h, const cs_history_query *q, cs_history_list *out)
{
    const cs_hdb_ops *ops = h->ops;
    cs_hstmt *st = NULL;
    int rc;
    size_t cap_rows = 0, cap_occs = 0;
    int64_t trend_id[CS_HISTORY_TREND];

    if ((rc = ops->prepare(h->db, sql_count, &st))) goto done;
    ops->bind_int(st, 1, q->since);
    ops->bind_int(st, 2, q->until);
    if ((rc = cs_history_one_row(ops, st))) goto done;
    out->n_batches = ops->col_int(st, 0);
    ops->finalize(st);
    st = NULL;

    if ((rc = ops->prepare(h->db, sql_trend, &st))) goto done;
    ops->bind_int(st, 1, q->since);
    ops->bind_int(st, 2, q->until);
    ops->bind_int(st, 3, CS_HISTORY_TREND);
    size_t nt = 0;
    while ((rc = ops->step(st)) == CS_HDB_ROW && nt < CS_HISTORY_TREND) {
        trend_id[nt] = ops->col_int(st, 0);
        out->trend_time[nt++] = ops->col_int(st, 1);
    }
    if (rc < 0) goto done;
    for (size_t i = 0; i < nt / 2; i++) { /* oldest first */
        int64_t a = trend_id[i], t = out->trend_time[i];
        trend_id[i] = trend_id[nt - 1 - i];
        out->trend_time[i] = out->trend_time[nt - 1 - i];
        trend_id[nt - 1 - i] = a;
        out->trend_time[nt - 1 - i] = t;
    }
    out->n_trend = nt;
    ops->finalize(st);
    st = NULL;

    if ((rc = ops->prepare(h->db, sql_rows, &st))) goto done;
    ops->bind_int(st, 1, q->since);
    ops->bind_int(st, 2, q->until);
    ops->bind_text(st, 3, q->id);
    while ((rc = ops->step(st)) == CS_HDB_ROW) {
        cs_grow((void **)&out->rows, &cap_rows, out->n_rows + 1, sizeof *out->rows);
        cs_history_row *row = &out->rows[out->n_rows++];
        memset(row, 0, sizeof *row);
        const char *id = ops->col_text(st, 0);
        snprintf(row->id, sizeof row->id, "%s", id ? id : "");
        const char *type = ops->col_text(st, 1);
        row->race = type && strcmp(type, "race") == 0;
        row->signature = col_str(ops, st, 2);
        row->kind = col_str(ops, st, 3);
        row->headline = col_str(ops, st, 4);
        row->first_seen = ops->col_int(st, 5);
        row->last_seen = ops->col_int(st, 6);
        row->batches = (uint64_t)ops->col_int(st, 7);
        row->total = (uint64_t)ops->col_int(st, 8);
        row->last_state = cs_history_state_parse(ops->col_text(st, 9));
    }
    if (rc < 0) goto done;
    ops->finalize(st);
    st = NULL;

    if (nt > 0) {
        if ((rc = ops->prepare(h->db, sql_row_trend, &st))) goto done;
        for (size_t i = 0; i < out->n_rows; i++) {
            cs_history_row *row = &out->rows[i];
            ops->bind_text(st, 1, row->id);
            ops->bind_int(st, 2, trend_id[0]);
            while ((rc = ops->step(st)) == CS_HDB_ROW) {
                int64_t bid = ops->col_int(st, 0);
                for (size_t k = 0; k < nt; k++)
                    if (trend_id[k] == bid) row->trend[k] = (uint64_t)ops->col_int(st, 1);
            }
            if (rc < 0) goto done;
            ops->reset(st);
        }
        ops->finalize(st);
        st = NULL;
    }

    if (q->id) {
        if ((rc = ops->prepare(h->db, sql_occs, &st))) goto done;
        ops->bind_text(st, 1, q->id);
        ops->bind_int(st, 2, q->since);
        ops->bind_int(st, 3, q->until);
        while ((rc = ops->step(st)) == CS_HDB_ROW) {
            cs_grow((void **)&out->occs, &cap_occs, out->n_occs + 1, sizeof *out->occs);
            cs_history_occ *o = &out->occs[out->n_occs++];
            o->batch = ops->col_int(st, 0);
            o->time = ops->col_int(st, 1);
            o->source = col_str(ops, st, 2);
            o->line = (uint64_t)ops->col_int(st, 3);
            o->test = col_str(ops, st, 4);
            o->artifact = col_str(ops, st, 5);
            o->kind = col_str(ops, st, 6);
            o->evidence = col_str(ops, st, 7);
            o->hash = col_str(ops, st, 8);
        }
        if (rc < 0) goto done;
    } else if ((rc = query_tests(h, q, out))) {
        goto done;
    }
    rc = 0;
done:
    if (st) ops->finalize(st);
    return rc;
}

int cs_history_query_run(cs_history *h, const cs_history_query *q, cs_history_list *out)
{
    memset(out, 0, sizeof *out);
    /* One read transaction: every list sees the same committed batches
     * even while another run writes. */
    int rc = h->ops->begin(h->db, false);
    if (rc == 0) rc = query_run(h, q, out);
    if (rc == 0) rc = h->ops->commit(h->db);
    if (rc != 0) {
        cs_history_set_err(h, h->ops->describe(h->db, "cannot read", rc));
        h->ops->rollback(h->db);
        cs_history_list_dispose(out);
        return cs_history_code_of(rc);
    }
    if (q->id && out->n_rows == 0) {
        cs_history_set_err(h,
                           cs_xasprintf("no cluster or race pair '%s' in history database '%s'%s",
                                        q->id, cs_history_display(h),
                                        q->since != INT64_MIN || q->until != INT64_MAX
                                            ? " between the dates given"
                                            : ""));
        cs_history_list_dispose(out);
        return CS_E_NOTFOUND;
    }
    return CS_OK;
}
