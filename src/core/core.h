/* core.h - ELF core dumps to traces: every thread unwound with libdwfl and
 * symbolized (function, file:line, inlined frames) against the binaries found
 * in the same input set, then the debug/system paths. The only user of
 * libdw/libdwfl/libelf in crashsift.
 *
 * Guarantees:
 * - A core becomes one trace of kind CS_TK_CORE (line_start 0): the crashing
 *   thread first (CS_ROLE_CRASHED), then every other thread (CS_ROLE_OTHER),
 *   frames innermost first, inlined calls expanded (frame.inlined), or it
 *   becomes a diagnostic naming the problem. Never both missing.
 * - Cores are untrusted and libdw is "crash-happy" on malformed data: unless
 *   opts.in_process is set, unwinding runs in a forked child that streams
 *   results back over a pipe, capped in size (CS_CORE_MAX_OUTPUT) and time
 *   (opts.timeout_ms per core). A crash, hang or runaway costs that one core
 *   (a diagnostic), not the run.
 * - Missing binaries are normal: frames then carry module + offset +
 *   build-id, and a diagnostic lists the missing modules with their build-ids
 *   so the user knows what to upload.
 * - Symbol lookups are cached by build-id + offset for all cores unwound in
 *   one call, so the 2nd..Nth core of one binary is cheap.
 *
 * Ownership: the index owns everything added to it (binaries, deferred
 * cores); traces and diagnostics go to the caller's cs_results. */
#ifndef CS_CORE_H
#define CS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/model.h"

#define CS_CORE_DEFAULT_MAX_CORE (2ULL << 30)  /* bytes of one core */
#define CS_CORE_DEFAULT_MAX_INDEX (4ULL << 30) /* binary bytes kept in memory */
#define CS_CORE_DEFAULT_TIMEOUT_MS 120000u     /* per core, child mode */
#define CS_CORE_PENDING_MEM                                                                        \
    (256ULL << 20)                     /* deferred cores kept in RAM,                              \
                                          the rest spill to /tmp */
#define CS_CORE_MAX_OUTPUT (64u << 20) /* child output per core */
#define CS_CORE_MAX_MISSING_LISTED 8   /* modules named in the diag */
#define CS_CORE_MAX_DEBUG_DIRS 16

typedef struct cs_core_opts {
    const char *debug_dirs[CS_CORE_MAX_DEBUG_DIRS]; /* --debug-dir, searched in order */
    size_t n_debug_dirs;
    const char *sysroot; /* --sysroot: module paths are looked up below it */
    bool in_process;     /* --core-in-process: no fork (debugging, fuzzing) */
    bool no_system;      /* do not search /usr/lib/debug and system libraries */
    unsigned timeout_ms; /* per core, child mode; 0: default */
    uint64_t max_core;   /* bytes; 0: default */
} cs_core_opts;

void cs_core_opts_default(cs_core_opts *o);

typedef struct cs_core_index cs_core_index;

/* A new, empty index of candidate binaries and deferred cores. */
cs_core_index *cs_core_index_new(const cs_core_opts *opts);
void cs_core_index_free(cs_core_index *idx); /* accepts NULL */

/* Adds an ELF binary (executable, shared object or separate .debug file)
 * from memory, keyed by its GNU build-id. Takes ownership of `bytes` (a
 * malloc'd buffer) in every case. Returns 0, CS_E_NOTFOUND when the file
 * has no build-id (it cannot be matched; not an error for the run),
 * CS_E_CORRUPT when it is not a readable ELF file, CS_E_LIMIT past the
 * index's memory budget. Broken headers are reported to `out` (which may be
 * NULL) even when the file stays usable. */
int cs_core_index_add(cs_core_index *idx, const char *source, unsigned char *bytes, size_t n,
                      cs_results *out);
/* Same for a plain file on disk, which is then opened again when needed
 * rather than kept in memory. Returns CS_E_UNSUPPORTED when `path` is not a
 * plain ELF file (e.g. compressed): the caller then reads it and uses
 * cs_core_index_add; other results as for cs_core_index_add. */
int cs_core_index_add_file(cs_core_index *idx, const char *source, const char *path,
                           cs_results *out);
/* What an ELF file is, for the inventory: *kind "executable", "shared-object",
 * "debug-file", "relocatable" or "core", with ", stripped" (no symbol table)
 * or ", with debug info" (DWARF); *build_id the GNU build-id in hex, or NULL.
 * Either the file at `path` (a plain file) or `bytes`. Both results are
 * fresh (the caller frees them). Returns 0, CS_E_IO when the file cannot be
 * opened, CS_E_CORRUPT when it is not a readable ELF file. */
int cs_core_describe(const char *path, const void *bytes, size_t n, char **kind, char **build_id);
/* Number of binaries indexed. */
size_t cs_core_index_count(const cs_core_index *idx);
/* Drops the binaries and deferred cores whose source `gone` names: what a
 * run read past its budget and then left out, so no core or symbol depends
 * on how far the workers had got. */
void cs_core_index_forget(cs_core_index *idx, bool (*gone)(const char *source, void *user),
                          void *user);

/* Deferring cores until every binary of the input set is indexed: a core is
 * written in chunks (kept in memory, or in an unlinked O_TMPFILE in /tmp
 * past CS_CORE_PENDING_MEM). defer_end(ok=false) drops it. Write errors
 * (CS_E_LIMIT past max_core, CS_E_IO) leave the core marked failed; end()
 * then records a diagnostic for it in `out`. */
typedef struct cs_core_pending cs_core_pending;
cs_core_pending *cs_core_defer_begin(cs_core_index *idx, const char *source);
int cs_core_defer_write(cs_core_pending *p, const void *data, size_t n);
void cs_core_defer_end(cs_core_pending *p, bool ok, cs_results *out);
size_t cs_core_deferred_count(const cs_core_index *idx);

/* Unwinds every deferred core, in the order they were deferred, appending
 * traces and diagnostics to `out`, and empties the queue. */
/* A core that is a plain file: kept as the open fd (taken) and read in
 * place when unwound (mmap), never copied. */
int cs_core_defer_fd(cs_core_index *idx, const char *source, int fd, uint64_t size,
                     cs_results *out);
int cs_core_unwind_deferred(cs_core_index *idx, const cs_core_opts *opts, cs_results *out);

/* Unwinds one core held by the caller (not copied). Appends one trace or a
 * diagnostic to `out`. Returns 0, or a negative code when no trace came out
 * (the diagnostic says why). */
int cs_core_unwind(cs_core_index *idx, const char *source, const void *core, size_t n,
                   const cs_core_opts *opts, cs_results *out);

#endif
