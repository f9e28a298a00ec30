/* history.c - the recurring-crash history database (see history.h and
 * docs/history.md). Every statement is prepared with bound parameters:
 * nothing from an artifact is ever spliced into SQL. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../base/error.h"
#include "../base/util.h"
#include "history.h"
#include "history_internal.h"

struct cs_history {
    sqlite3 *db;
    char *path;
    char *err;
};

static const char *const state_names[] = {"new", "recurring", "regressed"};

const char *cs_history_state_name(cs_history_state s)
{
    return (unsigned)s < CS_ARRAY_LEN(state_names) ? state_names[s] : "?";
}

static cs_history_state state_parse(const char *s)
{
    for (size_t i = 0; s && i < CS_ARRAY_LEN(state_names); i++)
        if (strcmp(s, state_names[i]) == 0) return (cs_history_state)i;
    return CS_HISTORY_RECURRING;
}

int64_t cs_history_now(void)
{
    const char *s = getenv("CRASHSIFT_NOW");
    if (s && *s) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!errno && !*end) return v;
    }
    return (int64_t)time(NULL);
}

const char *cs_history_errmsg(const cs_history *h)
{
    return h && h->err ? h->err : "no error";
}

static void set_err(cs_history *h, char *msg)
{
    free(h->err);
    h->err = msg;
}

/* ---- opening ---------------------------------------------------------- */

/* Runs a one-row query and copies its first column as text (or NULL). */
static int query_text(sqlite3 *db, const char *sql, char **out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(st);
    *out = NULL;
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        *out = cs_xstrdup(t ? (const char *)t : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static int user_version(sqlite3 *db, int *out)
{
    char *v = NULL;
    int rc = query_text(db, "PRAGMA user_version", &v);
    if (rc == SQLITE_OK) *out = v ? atoi(v) : 0;
    free(v);
    return rc;
}

static bool corrupt_code(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
}

static char *msg_corrupt(const char *path, const char *why)
{
    /* quick_check reports many lines: keep the message to one, and short. */
    char one[160];
    size_t n = 0;
    if (strncmp(why, "*** in database main ***\n", 25) == 0) why += 25;
    for (; *why && n + 4 < sizeof one; why++)
        one[n++] = *why == '\n' ? ';' : (unsigned char)*why < 0x20 ? ' ' : *why;
    if (*why) one[n++] = '.', one[n++] = '.', one[n++] = '.';
    one[n] = '\0';
    why = one;
    return cs_xasprintf("history database '%s' is corrupt (%s); it was left untouched: "
                        "restore it from a backup or give another --db file",
                        path, why);
}

static char *msg_newer(const char *path, int v)
{
    return cs_xasprintf("history database '%s' has schema version %d, newer than this "
                        "crashsift reads (%d): upgrade crashsift or give another --db file",
                        path, v, CS_HISTORY_SCHEMA_VERSION);
}

static char *msg_sqlite(const char *path, const char *what, sqlite3 *db, int rc)
{
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return cs_xasprintf("history database '%s' is busy: another run held it for over %d s; "
                            "try again",
                            path, CS_HISTORY_BUSY_TIMEOUT_MS / 1000);
    return cs_xasprintf("history database '%s': %s: %s", path, what,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* Checks an existing file through a read-only connection first, so that
 * nothing is written to a file that is not ours or not healthy. */
static int check_existing(const char *path, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = cs_xasprintf("cannot open history database '%s': %s", path, strerror(errno));
        return CS_E_IO;
    }
    char head[16];
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    if (n != (ssize_t)sizeof head || memcmp(head, "SQLite format 3", 16) != 0) {
        *err = msg_corrupt(path, "not an SQLite database");
        return CS_E_CORRUPT;
    }
    sqlite3 *db = NULL;
    int ret = CS_OK;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        *err = msg_sqlite(path, "cannot open", db, rc);
        ret = CS_E_IO;
        goto done;
    }
    sqlite3_busy_timeout(db, CS_HISTORY_BUSY_TIMEOUT_MS);
    int v = 0;
    rc = user_version(db, &v);
    if (rc != SQLITE_OK) {
        *err = corrupt_code(rc) ? msg_corrupt(path, sqlite3_errmsg(db))
                                : msg_sqlite(path, "cannot read", db, rc);
        ret = corrupt_code(rc) ? CS_E_CORRUPT : CS_E_IO;
        goto done;
    }
    if (v > CS_HISTORY_SCHEMA_VERSION) {
        *err = msg_newer(path, v);
        ret = CS_E_UNSUPPORTED;
        goto done;
    }
    char *qc = NULL;
    rc = query_text(db, "PRAGMA quick_check", &qc);
    if (rc != SQLITE_OK || !qc || strcmp(qc, "ok") != 0) {
        bool corrupt = rc == SQLITE_OK || corrupt_code(rc);
        *err = corrupt ? msg_corrupt(path, qc ? qc : sqlite3_errmsg(db))
                       : msg_sqlite(path, "cannot check", db, rc);
        ret = corrupt ? CS_E_CORRUPT : CS_E_IO;
    }
    free(qc);
done:
    sqlite3_close(db);
    return ret;
}

/* WAL mode is persistent; switching needs a moment alone with the file, so
 * a concurrent first open may see SQLITE_BUSY and retries. */
static int set_wal(sqlite3 *db)
{
    for (int tries = 0;; tries++) {
        char *mode = NULL;
        int rc = query_text(db, "PRAGMA journal_mode = WAL", &mode);
        bool ok = rc == SQLITE_OK && mode && strcmp(mode, "wal") == 0;
        free(mode);
        if (ok) return SQLITE_OK;
        if (rc == SQLITE_OK) rc = SQLITE_ERROR;
        if ((rc & 0xff) != SQLITE_BUSY || tries >= 100) return rc;
        sqlite3_sleep(100);
    }
}

int cs_history_open(cs_history **out, const char *path, bool create, char **errmsg)
{
    char *err = NULL;
    int ret = CS_OK;
    sqlite3 *db = NULL;
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            err = cs_xasprintf("history database '%s' is not a regular file", path);
            ret = CS_E_IO;
            goto done;
        }
        if (sb.st_size > 0 && (ret = check_existing(path, &err)) != CS_OK) goto done;
    } else if (errno != ENOENT) {
        err = cs_xasprintf("cannot open history database '%s': %s", path, strerror(errno));
        ret = CS_E_IO;
        goto done;
    } else if (!create) {
        err = cs_xasprintf("no history database '%s': record batches into it first with "
                           "'crashsift triage --db %s PATH...'",
                           path, path);
        ret = CS_E_NOTFOUND;
        goto done;
    }

    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        err = msg_sqlite(path, "cannot open", db, rc);
        ret = CS_E_IO;
        goto done;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, CS_HISTORY_BUSY_TIMEOUT_MS);
    /* Sorts and temporary tables stay in memory: the database and its
     * -wal/-shm are the only files written. */
    rc = sqlite3_exec(db, "PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON", NULL, NULL,
                      NULL);
    if (rc == SQLITE_OK) rc = set_wal(db);
    if (rc != SQLITE_OK) {
        err = corrupt_code(rc) ? msg_corrupt(path, sqlite3_errmsg(db))
                               : msg_sqlite(path, "cannot open", db, rc);
        ret = corrupt_code(rc) ? CS_E_CORRUPT : CS_E_IO;
        goto done;
    }
    int v = 0;
    if ((rc = user_version(db, &v)) != SQLITE_OK) goto sqlfail;
    if (v < CS_HISTORY_SCHEMA_VERSION) {
        /* Read again under the write lock: a concurrent run may have
         * migrated meanwhile. */
        if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
            goto sqlfail;
        char *e = NULL;
        if ((rc = user_version(db, &v)) == SQLITE_OK && v < CS_HISTORY_SCHEMA_VERSION)
            rc = cs_history_schema_migrate(db, v, &e);
        if (rc == SQLITE_OK && v <= CS_HISTORY_SCHEMA_VERSION)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK || v > CS_HISTORY_SCHEMA_VERSION) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            if (rc == SQLITE_OK) {
                err = msg_newer(path, v);
                ret = CS_E_UNSUPPORTED;
            } else {
                err = cs_xasprintf("history database '%s': cannot upgrade the schema: %s", path,
                                   e ? e : sqlite3_errmsg(db));
                ret = CS_E_IO;
            }
            sqlite3_free(e);
            goto done;
        }
    } else if (v > CS_HISTORY_SCHEMA_VERSION) {
        err = msg_newer(path, v);
        ret = CS_E_UNSUPPORTED;
        goto done;
    }
    cs_history *h = cs_xcalloc(1, sizeof *h);
    h->db = db;
    h->path = cs_xstrdup(path);
    db = NULL;
    *out = h;
    goto done;
sqlfail:
    err = msg_sqlite(path, "cannot open", db, rc);
    ret = CS_E_IO;
done:
    sqlite3_close(db);
    if (ret != CS_OK) {
        if (errmsg) *errmsg = err;
        else free(err);
    }
    return ret;
}

void cs_history_free(cs_history *h)
{
    if (!h) return;
    sqlite3_close(h->db);
    free(h->path);
    free(h->err);
    free(h);
}

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
        for (size_t k = 0; k < th->n_frames; k++) h = hash_frame(h, &th->frames[k]);
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
    ST_COUNT
};

static const char *const record_sql[ST_COUNT] = {
    [ST_BATCH] = "INSERT INTO batches (time, tool_version, sig_version, n_traces, n_clusters, "
                 "n_races) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
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
    [ST_OCC] = "INSERT OR IGNORE INTO occurrences (entity_id, batch_id, source, line, test, "
               "artifact, kind, evidence, content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
               "?9)",
    [ST_SIGHTING] = "INSERT INTO sightings (batch_id, entity_id, status, n_seen, n_new) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
};

typedef struct recorder {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    const cs_history_batch *b;
    int64_t batch_id;
    long die_after; /* test hook: SIGKILL after this many occurrence inserts; 0 off */
    long n_inserts;
} recorder;

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no rows, then resets it. */
static int exec_stmt(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

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
                         const char *kind, const char *headline, const occ_ref *occs,
                         size_t n_occs, cs_history_mark *mark)
{
    const cs_results *res = r->b->res;
    sqlite3_stmt *st = r->st[ST_ENTITY];
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    bind_text(st, 3, signature ? signature : "");
    bind_text(st, 4, kind);
    bind_text(st, 5, headline);
    sqlite3_bind_int64(st, 6, r->batch_id);
    int rc = exec_stmt(st);
    if (rc != SQLITE_OK) return rc;

    st = r->st[ST_PRIOR];
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, r->batch_id);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc;
    }
    int64_t prior_n = sqlite3_column_int64(st, 0);
    int64_t prior_last = sqlite3_column_int64(st, 1);
    int64_t prior_first_t = sqlite3_column_int64(st, 2);
    int64_t prior_last_t = sqlite3_column_int64(st, 3);
    int64_t prior_total = sqlite3_column_int64(st, 4);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);

    uint64_t n_new = 0;
    st = r->st[ST_OCC];
    for (size_t i = 0; i < n_occs; i++) {
        const cs_trace *t = res->traces[occs[i].trace];
        char hash[17];
        content_hash(t, hash);
        char *artifact = artifact_of(t->source);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, r->batch_id);
        sqlite3_bind_text(st, 3, t->source, -1, SQLITE_TRANSIENT);
        if (t->line_start) sqlite3_bind_int64(st, 4, (sqlite3_int64)t->line_start);
        else sqlite3_bind_null(st, 4);
        bind_text(st, 5, t->test);
        sqlite3_bind_text(st, 6, artifact, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, cs_trace_kind_name(t->kind), -1, SQLITE_STATIC);
        bind_text(st, 8, occs[i].evidence);
        sqlite3_bind_text(st, 9, hash, -1, SQLITE_TRANSIENT);
        rc = exec_stmt(st);
        free(artifact);
        if (rc != SQLITE_OK) return rc;
        n_new += (uint64_t)sqlite3_changes(r->db);
        /* Test hook: die the hardest way mid-batch, to show the database
         * keeps its state from before the batch. */
        if (r->die_after && ++r->n_inserts >= r->die_after) raise(SIGKILL);
    }

    cs_history_state state = CS_HISTORY_NEW;
    if (prior_n > 0) {
        state = CS_HISTORY_RECURRING;
        st = r->st[ST_GAP];
        sqlite3_bind_int64(st, 1, prior_last);
        sqlite3_bind_int64(st, 2, r->batch_id);
        if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
            sqlite3_reset(st);
            return rc;
        }
        int64_t gap = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        /* A re-fed artifact is no evidence of a return: only new
         * occurrences can make a regression. */
        if (n_new > 0 && gap >= r->b->regress_after) state = CS_HISTORY_REGRESSED;
    }

    st = r->st[ST_SIGHTING];
    sqlite3_bind_int64(st, 1, r->batch_id);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, cs_history_state_name(state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)n_occs);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)n_new);
    if ((rc = exec_stmt(st)) != SQLITE_OK) return rc;

    mark->state = state;
    mark->n_new = n_new;
    mark->first_seen = prior_n > 0 ? prior_first_t : r->b->time;
    mark->last_seen = n_new > 0 ? r->b->time : prior_last_t;
    mark->batches = (uint64_t)prior_n + (n_new > 0);
    mark->total = (uint64_t)prior_total + n_new;
    return SQLITE_OK;
}

static int record_all(recorder *r, cs_history_mark *cm, cs_history_mark *rm)
{
    const cs_history_batch *b = r->b;
    sqlite3_stmt *st = r->st[ST_BATCH];
    sqlite3_bind_int64(st, 1, b->time);
    bind_text(st, 2, b->tool_version ? b->tool_version : "");
    bind_text(st, 3, b->sig_version ? b->sig_version : "");
    sqlite3_bind_int64(st, 4, (sqlite3_int64)b->res->n_traces);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)(b->clusters ? b->clusters->n : 0));
    sqlite3_bind_int64(st, 6, (sqlite3_int64)(b->races ? b->races->n : 0));
    int rc = exec_stmt(st);
    if (rc != SQLITE_OK) return rc;
    r->batch_id = sqlite3_last_insert_rowid(r->db);
    for (size_t i = 0; i < b->n_inputs; i++) {
        st = r->st[ST_INPUT];
        sqlite3_bind_int64(st, 1, r->batch_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        bind_text(st, 3, b->inputs[i]);
        if ((rc = exec_stmt(st)) != SQLITE_OK) return rc;
    }

    occ_ref *occs = NULL;
    size_t cap = 0;
    for (size_t i = 0; b->clusters && i < b->clusters->n && rc == SQLITE_OK; i++) {
        const cs_cluster *c = &b->clusters->v[i];
        const cs_trace *rep = b->res->traces[c->rep];
        cs_grow((void **)&occs, &cap, c->n_traces + 1, sizeof *occs);
        for (size_t k = 0; k < c->n_traces; k++) occs[k] = (occ_ref){c->traces[k], NULL};
        rc = record_entity(r, c->id, "cluster", c->signature, cs_trace_kind_name(rep->kind),
                           rep->headline, occs, c->n_traces, &cm[i]);
    }
    for (size_t i = 0; b->races && i < b->races->n && rc == SQLITE_OK; i++) {
        const cs_race *race = &b->races->v[i];
        cs_grow((void **)&occs, &cap, race->n_links + 1, sizeof *occs);
        for (size_t k = 0; k < race->n_links; k++)
            occs[k] = (occ_ref){race->links[k].trace, cs_evidence_name(race->links[k].evidence)};
        const cs_site *s = race->sites;
        char *sig = cs_xasprintf("%s (%s) ~ %s (%s)", s[0].function ? s[0].function : "?",
                                 s[0].file ? s[0].file : "?",
                                 s[1].function ? s[1].function : "?",
                                 s[1].file ? s[1].file : "?");
        rc = record_entity(r, race->id, "race", sig, race->map_race ? "map-race" : "data-race",
                           cs_race_access_types(race), occs, race->n_links, &rm[i]);
        free(sig);
    }
    free(occs);
    return rc;
}

int cs_history_record(cs_history *h, const cs_history_batch *b, cs_history_mark **clusters_out,
                      cs_history_mark **races_out, int64_t *batch_id)
{
    recorder r = {.db = h->db, .b = b};
    const char *die = getenv("CRASHSIFT_TEST_DIE_AFTER");
    if (die && *die) r.die_after = atol(die);
    size_t nc = b->clusters ? b->clusters->n : 0, nr = b->races ? b->races->n : 0;
    cs_history_mark *cm = cs_xcalloc(nc + 1, sizeof *cm);
    cs_history_mark *rm = cs_xcalloc(nr + 1, sizeof *rm);
    int rc = SQLITE_OK;
    for (int i = 0; i < ST_COUNT && rc == SQLITE_OK; i++)
        rc = sqlite3_prepare_v3(h->db, record_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &r.st[i], NULL);
    bool in_tx = false;
    /* IMMEDIATE takes the write lock now (waiting up to the busy timeout),
     * so statuses are computed against the batches committed before ours. */
    if (rc == SQLITE_OK && (rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) == SQLITE_OK)
        in_tx = true;
    if (rc == SQLITE_OK) rc = record_all(&r, cm, rm);
    if (rc == SQLITE_OK) rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        set_err(h, msg_sqlite(h->path, "cannot record the batch", h->db, rc));
        if (in_tx) sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    }
    for (int i = 0; i < ST_COUNT; i++) sqlite3_finalize(r.st[i]);
    if (rc != SQLITE_OK) {
        free(cm);
        free(rm);
        return corrupt_code(rc) ? CS_E_CORRUPT : CS_E_IO;
    }
    *clusters_out = cm;
    *races_out = rm;
    if (batch_id) *batch_id = r.batch_id;
    return CS_OK;
}

/* ---- reading ---------------------------------------------------------- */

static char *col_str(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? cs_xstrdup((const char *)t) : NULL;
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
    memset(l, 0, sizeof *l);
}

static int query_run(cs_history *h, const cs_history_query *q, cs_history_list *out)
{
    sqlite3 *db = h->db;
    sqlite3_stmt *st = NULL;
    int rc;
    size_t cap_rows = 0, cap_occs = 0;
    int64_t trend_id[CS_HISTORY_TREND];

    rc = sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM batches WHERE time BETWEEN ?1 AND ?2", -1,
                            &st, NULL);
    if (rc != SQLITE_OK) goto done;
    sqlite3_bind_int64(st, 1, q->since);
    sqlite3_bind_int64(st, 2, q->until);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) goto done;
    out->n_batches = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);

    /* The trend covers the window's last CS_HISTORY_TREND batches. */
    rc = sqlite3_prepare_v2(db,
                            "SELECT id, time FROM batches WHERE time BETWEEN ?1 AND ?2 "
                            "ORDER BY id DESC LIMIT ?3",
                            -1, &st, NULL);
    if (rc != SQLITE_OK) goto done;
    sqlite3_bind_int64(st, 1, q->since);
    sqlite3_bind_int64(st, 2, q->until);
    sqlite3_bind_int(st, 3, CS_HISTORY_TREND);
    size_t nt = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && nt < CS_HISTORY_TREND) {
        trend_id[nt] = sqlite3_column_int64(st, 0);
        out->trend_time[nt++] = sqlite3_column_int64(st, 1);
    }
    if (rc != SQLITE_DONE) goto done;
    for (size_t i = 0; i < nt / 2; i++) { /* oldest first */
        int64_t a = trend_id[i], t = out->trend_time[i];
        trend_id[i] = trend_id[nt - 1 - i];
        out->trend_time[i] = out->trend_time[nt - 1 - i];
        trend_id[nt - 1 - i] = a;
        out->trend_time[nt - 1 - i] = t;
    }
    out->n_trend = nt;
    sqlite3_finalize(st);

    rc = sqlite3_prepare_v2(
        db,
        "SELECT e.id, e.type, e.signature, e.kind, e.headline, MIN(b.time), MAX(b.time), "
        "COUNT(*), SUM(s.n_new), "
        " (SELECT s2.status FROM sightings s2 JOIN batches b2 ON b2.id = s2.batch_id"
        "  WHERE s2.entity_id = e.id AND s2.n_new > 0 AND b2.time BETWEEN ?1 AND ?2"
        "  ORDER BY s2.batch_id DESC LIMIT 1) "
        "FROM entities e JOIN sightings s ON s.entity_id = e.id "
        "JOIN batches b ON b.id = s.batch_id "
        "WHERE s.n_new > 0 AND b.time BETWEEN ?1 AND ?2 AND (?3 IS NULL OR e.id = ?3) "
        "GROUP BY e.id ORDER BY MAX(b.time) DESC, MAX(b.id) DESC, e.id",
        -1, &st, NULL);
    if (rc != SQLITE_OK) goto done;
    sqlite3_bind_int64(st, 1, q->since);
    sqlite3_bind_int64(st, 2, q->until);
    bind_text(st, 3, q->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cs_grow((void **)&out->rows, &cap_rows, out->n_rows + 1, sizeof *out->rows);
        cs_history_row *row = &out->rows[out->n_rows++];
        memset(row, 0, sizeof *row);
        const unsigned char *id = sqlite3_column_text(st, 0);
        snprintf(row->id, sizeof row->id, "%s", id ? (const char *)id : "");
        const unsigned char *type = sqlite3_column_text(st, 1);
        row->race = type && strcmp((const char *)type, "race") == 0;
        row->signature = col_str(st, 2);
        row->kind = col_str(st, 3);
        row->headline = col_str(st, 4);
        row->first_seen = sqlite3_column_int64(st, 5);
        row->last_seen = sqlite3_column_int64(st, 6);
        row->batches = (uint64_t)sqlite3_column_int64(st, 7);
        row->total = (uint64_t)sqlite3_column_int64(st, 8);
        row->last_state = state_parse((const char *)sqlite3_column_text(st, 9));
    }
    if (rc != SQLITE_DONE) goto done;
    sqlite3_finalize(st);
    st = NULL;

    if (nt > 0) {
        rc = sqlite3_prepare_v2(db,
                                "SELECT batch_id, n_new FROM sightings "
                                "WHERE entity_id = ?1 AND batch_id >= ?2",
                                -1, &st, NULL);
        if (rc != SQLITE_OK) goto done;
        for (size_t i = 0; i < out->n_rows; i++) {
            cs_history_row *row = &out->rows[i];
            sqlite3_bind_text(st, 1, row->id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, trend_id[0]);
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                int64_t bid = sqlite3_column_int64(st, 0);
                for (size_t k = 0; k < nt; k++)
                    if (trend_id[k] == bid) row->trend[k] = (uint64_t)sqlite3_column_int64(st, 1);
            }
            if (rc != SQLITE_DONE) goto done;
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        st = NULL;
    }

    if (q->id) {
        rc = sqlite3_prepare_v2(db,
                                "SELECT o.batch_id, b.time, o.source, o.line, o.test, o.artifact, "
                                "o.kind, o.evidence, o.content_hash FROM occurrences o "
                                "JOIN batches b ON b.id = o.batch_id "
                                "WHERE o.entity_id = ?1 AND b.time BETWEEN ?2 AND ?3 "
                                "ORDER BY o.batch_id, o.source, o.line, o.id",
                                -1, &st, NULL);
        if (rc != SQLITE_OK) goto done;
        sqlite3_bind_text(st, 1, q->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, q->since);
        sqlite3_bind_int64(st, 3, q->until);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            cs_grow((void **)&out->occs, &cap_occs, out->n_occs + 1, sizeof *out->occs);
            cs_history_occ *o = &out->occs[out->n_occs++];
            o->batch = sqlite3_column_int64(st, 0);
            o->time = sqlite3_column_int64(st, 1);
            o->source = col_str(st, 2);
            o->line = (uint64_t)sqlite3_column_int64(st, 3);
            o->test = col_str(st, 4);
            o->artifact = col_str(st, 5);
            o->kind = col_str(st, 6);
            o->evidence = col_str(st, 7);
            o->hash = col_str(st, 8);
        }
        if (rc != SQLITE_DONE) goto done;
    }
    rc = SQLITE_OK;
done:
    sqlite3_finalize(st);
    return rc;
}

int cs_history_query_run(cs_history *h, const cs_history_query *q, cs_history_list *out)
{
    memset(out, 0, sizeof *out);
    /* One read transaction: every list sees the same committed batches
     * even while another run writes. */
    int rc = sqlite3_exec(h->db, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = query_run(h, q, out);
    sqlite3_exec(h->db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        set_err(h, msg_sqlite(h->path, "cannot read", h->db, rc));
        cs_history_list_dispose(out);
        return corrupt_code(rc) ? CS_E_CORRUPT : CS_E_IO;
    }
    if (q->id && out->n_rows == 0) {
        set_err(h, cs_xasprintf("no cluster or race pair '%s' in history database '%s'%s", q->id,
                                h->path, q->since != INT64_MIN || q->until != INT64_MAX
                                             ? " between the dates given"
                                             : ""));
        cs_history_list_dispose(out);
        return CS_E_NOTFOUND;
    }
    return CS_OK;
}
