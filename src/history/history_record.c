/* history_record.c - one batch recorded in one write transaction: its
 * clusters, race pairs, occurrences and test runs, each entity's status
 * (new, recurring, regressed) computed against the batches before it. */
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

/* ---- recording -------------------------------------------------------- */

static uint64_t hash_str(uint64_t h, const char *s)
{
    if (!s) return cs_hash64("\xff", 1, h); /* NULL differs from "" */
    return cs_hash64(s, strlen(s) + 1, h);
}

static uint64_t hash_num(uint64_t h, long long v)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%lld;", v);
    return cs_hash64(b, (size_t)n, h);
}

static uint64_t hash_frame(uint64_t h, const cs_frame *f)
{
    h = hash_str(h, f->function);
    h = hash_str(h, f->file);
    h = hash_num(h, f->line);
    h = hash_num(h, f->column);
    h = hash_str(h, f->module);
    h = hash_num(h, f->has_offset ? (long long)f->offset : -1);
    return hash_num(h, f->has_pc ? (long long)f->pc : -1);
}

/* The content hash of an occurrence. The model carries no hash of a
 * member's bytes, so this hashes what the extractor read from the member
 * for this trace: source, line range, signature, headline, test, and every
 * thread (header, ids, state, access address) and frame as printed. A later
 * CI run writing to the same path differs in goroutine ids, addresses or
 * lines in practice; only a byte-identical trace at the same place in the
 * same path counts as a re-feed (docs/history.md). */
static void content_hash(const cs_trace *t, char out[17])
{
    uint64_t h = CS_HASH_SEED;
    h = hash_str(h, cs_trace_kind_name(t->kind));
    h = hash_str(h, t->source);
    h = hash_num(h, (long long)t->line_start);
    h = hash_num(h, (long long)t->line_end);
    h = hash_num(h, (long long)t->seq);
    h = hash_str(h, t->signature);
    h = hash_str(h, t->headline);
    h = hash_str(h, t->test);
    for (size_t i = 0; i < t->n_threads; i++) {
        const cs_thread *th = &t->threads[i];
        h = hash_num(h, th->role);
        h = hash_str(h, th->name);
        h = hash_num(h, th->id);
        h = hash_str(h, th->state);
        h = hash_str(h, th->label);
        h = hash_str(h, th->access);
        h = hash_num(h, (long long)th->addr);
        h = hash_num(h, th->size);
        h = hash_num(h, th->created_by_id);
        if (th->created_by) h = hash_frame(h, th->created_by);
        for (size_t k = 0; k < th->n_frames; k++)
            h = hash_frame(h, &th->frames[k]);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

enum {
    ST_BATCH,
    ST_INPUT,
    ST_ENTITY,
    ST_PRIOR,
    ST_GAP,
    ST_OCC,
    ST_SIGHTING,
    ST_TEST_PRIOR,
    ST_TEST_RUN,
    ST_COUNT
};

/* In the dialect both engines speak (history_db.h). */
static const char *const record_sql[ST_COUNT] = {
    [ST_BATCH] = "INSERT INTO batches (time, tool_version, sig_version, n_traces, n_clusters, "
                 "n_races) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
    [ST_INPUT] = "INSERT INTO batch_inputs (batch_id, pos, path) VALUES (?1, ?2, ?3)",
    /* Signature, kind and headline follow the latest batch (a pair's
     * access types sharpen with more evidence); first_batch stays. */
    [ST_ENTITY] = "INSERT INTO entities (id, type, signature, kind, headline, first_batch) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET "
                  "signature = excluded.signature, kind = excluded.kind, "
                  "headline = excluded.headline",
    [ST_PRIOR] = "SELECT COUNT(*), MAX(s.batch_id), MIN(b.time), MAX(b.time), "
                 "COALESCE(SUM(s.n_new), 0) FROM sightings s JOIN batches b ON b.id = s.batch_id "
                 "WHERE s.entity_id = ?1 AND s.n_new > 0 AND s.batch_id < ?2",
    [ST_GAP] = "SELECT COUNT(*) FROM batches WHERE id > ?1 AND id < ?2",
    /* A row comes back only when the occurrence is new: re-fed ones hit the
     * unique (entity, source, content hash) key and are skipped. */
    [ST_OCC] = "INSERT INTO occurrences (entity_id, batch_id, source, line, test, artifact, "
               "kind, evidence, content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
               "ON CONFLICT DO NOTHING RETURNING id",
    [ST_SIGHTING] = "INSERT INTO sightings (batch_id, entity_id, status, n_seen, n_new) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_TEST_PRIOR] = "SELECT COUNT(*), COALESCE(SUM(runs), 0), COALESCE(SUM(failures), 0), "
                      "COALESCE(SUM(passes), 0) FROM test_runs "
                      "WHERE package = ?1 AND name = ?2 AND batch_id < ?3",
    /* Two summaries of one test in a batch (it cannot happen today) add up
     * rather than fail the batch. */
    [ST_TEST_RUN] =
        "INSERT INTO test_runs (batch_id, package, name, runs, passes, failures, skips) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (package, name, batch_id) "
        "DO UPDATE SET runs = test_runs.runs + excluded.runs, "
        "passes = test_runs.passes + excluded.passes, "
        "failures = test_runs.failures + excluded.failures, "
        "skips = test_runs.skips + excluded.skips",
};

typedef struct recorder {
    const cs_hdb_ops *ops;
    cs_hstmt *st[ST_COUNT];
    const cs_history_batch *b;
    int64_t batch_id;
    long die_after; /* test hook: SIGKILL after this many occurrence inserts; 0 off */
    long n_inserts;
} recorder;

/* Steps a statement that returns no rows (or whose rows do not matter),
 * then resets it. */
static int exec_stmt(const cs_hdb_ops *ops, cs_hstmt *st)
{
    int rc = ops->step(st);
    ops->reset(st);
    return rc < 0 ? rc : 0;
}

/* Steps a statement that returns one row; the caller reads and resets. */

/* The artifact of a source: the input path before the first '!'. */
static char *artifact_of(const char *source)
{
    const char *bang = strchr(source, '!');
    return bang ? cs_xstrndup(source, (size_t)(bang - source)) : cs_xstrdup(source);
}

typedef struct occ_ref {
    size_t trace;
    const char *evidence; /* NULL for clusters */
} occ_ref;

static int record_entity(recorder *r, const char *id, const char *type, const char *signature,
                         const char *kind, const char *headline, const occ_ref *occs, size_t n_occs,
                         cs_history_mark *mark)
{
    const cs_hdb_ops *ops = r->ops;
    const cs_results *res = r->b->res;
    cs_hstmt *st = r->st[ST_ENTITY];
    ops->bind_text(st, 1, id);
    ops->bind_text(st, 2, type);
    ops->bind_text(st, 3, signature ? signature : "");
    ops->bind_text(st, 4, kind);
    ops->bind_text(st, 5, headline);
    ops->bind_int(st, 6, r->batch_id);
    int rc = exec_stmt(ops, st);
    if (rc) return rc;

    st = r->st[ST_PRIOR];
    ops->bind_text(st, 1, id);
    ops->bind_int(st, 2, r->batch_id);
    if ((rc = cs_history_one_row(ops, st))) return rc;
    int64_t prior_n = ops->col_int(st, 0);
    int64_t prior_last = ops->col_int(st, 1);
    int64_t prior_first_t = ops->col_int(st, 2);
    int64_t prior_last_t = ops->col_int(st, 3);
    int64_t prior_total = ops->col_int(st, 4);
    ops->reset(st);

    uint64_t n_new = 0;
    st = r->st[ST_OCC];
    for (size_t i = 0; i < n_occs; i++) {
        const cs_trace *t = res->traces[occs[i].trace];
        char hash[17];
        content_hash(t, hash);
        char *artifact = artifact_of(t->source);
        ops->bind_text(st, 1, id);
        ops->bind_int(st, 2, r->batch_id);
        ops->bind_text(st, 3, t->source);
        if (t->line_start)
            ops->bind_int(st, 4, (int64_t)t->line_start);
        else
            ops->bind_null(st, 4);
        ops->bind_text(st, 5, t->test);
        ops->bind_text(st, 6, artifact);
        ops->bind_text(st, 7, cs_trace_kind_name(t->kind));
        ops->bind_text(st, 8, occs[i].evidence);
        ops->bind_text(st, 9, hash);
        rc = ops->step(st);
        ops->reset(st);
        free(artifact);
        if (rc < 0) return rc;
        n_new += rc == CS_HDB_ROW;
        /* Test hook: die the hardest way mid-batch, to show the database
         * keeps its state from before the batch. */
        if (r->die_after && ++r->n_inserts >= r->die_after) raise(SIGKILL);
    }

    cs_history_state state = CS_HISTORY_NEW;
    if (prior_n > 0) {
        state = CS_HISTORY_RECURRING;
        st = r->st[ST_GAP];
        ops->bind_int(st, 1, prior_last);
        ops->bind_int(st, 2, r->batch_id);
        if ((rc = cs_history_one_row(ops, st))) return rc;
        int64_t gap = ops->col_int(st, 0);
        ops->reset(st);
        /* A re-fed artifact is no evidence of a return: only new
         * occurrences can make a regression. */
        if (n_new > 0 && gap >= r->b->regress_after) state = CS_HISTORY_REGRESSED;
    }

    st = r->st[ST_SIGHTING];
    ops->bind_int(st, 1, r->batch_id);
    ops->bind_text(st, 2, id);
    ops->bind_text(st, 3, cs_history_state_name(state));
    ops->bind_int(st, 4, (int64_t)n_occs);
    ops->bind_int(st, 5, (int64_t)n_new);
    if ((rc = exec_stmt(ops, st))) return rc;

    mark->state = state;
    mark->n_new = n_new;
    mark->first_seen = prior_n > 0 ? prior_first_t : r->b->time;
    mark->last_seen = n_new > 0 ? r->b->time : prior_last_t;
    mark->batches = (uint64_t)prior_n + (n_new > 0);
    mark->total = (uint64_t)prior_total + n_new;
    return 0;
}

/* Every test's runs in this batch, and whether it started failing now. */
static int record_tests(recorder *r)
{
    const cs_hdb_ops *ops = r->ops;
    const cs_tests *tests = r->b->tests;
    for (size_t i = 0; tests && i < tests->n; i++) {
        const cs_test_summary *t = &tests->v[i];
        const char *pkg = t->package ? t->package : "";
        cs_hstmt *st = r->st[ST_TEST_PRIOR];
        ops->bind_text(st, 1, pkg);
        ops->bind_text(st, 2, t->name);
        ops->bind_int(st, 3, r->batch_id);
        int rc = cs_history_one_row(ops, st);
        if (rc) return rc;
        cs_history_test_mark m = {
            .prior_batches = (uint64_t)ops->col_int(st, 0),
            .prior_runs = (uint64_t)ops->col_int(st, 1),
            .prior_failures = (uint64_t)ops->col_int(st, 2),
        };
        uint64_t prior_passes = (uint64_t)ops->col_int(st, 3);
        ops->reset(st);
        m.became_failing = t->failures > 0 && m.prior_failures == 0 && prior_passes > 0;
        if (r->b->test_marks) r->b->test_marks[i] = m;
        st = r->st[ST_TEST_RUN];
        ops->bind_int(st, 1, r->batch_id);
        ops->bind_text(st, 2, pkg);
        ops->bind_text(st, 3, t->name);
        ops->bind_int(st, 4, (int64_t)t->runs);
        ops->bind_int(st, 5, (int64_t)t->passes);
        ops->bind_int(st, 6, (int64_t)t->failures);
        ops->bind_int(st, 7, (int64_t)t->skips);
        if ((rc = exec_stmt(ops, st))) return rc;
    }
    return 0;
}

static int record_all(recorder *r, cs_history_mark *cm, cs_history_mark *rm)
{
    const cs_hdb_ops *ops = r->ops;
    const cs_history_batch *b = r->b;
    cs_hstmt *st = r->st[ST_BATCH];
    ops->bind_int(st, 1, b->time);
    ops->bind_text(st, 2, b->tool_version ? b->tool_version : "");
    ops->bind_text(st, 3, b->sig_version ? b->sig_version : "");
    ops->bind_int(st, 4, (int64_t)b->res->n_traces);
    ops->bind_int(st, 5, (int64_t)(b->clusters ? b->clusters->n : 0));
    ops->bind_int(st, 6, (int64_t)(b->races ? b->races->n : 0));
    int rc = cs_history_one_row(ops, st);
    if (rc) return rc;
    /* The engine hands out the id (a rowid under SQLite's write lock, an
     * identity under PostgreSQL's): unique per batch, whoever else writes. */
    r->batch_id = ops->col_int(st, 0);
    ops->reset(st);
    for (size_t i = 0; i < b->n_inputs; i++) {
        st = r->st[ST_INPUT];
        ops->bind_int(st, 1, r->batch_id);
        ops->bind_int(st, 2, (int64_t)i);
        ops->bind_text(st, 3, b->inputs[i]);
        if ((rc = exec_stmt(ops, st))) return rc;
    }

    occ_ref *occs = NULL;
    size_t cap = 0;
    for (size_t i = 0; b->clusters && i < b->clusters->n && rc == 0; i++) {
        const cs_cluster *c = &b->clusters->v[i];
        const cs_trace *rep = b->res->traces[c->rep];
        cs_grow((void **)&occs, &cap, c->n_traces + 1, sizeof *occs);
        for (size_t k = 0; k < c->n_traces; k++)
            occs[k] = (occ_ref){c->traces[k], NULL};
        rc = record_entity(r, c->id, "cluster", c->signature, cs_trace_kind_name(rep->kind),
                           rep->headline, occs, c->n_traces, &cm[i]);
    }
    for (size_t i = 0; b->races && i < b->races->n && rc == 0; i++) {
        const cs_race *race = &b->races->v[i];
        cs_grow((void **)&occs, &cap, race->n_links + 1, sizeof *occs);
        for (size_t k = 0; k < race->n_links; k++)
            occs[k] = (occ_ref){race->links[k].trace, cs_evidence_name(race->links[k].evidence)};
        const cs_site *s = race->sites;
        char *sig = cs_xasprintf("%s (%s) ~ %s (%s)", s[0].function ? s[0].function : "?",
                                 s[0].file ? s[0].file : "?", s[1].function ? s[1].function : "?",
                                 s[1].file ? s[1].file : "?");
        rc = record_entity(r, race->id, "race", sig, race->map_race ? "map-race" : "data-race",
                           cs_race_access_types(race), occs, race->n_links, &rm[i]);
        free(sig);
    }
    free(occs);
    if (rc == 0) rc = record_tests(r);
    return rc;
}

/* A pause before running a transaction again that grows with each try and
 * differs between processes, so writers that collided do not collide again
 * in step. */
static void backoff(int attempt)
{
    unsigned us = (20000u << (attempt < 6 ? attempt : 6)) + (unsigned)(getpid() % 97) * 500u;
    usleep(us);
}

/* One attempt: the whole batch in one write transaction. */
static int record_once(cs_history *h, recorder *r, cs_history_mark *cm, cs_history_mark *rm)
{
    const cs_hdb_ops *ops = h->ops;
    int rc = 0;
    for (int i = 0; i < ST_COUNT && rc == 0; i++)
        rc = ops->prepare(h->db, record_sql[i], &r->st[i]);
    bool in_tx = false;
    if (rc == 0 && (rc = ops->begin(h->db, true)) == 0) in_tx = true;
    if (rc == 0) rc = record_all(r, cm, rm);
    if (rc == 0) rc = ops->commit(h->db);
    if (rc != 0) {
        cs_history_set_err(h, ops->describe(h->db, "cannot record the batch", rc));
        if (in_tx) ops->rollback(h->db);
    }
    for (int i = 0; i < ST_COUNT; i++) {
        if (r->st[i]) ops->finalize(r->st[i]);
        r->st[i] = NULL;
    }
    return rc;
}

int cs_history_record(cs_history *h, const cs_history_batch *b, cs_history_mark **clusters_out,
                      cs_history_mark **races_out, int64_t *batch_id)
{
    recorder r = {.ops = h->ops, .b = b};
    const char *die = getenv("CRASHSIFT_TEST_DIE_AFTER");
    if (die && *die) r.die_after = atol(die);
    size_t nc = b->clusters ? b->clusters->n : 0, nr = b->races ? b->races->n : 0;
    cs_history_mark *cm = cs_xcalloc(nc + 1, sizeof *cm);
    cs_history_mark *rm = cs_xcalloc(nr + 1, sizeof *rm);
    int rc;
    /* A serialization failure or deadlock rolled everything back: the batch
     * is run again from the start, against what is committed now. */
    for (int attempt = 0;; attempt++) {
        rc = record_once(h, &r, cm, rm);
        if (rc != CS_HDB_ERETRY || attempt + 1 >= CS_HISTORY_MAX_RETRIES) break;
        memset(cm, 0, (nc + 1) * sizeof *cm);
        memset(rm, 0, (nr + 1) * sizeof *rm);
        backoff(attempt);
    }
    if (rc != 0) {
        free(cm);
        free(rm);
        return cs_history_code_of(rc);
    }
    *clusters_out = cm;
    *races_out = rm;
    if (batch_id) *batch_id = r.batch_id;
    return CS_OK;
}
