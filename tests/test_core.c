/* test_core.c - core dumps: real cores of the crashers in fixtures/cores/src
 * (made by tests/make_cores.sh with gdb into the build dir, ctest fixture
 * "cores"), the public cores of the shared corpus, and hostile inputs. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "core/core.h"
#include "testutil.h"

#ifndef CS_CORES_DIR
#define CS_CORES_DIR CS_BINARY_DIR "/cores"
#endif

static const char *cores_path(const char *rel)
{
    static char b[8][4096];
    static int k;
    char *p = b[k++ % 8];
    snprintf(p, 4096, "%s/%s", CS_CORES_DIR, rel);
    return p;
}

static unsigned char *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long k = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(k > 0 ? (size_t)k : 1);
    *n = fread(b, 1, (size_t)k, f);
    fclose(f);
    return b;
}

static void need_cores(void)
{
    if (access(cores_path("stamp"), R_OK) != 0) fail_msg("cores missing: run tests/make_cores.sh");
}

/* Unwinds one core file against the given binaries (NULL-terminated). */
static void unwind_file(const char *core, const char *const *bins, bool in_process, cs_results *r)
{
    cs_core_opts o;
    cs_core_opts_default(&o);
    o.in_process = in_process;
    cs_core_index *idx = cs_core_index_new(&o);
    for (size_t i = 0; bins && bins[i]; i++)
        assert_int_equal(cs_core_index_add_file(idx, bins[i], bins[i], NULL), 0);
    size_t n;
    unsigned char *b = load(core, &n);
    assert_non_null(b);
    cs_results_init(r);
    cs_core_unwind(idx, core, b, n, &o, r);
    free(b);
    cs_core_index_free(idx);
}

static cs_trace *only_trace(const cs_results *r)
{
    assert_int_equal(r->n_traces, 1);
    cs_trace *t = r->traces[0];
    assert_int_equal(t->kind, CS_TK_CORE);
    assert_int_equal(t->line_start, 0);
    assert_true(t->n_threads >= 1);
    assert_int_equal(t->threads[0].role, CS_ROLE_CRASHED);
    assert_int_equal(t->crash_thread, 0);
    for (size_t i = 1; i < t->n_threads; i++)
        assert_int_equal(t->threads[i].role, CS_ROLE_OTHER);
    return t;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = s ? strlen(s) : 0, b = strlen(suf);
    return s && a >= b && !strcmp(s + a - b, suf);
}

static void assert_frame(const cs_frame *f, const char *fn, const char *file, int line)
{
    if (!f->function || strcmp(f->function, fn))
        fail_msg("frame: want %s, got %s", fn, f->function ? f->function : "(null)");
    if (file && !ends_with(f->file, file))
        fail_msg("%s: want file %s, got %s", fn, file, f->file ? f->file : "(null)");
    if (line && f->line != line) fail_msg("%s: want line %d, got %d", fn, line, f->line);
    assert_true(f->has_pc && f->has_offset);
    assert_non_null(f->module);
    assert_non_null(f->build_id);
}

/* Index of the first frame whose function contains `s`, or -1. */
static int find_fn(const cs_thread *th, const char *s)
{
    for (size_t i = 0; i < th->n_frames; i++)
        if (th->frames[i].function && strstr(th->frames[i].function, s)) return (int)i;
    return -1;
}

static bool has_diag(const cs_results *r, const char *s)
{
    for (size_t i = 0; i < r->n_diags; i++)
        if (strstr(r->diags[i].message, s)) return true;
    return false;
}

/* ---- the crashers ------------------------------------------------------ */

static void check_segv(const char *core, const char *bin, const char *path, int path_line,
                       bool in_process)
{
    need_cores();
    const char *bins[] = {cores_path(bin), NULL};
    cs_results r;
    unwind_file(cores_path(core), bins, in_process, &r);
    cs_trace *t = only_trace(&r);
    assert_int_equal(t->n_threads, 1);
    assert_true(strncmp(t->headline, "SIGSEGV (segmentation fault) at 0x0 in ", 39) == 0);
    cs_thread *th = &t->threads[0];
    assert_true(th->id > 0);
    assert_true(th->n_frames >= 4);
    assert_frame(&th->frames[0], "store_value", "segv.c", 9);
    assert_false(th->frames[0].pc_is_return); /* the faulting pc is exact */
    assert_frame(&th->frames[1], path, "segv.c", path_line);
    assert_true(th->frames[1].pc_is_return);
    assert_frame(&th->frames[2], "main", "segv.c", 0);
    /* through libc to the entry point */
    assert_true(find_fn(th, "__libc_start") > 2);
    assert_true(ends_with(th->frames[th->n_frames - 1].function, "_start"));
    assert_int_equal(r.n_diags, 0);
    cs_results_dispose(&r);
}

static void test_segv_O0_a(void **s)
{
    (void)s;
    check_segv("cores/segv_O0_a.core", "bin/segv_O0", "path_a", 14, false);
}
static void test_segv_O0_b(void **s)
{
    (void)s;
    check_segv("cores/segv_O0_b.core", "bin/segv_O0", "path_b", 20, false);
}
static void test_segv_in_process(void **s)
{
    (void)s;
    check_segv("cores/segv_O0_a.core", "bin/segv_O0", "path_a", 14, true);
}
static void test_segv_nofp(void **s)
{
    (void)s;
    check_segv("cores/segv_O0_nofp.core", "bin/segv_O0_nofp", "path_a", 14, false);
}
static void test_segv_O2(void **s)
{
    (void)s;
    check_segv("cores/segv_O2.core", "bin/segv_O2", "path_a", 14, false);
}
static void test_segv_nopie(void **s)
{
    (void)s;
    check_segv("cores/segv_nopie.core", "bin/segv_nopie", "path_b", 20, false);
}

static void test_abort(void **state)
{
    (void)state;
    need_cores();
    const char *bins[] = {cores_path("bin/abort_O0"), NULL};
    cs_results r;
    unwind_file(cores_path("cores/abort.core"), bins, false, &r);
    cs_trace *t = only_trace(&r);
    assert_true(strncmp(t->headline, "SIGABRT (aborted) in ", 21) == 0);
    cs_thread *th = &t->threads[0];
    int k = find_fn(th, "check_invariant");
    assert_true(k > 0);
    assert_frame(&th->frames[k], "check_invariant", "abort.c", 7);
    assert_true(find_fn(th, "abort") >= 0 && find_fn(th, "abort") < k);
    assert_frame(&th->frames[k + 1], "main", "abort.c", 14);
    cs_results_dispose(&r);
}

static void test_overflow(void **state)
{
    (void)state;
    need_cores();
    const char *bins[] = {cores_path("bin/overflow_O0"), NULL};
    cs_results r;
    unwind_file(cores_path("cores/overflow.core"), bins, false, &r);
    cs_trace *t = only_trace(&r);
    assert_true(strncmp(t->headline, "SIGSEGV", 7) == 0);
    cs_thread *th = &t->threads[0];
    assert_int_equal(th->n_frames, CS_MAX_FRAMES); /* capped, and said so */
    assert_true(t->truncated);
    assert_frame(&th->frames[0], "recurse", "overflow.c", 0);
    assert_frame(&th->frames[1], "recurse", "overflow.c", 8);
    assert_frame(&th->frames[CS_MAX_FRAMES - 1], "recurse", "overflow.c", 8);
    cs_results_dispose(&r);
}

static void test_inline(void **state)
{
    (void)state;
    need_cores();
    const char *bins[] = {cores_path("bin/inline_O2"), NULL};
    cs_results r;
    unwind_file(cores_path("cores/inline_O2.core"), bins, false, &r);
    cs_thread *th = &only_trace(&r)->threads[0];
    assert_frame(&th->frames[0], "inner", "inline.c", 9);
    assert_frame(&th->frames[1], "middle", "inline.c", 14);
    assert_frame(&th->frames[2], "outer", "inline.c", 19);
    assert_true(th->frames[0].inlined && th->frames[1].inlined);
    assert_false(th->frames[2].inlined);
    assert_true(th->frames[0].pc == th->frames[2].pc);
    assert_frame(&th->frames[3], "main", "inline.c", 25);
    cs_results_dispose(&r);
}

static void check_mt(const char *core, const char *bin)
{
    need_cores();
    const char *bins[] = {cores_path(bin), NULL};
    cs_results r;
    unwind_file(cores_path(core), bins, false, &r);
    cs_trace *t = only_trace(&r);
    assert_int_equal(t->n_threads, 5); /* main, 3 waiters, the worker */
    assert_true(strncmp(t->headline, "SIGSEGV (segmentation fault) at 0x", 34) == 0);
    cs_thread *th = &t->threads[0];
    /* The crash is inside std::unordered_map, called from lookup(). */
    assert_non_null(th->frames[0].function);
    assert_true(strstr(th->frames[0].function, "std::") != NULL);
    int k = find_fn(th, "lookup(");
    assert_true(k >= 1);
    assert_true(ends_with(th->frames[k].file, "mt.cpp"));
    assert_int_equal(th->frames[k].line, 22);
    assert_true(find_fn(th, "worker") > k);
    assert_true(find_fn(th, "start_thread") > k);
    size_t waiting = 0;
    for (size_t i = 1; i < t->n_threads; i++)
        if (find_fn(&t->threads[i], "waiter") >= 0) waiting++;
    assert_int_equal(waiting, 3);
    cs_results_dispose(&r);
}

static void test_mt_O2(void **s)
{
    (void)s;
    check_mt("cores/mt_O2.core", "bin/mt_O2");
}
static void test_mt_O0(void **s)
{
    (void)s;
    check_mt("cores/mt_O0.core", "bin/mt_O0");
}

static void test_stripped(void **state)
{
    (void)state;
    need_cores();
    const char *bins[] = {cores_path("bin/stripped"), NULL};
    cs_results r;
    unwind_file(cores_path("cores/stripped.core"), bins, false, &r);
    cs_thread *th = &only_trace(&r)->threads[0];
    /* No symbols: module + offset + build-id, still through libc. */
    assert_null(th->frames[0].function);
    assert_null(th->frames[0].file);
    assert_true(th->frames[0].has_offset);
    assert_non_null(th->frames[0].module);
    assert_int_equal(strlen(th->frames[0].build_id), 40);
    assert_true(find_fn(th, "__libc_start") > 0);
    cs_results_dispose(&r);
}

static void test_split_debug(void **state)
{
    (void)state;
    need_cores();
    const char *bins[] = {cores_path("bin/split"), cores_path("bin/split.debug"), NULL};
    cs_results r;
    unwind_file(cores_path("cores/split.core"), bins, false, &r);
    cs_thread *th = &only_trace(&r)->threads[0];
    assert_frame(&th->frames[0], "store_value", "segv.c", 9);
    assert_frame(&th->frames[1], "path_a", "segv.c", 14);
    cs_results_dispose(&r);
    /* From memory (as from a zip): the .debug file is handed to libdwfl
     * through a memfd; without it the same core has no names (on disk,
     * libdwfl would find split.debug beside split by its debuglink). */
    for (int with_debug = 1; with_debug >= 0; with_debug--) {
        cs_core_opts o;
        cs_core_opts_default(&o);
        cs_core_index *idx = cs_core_index_new(&o);
        size_t n;
        unsigned char *b = load(cores_path("bin/split"), &n);
        assert_int_equal(cs_core_index_add(idx, "a.zip!split", b, n, NULL), 0);
        if (with_debug) {
            b = load(cores_path("bin/split.debug"), &n);
            assert_int_equal(cs_core_index_add(idx, "b.zip!split.debug", b, n, NULL), 0);
        }
        b = load(cores_path("cores/split.core"), &n);
        cs_results_init(&r);
        cs_core_unwind(idx, "split.core", b, n, &o, &r);
        free(b);
        cs_thread *t2 = &only_trace(&r)->threads[0];
        if (with_debug)
            assert_frame(&t2->frames[0], "store_value", "segv.c", 9);
        else
            assert_null(t2->frames[0].function);
        cs_results_dispose(&r);
        cs_core_index_free(idx);
    }
}

static void test_missing_binary(void **state)
{
    (void)state;
    need_cores();
    cs_results r;
    unwind_file(cores_path("missing/gone.core"), NULL, false, &r);
    cs_trace *t = only_trace(&r);
    cs_thread *th = &t->threads[0];
    assert_true(th->n_frames >= 4);
    assert_null(th->frames[0].function);
    assert_true(th->frames[0].has_offset);
    assert_true(ends_with(th->frames[0].module, "/gone"));
    assert_int_equal(r.n_diags, 1);
    assert_true(has_diag(&r, "1 module not found"));
    assert_true(has_diag(&r, th->frames[0].build_id));
    cs_results_dispose(&r);
}

/* Deferred cores through the queue, two of one binary: both right, the
 * second from the cache. Also prints what 1 vs 10 cores cost. */
static void test_deferred_and_cache(void **state)
{
    (void)state;
    need_cores();
    const char *names[] = {"cores/segv_O0_a.core", "cores/segv_O0_b.core"};
    for (int round = 0; round < 2; round++) {
        int ncores = round ? 10 : 1;
        cs_core_opts o;
        cs_core_opts_default(&o);
        cs_core_index *idx = cs_core_index_new(&o);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < ncores; i++) {
            size_t n;
            unsigned char *b = load(cores_path(names[i % 2]), &n);
            cs_core_pending *p = cs_core_defer_begin(idx, names[i % 2]);
            for (size_t off = 0; off < n; off += 4096)
                assert_int_equal(cs_core_defer_write(p, b + off, n - off < 4096 ? n - off : 4096),
                                 0);
            cs_core_defer_end(p, true, NULL);
            free(b);
        }
        /* The binary comes after its cores, as in a walk. */
        size_t bn;
        unsigned char *bb = load(cores_path("bin/segv_O0"), &bn);
        assert_int_equal(cs_core_index_add(idx, "bundle.zip!segv_O0", bb, bn, NULL), 0);
        assert_int_equal(cs_core_deferred_count(idx), (size_t)ncores);
        cs_results r;
        cs_results_init(&r);
        cs_core_unwind_deferred(idx, &o, &r);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_int_equal(r.n_traces, (size_t)ncores);
        for (int i = 0; i < ncores; i++) {
            cs_thread *th = &r.traces[i]->threads[0];
            assert_frame(&th->frames[0], "store_value", "segv.c", 9);
            assert_frame(&th->frames[1], i % 2 ? "path_b" : "path_a", "segv.c", 0);
        }
        assert_int_equal(cs_core_deferred_count(idx), 0);
        double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        print_message("%d core(s) of one binary: %.1f ms total, %.1f ms per core\n", ncores, ms,
                      ms / ncores);
        cs_results_dispose(&r);
        cs_core_index_free(idx);
    }
}

/* Through the pipeline: a folder holding a core and its binary. */
static void test_pipeline(void **state)
{
    (void)state;
    need_cores();
    char tmpl[] = "/tmp/cs-core-test-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' '%s/'", cores_path("cores/segv_O2.core"),
             cores_path("bin/segv_O2"), dir);
    assert_int_equal(system(cmd), 0);
    cs_run_opts o;
    cs_run_opts_default(&o);
    cs_results r;
    cs_results_init(&r);
    const char *paths[] = {dir};
    cs_pipeline_extract(&o, paths, 1, &r);
    cs_trace *t = cs_t_find(&r, CS_TK_CORE, NULL);
    assert_non_null(t);
    assert_true(ends_with(t->source, "segv_O2.core"));
    assert_frame(&t->threads[0].frames[0], "store_value", "segv.c", 9);
    cs_results_dispose(&r);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- the shared corpus ------------------------------------------------- */

/* Decompresses a corpus .bz2 into dir/name. */
static void bunzip(const char *rel, const char *dir, const char *name)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "bzip2 -dc '%s' > '%s/%s'", cs_t_corpus_path(rel), dir, name);
    assert_int_equal(system(cmd), 0);
}

static void check_elfutils_backtrace(const char *arch, long long tid)
{
    CS_T_NEED_CORPUS();
    char tmpl[] = "/tmp/cs-core-test-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char rel[256], core[4200], exe[4200];
    snprintf(rel, sizeof rel, "elfutils/backtrace/backtrace.%s.core.bz2", arch);
    bunzip(rel, dir, "core");
    snprintf(rel, sizeof rel, "elfutils/backtrace/backtrace.%s.exec.bz2", arch);
    bunzip(rel, dir, "exec");
    snprintf(core, sizeof core, "%s/core", dir);
    snprintf(exe, sizeof exe, "%s/exec", dir);
    const char *bins[] = {exe, NULL};
    cs_results r;
    unwind_file(core, bins, false, &r);
    cs_trace *t = only_trace(&r);
    /* elfutils' rule (expected/INDEX.tsv): a thread reaches main, a
     * backtracegen frame is there, and no frame is the alias gsignal. */
    assert_int_equal(t->n_threads, 2);
    bool main_seen = false, gen_seen = false;
    for (size_t i = 0; i < t->n_threads; i++) {
        main_seen |= find_fn(&t->threads[i], "main") >= 0;
        gen_seen |= find_fn(&t->threads[i], "backtracegen") >= 0;
        assert_int_equal(find_fn(&t->threads[i], "gsignal"), -1);
    }
    assert_true(main_seen && gen_seen);
    /* eu-stack: raise -> sigusr2 -> stdarg -> backtracegen -> start ... */
    cs_thread *th = &t->threads[0];
    if (tid) assert_int_equal(th->id, tid);
    assert_frame(&th->frames[0], "raise", NULL, 0);
    assert_frame(&th->frames[1], "sigusr2", NULL, 0);
    assert_frame(&th->frames[3], "backtracegen", NULL, 0);
    assert_true(find_fn(th, "start_thread") > 3);
    assert_int_equal(find_fn(&t->threads[1], "pthread_join"), 0);
    cs_results_dispose(&r);
    snprintf(core, sizeof core, "rm -rf '%s'", dir);
    assert_int_equal(system(core), 0);
}

static void test_elfutils_x86_64(void **s)
{
    (void)s;
    check_elfutils_backtrace("x86_64", 23097);
}
static void test_elfutils_x86_64_fp(void **s)
{
    (void)s;
    check_elfutils_backtrace("x86_64.fp", 0);
}

static void test_lldb_x86_64(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    /* EXPECTATIONS.tsv: pid 32259, 1 thread, frames bar, foo, _start. */
    const char *bins[] = {cs_t_corpus_path("lldb/elf-core/linux-x86_64.out"), NULL};
    cs_results r;
    unwind_file(cs_t_corpus_path("lldb/elf-core/linux-x86_64.core"), bins, false, &r);
    cs_trace *t = only_trace(&r);
    assert_int_equal(t->n_threads, 1);
    assert_int_equal(t->threads[0].id, 32259);
    assert_string_equal(t->headline, "SIGSEGV (segmentation fault) at 0x0 in ./a.out");
    cs_thread *th = &t->threads[0];
    assert_frame(&th->frames[0], "bar", "main.c", 4);
    assert_frame(&th->frames[1], "foo", "main.c", 10);
    assert_frame(&th->frames[2], "_start", "main.c", 16);
    cs_results_dispose(&r);
}

static void test_lldb_thread_crash(void **state)
{
    (void)state;
    CS_T_NEED_CORPUS();
    /* 3 threads, tid 5250 crashed with SIGILL, the others carry no signal;
     * no binaries: addresses only. */
    cs_results r;
    unwind_file(cs_t_corpus_path("lldb/elf-core/thread_crash/linux-x86_64.core"), NULL, true, &r);
    cs_trace *t = only_trace(&r);
    assert_int_equal(t->n_threads, 3);
    assert_int_equal(t->threads[0].id, 5250);
    assert_true(strncmp(t->headline, "SIGILL (illegal instruction)", 28) == 0);
    assert_true(t->threads[0].n_frames >= 1 && t->threads[0].frames[0].has_pc);
    cs_results_dispose(&r);
}

/* ---- hostile input ----------------------------------------------------- */

static void unwind_bytes(const unsigned char *b, size_t n, bool in_process, cs_results *r)
{
    cs_core_opts o;
    cs_core_opts_default(&o);
    o.in_process = in_process;
    cs_core_index *idx = cs_core_index_new(&o);
    cs_results_init(r);
    cs_core_unwind(idx, "hostile.core", b, n, &o, r);
    cs_core_index_free(idx);
    /* Never nothing: a trace, or a diagnostic saying why not. */
    assert_true(r->n_traces + r->n_diags >= 1);
}

static void test_truncated(void **state)
{
    (void)state;
    need_cores();
    size_t n;
    unsigned char *b = load(cores_path("cores/segv_O0_a.core"), &n);
    size_t cuts[] = {0, 16, 63, 64, 200, 1000, 4096, 12000, 65536, n / 2, n - 1};
    for (size_t i = 0; i < CS_ARRAY_LEN(cuts); i++)
        for (int mode = 0; mode < 2; mode++) {
            cs_results r;
            unwind_bytes(b, cuts[i], mode, &r);
            if (cuts[i] >= 65536 && cuts[i] <= n / 2) assert_true(has_diag(&r, "truncated"));
            cs_results_dispose(&r);
        }
    free(b);
}

static void test_garbage_notes(void **state)
{
    (void)state;
    need_cores();
    size_t n;
    unsigned char *b = load(cores_path("cores/segv_O0_a.core"), &n);
    unsigned char *c = malloc(n);
    /* The note segment follows the program headers: scribble over it with
     * huge sizes and random bytes, several seeds, both modes. */
    srand(1234);
    for (int round = 0; round < 12; round++) {
        memcpy(c, b, n);
        uint64_t phoff;
        uint16_t phnum;
        memcpy(&phoff, c + 32, 8);
        memcpy(&phnum, c + 56, 2);
        size_t notes = (size_t)phoff + (size_t)phnum * 56;
        for (size_t k = 0; k < 4096 && notes + k < n; k++)
            if (rand() % 8 == 0) c[notes + k] = (unsigned char)rand();
        if (round % 3 == 0) /* a note whose sizes lie */
            memset(c + notes + 4, 0xff, 4);
        cs_results r;
        unwind_bytes(c, n, round % 2, &r);
        cs_results_dispose(&r);
    }
    free(c);
    free(b);
}

static void test_not_a_core(void **state)
{
    (void)state;
    need_cores();
    size_t n;
    unsigned char *b = load(cores_path("bin/segv_O0"), &n);
    cs_results r;
    unwind_bytes(b, n, false, &r);
    assert_int_equal(r.n_traces, 0);
    assert_true(has_diag(&r, "not a core dump"));
    cs_results_dispose(&r);
    unwind_bytes((const unsigned char *)"hello, world", 12, true, &r);
    assert_int_equal(r.n_traces, 0);
    assert_true(has_diag(&r, "not a readable ELF"));
    cs_results_dispose(&r);
    free(b);
}

static void test_timeout(void **state)
{
    (void)state;
    need_cores();
    size_t n;
    unsigned char *b = load(cores_path("cores/overflow.core"), &n);
    cs_core_opts o;
    cs_core_opts_default(&o);
    o.timeout_ms = 1;
    cs_core_index *idx = cs_core_index_new(&o);
    cs_results r;
    cs_results_init(&r);
    /* The child spins instead of unwinding: however loaded the machine,
     * the limit is reached (a real 1 ms unwind could finish first). */
    setenv("CRASHSIFT_TEST_SLOW_UNWIND", "1", 1);
    int rc = cs_core_unwind(idx, "slow.core", b, n, &o, &r);
    unsetenv("CRASHSIFT_TEST_SLOW_UNWIND");
    assert_int_not_equal(rc, 0);
    assert_true(has_diag(&r, "took longer than 1 ms"));
    cs_results_dispose(&r);
    cs_core_index_free(idx);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segv_O0_a),
        cmocka_unit_test(test_segv_O0_b),
        cmocka_unit_test(test_segv_in_process),
        cmocka_unit_test(test_segv_nofp),
        cmocka_unit_test(test_segv_O2),
        cmocka_unit_test(test_segv_nopie),
        cmocka_unit_test(test_abort),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_inline),
        cmocka_unit_test(test_mt_O2),
        cmocka_unit_test(test_mt_O0),
        cmocka_unit_test(test_stripped),
        cmocka_unit_test(test_split_debug),
        cmocka_unit_test(test_missing_binary),
        cmocka_unit_test(test_deferred_and_cache),
        cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_elfutils_x86_64),
        cmocka_unit_test(test_elfutils_x86_64_fp),
        cmocka_unit_test(test_lldb_x86_64),
        cmocka_unit_test(test_lldb_thread_crash),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_garbage_notes),
        cmocka_unit_test(test_not_a_core),
        cmocka_unit_test(test_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
