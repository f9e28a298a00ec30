/* extract.h - finds every stack trace in a text member, streaming.
 *
 * A member's lines are cleaned once (CI timestamp prefixes, ANSI colour
 * codes, GitLab section markers, CR), stripped of the per-line prefix
 * learned for the member (prefix.h) and offered to a table of dialects
 * (dialects.h). While no trace is open, each line is probed by the dialects
 * whose anchors can start there; the first that accepts it owns the lines
 * that follow until it says the trace is over. Dialects are single-pass,
 * line-driven state machines that never allocate per line except to keep
 * what goes into the trace.
 *
 * go test -json streams and JUnit XML have their own readers (test2json.c,
 * junit.c) that rebuild the text of each test's output and feed it through
 * the same machinery with the member's line numbers. */
#ifndef CS_EXTRACT_H
#define CS_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/regex.h"
#include "../model/model.h"

#define CS_MAX_TRACES_PER_MEMBER 100000
#define CS_MAX_LINES_PER_TRACE 200000
/* Lines between a frameless crash message and the sanitizer or libFuzzer
 * report that gives its stack (cs_xctx_emit): a V8 fatal error prints its
 * unsymbolized C stack (a line or two per frame) in between. */
#define CS_X_STACK_WINDOW 64

typedef struct cs_extract_opts {
    size_t max_line; /* longest line kept whole */
    /* Where final traces share identical threads as they are emitted (the
     * caller's; it must outlive `out`'s traces' use of it), or NULL. */
    cs_share *share;
} cs_extract_opts;

/* A cleaned line as the dialects see it. */
typedef struct cs_xline {
    const char *ptr; /* not NUL-terminated */
    size_t len;
    uint64_t no;   /* 1-based line of the member as stored */
    bool overlong; /* the stored line was cut */
    /* The member ended inside this line (no newline): a run killed while
     * writing it. Its words may be cut ("--- FAIL: TestBal"), so no test
     * outcome is read from it. */
    bool cut;
} cs_xline;

typedef struct cs_xctx cs_xctx;

/* What a dialect's feed() says about a line. */
enum {
    CS_X_MORE,   /* consumed; the trace goes on */
    CS_X_DONE,   /* consumed; the trace is complete */
    CS_X_REJECT, /* not consumed; the trace ended before this line */
};

/* A built-in pattern and where its compiled form lives. */
typedef struct cs_xpattern {
    cs_regex **re;
    const char *pattern;
} cs_xpattern;

typedef struct cs_dialect {
    const char *name;
    /* The dialect's patterns, ending with {0}: compiled once per process
     * before any start(), freed by cs_extract_global_cleanup(). Dialects of
     * one file may share a table. */
    const cs_xpattern *patterns;
    /* Characters a starting line may begin with, after leading blanks;
     * NULL means any line (the probe must then be cheap: memchr/memmem
     * on an anchor before any regex). */
    const char *first_chars;
    /* Literals (NULL-terminated, two bytes or more) of which start() needs
     * one on any starting line whose first non-blank byte is not in
     * first_chars: the dispatcher then offers start() only the lines that
     * begin with one of first_chars or hold one of these, found for all
     * dialects in one pass (prefilter.c). NULL: first_chars alone decides.
     * Whoever adds a way to start() must keep this true (a literal of the
     * new line, or its first byte); tests/prefilter.sh compares every
     * fixture and the corpus with CRASHSIFT_NO_PREFILTER=1, which offers
     * such a dialect every line as if both were NULL. */
    const char *const *literals;
    /* Does this line start a trace? If so, return a new state (the dialect
     * owns it) and the line is consumed. NULL: not ours. */
    void *(*start)(cs_xctx *x, const cs_xline *l);
    int (*feed)(void *state, cs_xctx *x, const cs_xline *l);
    /* Ends the trace: emit it with cs_xctx_emit (or drop it if it turned out
     * to be nothing) and free the state. `eof` when the member ended. */
    void (*finish)(void *state, cs_xctx *x, bool eof);
    /* Lines one trace may take; 0 means CS_MAX_LINES_PER_TRACE. A dialect
     * whose every line must match a grammar (a Go dump) may take more. */
    uint64_t max_lines;
} cs_dialect;

/* ---- for dialects ----------------------------------------------------- */
const char *cs_xctx_source(const cs_xctx *x);
/* A dialect that took a header line and then gave the trace up (what
 * followed was not its format) leaves that line for the dialect that reads
 * what follows: a FreeBSD "panic: MSG" that the Go dialect took, followed
 * by a KDB backtrace. One line is kept, the last one handed off. */
void cs_xctx_hand_off(cs_xctx *x, uint64_t line_no, const char *p, size_t n);
/* The line handed off at most `within` lines before `line_no`, taken (the
 * caller owns it; *at its line number), or NULL. */
char *cs_xctx_take_handoff(cs_xctx *x, uint64_t line_no, uint64_t within, uint64_t *at);
/* The test the log says is running (=== RUN / pytest header), or NULL. */
const char *cs_xctx_test(const cs_xctx *x);
/* The line number of the line just before the current one when it was a
 * separator row of '=' (sanitizer and race reports open with one), else 0. */
uint64_t cs_xctx_sep_line(const cs_xctx *x);
/* Records that the log says a run of `test` failed ("--- FAIL: test"): the
 * first tentative trace of that run (an assertion message printed while it
 * ran) is kept, the others go. */
void cs_xctx_mark_failed(cs_xctx *x, const char *test, size_t n);
/* Hands a finished trace to the member's results (takes ownership). */
void cs_xctx_emit(cs_xctx *x, cs_trace *t);
/* Records one run's outcome of a test of another framework than go test
 * (pytest, cargo test, Ginkgo, Surefire); `package` may be NULL. Not
 * recorded for readers' bodies (their own events count). */
void cs_xctx_outcome(cs_xctx *x, const char *package, const char *name, cs_outcome o,
                     uint64_t line);
/* Emits a failure that does not say its test (pytest --tb=line); the next
 * cs_xctx_claim_unnamed() names the oldest such trace not yet named. */
void cs_xctx_emit_unnamed(cs_xctx *x, cs_trace *t);
/* A summary line naming failures in the order their traces were printed:
 * gives `test` to the oldest unnamed trace; false when none is left. */
bool cs_xctx_claim_unnamed(cs_xctx *x, const char *test);
/* Inside pytest's FAILURES section without test headers (--tb=line). */
bool cs_xctx_pytest_line_section(const cs_xctx *x);

/* ---- for the pipeline ------------------------------------------------- */
typedef struct cs_extractor cs_extractor;

/* Creates an extractor for one text member; its traces go to `out`. */
cs_extractor *cs_extractor_new(const char *source, const cs_extract_opts *opts, cs_results *out);
/* Feeds raw bytes of the member (any chunking). */
int cs_extractor_feed(cs_extractor *e, const void *data, size_t n);
/* Ends the member: closes an open trace, adds its test records to `out`,
 * and links test failures to the crash traces of the same run that explain
 * them. */
void cs_extractor_finish(cs_extractor *e);
void cs_extractor_free(cs_extractor *e);

/* Feeds one already-split line (used by test2json/JUnit readers, which know
 * the member line of each reconstructed line). */
void cs_extractor_line(cs_extractor *e, const char *p, size_t n, uint64_t no);
/* Links each test failure in r->traces[first..] to the crash trace (panic,
 * fatal error, race report) of the same run of the same test, which
 * explains it; nothing is dropped. The run of a trace is counted from the
 * outcome lines of its test in r->tests[first_test..] (one member's). Done
 * by cs_extractor_finish for one stream; readers that run several streams
 * call it over all of them. */
void cs_extract_merge_failures(cs_results *r, size_t first, size_t first_test);
/* For readers: they record test outcomes from their own events, so the
 * outcome lines of the text they feed only settle tentative traces. */
void cs_extractor_set_reader(cs_extractor *e);
/* For readers: the pinned test failed (a JUnit <failure> body, which need
 * not hold a FAIL line): its pending assertion message is that failure. */
void cs_extractor_test_failed(cs_extractor *e);
/* Sets the test for lines fed from now on (test2json, JUnit). */
void cs_extractor_set_test(cs_extractor *e, const char *test);

/* Helpers shared by dialects (xutil.c). */
/* Compiles a built-in pattern; a bad built-in pattern is a programming error
 * and aborts with the pattern named. */
cs_regex *cs_xre(const char *pattern);
/* Calls every dialect's init once (thread-safe) / cleanup at exit. */
void cs_extract_global_init(void);
void cs_extract_global_cleanup(void);
/* Trims blanks at both ends of a slice. */
void cs_xtrim(const char **p, size_t *n);
/* Hex digits (at most 16, either case) as a number; callers pass only
 * characters their pattern matched as hex. */
uint64_t cs_xhex(const char *p, size_t n);
bool cs_xis_hex(char c);
/* Space or tab. Inline: the line loop and every dialect ask it per byte. */
static inline bool cs_xis_blank(char c)
{
    return c == ' ' || c == '\t';
}
bool cs_xis_alnum(char c); /* ASCII letter or digit */
/* A fresh copy of p[0..n) in ASCII lower case ("Write" -> "write"). */
char *cs_xlower_dup(const char *p, size_t n);
/* Leading blank count. */
size_t cs_xindent(const char *p, size_t n);
/* Parses "file:line" or "file:line:col" at the end of s (as in "x.go:12 +0x1d"
 * after cutting the offset); returns true and fills the frame's file/line/col. */
bool cs_xparse_fileline(const char *p, size_t n, cs_frame *f);

#endif
