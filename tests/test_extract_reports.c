/* Report families read from the shared corpus (tested there, never copied):
 * Linux kernel reports (syzkaller's suite). Frames and lines were read off
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
    assert_string_equal(frame(t, 0, 0)->function, "refcount_sub_and_test");
    assert_string_equal(frame(t, 0, 1)->function, "dump_stack");
    assert_int_equal(frame(t, 0, 1)->offset, 0x194);
    assert_string_equal(frame(t, 0, 10)->function, "sctp_wfree");
    assert_string_equal(frame(t, 0, 11)->function, "skb_release_head_state");
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

int main(void)
{
    if (chdir(CS_SOURCE_DIR) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_warning),
        cmocka_unit_test(test_kernel_blamed_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
