/* gdb, native, Python, Java, Rust and Node extraction on the real fixtures
 * (fixtures/<lang>/make.sh) and on the shared corpus. Line numbers, frames
 * and headlines were read off the fixture files by hand; the satyr crash
 * threads come from corpus/satyr/EXPECTATIONS-gdb.tsv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static cs_trace *only(cs_results *r, const char *fixture, cs_trace_kind kind)
{
    cs_t_triage(cs_t_src(fixture), r);
    assert_int_equal(r->n_traces, 1);
    assert_int_equal(r->traces[0]->kind, kind);
    return r->traces[0];
}

static const cs_frame *frame(const cs_trace *t, cs_role role, size_t k)
{
    int i = cs_t_thread(t, role);
    assert_true(i >= 0);
    assert_true(t->threads[i].n_frames > k);
    return &t->threads[i].frames[k];
}

static void assert_frame(const cs_frame *f, const char *fn, const char *file, int line, int col)
{
    if (fn)
        assert_string_equal(f->function, fn);
    else
        assert_null(f->function);
    if (file)
        assert_string_equal(f->file, file);
    else
        assert_null(f->file);
    assert_int_equal(f->line, line);
    assert_int_equal(f->column, col);
}

/* ---- python ------------------------------------------------------------ */

static void test_python_simple(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/python/simple.log", CS_TK_PYTHON);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 16);
    assert_string_equal(t->headline, "KeyError: 'priority'");
    assert_null(t->test);
    assert_int_equal(t->n_threads, 1);
    assert_string_equal(t->threads[0].name, "KeyError");
    assert_int_equal(t->threads[0].n_frames, 5);
    /* innermost first */
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "queue_limit", "/tmp/crashsift-py/simple.py", 8, 0);
    assert_frame(frame(t, CS_ROLE_CRASHED, 1), "<dictcomp>", "/tmp/crashsift-py/simple.py", 12, 0);
    assert_frame(frame(t, CS_ROLE_CRASHED, 4), "<module>", "/tmp/crashsift-py/simple.py", 21, 0);
    cs_results_dispose(&r);
}

static void test_python_chained(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/python/chained_cause.log", CS_TK_PYTHON);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 17);
    assert_string_equal(t->headline, "ConfigError: bad listen address '0.0.0.0:80a'");
    assert_int_equal(t->n_threads, 2);
    assert_int_equal(t->threads[0].role, CS_ROLE_CAUSE);
    assert_string_equal(t->threads[0].name, "ValueError");
    assert_int_equal(t->threads[1].role, CS_ROLE_CRASHED);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "load_listen", "/tmp/crashsift-py/chained_cause.py",
                 17, 0);
    assert_frame(frame(t, CS_ROLE_CAUSE, 0), "parse_port", "/tmp/crashsift-py/chained_cause.py", 9,
                 0);
    cs_results_dispose(&r);

    t = only(&r, "fixtures/python/chained_context.log", CS_TK_PYTHON);
    assert_int_equal(t->line_end, 18);
    assert_string_equal(t->headline,
                        "TypeError: unsupported operand type(s) for +: 'NoneType' and 'int'");
    assert_int_equal(t->n_threads, 2);
    assert_string_equal(t->threads[0].name, "FileNotFoundError");
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "resume", "/tmp/crashsift-py/chained_context.py", 14,
                 0);
    cs_results_dispose(&r);
}

static void test_python_syntax_error(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/python/syntax_error.log", CS_TK_PYTHON);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 4);
    assert_string_equal(t->headline, "SyntaxError: expected ':'");
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), NULL, "/tmp/crashsift-py/syntax_error.py", 5, 0);
    cs_results_dispose(&r);
}

/* Long and short pytest formats give the same traces, named by node id, and
 * the FAILED summary lines merge into them. */
static void check_pytest(const char *fixture, const uint64_t lines[3][2])
{
    cs_results r;
    cs_t_triage(cs_t_src(fixture), &r);
    assert_int_equal(r.n_traces, 3);
    assert_int_equal(cs_t_count(&r, CS_TK_PYTHON), 3);
    assert_int_equal(cs_t_count(&r, CS_TK_TEST_FAILURE), 0);
    static const char *const tests[] = {"test_inventory.py::test_total",
                                        "test_inventory.py::test_remove_too_many",
                                        "test_inventory.py::test_names"};
    static const char *const heads[] = {
        "AssertionError: assert 3 == 8", "inventory.OutOfStock: sku B-200: want 7, have 5",
        "AssertionError: assert ['A-100', 'B-200'] == ['A-100', 'B-200', 'C-300']"};
    for (size_t i = 0; i < 3; i++) {
        cs_trace *t = r.traces[i];
        assert_int_equal(t->line_start, lines[i][0]);
        assert_int_equal(t->line_end, lines[i][1]);
        assert_string_equal(t->test, tests[i]);
        assert_string_equal(t->headline, heads[i]);
    }
    assert_frame(frame(r.traces[0], CS_ROLE_CRASHED, 0), "test_total", "test_inventory.py", 20, 0);
    assert_int_equal(r.traces[1]->threads[0].n_frames, 2);
    assert_string_equal(r.traces[1]->threads[0].name, "OutOfStock");
    assert_frame(frame(r.traces[1], CS_ROLE_CRASHED, 0), "remove", "inventory.py", 18, 0);
    assert_frame(frame(r.traces[1], CS_ROLE_CRASHED, 1), "test_remove_too_many",
                 "test_inventory.py", 24, 0);
    cs_results_dispose(&r);
}

static void test_python_pytest(void **state)
{
    (void)state;
    static const uint64_t long_lines[3][2] = {{9, 19}, {20, 38}, {39, 49}};
    static const uint64_t short_lines[3][2] = {{9, 14}, {15, 20}, {21, 26}};
    check_pytest("fixtures/python/pytest_long.log", long_lines);
    check_pytest("fixtures/python/pytest_short.log", short_lines);
}

/* pytest's ERRORS section (an unknown fixture, a fixture that raises at
 * setup or at teardown) gives one trace per test; a teardown's ERROR line
 * after the test's own PASSED is the same run, which failed. */
static void test_pytest_setup_errors(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage(cs_t_src("fixtures/pytest/setup_errors.log"), &r);
    assert_int_equal(r.n_traces, 3);
    assert_int_equal(cs_t_count(&r, CS_TK_PYTHON), 3);
    static const char *const tests[] = {"test_setup_errors.py::test_uses_unknown_fixture",
                                        "test_setup_errors.py::test_with_broken_setup",
                                        "test_setup_errors.py::test_with_broken_teardown"};
    static const char *const heads[] = {"fixture 'catalogue' not found",
                                        "TypeError: 'NoneType' object is not iterable",
                                        "KeyError: 'missing'"};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(r.traces[i]->test, tests[i]);
        assert_string_equal(r.traces[i]->headline, heads[i]);
    }
    assert_frame(frame(r.traces[0], CS_ROLE_CRASHED, 0), "test_uses_unknown_fixture",
                 "/tmp/crashsift-pytest/test_setup_errors.py", 20, 0);
    assert_frame(frame(r.traces[2], CS_ROLE_CRASHED, 1), "closing_shelf", "test_setup_errors.py",
                 17, 0);
    assert_int_equal(r.n_tests, 3);
    for (size_t i = 0; i < r.n_tests; i++)
        assert_string_equal(r.tests[i]->outcomes, "F");
    cs_results_dispose(&r);
}

/* A FAILED line with no traceback of its own is a test failure. */
static void test_python_failed_line_alone(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("ci.log",
                     "collected 2 items\n"
                     "FAILED tests/test_api.py::TestApi::test_get[v2] - KeyError: 'id'\n"
                     "1 failed, 1 passed in 0.10s\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_TEST_FAILURE);
    assert_int_equal(t->line_start, 2);
    assert_string_equal(t->test, "tests/test_api.py::TestApi::test_get[v2]");
    assert_string_equal(t->headline, "KeyError: 'id'");
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "test_get[v2]", "tests/test_api.py", 0, 0);
    cs_results_dispose(&r);
}

/* ---- java -------------------------------------------------------------- */

static void test_java_caused_by(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/java/caused_by.log", CS_TK_JAVA);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 12);
    assert_string_equal(
        t->headline,
        "com.example.billing.InvoiceJob$LedgerException: posting invoice 90817 failed");
    assert_int_equal(t->n_threads, 3);
    assert_int_equal(t->threads[0].role, CS_ROLE_CRASHED);
    assert_string_equal(t->threads[0].name, "main");
    assert_int_equal(t->threads[1].role, CS_ROLE_CAUSE);
    assert_int_equal(t->threads[2].role, CS_ROLE_CAUSE);
    /* the root cause is the last one */
    assert_string_equal(t->threads[2].name, "java.io.IOException");
    assert_string_equal(t->threads[2].label, "java.io.IOException: rate table missing for CHF");
    assert_true(t->threads[2].elided);
    assert_frame(&t->threads[2].frames[0], "com.example.billing.InvoiceJob.readRate",
                 "InvoiceJob.java", 16, 0);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "com.example.billing.InvoiceJob.post",
                 "InvoiceJob.java", 39, 0);
    assert_int_equal(t->threads[1].n_frames, 3);
    cs_results_dispose(&r);
}

static void test_java_suppressed_and_modules(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/java/suppressed.log", CS_TK_JAVA);
    assert_int_equal(t->line_end, 8);
    assert_int_equal(t->n_threads, 2);
    assert_string_equal(t->threads[1].state, "suppressed");
    assert_string_equal(t->threads[1].name, "java.lang.IllegalStateException");
    assert_frame(&t->threads[1].frames[0], "com.example.billing.ExportJob$CsvWriter.close",
                 "ExportJob.java", 20, 0);
    cs_results_dispose(&r);

    t = only(&r, "fixtures/java/thread_exception.log", CS_TK_JAVA);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 5); /* "main done" is not part of it */
    assert_string_equal(t->threads[0].name, "worker-1");
    assert_int_equal(t->threads[0].n_frames, 4);
    const cs_frame *f = frame(t, CS_ROLE_CRASHED, 3);
    assert_frame(f, "java.lang.Thread.run", "Thread.java", 840, 0);
    assert_string_equal(f->module, "java.base");
    cs_results_dispose(&r);
}

/* What pasting into an issue or an e-mail does to a Java trace. */
static void test_java_pasted_layouts(void **state)
{
    (void)state;
    cs_results r;
    /* No indentation, a Kotlin frame without a line, a blank line after a
     * frame, and a Windows pause line after it. */
    cs_t_triage_text("unindented.log",
                     "Exception in thread \"worker-2\" java.lang.IllegalArgumentException: bad id\n"
                     "at org.acme.store.Ids.parse(Ids.kt:17)\n"
                     "\n"
                     "at org.acme.store.Main.main(Main.kt)\n"
                     "Press any key to continue . . .\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->line_end, 4);
    assert_int_equal(t->threads[0].n_frames, 2);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "org.acme.store.Ids.parse", "Ids.kt", 17, 0);
    assert_frame(frame(t, CS_ROLE_CRASHED, 1), "org.acme.store.Main.main", "Main.kt", 0, 0);
    cs_results_dispose(&r);

    /* Quoted by a mail client: '> ' markers, bold exception line, a frame
     * cut at 80 columns in its file and one cut inside its name. */
    cs_t_triage_text("quoted.log",
                     "> **java.lang.AssertionError: expected:<1> but was:<3>**\n"
                     ">         at org.junit.Assert.fail(Assert.java:88)\n"
                     ">         at org.acme.billing.InvoiceTest.totalsAddUp(InvoiceTe\n"
                     ">         at org.junit.runners.model.FrameworkMe\n"
                     ">         at java.lang.reflect.Method.invoke(Method.java:498)\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    assert_string_equal(t->headline, "java.lang.AssertionError: expected:<1> but was:<3>");
    assert_int_equal(t->threads[0].n_frames, 3);
    assert_frame(frame(t, CS_ROLE_CRASHED, 1), "org.acme.billing.InvoiceTest.totalsAddUp", NULL, 0,
                 0);
    assert_true(t->threads[0].elided);
    cs_results_dispose(&r);

    /* Headless (the paste starts at the frames), Maven -e frames with a
     * blank before '(', and an excerpt that starts at a cause. */
    cs_t_triage_text("headless.log",
                     "\tat org.acme.io.Loader.open(Loader.java:41)\n"
                     "\tat org.acme.io.Main.run(Main.java:9)\n"
                     "some output\n"
                     "Caused by: java.io.FileNotFoundException: /etc/acme.conf\n"
                     "    at java.io.FileInputStream.open0 (Native Method)\n"
                     "    at org.acme.io.Loader.read (Loader.java:77)\n",
                     &r);
    assert_int_equal(r.n_traces, 2);
    assert_int_equal(r.traces[0]->threads[0].n_frames, 2);
    assert_frame(frame(r.traces[0], CS_ROLE_CRASHED, 0), "org.acme.io.Loader.open", "Loader.java",
                 41, 0);
    t = r.traces[1];
    assert_string_equal(t->headline, "java.io.FileNotFoundException: /etc/acme.conf");
    assert_frame(frame(t, CS_ROLE_CRASHED, 1), "org.acme.io.Loader.read", "Loader.java", 77, 0);
    cs_results_dispose(&r);

    /* The first frame glued to an indented exception line. */
    cs_t_triage_text("glued.log",
                     "\tException in thread \"main\" java.lang.NullPointerExceptionat "
                     "org.acme.Cli.args(Cli.java:5)\n"
                     "\tat org.acme.Cli.main(Cli.java:2)\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    assert_string_equal(t->headline, "java.lang.NullPointerException");
    assert_int_equal(t->threads[0].n_frames, 2);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "org.acme.Cli.args", "Cli.java", 5, 0);
    cs_results_dispose(&r);

    /* A lone frame-shaped log line is no trace. */
    cs_t_triage_text("lone.log", "retrying\n\tat org.acme.io.Loader.open(Loader.java:41)\ndone\n",
                     &r);
    assert_int_equal(r.n_traces, 0);
    cs_results_dispose(&r);

    /* Node frames are never read as a headless Java trace. */
    cs_t_triage_text("node.log", "at handler (/srv/app/index.js:3:9)\n", &r);
    assert_int_equal(r.n_traces, 0);
    cs_results_dispose(&r);
}

/* ---- gdb --------------------------------------------------------------- */

static void test_gdb_bt(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/gdb/gdb_bt.log", CS_TK_GDB);
    assert_int_equal(t->line_start, 7);
    assert_int_equal(t->line_end, 15);
    assert_string_equal(t->headline,
                        "Thread 4 \"busy-3\" received signal SIGSEGV, Segmentation fault.");
    assert_int_equal(t->n_threads, 1);
    assert_int_equal(t->threads[0].id, 4);
    assert_int_equal(t->threads[0].n_frames, 5);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "checksum_payload", "worker_crash.c", 22, 0);
    const cs_frame *f = frame(t, CS_ROLE_CRASHED, 1);
    assert_frame(f, "process_job", "worker_crash.c", 28, 0);
    assert_true(f->has_pc);
    assert_true(f->pc == 0x00005555555551deULL);
    cs_results_dispose(&r);

    /* bt full: the locals are skipped, the frames are the same */
    t = only(&r, "fixtures/gdb/gdb_bt_full.log", CS_TK_GDB);
    assert_int_equal(t->line_end, 25);
    assert_int_equal(t->threads[0].n_frames, 5);
    assert_frame(frame(t, CS_ROLE_CRASHED, 4), "clone3",
                 "../sysdeps/unix/sysv/linux/x86_64/clone3.S", 81, 0);
    cs_results_dispose(&r);
}

static void test_gdb_thread_apply_all(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/gdb/gdb_thread_apply_all_bt.log", CS_TK_GDB);
    assert_int_equal(t->line_start, 7);
    assert_int_equal(t->line_end, 44);
    assert_int_equal(t->n_threads, 4);
    assert_int_equal(t->threads[0].role, CS_ROLE_CRASHED);
    assert_int_equal(t->threads[0].id, 4);
    for (size_t i = 1; i < 4; i++)
        assert_int_equal(t->threads[i].role, CS_ROLE_OTHER);
    assert_string_equal(t->threads[1].name,
                        "Thread 3 (Thread 0x7ffff75ce6c0 (LWP 27235) \"idle-2\")");
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "checksum_payload", "worker_crash.c", 22, 0);
    /* an inline frame: no address */
    assert_true(t->threads[1].frames[1].inlined);
    assert_false(t->threads[1].frames[1].has_pc);
    cs_results_dispose(&r);

    /* bt then thread apply all bt of a stripped binary: the plain bt is the
     * current thread again, not a fifth thread */
    t = only(&r, "fixtures/gdb/gdb_stripped.log", CS_TK_GDB);
    assert_int_equal(t->n_threads, 4);
    assert_int_equal(cs_t_thread(t, CS_ROLE_CRASHED), 0);
    assert_int_equal(t->threads[0].id, 4);
    const cs_frame *f = frame(t, CS_ROLE_CRASHED, 3);
    assert_string_equal(f->function, "??");
    assert_null(f->file);
    assert_string_equal(f->module, "/lib/x86_64-linux-gnu/libc.so.6");
    assert_string_equal(t->threads[1].frames[1].function, "pthread_cond_wait");
    cs_results_dispose(&r);
}

static void test_gdb_after_assert(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage(cs_t_src("fixtures/gdb/gdb_assert.log"), &r);
    assert_int_equal(r.n_traces, 2);
    assert_int_equal(r.traces[0]->kind, CS_TK_NATIVE);
    assert_int_equal(r.traces[0]->line_start, 3);
    cs_trace *t = r.traces[1];
    assert_int_equal(t->kind, CS_TK_GDB);
    assert_int_equal(t->line_start, 5);
    assert_int_equal(t->line_end, 16);
    assert_string_equal(t->headline, "Program received signal SIGABRT, Aborted.");
    assert_int_equal(t->threads[0].n_frames, 9);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "__pthread_kill_implementation",
                 "./nptl/pthread_kill.c", 44, 0);
    assert_frame(frame(t, CS_ROLE_CRASHED, 6), "validate_config", "assert_abort.c", 13, 0);
    cs_results_dispose(&r);
}

static cs_trace *satyr(cs_results *r, const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "satyr/gdb_stacktraces/%s", name);
    cs_t_triage(cs_t_corpus_path(rel), r);
    assert_int_equal(r->n_traces, 1);
    assert_int_equal(r->traces[0]->kind, CS_TK_GDB);
    return r->traces[0];
}

/* EXPECTATIONS-gdb.tsv: crash thread top function per file. */
static void test_gdb_satyr_crash_thread(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    static const struct {
        const char *file, *top;
        size_t n_threads;
    } cases[] = {
        {"rhbz-621492", "raise", 11},
        {"rhbz-803600", "validate_row", 2},
        {"rhbz-1032472", "g_str_hash", 0},
        {"no-crash-frame-found", "process_event", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cs_results r;
        cs_trace *t = satyr(&r, cases[i].file);
        assert_true(strncmp(t->headline, "Program terminated with signal ", 31) == 0);
        if (cases[i].n_threads) assert_int_equal(t->n_threads, cases[i].n_threads);
        assert_string_equal(frame(t, CS_ROLE_CRASHED, 0)->function, cases[i].top);
        assert_int_equal(t->threads[cs_t_thread(t, CS_ROLE_CRASHED)].id, 1);
        cs_results_dispose(&r);
    }
}

static void test_gdb_satyr_shapes(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    /* crash_thread_frame_count 6 for the trace without "Thread N" headers */
    cs_trace *t = satyr(&r, "no-thread-header");
    assert_int_equal(t->n_threads, 1);
    assert_int_equal(t->threads[0].role, CS_ROLE_CRASHED);
    assert_int_equal(t->threads[0].n_frames, 6);
    assert_frame(&t->threads[0].frames[0], "write", "../sysdeps/unix/syscall-template.S", 82, 0);
    assert_frame(&t->threads[0].frames[4], "virNetClientIOHandleOutput", "rpc/virnetclient.c", 747,
                 0);
    assert_true(t->threads[0].frames[4].inlined);
    cs_results_dispose(&r);

    /* frames wrapped over several lines: "    at file:line" on its own */
    t = satyr(&r, "rhbz-621492");
    const cs_frame *f = frame(t, CS_ROLE_CRASHED, 0);
    assert_frame(f, "raise", "../nptl/sysdeps/unix/sysv/linux/pt-raise.c", 42, 0);
    assert_string_equal(frame(t, CS_ROLE_CRASHED, 2)->function, "<signal handler called>");
    assert_string_equal(frame(t, CS_ROLE_CRASHED, 3)->function,
                        "nsTreeBodyFrame::PrefillPropertyArray");
    cs_results_dispose(&r);

    /* "Backtrace stopped:" and the shared library table after it */
    t = satyr(&r, "rhbz-955617");
    assert_int_equal(t->line_end, 45);
    assert_int_equal(t->threads[0].n_frames, 13);
    assert_string_equal(t->threads[0].frames[12].module,
                        "/usr/lib/xorg/modules/drivers/nvidia_drv.so");
    cs_results_dispose(&r);
}

/* ---- rust -------------------------------------------------------------- */

static void test_rust(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/rust/panic_backtrace0.log", CS_TK_RUST);
    assert_int_equal(t->line_start, 2);
    assert_int_equal(t->line_end, 4);
    assert_string_equal(t->headline, "index out of bounds: the len is 3 but the index is 3");
    assert_string_equal(t->threads[0].name, "main");
    assert_int_equal(t->threads[0].id, 27410);
    assert_int_equal(t->threads[0].n_frames, 1);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), NULL, "ledger.rs", 14, 21);
    cs_results_dispose(&r);

    t = only(&r, "fixtures/rust/thread_panic.log", CS_TK_RUST);
    assert_int_equal(t->line_start, 2);
    assert_int_equal(t->line_end, 13);
    assert_string_equal(t->headline, "settle: account \"globex\" not found (batch 7781)");
    assert_string_equal(t->threads[0].name, "worker");
    assert_int_equal(t->threads[0].n_frames, 4);
    assert_frame(frame(t, CS_ROLE_CRASHED, 2), "ledger::settle", "./ledger.rs", 27, 17);
    assert_string_equal(frame(t, CS_ROLE_CRASHED, 2)->module, "ledger");
    cs_results_dispose(&r);

    t = only(&r, "fixtures/rust/panic_backtrace1.log", CS_TK_RUST);
    assert_int_equal(t->threads[0].n_frames, 19);
    assert_frame(frame(t, CS_ROLE_CRASHED, 6), "ledger::Ledger::entry", "./ledger.rs", 14, 21);
    cs_results_dispose(&r);

    t = only(&r, "fixtures/rust/panic_backtrace_full.log", CS_TK_RUST);
    const cs_frame *f = frame(t, CS_ROLE_CRASHED, 0);
    assert_true(f->has_pc);
    assert_true(f->pc == 0x5559212fb71aULL);
    assert_string_equal(f->module, "std");
    assert_int_equal(f->line, 117);
    cs_results_dispose(&r);
}

/* Fuchsia prints a Rust backtrace as symbolizer markup: module lines, then
 * sanitizer-style frames, the escapes of legacy mangling half decoded. */
static void test_rust_fuchsia_markup(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text(
        "fuchsia.log",
        "thread '<unnamed>' panicked at 'boom', ../../src/lib.rs:22:17\n"
        "stack backtrace:\n"
        " [[[ELF module #0x0 \"\" BuildID=09859c99ea115fa1 0x21132082b000]]]\n"
        " [[[ELF module #0x1 \"libc.so\" BuildID=881f5d29c6d74df8 0x4070f5931000]]]\n"
        "    #0.1  0x00002113208e3bff in std::sys_common::backtrace::_print_fmt::h758163dba6d37832 "
        "rustlib/src/rust/library/std/src/sys_common/backtrace.rs:66 <>+0xb8bff\n"
        "    #0    0x00002113208e3bff in "
        "_$LT$std..fmt..Arguments$u20$as$u20$core..fmt..Display$GT$::fmt::h50f7b755f1835a1b "
        "rustlib/src/rust/library/core/src/fmt/mod.rs:45 <>+0xb8bff\n"
        "    #1    0x00002113208ccbd9 in toy::parse::h849ed7a815da104e ./../../src/lib.rs:22 "
        "<>+0xa1bd9\n"
        "    #2    0x00004070f59c940e in start_main ../../musl/src/env/__libc_start_main.c:140 "
        "<libc.so>+0x9840e\n",
        &r);
    assert_int_equal(r.n_traces, 1);
    const cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_RUST);
    assert_int_equal(t->threads[0].n_frames, 4);
    assert_frame(frame(t, CS_ROLE_CRASHED, 2), "toy::parse::h849ed7a815da104e",
                 "./../../src/lib.rs", 22, 0);
    cs_results_dispose(&r);

    /* The whole pipeline blames the program's frame, past the decoded std one. */
    cs_triage tr;
    cs_t_triage_text_full(
        "fuchsia.log",
        "thread '<unnamed>' panicked at 'boom', ../../src/lib.rs:22:17\n"
        "stack backtrace:\n"
        "    #0    0x00002113208e3bff in "
        "_$LT$std..fmt..Arguments$u20$as$u20$core..fmt..Display$GT$::fmt::h50f7b755f1835a1b "
        "rustlib/src/rust/library/core/src/fmt/mod.rs:45 <>+0xb8bff\n"
        "    #1    0x00002113208ccbd9 in toy::parse::h849ed7a815da104e ./../../src/lib.rs:22 "
        "<>+0xa1bd9\n",
        &tr);
    assert_int_equal(tr.res.n_traces, 1);
    assert_non_null(strstr(tr.res.traces[0]->signature, "@ toy::parse"));
    cs_triage_dispose(&tr);
}

/* A panic above a backtrace that names nothing (<unknown> frames of a
 * stripped binary): the panic's own place is the signature's. */
static void test_rust_location_fallback(void **state)
{
    (void)state;
    cs_triage tr;
    cs_t_triage_text_full(
        "vault.log",
        "thread 'main' panicked at src/vault.rs:87:42:\n"
        "called `Option::unwrap()` on a `None` value\n"
        "stack backtrace:\n"
        "   0:     0x56389eda272c - <unknown>\n"
        "   1:     0x56389edc3550 - <unknown>\n"
        "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose "
        "backtrace.\n",
        &tr);
    assert_int_equal(tr.res.n_traces, 1);
    const cs_trace *t = tr.res.traces[0];
    assert_non_null(t->location);
    assert_int_equal(t->location->line, 87);
    assert_int_equal(t->threads[0].n_frames, 2);
    assert_non_null(strstr(t->signature, "@ src/vault.rs:87"));
    cs_triage_dispose(&tr);
}

static void test_rust_corpus_old_format(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    cs_t_triage(cs_t_corpus_path("clusterfuzz/stack_analyzer_data/rust_assert.txt"), &r);
    cs_trace *t = cs_t_find(&r, CS_TK_RUST, &(size_t){0});
    assert_non_null(t);
    assert_string_equal(t->headline, "Error: could not find an available port");
    /* The panic printed no backtrace; the ASan report after it has the
     * stack (the two are one crash): the panic's own thread, with its
     * location, follows the report's. */
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(t->stack_kind, CS_TK_ASAN);
    assert_int_equal(t->stack_line, 5);
    assert_int_equal(t->line_end, 29);
    assert_int_equal(t->n_threads, 2);
    assert_string_equal(t->threads[0].frames[0].function, "gsignal");
    assert_int_equal(t->threads[1].role, CS_ROLE_OTHER);
    assert_string_equal(t->threads[1].name, "<unnamed>");
    assert_frame(&t->threads[1].frames[0], NULL, "config/src/utils.rs", 27, 5);
    cs_results_dispose(&r);
    /* a quoted message over three lines */
    cs_t_triage(cs_t_corpus_path("clusterfuzz/stack_analyzer_data/rust_ignores.txt"), &r);
    t = cs_t_find(&r, CS_TK_RUST, &(size_t){0});
    assert_non_null(t);
    assert_int_equal(t->line_start, 7);
    /* the message ends at line 10; libFuzzer's deadly-signal report after it
     * is its stack */
    assert_int_equal(t->line_end, 40);
    assert_int_equal(t->stack_kind, CS_TK_FUZZER);
    assert_int_equal(t->stack_line, 11);
    assert_frame(&t->threads[t->n_threads - 1].frames[0], NULL,
                 "wasmtime/crates/fuzzing/src/oracles.rs", 427, 10);
    cs_results_dispose(&r);
}

/* A stop without a bt: the frame gdb prints under the signal line. */
static void test_gdb_stop_without_bt(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("stop.log",
                     "(gdb) run\n"
                     "Starting program: /usr/local/bin/tiler\n"
                     "\n"
                     "Program received signal SIGSEGV, Segmentation fault.\n"
                     "0x00005555555551a9 in tile_blit (dst=0x0, src=0x5555555592a0, n=64)\n"
                     "    at src/blit.c:88\n"
                     "88\t    dst[i] = src[i];\n"
                     "(gdb) info registers\n"
                     "rax            0x0                 0\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_GDB);
    assert_int_equal(t->threads[0].n_frames, 1);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "tile_blit", "src/blit.c", 88, 0);
    cs_results_dispose(&r);

    /* At a source line (no address); then a bt replaces the stop frame. */
    cs_t_triage_text("stop_bt.log",
                     "Program received signal SIGABRT, Aborted.\n"
                     "ring_pop (r=0x7fffffffd9b0) at ring.c:31\n"
                     "31\t  assert(r->n > 0);\n"
                     "(gdb) bt\n"
                     "#0  ring_pop (r=0x7fffffffd9b0) at ring.c:31\n"
                     "#1  0x0000555555555302 in drain (r=0x7fffffffd9b0) at ring.c:52\n"
                     "...\n"
                     "#9  0x00005555555553f0 in main () at main.c:12\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    assert_int_equal(t->n_threads, 1);
    assert_int_equal(t->threads[0].n_frames, 3);
    assert_true(t->threads[0].elided);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "ring_pop", "ring.c", 31, 0);
    assert_frame(frame(t, CS_ROLE_CRASHED, 2), "main", "main.c", 12, 0);
    cs_results_dispose(&r);
}

/* Pre-1.42 locations without a column, an indented paste, a double panic,
 * and the shell's signal line after a backtrace. */
static void test_rust_old_and_damaged(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("old.log",
                     "\tthread 'worker' panicked at 'queue drained twice', src/queue.rs:48\n"
                     "note: Run with `RUST_BACKTRACE=1` for a backtrace.\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_string_equal(t->headline, "queue drained twice");
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), NULL, "src/queue.rs", 48, 0);
    cs_results_dispose(&r);

    cs_t_triage_text("bt_sig.log",
                     "thread 'main' panicked at 'bad state', src/fsm.rs:9\n"
                     "stack backtrace:\n"
                     "   1:     0x55d1c0a1b2c3 - fsm::step::h0011223344556677\n"
                     "Illegal instruction (core dumped)\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->line_end, 4);
    assert_string_equal(frame(r.traces[0], CS_ROLE_CRASHED, 0)->function,
                        "fsm::step::h0011223344556677");
    cs_results_dispose(&r);

    cs_t_triage_text("double.log",
                     "running 1 test\n"
                     "thread panicked while panicking. aborting.\n"
                     "error: test failed, to rerun pass `--test it`\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->kind, CS_TK_RUST);
    assert_string_equal(r.traces[0]->headline, "thread panicked while panicking. aborting.");
    cs_results_dispose(&r);
}

/* ---- native ------------------------------------------------------------ */

static void test_native(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/native/assert_fail.log", CS_TK_NATIVE);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 2);
    assert_string_equal(t->headline, "Assertion `r->head <= r->cap && r->tail <= r->cap' failed.");
    const cs_frame *f = frame(t, CS_ROLE_CRASHED, 0);
    assert_frame(f, "ring_len", "assert_fail.c", 12, 0);
    assert_string_equal(f->module, "assert_fail");
    assert_string_equal(t->threads[0].state, "Aborted");
    cs_results_dispose(&r);

    t = only(&r, "fixtures/native/segv.log", CS_TK_NATIVE);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 1);
    assert_string_equal(t->headline, "Segmentation fault (core dumped)");
    assert_string_equal(t->threads[0].name, "./segv");
    cs_results_dispose(&r);

    t = only(&r, "fixtures/native/stack_smash.log", CS_TK_NATIVE);
    assert_int_equal(t->line_end, 2);
    assert_string_equal(t->headline, "*** stack smashing detected ***: terminated");
    cs_results_dispose(&r);

    t = only(&r, "fixtures/native/terminate.log", CS_TK_NATIVE);
    assert_int_equal(t->line_end, 3);
    assert_string_equal(t->headline, "terminate called after throwing an instance of "
                                     "'std::runtime_error': invalid port '80a' in listen address");
    assert_string_equal(t->threads[0].state, "std::runtime_error");
    cs_results_dispose(&r);
}

/* glibc's malloc check report with its backtrace and memory map. */
static void test_native_glibc_backtrace(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("glibc.log",
                     "*** Error in `./mixer': free(): invalid next size (fast): "
                     "0x0000000001c3e030 ***\n"
                     "======= Backtrace: =========\n"
                     "/lib/x86_64-linux-gnu/libc.so.6(+0x777f5)[0x7f3a1c0a77f5]\n"
                     "/lib/x86_64-linux-gnu/libc.so.6(cfree+0x4c)[0x7f3a1c0b053c]\n"
                     "./mixer(mix_free+0x12)[0x400a52]\n"
                     "./mixer[0x400b10]\n"
                     "======= Memory map: ========\n"
                     "00400000-00401000 r-xp 00000000 08:01 131       /home/u/mixer\n"
                     "01c3e000-01c5f000 rw-p 00000000 00:00 0         [heap]\n"
                     "Aborted (core dumped)\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_NATIVE);
    assert_string_equal(t->headline, "free(): invalid next size (fast)");
    assert_int_equal(t->line_end, 10); /* the shell's line is this crash's */
    assert_string_equal(t->threads[0].state, "Aborted");
    assert_int_equal(t->threads[0].n_frames, 4);
    const cs_frame *f = frame(t, CS_ROLE_CRASHED, 0);
    assert_null(f->function);
    assert_string_equal(f->module, "/lib/x86_64-linux-gnu/libc.so.6");
    assert_true(f->has_offset);
    assert_int_equal(f->offset, 0x777f5);
    f = frame(t, CS_ROLE_CRASHED, 2);
    assert_string_equal(f->function, "mix_free");
    assert_int_equal(f->pc, 0x400a52);
    assert_null(frame(t, CS_ROLE_CRASHED, 3)->function);
    cs_results_dispose(&r);

    /* The excerpt starts at the backtrace header. */
    cs_t_triage_text("bt.log",
                     "======= Backtrace: =========\n"
                     "./mixer(main+0x2a)[0x4005d6]\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    assert_string_equal(frame(r.traces[0], CS_ROLE_CRASHED, 0)->function, "main");
    cs_results_dispose(&r);
}

/* ---- node -------------------------------------------------------------- */

static void test_node(void **state)
{
    (void)state;
    cs_results r;
    cs_trace *t = only(&r, "fixtures/node/type_error.log", CS_TK_NODE);
    assert_int_equal(t->line_start, 1);
    assert_int_equal(t->line_end, 15);
    assert_string_equal(t->headline,
                        "TypeError: Cannot read properties of undefined (reading 'country')");
    assert_int_equal(t->threads[0].n_frames, 10);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "shippingZone", "/tmp/crashsift-node/orders.js", 5,
                 24);
    assert_frame(frame(t, CS_ROLE_CRASHED, 2), NULL, "/tmp/crashsift-node/orders.js", 14, 28);
    assert_frame(frame(t, CS_ROLE_CRASHED, 3), "Array.map", NULL, 0, 0);
    assert_frame(frame(t, CS_ROLE_CRASHED, 6), "Module._compile",
                 "node:internal/modules/cjs/loader", 1521, 14);
    cs_results_dispose(&r);

    t = only(&r, "fixtures/node/unhandled_rejection.log", CS_TK_NODE);
    assert_int_equal(t->line_end, 9); /* through the object dump's "}" */
    assert_string_equal(t->headline, "FetchError: invoice 4711: upstream returned 503");
    assert_int_equal(t->threads[0].n_frames, 2);
    assert_frame(frame(t, CS_ROLE_CRASHED, 1), "syncInvoices",
                 "/tmp/crashsift-node/async_reject.js", 19, 5);
    cs_results_dispose(&r);
}

/* Node errors behind a logger's prefix, and frames damaged by pasting. */
static void test_node_pasted_layouts(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text(
        "prefixed.log",
        "[3/4/2024, 9:01:02 AM] RangeError: Invalid array length\n"
        "    at Grid.resize (/opt/grid/lib/grid.js:40:11)\n"
        "(node:4242) UnhandledPromiseRejectionWarning: TypeError: x is not a function\n"
        "    at poll (/opt/grid/lib/poll.js:7:3)\n"
        "[3/4/2024, 9:01:03 AM] Error: not followed by a frame\n"
        "ok\n",
        &r);
    assert_int_equal(r.n_traces, 2);
    assert_string_equal(r.traces[0]->headline, "RangeError: Invalid array length");
    assert_frame(frame(r.traces[0], CS_ROLE_CRASHED, 0), "Grid.resize", "/opt/grid/lib/grid.js", 40,
                 11);
    assert_string_equal(r.traces[1]->headline, "TypeError: x is not a function");
    assert_string_equal(r.traces[1]->threads[0].name, "TypeError");
    cs_results_dispose(&r);

    /* Frames that lost their indentation, quoted with blank lines between. */
    cs_t_triage_text(
        "quoted.log",
        "TypeError: Cannot read properties of null (reading 'id')\n"
        "> at render (file:///srv/ui/view.mjs:12:20)\n"
        "\n"
        "> at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
        "at async main (/srv/ui/main.js:3:1)\n",
        &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->threads[0].n_frames, 3);
    assert_frame(frame(t, CS_ROLE_CRASHED, 0), "render", "file:///srv/ui/view.mjs", 12, 20);
    assert_frame(frame(t, CS_ROLE_CRASHED, 2), "main", "/srv/ui/main.js", 3, 1);
    cs_results_dispose(&r);
}

/* ---- corpus ------------------------------------------------------------ */

static void test_corpus_python_java_js(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    cs_t_triage(cs_t_corpus_path("satyr/python_stacktraces/python-01"), &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->threads[0].n_frames, 11);
    assert_string_equal(r.traces[0]->headline,
                        "AttributeError: 'NoneType' object has no attribute 'rsplit'");
    cs_results_dispose(&r);

    cs_t_triage(cs_t_corpus_path("satyr/java_stacktraces/java-01"), &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_JAVA);
    assert_int_equal(t->n_threads, 3);
    assert_int_equal(t->threads[0].n_frames, 3);
    assert_string_equal(t->threads[2].name, "java.lang.InvalidRangeException");
    assert_frame(&t->threads[2].frames[0], "MyVector.at", "Containers.java", 77, 0);
    cs_results_dispose(&r);

    cs_t_triage(cs_t_corpus_path("satyr/java_stacktraces/java-02"), &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->threads[0].n_frames, 20);
    cs_results_dispose(&r);

    cs_t_triage(cs_t_corpus_path("clusterfuzz/stack_analyzer_data/java_IllegalStateException.txt"),
                &r);
    t = cs_t_find(&r, CS_TK_JAVA, &(size_t){0});
    assert_non_null(t);
    assert_string_equal(t->headline,
                        "java.lang.IllegalStateException: mustNeverBeCalled has been called");
    assert_frame(&t->threads[0].frames[0], "ExampleValueProfileFuzzer.mustNeverBeCalled",
                 "ExampleValueProfileFuzzer.java", 51, 0);
    cs_results_dispose(&r);

    cs_t_triage(cs_t_corpus_path("satyr/js_stacktraces/node-01"), &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_NODE);
    assert_int_equal(t->threads[0].n_frames, 10);
    assert_frame(&t->threads[0].frames[0], "Object.<anonymous>", "/tmp/index.js", 2, 1);
    assert_frame(&t->threads[0].frames[9], NULL, "bootstrap_node.js", 509, 3);
    cs_results_dispose(&r);
}

/* ---- look-alikes ------------------------------------------------------- */

static void test_lookalikes(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "Traceback (most recent call last): see the docs for how to read one\n"
        "The build continues.\n",
        "We print a Traceback when a job fails.\n",
        "at the end of the day the build passed\n"
        "    at the end of the day\n",
        "the log says thread 'main' panicked at src/main.rs:1:1: in a sentence\n",
        "Exception handling works\n"
        "Exception handling works: all 12 cases passed\n",
        "Error: could not connect, retrying\n"
        "retry 1 ok\n",
        "java.lang.RuntimeException is what we throw here.\n"
        "org.example.Config: loaded\n"
        "done\n",
        "The program reported a segmentation fault (core dumped) last week.\n"
        "we saw Segmentation fault in prose\n"
        "Aborted the run by hand\n",
        "Thread 3 of the pool is idle\n"
        "Program received its input\n"
        "#0 is the first item\n",
        "INFO: Assertion checks are enabled\n"
        "*** note ***\n"
        "terminate called by the supervisor\n",
        "FAILED to fetch the cache\n"
        "_____ section _____\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        cs_results r;
        cs_t_triage_text("prose.log", texts[i], &r);
        if (r.n_traces)
            print_message("look-alike %zu gave a %s trace\n", i,
                          cs_trace_kind_name(r.traces[0]->kind));
        assert_int_equal(r.n_traces, 0);
        cs_results_dispose(&r);
    }
}

/* Python keeps the innermost frames of a traceback deeper than the cap. */
static void test_python_deep_keeps_innermost(void **state)
{
    (void)state;
    size_t n = CS_MAX_FRAMES + 100;
    size_t cap = 64 + n * 64;
    char *text = malloc(cap), *o = text;
    o += sprintf(o, "Traceback (most recent call last):\n");
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "  File \"r.py\", line %zu, in f%zu\n    f()\n", i + 1, i);
    sprintf(o, "RecursionError: maximum recursion depth exceeded\n");
    cs_results r;
    cs_t_triage_text("deep.log", text, &r);
    free(text);
    assert_int_equal(r.n_traces, 1);
    cs_thread *th = &r.traces[0]->threads[0];
    assert_int_equal(th->n_frames, CS_MAX_FRAMES);
    assert_true(th->elided);
    assert_int_equal(th->frames[0].line, (int)n); /* innermost */
    assert_int_equal(th->frames[1].line, (int)n - 1);
    assert_int_equal(th->frames[CS_MAX_FRAMES - 1].line, 1); /* outermost */
    cs_results_dispose(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_simple),
        cmocka_unit_test(test_python_chained),
        cmocka_unit_test(test_python_syntax_error),
        cmocka_unit_test(test_python_pytest),
        cmocka_unit_test(test_pytest_setup_errors),
        cmocka_unit_test(test_python_failed_line_alone),
        cmocka_unit_test(test_python_deep_keeps_innermost),
        cmocka_unit_test(test_java_caused_by),
        cmocka_unit_test(test_java_suppressed_and_modules),
        cmocka_unit_test(test_java_pasted_layouts),
        cmocka_unit_test(test_gdb_bt),
        cmocka_unit_test(test_gdb_thread_apply_all),
        cmocka_unit_test(test_gdb_after_assert),
        cmocka_unit_test(test_gdb_stop_without_bt),
        cmocka_unit_test(test_gdb_satyr_crash_thread),
        cmocka_unit_test(test_gdb_satyr_shapes),
        cmocka_unit_test(test_rust),
        cmocka_unit_test(test_rust_fuchsia_markup),
        cmocka_unit_test(test_rust_location_fallback),
        cmocka_unit_test(test_rust_corpus_old_format),
        cmocka_unit_test(test_rust_old_and_damaged),
        cmocka_unit_test(test_native),
        cmocka_unit_test(test_native_glibc_backtrace),
        cmocka_unit_test(test_node),
        cmocka_unit_test(test_node_pasted_layouts),
        cmocka_unit_test(test_corpus_python_java_js),
        cmocka_unit_test(test_lookalikes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
