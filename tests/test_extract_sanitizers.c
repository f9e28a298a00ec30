/* test_extract_sanitizers.c - the sanitizer dialects (extract/sanitizer.c,
 * extract/tsan.c) and the shared frame parser (extract/sanframe.h), over the
 * real fixtures of fixtures/sanitizers (make.sh), the shared corpus
 * (clusterfuzz reports, compiler-rt CHECK lines) and look-alike prose. */
#define _GNU_SOURCE
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/sanframe.h"

/* ---- helpers ---------------------------------------------------------- */

static void frame_is(const cs_frame *f, const char *fn, const char *file, int line)
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
}

static const cs_thread *thread_is(const cs_trace *t, size_t i, cs_role role, const char *name,
                                  size_t n_frames)
{
    assert_true(i < t->n_threads);
    const cs_thread *th = &t->threads[i];
    assert_int_equal(th->role, role);
    if (name)
        assert_string_equal(th->name, name);
    else
        assert_null(th->name);
    assert_int_equal(th->n_frames, n_frames);
    return th;
}

static void span_is(const cs_trace *t, cs_trace_kind k, uint64_t start, uint64_t end)
{
    assert_int_equal(t->kind, k);
    assert_int_equal(t->line_start, start);
    assert_int_equal(t->line_end, end);
}

static void fixture(const char *name, cs_results *r)
{
    char rel[256];
    snprintf(rel, sizeof rel, "fixtures/sanitizers/%s", name);
    cs_t_triage(cs_t_src(rel), r);
}

/* ---- the frame parser ------------------------------------------------- */

static void test_frame_parser(void **state)
{
    (void)state;
    cs_frame f = {0};
    const char *l = "    #0 0x4f3e5a in func_name file.c:12:5";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, "func_name", "file.c", 12);
    assert_int_equal(f.column, 5);
    assert_true(f.has_pc);
    assert_int_equal(f.pc, 0x4f3e5a);
    assert_false(f.has_offset);
    cs_frame_dispose(&f);

    memset(&f, 0, sizeof f);
    l = "#1 0x7f0011 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x23d0a)";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, "__libc_start_main", NULL, 0);
    assert_string_equal(f.module, "/lib/x86_64-linux-gnu/libc.so.6");
    assert_true(f.has_offset);
    assert_int_equal(f.offset, 0x23d0a);
    cs_frame_dispose(&f);

    memset(&f, 0, sizeof f);
    l = "    #2 0x7f0012 (/path/lib.so+0x1234) (BuildId: 0a1b2c)";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, NULL, NULL, 0);
    assert_string_equal(f.module, "/path/lib.so");
    assert_int_equal(f.offset, 0x1234);
    cs_frame_dispose(&f);

    /* TSan: no pc, no "in", <null> file. */
    memset(&f, 0, sizeof f);
    l = "    #0 pthread_create <null> (tsan_counter+0x513ad) (BuildId: 4444)";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, "pthread_create", NULL, 0);
    assert_false(f.has_pc);
    assert_string_equal(f.module, "tsan_counter");
    cs_frame_dispose(&f);

    /* C++ names with blanks, templates, (anonymous namespace), operator(). */
    memset(&f, 0, sizeof f);
    l = "#3 0x1 in base::(anonymous namespace)::Fn<std::pair<int, long> >::operator()(int "
        "const&) const src/a b.cc:80:3 (chrome+0x10)";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    assert_string_equal(f.function, "base::(anonymous namespace)::Fn<std::pair<int, long> "
                                    ">::operator()(int const&) const src/a");
    assert_string_equal(f.file, "b.cc");
    cs_frame_dispose(&f);

    memset(&f, 0, sizeof f);
    l = "    #0 0x4cf88d in operator new(unsigned long)";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, "operator new(unsigned long)", NULL, 0);
    assert_null(f.module);
    cs_frame_dispose(&f);

    /* "in func file.cc" without a line; "??:0"; <unknown module>. */
    memset(&f, 0, sizeof f);
    l = "#4 0x2 in ns::func() dir/file.cc";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, "ns::func()", "dir/file.cc", 0);
    cs_frame_dispose(&f);
    memset(&f, 0, sizeof f);
    l = "#0 0x7f3b595f8acb in __interceptor_malloc ??:?";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, "__interceptor_malloc", NULL, 0);
    cs_frame_dispose(&f);
    memset(&f, 0, sizeof f);
    l = "    #0 0x631000001000  (<unknown module>)";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, NULL, NULL, 0);
    assert_null(f.module);
    assert_int_equal(f.pc, 0x631000001000);
    cs_frame_dispose(&f);

    memset(&f, 0, sizeof f);
    l = "    #3 0x7b111af60c in";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, NULL, NULL, 0);
    assert_int_equal(f.pc, 0x7b111af60c);
    cs_frame_dispose(&f);

    /* Fuchsia's symbolizer: "<module>+0xoff" after the file, "#N.M" for
     * the frames inlined into frame N, "<<application>>" the main binary. */
    memset(&f, 0, sizeof f);
    l = "   #3    0x00004a10c0de12f4 in parse_header(char const*) ../../src/hdr.cc:41 "
        "<<application>>+0x412f4";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, "parse_header(char const*)", "../../src/hdr.cc", 41);
    assert_string_equal(f.module, "application");
    assert_int_equal(f.offset, 0x412f4);
    assert_false(f.inlined);
    cs_frame_dispose(&f);
    memset(&f, 0, sizeof f);
    l = "   #3.1  0x00004a10c0de12f4 in read_u16 ../../src/bytes.h:9 <libcodec.so>+0x12f4";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, "read_u16", "../../src/bytes.h", 9);
    assert_string_equal(f.module, "libcodec.so");
    assert_true(f.inlined);
    cs_frame_dispose(&f);
    memset(&f, 0, sizeof f);
    l = "   #7    0x00004a10c0de0100 in run_loop() <>+0x100";
    assert_true(cs_san_parse_frame(l, strlen(l), &f));
    frame_is(&f, "run_loop()", NULL, 0);
    assert_null(f.module);
    assert_int_equal(f.offset, 0x100);
    cs_frame_dispose(&f);

    /* Not frames: the struct is left alone. libFuzzer's progress lines
     * start with "#N" too. */
    const char *bad[] = {"#include <stdio.h>",
                         "# 0x1 in f",
                         "#12",
                         "#1 0xzz in f",
                         "0x1 in f",
                         "#4096\tpulse  cov: 31 ft: 40 corp: 6/90b lim: 43 exec/s: 2048 rss: 29Mb",
                         "#17\tNEW    cov: 12 ft: 12 corp: 2/3b lim: 4 exec/s: 0 rss: 28Mb L: 2/2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&f, 0, sizeof f);
        assert_false(cs_san_parse_frame(bad[i], strlen(bad[i]), &f));
        assert_null(f.function);
        assert_null(f.file);
    }
}

/* KASAN in the kernel as a library (LKL) under libFuzzer: its own stack
 * layout, raw ("#N [<0x..>] func+0x../0x..") and as a symbolizer rewrites
 * it (sanitizer frames inside the kernel's section). */
static void test_lkl_kasan(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "[    1.204511] BUG: KASAN: slab-out-of-bounds in _etext+0x1c2a/0x20000\n"
        "[    1.204520] Read of size 8 at addr 00007f10aa001f08 by task kworker/0:2/14\n"
        "[    1.204522] \n"
        "[    1.204530] Linux Kernel Library Stack Trace:\n"
        "[    1.204541] #0 [<0x00000000004a1b2c>] kasan_report+0x9/0x10\n"
        "[    1.204550] #1 [<0x00000000006c2a10>] _etext+0x1c2a/0x20000\n"
        "[    1.204559] #2 [<0x00000000005d0e44>] usb_parse_config+0x54/0x3a0\n"
        "[    1.204568] #3 [<0x00000000005d1f00>] usb_get_configuration+0x120/0x2c0\n"
        "[    1.204575] #4 [<0x00000000004b0011>] .str.12+0x11/0x30\n"
        "[    1.204580] ==================================================================\n",
        "[    1.204511] BUG: KASAN: slab-out-of-bounds in _etext+0x1c2a/0x20000\n"
        "[    1.204520] Read of size 8 at addr 00007f10aa001f08 by task kworker/0:2/14\n"
        "[    1.204530] Linux Kernel Library Stack Trace:\n"
        "    #0 0x00000000004a1b2c in kasan_report lkl/mm/kasan/common.c:636:1\n"
        "    #1 0x00000000006c2a10 in usb_parse_config lkl/drivers/usb/core/config.c:812:9\n"
        "    #2 0x00000000005d1f00 in usb_get_configuration lkl/drivers/usb/core/config.c:901:3\n"
        "[    1.204580] ==================================================================\n",
    };
    for (size_t i = 0; i < 2; i++) {
        cs_results r;
        cs_t_triage_text("lkl.log", texts[i], &r);
        cs_trace *t = cs_t_find(&r, CS_TK_KERNEL, &(size_t){0});
        assert_non_null(t);
        const cs_thread *c = &t->threads[cs_t_thread(t, CS_ROLE_CRASHED)];
        size_t k = 0;
        while (k < c->n_frames && strcmp(c->frames[k].function, "usb_parse_config") != 0)
            k++;
        assert_true(k + 1 < c->n_frames);
        assert_string_equal(c->frames[k + 1].function, "usb_get_configuration");
        if (i == 1)
            frame_is(&c->frames[k], "usb_parse_config", "lkl/drivers/usb/core/config.c", 812);
        cs_results_dispose(&r);
    }
}

/* ---- ThreadSanitizer fixtures ----------------------------------------- */

static void test_tsan_counter(void **state)
{
    (void)state;
    cs_results r;
    fixture("tsan_counter.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_TSAN, 1, 22);
    assert_false(t->truncated);
    assert_string_equal(t->headline, "ThreadSanitizer: data race "
                                     "/tmp/crashsift-san/tsan_counter.c:10:12 in record_batch");
    assert_int_equal(t->n_threads, 4);
    const cs_thread *a = thread_is(t, 0, CS_ROLE_ACCESS, "T2", 2);
    assert_string_equal(a->access, "write");
    assert_int_equal(a->size, 8);
    assert_int_equal(a->id, 2);
    assert_true(a->addr == 0x5562ce29b258ULL);
    frame_is(&a->frames[0], "record_batch", "/tmp/crashsift-san/tsan_counter.c", 10);
    assert_int_equal(a->frames[0].column, 12);
    assert_string_equal(a->frames[0].module, "tsan_counter");
    assert_true(a->frames[0].has_offset);
    assert_int_equal(a->frames[0].offset, 0xd0196);
    frame_is(&a->frames[1], "ingest_worker", "/tmp/crashsift-san/tsan_counter.c", 16);
    const cs_thread *p = thread_is(t, 1, CS_ROLE_PREVIOUS, "T1", 2);
    assert_string_equal(p->access, "write");
    assert_int_equal(p->id, 1);
    const cs_thread *c = thread_is(t, 2, CS_ROLE_CREATION, "T2", 2);
    assert_int_equal(c->id, 2);
    assert_string_equal(c->state, "running");
    assert_int_equal(c->created_by_id, 0);
    frame_is(&c->frames[0], "pthread_create", NULL, 0);
    frame_is(&c->frames[1], "main", "/tmp/crashsift-san/tsan_counter.c", 24);
    c = thread_is(t, 3, CS_ROLE_CREATION, "T1", 2);
    assert_string_equal(c->state, "finished");
    cs_results_dispose(&r);
}

static void test_tsan_map(void **state)
{
    (void)state;
    cs_results r;
    fixture("tsan_map.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_TSAN, 1, 29);
    assert_true(strncmp(t->headline, "ThreadSanitizer: data race /usr/bin/../lib/gcc/", 47) == 0);
    assert_int_equal(t->n_threads, 4);
    const cs_thread *a = thread_is(t, 0, CS_ROLE_ACCESS, "T2", 6);
    assert_string_equal(a->access, "read");
    assert_true(
        strncmp(a->frames[0].function, "std::_Hashtable<int, std::pair<int const, long>", 47) == 0);
    assert_non_null(strstr(a->frames[0].function, ">::size() const"));
    assert_int_equal(a->frames[0].line, 649);
    frame_is(&a->frames[4], "evict_key(int)", "/tmp/crashsift-san/tsan_map.cpp", 16);
    frame_is(&a->frames[5], "evictor(void*)", "/tmp/crashsift-san/tsan_map.cpp", 29);
    const cs_thread *p = thread_is(t, 1, CS_ROLE_PREVIOUS, "T1", 5);
    assert_string_equal(p->access, "write");
    frame_is(&p->frames[3], "record_hit(int)", "/tmp/crashsift-san/tsan_map.cpp", 11);
    thread_is(t, 2, CS_ROLE_CREATION, "T2", 2);
    thread_is(t, 3, CS_ROLE_CREATION, "T1", 2);
    cs_results_dispose(&r);
}

static void test_tsan_lock_order(void **state)
{
    (void)state;
    cs_results r;
    fixture("tsan_lock_order.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_TSAN, 1, 18);
    assert_true(strncmp(t->headline,
                        "ThreadSanitizer: lock-order-inversion (potential deadlock) "
                        "(/tmp/crashsift-san/tsan_lock_order+0x6ef3a)",
                        101) == 0);
    assert_int_equal(t->n_threads, 2);
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, "main thread", 3);
    frame_is(&c->frames[0], "pthread_mutex_lock", NULL, 0);
    frame_is(&c->frames[1], "transfer", "/tmp/crashsift-san/tsan_lock_order.c", 13);
    const cs_thread *o = thread_is(t, 1, CS_ROLE_OTHER, "main thread", 3);
    frame_is(&o->frames[1], "audit", "/tmp/crashsift-san/tsan_lock_order.c", 23);
    cs_results_dispose(&r);
}

static void test_tsan_thread_leak(void **state)
{
    (void)state;
    cs_results r;
    fixture("tsan_thread_leak.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_TSAN, 1, 9);
    assert_true(strncmp(t->headline, "ThreadSanitizer: thread leak ", 29) == 0);
    assert_int_equal(t->n_threads, 1);
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CREATION, "T1", 3);
    assert_int_equal(c->id, 1);
    assert_string_equal(c->state, "finished");
    frame_is(&c->frames[1], "start_flusher", "/tmp/crashsift-san/tsan_thread_leak.c", 14);
    cs_results_dispose(&r);
}

/* Shapes the fixtures lack: a "(mutexes: ...)" row on its own line, a
 * heap-block location, a report whose stack follows the WARNING line, a pid
 * banner, and a report cut short by the end of the log. */
static void test_tsan_shapes(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text(
        "tsan.log",
        "==================\n"
        "WARNING: ThreadSanitizer: data race (pid=9)\n"
        "  Atomic write of size 4 at 0x7b0400000010 by thread T1\n"
        "                         (mutexes: write M1):\n"
        "    #0 Thread1 /src/a.c:6:10 (a.out+0x10)\n"
        "\n"
        "  Previous read of size 4 at 0x7b0400000010 by main thread:\n"
        "    #0 main /src/a.c:20:3 (a.out+0x20)\n"
        "\n"
        "  Location is heap block of size 99 at 0x7b0400000000 allocated by thread T1:\n"
        "    #0 malloc <null> (a.out+0x30)\n"
        "    #1 alloc /src/a.c:3:1 (a.out+0x40)\n"
        "\n"
        "  Mutex M1 (0x7b0c00000010) created at:\n"
        "    #0 pthread_mutex_init <null> (a.out+0x50)\n"
        "\n"
        "SUMMARY: ThreadSanitizer: data race /src/a.c:6:10 in Thread1\n"
        "==================\n"
        "program output\n"
        "==================\n"
        "==9==WARNING: ThreadSanitizer: signal-unsafe call inside of a signal (pid=9)\n"
        "    #0 malloc <null> (a.out+0x30)\n"
        "    #1 handler /src/a.c:30:5 (a.out+0x60)\n"
        "\n"
        "SUMMARY: ThreadSanitizer: signal-unsafe call inside of a signal in malloc\n"
        "==================\n"
        "==================\n"
        "WARNING: ThreadSanitizer: data race (pid=9)\n"
        "  Write of size 8 at 0x10 by thread T3:\n"
        "    #0 f /src/b.c:1:1 (a.out+0x70)\n",
        &r);
    assert_int_equal(r.n_traces, 3);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_TSAN, 1, 18);
    assert_string_equal(t->headline, "ThreadSanitizer: data race /src/a.c:6:10 in Thread1");
    assert_int_equal(t->n_threads, 4);
    const cs_thread *a = thread_is(t, 0, CS_ROLE_ACCESS, "T1", 1);
    assert_string_equal(a->access, "atomic write");
    assert_int_equal(a->size, 4);
    const cs_thread *p = thread_is(t, 1, CS_ROLE_PREVIOUS, "main thread", 1);
    assert_string_equal(p->access, "read");
    assert_int_equal(p->id, 0);
    const cs_thread *h = thread_is(t, 2, CS_ROLE_ALLOC, "T1", 2);
    assert_int_equal(h->size, 99);
    frame_is(&h->frames[1], "alloc", "/src/a.c", 3);
    thread_is(t, 3, CS_ROLE_OTHER, "M1", 1);

    t = r.traces[1];
    span_is(t, CS_TK_TSAN, 20, 26);
    assert_string_equal(t->headline,
                        "ThreadSanitizer: signal-unsafe call inside of a signal in malloc");
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, NULL, 2);
    frame_is(&c->frames[1], "handler", "/src/a.c", 30);

    t = r.traces[2];
    span_is(t, CS_TK_TSAN, 27, 30);
    assert_true(t->truncated);
    assert_string_equal(t->headline, "ThreadSanitizer: data race");
    cs_results_dispose(&r);
}

/* ---- AddressSanitizer / LeakSanitizer fixtures ------------------------ */

static void test_asan_uaf(void **state)
{
    (void)state;
    cs_results r;
    fixture("asan_uaf.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_ASAN, 1, 55); /* the row before ERROR .. ==PID==ABORTING */
    assert_false(t->truncated);
    assert_string_equal(t->headline,
                        "AddressSanitizer: heap-use-after-free on address 0x604000000090 at pc "
                        "0x55ae47ceef7a bp 0x7ffc97c28b00 sp 0x7ffc97c28af8");
    assert_int_equal(t->n_threads, 3);
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, "T0", 5);
    assert_string_equal(c->access, "read");
    assert_int_equal(c->size, 4);
    assert_int_equal(c->id, 0);
    assert_true(c->addr == 0x604000000090ULL);
    frame_is(&c->frames[0], "session_id", "/tmp/crashsift-san/asan_uaf.c", 27);
    assert_int_equal(c->frames[0].pc, 0x55ae47ceef79);
    frame_is(&c->frames[1], "main", "/tmp/crashsift-san/asan_uaf.c", 34);
    frame_is(&c->frames[4], "_start", NULL, 0);
    assert_string_equal(c->frames[4].module, "/tmp/crashsift-san/asan_uaf");
    assert_int_equal(c->frames[4].offset, 0x21300);
    const cs_thread *f = thread_is(t, 1, CS_ROLE_FREE, "T0", 4);
    frame_is(&f->frames[0], "free", NULL, 0);
    frame_is(&f->frames[1], "session_close", "/tmp/crashsift-san/asan_uaf.c", 22);
    const cs_thread *a = thread_is(t, 2, CS_ROLE_ALLOC, "T0", 4);
    frame_is(&a->frames[0], "__interceptor_malloc", NULL, 0);
    frame_is(&a->frames[1], "session_open", "/tmp/crashsift-san/asan_uaf.c", 13);
    cs_results_dispose(&r);
}

static void test_asan_uaf_gcc(void **state)
{
    (void)state;
    cs_results r;
    fixture("asan_uaf_gcc.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_ASAN, 1, 55);
    assert_int_equal(t->n_threads, 3);
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, "T0", 5);
    assert_string_equal(c->access, "read");
    frame_is(&c->frames[0], "session_id", "/tmp/crashsift-san/asan_uaf.c", 27);
    assert_int_equal(c->frames[0].column, 0);
    const cs_thread *f = thread_is(t, 1, CS_ROLE_FREE, "T0", 4);
    frame_is(&f->frames[0], "__interceptor_free",
             "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp", 52);
    thread_is(t, 2, CS_ROLE_ALLOC, "T0", 4);
    cs_results_dispose(&r);
}

static void test_asan_overflows(void **state)
{
    (void)state;
    cs_results r;
    fixture("asan_heap_overflow.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_ASAN, 1, 48);
    assert_true(strncmp(t->headline, "AddressSanitizer: heap-buffer-overflow on address ", 50) ==
                0);
    assert_int_equal(t->n_threads, 2);
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, "T0", 5);
    assert_string_equal(c->access, "write");
    assert_int_equal(c->size, 4);
    frame_is(&c->frames[0], "fill_histogram", "/tmp/crashsift-san/asan_heap_overflow.c", 8);
    const cs_thread *a = thread_is(t, 1, CS_ROLE_ALLOC, "T0", 3);
    frame_is(&a->frames[1], "main", "/tmp/crashsift-san/asan_heap_overflow.c", 14);
    cs_results_dispose(&r);

    fixture("asan_stack_overflow.log", &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    span_is(t, CS_TK_ASAN, 1, 51);
    assert_true(strncmp(t->headline, "AddressSanitizer: stack-buffer-overflow on address ", 51) ==
                0);
    assert_int_equal(t->n_threads, 2);
    c = thread_is(t, 0, CS_ROLE_CRASHED, "T0", 7);
    assert_string_equal(c->access, "write");
    assert_int_equal(c->size, 15);
    frame_is(&c->frames[0], "strcpy", NULL, 0);
    frame_is(&c->frames[1], "format_label", "/tmp/crashsift-san/asan_stack_overflow.c", 7);
    /* "Address .. is located in stack of thread T0 .. in frame": its own
     * one-frame stack, not more frames of the crash. */
    const cs_thread *o = thread_is(t, 1, CS_ROLE_OTHER, NULL, 1);
    frame_is(&o->frames[0], "print_label", "/tmp/crashsift-san/asan_stack_overflow.c", 11);
    cs_results_dispose(&r);
}

/* MemorySanitizer's deadly signal uses the ASan layout, under "ERROR:". */
static void test_msan_deadly_signal(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("msan.log",
                     "MemorySanitizer:DEADLYSIGNAL\n"
                     "==4242==ERROR: MemorySanitizer: SEGV on unknown address 0x000000000008 (pc "
                     "0x55d0c1 bp 0x7ffd10 sp 0x7ffd00 T4242)\n"
                     "    #0 0x55d0c1 in table_get src/table.c:31:10\n"
                     "    #1 0x55d1f2 in main src/main.c:9:3\n"
                     "MemorySanitizer can not provide additional info.\n"
                     "SUMMARY: MemorySanitizer: SEGV src/table.c:31:10 in table_get\n"
                     "==4242==ABORTING\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    span_is(r.traces[0], CS_TK_MSAN, 2, 7);
    assert_string_equal(r.traces[0]->headline,
                        "MemorySanitizer: SEGV on unknown address 0x000000000008 (pc 0x55d0c1 bp "
                        "0x7ffd10 sp 0x7ffd00 T4242)");
    const cs_thread *c = thread_is(r.traces[0], 0, CS_ROLE_CRASHED, "T4242", 2);
    frame_is(&c->frames[0], "table_get", "src/table.c", 31);
    cs_results_dispose(&r);
}

static void test_lsan_leak(void **state)
{
    (void)state;
    cs_results r;
    fixture("lsan_leak.log", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_LSAN, 2, 12);
    assert_string_equal(t->headline, "LeakSanitizer: detected memory leaks");
    assert_int_equal(t->n_threads, 1);
    const cs_thread *a = thread_is(t, 0, CS_ROLE_ALLOC, NULL, 5);
    assert_int_equal(a->size, 17);
    assert_string_equal(a->label, "Direct leak of 17 byte(s) in 3 object(s) allocated from:");
    frame_is(&a->frames[0], "__interceptor_malloc", NULL, 0);
    frame_is(&a->frames[1], "dup_token", "/tmp/crashsift-san/lsan_leak.c", 8);
    frame_is(&a->frames[2], "count_tokens", "/tmp/crashsift-san/lsan_leak.c", 20);
    cs_results_dispose(&r);
}

/* SEGV: no access line; the access comes from "The signal is caused by". An
 * ERROR line that the log cuts short is kept as truncated. */
static void test_asan_segv_text(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("segv.log",
                     "AddressSanitizer:DEADLYSIGNAL\n"
                     "=================================================================\n"
                     "==7==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc "
                     "0x55 bp 0x7f sp 0x7e T0)\n"
                     "==7==The signal is caused by a READ memory access.\n"
                     "==7==Hint: address points to the zero page.\n"
                     "    #0 0x55 in parse_header /src/p.c:41:9\n"
                     "    #1 0x56 in main /src/p.c:90:3\n"
                     "\n"
                     "AddressSanitizer can not provide additional info.\n"
                     "SUMMARY: AddressSanitizer: SEGV /src/p.c:41:9 in parse_header\n"
                     "==7==ABORTING\n"
                     "next step\n"
                     "=================================================================\n"
                     "==8==ERROR: AddressSanitizer: attempting double-free on 0x602 in thread T0:\n"
                     "    #0 0x57 in free (/a.out+0x10)\n",
                     &r);
    assert_int_equal(r.n_traces, 2);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_ASAN, 2, 11);
    assert_false(t->truncated);
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, "T0", 2);
    assert_string_equal(c->access, "read");
    frame_is(&c->frames[0], "parse_header", "/src/p.c", 41);
    t = r.traces[1];
    span_is(t, CS_TK_ASAN, 13, 15);
    assert_true(t->truncated);
    thread_is(t, 0, CS_ROLE_CRASHED, "T0", 1);
    cs_results_dispose(&r);
}

/* ---- UBSan fixtures --------------------------------------------------- */

static const struct {
    uint64_t start, end, end_st;
    const char *headline, *fn;
    int line, col, caller_line;
} ubsan_want[] = {
    {1, 2, 8,
     "runtime error: signed integer overflow: 1073741824 * 2 cannot be represented in "
     "type 'int'",
     "scale_total", 9, 15, 33},
    {3, 4, 16, "runtime error: shift exponent 32 is too large for 32-bit type 'unsigned int'",
     "shift_mask", 14, 12, 34},
    {5, 6, 24, "runtime error: index 7 out of bounds for type 'const int[7]'", "weekday_weight", 20,
     9, 35},
    {7, 11, 35, NULL, "read_u32", 25, 9, 36},
};

static void test_ubsan(void **state)
{
    (void)state;
    cs_results r;
    /* A CFI failure on an unreadable vtable: the note has no dump, the
     * stack follows "<memory cannot be printed>". */
    cs_t_triage_text("cfi.log",
                     "src/shape.cc:40:12: runtime error: control flow integrity check for type "
                     "Shape failed during virtual call (vtable address 0x000000000000)\n"
                     "0x000000000000: note: invalid vtable\n"
                     "<memory cannot be printed>\n"
                     "    #0 0x55d0c1 in Canvas::Draw(Shape*) src/canvas.cc:40:12\n"
                     "    #1 0x55d1f2 in main src/main.cc:9:3\n"
                     "\n"
                     "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior src/shape.cc:40:12 "
                     "in\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    span_is(r.traces[0], CS_TK_UBSAN, 1, 7);
    const cs_thread *cfi = thread_is(r.traces[0], 0, CS_ROLE_CRASHED, NULL, 2);
    frame_is(&cfi->frames[0], "Canvas::Draw(Shape*)", "src/canvas.cc", 40);
    cs_results_dispose(&r);

    fixture("ubsan.log", &r);
    assert_int_equal(r.n_traces, 4);
    for (size_t i = 0; i < 4; i++) {
        cs_trace *t = r.traces[i];
        span_is(t, CS_TK_UBSAN, ubsan_want[i].start, ubsan_want[i].end);
        if (ubsan_want[i].headline) assert_string_equal(t->headline, ubsan_want[i].headline);
        assert_true(strncmp(t->headline, "runtime error: ", 15) == 0);
        const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, NULL, 1);
        frame_is(&c->frames[0], NULL, "ubsan.c", ubsan_want[i].line);
        assert_int_equal(c->frames[0].column, ubsan_want[i].col);
    }
    cs_results_dispose(&r);

    fixture("ubsan_stacktrace.log", &r);
    assert_int_equal(r.n_traces, 4);
    uint64_t start = 1;
    for (size_t i = 0; i < 4; i++) {
        cs_trace *t = r.traces[i];
        span_is(t, CS_TK_UBSAN, start, ubsan_want[i].end_st);
        start = ubsan_want[i].end_st + 1;
        const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, NULL, 5);
        frame_is(&c->frames[0], ubsan_want[i].fn, "/tmp/crashsift-san/ubsan.c", ubsan_want[i].line);
        frame_is(&c->frames[1], "main", "/tmp/crashsift-san/ubsan.c", ubsan_want[i].caller_line);
        frame_is(&c->frames[4], "_start", NULL, 0);
        assert_string_equal(c->frames[4].module, "/tmp/crashsift-san/ubsan");
    }
    cs_results_dispose(&r);
}

/* ---- look-alikes ------------------------------------------------------ */

static void test_lookalikes(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("prose.log",
                     "checking: no runtime error: found\n"
                     "there was no runtime error: in this run\n"
                     "runtime error: x\n"
                     "docs: `ubsan.c:9:15: runtime error: signed integer overflow`\n"
                     "SUMMARY: 0 failures\n"
                     "SUMMARY: ThreadSanitizer: none\n"
                     "WARNING: ThreadSanitizer:\n"
                     "docs mention ERROR: AddressSanitizer: heap-use-after-free here\n"
                     "ERROR: AddressSanitizer: quoted in a bug template\n"
                     "and then the log just goes on\n"
                     "with lines that are not frames\n"
                     "#1 most wanted\n"
                     "Direct leak of 40 byte(s) in 1 object(s) allocated from:\n"
                     "READ of size 4 at 0x10 thread T0\n"
                     "ok\n",
                     &r);
    assert_int_equal(r.n_traces, 0);
    cs_results_dispose(&r);
}

/* ---- the shared corpus ------------------------------------------------ */

static void corpus(const char *rel, cs_results *r)
{
    const char *p = cs_t_corpus_path(rel);
    assert_non_null(p);
    cs_t_triage(p, r);
}

#define SAD "clusterfuzz/stack_analyzer_data/"

static void test_corpus_tsan(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    corpus(SAD "tsan_data_race.txt", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_TSAN, 12, 224);
    assert_string_equal(t->headline, "ThreadSanitizer: data race ??:0 ??");
    assert_int_equal(t->n_threads, 6);
    const cs_thread *a = thread_is(t, 0, CS_ROLE_ACCESS, "T11", 39);
    assert_string_equal(a->access, "write");
    frame_is(&a->frames[0], "sqlite3StatusSet", "third_party/sqlite/amalgamation/sqlite3.c", 12693);
    frame_is(&a->frames[15], "sql::Connection::Execute(char const*)", "sql/connection.cc", 668);
    frame_is(&a->frames[37], "base::(anonymous namespace)::ThreadFunc(void*)",
             "base/threading/platform_thread_posix.cc", 80);
    frame_is(&a->frames[38], "__tsan_thread_start_func", NULL, 0);
    thread_is(t, 1, CS_ROLE_PREVIOUS, "T22", 36);
    thread_is(t, 2, CS_ROLE_OTHER, "M1608", 28);
    thread_is(t, 3, CS_ROLE_OTHER, "M1643", 26);
    const cs_thread *c = thread_is(t, 4, CS_ROLE_CREATION, "T11", 19);
    assert_string_equal(c->state, "running");
    thread_is(t, 5, CS_ROLE_CREATION, "T22", 48);
    cs_results_dispose(&r);

    corpus(SAD "tsan_use_after_free.txt", &r);
    assert_int_equal(cs_t_count(&r, CS_TK_TSAN), 3);
    t = r.traces[0];
    span_is(t, CS_TK_TSAN, 1, 137);
    a = thread_is(t, 0, CS_ROLE_ACCESS, "main thread", 14);
    assert_string_equal(a->access, "read");
    assert_int_equal(a->size, 1);
    thread_is(t, 1, CS_ROLE_PREVIOUS, "main thread", 20);
    thread_is(t, 2, CS_ROLE_ALLOC, "main thread", 20);
    assert_int_equal(t->n_threads, 7);
    /* The third report is cut by the end of the file. */
    assert_true(r.traces[2]->truncated);
    cs_results_dispose(&r);

    corpus("clusterfuzz/memory_tools/memory_tools_tsan.txt", &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    a = thread_is(t, 0, CS_ROLE_ACCESS, "T13", 25);
    assert_string_equal(a->access, "atomic write");
    frame_is(&a->frames[0], "__tsan_atomic64_store", NULL, 0);
    frame_is(&a->frames[1], "blink::SQLTransactionBackend::getNextStatement()",
             "third_party/WebKit/Source/wtf/Atomics.h", 163);
    thread_is(t, 1, CS_ROLE_PREVIOUS, "main thread", 31);
    cs_results_dispose(&r);
}

static void test_corpus_asan(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    corpus(SAD "asan_uaf.txt", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_ASAN, 1, 267);
    assert_int_equal(t->n_threads, 3);
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, "T0", 56);
    assert_string_equal(c->access, "read");
    assert_int_equal(c->size, 8);
    frame_is(&c->frames[0], "WTF::RawPtr<blink::HTMLInputElement>::operator*() const",
             "third_party/WebKit/Source/wtf/RawPtr.h", 118);
    const cs_thread *f = thread_is(t, 1, CS_ROLE_FREE, "T0", 102);
    frame_is(&f->frames[0], "__interceptor_free", NULL, 0);
    thread_is(t, 2, CS_ROLE_ALLOC, "T0", 68);
    cs_results_dispose(&r);

    corpus(SAD "asan_heap_overflow_read.txt", &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_ASAN);
    c = thread_is(t, 0, CS_ROLE_CRASHED, "T0", 31);
    assert_string_equal(c->access, "read");
    assert_int_equal(c->size, 4);
    thread_is(t, 1, CS_ROLE_ALLOC, "T0", 8);
    cs_results_dispose(&r);

    corpus(SAD "asan_null_dereference_write.txt", &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    span_is(t, CS_TK_ASAN, 2, 41);
    c = thread_is(t, 0, CS_ROLE_CRASHED, "T0", 33);
    assert_string_equal(c->access, "write");
    frame_is(&c->frames[0], "memcpy-ssse3-back.S:1702",
             "/build/eglibc-rrybNj/eglibc-2.15/sysdeps/x86_64/multiarch/memcpy-ssse3-back.S", 1702);
    cs_results_dispose(&r);

    corpus(SAD "asan_stack_overflow.txt", &r);
    assert_int_equal(r.n_traces, 1);
    span_is(r.traces[0], CS_TK_ASAN, 4, 264);
    thread_is(r.traces[0], 0, CS_ROLE_CRASHED, "T0", 256);
    frame_is(&r.traces[0]->threads[0].frames[0], "operator new(unsigned long)", NULL, 0);
    cs_results_dispose(&r);

    /* Unindented frames; the file stops before SUMMARY. */
    corpus(SAD "asan_stack_overflow3.txt", &r);
    assert_int_equal(r.n_traces, 1);
    assert_true(r.traces[0]->truncated);
    thread_is(r.traces[0], 0, CS_ROLE_CRASHED, "T0", 26);
    cs_results_dispose(&r);

    /* Layout-test output that only mentions AddressSanitizer. */
    corpus(SAD "asan_in_drt_string.txt", &r);
    assert_int_equal(r.n_traces, 0);
    cs_results_dispose(&r);
}

static void test_corpus_lsan_msan(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    corpus(SAD "lsan_multiple_leaks.txt", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_LSAN);
    assert_int_equal(t->line_start, 12);
    assert_int_equal(t->n_threads, 32);
    for (size_t i = 0; i < t->n_threads; i++)
        assert_int_equal(t->threads[i].role, CS_ROLE_ALLOC);
    assert_int_equal(t->threads[0].size, 196608);
    frame_is(&t->threads[0].frames[0], "operator new[](unsigned long)", NULL, 0);
    cs_results_dispose(&r);

    /* Two processes, each with its own report, suppression tables inside. */
    corpus(SAD "lsan_direct_leak.txt", &r);
    assert_int_equal(cs_t_count(&r, CS_TK_LSAN), 2);
    span_is(r.traces[0], CS_TK_LSAN, 7, 20);
    span_is(r.traces[1], CS_TK_LSAN, 22, 57);
    assert_string_equal(r.traces[0]->threads[0].label,
                        "Indirect leak of 3079 byte(s) in 252 object(s) allocated from:");
    cs_results_dispose(&r);

    corpus(SAD "msan_uninitialized_value.txt", &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    span_is(t, CS_TK_MSAN, 5, 59);
    assert_string_equal(t->headline, "MemorySanitizer: use-of-uninitialized-value");
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, NULL, 9);
    frame_is(&c->frames[0], "content::BrowserMessageFilter::Send(IPC::Message*)",
             "content/public/browser/browser_message_filter.cc", 144);
    thread_is(t, 1, CS_ROLE_CAUSE, NULL, 19);
    thread_is(t, 2, CS_ROLE_CAUSE, NULL, 18);
    cs_results_dispose(&r);

    corpus(SAD "msan_renderer.txt", &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->kind, CS_TK_MSAN);
    thread_is(r.traces[0], 1, CS_ROLE_FREE, NULL, 20);
    cs_results_dispose(&r);
}

static void test_corpus_ubsan(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    cs_results r;
    corpus(SAD "ubsan_divide_by_zero.txt", &r);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    span_is(t, CS_TK_UBSAN, 6, 23);
    assert_string_equal(t->headline, "runtime error: division by zero");
    const cs_thread *c = thread_is(t, 0, CS_ROLE_CRASHED, NULL, 16);
    frame_is(&c->frames[0], "mpeg_decode_postinit", "/src/ffmpeg/libavcodec/mpeg12dec.c", 1245);
    cs_results_dispose(&r);

    /* A "note:" with a vptr dump between the error and the stack. */
    corpus(SAD "ubsan_bad_cast_member_call.txt", &r);
    assert_int_equal(r.n_traces, 1);
    c = thread_is(r.traces[0], 0, CS_ROLE_CRASHED, NULL, r.traces[0]->threads[0].n_frames);
    assert_true(c->n_frames > 1);
    frame_is(&c->frames[0], "net::QuicSpdyStream::~QuicSpdyStream()",
             "net/quic/quic_spdy_stream.cc", 39);
    cs_results_dispose(&r);

    /* A deadly signal in the ASan layout. */
    corpus(SAD "ubsan_ill.txt", &r);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    span_is(t, CS_TK_UBSAN, 2, 18);
    assert_true(strncmp(t->headline, "UndefinedBehaviorSanitizer: ILL on unknown address", 50) ==
                0);
    thread_is(t, 0, CS_ROLE_CRASHED, "T0", 11);
    cs_results_dispose(&r);

    corpus("clusterfuzz/memory_tools/memory_tools_ubsan.txt", &r);
    assert_int_equal(r.n_traces, 1);
    c = thread_is(r.traces[0], 0, CS_ROLE_CRASHED, NULL, 131);
    frame_is(&c->frames[0], "OT::ContextFormat3::sanitize(OT::hb_sanitize_context_t*) const",
             "third_party/harfbuzz-ng/src/hb-ot-layout-gsubgpos-private.hh", 1496);
    cs_results_dispose(&r);

    /* Every ubsan_* log of the corpus gives exactly one UBSan trace. */
    static const char *const all[] = {"ubsan_assumption_violation.txt",
                                      "ubsan_implicit_conversion.txt",
                                      "ubsan_index_oob.txt",
                                      "ubsan_integer_overflow_addition.txt",
                                      "ubsan_invalid_bool_value.txt",
                                      "ubsan_misaligned_address.txt",
                                      "ubsan_null_pointer_member_access.txt",
                                      "ubsan_null_pointer_member_call.txt",
                                      "ubsan_null_pointer_reference_binding.txt",
                                      "ubsan_null_pointer_write.txt",
                                      "ubsan_pointer_overflow.txt",
                                      "ubsan_pointer_overflow_null_nonzero_offset.txt",
                                      "ubsan_unknown_logs_error.txt",
                                      "ubsan_unsigned_integer_overflow.txt"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, SAD "%s", all[i]);
        corpus(rel, &r);
        assert_int_equal(r.n_traces, 1);
        assert_int_equal(r.traces[0]->kind, CS_TK_UBSAN);
        assert_true(strncmp(r.traces[0]->headline, "runtime error: ", 15) == 0);
        assert_true(r.traces[0]->threads[0].n_frames > 1);
        assert_non_null(r.traces[0]->threads[0].frames[0].function);
        cs_results_dispose(&r);
    }
}

/* compiler-rt's FileCheck lines, made back into report text: {{.*}} and
 * [[@LINE]] get plausible values. Only lines of the given prefixes. */
static char *replace_all(char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    char *p;
    while ((p = strstr(s, from))) {
        size_t off = (size_t)(p - s), len = strlen(s);
        char *n = malloc(len - fl + tl + 1);
        memcpy(n, s, off);
        memcpy(n + off, to, tl);
        memcpy(n + off + tl, p + fl, len - off - fl + 1);
        free(s);
        s = n;
    }
    return s;
}

static char *crt_text(const char *rel, const char *const *prefixes, bool rows)
{
    const char *path = cs_t_corpus_path(rel);
    assert_non_null(path);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char *out = strdup(rows ? "==================\n" : "");
    char line[2048];
    while (fgets(line, sizeof line, fp)) {
        char *colon = strstr(line, ": ");
        if (!colon) continue;
        bool ok = false;
        for (size_t i = 0; prefixes[i]; i++)
            ok |= strlen(prefixes[i]) == (size_t)(colon - line) &&
                  memcmp(line, prefixes[i], (size_t)(colon - line)) == 0;
        if (!ok) continue;
        char *s = strdup(colon + 2);
        s = replace_all(s, "({{.*}}) created", "(tid=43, finished) created");
        s = replace_all(s, "tid={{.*}},", "tid=42,");
        s = replace_all(s, " at {{.*}} by ", " at 0x7b0400000010 by ");
        s = replace_all(s, "Mutex {{.*}} created", "Mutex M7 (0x7b0c00000010) created");
        s = replace_all(s, "({{.*}})", "(a.out+0x10)");
        s = replace_all(s, "{{(:10)?}}", ":10");
        s = replace_all(s, "{{(:20)?}}", ":20");
        s = replace_all(s, "{{(:22)?}}", ":22");
        s = replace_all(s, "{{(:3)?}}", ":3");
        s = replace_all(s, "{{.*}}", " ");
        char *at;
        while ((at = strstr(s, "[[@LINE"))) {
            char *end = strstr(at, "]]");
            assert_non_null(end);
            memmove(at + 1, end + 2, strlen(end + 2) + 1);
            at[0] = '7';
        }
        char *n = NULL;
        assert_true(asprintf(&n, "%s%s", out, s) > 0);
        free(out);
        free(s);
        out = n;
    }
    fclose(fp);
    if (rows) {
        char *n = NULL;
        assert_true(asprintf(&n, "%s==================\n", out) > 0);
        free(out);
        out = n;
    }
    return out;
}

static void test_corpus_compiler_rt(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    static const char *const plain[] = {"CHECK", "CHECK-NEXT", NULL};
    cs_results r;
    char *text = crt_text("compiler-rt/tsan/simple_stack.checks.txt", plain, true);
    cs_t_triage_text("simple_stack.log", text, &r);
    free(text);
    assert_int_equal(r.n_traces, 1);
    cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_TSAN);
    assert_int_equal(t->n_threads, 4);
    const cs_thread *a = thread_is(t, 0, CS_ROLE_ACCESS, "T1", 3);
    assert_string_equal(a->access, "write");
    frame_is(&a->frames[0], "foo1", "simple_stack.c", 6);
    assert_int_equal(a->frames[0].column, 10);
    frame_is(&a->frames[2], "Thread1", "simple_stack.c", 25);
    const cs_thread *p = thread_is(t, 1, CS_ROLE_PREVIOUS, "T2", 3);
    assert_string_equal(p->access, "read");
    frame_is(&p->frames[0], "foo2", "simple_stack.c", 15);
    const cs_thread *c = thread_is(t, 2, CS_ROLE_CREATION, "T1", 3);
    frame_is(&c->frames[0], "pthread_create", NULL, 0);
    frame_is(&c->frames[2], "main", "simple_stack.c", 42);
    thread_is(t, 3, CS_ROLE_CREATION, "T2", 3);
    cs_results_dispose(&r);

    text = crt_text("compiler-rt/tsan/simple_stack2.checks.txt", plain, true);
    cs_t_triage_text("simple_stack2.log", text, &r);
    free(text);
    assert_int_equal(r.n_traces, 1);
    p = thread_is(r.traces[0], 1, CS_ROLE_PREVIOUS, "main thread", 3);
    frame_is(&p->frames[2], "main", "simple_stack2.cpp", 7);
    cs_results_dispose(&r);

    /* destroy of a locked mutex: the first stack follows the WARNING line,
     * the second follows "and:". */
    text = crt_text("compiler-rt/tsan/mutex_destroy_locked.checks.txt", plain, true);
    cs_t_triage_text("mutex.log", text, &r);
    free(text);
    assert_int_equal(r.n_traces, 1);
    t = r.traces[0];
    assert_int_equal(t->n_threads, 3);
    c = thread_is(t, 0, CS_ROLE_CRASHED, NULL, 2);
    frame_is(&c->frames[0], "pthread_mutex_destroy", NULL, 0);
    c = thread_is(t, 1, CS_ROLE_OTHER, NULL, 2);
    frame_is(&c->frames[0], "pthread_mutex_lock", NULL, 0);
    thread_is(t, 2, CS_ROLE_OTHER, "M7", 2);
    cs_results_dispose(&r);

    static const char *const shift[] = {"CHECK-LSH_OVERFLOW", "CHECK-TOO_LOW", "CHECK-TOO_HIGH",
                                        NULL};
    text = crt_text("compiler-rt/ubsan/shift.checks.txt", shift, false);
    cs_t_triage_text("shift.log", text, &r);
    free(text);
    assert_int_equal(r.n_traces, 3);
    for (size_t i = 0; i < 3; i++) {
        t = r.traces[i];
        span_is(t, CS_TK_UBSAN, i + 1, i + 1);
        c = thread_is(t, 0, CS_ROLE_CRASHED, NULL, 1);
        frame_is(&c->frames[0], NULL, "shift.cpp", 7);
        assert_int_equal(c->frames[0].column, 5);
    }
    assert_string_equal(r.traces[0]->headline,
                        "runtime error: left shift of negative value -2147483648");
    cs_results_dispose(&r);
}

/* Reports pasted without their ERROR line open with the access; one pasted
 * as Markdown inline code keeps its backtick glued to the header. */
static void test_asan_pasted(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("headless.log",
                     "READ of size 4 at 0x6120000ce19c thread T0\n"
                     "    #0 0x7f6ac2652903 in Pool::Kill() /src/pool/pool.cxx:597:8\n"
                     "    #1 0x7f6ac2652a10 in main /src/main.cxx:12:3\n"
                     "\n"
                     "0x6120000ce19c is located 92 bytes inside of 264-byte region\n"
                     "freed by thread T0 here:\n"
                     "    #0 0x501778 in operator delete(void*) (/bin/app+0x501778)\n"
                     "    #1 0x7f6ac26525c1 in Pool::~Pool() /src/pool/pool.cxx:396:1\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    const cs_trace *t = r.traces[0];
    assert_int_equal(t->kind, CS_TK_ASAN);
    int c = cs_t_thread(t, CS_ROLE_CRASHED);
    assert_true(c >= 0);
    assert_string_equal(t->threads[c].access, "read");
    assert_int_equal(t->threads[c].n_frames, 2);
    assert_true(cs_t_thread(t, CS_ROLE_FREE) >= 0);
    cs_results_dispose(&r);

    cs_t_triage_text("markdown.log",
                     "`==8424==ERROR: AddressSanitizer: heap-buffer-overflow on address "
                     "0x11e894183be0 at pc 0x7ff7c8233203 bp 0x00450b8ffc30 sp 0x00450b8ffc78\n"
                     "READ of size 8 at 0x11e894183be0 thread T0\n"
                     "    #0 0x7ff7c8233202 in insert+0x222 (C:\\app\\run.exe+0x140003202)\n"
                     "    #1 0x7ff7c8234b0f in main+0x63f (C:\\app\\run.exe+0x140004b0f)\n",
                     &r);
    assert_int_equal(r.n_traces, 1);
    assert_int_equal(r.traces[0]->kind, CS_TK_ASAN);
    assert_int_equal(r.traces[0]->threads[0].n_frames, 2);
    cs_results_dispose(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_parser),    cmocka_unit_test(test_lkl_kasan),
        cmocka_unit_test(test_tsan_counter),    cmocka_unit_test(test_tsan_map),
        cmocka_unit_test(test_tsan_lock_order), cmocka_unit_test(test_tsan_thread_leak),
        cmocka_unit_test(test_tsan_shapes),     cmocka_unit_test(test_asan_uaf),
        cmocka_unit_test(test_asan_uaf_gcc),    cmocka_unit_test(test_asan_overflows),
        cmocka_unit_test(test_lsan_leak),       cmocka_unit_test(test_msan_deadly_signal),
        cmocka_unit_test(test_asan_segv_text),  cmocka_unit_test(test_ubsan),
        cmocka_unit_test(test_lookalikes),      cmocka_unit_test(test_corpus_tsan),
        cmocka_unit_test(test_corpus_asan),     cmocka_unit_test(test_corpus_lsan_msan),
        cmocka_unit_test(test_corpus_ubsan),    cmocka_unit_test(test_corpus_compiler_rt),
        cmocka_unit_test(test_asan_pasted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
