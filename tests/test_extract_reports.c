/* Report families read from the shared corpus (tested there, never copied):
 * Linux kernel reports (syzkaller's suite), libFuzzer and Centipede reports,
 * V8 and Chrome CHECK failures and cdb stacks (ClusterFuzz's suite). Frames and lines were read off
 * the corpus files by hand. Skips when ../shared/corpus is absent. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "extract/extract.h"
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

static const cs_trace *fixture(cs_results *r, const char *rel)
{
    cs_t_triage(cs_t_src(rel), r);
    assert_int_equal(r->n_traces, 1);
    return r->traces[0];
}

/* libFuzzer on Fuchsia prints a frameless report, its SUMMARY, the
 * symbolizer's module lines and only then the stack: one report. Text
 * after the stack's end is not taken. */
static void test_libfuzzer_late_stack(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("fuchsia.log",
                     "==7== ERROR: libFuzzer: deadly signal\n"
                     "NOTE: libFuzzer has rudimentary signal handlers.\n"
                     "SUMMARY: libFuzzer: deadly signal\n"
                     "Warning: Permanently added '[fe80::1]:22' (ED25519) to known hosts.\n"
                     "dso: id=88668a28 base=0x00005332f2c44000 name=/pkg/bin/parse_fuzzer\n"
                     "   #0    0x00005332f2cf10f1 in parse_header(unsigned char const*) "
                     "../../src/parse.cc:12 <<application>>+0xad0f1\n"
                     "   #1.1  0x00005332f2cf11ac in check_len ../../src/parse.cc:30 "
                     "<<application>>+0xad1ac\n"
                     "   #1    0x00005332f2cf11ac in LLVMFuzzerTestOneInput "
                     "../../src/fuzz.cc:8 <<application>>+0xad1ac\n"
                     "\n"
                     "MS: 1 ChangeByte-; base unit: 6e41c5a19b9646fe31c77ed7a16829913888c33e\n"
                     "build finished\n"
                     "   #0    0x00005332f2cf10f1 in other_function ../../src/other.cc:1\n",
                     &r);
    cs_trace *t = cs_t_find(&r, CS_TK_FUZZER, NULL);
    assert_non_null(t);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 10);
    assert_int_equal(t->n_threads, 1);
    assert_int_equal(t->threads[0].n_frames, 3);
    assert_string_equal(frame(t, 0, 0)->function, "parse_header(unsigned char const*)");
    assert_string_equal(frame(t, 0, 2)->function, "LLVMFuzzerTestOneInput");
    cs_results_dispose(&r);
}

/* First frame of thread 0 whose function is `fn`, or -1. */
static long find_frame(const cs_trace *t, size_t thread, const char *fn)
{
    const cs_thread *th = &t->threads[thread];
    for (size_t k = 0; k < th->n_frames; k++)
        if (th->frames[k].function && strcmp(th->frames[k].function, fn) == 0) return (long)k;
    return -1;
}

/* fixtures/fuzzer (make.sh): one libFuzzer target, one report per bug. */
static void test_libfuzzer_fixtures(void **state)
{
    (void)state;
    cs_results r;
    const cs_trace *t = fixture(&r, "fixtures/fuzzer/deadly_signal.log");
    assert_int_equal(t->kind, CS_TK_FUZZER);
    assert_string_equal(t->headline, "libFuzzer: deadly signal");
    assert_int_equal(t->line_start, 7);
    assert_int_equal(t->line_end, 25);
    assert_string_equal(frame(t, 0, 2)->function, "fuzzer::Fuzzer::CrashCallback()");
    long k = find_frame(t, 0, "check_header");
    assert_true(k > 0);
    assert_string_equal(frame(t, 0, (size_t)k - 1)->function, "abort");
    assert_string_equal(frame(t, 0, (size_t)k + 1)->function, "LLVMFuzzerTestOneInput");
    cs_results_dispose(&r);

    t = fixture(&r, "fixtures/fuzzer/timeout.log");
    assert_int_equal(t->kind, CS_TK_FUZZER);
    assert_true(cs_starts_with(t->headline, strlen(t->headline), "libFuzzer: timeout after "));
    assert_int_equal(t->line_start, 9);
    assert_int_equal(t->line_end, 24);
    k = find_frame(t, 0, "spin_forever");
    assert_true(k > 0);
    assert_string_equal(frame(t, 0, (size_t)k + 1)->function, "LLVMFuzzerTestOneInput");
    cs_results_dispose(&r);

    t = fixture(&r, "fixtures/fuzzer/oom.log");
    assert_int_equal(t->kind, CS_TK_FUZZER);
    assert_true(
        cs_starts_with(t->headline, strlen(t->headline), "libFuzzer: out-of-memory (used: "));
    assert_int_equal(t->line_start, 7);
    assert_int_equal(t->line_end, 21);
    assert_string_equal(frame(t, 0, 0)->function, "malloc");
    assert_string_equal(frame(t, 0, 1)->function, "grow_table");
    assert_int_equal(frame(t, 0, 1)->line, 28);
    cs_results_dispose(&r);

    t = fixture(&r, "fixtures/fuzzer/exited.log");
    assert_int_equal(t->kind, CS_TK_FUZZER);
    assert_string_equal(t->headline, "libFuzzer: fuzz target exited");
    assert_int_equal(t->line_start, 7);
    assert_int_equal(t->line_end, 22);
    assert_string_equal(frame(t, 0, 4)->function, "exit");
    assert_string_equal(frame(t, 0, 5)->function, "LLVMFuzzerTestOneInput");
    cs_results_dispose(&r);

    t = fixture(&r, "fixtures/fuzzer/const_input.log");
    assert_int_equal(t->kind, CS_TK_FUZZER);
    assert_string_equal(t->headline, "libFuzzer: fuzz target overwrites its const input");
    assert_int_equal(t->line_start, 8);
    assert_int_equal(t->line_end, 23);
    assert_string_equal(frame(t, 0, 2)->function,
                        "fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long)");
    cs_results_dispose(&r);

    /* A sanitizer report inside a fuzzer run stays the sanitizer's. */
    t = fixture(&r, "fixtures/fuzzer/asan_segv.log");
    assert_int_equal(t->kind, CS_TK_ASAN);
    assert_int_equal(t->line_start, 8);
    assert_string_equal(frame(t, 0, 0)->function, "parse_record");
    assert_int_equal(frame(t, 0, 0)->line, 16);
    cs_results_dispose(&r);

    t = fixture(&r, "fixtures/fuzzer/malloc_limit.log");
    assert_int_equal(t->kind, CS_TK_ASAN);
    assert_string_equal(t->headline,
                        "AddressSanitizer: allocator is out of memory trying to allocate "
                        "0x4000000000 bytes");
    assert_string_equal(frame(t, 0, 1)->function, "alloc_frame");
    cs_results_dispose(&r);

    t = fixture(&r, "fixtures/fuzzer/asan_alloc_too_big.log");
    assert_int_equal(t->kind, CS_TK_ASAN);
    assert_true(cs_starts_with(t->headline, strlen(t->headline),
                               "AddressSanitizer: requested allocation size 0x10000000000000 "));
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 10);
    assert_string_equal(frame(t, 0, 1)->function, "reserve_table");
    assert_int_equal(frame(t, 0, 1)->line, 10);
    assert_string_equal(frame(t, 0, 2)->function, "main");
    cs_results_dispose(&r);
}

/* fixtures/gostack (make.sh): a stack overflow's "runtime stack:" and its
 * goroutines are one trace, with Go 1.19's and Go 1.26's elision lines. */
static void test_go_stack_overflow(void **state)
{
    (void)state;
    const char *logs[] = {"fixtures/gostack/go119_stack_overflow.log",
                          "fixtures/gostack/gocur_stack_overflow.log"};
    for (size_t i = 0; i < 2; i++) {
        cs_results r;
        const cs_trace *t = fixture(&r, logs[i]);
        assert_int_equal(t->kind, CS_TK_GO_FATAL);
        assert_string_equal(t->headline, "fatal error: stack overflow");
        assert_int_equal(t->line_start, 3);
        assert_true(t->line_end > 260);
        assert_string_equal(t->threads[0].name, "runtime stack");
        assert_string_equal(frame(t, 0, 0)->function, "runtime.throw");
        assert_string_equal(frame(t, 0, 1)->function, "runtime.newstack");
        assert_int_equal(t->threads[1].role, CS_ROLE_CRASHED);
        assert_string_equal(t->threads[1].name, "goroutine 1");
        assert_string_equal(frame(t, 1, 0)->function, "main.depth");
        assert_true(t->threads[1].elided);
        assert_true(t->n_threads >= 5);
        cs_results_dispose(&r);
    }
}

/* Android tombstones, Chrome CHECK/FATAL records on macOS and Windows,
 * Chrome's signal handler and V8's runtime errors (ClusterFuzz's suite). */
static void test_android_chrome_v8(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    const cs_trace *t =
        only(&r, "clusterfuzz/stack_analyzer_data/android_security_dcheck_failure.txt");
    assert_int_equal(t->kind, CS_TK_NATIVE);
    assert_string_equal(t->headline, "Security DCHECK failed: offset + length <= impl.length().");
    assert_int_equal(t->line_start, 3);
    assert_string_equal(t->threads[0].name, "CrRendererMain");
    assert_string_equal(frame(t, 0, 0)->function, "tgkill");
    assert_string_equal(frame(t, 0, 4)->function, "abort");
    cs_results_dispose(&r);

    t = only(&r, "clusterfuzz/stack_analyzer_data/android_null_stack.txt");
    assert_int_equal(t->kind, CS_TK_NATIVE);
    assert_string_equal(t->headline,
                        "signal 11 (SIGSEGV), code 2 (SEGV_ACCERR), fault addr 0xb6e43000");
    assert_int_equal(t->line_start, 16);
    assert_int_equal(t->line_end, 34); /* "Tombstone written to" */
    assert_int_equal(t->threads[0].n_frames, 1);
    assert_int_equal(frame(t, 0, 0)->pc, 0x333);
    cs_results_dispose(&r);

    t = only(&r, "clusterfuzz/stack_analyzer_data/check_failure_android_media.txt");
    assert_true(
        cs_starts_with(t->headline, strlen(t->headline),
                       "frameworks/av/media/libstagefright/MPEG4Extractor.cpp:3301 CHECK_EQ"));
    assert_string_equal(frame(t, 0, 4)->function, "__android_log_assert");
    cs_results_dispose(&r);

    /* pc frames: "#00 pc 0001a2b4  /system/lib/libc.so (abort+63)" */
    t = only(&r, "clusterfuzz/stack_analyzer_data/ignore_libc_if_symbolized.txt");
    assert_string_equal(t->headline, "signal 8 (SIGFPE), code -6 (SI_TKILL), fault addr 0x6157");
    assert_string_equal(frame(t, 0, 2)->function, "raise");
    cs_results_dispose(&r);

    t = only(&r, "clusterfuzz/stack_analyzer_data/check_failure_chrome_mac.txt");
    assert_string_equal(t->headline, "Check failed: max_start_velocity > 0 (0 vs. 0)");
    assert_int_equal(t->line_start, 2);
    assert_string_equal(frame(t, 0, 2)->function,
                        "_ZN2ui10FlingCurveC2ERKN3gfx9Vector2dFEN4base9TimeTicksE");
    assert_string_equal(frame(t, 0, 2)->module, "Content Shell Framework");
    cs_results_dispose(&r);

    t = only(&r, "clusterfuzz/stack_analyzer_data/check_failure_chrome_win.txt");
    assert_string_equal(t->headline, "Check failed: it != device_change_subscribers_.end().");
    assert_string_equal(frame(t, 0, 2)->function,
                        "content::MediaStreamDispatcherHost::OnCancelDeviceChangeNotifications");
    assert_string_equal(frame(t, 0, 1)->file, "base\\logging.cc");
    assert_int_equal(frame(t, 0, 1)->line, 524);
    cs_results_dispose(&r);

    /* one FATAL line, no stack: still the crash it reports */
    t = only(&r, "clusterfuzz/stack_analyzer_data/check_failure_with_comparison2.txt");
    assert_int_equal(t->line_start, 1);
    assert_true(cs_starts_with(t->headline, strlen(t->headline),
                               "Check failed: layout_snapped_paint_offset == "));
    cs_results_dispose(&r);

    t = only(&r, "clusterfuzz/stack_analyzer_data/cfi_nodebug.txt");
    assert_string_equal(t->headline, "Received signal 4 ILL_ILLOPN 7fdf1d27c590");
    assert_string_equal(frame(t, 0, 0)->function, "abc::def()");
    cs_results_dispose(&r);

    /* PySecSan: Python frames, stored innermost first */
    t = only(&r, "clusterfuzz/stack_analyzer_data/pysecsan_command_os_system.txt");
    assert_int_equal(t->kind, CS_TK_PYTHON);
    assert_string_equal(t->headline, "PySecSan: Command injection");
    assert_int_equal(t->line_start, 10);
    assert_int_equal(t->line_end, 21);
    assert_int_equal(t->threads[0].n_frames, 7);
    assert_string_equal(frame(t, 0, 0)->function, "abort_with_issue");
    assert_string_equal(frame(t, 0, 1)->function, "hook_pre_exec_os_system");
    assert_string_equal(frame(t, 0, 6)->function, "<module>");
    assert_int_equal(frame(t, 0, 6)->line, 43);
    cs_results_dispose(&r);

    t = only(&r, "clusterfuzz/stack_analyzer_data/v8_runtime_error.txt");
    assert_string_equal(t->headline, "Runtime error in ../../src/runtime/runtime-test.cc, line 87");
    assert_int_equal(t->line_start, 2);
    cs_results_dispose(&r);
}

/* syzkaller's guilty frame per report type: stalls name the caller of the
 * stuck loop, hung tasks the first frame that is not a way to sleep,
 * lockdep the function that takes the lock. */
static void test_kernel_report_types(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    static const struct {
        const char *file, *want;
    } cases[] = {
        {"syzkaller/linux/report/145", "@ ipv6_rcv | "},       /* rcu stall, old layout */
        {"syzkaller/linux/report/268", "@ kvm_vcpu_ioctl | "}, /* stall after a starved kthread */
        {"syzkaller/linux/report/176", "@ do_exit | "},        /* task hung */
        {"syzkaller/linux/report/116", "@ ipmr_mfc_seq_stop | "}, /* "[ BUG: bad unlock balance" */
        {"syzkaller/linux/report/189", "@ vcs_read | "},          /* circular locking: "at:" */
        {"syzkaller/linux/report/149", "@ strp_check_rcv | "},    /* KASAN past queue_work */
        {"syzkaller/linux/report/726", "@ bpf_test_run_xdp_live | "},  /* bad page: allocated */
        {"syzkaller/linux/report/557", "@ input_event | "},            /* irq lock inversion */
        {"syzkaller/linux/report/642", "@ exit_to_user_mode_prepare"}, /* preemption off */
        {"syzkaller/linux/report/134", "@ ipcomp_init_state | "},      /* "..0000Call Trace:" */
        {"syzkaller/linux/report/77", "@ ip6_fragment"},
        {"syzkaller/linux/report/290", "@ ipv6_rcv | "},
        /* stall, no registers: "<IRQ>  [<..>]" */ /* a lone header line */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = cs_t_corpus_path(cases[i].file);
        cs_triage tr;
        cs_t_triage_full(&p, 1, NULL, &tr);
        assert_true(tr.res.n_traces >= 1);
        if (!strstr(tr.res.traces[0]->signature, cases[i].want))
            fail_msg("%s: %s", cases[i].file, tr.res.traces[0]->signature);
        cs_triage_dispose(&tr);
    }
}

/* FreeBSD's KDB backtrace and Zircon's bt# lines (bsdkern.c). */
static void test_other_kernels(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    const cs_trace *t = only(&r, "syzkaller/freebsd/report/0");
    assert_int_equal(t->kind, CS_TK_KERNEL);
    assert_string_equal(t->headline, "Fatal trap 12: page fault while in kernel mode");
    assert_int_equal(t->line_start, 3);
    assert_int_equal(t->line_end, 30);
    assert_string_equal(frame(t, 0, 0)->function, "kdb_backtrace");
    assert_string_equal(frame(t, 0, 7)->function, "atrtc_settime");
    assert_int_equal(frame(t, 0, 7)->offset, 0xc);
    cs_results_dispose(&r);

    t = only(&r, "syzkaller/fuchsia/report/11");
    assert_int_equal(t->kind, CS_TK_KERNEL);
    assert_string_equal(t->headline, "ZIRCON KERNEL PANIC");
    assert_int_equal(t->line_start, 5);
    assert_string_equal(frame(t, 0, 2)->function, "x86_df_handler");
    assert_true(frame(t, 0, 2)->inlined);
    assert_string_equal(frame(t, 0, 2)->file, "arch/x86/faults.cpp");
    assert_int_equal(frame(t, 0, 2)->line, 175);
    cs_results_dispose(&r);

    const char *p = cs_t_corpus_path("syzkaller/freebsd/report/0");
    cs_triage tr;
    cs_t_triage_full(&p, 1, NULL, &tr);
    assert_non_null(strstr(tr.res.traces[0]->signature, "@ atrtc_settime | "));
    cs_triage_dispose(&tr);

    /* FreeBSD's "panic: MSG": the Go dialect takes the line, gives it up at
     * "cpuid = 0", and bsdkern's KDB backtrace gets it back as its header. */
    t = only(&r, "syzkaller/freebsd/report/12");
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(t->kind, CS_TK_KERNEL);
    assert_string_equal(t->headline, "panic: sx lock still held");
    assert_int_equal(t->line_start, 4);
    cs_results_dispose(&r);
    p = cs_t_corpus_path("syzkaller/freebsd/report/12");
    cs_t_triage_full(&p, 1, NULL, &tr);
    assert_non_null(strstr(tr.res.traces[0]->signature, "@ solisten_proto | "));
    cs_triage_dispose(&tr);
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

    /* one-line reports: Chrome's GPU process crash, libc++'s assertion (with
     * a sanitizer's header glued to it) */
    t = only(&r, "clusterfuzz/stack_analyzer_data/gpu_failure.txt");
    assert_int_equal(r.n_traces, 1);
    assert_string_equal(t->headline, "GPU process exited unexpectedly: exit_code=-1073741819");
    assert_int_equal(t->line_start, 64);
    cs_results_dispose(&r);
    t = only(&r, "clusterfuzz/stack_analyzer_data/suffixed_glibc_assert.txt");
    assert_string_equal(t->headline,
                        "assertion !full() failed: sample_function() called on an empty vector");
    assert_int_equal(t->line_start, 20);
    assert_int_equal(t->line_end, 20);
    cs_results_dispose(&r);
    /* raw bytes quoted in a CHECK message do not make the log binary */
    t = only(&r, "clusterfuzz/stack_analyzer_data/check_failure_vs_no_closing.txt");
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(t->line_start, 1);
    /* its frames are all "<unknown>": the ASan report after it is its stack */
    assert_int_equal(t->stack_kind, CS_TK_ASAN);
    assert_int_equal(t->stack_line, 31);
    assert_int_equal(t->line_end, 121);
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

/* A message without frames and the sanitizer or libFuzzer report the same
 * process printed right after it are one crash (issue #15): the message's
 * trace takes the report's stack, keeps its headline and says where the
 * stack came from; the report is no second trace. */
static void test_message_then_report(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    /* V8's fatal error, its unsymbolized C stack (bare pcs), then ASan */
    const char *p = cs_t_corpus_path("clusterfuzz/stack_analyzer_data/v8_check_symbolized.txt");
    cs_triage tr;
    cs_t_triage_full(&p, 1, NULL, &tr);
    assert_int_equal(tr.res.n_traces, 1);
    const cs_trace *t = tr.res.traces[0];
    assert_int_equal(t->kind, CS_TK_NATIVE);
    assert_string_equal(t->headline,
                        "Check failed: old_target->kind() == new_target->kind() (3 vs. 16).");
    assert_int_equal(t->line_start, 2);
    assert_int_equal(t->line_end, 155);
    assert_int_equal(t->stack_kind, CS_TK_ASAN);
    assert_int_equal(t->stack_line, 64);
    /* the report's thread first, the message's own pcs kept after it */
    assert_int_equal(t->threads[0].role, CS_ROLE_CRASHED);
    assert_int_equal(t->threads[t->n_threads - 1].role, CS_ROLE_OTHER);
    assert_non_null(strstr(t->signature, "@ v8::internal::Code::VerifyRecompiledCode | "));
    cs_triage_dispose(&tr);
}

/* The same rule on texts: what stops two traces from being read as one. */
static void test_message_then_report_bounds(void **state)
{
    (void)state;
    static const char report[] =
        "==12==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000\n"
        "    #0 0x4f1a2b in parse_header /src/p/parse.c:41:7\n"
        "    #1 0x4f0c11 in LLVMFuzzerTestOneInput /src/p/fuzz.c:9:3\n"
        "SUMMARY: AddressSanitizer: SEGV /src/p/parse.c:41:7 in parse_header\n";
    static const char panic[] = "thread 'main' panicked at 'index out of bounds', src/lib.rs:7:9\n"
                                "note: run with `RUST_BACKTRACE=1` environment variable to display "
                                "a backtrace\n";
    char text[8192];
    cs_results r;

    snprintf(text, sizeof text, "%s%s", panic, report);
    cs_t_triage_text("near.log", text, &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->kind, CS_TK_RUST);
    assert_int_equal(r.traces[0]->stack_kind, CS_TK_ASAN);
    assert_int_equal(r.traces[0]->stack_line, 3);
    assert_int_equal(r.traces[0]->line_end, 6);
    assert_string_equal(r.traces[0]->threads[0].frames[0].function, "parse_header");
    cs_results_dispose(&r);

    /* too far apart: two traces */
    size_t n = (size_t)snprintf(text, sizeof text, "%s", panic);
    for (int i = 0; i < CS_X_STACK_WINDOW + 1; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "progress %d\n", i);
    snprintf(text + n, sizeof text - n, "%s", report);
    cs_t_triage_text("far.log", text, &r);
    assert_int_equal(r.n_traces, 2);
    assert_int_equal(r.traces[0]->stack_line, 0);
    cs_results_dispose(&r);

    /* another trace in between: the report is its own */
    snprintf(text, sizeof text,
             "%sTraceback (most recent call last):\n"
             "  File \"run.py\", line 3, in <module>\n"
             "    main()\n"
             "ValueError: bad input\n%s",
             panic, report);
    cs_t_triage_text("between.log", text, &r);
    assert_int_equal(r.n_traces, 3);
    for (size_t i = 0; i < r.n_traces; i++)
        assert_int_equal(r.traces[i]->stack_line, 0);
    assert_int_equal(cs_t_count(&r, CS_TK_ASAN), 1);
    cs_results_dispose(&r);

    /* a report before the message is not its stack */
    snprintf(text, sizeof text, "%s%s", report, panic);
    cs_t_triage_text("after.log", text, &r);
    assert_int_equal(r.n_traces, 2);
    assert_int_equal(r.traces[0]->kind, CS_TK_ASAN);
    assert_int_equal(r.traces[1]->stack_line, 0);
    cs_results_dispose(&r);
}

int main(void)
{
    if (chdir(CS_SOURCE_DIR) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_warning),
        cmocka_unit_test(test_kernel_blamed_frame),
        cmocka_unit_test(test_libfuzzer_reports),
        cmocka_unit_test(test_libfuzzer_late_stack),
        cmocka_unit_test(test_check_failures_and_cdb),
        cmocka_unit_test(test_libfuzzer_fixtures),
        cmocka_unit_test(test_go_stack_overflow),
        cmocka_unit_test(test_android_chrome_v8),
        cmocka_unit_test(test_kernel_report_types),
        cmocka_unit_test(test_other_kernels),
        cmocka_unit_test(test_message_then_report),
        cmocka_unit_test(test_message_then_report_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
