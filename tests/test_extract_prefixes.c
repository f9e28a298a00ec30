/* Per-line prefixes learned per member (src/extract/prefix.c) on real
 * fixtures (fixtures/prefixes, made by fixtures/prefixes/make.sh): the same
 * real Go crash written by journald, rsyslog and in the layouts of compose,
 * kubectl, klog, logcat, Jenkins, Buildkite, a viewer gutter and a suffix.
 * Each must give the trace the bare crash gives, with the member's own line
 * numbers. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

typedef struct want {
    const char *file;
    uint64_t first, last; /* physical lines of the member */
} want;

static void check_crash(const char *file, uint64_t first, uint64_t last)
{
    char rel[256];
    snprintf(rel, sizeof rel, "fixtures/prefixes/%s", file);
    cs_results r;
    cs_t_triage(rel, &r);
    print_message("%s: %zu trace(s)\n", file, r.n_traces);
    assert_int_equal(r.n_traces, 1);
    const cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_GO_PANIC);
    assert_int_equal(t->line_start, first);
    assert_int_equal(t->line_end, last);
    assert_string_equal(t->headline, "panic: runtime error: invalid memory address or nil pointer "
                                     "dereference [signal SIGSEGV: segmentation violation]");
    assert_int_equal(t->n_threads, 1);
    const cs_thread *th = &t->threads[0];
    assert_true(strncmp(th->name, "goroutine ", 10) == 0); /* the id varies by run */
    assert_string_equal(th->state, "running");
    assert_int_equal(th->n_frames, 2);
    assert_string_equal(th->frames[0].function, "main.(*worker).handle");
    assert_string_equal(th->frames[0].file, "/tmp/crashsift-prefixes/crash/main.go");
    assert_int_equal(th->frames[0].line, 17);
    assert_string_equal(th->frames[1].function, "main.main.func1");
    assert_int_equal(th->frames[1].line, 41);
    assert_true(th->frames[1].has_offset);
    assert_non_null(th->created_by);
    assert_string_equal(th->created_by->function, "main.main");
    assert_int_equal(th->created_by->line, 38);
    cs_results_dispose(&r);
}

static void test_prefixed_crashes(void **state)
{
    (void)state;
    static const want wants[] = {
        {"raw.log", 2, 11},
        {"compose.log", 2, 11},
        {"kubectl.log", 2, 11},
        {"klog.log", 2, 11},
        {"logcat.log", 2, 11},
        {"buildkite.log", 2, 11},
        {"gutter.log", 2, 11},
        {"suffix.log", 2, 11},
        {"notab.log", 2, 11},
        {"syslog.log", 2, 11},
        {"syslog-rfc3339.log", 2, 11},
        /* two "[Pipeline]" step lines inside the crash */
        {"jenkins.log", 2, 13},
        /* journald drops the empty line */
        {"journald.log", 2, 10},
    };
    for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++)
        check_crash(wants[i].file, wants[i].first, wants[i].last);
}

/* A line without the prefix (a wrapped or continuation line) still joins
 * the trace it continues; the learned prefix stays stripped after it. */
static void test_unprefixed_continuation_joins(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("cont.log",
                     "Apr 12 09:33:00 host app[637]: starting\n"
                     "Apr 12 09:33:00 host app[637]: panic: boom\n"
                     "Apr 12 09:33:00 host app[637]: \n"
                     "Apr 12 09:33:00 host app[637]: goroutine 1 [running]:\n"
                     "main.main()\n"
                     "Apr 12 09:33:00 host app[637]: #011/src/app/main.go:9 +0x25\n"
                     "Apr 12 09:33:00 host app[637]: exit status 2\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    const cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_GO_PANIC);
    assert_string_equal(t->headline, "panic: boom");
    assert_int_equal(t->line_start, 2);
    assert_int_equal(t->line_end, 6);
    assert_int_equal(t->threads[0].n_frames, 1);
    assert_string_equal(t->threads[0].frames[0].function, "main.main");
    assert_string_equal(t->threads[0].frames[0].file, "/src/app/main.go");
    assert_int_equal(t->threads[0].frames[0].line, 9);
    cs_results_dispose(&r);
}

/* Content that merely looks like fields is not a prefix: consecutive
 * "file.go:N:" assertion lines and "error:" words keep their text. */
static void test_content_is_not_a_prefix(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("go_test.log",
                     "=== RUN   TestAdd\n"
                     "    add_test.go:12: got 3\n"
                     "    add_test.go:12: want 4\n"
                     "--- FAIL: TestAdd (0.00s)\n"
                     "FAIL\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->kind, CS_TK_TEST_FAILURE);
    assert_int_equal(r.traces[0]->threads[0].frames[0].line, 12);
    cs_results_dispose(&r);
}

/* CTest's parallel output puts "NNN: " (the test's number) before each of
 * its lines, from the first: the report that opens the member is read. A
 * numbered list ("1: 0x..", V8's C stack) keeps its numbers. */
static void test_ctest_number_prefix(void **state)
{
    (void)state;
    cs_results r;
    /* Real: ctest -V on an ASan-built test (fixtures/ctest). */
    cs_t_triage(cs_t_src("fixtures/ctest/verbose.log"), &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->kind, CS_TK_ASAN);
    assert_int_equal(r.traces[0]->line_start, 16);
    assert_string_equal(r.traces[0]->threads[0].frames[0].function, "pool_reuse");
    assert_string_equal(r.traces[0]->threads[0].frames[0].file,
                        "/tmp/crashsift-ctest/pool/pool_test.c");
    cs_results_dispose(&r);
    cs_t_triage_text("ctest.log",
                     "714: READ of size 4 at 0x6120000ce19c thread T0\n"
                     "714:     #0 0x7f6ac2652903 in Pool::Kill() /src/pool.cxx:597:8\n"
                     "714:     #1 0x7f6ac2652a10 in main /src/main.cxx:12:3\n"
                     "714: \n"
                     "714: SUMMARY: AddressSanitizer: heap-use-after-free /src/pool.cxx:597:8 in "
                     "Pool::Kill()\n",
                     &r);
    assert_int_equal(cs_t_count(&r, CS_TK_ASAN), 1);
    cs_trace *t = cs_t_find(&r, CS_TK_ASAN, NULL);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->threads[0].n_frames, 2);
    assert_string_equal(t->threads[0].frames[0].function, "Pool::Kill()");
    cs_results_dispose(&r);
    cs_t_triage_text("v8.log",
                     "#\n# Fatal error in ../../src/heap/heap.cc, line 54\n# Check failed: ok.\n#\n"
                     "==== C stack trace ===============================\n"
                     "1: 0xb29b0f4 v8::base::OS::Abort() [src/base/platform.cc:9]\n"
                     "2: 0x8efa09d v8::internal::Heap::Collect() [src/heap/heap.cc:54]\n"
                     "3: 0x8efa1ff v8::internal::Heap::Run() [src/heap/heap.cc:80]\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->threads[0].n_frames, 3);
    assert_string_equal(r.traces[0]->threads[0].frames[1].function,
                        "v8::internal::Heap::Collect()");
    cs_results_dispose(&r);
}

/* Go 1.4-era tracebacks: file lines end in "fp=.. sp=.." without pc=. */
static void test_old_go_fp_sp(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("old.log",
                     "panic: runtime error: index out of range\n"
                     "\n"
                     "goroutine 16 [running]:\n"
                     "runtime.panic(0x5d2c20, 0x8a4e0f)\n"
                     "\t/usr/local/go/src/pkg/runtime/panic.c:279 +0xf5 fp=0xc208095c28 "
                     "sp=0xc208095bf0\n"
                     "main.handler(0xc20803c000)\n"
                     "\t/home/u/app/main.go:44 +0x9c fp=0xc208095c70 sp=0xc208095c28\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->threads[0].n_frames, 2);
    assert_string_equal(r.traces[0]->threads[0].frames[1].file, "/home/u/app/main.go");
    assert_int_equal(r.traces[0]->threads[0].frames[1].line, 44);
    cs_results_dispose(&r);
}

static void test_stack_overflow_is_one_trace(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage("fixtures/prefixes/overflow.log", &r);
    assert_int_equal(r.n_traces, 1);
    const cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_GO_FATAL);
    assert_string_equal(t->headline, "fatal error: stack overflow");
    assert_int_equal(t->line_start, 4);
    assert_int_equal(t->line_end, 60);
    assert_true(t->n_threads >= 2);
    bool runtime = false, depth = false;
    for (size_t i = 0; i < t->n_threads; i++)
        for (size_t k = 0; k < t->threads[i].n_frames; k++) {
            const char *fn = t->threads[i].frames[k].function;
            if (strcmp(fn, "runtime.newstack") == 0) runtime = true;
            if (strcmp(fn, "main.depth") == 0) depth = true;
        }
    assert_true(runtime && depth);
    cs_results_dispose(&r);
}

int main(void)
{
    if (chdir(CS_SOURCE_DIR) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefixed_crashes),
        cmocka_unit_test(test_unprefixed_continuation_joins),
        cmocka_unit_test(test_content_is_not_a_prefix),
        cmocka_unit_test(test_ctest_number_prefix),
        cmocka_unit_test(test_old_go_fp_sp),
        cmocka_unit_test(test_stack_overflow_is_one_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
