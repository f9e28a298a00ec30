/* Identical stacks stored once (cs_share_threads): a repeated trace
 * borrows the first one's threads, a trace differing in any frame field
 * keeps its own, and the reports cannot tell (signatures equal, frames
 * normalized once). */
#include <stddef.h>

#include "testutil.h"

#define PANIC(line)                                                                                \
    "panic: runtime error: index out of range [3] with length 3\n"                                 \
    "\n"                                                                                           \
    "goroutine 1 [running]:\n"                                                                     \
    "main.pick(...)\n"                                                                             \
    "\t/src/app/main.go:" line "\n"                                                                \
    "main.main()\n"                                                                                \
    "\t/src/app/main.go:20 +0x1d\n"                                                                \
    "exit status 2\n"

static const char *const text = PANIC("9") "some output\n" PANIC("9") PANIC("10") PANIC("9");

static void test_repeated_traces_share(void **state)
{
    (void)state;
    cs_results r;
    cs_t_triage_text("loop.log", text, &r);
    assert_int_equal(r.n_traces, 4);
    const cs_trace *const *t = (const cs_trace *const *)r.traces;
    assert_null(t[0]->same_as);
    assert_ptr_equal(t[1]->same_as, t[0]);
    assert_ptr_equal(t[1]->threads, t[0]->threads);
    /* One line differs: its own stack. */
    assert_null(t[2]->same_as);
    assert_ptr_not_equal(t[2]->threads, t[0]->threads);
    assert_ptr_equal(t[3]->same_as, t[0]);
    /* Each keeps its own place. */
    assert_true(t[1]->line_start > t[0]->line_start);
    assert_true(t[3]->line_start > t[2]->line_start);
    cs_results_dispose(&r);
}

static void test_shared_traces_normalize_alike(void **state)
{
    (void)state;
    cs_triage tr;
    cs_t_triage_text_full("loop.log", text, &tr);
    assert_int_equal(tr.res.n_traces, 4);
    cs_trace **t = tr.res.traces;
    assert_string_equal(t[1]->signature, t[0]->signature);
    assert_string_equal(t[3]->signature, t[0]->signature);
    assert_int_equal(t[1]->crash_thread, t[0]->crash_thread);
    assert_non_null(t[1]->threads[0].frames[0].norm_function);
    assert_string_equal(t[1]->threads[0].frames[0].norm_function, "main.pick");
    /* Line drift: same signature, separate stack. */
    assert_string_equal(t[2]->signature, t[0]->signature);
    assert_null(t[2]->same_as);
    cs_triage_dispose(&tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeated_traces_share),
        cmocka_unit_test(test_shared_traces_normalize_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
