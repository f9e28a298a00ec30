/* model.h - the small shared model every stage reads and writes: frames,
 * threads, traces, diagnostics (error entries) and members.
 *
 * Data flows one way: extract and core fill traces; normalize adds each
 * frame's normalized form and each trace's signature; cluster and race read
 * them. A string in the model is owned by the struct that holds it and
 * freed by that struct's dispose/free function, or is one of the run's
 * interned strings (cs_strtab), owned by the cs_results and freed with
 * them; the struct says which. */
#ifndef CS_MODEL_H
#define CS_MODEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- languages -------------------------------------------------------- */
/* The rule sets of signatures/ ([go], [c], ...): which rules normalize a
 * trace's frames. ANY: only the [any] rules. */
#define CS_LANGS(X)                                                                                \
    X(ANY, "any")                                                                                  \
    X(GO, "go")                                                                                    \
    X(C, "c")                                                                                      \
    X(PYTHON, "python")                                                                            \
    X(JAVA, "java")                                                                                \
    X(RUST, "rust")                                                                                \
    X(NODE, "node")                                                                                \
    X(KERNEL, "kernel")

typedef enum cs_lang {
#define CS_LANG_ENUM(e, s) CS_LANG_##e,
    CS_LANGS(CS_LANG_ENUM)
#undef CS_LANG_ENUM
        CS_LANG_COUNT
} cs_lang;

const char *cs_lang_name(cs_lang l);

/* ---- trace kinds ------------------------------------------------------ */
/* How a kind's failure class is derived: what makes two traces with the same
 * frames two different bugs (normalize.c, failure_class). */
typedef enum cs_class_rule {
    CS_CLASS_MESSAGE,     /* the headline, parameterized by the message rules */
    CS_CLASS_RACE,        /* "data race" */
    CS_CLASS_RACE_OR_MSG, /* "data race" when the headline says so, else MESSAGE */
    CS_CLASS_EXCEPTION,   /* the exception type before ": " (its message varies) */
    CS_CLASS_SIGNAL,      /* from "signal ...": the signal is the class */
    CS_CLASS_CORE_SIGNAL, /* the headline up to " at " / " in " (address, argv vary) */
    CS_CLASS_TEST,        /* "test failure: " + MESSAGE */
} cs_class_rule;

/* One row per kind of trace: everything a stage needs to know about it, so
 * adding a kind is one row here plus the dialect that finds it.
 *   X(ENUM, name, LANG, CLASS, SARIF rule name, description, SARIF level)
 * name is the JSON/CLI spelling and the SARIF rule id's tail; LANG the rules
 * its frames take (TEST_FAILURE: ANY, then decided from its frames' files,
 * see cs_trace_lang). */
#define CS_TRACE_KINDS(X)                                                                          \
    X(GO_PANIC, "go-panic", GO, MESSAGE, "GoPanic", "Go panic", "error")                           \
    X(GO_FATAL, "go-fatal", GO, MESSAGE, "GoFatalError", "Go runtime fatal error", "error")        \
    X(GO_RACE, "go-race", GO, RACE, "GoRaceReport", "Go race detector report", "error")            \
    X(TSAN, "tsan", C, RACE_OR_MSG, "ThreadSanitizerReport", "ThreadSanitizer report", "error")    \
    X(ASAN, "asan", C, MESSAGE, "AddressSanitizerReport", "AddressSanitizer report", "error")      \
    X(LSAN, "lsan", C, MESSAGE, "LeakSanitizerReport", "LeakSanitizer memory leak", "warning")     \
    X(UBSAN, "ubsan", C, MESSAGE, "UndefinedBehaviorSanitizerReport",                              \
      "UndefinedBehaviorSanitizer runtime error", "error")                                         \
    X(MSAN, "msan", C, MESSAGE, "MemorySanitizerReport", "MemorySanitizer report", "error")        \
    X(GDB, "gdb", C, SIGNAL, "DebuggerBacktrace", "Crash backtrace printed by gdb", "error")       \
    X(NATIVE, "native", C, MESSAGE, "NativeCrash",                                                 \
      "Native crash (signal, assertion, abort, terminate)", "error")                               \
    X(PYTHON, "python", PYTHON, EXCEPTION, "PythonException", "Uncaught Python exception",         \
      "error")                                                                                     \
    X(JAVA, "java", JAVA, EXCEPTION, "JavaException", "Uncaught Java exception", "error")          \
    X(RUST, "rust", RUST, MESSAGE, "RustPanic", "Rust panic", "error")                             \
    X(NODE, "node", NODE, EXCEPTION, "NodeError", "Uncaught Node.js error or rejection", "error")  \
    X(TEST_FAILURE, "test-failure", ANY, TEST, "TestFailure", "Test failure without a crash",      \
      "warning")                                                                                   \
    X(CORE, "core", C, CORE_SIGNAL, "CoreDump", "Process crashed and dumped core", "error")        \
    X(KERNEL, "kernel", KERNEL, MESSAGE, "KernelReport",                                           \
      "Linux kernel oops, BUG, WARNING or sanitizer report", "error")                              \
    X(FUZZER, "fuzzer", C, MESSAGE, "FuzzerReport",                                                \
      "Fuzzer crash, timeout or out-of-memory report", "error")

typedef enum cs_trace_kind {
#define CS_TK_ENUM(e, ...) CS_TK_##e,
    CS_TRACE_KINDS(CS_TK_ENUM)
#undef CS_TK_ENUM
        CS_TK_COUNT
} cs_trace_kind;

typedef struct cs_kind_info {
    const char *name;
    cs_lang lang;
    cs_class_rule class_rule;
    const char *sarif_id; /* "crashsift/<name>" */
    const char *sarif_name;
    const char *description;
    const char *sarif_level;
} cs_kind_info;

/* The row of kind k; a value outside the table gets an "other" row with
 * only the [any] rules (never silently another kind's). */
const cs_kind_info *cs_kind_info_of(cs_trace_kind k);
const char *cs_trace_kind_name(cs_trace_kind k);

/* ---- frames ----------------------------------------------------------- */
typedef struct cs_frame {
    char *function; /* as printed (demangled where the source demangles) */
    char *file;     /* as printed; NULL when unknown */
    int line;       /* 0: unknown */
    int column;     /* 0: unknown */
    char *module;   /* shared object, jar, crate; NULL when unknown */
    uint64_t offset;
    uint64_t pc;
    bool has_offset;
    bool has_pc;
    bool pc_is_return; /* cores: pc is a return address */
    bool inlined;
    bool dynsym;    /* cores: function is the nearest exported (.dynsym)
                       symbol of a stripped module, not a full symbol table */
    char *build_id; /* cores: hex build-id of the module */
    /* Filled by normalize: */
    char *norm_function;
    /* norm_function before the rename-key rules (a lambda's number, a
     * closure's index: what grouping ignores but the code shows); NULL
     * when they changed nothing. Reports name race sites with it. */
    char *shown_function;
    char *norm_file;
    char *sig_part; /* what the frame contributes to a signature: the
                       normalized function, or "module@build-id+0xoffset"
                       without symbols; cluster compares frames by it */
    bool significant;
    bool map_impl;    /* inside map/container implementation code (map rules) */
    const char *rule; /* which rule decided (static or owned by the rules) */
} cs_frame;

void cs_frame_dispose(cs_frame *f);

/* ---- threads (goroutines, threads, accesses, causes) ------------------ */
typedef enum cs_role {
    CS_ROLE_CRASHED,  /* the failing thread/goroutine/exception */
    CS_ROLE_OTHER,    /* any other thread of a dump */
    CS_ROLE_ACCESS,   /* race: the current access */
    CS_ROLE_PREVIOUS, /* race: the previous (conflicting) access */
    CS_ROLE_CREATION, /* how a thread/goroutine of the report was created */
    CS_ROLE_ALLOC,    /* sanitizer: allocation stack */
    CS_ROLE_FREE,     /* sanitizer: free stack */
    CS_ROLE_CAUSE,    /* chained exception / cause / suppressed */
    CS_ROLE_COUNT
} cs_role;

const char *cs_role_name(cs_role r);

typedef struct cs_thread {
    cs_role role;
    char *name;   /* "goroutine 7", "Thread 3 (LWP 123)", "T1", "main" */
    long long id; /* -1: unknown */
    char *state;  /* "running", "chan receive, 3 minutes", "locked" ... */
    char *label;  /* the header line as printed, trimmed */
    char *access; /* races: "write", "read", "atomic write" ... */
    uint64_t addr;
    int size;                /* races: access size in bytes; 0 unknown */
    long long created_by_id; /* -1: unknown */
    cs_frame *created_by;    /* Go dumps: the "created by" frame or NULL */
    cs_frame *frames;
    size_t n_frames, cap_frames;
    bool elided; /* the source said frames were elided */
    bool capped; /* frames past CS_MAX_FRAMES were dropped */
} cs_thread;

cs_frame *cs_thread_add_frame(cs_thread *t);
void cs_thread_dispose(cs_thread *t);

/* ---- traces ----------------------------------------------------------- */
#define CS_MAX_FRAMES 512   /* per thread */
#define CS_MAX_THREADS 4096 /* per trace */

/* Strings of a trace that point into its results' string table
 * (cs_results.strs) instead of being its own (cs_trace.interned). */
enum {
    CS_INTERNED_SOURCE = 1,
    CS_INTERNED_HEADLINE = 2,
    CS_INTERNED_TEST = 4,
    CS_INTERNED_SIGNATURE = 8,
    CS_INTERNED_NORM_HEADLINE = 16,
};

/* The 8-byte fields come first and the small ones last, so the struct has
 * no holes: a pile keeps hundreds of thousands of traces. */
typedef struct cs_trace {
    char *source;        /* source path of the member */
    uint64_t line_start; /* 1-based; 0 for cores */
    uint64_t line_end;
    uint64_t seq;   /* order within the member, for stable sorting */
    char *headline; /* panic message, signal, exception, summary */
    char *test;     /* test running when it happened, or NULL */
    /* Test failures: the crash trace of the same test run in the same
     * member that explains this failure (both are kept; this is the link).
     * cause_line is that trace's line_start (cause_kind its kind); 0 when
     * nothing explains it. */
    uint64_t cause_line;
    /* A headline without frames (a CHECK or V8 fatal message, a Rust panic
     * without a backtrace) read as one crash with the sanitizer or
     * libFuzzer report that followed it (extract): the threads are that
     * report's, which began at stack_line (kind stack_kind), and line_end
     * is its end. The report is no trace of its own. 0: not merged. */
    uint64_t stack_line;
    /* Where the failure says it happened, when that is not a frame of its
     * stack (a Rust panic's "panicked at src/lib.rs:87:42" above a
     * backtrace): the signature's place when no frame is significant.
     * NULL: none apart from the frames. */
    cs_frame *location;
    cs_thread *threads;
    size_t n_threads, cap_threads;
    size_t n_dropped_threads; /* over CS_MAX_THREADS */
    /* Threads identical to an earlier trace's (cs_share_threads): `threads`
     * are that trace's, borrowed (never freed or changed through this one);
     * normalize marks them once, through the owner. NULL: its own. */
    const struct cs_trace *same_as;
    /* Filled by normalize: */
    char *signature;
    char *norm_headline;
    uint64_t sig_hash;
    int crash_thread; /* index into threads, -1 none */
    cs_trace_kind kind;
    cs_trace_kind cause_kind;
    cs_trace_kind stack_kind;
    bool truncated;
    bool tentative; /* extract: keep only if its test is seen failing */
    /* The process lived on (a panic a web framework's middleware recovered
     * and logged): the crash is not a run of its test of its own. */
    bool survived;
    /* A summary line restating a failure (pytest "FAILED x::t - msg"): the
     * same failure as its test's trace in the member when there is one,
     * never a second occurrence. */
    bool summary;
    /* CS_INTERNED_* bits: which strings are the results' (interned by
     * cs_results_intern_*), not this trace's to free. 0: all its own. */
    unsigned char interned;
} cs_trace;

cs_trace *cs_trace_new(cs_trace_kind kind, const char *source, uint64_t line_start);
/* Adds a thread; returns NULL (and counts it dropped) past CS_MAX_THREADS. */
cs_thread *cs_trace_add_thread(cs_trace *t, cs_role role);
void cs_trace_free(cs_trace *t);

/* ---- test outcomes --------------------------------------------------- */
typedef enum cs_outcome { CS_OUT_PASS = 'P', CS_OUT_FAIL = 'F', CS_OUT_SKIP = 'S' } cs_outcome;

/* Where a record's outcomes were read from: copies of one run in two
 * formats (a job log and its go test -json or JUnit file) are recognised
 * by it (tests/tests.h). */
typedef enum cs_test_format {
    CS_TF_TEXT,  /* a log: --- PASS/FAIL/SKIP, pytest, gotestsum ... */
    CS_TF_JSON,  /* go test -json events */
    CS_TF_JUNIT, /* JUnit <testcase> */
} cs_test_format;

/* Limits the runs one member can record (a log of nothing but
 * "--- PASS" lines must not grow the model without bound). */
#define CS_MAX_TEST_RUNS_PER_MEMBER 1000000

/* One test in one member: every run's outcome in order. */
typedef struct cs_test_record {
    char *source;
    char *package; /* NULL: the member did not say */
    char *name;    /* subtests as Parent/sub */
    cs_test_format format;
    char *outcomes;  /* one cs_outcome byte per run, in order, NUL-ended */
    uint64_t *lines; /* member line of each outcome */
    size_t n, cap;
    /* The member prints only failures (go test without -v): its passing
     * runs are not visible, so it says nothing about how many ran. */
    bool fails_only;
    /* source, package and name are the results' strings
     * (cs_results_intern_member), not this record's to free. */
    bool interned;
} cs_test_record;

cs_test_record *cs_test_record_new(const char *source, const char *package, const char *name,
                                   size_t name_len, cs_test_format format);
void cs_test_record_add(cs_test_record *r, cs_outcome o, uint64_t line);
void cs_test_record_free(cs_test_record *r);

/* Records of one member by (package, name), for readers that meet a test
 * many times (JUnit of go test -count=N): a hash table, so a member of many
 * tests does not pay a scan per outcome. The records belong to `out`. */
struct cs_results;
typedef struct cs_test_index {
    struct cs_results *out;
    const char *source;
    cs_test_format format;
    cs_test_record **v;
    size_t n, cap;
    uint32_t *slots; /* index + 1; 0 empty */
    size_t n_slots;
    size_t n_runs;
} cs_test_index;

void cs_test_index_init(cs_test_index *ix, struct cs_results *out, const char *source,
                        cs_test_format format);
/* Adds one run's outcome; false (nothing added) past
 * CS_MAX_TEST_RUNS_PER_MEMBER. */
bool cs_test_index_add(cs_test_index *ix, const char *package, const char *name, cs_outcome o,
                       uint64_t line);
/* The record of (package, name), or NULL; it belongs to the index's results. */
cs_test_record *cs_test_index_find(const cs_test_index *ix, const char *package, const char *name);
void cs_test_index_dispose(cs_test_index *ix);

/* ---- diagnostics (error entries) -------------------------------------- */
typedef struct cs_diag {
    char *source;  /* the input it is about */
    char *message; /* one line, says what to do when there is something */
} cs_diag;

/* ---- members (inventory) ---------------------------------------------- */
typedef enum cs_member_kind {
    CS_MK_TEXT,
    CS_MK_GO_TEST_JSON,
    CS_MK_JUNIT_XML,
    CS_MK_ELF_CORE,
    CS_MK_ELF_BINARY,
    CS_MK_ZIP,
    CS_MK_GZIP,
    CS_MK_XZ,
    CS_MK_ZSTD,
    CS_MK_BZIP2,
    CS_MK_TAR,
    CS_MK_BINARY,
    CS_MK_EMPTY,
    CS_MK_XML, /* XML that is not JUnit: read as text */
    CS_MK_COUNT
} cs_member_kind;

const char *cs_member_kind_name(cs_member_kind k);

typedef struct cs_member {
    char *source;
    cs_member_kind kind;
    uint64_t size;  /* bytes read (uncompressed) */
    char *elf_kind; /* ELF files: "executable", "shared-object", "debug-file",
                       "core", ...; NULL when not an ELF file or not looked at */
    char *build_id; /* ELF files: hex GNU build-id, or NULL */
} cs_member;

/* ---- identical stacks stored once ------------------------------------
 * A log repeats a stack (a retried test, a crash looping under a
 * supervisor, the same panic in every run of a pile): once a member is read
 * to its end, each trace whose threads equal an earlier trace's (same kind,
 * every field of every thread and frame as extracted) drops its own copy and
 * borrows the earlier one's (cs_trace.same_as). Output is unchanged: each
 * trace still has all its threads. */
typedef struct cs_share cs_share;
cs_share *cs_share_new(void);
void cs_share_free(cs_share *s);
struct cs_results;
/* Shares the threads of traces[first..] of r with earlier traces seen by s.
 * Every trace s has seen must outlive the ones that borrow from it (they
 * live in results merged into one, freed together). */
void cs_share_threads(cs_share *s, struct cs_results *r, size_t first);
uint64_t cs_share_threads_hash(const struct cs_trace *t);
bool cs_share_threads_equal(const struct cs_trace *a, const struct cs_trace *b);

/* ---- the run's string table --------------------------------------------
 * Equal strings stored once, in blocks freed together with the table: a
 * pile repeats a member's path in each of its traces and records, a
 * signature in every occurrence of its cluster, a headline or test name in
 * every copy of a job. An interned string is never freed or changed by the
 * struct that points at it (cs_trace.interned, cs_test_record.interned;
 * members' and diagnostics' sources and ELF strings always are), and lives
 * as long as the results that own the table. A zeroed table is empty. */
struct cs_strtab_block;
typedef struct cs_strtab {
    struct cs_strtab_block *blocks;
    const char **slots; /* NULL: empty */
    uint32_t *tags;     /* high half of each slot's hash */
    size_t n, cap;
    size_t bytes;          /* of strings stored, NULs included */
    const char *last_path; /* cs_strtab_path's one-string memory */
} cs_strtab;

/* The table's copy of s (of s[0..n) for _n), stored on first use. NULL for
 * NULL. The result lives until the table is disposed. */
const char *cs_strtab_intern(cs_strtab *t, const char *s);
const char *cs_strtab_intern_n(cs_strtab *t, const char *s, size_t n);
/* The same for a member's path: stored again unless it is the last path
 * stored (paths are mostly distinct and come in runs), never indexed. */
const char *cs_strtab_path(cs_strtab *t, const char *s);
/* The next path the table is given is probably s, which the caller keeps
 * alive as long as this table's strings (one of the strings of the table
 * this one will be adopted by): it is then not stored again. */
void cs_strtab_expect_path(cs_strtab *t, const char *s);
/* Moves every string of `from` into `to` (pointers to them stay valid) and
 * leaves `from` empty. */
void cs_strtab_adopt(cs_strtab *to, cs_strtab *from);
void cs_strtab_dispose(cs_strtab *t);

/* ---- the result of a run: owned vectors ------------------------------- */
typedef struct cs_results {
    cs_trace **traces;
    size_t n_traces, cap_traces;
    cs_diag *diags;
    size_t n_diags, cap_diags;
    cs_member *members;
    size_t n_members, cap_members;
    cs_test_record **tests;
    size_t n_tests, cap_tests;
    cs_strtab strs; /* the strings the records above share */
} cs_results;

void cs_results_init(cs_results *r);
void cs_results_dispose(cs_results *r);
void cs_results_add_trace(cs_results *r, cs_trace *t);      /* takes ownership */
void cs_results_add_test(cs_results *r, cs_test_record *t); /* takes ownership */
void cs_results_add_diag(cs_results *r, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cs_results_add_diagv(cs_results *r, const char *source, const char *fmt, va_list ap);
void cs_results_add_member(cs_results *r, const char *source, cs_member_kind kind, uint64_t size,
                           const char *elf_kind, const char *build_id);
/* Frees every trace, diagnostic, member and test record from the given
 * counts on (the records of files a run left out). */
void cs_results_truncate(cs_results *r, size_t traces, size_t diags, size_t members, size_t tests);
/* A member is read to its end: its traces from traces[first_trace] and test
 * records from tests[first_test] on are final (no stage before the report
 * frees or changes their strings any more), so their source, headline and
 * test (records: source, package and name) become r's strings. */
void cs_results_intern_member(cs_results *r, size_t first_trace, size_t first_test);
/* Normalize has filled t's signature and normalized headline: they become
 * r's strings (t must be one of r's traces). */
void cs_results_intern_signature(cs_results *r, cs_trace *t);
/* Moves everything of `from` to the end of `to`, leaving `from` empty
 * (its strings too: they become `to`'s). */
void cs_results_move(cs_results *to, cs_results *from);
/* Sorts traces by (source, line, seq), diagnostics by (source, message),
 * members by source and test records by (source, package, name, format): output no longer depends
 * on input order or threads. */
void cs_results_sort(cs_results *r);
/* Sorts traces[first..] only (same order as cs_results_sort). */
void cs_results_sort_traces_from(cs_results *r, size_t first);

#endif
