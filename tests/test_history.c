/* test_history.c - the recurring-crash history: statuses over batches,
 * re-feeds, a writer killed mid-batch, concurrent writers, and databases
 * that must be refused and left untouched. The in-process tests call the
 * history module; the reliability tests run the real binary in children.
 *
 * The same tests run on both engines. With $CS_TEST_PG_HOST set (tests/pg.sh
 * starts a private server and sets it), every test gets a fresh PostgreSQL
 * database instead of a fresh file; only the few lines that damage or
 * snapshot a database differ per engine (the `engine` helpers below). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#include "base/error.h"
#include "base/util.h"
#include "history/history.h"

#define BIN CS_BINARY_DIR "/crashsift"
#define DAY 86400
#define T0 1793577600LL /* 2026-11-02T00:00:00Z */

#define CMW "C5942029327"  /* concurrent_map_writes.log */
#define RACE "Cd90a1d1808" /* race_map.log */
#define PAIR "R22407170c1" /* the map race both point at */
#define LONE "R95d4f7b032" /* the crash alone: a partial race at add() */

typedef struct tmp {
    char dir[64];
    char db[512];  /* the --db value: a file, or a postgresql:// URL */
    char name[64]; /* PostgreSQL: the database's name */
} tmp;

/* ---- the engine under test -------------------------------------------- */

static const char *pg_host(void)
{
    const char *h = getenv("CS_TEST_PG_HOST");
    return h && *h ? h : NULL;
}

/* Runs a PostgreSQL client program (createdb, psql ...) on t's database. */
static int pg_tool(const tmp *t, const char *tool, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s/%s' -h '%s' -U '%s' %s >/dev/null 2>&1",
             getenv("CS_TEST_PG_BIN"), tool, pg_host(), getenv("CS_TEST_PG_USER"), args);
    (void)t;
    return system(cmd);
}

static void psql(const tmp *t, const char *sql)
{
    char args[512];
    snprintf(args, sizeof args, "-q -v ON_ERROR_STOP=1 -d '%s' -c \"%s\"", t->name, sql);
    assert_int_equal(pg_tool(t, "psql", args), 0);
}

static void tmp_make(tmp *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/cs-hist-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->db, sizeof t->db, "%s/history.db", t->dir);
    if (!pg_host()) return;
    snprintf(t->name, sizeof t->name, "cs_%s", strrchr(t->dir, '-') + 1);
    for (char *p = t->name; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    assert_int_equal(pg_tool(t, "createdb", t->name), 0);
    snprintf(t->db, sizeof t->db, "postgresql:///%s?host=%s&user=%s", t->name, pg_host(),
             getenv("CS_TEST_PG_USER"));
}

static void tmp_remove(tmp *t)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
    if (pg_host()) {
        char args[96];
        snprintf(args, sizeof args, "--force %s", t->name);
        assert_int_equal(pg_tool(t, "dropdb", args), 0);
    }
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        cs_grow((void **)&buf, &cap, len + 4097, 1);
        size_t k = fread(buf + len, 1, 4096, f);
        len += k;
        if (k == 0) break;
    }
    fclose(f);
    buf[len] = '\0';
    if (n) *n = len;
    return buf;
}

static void spit(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Everything the database holds, as bytes to compare: the file, or a
 * pg_dump of the database (the caller frees it). */
static char *snapshot(const tmp *t, size_t *n)
{
    if (!pg_host()) return slurp(t->db, n);
    char out[160], args[256];
    snprintf(out, sizeof out, "%s/snapshot.sql", t->dir);
    snprintf(args, sizeof args, "-d '%s' -f '%s'", t->name, out);
    assert_int_equal(pg_tool(t, "pg_dump", args), 0);
    char *s = slurp(out, n);
    assert_non_null(s);
    unlink(out);
    /* pg_dump brackets its output with "\\restrict KEY" lines whose key is
     * random each run: they are not the database. */
    size_t w = 0;
    for (char *line = s; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (strncmp(line, "\\restrict ", 10) && strncmp(line, "\\unrestrict ", 12)) {
            memmove(s + w, line, len);
            w += len;
        }
        line += len;
    }
    s[w] = '\0';
    *n = w;
    return s;
}

/* A database that says it was written by schema version v. */
static void engine_set_version(const tmp *t, int v)
{
    if (pg_host()) {
        char sql[96];
        snprintf(sql, sizeof sql, "UPDATE crashsift_schema SET version = %d", v);
        psql(t, sql);
        return;
    }
    /* PRAGMA user_version lives at offset 60 of the header, big-endian. */
    size_t n;
    char *db = slurp(t->db, &n);
    assert_true(n > 100);
    db[60] = (char)(v >> 24), db[61] = (char)(v >> 16), db[62] = (char)(v >> 8), db[63] = (char)v;
    spit(t->db, db, n);
    free(db);
}

/* A database that is somebody else's. */
static void engine_foreign(const tmp *t)
{
    if (pg_host()) {
        psql(t, "CREATE TABLE orders (id integer PRIMARY KEY, item text);"
                "INSERT INTO orders VALUES (1, 'not a crash')");
        return;
    }
    char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)("not a database\n"[i % 15]);
    spit(t->db, junk, sizeof junk);
}

/* A database of ours, damaged after batches were recorded. */
static void engine_damage(const tmp *t)
{
    if (pg_host()) {
        psql(t, "DROP TABLE occurrences");
        return;
    }
    /* A valid header, then every page after the first overwritten: the
     * schema still reads, quick_check does not pass. */
    size_t n;
    char *db = slurp(t->db, &n);
    assert_true(n > 8192);
    unsigned page = ((unsigned char)db[16] << 8) | (unsigned char)db[17];
    if (page == 1) page = 65536;
    assert_true(n >= 2 * page);
    for (size_t i = page; i < n; i++)
        db[i] = (char)(0xa5 ^ (i * 31));
    spit(t->db, db, n);
    free(db);
}

/* Copies fixtures/go/<name> to <dir>/<sub>/<name>: a new CI run of the same
 * failure has a new path (static buffer per call slot). */
static const char *copy_fixture(const tmp *t, const char *sub, const char *name)
{
    static char out[4][256];
    static int slot;
    char *p = out[slot++ % 4];
    char src[256];
    snprintf(src, sizeof src, "fixtures/go/%s", name);
    size_t n;
    char *data = slurp(cs_t_src(src), &n);
    assert_non_null(data);
    snprintf(p, 256, "%s/%s", t->dir, sub);
    mkdir(p, 0755);
    snprintf(p, 256, "%s/%s/%s", t->dir, sub, name);
    spit(p, data, n);
    free(data);
    return p;
}

/* ---- in-process batches ----------------------------------------------- */

typedef struct batch_out {
    cs_triage tr;
    cs_history_mark *cm, *rm;
} batch_out;

static void record(const char *db, const char *const *paths, size_t n, long long when,
                   batch_out *out)
{
    cs_t_triage_full(paths, n, NULL, &out->tr);
    cs_history *h = NULL;
    char *err = NULL;
    int rc = cs_history_open(&h, db, true, &err);
    if (rc) print_message("%s\n", err);
    assert_int_equal(rc, 0);
    cs_history_batch b = {
        .res = &out->tr.res,
        .clusters = &out->tr.clusters,
        .races = &out->tr.races,
        .sig_version = out->tr.sig_version,
        .tool_version = "test",
        .inputs = paths,
        .n_inputs = n,
        .time = when,
        .regress_after = 3,
    };
    assert_int_equal(cs_history_record(h, &b, &out->cm, &out->rm, NULL), 0);
    cs_history_free(h);
}

static void batch_done(batch_out *b)
{
    free(b->cm);
    free(b->rm);
    cs_triage_dispose(&b->tr);
}

/* The mark of cluster or pair `id` in a batch; fails when absent. */
static const cs_history_mark *mark_of(const batch_out *b, const char *id)
{
    for (size_t i = 0; i < b->tr.clusters.n; i++)
        if (strcmp(b->tr.clusters.v[i].id, id) == 0) return &b->cm[i];
    for (size_t i = 0; i < b->tr.races.n; i++)
        if (strcmp(b->tr.races.v[i].id, id) == 0) return &b->rm[i];
    fail_msg("%s not in the batch", id);
    return NULL;
}

static bool in_batch(const batch_out *b, const char *id)
{
    for (size_t i = 0; i < b->tr.clusters.n; i++)
        if (strcmp(b->tr.clusters.v[i].id, id) == 0) return true;
    for (size_t i = 0; i < b->tr.races.n; i++)
        if (strcmp(b->tr.races.v[i].id, id) == 0) return true;
    return false;
}

static void expect(const batch_out *b, const char *id, cs_history_state st, uint64_t batches,
                   uint64_t total)
{
    const cs_history_mark *m = mark_of(b, id);
    if (m->state != st || m->batches != batches || m->total != total)
        fail_msg("%s: got %s, %llu batch(es), %llu total; want %s, %llu, %llu", id,
                 cs_history_state_name(m->state), (unsigned long long)m->batches,
                 (unsigned long long)m->total, cs_history_state_name(st),
                 (unsigned long long)batches, (unsigned long long)total);
}

/* Batch 1: the map-write crash (alone it names one site: a partial race);
 * batch 2: it again (a new run) plus the race report (the pair, which the
 * crash now joins); batches 3-5 without either; batch 6: the crash is back,
 * alone. */
static void test_new_recurring_regressed(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    batch_out b;

    const char *p1[] = {copy_fixture(&t, "run1", "concurrent_map_writes.log")};
    record(t.db, p1, 1, T0, &b);
    expect(&b, CMW, CS_HISTORY_NEW, 1, 1);
    expect(&b, LONE, CS_HISTORY_NEW, 1, 1);
    assert_false(in_batch(&b, PAIR));
    assert_int_equal(mark_of(&b, CMW)->first_seen, T0);
    batch_done(&b);

    const char *p2[] = {copy_fixture(&t, "run2", "concurrent_map_writes.log"),
                        copy_fixture(&t, "run2", "race_map.log")};
    record(t.db, p2, 2, T0 + DAY, &b);
    expect(&b, CMW, CS_HISTORY_RECURRING, 2, 2);
    expect(&b, RACE, CS_HISTORY_NEW, 1, 1);
    /* the crash, the race report and its test failure (same-test) */
    expect(&b, PAIR, CS_HISTORY_NEW, 1, 3);
    assert_false(in_batch(&b, LONE));
    assert_int_equal(mark_of(&b, PAIR)->first_seen, T0 + DAY);
    assert_int_equal(mark_of(&b, PAIR)->last_seen, T0 + DAY);
    assert_int_equal(mark_of(&b, PAIR)->n_new, 3);
    batch_done(&b);

    for (int i = 3; i <= 5; i++) { /* absent for N = 3 batches */
        char sub[16];
        snprintf(sub, sizeof sub, "run%d", i);
        const char *p[] = {copy_fixture(&t, sub, "nil_deref.log")};
        record(t.db, p, 1, T0 + i * DAY, &b);
        assert_false(in_batch(&b, CMW));
        assert_false(in_batch(&b, PAIR));
        assert_false(in_batch(&b, LONE));
        batch_done(&b);
    }

    const char *p6[] = {copy_fixture(&t, "run6", "concurrent_map_writes.log")};
    record(t.db, p6, 1, T0 + 6 * DAY, &b);
    expect(&b, CMW, CS_HISTORY_REGRESSED, 3, 3);
    expect(&b, LONE, CS_HISTORY_REGRESSED, 2, 2);
    assert_int_equal(mark_of(&b, CMW)->first_seen, T0);
    assert_int_equal(mark_of(&b, CMW)->last_seen, T0 + 6 * DAY);
    batch_done(&b);

    /* Back the next day: recurring again (absent for 0 batches). */
    const char *p7[] = {copy_fixture(&t, "run7", "concurrent_map_writes.log")};
    record(t.db, p7, 1, T0 + 7 * DAY, &b);
    expect(&b, CMW, CS_HISTORY_RECURRING, 4, 4);
    batch_done(&b);

    /* The history view agrees, with a trend and the occurrences over time. */
    cs_history *h = NULL;
    assert_int_equal(cs_history_open(&h, t.db, false, NULL), 0);
    cs_history_query q = {INT64_MIN, INT64_MAX, CMW};
    cs_history_list l;
    assert_int_equal(cs_history_query_run(h, &q, &l), 0);
    assert_int_equal(l.n_batches, 7);
    assert_int_equal(l.n_rows, 1);
    assert_int_equal(l.rows[0].batches, 4);
    assert_int_equal(l.rows[0].total, 4);
    assert_int_equal(l.rows[0].last_state, CS_HISTORY_RECURRING);
    assert_int_equal(l.n_trend, 7);
    const uint64_t trend[] = {1, 1, 0, 0, 0, 1, 1};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(l.rows[0].trend[i], trend[i]);
    assert_int_equal(l.n_occs, 4);
    assert_int_equal(l.occs[0].batch, 1);
    assert_int_equal(l.occs[0].time, T0);
    assert_non_null(strstr(l.occs[0].source, "run1/concurrent_map_writes.log"));
    assert_string_equal(l.occs[0].artifact, l.occs[0].source); /* a plain file */
    assert_string_equal(l.occs[0].kind, "go-fatal");
    assert_string_equal(l.occs[0].test, "TestConcurrentAdd");
    assert_null(l.occs[0].evidence);
    cs_history_list_dispose(&l);

    /* --since/--until pick batches by time; the race's links carry evidence. */
    q = (cs_history_query){T0 + 2 * DAY, T0 + 6 * DAY, LONE};
    assert_int_equal(cs_history_query_run(h, &q, &l), 0);
    assert_int_equal(l.n_batches, 4);
    assert_int_equal(l.rows[0].batches, 1);
    assert_int_equal(l.rows[0].last_state, CS_HISTORY_REGRESSED);
    assert_int_equal(l.n_occs, 1);
    assert_string_equal(l.occs[0].evidence, "runtime");
    cs_history_list_dispose(&l);

    q = (cs_history_query){INT64_MIN, INT64_MAX, "C0000000000"};
    assert_int_equal(cs_history_query_run(h, &q, &l), CS_E_NOTFOUND);
    assert_non_null(strstr(cs_history_errmsg(h), "C0000000000"));
    cs_history_free(h);
    tmp_remove(&t);
}

/* Writes <dir>/<sub>/<name>: concurrent_map_writes.log with one more frame
 * of the program's own below the crashing closure: the same crash reached
 * through a new caller, close enough to link (distance under 0.2). */
static const char *close_variant(const tmp *t, const char *sub, const char *name)
{
    static char out[256];
    size_t n;
    char *data = slurp(cs_t_src("fixtures/go/concurrent_map_writes.log"), &n);
    assert_non_null(data);
    const char *anchor = "agg_test.go:17 +0x85\n";
    char *at = strstr(data, anchor);
    assert_non_null(at);
    at += strlen(anchor);
    const char *extra = "example.com/dispatch.runWorkers(...)\n"
                        "\t/tmp/crashsift-go/dispatch/agg_test.go:40 +0x20\n";
    snprintf(out, sizeof out, "%s/%s", t->dir, sub);
    mkdir(out, 0755);
    snprintf(out, sizeof out, "%s/%s/%s", t->dir, sub, name);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    fwrite(data, 1, (size_t)(at - data), f);
    fputs(extra, f);
    fwrite(at, 1, n - (size_t)(at - data), f);
    assert_int_equal(fclose(f), 0);
    free(data);
    return out;
}

/* Batch 1: the map-write crash. Batch 2: it again, and twice a close
 * variant (a new caller below the crashing closure). The variant is linked
 * to the known crash, never folded into it: the known crash keeps its id
 * and stays recurring, even though the variant's cluster is the larger
 * (the old rule folded the smaller group into the largest one, so the known
 * crash's id moved and the history called it new). */
static void test_known_crash_recurring_when_a_close_one_arrives(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    batch_out b;
    const char *p1[] = {copy_fixture(&t, "run1", "concurrent_map_writes.log")};
    record(t.db, p1, 1, T0, &b);
    expect(&b, CMW, CS_HISTORY_NEW, 1, 1);
    batch_done(&b);

    char v1[256], v2[256];
    snprintf(v1, sizeof v1, "%s", close_variant(&t, "run2", "variant_a.log"));
    snprintf(v2, sizeof v2, "%s", close_variant(&t, "run2", "variant_b.log"));
    const char *p2[] = {copy_fixture(&t, "run2", "concurrent_map_writes.log"), v1, v2};
    record(t.db, p2, 3, T0 + DAY, &b);
    expect(&b, CMW, CS_HISTORY_RECURRING, 2, 2);
    assert_int_equal(b.tr.clusters.n_merges, 1);
    const cs_merge *m = &b.tr.clusters.merges[0];
    const char *other = strcmp(m->from, CMW) == 0 ? m->into : m->from;
    assert_true(strcmp(m->from, CMW) == 0 || strcmp(m->into, CMW) == 0);
    assert_true(m->distance <= CS_DEFAULT_MERGE_THRESHOLD);
    expect(&b, other, CS_HISTORY_NEW, 1, 2); /* the variant: its own id, both copies */
    batch_done(&b);
    tmp_remove(&t);
}

/* The same artifacts fed twice count once. */
static void test_refeed_counts_once(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    const char *p[] = {copy_fixture(&t, "run1", "concurrent_map_writes.log"),
                       copy_fixture(&t, "run1", "race_map.log")};
    batch_out b;
    record(t.db, p, 2, T0, &b);
    expect(&b, PAIR, CS_HISTORY_NEW, 1, 3);
    batch_done(&b);
    for (int i = 1; i <= 4; i++) { /* also past N: a re-feed is no regression */
        record(t.db, p, 2, T0 + i * DAY, &b);
        expect(&b, CMW, CS_HISTORY_RECURRING, 1, 1);
        expect(&b, RACE, CS_HISTORY_RECURRING, 1, 1);
        expect(&b, PAIR, CS_HISTORY_RECURRING, 1, 3);
        assert_int_equal(mark_of(&b, PAIR)->n_new, 0);
        assert_int_equal(mark_of(&b, PAIR)->last_seen, T0);
        batch_done(&b);
    }
    /* One of them again plus a genuinely new run: only the new one counts. */
    const char *p2[] = {p[0], copy_fixture(&t, "run2", "concurrent_map_writes.log")};
    record(t.db, p2, 2, T0 + 9 * DAY, &b);
    expect(&b, CMW, CS_HISTORY_REGRESSED, 2, 2);
    assert_int_equal(mark_of(&b, CMW)->n_new, 1);
    batch_done(&b);
    tmp_remove(&t);
}

/* ---- the real binary -------------------------------------------------- */

typedef struct run_opts {
    const char *now;       /* CRASHSIFT_NOW */
    const char *die_after; /* CRASHSIFT_TEST_DIE_AFTER */
    const char *out;       /* stdout to this file, or /dev/null */
    const char *err;       /* stderr to this file, or /dev/null */
} run_opts;

static pid_t spawn(const char *const *args, const run_opts *o)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (o->now) setenv("CRASHSIFT_NOW", o->now, 1);
        if (o->die_after)
            setenv("CRASHSIFT_TEST_DIE_AFTER", o->die_after, 1);
        else
            unsetenv("CRASHSIFT_TEST_DIE_AFTER");
        unsetenv("CRASHSIFT_DB");
        int fo = open(o->out ? o->out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(o->err ? o->err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0) _exit(126);
        dup2(fo, 1);
        dup2(fe, 2);
        char *argv[16];
        size_t n = 0;
        argv[n++] = (char *)BIN;
        for (size_t i = 0; args[i] && n < 15; i++)
            argv[n++] = (char *)args[i];
        argv[n] = NULL;
        execv(BIN, argv);
        _exit(127);
    }
    return pid;
}

static int wait_for(pid_t pid)
{
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

/* Exit code of a finished run, or 128 + signal. */
static int run(const char *const *args, const run_opts *o)
{
    int st = wait_for(spawn(args, o));
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* `crashsift history --db DB -f json`: everything the database says. */
static char *dump(const tmp *t)
{
    char out[160];
    snprintf(out, sizeof out, "%s/dump.json", t->dir);
    const char *args[] = {"history", "--db", t->db, "-f", "json", NULL};
    assert_int_equal(run(args, &(run_opts){.out = out}), 0);
    char *s = slurp(out, NULL);
    assert_non_null(s);
    unlink(out);
    return s;
}

static void triage(const tmp *t, const char *now, const char *a, const char *b, int want)
{
    const char *args[] = {"triage", "--db", t->db, "-f", "json", a, b, NULL};
    assert_int_equal(run(args, &(run_opts){.now = now}), want);
}

static void test_killed_midway_leaves_db_as_before(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    triage(&t, "1793577600", copy_fixture(&t, "run1", "concurrent_map_writes.log"), NULL, 0);
    char *before = dump(&t);
    assert_non_null(strstr(before, "\"batches\": 1"));

    const char *p2 = copy_fixture(&t, "run2", "concurrent_map_writes.log");
    const char *p3 = copy_fixture(&t, "run2", "race_map.log");
    for (int k = 1; k <= 3; k++) { /* die after the 1st, 2nd, 3rd occurrence insert */
        char die[8];
        snprintf(die, sizeof die, "%d", k);
        const char *args[] = {"triage", "--db", t.db, p2, p3, NULL};
        assert_int_equal(run(args, &(run_opts){.now = "1793664000", .die_after = die}),
                         128 + SIGKILL);
        char *after = dump(&t);
        assert_string_equal(before, after);
        free(after);
    }
    /* The next run records normally. */
    triage(&t, "1793664000", p2, p3, 0);
    char *now = dump(&t);
    assert_non_null(strstr(now, "\"batches\": 2"));
    free(now);
    free(before);
    tmp_remove(&t);
}

/* Four runs at once on one new database: all land, nothing else written. */
static void test_concurrent_runs_all_land(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    enum { N = 4 };
    const char *paths[N][2];
    for (int i = 0; i < N; i++) {
        char sub[16];
        snprintf(sub, sizeof sub, "run%d", i);
        paths[i][0] = cs_xstrdup(copy_fixture(&t, sub, "concurrent_map_writes.log"));
        paths[i][1] = cs_xstrdup(copy_fixture(&t, sub, "race_map.log"));
    }
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        const char *args[] = {"triage", "--db", t.db, paths[i][0], paths[i][1], NULL};
        pids[i] = spawn(args, &(run_opts){.now = "1793577600"});
    }
    for (int i = 0; i < N; i++) {
        int st = wait_for(pids[i]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    cs_history *h = NULL;
    assert_int_equal(cs_history_open(&h, t.db, false, NULL), 0);
    cs_history_query q = {INT64_MIN, INT64_MAX, PAIR};
    cs_history_list l;
    assert_int_equal(cs_history_query_run(h, &q, &l), 0);
    assert_int_equal(l.n_batches, N);
    assert_int_equal(l.rows[0].batches, N);
    assert_int_equal(l.rows[0].total, 3 * N); /* two crashes and a test failure per run */
    assert_int_equal(l.n_occs, 3 * N);
    cs_history_list_dispose(&l);
    cs_history_free(h);

    /* Only the database (and SQLite's -wal/-shm) in its folder. */
    DIR *d = opendir(t.dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..") || !strncmp(n, "run", 3)) continue;
        if (strcmp(n, "history.db") && strcmp(n, "history.db-wal") && strcmp(n, "history.db-shm"))
            fail_msg("unexpected file '%s' beside the database", n);
    }
    closedir(d);
    for (int i = 0; i < N; i++) {
        free((char *)paths[i][0]);
        free((char *)paths[i][1]);
    }
    tmp_remove(&t);
}

/* A refused database: exit 2, a message naming it, and not one byte changed. */
/* no_sidecars: not even SQLite's -wal/-shm appear (a file that is not SQLite
 * is never handed to SQLite). */
static void expect_refused(const tmp *t, const char *why, bool no_sidecars)
{
    size_t n0;
    char *orig = snapshot(t, &n0);
    assert_non_null(orig);
    char err[160];
    snprintf(err, sizeof err, "%s/err.txt", t->dir);
    const char *p = copy_fixture(t, "run9", "concurrent_map_writes.log");
    const char *a1[] = {"triage", "--db", t->db, p, NULL};
    const char *a2[] = {"history", "--db", t->db, NULL};
    const char *const *cmds[] = {a1, a2};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(run(cmds[i], &(run_opts){.err = err}), 2);
        char *msg = slurp(err, NULL);
        assert_non_null(msg);
        if (!strstr(msg, t->db) || !strstr(msg, why))
            fail_msg("message should name '%s' and say '%s': %s", t->db, why, msg);
        free(msg);
        size_t n1;
        char *now = snapshot(t, &n1);
        assert_int_equal(n0, n1);
        assert_memory_equal(orig, now, n0);
        free(now);
    }
    char side[600];
    snprintf(side, sizeof side, "%s-wal", t->db);
    struct stat sb;
    if (no_sidecars && !pg_host()) assert_int_not_equal(stat(side, &sb), 0);
    free(orig);
}

/* The summary of test `name` in a batch; fails when absent. */
static size_t test_index(const batch_out *b, const char *name)
{
    for (size_t i = 0; i < b->tr.tests.n; i++)
        if (strcmp(b->tr.tests.v[i].name, name) == 0) return i;
    fail_msg("test %s not in the batch", name);
    return 0;
}

/* Lines of a fixture that start with `prefix`, counted here rather than
 * typed in (the fixture is regenerated by its make.sh). */
static size_t count_lines(const char *path, const char *prefix)
{
    size_t n = 0, k = strlen(prefix);
    char *s = slurp(path, NULL);
    assert_non_null(s);
    for (char *p = s; p; p = strchr(p, '\n')) {
        if (*p == '\n') p++;
        if (strncmp(p, prefix, k) == 0) n++;
    }
    free(s);
    return n;
}

static void record_tests(const char *db, const char *path, long long when, batch_out *out,
                         cs_history_test_mark **marks)
{
    const char *paths[] = {path};
    cs_t_triage_full(paths, 1, NULL, &out->tr);
    cs_history *h = NULL;
    char *err = NULL;
    assert_int_equal(cs_history_open(&h, db, true, &err), 0);
    *marks = calloc(out->tr.tests.n + 1, sizeof **marks);
    cs_history_batch b = {
        .res = &out->tr.res,
        .clusters = &out->tr.clusters,
        .races = &out->tr.races,
        .sig_version = out->tr.sig_version,
        .tool_version = "test",
        .inputs = paths,
        .n_inputs = 1,
        .time = when,
        .regress_after = 3,
        .tests = &out->tr.tests,
        .test_marks = *marks,
    };
    assert_int_equal(cs_history_record(h, &b, &out->cm, &out->rm, NULL), 0);
    cs_history_free(h);
}

/* Two batches of the locked tally (TestTally passes every run), then one
 * of the unlocked one (it fails now and then): TestTally became flaky in
 * batch 3, after passing every run of batches 1 and 2. */
static void test_test_became_flaky(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    const char *before = cs_t_src("fixtures/flaky/before/count50_v.log");
    size_t passes = count_lines(before, "--- PASS: TestTally");
    assert_true(passes > 0);
    assert_int_equal(count_lines(before, "--- FAIL: TestTally"), 0);
    batch_out b;
    cs_history_test_mark *m;
    for (int i = 0; i < 2; i++) {
        record_tests(t.db, before, T0 + i * DAY, &b, &m);
        size_t k = test_index(&b, "TestTally");
        assert_int_equal(b.tr.tests.v[k].passes, passes);
        assert_int_equal(m[k].prior_batches, (uint64_t)i);
        assert_int_equal(m[k].prior_runs, i * passes);
        assert_false(m[k].became_failing);
        free(m);
        batch_done(&b);
    }
    record_tests(t.db, cs_t_src("fixtures/flaky/count500_v.log.xz"), T0 + 2 * DAY, &b, &m);
    size_t k = test_index(&b, "TestTally");
    const cs_test_summary *now = &b.tr.tests.v[k];
    uint64_t failures = now->failures, runs = now->runs;
    assert_true(now->flaky && failures > 0);
    assert_true(m[k].became_failing);
    assert_int_equal(m[k].prior_batches, 2);
    assert_int_equal(m[k].prior_runs, 2 * passes);
    assert_int_equal(m[k].prior_failures, 0);
    /* TestSingle passed throughout: not a test that became failing. */
    assert_false(m[test_index(&b, "TestSingle")].became_failing);
    free(m);
    batch_done(&b);

    cs_history *h = NULL;
    assert_int_equal(cs_history_open(&h, t.db, false, NULL), 0);
    cs_history_query q = {.since = INT64_MIN, .until = INT64_MAX};
    cs_history_list l;
    assert_int_equal(cs_history_query_run(h, &q, &l), 0);
    const cs_history_test_row *row = NULL;
    for (size_t i = 0; i < l.n_tests; i++)
        if (strcmp(l.tests[i].name, "TestTally") == 0) row = &l.tests[i];
    assert_non_null(row);
    for (size_t i = 0; i < l.n_tests; i++) /* only tests that failed are listed */
        assert_true(l.tests[i].failures > 0);
    assert_string_equal(row->package, "example.com/tally");
    assert_int_equal(row->batches, 3);
    assert_int_equal(row->failing_batches, 1);
    assert_int_equal(row->runs, 2 * passes + runs);
    assert_int_equal(row->failures, failures);
    assert_true(row->became_flaky && row->flaky_last);
    assert_int_equal(row->passes_before, 2 * passes);
    assert_int_equal(row->passing_batches_before, 2);
    assert_int_equal(row->first_failure, T0 + 2 * DAY);
    cs_history_list_dispose(&l);
    cs_history_free(h);

    /* And as the user sees it. */
    char out[160], want[160];
    snprintf(out, sizeof out, "%s/history.txt", t.dir);
    const char *args[] = {"history", "--db", t.db, NULL};
    assert_int_equal(run(args, &(run_opts){.out = out}), 0);
    char *txt = slurp(out, NULL);
    assert_non_null(txt);
    snprintf(want, sizeof want, "TestTally (example.com/tally)  failed %llu of %llu runs in 1 of 3",
             (unsigned long long)failures, (unsigned long long)(2 * passes + runs));
    if (!strstr(txt, want)) fail_msg("history text lacks '%s':\n%s", want, txt);
    snprintf(want, sizeof want,
             "became flaky in batch 3 (2026-11-04): passed in all %zu run(s) of 2", 2 * passes);
    if (!strstr(txt, want)) fail_msg("history text lacks '%s':\n%s", want, txt);
    free(txt);
    char *js = dump(&t);
    assert_non_null(strstr(js, "\"became_flaky\": true"));
    free(js);
    tmp_remove(&t);
}

static void test_future_version_refused(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    triage(&t, NULL, copy_fixture(&t, "run1", "concurrent_map_writes.log"), NULL, 0);
    engine_set_version(&t, 99);
    expect_refused(&t, "newer", false);
    tmp_remove(&t);
}

static void test_not_sqlite_refused(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    engine_foreign(&t);
    expect_refused(&t, "corrupt", true);
    tmp_remove(&t);
}

static void test_damaged_sqlite_refused(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    triage(&t, NULL, copy_fixture(&t, "run1", "concurrent_map_writes.log"),
           copy_fixture(&t, "run1", "race_map.log"), 0);
    engine_damage(&t);
    expect_refused(&t, "corrupt", false);
    tmp_remove(&t);
}

/* Without --db nothing is stored anywhere. */
static void test_no_db_no_file(void **state)
{
    (void)state;
    tmp t;
    tmp_make(&t);
    const char *p = copy_fixture(&t, "run1", "concurrent_map_writes.log");
    const char *args[] = {"triage", p, NULL};
    assert_int_equal(run(args, &(run_opts){0}), 0);
    struct stat sb;
    assert_int_not_equal(stat(t.db, &sb), 0);
    const char *h[] = {"history", NULL};
    assert_int_equal(run(h, &(run_opts){0}), 2); /* no --db, no $CRASHSIFT_DB */
    tmp_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_recurring_regressed),
        cmocka_unit_test(test_known_crash_recurring_when_a_close_one_arrives),
        cmocka_unit_test(test_refeed_counts_once),
        cmocka_unit_test(test_killed_midway_leaves_db_as_before),
        cmocka_unit_test(test_concurrent_runs_all_land),
        cmocka_unit_test(test_future_version_refused),
        cmocka_unit_test(test_not_sqlite_refused),
        cmocka_unit_test(test_damaged_sqlite_refused),
        cmocka_unit_test(test_no_db_no_file),
        cmocka_unit_test(test_test_became_flaky),
    };
    if (pg_host()) print_message("history engine: PostgreSQL at %s\n", pg_host());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
