/* Normalization, clustering and race pairs on real fixtures, and that every
 * rule kind changes the grouping when a rule file changes. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/util.h"
#include "cluster/cluster.h"
#include "normalize/normalize.h"
#include "testutil.h"

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char b[4][256];
    static int k;
    char *p = b[k++ % 4];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A real fixture with every line number in "file.go:N" shifted by `by`:
 * the same bug after code moved between commits. */
static void shifted_copy(const char *src, const char *dst, int by)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "perl -pe 's/(\\.go:)(\\d+)/$1.($2+%d)/ge' %s > %s", by, src, dst);
    assert_int_equal(system(cmd), 0);
}

static const cs_cluster *cluster_of(const cs_triage *t, const char *source_suffix)
{
    for (size_t i = 0; i < t->res.n_traces; i++) {
        const char *s = t->res.traces[i]->source;
        size_t n = strlen(s), k = strlen(source_suffix);
        if (n >= k && strcmp(s + n - k, source_suffix) == 0)
            return &t->clusters.v[t->clusters.of_trace[i]];
    }
    fail_msg("no trace from %s", source_suffix);
    return NULL;
}

static void test_same_bug_one_cluster(void **state)
{
    (void)state;
    shifted_copy("fixtures/go/concurrent_map_writes.log", tmp_path("shifted.log"), 7);
    const char *paths[] = {
        "fixtures/go/concurrent_map_writes.log", "fixtures/go/concurrent_map_writes_gha_path.log",
        "fixtures/go/concurrent_map_writes_builds_path.log", tmp_path("shifted.log")};
    cs_triage t;
    cs_t_triage_full(paths, 4, NULL, &t);
    assert_int_equal(t.res.n_traces, 4);
    assert_int_equal(t.clusters.n, 1);
    assert_int_equal(t.clusters.v[0].n_traces, 4);
    assert_string_equal(
        t.clusters.v[0].signature,
        "[go-fatal] fatal error: concurrent map writes @ dispatch.(*Aggregator).add | "
        "dispatch.TestConcurrentAdd.func1");
    /* Checkout prefixes are gone from files. */
    const cs_frame *f = &t.res.traces[0]->threads[0].frames[0];
    assert_string_equal(f->norm_file, "dispatch/aggregator.go");
    cs_triage_dispose(&t);
}

static void test_different_bugs_two_clusters(void **state)
{
    (void)state;
    /* Same top frame (Settle), different callers below it. */
    const char *paths[] = {"fixtures/go/explicit_panic.log", "fixtures/go/repanic.log"};
    cs_triage t;
    cs_t_triage_full(paths, 2, NULL, &t);
    assert_int_equal(t.res.n_traces, 2);
    assert_int_equal(t.clusters.n, 2);
    /* The re-panic's deferred handler is above the original panic. */
    assert_string_equal(
        cluster_of(&t, "repanic.log")->signature,
        "[go-panic] panic: settle: order <n> in state <str> @ dispatch.(*OrderBook).Settle | "
        "dispatch.(*OrderBook).ApplyBatch.func1 | dispatch.SafeApply");
    cs_triage_dispose(&t);

    /* Same frames, different failure class. */
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "sed 's/^fatal error: concurrent map writes/fatal error: unexpected signal during "
             "runtime execution/' fixtures/go/concurrent_map_writes.log > %s",
             tmp_path("other_class.log"));
    assert_int_equal(system(cmd), 0);
    const char *p2[] = {"fixtures/go/concurrent_map_writes.log", tmp_path("other_class.log")};
    cs_t_triage_full(p2, 2, NULL, &t);
    assert_int_equal(t.clusters.n, 2);
    cs_triage_dispose(&t);
}

static void test_message_placeholders(void **state)
{
    (void)state;
    cs_rules rules;
    cs_results diags;
    cs_rules_init(&rules);
    cs_results_init(&diags);
    assert_int_equal(cs_rules_load_dir(&rules, cs_t_src("signatures"), &diags), 0);
    assert_int_equal(diags.n_diags, 0);
    cs_normalizer *n = cs_normalizer_new(&rules, 3);
    char *m = cs_normalize_message(
        n, "order 4711 from 10.0.0.12:8080 at 2024-05-01T12:34:56Z id "
           "123e4567-e89b-12d3-a456-426614174000 ptr 0xc000012345 file /var/lib/x/y.db "
           "key \"abc\" took 35ms");
    assert_string_equal(m, "order <n> from <ip> at <time> id <uuid> ptr <hex> file <path> key "
                           "<str> took <duration>");
    free(m);
    cs_normalizer_free(n);
    cs_rules_dispose(&rules);
    cs_results_dispose(&diags);
}

static void test_function_normalization(void **state)
{
    (void)state;
    cs_rules rules;
    cs_results diags;
    cs_rules_init(&rules);
    cs_results_init(&diags);
    assert_int_equal(cs_rules_load_dir(&rules, cs_t_src("signatures"), &diags), 0);
    cs_normalizer *n = cs_normalizer_new(&rules, 3);
    struct {
        cs_lang l;
        const char *in, *out;
    } cases[] = {
        {CS_LANG_GO, "example.com/x/dispatch.(*Aggregator).add", "dispatch.(*Aggregator).add"},
        {CS_LANG_GO, "example.com/x/dispatch.Map[...].Get", "dispatch.Map.Get"},
        {CS_LANG_GO, "example.com/x/dispatch.Fanout.gowrap3", "dispatch.Fanout.gowrap"},
        {CS_LANG_C, "std::vector<int, std::allocator<int> >::push_back(int const&)",
         "std::vector::push_back"},
        {CS_LANG_C, "(anonymous namespace)::Cache::put(std::string const&) const",
         "(anonymous namespace)::Cache::put"},
        {CS_LANG_C, "main::{lambda(int)#1}::operator()(int) const", "main::{lambda}::operator()"},
        {CS_LANG_C, "std::__cxx11::basic_string<char>[abi:cxx11]::size",
         "std::__cxx11::basic_string::size"},
        {CS_LANG_C, "operator<<(std::ostream&, Foo const&)", "operator<<"},
        {CS_LANG_RUST, "ledger::Ledger::entry::h0123456789abcdef", "ledger::Ledger::entry"},
        {CS_LANG_RUST, "<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop",
         "alloc::vec::Vec::drop"},
        {CS_LANG_JAVA, "com.x.Foo.lambda$run$3", "com.x.Foo.lambda$run"},
        {CS_LANG_JAVA, "com.x.Svc$$EnhancerBySpringCGLIB$$1a2b3c.handle",
         "com.x.Svc$$Proxy.handle"},
        {CS_LANG_JAVA, "java.base/java.lang.Thread.run", "java.lang.Thread.run"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = cs_normalize_function(n, cases[i].l, cases[i].in);
        if (strcmp(got, cases[i].out) != 0)
            fail_msg("%s -> '%s', want '%s'", cases[i].in, got, cases[i].out);
        free(got);
    }
    cs_normalizer_free(n);
    cs_rules_dispose(&rules);
    cs_results_dispose(&diags);
}

static void test_bad_rules_named_with_line(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/badrules", tmpdir);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/mine.rules", dir);
    write_file(path, "# mine\n[go]\nskip ^ok$\nskip (unclosed\nfrobnicate x\n[cobol]\n");
    cs_rules rules;
    cs_results diags;
    cs_rules_init(&rules);
    cs_results_init(&diags);
    assert_int_not_equal(cs_rules_load_dir(&rules, dir, &diags), 0);
    assert_int_equal(rules.n_rules, 1);
    assert_int_equal(diags.n_diags, 3);
    assert_non_null(strstr(diags.diags[0].message, "line 4: bad pattern"));
    assert_non_null(strstr(diags.diags[0].source, "mine.rules"));
    assert_non_null(strstr(diags.diags[1].message, "line 5: unknown directive 'frobnicate'"));
    assert_non_null(strstr(diags.diags[2].message, "line 6: unknown section"));
    cs_rules_dispose(&rules);
    cs_results_dispose(&diags);
}

/* Runs the pipeline on paths with one extra rules file; returns the number
 * of clusters and copies the first trace's signature. */
static size_t with_rule(const char *const *paths, size_t n, const char *rule_text, char *sig,
                        size_t sig_len, bool *map_race)
{
    char dir[128];
    static int k;
    snprintf(dir, sizeof dir, "%s/rules%d", tmpdir, k++);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/user.rules", dir);
    write_file(path, rule_text);
    cs_triage t;
    cs_t_triage_full(paths, n, dir, &t);
    assert_int_equal(t.res.n_diags, 0);
    size_t nc = t.clusters.n;
    if (sig) snprintf(sig, sig_len, "%s", t.res.traces[0]->signature);
    if (map_race) *map_race = t.races.n && t.races.v[0].map_race;
    cs_triage_dispose(&t);
    return nc;
}

static void test_every_rule_kind_changes_grouping(void **state)
{
    (void)state;
    const char *two[] = {"fixtures/go/explicit_panic.log", "fixtures/go/repanic.log"};
    const char *one[] = {"fixtures/go/explicit_panic.log"};
    char sig[512];
    /* Baseline: two clusters (different callers of Settle). */
    assert_int_equal(with_rule(two, 2, "# nothing\n", NULL, 0, NULL), 2);
    /* skip: the callers are not significant -> one cluster. */
    assert_int_equal(
        with_rule(two, 2,
                  "[go]\nskip ^dispatch\\.(?:TestSettleClosedOrder|TestApplyBatch|SafeApply|"
                  "\\(\\*OrderBook\\)\\.ApplyBatch)\n",
                  NULL, 0, NULL),
        1);
    /* skip-file: same through the files. */
    assert_int_equal(
        with_rule(two, 2, "[go]\nskip-file (?:orders_test|orders)\\.go$\n", sig, sizeof sig, NULL),
        1);
    /* rename: both callers become one name -> one cluster. */
    assert_int_equal(
        with_rule(two, 2,
                  "[go]\nrename ^dispatch\\.(?:TestSettleClosedOrder|\\(\\*OrderBook\\)"
                  "\\.ApplyBatch\\.func1)$ => caller\nskip ^dispatch\\.(?:SafeApply|TestApplyBatch|"
                  "\\(\\*OrderBook\\)\\.ApplyBatch)$\n",
                  NULL, 0, NULL),
        1);
    /* sentinel: the signature starts at the matching frame. */
    with_rule(one, 1, "[go]\nsentinel ^dispatch\\.TestSettleClosedOrder$\n", sig, sizeof sig, NULL);
    assert_string_equal(sig, "[go-panic] panic: settle: order <n> in state <str> @ "
                             "dispatch.TestSettleClosedOrder");
    /* after: starts below the last match. */
    with_rule(one, 1, "[go]\nafter ^dispatch\\.\\(\\*OrderBook\\)\\.Settle$\n", sig, sizeof sig,
              NULL);
    assert_string_equal(sig, "[go-panic] panic: settle: order <n> in state <str> @ "
                             "dispatch.TestSettleClosedOrder");
    /* prefix: kept, not counted: with K=3 the signature grows by one frame. */
    with_rule(two + 1, 1, "[go]\nprefix ^dispatch\\.\\(\\*OrderBook\\)\\.Settle$\n", sig,
              sizeof sig, NULL);
    assert_string_equal(
        sig, "[go-panic] panic: settle: order <n> in state <str> @ dispatch.(*OrderBook).Settle"
             " | dispatch.(*OrderBook).ApplyBatch.func1 | dispatch.SafeApply | "
             "dispatch.(*OrderBook).ApplyBatch");
    /* message: placeholders decide whether two messages are one class. */
    with_rule(one, 1, "[any]\nmessage order <n> => order-id\n", sig, sizeof sig, NULL);
    assert_string_equal(sig, "[go-panic] panic: settle: order-id in state <str> @ "
                             "dispatch.(*OrderBook).Settle | dispatch.TestSettleClosedOrder");
    /* map: a plain counter race becomes a map race if Observe is declared map code. */
    const char *counter[] = {"fixtures/go/race_counter.log"};
    bool map = true;
    with_rule(counter, 1, "# nothing\n", NULL, 0, &map);
    assert_false(map);
    with_rule(counter, 1,
              "[go]\nmap ^dispatch\\.\\(\\*Aggregator\\)\\.Observe$\nskip "
              "^dispatch\\.\\(\\*Aggregator\\)\\.Observe$\n",
              NULL, 0, &map);
    assert_true(map);
}

static void test_strip_path_rule(void **state)
{
    (void)state;
    const char *one[] = {"fixtures/go/explicit_panic.log"};
    char dir[128];
    snprintf(dir, sizeof dir, "%s/strip", tmpdir);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/p.rules", dir);
    write_file(path, "[go]\nstrip-path ^/tmp/crashsift-go/\n");
    cs_triage t;
    cs_t_triage_full(one, 1, dir, &t);
    const cs_thread *th = &t.res.traces[0]->threads[0];
    bool found = false;
    for (size_t i = 0; i < th->n_frames; i++)
        if (th->frames[i].file &&
            strstr(th->frames[i].file, "/tmp/crashsift-go/dispatch/orders.go")) {
            assert_string_equal(th->frames[i].norm_file, "dispatch/orders.go");
            found = true;
        }
    assert_true(found);
    cs_triage_dispose(&t);
}

static void test_race_pairs(void **state)
{
    (void)state;
    shifted_copy("fixtures/go/race_map.log", tmp_path("race_shifted.log"), 12);
    const char *paths[] = {"fixtures/go", tmp_path("race_shifted.log")};
    cs_triage t;
    cs_t_triage_full(paths, 2, NULL, &t);
    const cs_race *add_reset = NULL, *observe = NULL, *get = NULL;
    for (size_t i = 0; i < t.races.n; i++) {
        const cs_race *r = &t.races.v[i];
        if (strcmp(r->sites[0].function, "dispatch.(*Aggregator).add") == 0 &&
            strcmp(r->sites[1].function, "dispatch.(*Aggregator).reset") == 0)
            add_reset = r;
        if (strcmp(r->sites[0].function, "dispatch.(*Aggregator).Observe") == 0) observe = r;
        if (strcmp(r->sites[0].function, "dispatch.(*Aggregator).get") == 0) get = r;
    }
    /* The map race: direct reports (also at shifted lines) and the three
     * concurrent map writes crashes, in one pair. */
    assert_non_null(add_reset);
    assert_true(add_reset->map_race);
    assert_int_equal(add_reset->n_by[CS_EV_DIRECT], 3);
    assert_int_equal(add_reset->n_by[CS_EV_RUNTIME], 3);
    assert_int_equal(add_reset->sites[0].n_lines, 2);
    assert_int_equal(add_reset->sites[0].lines[0], 16);
    assert_int_equal(add_reset->sites[0].lines[1], 28);
    assert_string_equal(add_reset->sites[1].file, "dispatch/aggregator.go");
    /* A plain counter: a race, not a map race; the flaky assertion of the
     * same test is linked. */
    assert_non_null(observe);
    assert_false(observe->map_race);
    assert_true(observe->n_by[CS_EV_SAME_TEST] >= 1);
    /* Another map race stays another pair. */
    assert_non_null(get);
    assert_true(get->map_race);
    assert_ptr_not_equal(get, add_reset);
    cs_triage_dispose(&t);
}

static const cs_race *race_with(const cs_triage *t, const char *f0, const char *f1)
{
    for (size_t i = 0; i < t->races.n; i++)
        if (strcmp(t->races.v[i].sites[0].function, f0) == 0 &&
            strcmp(t->races.v[i].sites[1].function, f1) == 0)
            return &t->races.v[i];
    return NULL;
}

static void test_cpp_map_races_tsan_and_core(void **state)
{
    (void)state;
    /* A real core of two threads writing one unordered_map (made by
     * tests/make_cores.sh) and the real TSan report of the same kind of bug. */
    const char *core = CS_BINARY_DIR "/cores/cores/maprace.core";
    const char *bin = CS_BINARY_DIR "/cores/bin/maprace";
    const char *paths[] = {core, bin, "fixtures/sanitizers/tsan_map.log",
                           "fixtures/sanitizers/tsan_counter.log"};
    cs_triage t;
    cs_t_triage_full(paths, 4, NULL, &t);
    /* Same function names, different programs (maprace.cpp, tsan_map.cpp):
     * two map races in one pile stay two pairs. */
    const cs_race *core_pair = NULL, *tsan_pair = NULL;
    for (size_t i = 0; i < t.races.n; i++) {
        const cs_race *r = &t.races.v[i];
        if (strcmp(r->sites[0].function, "evict_key") != 0) continue;
        if (strstr(r->sites[0].file, "maprace.cpp")) core_pair = r;
        if (strstr(r->sites[0].file, "tsan_map.cpp")) tsan_pair = r;
    }
    assert_non_null(core_pair);
    assert_non_null(tsan_pair);
    assert_true(core_pair->map_race);
    assert_int_equal(core_pair->n_by[CS_EV_CORE], 1);
    assert_string_equal(core_pair->sites[1].function, "record_hit");
    assert_string_equal(cs_race_access_types(core_pair), "write/write");
    assert_true(tsan_pair->map_race);
    assert_int_equal(tsan_pair->n_by[CS_EV_DIRECT], 1);
    assert_string_equal(cs_race_access_types(tsan_pair), "read/write");
    const cs_race *counter = race_with(&t, "record_batch", "record_batch");
    assert_non_null(counter);
    assert_false(counter->map_race);
    assert_string_equal(cs_race_access_types(counter), "write/write");
    cs_triage_dispose(&t);
}

static void test_source_evidence_when_map_frames_are_hidden(void **state)
{
    (void)state;
    /* Newer Go releases hide runtime.map* frames in race reports: the same
     * real report without them is a plain race, until --source shows the
     * line writes a map. The counter race stays a plain race. */
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "grep -v -e 'runtime[.]map' -e 'map_faststr[.]go' fixtures/go/race_map.log > %s",
             tmp_path("hidden.log"));
    assert_int_equal(system(cmd), 0);
    const char *paths[] = {tmp_path("hidden.log"), "fixtures/go/race_counter.log"};
    cs_run_opts o;
    for (int with_source = 0; with_source < 2; with_source++) {
        cs_run_opts_default(&o);
        o.rules_dir = CS_SOURCE_DIR "/signatures";
        if (with_source) o.source_dir = "fixtures/go/dispatch";
        cs_triage t;
        assert_int_equal(cs_pipeline_triage(&o, paths, 2, &t), 0);
        const cs_race *m =
            race_with(&t, "dispatch.(*Aggregator).add", "dispatch.(*Aggregator).reset");
        const cs_race *c =
            race_with(&t, "dispatch.(*Aggregator).Observe", "dispatch.(*Aggregator).Observe");
        assert_non_null(m);
        assert_non_null(c);
        assert_int_equal(m->map_race, with_source);
        if (with_source) assert_non_null(strstr(m->map_evidence, "counts, declared as a map"));
        assert_false(c->map_race);
        cs_triage_dispose(&t);
    }
}

static void test_corpus_map_race(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    const char *paths[] = {cs_t_corpus_path("learn-go-with-tests/concurrency.2.txt")};
    cs_triage t;
    cs_t_triage_full(paths, 1, NULL, &t);
    assert_true(t.races.n >= 1);
    assert_true(t.races.v[0].map_race);
    assert_string_equal(cs_race_access_types(&t.races.v[0]), "write/write");
    cs_triage_dispose(&t);
}

/* A signature is a function of its own trace: normalizing a trace alone and
 * inside any batch, in any order, gives the same signature and the same
 * significant frames. The batch mixes real cores whose frames have no
 * symbols (a stripped program, a core whose libc is missing, so libc frames
 * are module@build-id+offset too and a skip-file rule on the module decides
 * them) with logs of every kind; a frame cache keyed without the module got
 * this wrong. */
static void test_signature_independent_of_batch(void **state)
{
    (void)state;
    const char *paths[] = {CS_BINARY_DIR "/cores/cores/foreign.core",
                           CS_BINARY_DIR "/cores/cores/stripped.core",
                           CS_BINARY_DIR "/cores/cores/stripped_dyn.core",
                           CS_BINARY_DIR "/cores/cores/abort.core",
                           CS_BINARY_DIR "/cores/cores/mt_O2.core",
                           CS_BINARY_DIR "/cores/cores/maprace.core",
                           CS_BINARY_DIR "/cores/missing/gone.core",
                           CS_BINARY_DIR "/cores/bin/stripped_dyn",
                           CS_BINARY_DIR "/cores/bin/abort_O0",
                           CS_BINARY_DIR "/cores/bin/mt_O2",
                           CS_BINARY_DIR "/cores/bin/maprace",
                           "fixtures/go",
                           "fixtures/sanitizers",
                           "fixtures/gdb",
                           "fixtures/rust",
                           "fixtures/python",
                           "fixtures/java",
                           "fixtures/node"};
    const size_t n_paths = sizeof paths / sizeof paths[0];
    cs_run_opts o;
    cs_run_opts_default(&o);
    o.jobs = 1;
    o.rules_dir = "signatures";
    cs_rules rules;
    cs_rules_init(&rules);
    cs_results r, diags;
    cs_results_init(&r);
    cs_results_init(&diags);
    assert_int_equal(cs_pipeline_load_rules(&o, &rules, &diags), 0);
    cs_pipeline_extract(&o, paths, n_paths, &r);
    size_t n = r.n_traces, cores = 0;
    assert_true(n > 20);
    char **alone = cs_xcalloc(n, sizeof *alone);
    char **marks = cs_xcalloc(n, sizeof *marks);
    /* The significant-frame pattern of a trace, as text. */
    cs_buf m;
    cs_buf_init(&m, 0);
    for (size_t i = 0; i < n; i++) {
        cs_normalizer *nz = cs_normalizer_new(&rules, CS_DEFAULT_SIG_FRAMES);
        cs_normalize_trace(nz, r.traces[i]);
        cs_normalizer_free(nz);
        alone[i] = cs_xstrdup(r.traces[i]->signature);
        cs_buf_clear(&m);
        for (size_t k = 0; k < r.traces[i]->n_threads; k++)
            for (size_t j = 0; j < r.traces[i]->threads[k].n_frames; j++)
                cs_buf_addc(&m, r.traces[i]->threads[k].frames[j].significant ? '+' : '-');
        marks[i] = cs_xstrdup(m.ptr ? m.ptr : "");
        if (r.traces[i]->kind == CS_TK_CORE) cores++;
    }
    assert_int_equal(cores, 7);
    /* The foreign core's own frames count; its libc frame does not. */
    bool foreign = false;
    for (size_t i = 0; i < n; i++)
        if (strstr(r.traces[i]->source, "foreign.core")) {
            foreign = true;
            assert_non_null(strstr(alone[i], "@ foreign@"));
            assert_null(strstr(alone[i], "libc"));
        }
    assert_true(foreign);
    size_t *order = cs_xcalloc(n, sizeof *order);
    srand(14);
    for (int round = 0; round < 24; round++) {
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
            size_t j = (size_t)rand() % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        cs_normalizer *nz = cs_normalizer_new(&rules, CS_DEFAULT_SIG_FRAMES);
        for (size_t i = 0; i < n; i++)
            cs_normalize_trace(nz, r.traces[order[i]]);
        cs_normalizer_free(nz);
        for (size_t i = 0; i < n; i++) {
            const cs_trace *t = r.traces[i];
            if (strcmp(t->signature, alone[i]) != 0)
                fail_msg("round %d: %s: \"%s\" in a batch, \"%s\" alone", round, t->source,
                         t->signature, alone[i]);
            cs_buf_clear(&m);
            for (size_t k = 0; k < t->n_threads; k++)
                for (size_t j = 0; j < t->threads[k].n_frames; j++)
                    cs_buf_addc(&m, t->threads[k].frames[j].significant ? '+' : '-');
            assert_string_equal(m.ptr ? m.ptr : "", marks[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(alone[i]);
        free(marks[i]);
    }
    free(alone);
    free(marks);
    free(order);
    cs_buf_dispose(&m);
    cs_results_dispose(&r);
    cs_results_dispose(&diags);
    cs_rules_dispose(&rules);
}

/* Frames without symbols are equal only when their build-id and offset are:
 * stripped cores of two different programs never share a cluster, and two
 * cores of one stripped program at the same pc do. */
static void test_unsymbolized_frames_by_build_id(void **state)
{
    (void)state;
    /* No binaries given for these: every frame of the programs' own is
     * module@build-id+offset. Two copies of one core cluster; gone.core is
     * another program crashing at nearly the same offsets. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp %s/cores/cores/stripped.core %s", CS_BINARY_DIR,
             tmp_path("stripped-again.core"));
    assert_int_equal(system(cmd), 0);
    const char *paths[] = {
        CS_BINARY_DIR "/cores/cores/stripped.core", tmp_path("stripped-again.core"),
        CS_BINARY_DIR "/cores/missing/gone.core", CS_BINARY_DIR "/cores/cores/segv_O2.core"};
    cs_triage t;
    cs_t_triage_full(paths, 4, NULL, &t);
    assert_int_equal(t.res.n_traces, 4);
    for (size_t c = 0; c < t.clusters.n; c++) {
        const cs_cluster *cl = &t.clusters.v[c];
        const char *id = NULL;
        for (size_t k = 0; k < cl->n_traces; k++) {
            const cs_trace *tr = t.res.traces[cl->traces[k]];
            const cs_frame *f = &tr->threads[0].frames[0];
            assert_non_null(f->build_id);
            if (!id) id = f->build_id;
            assert_string_equal(f->build_id, id);
        }
    }
    assert_ptr_equal(cluster_of(&t, "/stripped.core"), cluster_of(&t, "stripped-again.core"));
    assert_ptr_not_equal(cluster_of(&t, "/stripped.core"), cluster_of(&t, "gone.core"));
    assert_ptr_not_equal(cluster_of(&t, "segv_O2.core"), cluster_of(&t, "gone.core"));
    cs_triage_dispose(&t);
}

/* ---- never-empty signatures, no grouping across kinds ----------------- */

static cs_frame *add(cs_thread *th, const char *fn, const char *file, int line, const char *mod)
{
    cs_frame *f = cs_thread_add_frame(th);
    f->function = fn ? strdup(fn) : NULL;
    f->file = file ? strdup(file) : NULL;
    f->line = line;
    f->module = mod ? strdup(mod) : NULL;
    return f;
}

static cs_trace *race_of(cs_trace_kind k, const char *headline, const char *fn, const char *mod)
{
    cs_trace *t = cs_trace_new(k, "mem", 1);
    t->headline = strdup(headline);
    for (int r = 0; r < 2; r++) {
        cs_thread *th = cs_trace_add_thread(t, r ? CS_ROLE_PREVIOUS : CS_ROLE_ACCESS);
        add(th, fn, NULL, 0, mod);
        add(th, "??", NULL, 0, NULL);
    }
    return t;
}

static cs_trace *panic_at(cs_trace_kind k, const char *headline, const char *file, int line)
{
    cs_trace *t = cs_trace_new(k, "mem", 1);
    t->headline = strdup(headline);
    cs_thread *th = cs_trace_add_thread(t, CS_ROLE_CRASHED);
    /* A skipped frame that names a file: the place when nothing else does. */
    if (file) add(th, "core::panicking::panic_fmt", file, line, NULL);
    return t;
}

/* The bad case of issue 15: a C++ TSan report and a Go race whose frames
 * are all skipped or unknown ("@ ? ~ ?") shared one cluster. Now the kind
 * leads every signature, and a trace without a significant frame keeps the
 * place its frames name (a panic location), so unrelated traces stay apart
 * and none has an empty signature. */
static void test_never_empty_never_across_kinds(void **state)
{
    (void)state;
    cs_rules rules;
    cs_results diags, r;
    cs_rules_init(&rules);
    cs_results_init(&diags);
    cs_results_init(&r);
    assert_int_equal(cs_rules_load_dir(&rules, cs_t_src("signatures"), &diags), 0);
    cs_normalizer *n = cs_normalizer_new(&rules, 3);
    cs_results_add_trace(&r, race_of(CS_TK_TSAN, "WARNING: ThreadSanitizer: data race (pid=1)",
                                     "__tsan_write8", "/usr/lib/libtsan.so.2"));
    cs_results_add_trace(&r,
                         race_of(CS_TK_GO_RACE, "WARNING: DATA RACE", "runtime.racewrite", NULL));
    cs_results_add_trace(&r, panic_at(CS_TK_RUST, "called `Option::unwrap()` on a `None` value",
                                      "src/config.rs", 27));
    cs_results_add_trace(
        &r, panic_at(CS_TK_RUST, "called `Option::unwrap()` on a `None` value", "src/db.rs", 90));
    cs_results_add_trace(
        &r, panic_at(CS_TK_RUST, "called `Option::unwrap()` on a `None` value", "src/db.rs", 90));
    cs_results_add_trace(&r, panic_at(CS_TK_RUST, "explicit panic", NULL, 0));
    for (size_t i = 0; i < r.n_traces; i++)
        cs_normalize_trace(n, r.traces[i]);
    const char *want[] = {
        "[tsan] data race @ libtsan.so.2 ~ libtsan.so.2", /* the module fallback */
        "[go-race] data race @ ? ~ ?",
        "[rust] called `Option::unwrap()` on a `None` value @ src/config.rs:27", /* fallback */
        "[rust] called `Option::unwrap()` on a `None` value @ src/db.rs:90",
        "[rust] called `Option::unwrap()` on a `None` value @ src/db.rs:90",
        "[rust] explicit panic",
    };
    for (size_t i = 0; i < r.n_traces; i++)
        assert_string_equal(r.traces[i]->signature, want[i]);
    cs_clusters c;
    cs_cluster_opts o = {CS_DEFAULT_MERGE_THRESHOLD};
    cs_cluster_run(&r, &o, &c);
    assert_int_equal(c.n, 5); /* only the two db.rs:90 panics group */
    assert_int_not_equal(c.of_trace[0], c.of_trace[1]);
    assert_int_not_equal(c.of_trace[2], c.of_trace[3]);
    assert_int_equal(c.of_trace[3], c.of_trace[4]);
    char *why = cs_cluster_why_apart(r.traces[0], r.traces[1], CS_DEFAULT_MERGE_THRESHOLD);
    assert_non_null(why);
    assert_non_null(strstr(why, "kinds differ: tsan vs go-race"));
    free(why);
    assert_null(cs_cluster_why_apart(r.traces[3], r.traces[4], CS_DEFAULT_MERGE_THRESHOLD));
    cs_clusters_dispose(&c);
    cs_normalizer_free(n);
    cs_rules_dispose(&rules);
    cs_results_dispose(&r);
    cs_results_dispose(&diags);
}

/* A stack overflow's signature starts at its recursion cycle: where the
 * stack ran out (here a different helper each time) is chance. A crash that
 * is not an overflow keeps its top frame, recursion or not. */
static void test_stack_overflow_starts_at_cycle(void **state)
{
    (void)state;
    static const char *const tops[] = {"scan_token", "peek_char"};
    static const char *const heads[] = {
        "ERROR: AddressSanitizer: stack-overflow on address 0x7ffd1f3a0ff8 (pc 0x4a1b2c bp "
        "0x7ffd1f3a1010 sp 0x7ffd1f3a1000 T0)",
        "ERROR: AddressSanitizer: stack-overflow on address 0x7ffd1f3a0ff8 (pc 0x4a1b2c bp "
        "0x7ffd1f3a1010 sp 0x7ffd1f3a1000 T0)",
        "ERROR: AddressSanitizer: SEGV on unknown address 0x000000000010 (pc 0x4a1b2c bp "
        "0x7ffd1f3a1010 sp 0x7ffd1f3a1000 T0)"};
    cs_rules rules;
    cs_results diags;
    cs_rules_init(&rules);
    cs_results_init(&diags);
    assert_int_equal(cs_rules_load_dir(&rules, cs_t_src("signatures"), &diags), 0);
    cs_normalizer *n = cs_normalizer_new(&rules, 3);
    char *sig[3];
    for (size_t i = 0; i < 3; i++) {
        cs_buf b;
        cs_buf_init(&b, 0);
        cs_buf_printf(&b, "==7==%s\n    #0 0x4a1b2c in %s src/lex.c:12:3\n", heads[i], tops[i % 2]);
        for (int d = 0; d < 4; d++)
            cs_buf_printf(&b,
                          "    #%d 0x4a2000 in parse_expr src/parse.c:40:5\n"
                          "    #%d 0x4a3000 in parse_term src/parse.c:77:9\n",
                          1 + 2 * d, 2 + 2 * d);
        cs_buf_adds(&b, "SUMMARY: AddressSanitizer: stack-overflow src/lex.c:12:3 in x\n");
        cs_results r;
        cs_t_triage_text("overflow.log", b.ptr, &r);
        cs_buf_dispose(&b);
        assert_int_equal(r.n_traces, 1);
        cs_normalize_trace(n, r.traces[0]);
        sig[i] = cs_xstrdup(strstr(r.traces[0]->signature, " @ "));
        cs_results_dispose(&r);
    }
    assert_string_equal(sig[0], " @ parse_expr | parse_term | parse_expr");
    assert_string_equal(sig[1], sig[0]);
    assert_string_equal(sig[2], " @ scan_token | parse_expr | parse_term");
    for (size_t i = 0; i < 3; i++)
        free(sig[i]);
    cs_results r;
    cs_t_triage_text("so.log",
                     "Exception in thread \"main\" java.lang.StackOverflowError\n"
                     "\tat com.example.Tree.label(Tree.java:88)\n"
                     "\tat com.example.Tree.walk(Tree.java:41)\n"
                     "\tat com.example.Tree.visit(Tree.java:52)\n"
                     "\tat com.example.Tree.walk(Tree.java:41)\n"
                     "\tat com.example.Tree.visit(Tree.java:52)\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    cs_normalize_trace(n, r.traces[0]);
    assert_non_null(strstr(r.traces[0]->signature, " @ com.example.Tree.walk | "));
    cs_results_dispose(&r);
    cs_normalizer_free(n);
    cs_rules_dispose(&rules);
    cs_results_dispose(&diags);
}

/* explain's "why apart": the first significant frame that differs, with its
 * place, and whether the two were compared for a link. */
static void test_why_apart_names_the_frame(void **state)
{
    (void)state;
    cs_rules rules;
    cs_results diags, r;
    cs_rules_init(&rules);
    cs_results_init(&diags);
    cs_results_init(&r);
    assert_int_equal(cs_rules_load_dir(&rules, cs_t_src("signatures"), &diags), 0);
    cs_normalizer *n = cs_normalizer_new(&rules, 3);
    const char *second[] = {"main.parseHeader", "main.parseBody", "main.parseHeader"};
    const char *third[] = {"main.main", "main.main", "main.serve"};
    for (int k = 0; k < 3; k++) {
        cs_trace *t = cs_trace_new(CS_TK_GO_PANIC, "mem", (uint64_t)k + 1);
        t->headline = strdup("panic: runtime error: index out of range [3] with length 3");
        cs_thread *th = cs_trace_add_thread(t, CS_ROLE_CRASHED);
        add(th, "runtime.goPanicIndex", "/usr/local/go/src/runtime/panic.go", 114, NULL);
        add(th, "main.readField", "/src/app/parse.go", 10, NULL);
        add(th, second[k], "/src/app/parse.go", 20 + k, NULL);
        add(th, third[k], "/src/app/main.go", 30, NULL);
        add(th, "main.run", "/src/app/main.go", 40, NULL);
        cs_results_add_trace(&r, t);
    }
    for (size_t i = 0; i < r.n_traces; i++)
        cs_normalize_trace(n, r.traces[i]);
    char *why = cs_cluster_why_apart(r.traces[0], r.traces[1], 0.2);
    assert_non_null(why);
    assert_non_null(strstr(why,
                           "significant frame 2 differs: 'main.parseHeader' (app/parse.go:20) vs "
                           "'main.parseBody' (app/parse.go:21)"));
    assert_non_null(strstr(why, "not close enough to link"));
    free(why);
    why = cs_cluster_why_apart(r.traces[0], r.traces[2], 0.2);
    assert_non_null(strstr(why, "significant frame 3 differs: 'main.main'"));
    assert_non_null(strstr(why, "linked as close clusters"));
    free(why);
    cs_normalizer_free(n);
    cs_rules_dispose(&rules);
    cs_results_dispose(&r);
    cs_results_dispose(&diags);
}

int main(void)
{
    if (chdir(CS_SOURCE_DIR) != 0) return 1;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cs-sig-XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bug_one_cluster),
        cmocka_unit_test(test_different_bugs_two_clusters),
        cmocka_unit_test(test_message_placeholders),
        cmocka_unit_test(test_function_normalization),
        cmocka_unit_test(test_bad_rules_named_with_line),
        cmocka_unit_test(test_every_rule_kind_changes_grouping),
        cmocka_unit_test(test_strip_path_rule),
        cmocka_unit_test(test_race_pairs),
        cmocka_unit_test(test_cpp_map_races_tsan_and_core),
        cmocka_unit_test(test_source_evidence_when_map_frames_are_hidden),
        cmocka_unit_test(test_corpus_map_race),
        cmocka_unit_test(test_signature_independent_of_batch),
        cmocka_unit_test(test_unsymbolized_frames_by_build_id),
        cmocka_unit_test(test_never_empty_never_across_kinds),
        cmocka_unit_test(test_stack_overflow_starts_at_cycle),
        cmocka_unit_test(test_why_apart_names_the_frame),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
