/* Race pairs on real fixtures (fixtures/race, made by fixtures/race/make.sh
 * with Debian's Go 1.19, the current Go and g++/clang++ -fsanitize=thread):
 * a pair needs two known accesses, one bug at two line versions is one
 * pair, and every symptom is linked with its evidence label. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "race/race.h"
#include "testutil.h"

static bool exists(const char *path)
{
    return access(path, R_OK) == 0;
}

static const cs_race *find(const cs_triage *t, const char *f0, const char *f1)
{
    for (size_t i = 0; i < t->races.n; i++) {
        const cs_race *r = &t->races.v[i];
        if (strcmp(r->sites[0].function, f0) != 0) continue;
        if (!f1 && r->partial) return r;
        if (f1 && !r->partial && strcmp(r->sites[1].function, f1) == 0) return r;
    }
    return NULL;
}

static size_t full_pairs(const cs_triage *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->races.n; i++)
        n += !t->races.v[i].partial;
    return n;
}

static bool has_line(const cs_site *s, int line)
{
    for (size_t i = 0; i < s->n_lines; i++)
        if (s->lines[i] == line) return true;
    return false;
}

/* Paths are relative to the source tree (main() changes into it). */

/* s is one of the '|'-separated names in alts. */
static bool one_of(const char *s, const char *alts)
{
    size_t n = strlen(s);
    for (const char *p = alts; p;) {
        const char *bar = strchr(p, '|');
        size_t k = bar ? (size_t)(bar - p) : strlen(p);
        if (k == n && strncmp(p, s, n) == 0) return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

/* Lines of the given files that contain `needle`. */
static size_t count_lines(const char *const *paths, size_t n, const char *needle)
{
    size_t c = 0;
    char line[4096];
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(paths[i], "r");
        assert_non_null(f);
        while (fgets(line, sizeof line, f))
            if (strstr(line, needle)) c++;
        fclose(f);
    }
    return c;
}

/* Every map fatal error alone, from both Go releases: the runtime shows
 * only the goroutine that threw, so each is a partial race at that site,
 * with the access the runtime's message implies - never "f ~ f", never a
 * pair with whatever another goroutine was doing (wg.Wait, asleep). */
static void test_lone_fatal_is_partial(void **state)
{
    (void)state;
    static const struct {
        const char *path, *function, *access;
    } cases[] = {
        {"fixtures/race/go119_fatal_idle.log", "inventory.(*Stock).Put", "write"},
        {"fixtures/race/go119_fatal_read.log", "inventory.(*Stock).Count", "read"},
        {"fixtures/race/go119_fatal_iterate_v2.log", "inventory.(*Stock).Total", "iteration"},
        /* Current Go shows only the goroutine that threw: Put or Drop. */
        {"fixtures/race/gocur_fatal_idle.log", "inventory.(*Stock).Put|inventory.(*Stock).Drop",
         "write"},
        {"fixtures/race/gocur_fatal_read.log", "inventory.(*Stock).Count", "read"},
        {"fixtures/race/gocur_fatal_iterate_v2.log", "inventory.(*Stock).Total", "iteration"},
        {"fixtures/go/concurrent_map_writes.log", "dispatch.(*Aggregator).add", "write"},
        {"fixtures/go/concurrent_map_read_write.log", "dispatch.(*Aggregator).get", "read"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = cases[i].path;
        if (!exists(path)) {
            print_message("note: %s not generated (no such Go toolchain)\n", cases[i].path);
            continue;
        }
        const char *paths[] = {path};
        cs_triage t;
        cs_t_triage_full(paths, 1, NULL, &t);
        assert_int_equal(t.races.n, 1);
        const cs_race *r = &t.races.v[0];
        assert_true(r->partial);
        assert_true(r->map_race);
        assert_int_equal(cs_race_n_sites(r), 1);
        assert_true(one_of(r->sites[0].function, cases[i].function));
        assert_string_equal(r->sites[0].access, cases[i].access);
        assert_int_equal(r->n_by[CS_EV_RUNTIME], 1);
        assert_string_equal(cs_race_unknown_side(r), "an unknown writer");
        cs_triage_dispose(&t);
    }
}

/* No pair is ever made from one stack: over every fatal dump and every
 * core-free fixture that has no race report, no full pair appears. */
static void test_no_pair_from_one_stack(void **state)
{
    (void)state;
    const char *paths[] = {"fixtures/go/concurrent_map_writes.log",
                           "fixtures/go/concurrent_map_writes_gha_path.log",
                           "fixtures/go/concurrent_map_writes_builds_path.log",
                           "fixtures/go/concurrent_map_read_write.log",
                           "fixtures/go/timeout.log",
                           "fixtures/go/deadlock.log",
                           "fixtures/race/go119_fatal_idle.log",
                           "fixtures/race/go119_fatal_iterate_v2.log",
                           "fixtures/sanitizers/asan_uaf.log"};
    cs_triage t;
    cs_t_triage_full(paths, sizeof paths / sizeof *paths, NULL, &t);
    assert_int_equal(full_pairs(&t), 0);
    /* Three sites, one partial race each; the three writes crashes at
     * add() (three checkouts) are one. */
    const cs_race *add = find(&t, "dispatch.(*Aggregator).add", NULL);
    assert_non_null(add);
    assert_int_equal(add->n_by[CS_EV_RUNTIME], 3);
    cs_triage_dispose(&t);
}

/* One bug, two code versions (5 lines inserted above the racy methods):
 * one pair with both lines of each site, for both Go releases at once. */
static void test_two_versions_one_pair(void **state)
{
    (void)state;
    const char *all[] = {"fixtures/race/go119_race_v1.log", "fixtures/race/go119_race_v2.log",
                         "fixtures/race/gocur_race_v1.log", "fixtures/race/gocur_race_v2.log"};
    const char *paths[4];
    size_t n = 0;
    for (size_t i = 0; i < 4; i++)
        if (exists(all[i])) paths[n++] = all[i];
    assert_true(n >= 2);
    cs_triage t;
    cs_t_triage_full(paths, n, NULL, &t);
    assert_int_equal(t.races.n, 1);
    const cs_race *r = find(&t, "inventory.(*Stock).Drop", "inventory.(*Stock).Put");
    assert_non_null(r);
    assert_true(r->map_race);
    /* Go 1.19 reports the pair once per run, current Go twice (Put's read
     * and Put's write of `items[k] += n`): every report is one occurrence. */
    assert_int_equal(r->n_by[CS_EV_DIRECT], count_lines(paths, n, "WARNING: DATA RACE"));
    /* Drop: stock.go:19 in v1, :24 in v2; Put: :14 and :19. */
    assert_true(has_line(&r->sites[0], 19));
    assert_true(has_line(&r->sites[0], 24));
    assert_true(has_line(&r->sites[1], 14));
    assert_true(has_line(&r->sites[1], 19));
    assert_string_equal(r->sites[0].file, "inventory/stock.go");
    cs_triage_dispose(&t);
}

/* Every symptom of the bug is linked to the pair with its label: the race
 * reports (direct) and the map fatal error whose other writer was asleep
 * (runtime: same site, any line). A fatal at a site no pair has stays a
 * partial race of its own. */
static void test_every_symptom_linked(void **state)
{
    (void)state;
    const char *paths[] = {"fixtures/race/go119_race_v1.log", "fixtures/race/go119_race_v2.log",
                           "fixtures/race/go119_fatal_idle.log",
                           "fixtures/race/go119_fatal_iterate_v2.log"};
    size_t n = sizeof paths / sizeof *paths;
    cs_triage t;
    cs_t_triage_full(paths, n, NULL, &t);
    const cs_race *r = find(&t, "inventory.(*Stock).Drop", "inventory.(*Stock).Put");
    assert_non_null(r);
    assert_int_equal(r->n_by[CS_EV_DIRECT], 2);
    assert_int_equal(r->n_by[CS_EV_RUNTIME], 1);
    /* The --- FAIL of the v1 run (v2's race came after its test passed). */
    assert_int_equal(r->n_by[CS_EV_SAME_TEST], 1);
    assert_int_equal(r->n_links, 4);
    for (size_t i = 0; i < r->n_links; i++) {
        const cs_trace *tr = t.res.traces[r->links[i].trace];
        assert_int_equal(r->links[i].evidence, tr->kind == CS_TK_GO_RACE    ? CS_EV_DIRECT
                                               : tr->kind == CS_TK_GO_FATAL ? CS_EV_RUNTIME
                                                                            : CS_EV_SAME_TEST);
    }
    const cs_race *total = find(&t, "inventory.(*Stock).Total", NULL);
    assert_non_null(total);
    assert_string_equal(total->sites[0].access, "iteration");
    assert_string_equal(cs_race_access_types(total), "iteration/?");
    assert_int_equal(full_pairs(&t), 1);
    cs_triage_dispose(&t);
}

/* ThreadSanitizer races on std::unordered_map (_Hashtable frames) and
 * std::map (_Rb_tree frames), from g++ and clang++: one full map pair each,
 * at the program's functions, never at the container internals. The
 * "As if synchronized via sleep:" stack is context: its frames join no
 * access. */
static void test_tsan_container_races(void **state)
{
    (void)state;
    static const struct {
        const char *path, *a, *b;
    } cases[] = {
        {"fixtures/race/tsan_unordered_map_gcc.log", "add_session", "expire_session"},
        {"fixtures/race/tsan_unordered_map_clang.log", "add_session", "expire_session"},
        {"fixtures/race/tsan_map_gcc.log", "clear_quota", "set_quota"},
        {"fixtures/race/tsan_map_clang.log", "clear_quota", "set_quota"},
        {"fixtures/race/tsan_sleep_gcc.log", "load_limits", "reset_limits"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *paths[] = {cases[i].path};
        cs_triage t;
        cs_t_triage_full(paths, 1, NULL, &t);
        assert_int_equal(t.races.n, 1);
        const cs_race *r = find(&t, cases[i].a, cases[i].b);
        assert_non_null(r);
        assert_true(r->map_race);
        assert_int_equal(r->n_by[CS_EV_DIRECT], 1);
        cs_triage_dispose(&t);
    }
    cs_results res;
    cs_t_triage(cs_t_src("fixtures/race/tsan_sleep_gcc.log"), &res);
    cs_trace *tr = cs_t_find(&res, CS_TK_TSAN, &(size_t){0});
    assert_non_null(tr);
    bool sleep_ctx = false;
    for (size_t k = 0; k < tr->n_threads; k++) {
        const cs_thread *th = &tr->threads[k];
        bool has_usleep = false;
        for (size_t j = 0; j < th->n_frames; j++)
            if (th->frames[j].function && strcmp(th->frames[j].function, "usleep") == 0)
                has_usleep = true;
        if (th->role == CS_ROLE_ACCESS || th->role == CS_ROLE_PREVIOUS) assert_false(has_usleep);
        if (th->role == CS_ROLE_OTHER && has_usleep) sleep_ctx = true;
    }
    assert_true(sleep_ctx);
    cs_results_dispose(&res);
}

/* Layouts of older and cut reports: the pre-1.3 header without an address
 * ("Write by goroutine 7:"), a report pasted without its WARNING line, and
 * "[failed to restore the stack]" for the previous access (one-sided). The
 * lines are those of real reports in ../shared/corpus/public-traces
 * (go-race-kubernetes-18708, go-race-debugcharts-19), re-indented. */
static void test_old_and_half_known_layouts(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("old.log",
                     "    Write by goroutine 81:\n"
                     "      k8s.io/kubernetes/pkg/kubelet/prober.TestHandleCrash()\n"
                     "          /workspace/src/k8s.io/kubernetes/pkg/kubelet/prober/"
                     "worker_test.go:254 +0x42\n"
                     "\n"
                     "    Previous read by goroutine 24:\n"
                     "      k8s.io/kubernetes/pkg/util.HandleCrash()\n"
                     "          /workspace/src/k8s.io/kubernetes/pkg/util/util.go:59 +0x34\n",
                     &r);
    cs_trace *t = cs_t_find(&r, CS_TK_GO_RACE, &(size_t){0});
    assert_non_null(t);
    int a = cs_t_thread(t, CS_ROLE_ACCESS), b = cs_t_thread(t, CS_ROLE_PREVIOUS);
    assert_true(a >= 0 && b >= 0);
    assert_string_equal(t->threads[a].access, "write");
    assert_int_equal(t->threads[a].id, 81);
    assert_int_equal(t->threads[a].frames[0].line, 254);
    assert_string_equal(t->threads[b].access, "read");
    assert_int_equal(t->threads[b].frames[0].line, 59);
    cs_results_dispose(&r);

    const char *lost = "==================\n"
                       "WARNING: DATA RACE\n"
                       "Write at 0x000002c31d28 by goroutine 25:\n"
                       "  github.com/mkevac/debugcharts.(*server).gatherData()\n"
                       "      /go/pkg/mod/github.com/mkevac/debugcharts@v0.0.0/debugcharts.go:125 "
                       "+0x472\n"
                       "\n"
                       "Previous read at 0x000002c31d28 by goroutine 962:\n"
                       "  [failed to restore the stack]\n"
                       "\n"
                       "Goroutine 25 (running) created at:\n"
                       "  github.com/mkevac/debugcharts.init.0()\n"
                       "      /go/pkg/mod/github.com/mkevac/debugcharts@v0.0.0/debugcharts.go:193 "
                       "+0x507\n"
                       "==================\n";
    cs_t_triage_text("lost.log", lost, &r);
    t = cs_t_find(&r, CS_TK_GO_RACE, &(size_t){0});
    assert_non_null(t);
    assert_false(t->truncated);
    b = cs_t_thread(t, CS_ROLE_PREVIOUS);
    assert_true(b >= 0);
    assert_int_equal(t->threads[b].n_frames, 0);
    assert_true(t->threads[b].elided);
    assert_true(cs_t_thread(t, CS_ROLE_CREATION) >= 0);
    cs_results_dispose(&r);

    /* The whole pipeline: one partial pair at the known site, never a guess. */
    cs_triage tr;
    cs_t_triage_text_full("lost.log", lost, &tr);
    assert_int_equal(tr.races.n, 1);
    assert_true(tr.races.v[0].partial);
    assert_string_equal(tr.races.v[0].sites[0].function, "debugcharts.(*server).gatherData");
    cs_triage_dispose(&tr);
}

/* Layouts that lost their shape on the way to the log: frames and files
 * without indent (a CI viewer that dropped the tabs), a frame and its file
 * joined on one line, an access header wrapped after "by", a paster's
 * elision mark "(....)" between the accesses, and a package
 * with a major-version element (klog/v2 is package klog). The programs are
 * made up; the shapes are those of reports in public-traces (teleport-4693,
 * kubernetes-103246, etcd-5271). */
static void test_flattened_layouts(void **state)
{
    (void)state;
    const char *text = "==================\n"
                       "WARNING: DATA RACE\n"
                       "Write at 0x00c00059a5b8 by\n"
                       "goroutine 79:\n"
                       "example.com/shop/cart.(*Cart).Add()\n"
                       "/src/shop/cart/cart.go:86 +0x1ee\n"
                       "testing.tRunner()\n"
                       "/usr/local/go/src/testing/testing.go:1193 +0x202\n"
                       "\n"
                       "(....)\n"
                       "\n"
                       "Previous read at 0x00c00059a5b8 by goroutine 88:\n"
                       "  example.com/shop/vendor/k8s.io/klog/v2.(*loggingT).output()"
                       "      /src/shop/vendor/k8s.io/klog/v2/klog.go:924 +0xb74\n"
                       "  example.com/shop/cart.(*Cart).watch()\n"
                       "      /src/shop/cart/cart.go:362 +0x92c\n"
                       "==================\n";
    cs_results r;
    cs_t_triage_text("flat.log", text, &r);
    cs_trace *t = cs_t_find(&r, CS_TK_GO_RACE, &(size_t){0});
    assert_non_null(t);
    assert_false(t->truncated);
    int a = cs_t_thread(t, CS_ROLE_ACCESS), b = cs_t_thread(t, CS_ROLE_PREVIOUS);
    assert_true(a >= 0 && b >= 0);
    assert_int_equal(t->threads[a].id, 79);
    assert_int_equal(t->threads[a].n_frames, 2);
    assert_string_equal(t->threads[a].frames[0].file, "/src/shop/cart/cart.go");
    assert_int_equal(t->threads[a].frames[0].line, 86);
    assert_int_equal(t->threads[b].n_frames, 2);
    assert_int_equal(t->threads[b].frames[0].line, 924);
    assert_string_equal(t->threads[b].frames[0].function,
                        "example.com/shop/vendor/k8s.io/klog/v2.(*loggingT).output");
    cs_results_dispose(&r);

    cs_triage tr;
    cs_t_triage_text_full("flat.log", text, &tr);
    assert_int_equal(tr.races.n, 1);
    assert_false(tr.races.v[0].partial);
    assert_true(find(&tr, "cart.(*Cart).Add", "klog/v2.(*loggingT).output") ||
                find(&tr, "klog/v2.(*loggingT).output", "cart.(*Cart).Add"));
    cs_triage_dispose(&tr);
}

/* Clang numbers a function's lambdas ($_0, $_1...): the number moves when a
 * lambda is added above, so grouping ignores it (rename-key), yet the site
 * is named as the report printed it. Two versions of one program, the
 * writer's lambda renumbered: one pair, named after the first report. */
static void test_lambda_site_names(void **state)
{
    (void)state;
    static const char *const fmt =
        "==================\n"
        "WARNING: ThreadSanitizer: data race (pid=4242)\n"
        "  Read of size 4 at 0x7b0400000800 by main thread:\n"
        "    #0 main /src/counter.cpp:%d:3 (counter+0xea978)\n"
        "\n"
        "  Previous write of size 4 at 0x7b0400000800 by thread T1:\n"
        "    #0 main::$_%d::operator()() const /src/counter.cpp:%d:5 (counter+0xebc48)\n"
        "    #1 void std::__invoke_impl<void, main::$_%d>(std::__invoke_other, main::$_%d&&) "
        "/usr/include/c++/12/bits/invoke.h:61:14 (counter+0xebbd5)\n"
        "\n"
        "SUMMARY: ThreadSanitizer: data race /src/counter.cpp:%d:3 in main\n"
        "==================\n";
    char dir[] = "/tmp/cs-race-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p1[256], p2[256];
    snprintf(p1, sizeof p1, "%s/v1.log", dir);
    snprintf(p2, sizeof p2, "%s/v2.log", dir);
    FILE *f = fopen(p1, "w");
    assert_non_null(f);
    fprintf(f, fmt, 20, 0, 12, 0, 0, 20);
    fclose(f);
    f = fopen(p2, "w");
    assert_non_null(f);
    fprintf(f, fmt, 24, 1, 16, 1, 1, 24);
    fclose(f);
    const char *paths[] = {p1, p2};
    cs_triage tr;
    cs_t_triage_full(paths, 2, NULL, &tr);
    assert_int_equal(tr.races.n, 1);
    const cs_race *r = &tr.races.v[0];
    assert_false(r->partial);
    int lam = strcmp(r->sites[0].function, "main") == 0 ? 1 : 0;
    assert_string_equal(r->sites[lam].function, "main::$::operator()");
    assert_string_equal(cs_site_name(&r->sites[lam]), "main::$_0::operator()");
    assert_string_equal(cs_site_name(&r->sites[1 - lam]), "main");
    assert_true(has_line(&r->sites[lam], 12) && has_line(&r->sites[lam], 16));
    cs_triage_dispose(&tr);
    unlink(p1);
    unlink(p2);
    rmdir(dir);
}

int main(void)
{
    if (chdir(CS_SOURCE_DIR) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lone_fatal_is_partial),
        cmocka_unit_test(test_no_pair_from_one_stack),
        cmocka_unit_test(test_two_versions_one_pair),
        cmocka_unit_test(test_every_symptom_linked),
        cmocka_unit_test(test_tsan_container_races),
        cmocka_unit_test(test_old_and_half_known_layouts),
        cmocka_unit_test(test_flattened_layouts),
        cmocka_unit_test(test_lambda_site_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
