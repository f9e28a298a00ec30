/* core_child.c - unwinding in a forked child (systemd-coredump's approach:
 * "parsing possibly malformed data is crash-happy"). One child unwinds a
 * whole batch of cores, so the symbol cache is shared by all of them; it
 * streams one message per core over a pipe:
 *
 *     {u32 index, u32 kind, u64 len} [len bytes of records]
 *
 * kind BEGIN (len 0) starts the per-core timer, kind DONE carries the
 * records (core_wire.c) of that core. The parent caps len
 * (CS_CORE_MAX_OUTPUT) and time (opts->timeout_ms per core). If the child
 * crashes, hangs or talks nonsense, the core it was on gets a diagnostic and
 * a new child carries on with the next one. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../base/error.h"
#include "../base/util.h"
#include "core_internal.h"

enum { MSG_BEGIN = 1, MSG_DONE = 2 };

typedef struct msghdr_ {
    uint32_t index;
    uint32_t kind;
    uint64_t len;
} msghdr_;

static void in_process(const cs_core_index *idx, const core_item *items, size_t n,
                       const cs_core_opts *opts, cs_results *out)
{
    core_ctx c;
    cs_core_ctx_init(&c, idx, opts);
    cs_buf rec;
    cs_buf_init(&rec, CS_CORE_MAX_OUTPUT);
    for (size_t i = 0; i < n; i++) {
        cs_core_unwind_item(&c, &items[i], &rec);
        if (cs_wire_decode((const unsigned char *)rec.ptr, rec.len, items[i].source, out))
            cs_results_add_diag(out, items[i].source,
                                "unwinder output was corrupt; core "
                                "partly skipped");
    }
    cs_buf_dispose(&rec);
    cs_core_ctx_dispose(&c);
}

static void __attribute__((noreturn))
child_main(int fd, const cs_core_index *idx, const core_item *items, size_t from, size_t n,
           const cs_core_opts *opts)
{
    /* A crash in here must not drop a core file of its own into CI. */
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
    core_ctx c;
    cs_core_ctx_init(&c, idx, opts);
    cs_buf rec;
    cs_buf_init(&rec, CS_CORE_MAX_OUTPUT);
    /* The time limit on our own CPU time too: the parent's wall-clock
     * deadline cannot tell a slow unwind from a parent that was not
     * scheduled while the child finished. SIGPROF's default action ends
     * the child; the parent reads that as the time limit. */
    signal(SIGPROF, SIG_DFL);
    unsigned ms = opts->timeout_ms ? opts->timeout_ms : CS_CORE_DEFAULT_TIMEOUT_MS;
    for (size_t i = from; i < n; i++) {
        msghdr_ h = {.index = (uint32_t)i, .kind = MSG_BEGIN};
        if (cs_write_all(fd, &h, sizeof h)) _exit(3);
        struct itimerval it = {{0, 0}, {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000}};
        setitimer(ITIMER_PROF, &it, NULL);
        /* Tests of the time limit: an unwind that never ends, on the CPU. */
        if (getenv("CRASHSIFT_TEST_SLOW_UNWIND"))
            for (volatile unsigned long spin = 0;; spin++)
                ;
        cs_core_unwind_item(&c, &items[i], &rec);
        struct itimerval off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_PROF, &off, NULL);
        h.kind = MSG_DONE;
        h.len = rec.len;
        if (cs_write_all(fd, &h, sizeof h) || cs_write_all(fd, rec.ptr, rec.len)) _exit(3);
    }
    /* No cleanup: the process ends here, and exit handlers (sanitizers'
     * leak checks included) belong to the parent. */
    _exit(0);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 0: read all; -1: EOF or error; -2: deadline passed. */
static int read_full(int fd, void *p, size_t n, long long deadline)
{
    char *c = p;
    while (n) {
        long long left = deadline - now_ms();
        if (left <= 0) return -2;
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int r = poll(&pf, 1, left > 1000000 ? 1000000 : (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) continue;
        ssize_t k = read(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Runs one child from item `from`; returns where the next child starts. */
static size_t run_child(const cs_core_index *idx, const core_item *items, size_t from, size_t n,
                        const cs_core_opts *opts, cs_results *out)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC)) {
        for (size_t i = from; i < n; i++)
            cs_results_add_diag(out, items[i].source,
                                "cannot create a pipe for unwinding; "
                                "core skipped");
        return n;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        child_main(p[1], idx, items, from, n, opts);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        for (size_t i = from; i < n; i++)
            cs_results_add_diag(out, items[i].source,
                                "cannot fork to unwind; core skipped (try "
                                "--core-in-process)");
        return n;
    }
    unsigned timeout = opts->timeout_ms ? opts->timeout_ms : CS_CORE_DEFAULT_TIMEOUT_MS;
    size_t cur = from;
    int why = 0; /* 0 fine, -1 died/garbage, -2 timeout */
    unsigned char *payload = NULL;
    while (cur < n) {
        long long deadline = now_ms() + timeout;
        msghdr_ h;
        if ((why = read_full(p[0], &h, sizeof h, deadline))) break;
        if (h.index != cur) {
            why = -1;
            break;
        }
        if (h.kind == MSG_BEGIN) {
            if ((why = read_full(p[0], &h, sizeof h, deadline))) break;
            if (h.index != cur) why = -1;
        }
        if (why || h.kind != MSG_DONE || h.len > CS_CORE_MAX_OUTPUT) {
            why = -1;
            break;
        }
        payload = cs_xrealloc(payload, h.len ? h.len : 1);
        if ((why = read_full(p[0], payload, h.len, deadline))) break;
        if (cs_wire_decode(payload, h.len, items[cur].source, out))
            cs_results_add_diag(out, items[cur].source,
                                "unwinder output was corrupt; core "
                                "partly skipped");
        cur++;
    }
    free(payload);
    if (why == -2) kill(pid, SIGKILL);
    close(p[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (cur >= n) return n;
    const char *src = items[cur].source;
    if (why == -2 || (WIFSIGNALED(st) && WTERMSIG(st) == SIGPROF))
        cs_results_add_diag(out, src, "unwinding took longer than %u ms; core skipped", timeout);
    else if (WIFSIGNALED(st))
        cs_results_add_diag(out, src, "unwinding crashed (signal %d); core skipped", WTERMSIG(st));
    else if (WIFEXITED(st) && WEXITSTATUS(st))
        cs_results_add_diag(out, src, "unwinding failed (exit status %d); core skipped",
                            WEXITSTATUS(st));
    else
        cs_results_add_diag(out, src, "unwinding stopped unexpectedly; core skipped");
    return cur + 1;
}

void cs_core_run(const cs_core_index *idx, const core_item *items, size_t n,
                 const cs_core_opts *opts, cs_results *out)
{
    if (opts->in_process) {
        in_process(idx, items, n, opts, out);
        return;
    }
    for (size_t i = 0; i < n;)
        i = run_child(idx, items, i, n, opts, out);
}
