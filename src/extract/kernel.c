/* kernel.c - Linux kernel reports on a console or in dmesg: oops, BUG,
 * WARNING, KASAN/KMSAN/KCSAN/KFENCE/UBSAN, lockdep, hung tasks, RCU stalls,
 * soft lockups, panics.
 *
 * Grammar (lib/dump_stack.c, kernel/panic.c __warn, arch/x86/kernel/dumpstack.c,
 * mm/kasan/report.c, kernel/kcsan/report.c, kernel/locking/lockdep.c,
 * kernel/hung_task.c, kernel/rcu/tree_stall.h):
 *   BUG: KASAN: use-after-free in foo+0x1a/0x40 [mod]      header; may name a function
 *   WARNING: CPU: 0 PID: 1 at net/x.c:12 foo+0x1a/0x40
 *   RIP: 0010:foo+0x1a/0x40                                 where it stopped
 *   Call Trace: / Call trace: / Backtrace:                  then frames:
 *    foo+0x1a/0x40 [module]      ? unreliable+0x1/0x2      [<ffffffff8123>] foo+0x1/0x2
 *    foo lib/x.c:17 [inline]     foo+0x1/0x2 lib/x.c:53    (arm) [<c01>] (foo) from [<c02>]
 * (bar+0x1/0x2) <IRQ> ... </IRQ> <TASK> ... </TASK> Allocated by task N: / Freed by task N: KASAN's
 * other stacks write to 0x... of 8 bytes by task N on cpu 0:           KCSAN's two accesses
 *   ---[ end trace ... ]---                                 the end
 * The dmesg timestamp ("[  72.1]", "[  72.1][ T123]") is a per-line prefix
 * and is gone before this dialect sees the lines. Consoles interleave other
 * output into a report, so lines that are not the report's own are skipped,
 * not taken as its end; a frame section ends at a line that is not a frame.
 *
 * The crashed thread's frames are, in order: the function the header names,
 * the RIP/PC function, then the first call trace (syzkaller's guilty-frame
 * order). In stall and lockup reports the frames of the interrupt that
 * printed the report (<IRQ> .. </IRQ>) are not the stuck code: they go to a
 * thread of their own. Unreliable ("? ") frames are kept out when a reliable
 * frame exists in the section. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "extract.h"
#include "sanframe.h"

/* A report longer than this is cut (consoles can run on for ever). */
#define MAX_REPORT_LINES 2000
/* How far into a line a dmesg timestamp is looked for after console junk. */
#define MAX_JUNK 120
/* Lines of something else that may sit between two frames of a section. */
#define MAX_GAP_LINES 40

static cs_regex *re_midts, *re_start, *re_hdr_func, *re_warn_at, *re_rip, *re_frame, *re_frame_arm,
    *re_kcsan_access, *re_end, *re_lock_at, *re_stall, *re_hang, *re_stall_anchor, *re_hang_anchor,
    *re_hang_skip, *re_arm_caller, *re_arm_tail, *re_timer_entry;

/* Per report type: the header that names the type, and the frames that are
 * that type's own machinery (what its report is about, not where it went
 * wrong): a WARNING from lib/refcount.c is raised from refcount helpers, a
 * memory leak's backtrace starts in the allocator, a hang sleeps in the
 * scheduler. They are set aside before the rules see the crashed thread.
 * (The same reading syzkaller's pkg/report/linux.go does per oops format;
 * the patterns here are our own.) Matched anywhere in a function's name. */
#define N_TYPES 19
static cs_regex *re_type_hdr[N_TYPES], *re_type_skip[N_TYPES];

static const cs_xpattern patterns[] = {
    /* "[  16.305150] " or "[  16.3][ T5348] " inside a line */
    {&re_midts, "^\\[\\s*\\d+\\.\\d{3,}\\](?:\\[\\s*[TC]\\d+\\])?\\s*"},
    {&re_start,
     /* old lockdep banners: "[ BUG: bad unlock balance detected! ]" */
     "^(?:\\[ (?:BUG|INFO|WARNING): [A-Za-z]|BUG: (?!KCSAN: |KASAN: |KMSAN: |KFENCE: "
     ")[A-Za-z]|BUG: (?:KASAN|KCSAN|KMSAN|KFENCE): |"
     "WARNING: (?!DATA RACE|ThreadSanitizer)(?:CPU: \\d|[a-z]|possible |suspicious |inconsistent |"
     "[A-Z]+-safe -> )|"
     "general protection fault|kernel BUG at |Unable to handle kernel |"
     "Internal error: |INFO: task \\S+ blocked |"
     "INFO: rcu_\\w+ (?:self-)?detected stall|rcu: INFO: rcu_\\w+ (?:self-)?detected stall|"
     "INFO: rcu_\\w+ detected stalls|INFO: trying to register non-static key|"
     "INFO: possible (?:recursive|circular|irq lock inversion)|"
     "Kernel panic - not syncing: |divide(?: |_)error: |invalid opcode: |stack segment: |"
     "PANIC: double fault|UBSAN: |KASAN: |KMSAN: |KFENCE: |"
     "unreferenced object 0x|watchdog: BUG: soft lockup|NMI watchdog: |"
     "Oops: |Oops - |kernel panic: )"},
    /* "... in foo+0x1a/0x40", KCSAN "in foo / bar" (not prose: "in
     * preemptible code") */
    {&re_hdr_func, " in ([A-Za-z_][\\w.]*)(?:\\+0x[0-9a-f]+/0x[0-9a-f]+| / )|"
                   /* stack-protector: "Kernel stack is corrupted in: foo+0x1a/0x40" */
                   "stack is corrupted in: ([A-Za-z_][\\w.]*)\\+"},
    {&re_warn_at, "^WARNING: .* at \\S+ ([A-Za-z_][\\w.]*)\\+0x[0-9a-f]+/0x[0-9a-f]+"},
    {&re_rip, "^(?:RIP: (?:[0-9a-f]{4}:)?(?:\\[<[0-9a-f]+>\\]\\s+\\[<[0-9a-f]+>\\] )?|"
              "PC is at |pc : |NIP \\[[0-9a-f]+\\] |IP: (?:\\[<[0-9a-f]+>\\] )?)"
              "([A-Za-z_][\\w.]*)\\+0x([0-9a-f]+)/0x[0-9a-f]+"},
    /* LKL (the kernel as a library, under libFuzzer) numbers its frames:
     * "#8 [<0x00000000008013f1>] hid_generic_probe+0xa1/0xd0". */
    {&re_frame,
     "^\\s*(?:#\\d+ )?(\\? )?(?:(?:\\[<?(?:0x)?[0-9a-f]+>?\\] )+)?(\\? )?([A-Za-z_][\\w.$]*)"
     "(?:\\+0x([0-9a-f]+)/0x[0-9a-f]+)?(?: \\[([\\w-]+)\\])?"
     "(?: ((?:[\\w.-]+/)*[\\w.-]+\\.[chSsy]):(\\d+)(?::\\d+)?)?"
     "(?: \\[inline\\]| \\([A-Za-z]+\\)| \\(unreliable\\))?\\s*$"},
    /* ARM: "[<c01>] (foo) from [<c02>] (bar+0x1/0x2)"; the leading "[<c01>] "
     * may have gone with the learned dmesg prefix of its neighbours. */
    {&re_frame_arm,
     "^\\s*(?:\\[<[0-9a-f]+>\\] )?\\(([A-Za-z_][\\w.$]*)(?:\\+0x([0-9a-f]+)/0x[0-9a-f]+)?"
     "(?: \\[([\\w-]+)\\])?\\) from "},
    /* The caller an ARM line names, and a line cut down to it: the learned
     * prefix of a run of "[<c01>] (foo) from [<c02>] " lines can take all
     * but "(bar+0x1/0x2)". Each line's caller is the next line's frame, so
     * the first cut line adds the caller kept from the last whole one. */
    {&re_arm_caller,
     " from (?:\\[<[0-9a-f]+>\\] )?\\(([A-Za-z_][\\w.$]*)(?:\\+0x([0-9a-f]+)/0x[0-9a-f]+)?"},
    {&re_arm_tail,
     "^\\(([A-Za-z_][\\w.$]*)(?:\\+0x([0-9a-f]+)/0x[0-9a-f]+)?(?: \\[([\\w-]+)\\])?\\)$"},
    {&re_kcsan_access,
     "^(?:read|write|read-write)(?: \\(marked\\))? to 0x[0-9a-f]+ of \\d+ bytes by "},
    {&re_end, "^(?:---\\[ end (?:trace|Kernel panic)|Kernel Offset: |Rebooting in |"
              "={40,}\\s*$)"},
    /* lockdep: " (&mm->mmap_sem){++++}, at: [<ffff>] func+0x1/0x2" */
    {&re_lock_at, "^(?:\\S.*)?\\}, at: (.*)$"},
    /* Reports of code that does not make progress: the stuck code is the
     * interrupted context, named by where it entered (below). */
    {&re_stall, "detected stall|detected expedited stall|soft lockup|stack guard page was hit|"
                /* a stack overrun is found wherever the deep recursion is */
                "^Kernel panic - not syncing: (?:corrupted stack end|kernel stack overflow)|"
                "self-detected stall|detected stalls"},
    {&re_hang, "^INFO: task .* (?:blocked (?:in I/O wait )?for more than|can't die for more than)"},
    /* Where stuck code was entered from: syscall entry, the dispatchers of
     * work items, softirqs, timers, tasklets and kthreads, the file, socket
     * and netlink operations that fan out to one implementation, page
     * faults, task work. The frame above the first of them names a stall
     * (the caller, not the loop: a loop shows random frames). Names may
     * carry a syscall wrapper prefix. */
    /* the timer interrupt's entry, below which a stall's interrupted code is */
    {&re_timer_entry, "^(?:asm_sysvec_|sysvec_|smp_)?apic_timer_interrupt$"},
    {&re_stall_anchor,
     "^(?:__(?:x64|ia32|arm64)_)?(?:sys_|SyS_|ksys_|__se_sys_|__do_sys_)?"
     "(?:(?:socketpair|connect|ioctl)\\w*|setsockopt$|listen$|accept$|page_fault$|kthread$)|"
     "process_one_work|do_(?:fast_)?syscall_|sysenter_dispatch|tracesys_phase2|el0_svc_handler|"
     "invoke_syscall|ret_fast_syscall|netif_receive_skb|do_softirq|call_timer_fn|_run_timers|"
     "run_timer_softirq|hrtimer_run|run_ksoftirqd|smpboot_thread_fn|start_secondary|"
     "cpu_startup_entry|ret_from_fork|vfs_(?:write|read|iter_read|iter_write|ioctl|open)|"
     "do_iter_(?:read|write|readv_writev)|call_(?:read|write)_iter|new_sync_(?:read|write)|"
     "ksys_ioctl|compat_(?:sys_)?ioctl|blkdev_(?:driver_)?ioctl|^call_mmap|mmap_region|do_mmap|"
     "do_dentry_open|^(?:__)?sock_(?:sendmsg|recvmsg|release|mmap|do_ioctl|ioctl)|"
     "kernel_(?:setsockopt|listen|accept)|sock_common_setsockopt|sk_common_release|"
     "^compat_sock_ioctl|^(?:nfnetlink|rtnetlink)_rcv_msg|^netlink_dump|__do_fault|do_page_fault|"
     "__fput|task_work_run|exit_to_usermode|smp_call_function|tasklet_(?:hi_)?action"},
    /* A hung task waiting on RCU or the RTNL lock is one bug whoever waits. */
    {&re_hang_anchor, "rtnl_lock|synchronize_(?:rcu|srcu|net|sched)"},
    /* How a hung task sleeps: the scheduler, locks, completions, waits. */
    {&re_hang_skip, "sched|_lock|_slowlock|down|rwsem|completion|kthread|wait|synchronize|"
                    "context_switch|__switch_to|cancel_delayed_work|rcu_barrier"},
#define TYPE(i, hdr, skip)                                                                         \
    {&re_type_hdr[i], hdr},                                                                        \
    {                                                                                              \
        &re_type_skip[i], skip                                                                     \
    }
    TYPE(0, "^BUG: using \\w+\\(\\) in preemptible",
         "dump_stack|preempt|debug_|processor_id|this_cpu"),
    TYPE(1, "^BUG: scheduling while atomic|^INFO: task .* can't die", "schedule"),
    TYPE(2, "^INFO: trying to register non-static key", "stack|lock|IRQ"),
    TYPE(3, "^(?:WARNING|INFO): suspicious RCU usage", "rcu|kmem|slab"),
    TYPE(4, "^(?:BUG: memory leak|unreferenced object)",
         "kmemleak|mmap|kmem|slab|alloc|create_object|idr_get|list_lru_init|kv?asprintf|"
         "pcpu_create|strn?dup|memdup"),
    TYPE(5, "^BUG: (?:spinlock|rwlock) ", "spin_|_lock|_unlock"),
    TYPE(6, "^BUG: KASAN: (?:double-free|invalid-free)", "slab_|kfree|vunmap|vfree"),
    TYPE(7, "^WARNING: .*lib/debugobjects\\.c",
         "debug_|rcu|hrtimer_|timer_|work_|percpu_|vunmap|vfree|__free_|kobject_"),
    TYPE(8, "^WARNING: .*mm/usercopy\\.c", "usercopy|__check"),
    TYPE(9, "^WARNING: .*lib/kobject\\.c", "kobject_"),
    TYPE(10, "^WARNING: .*fs/proc/generic\\.c", "proc_"),
    TYPE(11, "^WARNING: .*lib/refcount\\.c", "refcount|kobject_"),
    TYPE(12, "^WARNING: .*kernel/locking/lockdep\\.c|^BUG: Invalid wait context",
         "lock_sock|release_sock"),
    TYPE(13, "^WARNING: possible circular locking",
         "process_one_work|flush_workqueue|drain_workqueue|destroy_workqueue"),
    TYPE(14, "^BUG: KMSAN: ",
         "_encrypt$|^(?:crypto|cipher|drbg|rng)_|alloc_skb|netlink_ack|netlink_rcv_skb|"
         "usb_submit_urb|usb_start_wait_urb|usb_bulk_msg|usb_interrupt_msg|usb_control_msg"),
    TYPE(15, "^Kernel panic - not syncing: corrupted stack end", "schedule|retint_kernel"),
    /* KASAN's hardware tag faults come through the arm64 fault path */
    TYPE(16, "^BUG: KASAN: ", "kernel_fault|tag_check|mem_abort|^el1_|^el1h_"),
    /* skbuff's own BUG()s (skb_over_panic via skb_put) name their caller */
    TYPE(17, "^kernel BUG at net/core/skbuff\\.c", "^skb_"),
    TYPE(18, "^kernel BUG at mm/usercopy\\.c", "usercopy|__check"),
#undef TYPE
    {0},
};

enum { SEC_NONE, SEC_FRAMES };

typedef struct st {
    cs_trace *t;
    int sec;
    long thread; /* thread of the current frame section, -1 none */
    long crashed;
    bool crashed_has_trace; /* the crashed thread's call trace was read */
    bool in_irq;            /* inside <IRQ> .. </IRQ> */
    bool split_irq;         /* stall/lockup: IRQ frames are not the bug */
    long irq_thread;
    bool has_hdr_frame;
    bool stall;         /* the report is about code that does not progress */
    bool hang;          /* a hung task report */
    int type;           /* index into re_type_hdr, -1 none */
    int n_lock_at;      /* lockdep "at:" lines taken */
    bool irq_order;     /* lockdep "X-safe -> X-unsafe lock order detected" */
    bool bad_page;      /* "BUG: Bad page state" */
    size_t lock_frames; /* frames of "at:" lines before "which became" */
    bool at_next;       /* the line before ended in "at:": a frame follows */
    bool sec_had_irq;   /* the current frame section had an <IRQ> part */
    bool stall_ctx;     /* the interrupted context of a stall was found */
    cs_frame rip;       /* RIP/PC: goes after the header's function */
    uint64_t lines;
    char *arm_caller; /* the caller named by the last whole ARM frame line */
    int nonframes;    /* lines since the section's last frame */
} st;

/* One <source-name> of an Itanium mangled name: a length and that many
 * bytes. Advances *p on success only. */
static bool source_name(const char **p, const char *end, const char **id, size_t *len)
{
    const char *q = *p;
    size_t k = 0;
    while (q < end && *q >= '0' && *q <= '9' && k < 4096)
        k = k * 10 + (size_t)(*q++ - '0');
    if (q == *p || k == 0 || k > (size_t)(end - q)) return false;
    *id = q;
    *len = k;
    *p = q + k;
    return true;
}

/* C++ code in a kernel (a module, a test's fake symbol) prints mangled
 * names: "_Z8fakeNameiii" is fakeName, "_ZN2ns3fooEv" ns::foo, as syzkaller
 * titles them (the parameters are not part of a name). Only plain and
 * nested names are read (no templates, no substitutions): anything else is
 * left as printed. Returns a new string, or NULL. */
static char *demangle(const char *s)
{
    if (!s || strncmp(s, "_Z", 2) != 0) return NULL;
    const char *p = s + 2, *end = s + strlen(s), *id;
    size_t len;
    if (p < end && *p == 'L') p++;
    if (p < end && *p != 'N') return source_name(&p, end, &id, &len) ? cs_xstrndup(id, len) : NULL;
    p++;
    while (p < end && (*p == 'K' || *p == 'V' || *p == 'r'))
        p++;
    char *out = NULL;
    while (p < end && *p != 'E') {
        if (!source_name(&p, end, &id, &len)) {
            free(out);
            return NULL;
        }
        char *joined = out ? cs_xasprintf("%s::%.*s", out, (int)len, id) : cs_xstrndup(id, len);
        free(out);
        out = joined;
    }
    if (p == end) {
        free(out);
        return NULL;
    }
    return out;
}

static bool parse_frame(const char *p, size_t n, cs_frame *f, bool *unreliable)
{
    cs_match m;
    *unreliable = false;
    if (cs_regex_match(re_frame_arm, p, n, &m)) {
        f->function = cs_match_dup(&m, 1);
        const char *g;
        size_t gn;
        if (cs_match_group(&m, 2, &g, &gn)) {
            f->offset = cs_xhex(g, gn);
            f->has_offset = true;
        }
        f->module = cs_match_dup(&m, 3);
        return true;
    }
    if (!cs_regex_match(re_frame, p, n, &m)) return false;
    const char *g;
    size_t gn;
    bool has_off = cs_match_group(&m, 4, &g, &gn);
    bool has_file = cs_match_group(&m, 6, &(const char *){0}, &(size_t){0});
    /* A bare word is prose ("Modules linked in"); a frame has an offset or
     * a source position. */
    if (!has_off && !has_file) return false;
    *unreliable = cs_match_group(&m, 1, &(const char *){0}, &(size_t){0}) ||
                  cs_match_group(&m, 2, &(const char *){0}, &(size_t){0});
    f->function = cs_match_dup(&m, 3);
    char *plain = demangle(f->function);
    if (plain) {
        free(f->function);
        f->function = plain;
    }
    if (has_off) {
        f->offset = cs_xhex(g, gn);
        f->has_offset = true;
    }
    f->module = cs_match_dup(&m, 5);
    if (has_file) {
        f->file = cs_match_dup(&m, 6);
        f->line = (int)cs_match_num(&m, 7, 0);
    }
    return true;
}

/* A symbolized sanitizer-style frame with a function. */
static bool san_frame(const char *p, size_t n, cs_frame *f)
{
    if (!cs_san_parse_frame(p, n, f)) return false;
    if (f->has_pc && f->function) return true;
    cs_frame_dispose(f);
    memset(f, 0, sizeof *f);
    return false;
}

static bool ends_with(const char *p, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(p + n - k, suffix, k) == 0;
}

static cs_thread *thread_at(st *s, long i)
{
    return i >= 0 ? &s->t->threads[i] : NULL;
}

static long new_thread(st *s, cs_role role, const char *label, size_t n)
{
    cs_thread *th = cs_trace_add_thread(s->t, role);
    if (!th) return -1;
    th->label = cs_xstrndup(label, n);
    return (long)(th - s->t->threads);
}

static void add_frame_to(st *s, long ti, const cs_frame *src, bool unreliable)
{
    cs_thread *th = thread_at(s, ti);
    if (!th) return;
    /* "? " frames are leftovers on the stack: kept only while the section
     * has nothing better, and dropped once a reliable frame follows. */
    if (!unreliable && th->n_frames && th->frames[th->n_frames - 1].rule &&
        strcmp(th->frames[th->n_frames - 1].rule, "unreliable") == 0) {
        while (th->n_frames && th->frames[th->n_frames - 1].rule &&
               strcmp(th->frames[th->n_frames - 1].rule, "unreliable") == 0)
            cs_frame_dispose(&th->frames[--th->n_frames]);
    }
    if (unreliable && th->n_frames && !(th->frames[th->n_frames - 1].rule)) return;
    cs_frame *f = cs_thread_add_frame(th);
    if (!f) return;
    f->function = cs_xstrdup(src->function);
    f->file = src->file ? cs_xstrdup(src->file) : NULL;
    f->module = src->module ? cs_xstrdup(src->module) : NULL;
    f->line = src->line;
    f->offset = src->offset;
    f->has_offset = src->has_offset;
    /* Marks the frame for the pass above; normalize sets its own rule. */
    f->rule = unreliable ? "unreliable" : NULL;
}

static void *start(cs_xctx *x, const cs_xline *l)
{
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    cs_match m;
    if (n < 6) return NULL;
    if (!cs_regex_match(re_start, p, n, &m)) {
        /* Console output that lost its newline ("syzkaller login: ",
         * "** 93 printk messages dropped ** ") before a report's first
         * line: the report starts after the line's dmesg timestamp. So
         * does a lone timestamped line, whose prefix no neighbour shares
         * (prefix.c learns a prefix from two lines). */
        const char *b = memchr(p, '[', n < MAX_JUNK ? n : MAX_JUNK);
        const char *g;
        size_t gn;
        if (!b || !cs_regex_match(re_midts, b, n - (size_t)(b - p), &m) ||
            !cs_match_group(&m, 0, &g, &gn))
            return NULL;
        n -= (size_t)(g + gn - p);
        p = g + gn;
        if (n < 6 || !cs_regex_match(re_start, p, n, &m)) return NULL;
    }
    st *s = cs_xcalloc(1, sizeof *s);
    uint64_t sep = cs_xctx_sep_line(x);
    s->t = cs_trace_new(CS_TK_KERNEL, cs_xctx_source(x), sep ? sep : l->no);
    s->t->line_end = l->no;
    s->t->headline = cs_xstrndup(p, n);
    s->crashed = new_thread(s, CS_ROLE_CRASHED, p, n);
    s->thread = -1;
    s->irq_thread = -1;
    s->split_irq =
        memmem(p, n, "stall", 5) || memmem(p, n, "lockup", 6) || memmem(p, n, "LOCKUP", 6);
    /* The type is read from the banner without its brackets. */
    const char *hp = p;
    size_t hn = n;
    if (cs_starts_with(hp, hn, "[ ")) hp += 2, hn -= 2;
    s->stall = cs_regex_match(re_stall, hp, hn, NULL);
    s->hang = cs_regex_match(re_hang, hp, hn, NULL);
    s->bad_page = cs_starts_with(hp, hn, "BUG: Bad page state");
    /* An invalid wait context is about the code that took a sleeping lock
     * where it may not sleep, a suspicious RCU usage about the code that
     * used RCU wrongly, a sleep in atomic context about the code that
     * slept: their call traces, not the locks they list as held. */
    if (memmem(hp, hn, "BUG: Invalid wait context", 25) ||
        memmem(hp, hn, "suspicious RCU usage", 20) ||
        memmem(hp, hn, "sleeping function called from invalid context", 45))
        s->n_lock_at = 2;
    s->irq_order = memmem(hp, hn, "-safe -> ", 9) && memmem(hp, hn, "-unsafe lock order", 18);
    s->type = -1;
    for (int i = 0; i < N_TYPES && s->type < 0; i++)
        if (cs_regex_match(re_type_hdr[i], hp, hn, NULL)) s->type = i;
    /* KMSAN and KFENCE print the stack right under the header. */
    if (cs_starts_with(hp, hn, "BUG: KMSAN: ") || cs_starts_with(hp, hn, "BUG: KFENCE: ")) {
        s->thread = s->crashed;
        s->crashed_has_trace = true;
        s->sec = SEC_FRAMES;
    }
    /* The function the header names is the first frame. */
    const char *g;
    size_t gn;
    cs_frame f = {0};
    if (cs_regex_match(re_warn_at, p, n, &m) && cs_match_group(&m, 1, &g, &gn))
        f.function = cs_xstrndup(g, gn);
    else if (cs_regex_match(re_hdr_func, p, n, &m) &&
             (cs_match_group(&m, 1, &g, &gn) || cs_match_group(&m, 2, &g, &gn)))
        f.function = cs_xstrndup(g, gn);
    if (f.function) {
        add_frame_to(s, s->crashed, &f, false);
        cs_frame_dispose(&f);
        s->has_hdr_frame = true;
    }
    return s;
}

static bool ends_with(const char *p, size_t n, const char *suffix);

static bool frame_is(const cs_frame *f, cs_regex *re)
{
    return f->function && cs_regex_match(re, f->function, strlen(f->function), NULL);
}

static bool is_section_header(const char *p, size_t n)
{
    /* Old kernels print the stack words before the trace with no newline
     * after the last one: "dffffc0000000000Call Trace:". */
    return cs_starts_with(p, n, "Call Trace:") || ends_with(p, n, "Call Trace:") ||
           cs_starts_with(p, n, "Call trace:") || cs_starts_with(p, n, "Backtrace:") ||
           cs_starts_with(p, n, "Stack backtrace:") ||
           cs_starts_with(p, n, "Linux Kernel Library Stack Trace:") ||
           /* kmemleak: "backtrace:" or "backtrace (crc 5d0c5a7d):" */
           cs_starts_with(p, n, "backtrace:") || cs_starts_with(p, n, "backtrace (crc ");
}

static int feed(void *state, cs_xctx *x, const cs_xline *l)
{
    st *s = state;
    (void)x;
    if (++s->lines > MAX_REPORT_LINES) return CS_X_REJECT;
    const char *p = l->ptr;
    size_t n = l->len;
    cs_xtrim(&p, &n);
    cs_match m;
    if (n == 0) return CS_X_MORE;
    if (cs_regex_match(re_end, p, n, NULL)) {
        s->t->line_end = l->no;
        /* KASAN/KCSAN reports open and close with a row of '='; lockdep
         * prints one under its title: only a row after frames ends it. */
        if (p[0] == '=') {
            bool frames = false;
            for (size_t i = 0; i < s->t->n_threads; i++)
                if (s->t->threads[i].n_frames > (i == (size_t)s->crashed ? 1u : 0u)) frames = true;
            return frames ? CS_X_DONE : CS_X_MORE;
        }
        return CS_X_DONE;
    }
    /* Another report starts: this one is over (a panic after a WARNING is
     * the same report: panic_on_warn). */
    if (s->lines > 1 && !cs_starts_with(p, n, "Kernel panic - not syncing") &&
        cs_regex_match(re_start, p, n, NULL) && s->crashed_has_trace)
        return CS_X_REJECT;
    if (is_section_header(p, n)) {
        if (!s->crashed_has_trace) {
            s->thread = s->crashed;
            s->crashed_has_trace = true;
        } else {
            s->thread = new_thread(s, CS_ROLE_OTHER, p, n);
        }
        s->sec = SEC_FRAMES;
        s->nonframes = 0;
        s->in_irq = false;
        s->sec_had_irq = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* A work item that returned holding a lock names itself on the next
     * line: "     last function: addrconf_dad_work". */
    if (!s->has_hdr_frame && !s->crashed_has_trace && cs_starts_with(p, n, "last function: ") &&
        cs_starts_with(s->t->headline, strlen(s->t->headline), "BUG: workqueue leaked lock")) {
        cs_frame f = {.function = cs_xstrndup(p + 15, n - 15)};
        add_frame_to(s, s->crashed, &f, false);
        cs_frame_dispose(&f);
        s->has_hdr_frame = true;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* A bad page state is about the code that allocated the page (page
     * owner's "page last allocated via ..." stack, as syzkaller titles it);
     * the stack of its last free and the final call trace are others. */
    if (s->bad_page && cs_starts_with(p, n, "page last ")) {
        bool alloc = cs_starts_with(p, n, "page last allocated ");
        if (alloc && !s->crashed_has_trace) {
            s->thread = s->crashed;
            s->crashed_has_trace = true;
        } else {
            s->thread = new_thread(s, alloc ? CS_ROLE_ALLOC : CS_ROLE_FREE, p, n);
        }
        s->sec = SEC_FRAMES;
        s->nonframes = 0;
        s->in_irq = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* lockdep's irq-safety reports: the stack where the lock became
     * irq-safe (or -unsafe) is the bug's, the final call trace another. */
    /* ("... which became HARDIRQ-irq-safe at:" in newer kernels) */
    const char *wb = cs_starts_with(p, n, "... ") ? p + 4 : p;
    if (!s->crashed_has_trace && cs_starts_with(wb, (size_t)(p + n - wb), "which became ") &&
        ends_with(p, n, " at:")) {
        cs_thread *c = thread_at(s, s->crashed);
        s->lock_frames = c ? c->n_frames : 0;
        s->thread = s->crashed;
        s->crashed_has_trace = true;
        s->sec = SEC_FRAMES;
        s->nonframes = 0;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* KMSAN's origins ("Uninit was stored to memory at:", "Uninit was
     * created at:", "Local variable buf created at:") are stacks of their
     * own. */
    if (cs_starts_with(p, n, "Uninit was ") ||
        (cs_starts_with(p, n, "Local variable ") && ends_with(p, n, " created at:"))) {
        s->thread = new_thread(s, CS_ROLE_OTHER, p, n);
        s->sec = SEC_FRAMES;
        s->nonframes = 0;
        s->in_irq = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* KFENCE spells them in lower case ("allocated by task 1 on cpu 0 at 1.2s:") */
    if (cs_starts_with(p, n, "allocated by task") || cs_starts_with(p, n, "freed by task")) {
        s->thread = new_thread(s, p[0] == 'a' ? CS_ROLE_ALLOC : CS_ROLE_FREE, p, n);
        s->sec = SEC_FRAMES;
        s->nonframes = 0;
        s->in_irq = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    if (cs_starts_with(p, n, "Allocated by task") || cs_starts_with(p, n, "Freed by task") ||
        cs_regex_match(re_kcsan_access, p, n, NULL)) {
        cs_role role = p[0] == 'A' ? CS_ROLE_ALLOC : p[0] == 'F' ? CS_ROLE_FREE : CS_ROLE_ACCESS;
        if (role == CS_ROLE_ACCESS) {
            /* KCSAN: the first access is the crashed thread's stack. */
            bool first = !s->crashed_has_trace;
            if (first) {
                s->thread = s->crashed;
                s->crashed_has_trace = true;
                cs_thread *c = thread_at(s, s->crashed);
                if (c) {
                    free(c->access);
                    c->access = cs_xstrndup(p, strcspn(p, " "));
                }
            } else {
                s->thread = new_thread(s, CS_ROLE_OTHER, p, n);
            }
        } else {
            s->thread = new_thread(s, role, p, n);
        }
        s->sec = SEC_FRAMES;
        s->nonframes = 0;
        s->in_irq = false;
        s->t->line_end = l->no;
        return CS_X_MORE;
    }
    /* lockdep names the lock being taken and the one held with the
     * function that took each ("}, at: func+0x1/0x2"): the first two, before
     * the call trace, are where the deadlock is. Later "at:" lines list the
     * locks every task holds. */
    bool at_next = s->at_next;
    /* (not "Preemption disabled at:": where preemption was disabled is not
     * where a task that slept while atomic went wrong) */
    s->at_next = !s->crashed_has_trace && s->n_lock_at < 2 && ends_with(p, n, " at:") &&
                 !cs_starts_with(p, n, "Preemption disabled at:");
    if (at_next && !s->crashed_has_trace) {
        /* "is trying to release lock (x) at:" and the frame on its own line */
        cs_frame f = {0};
        bool unreliable;
        if (parse_frame(p, n, &f, &unreliable)) {
            add_frame_to(s, s->crashed, &f, false);
            s->n_lock_at++;
            s->t->line_end = l->no;
            cs_frame_dispose(&f);
            return CS_X_MORE;
        }
        cs_frame_dispose(&f);
    }
    if (!s->crashed_has_trace && s->n_lock_at < 2 && memmem(p, n, "}, at: ", 7) &&
        cs_regex_match(re_lock_at, p, n, &m)) {
        const char *g;
        size_t gn;
        cs_frame f = {0};
        bool unreliable;
        if (cs_match_group(&m, 1, &g, &gn) && parse_frame(g, gn, &f, &unreliable)) {
            add_frame_to(s, s->crashed, &f, false);
            s->n_lock_at++;
            s->t->line_end = l->no;
        }
        cs_frame_dispose(&f);
        return CS_X_MORE;
    }
    if (cs_regex_match(re_rip, p, n, &m)) {
        /* In a stall, the registers printed inside the interrupt are those
         * of the interrupted code, whose frames follow. */
        bool irq = s->in_irq || s->sec_had_irq;
        if (s->in_irq && s->split_irq) s->in_irq = false;
        /* A stall's guilty code is the one the timer interrupt found
         * running, wherever among the CPUs' backtraces it is printed: its
         * registers and frames become the crashed thread, and what was read
         * before them (a starved RCU kthread) a thread of its own. A soft
         * lockup that printed its registers first has found it already. */
        if (s->stall && !s->stall_ctx && !s->rip.function && s->sec == SEC_FRAMES && irq) {
            s->stall_ctx = true;
            cs_thread *c = thread_at(s, s->crashed);
            if (c && c->n_frames && s->thread != s->crashed) {
                long ti = new_thread(s, CS_ROLE_OTHER, "before the interrupted code", 26);
                c = thread_at(s, s->crashed);
                cs_thread *o = thread_at(s, ti);
                for (size_t i = 0; o && i < c->n_frames; i++) {
                    cs_frame *f = cs_thread_add_frame(o);
                    if (f)
                        *f = c->frames[i];
                    else
                        cs_frame_dispose(&c->frames[i]);
                }
                if (o) c->n_frames = 0;
            }
            s->thread = s->crashed;
            cs_frame_dispose(&s->rip);
        }
        if (!s->rip.function) {
            s->rip.function = cs_match_dup(&m, 1);
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
    }
    if (s->sec == SEC_FRAMES) {
        /* Old kernels print the marker and the next frame on one line:
         * "<IRQ>  [<ffffffff8140c8fc>] sched_show_task+0x2cb/0x2d6". */
        bool open_irq = cs_starts_with(p, n, "<IRQ>") || cs_starts_with(p, n, "<NMI>") ||
                        cs_starts_with(p, n, "<SOFTIRQ>");
        bool close_irq =
            !open_irq && (cs_starts_with(p, n, "</IRQ>") || cs_starts_with(p, n, "</NMI>") ||
                          cs_starts_with(p, n, "</SOFTIRQ>") || cs_starts_with(p, n, "<EOI>"));
        if (open_irq || close_irq) {
            s->in_irq = open_irq;
            if (open_irq) s->sec_had_irq = true;
            const char *gt = memchr(p, '>', n);
            n -= (size_t)(gt + 1 - p);
            p = gt + 1;
            cs_xtrim(&p, &n);
            if (n == 0) return CS_X_MORE;
        }
        if (cs_starts_with(p, n, "<TASK>") || cs_starts_with(p, n, "</TASK>")) return CS_X_MORE;
        cs_frame f = {0};
        bool unreliable;
        bool arm = p[0] == '[' && memmem(p, n, ") from ", 7);
        bool tail = !arm && p[0] == '(' && cs_regex_match(re_arm_tail, p, n, &m);
        if (tail) {
            if (s->arm_caller) {
                cs_frame c = {.function = s->arm_caller};
                add_frame_to(s, s->thread, &c, false);
                free(s->arm_caller);
                s->arm_caller = NULL;
            }
            f.function = cs_match_dup(&m, 1);
            const char *g;
            size_t gn;
            if (cs_match_group(&m, 2, &g, &gn)) {
                f.offset = cs_xhex(g, gn);
                f.has_offset = true;
            }
            f.module = cs_match_dup(&m, 3);
            unreliable = false;
        }
        /* A console that a symbolizer went over (LKL's stacks, symbolized
         * for ClusterFuzz) has sanitizer frames in the section:
         * "#4 0xa60a36 in hid_connect drivers/hid/hid-core.c:1931:48". */
        bool sym = !tail && !arm && p[0] == '#' && san_frame(p, n, &f);
        if (sym) unreliable = false;
        if (tail || sym || parse_frame(p, n, &f, &unreliable)) {
            if (arm) {
                free(s->arm_caller);
                s->arm_caller = NULL;
                const char *g;
                size_t gn;
                if (cs_regex_match(re_arm_caller, p, n, &m) && cs_match_group(&m, 1, &g, &gn))
                    s->arm_caller = cs_xstrndup(g, gn);
            }
            /* A stall whose registers were not printed (older kernels):
             * inside the timer interrupt, the frames after its entry are
             * the interrupted code's. */
            if (s->stall && !s->stall_ctx && s->in_irq && s->irq_thread >= 0 &&
                s->thread == s->crashed && s->split_irq) {
                cs_thread *it = thread_at(s, s->irq_thread);
                if (it && it->n_frames && !frame_is(&f, re_timer_entry) &&
                    frame_is(&it->frames[it->n_frames - 1], re_timer_entry)) {
                    s->stall_ctx = true;
                    s->in_irq = false;
                }
            }
            long ti = s->thread;
            if (s->in_irq && s->split_irq && ti == s->crashed) {
                if (s->irq_thread < 0) s->irq_thread = new_thread(s, CS_ROLE_OTHER, "<IRQ>", 5);
                ti = s->irq_thread;
            }
            add_frame_to(s, ti, &f, unreliable);
            cs_frame_dispose(&f);
            s->nonframes = 0;
            s->t->line_end = l->no;
            return CS_X_MORE;
        }
        cs_frame_dispose(&f);
        /* The register dump of the faulting context sits inside the call
         * trace (the frames after it are the caller's), and consoles
         * interleave other output: only a long run of other lines ends
         * the section. */
        if (++s->nonframes > MAX_GAP_LINES) s->sec = SEC_NONE;
    }
    return CS_X_MORE;
}

/* Moves the crashed thread's frames above `upto`, and any frame matching
 * `re`, to a thread of their own labelled `why`: they stay in the report
 * (and in explain) but out of the signature. */
static void set_aside(st *s, cs_regex *re, size_t upto, const char *why)
{
    cs_thread *c = thread_at(s, s->crashed);
    if (!c || !c->n_frames) return;
    size_t moving = 0;
    for (size_t i = 0; i < c->n_frames; i++)
        moving += i < upto || (re && frame_is(&c->frames[i], re));
    /* Everything would go: keep the thread as it was, a report still names
     * what it printed. */
    if (!moving || moving == c->n_frames) return;
    long ti = new_thread(s, CS_ROLE_OTHER, why, strlen(why));
    c = thread_at(s, s->crashed);
    cs_thread *o = thread_at(s, ti);
    size_t kept = 0;
    for (size_t i = 0; i < c->n_frames; i++) {
        if (i < upto || (re && frame_is(&c->frames[i], re))) {
            cs_frame *f = o ? cs_thread_add_frame(o) : NULL;
            if (f)
                *f = c->frames[i];
            else
                cs_frame_dispose(&c->frames[i]);
        } else {
            c->frames[kept++] = c->frames[i];
        }
    }
    c->n_frames = kept;
}

/* What each report type says about its guilty frame (see the patterns). */
static void pick_guilty(st *s)
{
    if (s->type >= 0) set_aside(s, re_type_skip[s->type], 0, "the report type's own machinery");
    cs_thread *c = thread_at(s, s->crashed);
    if (!c || !c->n_frames) return;
    size_t upto = 0;
    if (s->stall) {
        size_t i = 0;
        while (i < c->n_frames && !frame_is(&c->frames[i], re_stall_anchor))
            i++;
        if (i == c->n_frames) return;
        /* smp_call_function* is itself the name: its callers vary. */
        upto = i == 0 || strstr(c->frames[i].function, "smp_call_function") ? i : i - 1;
        set_aside(s, NULL, upto, "the stalled code, above its caller");
    } else if (s->hang) {
        size_t i = 0;
        while (i < c->n_frames && !frame_is(&c->frames[i], re_hang_anchor))
            i++;
        if (i == c->n_frames) {
            i = 0;
            while (i < c->n_frames && frame_is(&c->frames[i], re_hang_skip))
                i++;
        }
        if (i < c->n_frames) set_aside(s, NULL, i, "how the task sleeps");
    }
}

static void finish(void *state, cs_xctx *x, bool eof)
{
    st *s = state;
    cs_trace *t = s->t;
    cs_thread *c = thread_at(s, s->crashed);
    /* (not in a hung task report: its registers are those of a CPU the
     * NMI backtrace printed after the sleeping task's stack) */
    if (c && s->rip.function && !s->hang && c->n_frames < CS_MAX_FRAMES &&
        !(c->n_frames && strcmp(c->frames[0].function, s->rip.function) == 0)) {
        size_t at = s->has_hdr_frame ? 1 : 0;
        if (cs_thread_add_frame(c)) {
            memmove(&c->frames[at + 1], &c->frames[at], (c->n_frames - 1 - at) * sizeof *c->frames);
            c->frames[at] = s->rip;
            s->rip = (cs_frame){0};
        }
    }
    cs_frame_dispose(&s->rip);
    free(s->arm_caller);
    bool frames = false;
    for (size_t i = 0; i < t->n_threads; i++) {
        cs_thread *th = &t->threads[i];
        for (size_t k = 0; k < th->n_frames; k++)
            th->frames[k].rule = NULL;
        if (th->n_frames) frames = true;
    }
    /* An irq lock inversion is about where the lock became irq-safe (the
     * first "which became" stack, as syzkaller titles it), not the two
     * locks of the new dependency named above it. */
    if (frames && s->irq_order && s->lock_frames)
        set_aside(s, NULL, s->lock_frames, "the locks of the new dependency");
    if (frames) pick_guilty(s);
    /* A "BUG:" or "WARNING:" line with no frame and no function named is
     * a build or test message, not a kernel report. */
    if (!frames) {
        cs_trace_free(t);
    } else {
        if (eof && s->sec == SEC_FRAMES && s->nonframes == 0) t->truncated = true;
        cs_xctx_emit(x, t);
    }
    free(s);
}

const cs_dialect cs_dialect_kernel = {
    .name = "kernel",
    .patterns = patterns,
    /* s, S, *, <: console junk before a timestamp ("syzkaller login: [ ..") */
    .first_chars = "BWgkUIrKdispPNOuw[sS*<",
    .start = start,
    .feed = feed,
    .finish = finish,
};
