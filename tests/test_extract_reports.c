/* Report families read from the shared corpus (tested there, never copied):
 * Linux kernel reports (syzkaller's suite), libFuzzer and Centipede reports,
 * V8 and Chrome CHECK failures and cdb stacks (ClusterFuzz's suite). Frames and lines were read off
 * the corpus files by hand. Skips when ../shared/corpus is absent. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static const cs_frame *frame(const cs_trace *t, size_t thread, size_t k)
{
    assert_true(t->n_threads > thread);
    assert_true(t->threads[thread].n_frames > k);
    return &t->threads[thread].frames[k];
}

/* A WARNING that panics (panic_on_warn): the header's function first, the
 * trap machinery, then the caller after the register dump; "? " frames out. */
static void test_kernel_warning(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    cs_t_triage(cs_t_corpus_path("syzkaller/linux/report/157"), &r);
    assert_int_equal(r.n_traces, 1);
    const cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_KERNEL);
    assert_int_equal(t->line_start, 7);
    assert_int_equal(t->line_end, 171);
    assert_string_equal(t->headline, "WARNING: CPU: 1 PID: 2992 at lib/refcount.c:186 "
                                     "refcount_sub_and_test+0x167/0x1b0");
    assert_int_equal(t->threads[0].role, CS_ROLE_CRASHED);
    /* A refcount WARNING's refcount helpers (the header's function among
     * them) are set aside as the report type's own machinery. */
    assert_string_equal(frame(t, 0, 0)->function, "dump_stack");
    assert_int_equal(frame(t, 0, 0)->offset, 0x194);
    size_t w = 0;
    while (w + 1 < t->threads[0].n_frames && strcmp(frame(t, 0, w)->function, "sctp_wfree") != 0)
        w++;
    assert_string_equal(frame(t, 0, w)->function, "sctp_wfree");
    assert_string_equal(frame(t, 0, w + 1)->function, "skb_release_head_state");
    const cs_thread *aside = &t->threads[t->n_threads - 1];
    assert_string_equal(aside->label, "the report type's own machinery");
    assert_string_equal(aside->frames[0].function, "refcount_sub_and_test");
    for (size_t k = 0; k < t->threads[0].n_frames; k++)
        assert_string_not_equal(frame(t, 0, k)->function, "refcount_inc"); /* a "? " frame */
    cs_results_dispose(&r);
}

/* The blamed frame of a kernel report is syzkaller's guilty function. */
static void test_kernel_blamed_frame(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    const char *p = cs_t_corpus_path("syzkaller/linux/report/157");
    cs_triage tr;
    cs_t_triage_full(&p, 1, NULL, &tr);
    assert_int_equal(tr.res.n_traces, 1);
    assert_non_null(strstr(tr.res.traces[0]->signature, "@ sctp_wfree | "));
    cs_triage_dispose(&tr);
}

static const cs_trace *only(cs_results *r, const char *rel)
{
    cs_t_triage(cs_t_corpus_path(rel), r);
    assert_true(r->n_traces >= 1);
    return r->traces[0];
}

static void test_libfuzzer_reports(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    const cs_trace *t = only(&r, "clusterfuzz/stack_analyzer_data/libfuzzer_deadly_signal.txt");
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(t->kind, CS_TK_FUZZER);
    assert_string_equal(t->headline, "libFuzzer: deadly signal");
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 14);
    assert_int_equal(t->threads[0].n_frames, 13);
    assert_string_equal(frame(t, 0, 1)->function, "fuzzer::Fuzzer::CrashCallback()");
    assert_string_equal(frame(t, 0, 4)->function, "LLVMFuzzerTestOneInput");
    assert_string_equal(frame(t, 0, 4)->module, "/src/a.out");
    cs_results_dispose(&r);

    t = only(&r, "clusterfuzz/stack_analyzer_data/libfuzzer_timeout.txt");
    assert_int_equal(t->kind, CS_TK_FUZZER);
    assert_string_equal(t->headline, "libFuzzer: timeout after 5 seconds");
    assert_int_equal(t->line_start, 3);
    assert_int_equal(t->line_end, 31);
    assert_string_equal(frame(t, 0, 19)->function, "LLVMFuzzerTestOneInput");
    assert_int_equal(frame(t, 0, 19)->line, 220);
    cs_results_dispose(&r);

    /* out-of-memory: the stack is the largest live allocation's */
    t = only(&r, "clusterfuzz/libfuzzer_logs/oom.txt");
    assert_int_equal(t->kind, CS_TK_FUZZER);
    assert_string_equal(t->headline, "libFuzzer: out-of-memory (used: 2183Mb; limit: 2048Mb)");
    assert_int_equal(t->line_start, 24);
    assert_string_equal(frame(t, 0, 1)->function, "alloc_large");
    cs_results_dispose(&r);

    /* Centipede: no stack, a headline */
    t = only(&r, "clusterfuzz/stack_analyzer_data/centipede_oom.txt");
    assert_int_equal(t->kind, CS_TK_FUZZER);
    assert_string_equal(t->headline, "Centipede: RSS limit exceeded: 4107 > 4096 (MB)");
    assert_int_equal(t->line_start, 70);
    cs_results_dispose(&r);
}

static void test_check_failures_and_cdb(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    /* V8: the "# Check failed" line of the fatal block, pc-only frames */
    const cs_trace *t = only(&r, "clusterfuzz/stack_analyzer_data/v8_check.txt");
    assert_int_equal(t->kind, CS_TK_NATIVE);
    assert_string_equal(t->headline, "Check failed: !IsImpossible(mark_bit).");
    assert_int_equal(t->line_start, 2);
    assert_null(frame(t, 0, 0)->function);
    assert_true(frame(t, 0, 0)->has_pc);
    assert_int_equal(frame(t, 0, 0)->pc, 0xb29b0f4);
    cs_results_dispose(&r);

    /* Chrome: "[pid:tid:time:FATAL:file(line)] Check failed" with its
     * prefix learned from the log lines around it */
    t = only(&r, "clusterfuzz/stack_analyzer_data/check_failure_chrome.txt");
    assert_int_equal(t->kind, CS_TK_NATIVE);
    assert_string_equal(t->headline, "Check failed: !terminated_.");
    assert_int_equal(t->line_start, 6);
    assert_null(frame(t, 0, 1)->function);
    assert_string_equal(frame(t, 0, 1)->module, "/usr/lib/x86_64-linux-gnu/libx.so");
    assert_string_equal(frame(t, 0, 3)->function, "logging::LogMessage::~LogMessage()");
    assert_int_equal(frame(t, 0, 3)->pc, 0x7f48a526964d);
    cs_results_dispose(&r);

    /* cdb: module!function+offset */
    t = only(&r, "clusterfuzz/stack_analyzer_data/cdb_read_x64.txt");
    assert_int_equal(t->kind, CS_TK_NATIVE);
    assert_int_equal(t->line_start, 702);
    assert_string_equal(frame(t, 0, 0)->module, "MSHTML");
    assert_string_equal(frame(t, 0, 0)->function, "Ordinal101");
    assert_int_equal(frame(t, 0, 0)->offset, 0x3c4da);
    assert_string_equal(frame(t, 0, 5)->module, "jscript9");
    cs_results_dispose(&r);
}

int main(void)
{
    if (chdir(CS_SOURCE_DIR) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_warning),
        cmocka_unit_test(test_kernel_blamed_frame),
        cmocka_unit_test(test_libfuzzer_reports),
        cmocka_unit_test(test_check_failures_and_cdb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
