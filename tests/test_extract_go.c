/* Go extraction on real fixtures (fixtures/go, made by fixtures/go/make.sh)
 * and on the shared corpus. Line numbers and frames were read off the
 * fixture files by hand. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "testutil.h"

static const cs_frame *top(const cs_trace *t, cs_role role, size_t k)
{
    int i = cs_t_thread(t, role);
    assert_true(i >= 0);
    assert_true(t->threads[i].n_frames > k);
    return &t->threads[i].frames[k];
}

static void test_nil_deref_panic(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/go/nil_deref.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_GO_PANIC);
    assert_int_equal(t->line_start, 2);
    assert_int_equal(t->line_end, 20);
    assert_string_equal(t->headline, "panic: runtime error: invalid memory address or nil pointer "
                                     "dereference [signal SIGSEGV: segmentation violation]");
    assert_string_equal(t->test, "TestDispatchUnknownKind");
    assert_false(t->truncated);
    assert_int_equal(t->n_threads, 1);
    assert_string_equal(t->threads[0].name, "goroutine 10");
    assert_string_equal(t->threads[0].state, "running");
    assert_int_equal(t->threads[0].n_frames, 6);
    const cs_frame *f = top(t, CS_ROLE_CRASHED, 3);
    assert_string_equal(f->function, "example.com/dispatch.(*Dispatcher).Dispatch");
    assert_string_equal(f->file, "/tmp/crashsift-go/dispatch/dispatch.go");
    assert_int_equal(f->line, 37);
    assert_true(f->has_offset);
    assert_int_equal(f->offset, 0x35);
    assert_string_equal(t->threads[0].created_by->function, "testing.(*T).Run");
    assert_int_equal(t->threads[0].created_by->line, 1493);
    cs_results_dispose(&r);
}

static void test_concurrent_map_writes_dumps_all_goroutines(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/go/concurrent_map_writes.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_GO_FATAL);
    assert_string_equal(t->headline, "fatal error: concurrent map writes");
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 43);
    assert_int_equal(t->n_threads, 4);
    assert_int_equal(t->threads[0].role, CS_ROLE_CRASHED);
    assert_int_equal(t->threads[0].id, 19);
    assert_string_equal(t->threads[0].frames[0].function, "example.com/dispatch.(*Aggregator).add");
    assert_int_equal(t->threads[0].frames[0].line, 16);
    assert_false(t->threads[0].frames[0].has_offset); /* inlined: "(...)" and no +0x */
    /* The other writer is in the dump too. */
    assert_int_equal(t->threads[3].role, CS_ROLE_OTHER);
    assert_string_equal(t->threads[3].state, "runnable");
    assert_string_equal(t->threads[3].frames[0].function,
                        "example.com/dispatch.(*Aggregator).reset");
    assert_string_equal(t->test, "TestConcurrentAdd");
    cs_results_dispose(&r);
}

static void test_crlf_and_gha_wrappers(void **state)
{
    (void)state;
    cs_results a, b;
    cs_t_triage("fixtures/go/concurrent_map_read_write.log", &a);
    cs_t_triage("fixtures/go/concurrent_map_read_write_crlf.log", &b);
    assert_int_equal(a.n_traces, 1);
    assert_int_equal(b.n_traces, 1);
    assert_string_equal(a.traces[0]->headline, "fatal error: concurrent map read and map write");
    assert_string_equal(b.traces[0]->headline, a.traces[0]->headline);
    assert_int_equal(b.traces[0]->threads[0].n_frames, a.traces[0]->threads[0].n_frames);
    assert_string_equal(b.traces[0]->threads[0].frames[0].file,
                        "/tmp/crashsift-go/dispatch/aggregator.go");
    cs_results_dispose(&a);
    cs_results_dispose(&b);

    cs_t_triage("fixtures/go/gha_nil_deref.log", &a);
    assert_int_equal(a.n_traces, 1);
    assert_int_equal(a.traces[0]->line_start, 6);
    assert_int_equal(a.traces[0]->threads[0].n_frames, 6);
    assert_string_equal(a.traces[0]->test, "TestDispatchUnknownKind");
    cs_results_dispose(&a);
}

static void test_recovered_and_nested_panics(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/go/repanic.log", &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->line_start, 3);
    assert_string_equal(r.traces[0]->headline, "panic: settle: order 4711 in state \"closed\"");
    assert_string_equal(r.traces[0]->test, "TestApplyBatch");
    cs_results_dispose(&r);
    cs_t_triage("fixtures/go/nested_panic.log", &r);
    assert_int_equal(r.n_traces, 1);
    assert_string_equal(r.traces[0]->headline, "panic: replay: empty entry at index 2");
    assert_string_equal(r.traces[0]->threads[0].frames[0].function, "main.(*journal).close");
    assert_null(r.traces[0]->test);
    cs_results_dispose(&r);
}

static void test_timeout_and_deadlock(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/go/timeout.log", &r);
    assert_int_equal(r.n_traces, 1);
    assert_string_equal(r.traces[0]->headline, "panic: test timed out after 2s");
    assert_string_equal(r.traces[0]->threads[0].frames[0].function,
                        "testing.(*M).startAlarm.func1");
    assert_true(r.traces[0]->n_threads >= 2);
    assert_string_equal(r.traces[0]->test, "TestDrain");
    cs_results_dispose(&r);
    cs_t_triage("fixtures/go/deadlock.log", &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->kind, CS_TK_GO_FATAL);
    assert_string_equal(r.traces[0]->headline,
                        "fatal error: all goroutines are asleep - deadlock!");
    assert_string_equal(r.traces[0]->threads[0].state, "semacquire");
    cs_results_dispose(&r);
}

/* A dump with more goroutines than CS_MAX_THREADS (the blocks of
 * fixtures/go/timeout.log, renumbered) and a goroutine with more frames than
 * CS_MAX_FRAMES is still one trace: the rest is counted, not kept. */
static void test_huge_dump_one_trace(void **state)
{
    (void)state;
    static const char *block[] = {
        "goroutine %d [chan receive]:\n"
        "example.com/dispatch.(*Queue).Drain(...)\n"
        "\t/tmp/crashsift-go/dispatch/drain.go:25\n"
        "example.com/dispatch.TestDrain(0x0?)\n"
        "\t/tmp/crashsift-go/dispatch/dispatch_test.go:29 +0xb4\n"
        "created by testing.(*T).Run\n"
        "\t/usr/lib/go-1.19/src/testing/testing.go:1493 +0x35f\n\n",
        "goroutine %d [running]:\n"
        "testing.(*M).startAlarm.func1()\n"
        "\t/usr/lib/go-1.19/src/testing/testing.go:2036 +0x8e\n"
        "created by time.goFunc\n"
        "\t/usr/lib/go-1.19/src/time/sleep.go:176 +0x32\n\n",
    };
    cs_buf b;
    cs_buf_init(&b, 0);
    cs_buf_adds(&b, "panic: test timed out after 10m0s\n\n");
    cs_buf_adds(&b, "goroutine 1 [running]:\n");
    for (int i = 0; i < CS_MAX_FRAMES + 10; i++)
        cs_buf_printf(&b, "example.com/r.f%d(...)\n\t/src/r.go:%d +0x1\n", i, i + 1);
    cs_buf_adds(&b, "\n");
    int n = CS_MAX_THREADS + 900;
    for (int i = 2; i <= n; i++)
        cs_buf_printf(&b, block[i % 2], i);
    cs_buf_adds(&b, "FAIL\texample.com/dispatch\t600.006s\n");
    cs_results r;
    cs_t_triage_text("huge.log", b.ptr, &r);
    assert_int_equal(r.n_traces, 1);
    const cs_trace *t = r.traces[0];
    assert_int_equal(t->n_threads, CS_MAX_THREADS);
    assert_int_equal(t->n_dropped_threads, n - CS_MAX_THREADS);
    assert_true(t->truncated);
    assert_int_equal(t->threads[0].n_frames, CS_MAX_FRAMES);
    assert_string_equal(t->threads[0].frames[CS_MAX_FRAMES - 1].file, "/src/r.go");
    assert_int_equal(t->threads[0].frames[CS_MAX_FRAMES - 1].line, CS_MAX_FRAMES);
    assert_string_equal(t->threads[1].name, "goroutine 2");
    assert_int_equal(t->threads[1].role, CS_ROLE_OTHER);
    cs_results_dispose(&r);
    cs_buf_dispose(&b);
}

static void test_race_reports(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/go/race_map.log", &r);
    /* The "race detected during execution of test" failure is kept, linked
     * to the race report that explains it. */
    assert_int_equal(r.n_traces, 2);
    assert_int_equal(r.traces[1]->kind, CS_TK_TEST_FAILURE);
    assert_string_equal(r.traces[1]->test, "TestConcurrentAdd");
    assert_int_equal(r.traces[1]->cause_line, 1);
    assert_int_equal(r.traces[1]->cause_kind, CS_TK_GO_RACE);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_GO_RACE);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 34);
    assert_false(t->truncated);
    assert_string_equal(t->test, "TestConcurrentAdd");
    assert_int_equal(t->n_threads, 4);
    assert_int_equal(t->threads[0].role, CS_ROLE_ACCESS);
    assert_string_equal(t->threads[0].access, "read");
    assert_int_equal(t->threads[0].id, 8);
    assert_string_equal(t->threads[0].frames[0].function, "runtime.mapaccess1_faststr");
    assert_string_equal(t->threads[0].frames[1].function, "example.com/dispatch.(*Aggregator).add");
    assert_int_equal(t->threads[0].frames[1].line, 16);
    assert_int_equal(t->threads[1].role, CS_ROLE_PREVIOUS);
    assert_string_equal(t->threads[1].access, "write");
    assert_string_equal(t->threads[1].frames[0].function, "runtime.mapdelete_faststr");
    assert_int_equal(t->threads[2].role, CS_ROLE_CREATION);
    assert_int_equal(t->threads[2].id, 8);
    assert_string_equal(t->threads[3].state, "finished");
    cs_results_dispose(&r);

    cs_t_triage("fixtures/go/race_counter.log", &r);
    assert_int_equal(cs_t_count(&r, CS_TK_GO_RACE), 1);
    /* The lost update the race caused is a failure of its own, explained
     * by the race of the same run. */
    assert_int_equal(cs_t_count(&r, CS_TK_TEST_FAILURE), 1);
    assert_int_equal(r.traces[1]->kind, CS_TK_TEST_FAILURE);
    assert_string_equal(r.traces[1]->headline, "got 92, want 100");
    assert_int_equal(r.traces[1]->cause_line, r.traces[0]->line_start);
    cs_results_dispose(&r);
}

static void test_test2json_streams(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/go/nil_deref.json", &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->kind, CS_TK_GO_PANIC);
    assert_int_equal(r.traces[0]->line_start, 23); /* the event line of "panic:" */
    assert_string_equal(r.traces[0]->test, "TestDispatchUnknownKind");
    assert_int_equal(r.traces[0]->threads[0].n_frames, 6);
    cs_results_dispose(&r);

    cs_t_triage("fixtures/go/assert_fail.json", &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->kind, CS_TK_TEST_FAILURE);
    assert_int_equal(r.traces[0]->line_start, 3);
    assert_string_equal(r.traces[0]->headline, "got 99, want 100");
    assert_string_equal(r.traces[0]->threads[0].frames[0].file, "agg_test.go");
    assert_int_equal(r.traces[0]->threads[0].frames[0].line, 61);
    cs_results_dispose(&r);

    cs_t_triage("fixtures/go/race_map.json", &r);
    assert_int_equal(r.n_traces, 2);
    assert_int_equal(r.traces[0]->kind, CS_TK_GO_RACE);
    assert_int_equal(r.traces[0]->n_threads, 4);
    assert_int_equal(r.traces[1]->kind, CS_TK_TEST_FAILURE);
    assert_int_equal(r.traces[1]->cause_line, r.traces[0]->line_start);
    cs_results_dispose(&r);
}

static void test_assertion_only_failure(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/go/assert_fail.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_TEST_FAILURE);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 2);
    assert_string_equal(t->test, "TestCount");
    assert_string_equal(t->headline, "got 99, want 100");
    cs_results_dispose(&r);
}

static void test_verbose_passing_messages_are_not_failures(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("v.log",
                     "=== RUN   TestA\n"
                     "    a_test.go:10: checking panic: handler\n"
                     "--- PASS: TestA (0.00s)\n"
                     "=== RUN   TestB\n"
                     "    b_test.go:20: got 1, want 2\n"
                     "    b_test.go:21: and more\n"
                     "--- FAIL: TestB (0.00s)\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    assert_string_equal(r.traces[0]->test, "TestB");
    assert_string_equal(r.traces[0]->headline, "got 1, want 2");
    assert_int_equal(r.traces[0]->line_start, 5);
    cs_results_dispose(&r);
}

static void test_parallel_tests_interleaved(void **state)
{
    (void)state;
    /* go test -v with t.Parallel(): outputs interleave, === NAME says whose. */
    cs_results r;
    cs_t_triage_text("par.log",
                     "=== RUN   TestA\n"
                     "=== PAUSE TestA\n"
                     "=== RUN   TestB\n"
                     "=== PAUSE TestB\n"
                     "=== CONT  TestA\n"
                     "=== CONT  TestB\n"
                     "=== NAME  TestA\n"
                     "    a_test.go:12: got 1, want 2\n"
                     "=== NAME  TestB\n"
                     "    b_test.go:30: timeout waiting for queue\n"
                     "--- FAIL: TestB (0.00s)\n"
                     "--- FAIL: TestA (0.01s)\n"
                     "FAIL\n",
                     &r);
    assert_int_equal(r.n_traces, 2);
    assert_string_equal(r.traces[0]->test, "TestA");
    assert_int_equal(r.traces[0]->line_start, 8);
    assert_string_equal(r.traces[0]->headline, "got 1, want 2");
    assert_string_equal(r.traces[1]->test, "TestB");
    assert_int_equal(r.traces[1]->line_start, 10);
    assert_string_equal(r.traces[1]->threads[0].frames[0].file, "b_test.go");
    cs_results_dispose(&r);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[3][65536];
    static int k;
    char *b = buf[k++ % 3];
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

/* go test -v -count=3: every failing run is an occurrence of its own, and
 * a crash of the same test in the same member never removes a failure: the
 * race of run 3 explains run 3's failure only. */
static void test_repeated_runs_and_crash_never_drop(void **state)
{
    (void)state;
    cs_results r;
    char text[200000], race_report[8192];
    /* The race report of a real run (without its own test's lines). */
    const char *log = slurp("fixtures/go/race_counter.log");
    size_t n = (size_t)(strstr(log, "--- FAIL") - log);
    memcpy(race_report, log, n);
    race_report[n] = '\0';
    snprintf(text, sizeof text,
             "=== RUN   TestCount\n"
             "--- PASS: TestCount (0.00s)\n"
             "=== RUN   TestCount\n"
             "    agg_test.go:9: got 1, want 2\n"
             "--- FAIL: TestCount (0.00s)\n"
             "=== RUN   TestCount\n"
             "%s"
             "    agg_test.go:9: got 3, want 2\n"
             "    agg_test.go:10: and then\n"
             "    testing.go:1319: race detected during execution of test\n"
             "--- FAIL: TestCount (0.00s)\n"
             "FAIL\n"
             "FAIL\texample.com/x\t0.01s\n",
             race_report);
    cs_t_triage_text("count.log", text, &r);
    assert_int_equal(r.n_traces, 3);
    assert_int_equal(r.traces[0]->kind, CS_TK_TEST_FAILURE);
    assert_string_equal(r.traces[0]->headline, "got 1, want 2");
    assert_int_equal(r.traces[0]->line_start, 4);
    assert_int_equal(r.traces[0]->cause_line, 0); /* run 2 had no crash */
    assert_int_equal(r.traces[1]->kind, CS_TK_GO_RACE);
    assert_int_equal(r.traces[1]->line_start, 7);
    assert_string_equal(r.traces[1]->test, "TestCount");
    /* Run 3: its first message is the failure, explained by the race. */
    assert_int_equal(r.traces[2]->kind, CS_TK_TEST_FAILURE);
    assert_string_equal(r.traces[2]->headline, "got 3, want 2");
    assert_int_equal(r.traces[2]->cause_line, 7);
    assert_int_equal(r.traces[2]->cause_kind, CS_TK_GO_RACE);
    /* The outcomes: one record for TestCount in example.com/x, P F F. */
    assert_int_equal(r.n_tests, 1);
    assert_string_equal(r.tests[0]->name, "TestCount");
    assert_string_equal(r.tests[0]->package, "example.com/x");
    assert_string_equal(r.tests[0]->outcomes, "PFF");
    assert_false(r.tests[0]->fails_only);
    cs_results_dispose(&r);
}

static void test_several_traces_in_noise(void **state)
{
    (void)state;
    /* Real traces one after another, with ordinary output between them. */
    char text[200000];
    snprintf(text, sizeof text,
             "Run go test ./...\ngo: downloading github.com/stretchr/testify v1.8.4\n%s"
             "ok  \texample.com/other\t0.012s\nsome log line mentioning goroutine leaks\n%s"
             "building...\n%s",
             slurp("fixtures/go/nil_deref.log"), slurp("fixtures/go/concurrent_map_writes.log"),
             slurp("fixtures/go/race_map.log"));
    cs_results r;
    cs_t_triage_text("many.log", text, &r);
    /* The race's test failure is kept beside it. */
    assert_int_equal(r.n_traces, 4);
    assert_int_equal(r.traces[3]->kind, CS_TK_TEST_FAILURE);
    assert_int_equal(r.traces[3]->cause_line, r.traces[2]->line_start);
    assert_int_equal(r.traces[0]->kind, CS_TK_GO_PANIC);
    assert_int_equal(r.traces[0]->line_start, 2 + 2);
    assert_int_equal(r.traces[0]->line_end, 2 + 20);
    assert_int_equal(r.traces[1]->kind, CS_TK_GO_FATAL);
    assert_int_equal(r.traces[1]->line_start, 2 + 25 + 2 + 1);
    assert_int_equal(r.traces[1]->n_threads, 4);
    assert_int_equal(r.traces[2]->kind, CS_TK_GO_RACE);
    assert_int_equal(r.traces[2]->line_start, 2 + 25 + 2 + 45 + 1 + 1);
    assert_string_equal(r.traces[2]->test, "TestConcurrentAdd");
    cs_results_dispose(&r);
}

static void test_repeated_fatal_header_is_one_trace(void **state)
{
    (void)state;
    /* Both writers of a map throw: the second header can come inside the
     * first dump. Built from the real fixture with its header repeated. */
    char text[65536];
    const char *real = slurp("fixtures/go/concurrent_map_writes.log");
    const char *g20 = strstr(real, "goroutine 20 [runnable]:");
    assert_non_null(g20);
    snprintf(text, sizeof text, "%.*sfatal error: concurrent map writes\n\n%s", (int)(g20 - real),
             real, g20);
    cs_results r;
    cs_t_triage_text("twice.log", text, &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->n_threads, 4);
    cs_results_dispose(&r);
}

static void test_gitlab_wrapped_log(void **state)
{
    (void)state;
    /* GitLab job logs: section markers drawn with CR and erase-line codes,
     * ANSI colours on lines. The real fixture wrapped that way. */
    const char *real = slurp("fixtures/go/nil_deref.log");
    char text[65536];
    size_t o = (size_t)snprintf(text, sizeof text,
                                "\x1b[0Ksection_start:1714567890:step_script\r\x1b[0K"
                                "\x1b[0K\x1b[36;1mExecuting \"step_script\" stage\x1b[0;m\n"
                                "\x1b[32;1m$ go test ./...\x1b[0;m\n");
    for (const char *p = real; *p && o < sizeof text - 64;) {
        const char *nl = strchr(p, '\n');
        size_t k = nl ? (size_t)(nl - p) : strlen(p);
        o += (size_t)snprintf(text + o, sizeof text - o, "\x1b[0;33m%.*s\x1b[0m\n", (int)k, p);
        p += k + (nl ? 1 : 0);
    }
    snprintf(text + o, sizeof text - o,
             "\x1b[0Ksection_end:1714567899:step_script\r\x1b[0K\n"
             "\x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m\n");
    cs_results r;
    cs_t_triage_text("gitlab.log", text, &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->line_start, 2 + 2);
    assert_string_equal(r.traces[0]->test, "TestDispatchUnknownKind");
    assert_int_equal(r.traces[0]->threads[0].n_frames, 6);
    assert_string_equal(r.traces[0]->threads[0].frames[3].function,
                        "example.com/dispatch.(*Dispatcher).Dispatch");
    cs_results_dispose(&r);
}

/* Dumps damaged by copying: no header lines, a goroutine header without
 * its colon, a file line wrapped in its hex, a creator with a middle dot
 * (pre-1.5 closures), and a last frame cut inside its arguments. */
static void test_damaged_dumps(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text(
        "headless.log",
        "runtime.throw(0x7a1c20, 0x15)\n"
        "\t/usr/lib/go/src/runtime/panic.go:774 +0x72 fp=0xc0000a1d10     "
        "sp=0xc0000a1ce0 pc=0x42f6a2\n"
        "runtime.mapassign_faststr(0x6f1e40, 0xc000070330, 0x7b6a1e, 0x4, 0x0)\n"
        "\t/usr/lib/go/src/runtime/map_faststr.go:211 +0x417 fp=0xc0000a1d78 sp=0xc0000a1d1\n"
        "0\n"
        "example.org/cachesvc/store.(*Index).Put(0xc00008e0c0, 0x7b6a1e, 0x4)\n"
        "\t/src/cachesvc/store/index.go:58 +0x9b\n"
        "created by example.org/cachesvc/store.func\xc2\xb7"
        "002\n"
        "\t/src/cachesvc/store/index.go:40 +0x5e\n"
        "\n"
        "goroutine 1 [chan receive]\n"
        "main.main()\n"
        " /src/cachesvc/main.go:22 +0x1a5\n"
        "example.org/cachesvc/store.(*Index).Get(0xc00008e0c0, {0x7b6a1e, 0x4>\n",
        &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_GO_FATAL);
    assert_int_equal(t->n_threads, 2);
    assert_int_equal(t->threads[0].n_frames, 3);
    const cs_frame *f = top(t, CS_ROLE_CRASHED, 2);
    assert_string_equal(f->function, "example.org/cachesvc/store.(*Index).Put");
    assert_int_equal(f->line, 58);
    assert_string_equal(t->threads[0].created_by->function,
                        "example.org/cachesvc/store.func\xc2\xb7"
                        "002");
    assert_int_equal(t->threads[1].id, 1);
    assert_int_equal(t->threads[1].n_frames, 2);
    assert_string_equal(t->threads[1].frames[1].function,
                        "example.org/cachesvc/store.(*Index).Get");
    cs_results_dispose(&r);

    /* A late t.Log names its test in the panic message. */
    cs_t_triage_text("late_log.log",
                     "panic: Log in goroutine after TestFlush has completed: flushed 3\n"
                     "\n"
                     "goroutine 9 [running]:\n"
                     "testing.(*common).logDepth(0xc000102340, {0xc00001a0a0, 0x9}, 0x3)\n"
                     "\t/usr/lib/go/src/testing/testing.go:1022 +0x4a5\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    assert_string_equal(r.traces[0]->test, "TestFlush");
    cs_results_dispose(&r);

    /* Prose and code that only look like frames start nothing. */
    const char *texts[] = {
        "call fmt.Println(x) to print\n",
        "obj.method()\n",
        "errors.New(\"boom\")\n\t/src/x.go:3 +0x1\n",
        /* one frame with its file line: a log line quoting a call */
        "main.run(0x1)\n\t/src/main.go:3 +0x1\nnext\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        cs_t_triage_text("prose.log", texts[i], &r);
        assert_int_equal(r.n_traces, 0);
        cs_results_dispose(&r);
    }
}

/* testify blocks that no FAIL line settles, Go 1.14's "TestX: file:line:"
 * messages, and a Ginkgo v1 failure block. */
static void test_failures_without_fail_line(void **state)
{
    (void)state;
    cs_results r;
    /* A paste of the block alone, indented, tabs turned into spaces: the
     * test is the block's Test: line. */
    cs_t_triage_text("testify.log",
                     "      ledger_test.go:77:\n"
                     "            Error Trace:  ledger_test.go:77\n"
                     "            Error:        Not equal:\n"
                     "                          expected: 10\n"
                     "            Test:         TestLedger/Refunds\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_TEST_FAILURE);
    assert_string_equal(t->test, "TestLedger/Refunds");
    assert_string_equal(t->threads[0].frames[0].file, "ledger_test.go");
    assert_int_equal(t->threads[0].frames[0].line, 77);
    cs_results_dispose(&r);

    /* Go 1.14's prefix and a whitespace-only line inside testify's diff;
     * the FAIL line settles it. */
    cs_t_triage_text("go114.log",
                     "=== RUN   TestMerge\n"
                     "    TestMerge: merge_test.go:31: \n"
                     "        \tError Trace:\tmerge_test.go:31\n"
                     "        \tError:      \telements differ\n"
                     "        \t            \t\n"
                     "        \t            \textra elements in list A:\n"
                     "--- FAIL: TestMerge (0.00s)\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    assert_string_equal(t->test, "TestMerge");
    assert_string_equal(t->headline, "elements differ");
    assert_int_equal(t->line_end, 6);
    cs_results_dispose(&r);

    /* An indented message with no test and no testify block is nothing. */
    cs_t_triage_text("log.log", "    server.go:40: listening on :8080\n", &r);
    assert_int_equal(r.n_traces, 0);
    cs_results_dispose(&r);

    cs_t_triage_text("ginkgo1.log",
                     "------------------------------\n"
                     "\xe2\x80\xa2 Failure [0.004 seconds]\n"
                     "Cart\n"
                     "/src/shop/cart_test.go:14\n"
                     "  totals its lines [It]\n"
                     "  /src/shop/cart_test.go:22\n"
                     "\n"
                     "  Expected\n"
                     "      <int>: 7\n"
                     "  to equal\n"
                     "      <int>: 9\n"
                     "\n"
                     "  /src/shop/cart_test.go:27\n"
                     "------------------------------\n"
                     "Failure [30.001 seconds]\n"
                     "[BeforeSuite] BeforeSuite \n"
                     "/src/shop/suite_test.go:9\n"
                     "\n"
                     "  database not reachable\n"
                     "\n"
                     "  /src/shop/db.go:51\n",
                     &r);
    assert_int_equal(r.n_traces, 2);
    t = r.traces[0];
    assert_string_equal(t->test, "[It] Cart totals its lines");
    assert_string_equal(t->headline, "Expected <int>: 7 to equal <int>: 9");
    assert_string_equal(t->threads[0].frames[0].file, "/src/shop/cart_test.go");
    assert_int_equal(t->threads[0].frames[0].line, 27);
    t = r.traces[1];
    assert_string_equal(t->test, "[BeforeSuite] BeforeSuite");
    assert_int_equal(t->threads[0].frames[0].line, 51);
    cs_results_dispose(&r);
}

static void test_lookalikes_yield_nothing(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/lookalikes", &r);
    assert_int_equal(r.n_traces, 0);
    assert_true(r.n_members >= 2);
    cs_results_dispose(&r);
}

static void test_corpus_go(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    /* The map race from the book: two writes in mapassign_faststr. */
    cs_t_triage(cs_t_corpus_path("learn-go-with-tests/concurrency.2.txt"), &r);
    assert_true(cs_t_count(&r, CS_TK_GO_RACE) >= 1);
    cs_trace *t = cs_t_find(&r, CS_TK_GO_RACE, NULL);
    assert_string_equal(t->threads[0].frames[0].function, "runtime.mapassign_faststr");
    assert_int_equal(t->threads[1].role, CS_ROLE_PREVIOUS);
    assert_string_equal(t->threads[1].frames[0].function, "runtime.mapassign_faststr");
    cs_results_dispose(&r);

    /* A real 60 KB goroutine dump: many goroutines, one trace. */
    cs_t_triage(cs_t_corpus_path("panicparse/static_panicweb.txt"), &r);
    assert_true(r.n_traces >= 1);
    assert_true(r.traces[0]->n_threads > 20);
    cs_results_dispose(&r);

    cs_t_triage(cs_t_corpus_path("panicparse/static_panic_race.txt"), &r);
    assert_int_equal(cs_t_count(&r, CS_TK_GO_RACE), 1);
    cs_results_dispose(&r);
}

/* A run that crashed is a failed run, with or without an outcome line: a
 * panic in another goroutine (or a runtime throw) kills the test binary
 * before go test prints "--- FAIL"; a panic in the test's own goroutine
 * prints it right before, and is counted once. */
static void test_crashed_run_is_a_failure(void **state)
{
    (void)state;
    static const struct {
        const char *path, *test;
    } cases[] = {
        {"fixtures/race/go119_race_v2.log", "TestPutDrop"},             /* no --- FAIL line */
        {"fixtures/go/concurrent_map_writes.log", "TestConcurrentAdd"}, /* runtime throw */
        {"fixtures/go/nil_deref.log", "TestDispatchUnknownKind"},       /* --- FAIL, then panic */
        {"fixtures/go/timeout.log", "TestDrain"},                       /* test timed out */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *paths[] = {cases[i].path};
        cs_triage t;
        cs_t_triage_full(paths, 1, NULL, &t);
        const cs_test_summary *s = NULL;
        for (size_t k = 0; k < t.tests.n; k++)
            if (strcmp(t.tests.v[k].name, cases[i].test) == 0) s = &t.tests.v[k];
        assert_non_null(s);
        assert_int_equal(s->failures, 1);
        assert_int_equal(s->runs, 1);
        cs_triage_dispose(&t);
    }
}

/* gin's Recovery middleware logs a handler's panic with its stack
 * (fixtures/gin): one go-panic per panic, its value the headline, functions
 * qualified by their GOROOT or module-cache path, and no run of its own: the
 * test binary lived on and said FAIL itself. */
static void test_gin_recovery(void **state)
{
    (void)state;
    cs_triage tr;
    const char *paths[] = {cs_t_src("fixtures/gin/recovery.log")};
    cs_t_triage_full(paths, 1, NULL, &tr);
    cs_results r = tr.res;
    assert_int_equal(cs_t_count(&r, CS_TK_GO_PANIC), 2);
    size_t from = 0;
    cs_trace *t = cs_t_find(&r, CS_TK_GO_PANIC, &from);
    assert_string_equal(t->headline, "panic: assignment to entry in nil map");
    assert_string_equal(t->test, "TestTag");
    assert_true(t->survived);
    const cs_thread *th = &t->threads[0];
    assert_string_equal(th->frames[0].function, "internal/runtime/maps.mapassign_faststr");
    assert_string_equal(th->frames[1].function, "(*store).tag");
    assert_string_equal(th->frames[1].file, "/tmp/crashsift-gin/shop/shop.go");
    assert_int_equal(th->frames[1].line, 19);
    assert_string_equal(th->frames[2].function, "github.com/gin-gonic/gin.(*Context).Next");
    assert_string_equal(th->frames[th->n_frames - 2].function, "testing.tRunner");
    assert_non_null(strstr(t->signature, "@ (*store).tag | do | TestTag"));
    t = cs_t_find(&r, CS_TK_GO_PANIC, &from);
    assert_string_equal(t->headline,
                        "panic: runtime error: invalid memory address or nil pointer dereference");
    assert_int_equal(r.n_tests, 2);
    for (size_t i = 0; i < r.n_tests; i++)
        assert_string_equal(r.tests[i]->outcomes, "F");
    cs_triage_dispose(&tr);
}

/* Gitea's log.Stack: the value on the PANIC line, frames without functions
 * (GOROOT's runtime stands aside by its file). A PANIC line with no stack
 * right after it gives its lines back: the traceback below is read. */
static void test_logged_stack_without_functions(void **state)
{
    (void)state;
    cs_triage tr;
    cs_t_triage_text_full(
        "gitea.log",
        "2026/05/18 01:15:12 cron/tasks.go:106:Run() [E] PANIC whilst running "
        "task: sync Value: assignment to entry in nil map\n"
        "/usr/local/go/src/internal/runtime/maps/runtime_faststr.go:265 (0x417ecc)\n"
        "/source/services/actions/schedule.go:145 (0x1f74a3e)\n"
        "/source/services/cron/tasks.go:124 (0x2b5c6e2)\n"
        "2026/05/18 01:15:13 routers/init.go:9:Init() [I] PANIC handler installed\n"
        "Traceback (most recent call last):\n"
        "  File \"/srv/hook.py\", line 3, in <module>\n"
        "    run()\n"
        "KeyError: 'x'\n",
        &tr);
    cs_results r = tr.res;
    assert_int_equal(r.n_traces, 2);
    cs_trace *t = cs_t_find(&r, CS_TK_GO_PANIC, NULL);
    assert_string_equal(t->headline,
                        "PANIC whilst running task: sync Value: assignment to entry in nil map");
    assert_int_equal(t->line_end, 4);
    assert_int_equal(t->threads[0].n_frames, 3);
    assert_null(t->threads[0].frames[1].function);
    assert_non_null(strstr(t->signature, "@ actions/schedule.go"));
    assert_int_equal(cs_t_count(&r, CS_TK_PYTHON), 1);
    cs_triage_dispose(&tr);
}

int main(void)
{
    if (chdir(CS_SOURCE_DIR) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nil_deref_panic),
        cmocka_unit_test(test_concurrent_map_writes_dumps_all_goroutines),
        cmocka_unit_test(test_crlf_and_gha_wrappers),
        cmocka_unit_test(test_recovered_and_nested_panics),
        cmocka_unit_test(test_timeout_and_deadlock),
        cmocka_unit_test(test_race_reports),
        cmocka_unit_test(test_test2json_streams),
        cmocka_unit_test(test_assertion_only_failure),
        cmocka_unit_test(test_verbose_passing_messages_are_not_failures),
        cmocka_unit_test(test_repeated_runs_and_crash_never_drop),
        cmocka_unit_test(test_parallel_tests_interleaved),
        cmocka_unit_test(test_several_traces_in_noise),
        cmocka_unit_test(test_repeated_fatal_header_is_one_trace),
        cmocka_unit_test(test_gitlab_wrapped_log),
        cmocka_unit_test(test_lookalikes_yield_nothing),
        cmocka_unit_test(test_damaged_dumps),
        cmocka_unit_test(test_failures_without_fail_line),
        cmocka_unit_test(test_corpus_go),
        cmocka_unit_test(test_huge_dump_one_trace),
        cmocka_unit_test(test_crashed_run_is_a_failure),
        cmocka_unit_test(test_gin_recovery),
        cmocka_unit_test(test_logged_stack_without_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
