/* core_internal.h - shared by the files of the core module only.
 *
 *   core.c          index of binaries, deferred cores, the public entry points
 *   core_child.c    the forked child and its pipe protocol (or in-process)
 *   core_unwind.c   one core: notes, libdwfl report/attach/getthreads
 *   core_symbols.c  symbolization, inline expansion, demangling, the cache
 *   core_wire.c     the record stream both modes produce and one decoder
 */
#ifndef CS_CORE_INTERNAL_H
#define CS_CORE_INTERNAL_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "core.h"

/* One candidate binary. Exactly one of path / bytes is set. */
typedef struct core_bin {
    char *build_id; /* lowercase hex */
    char *source;
    char *path;           /* plain file on disk, opened when needed */
    unsigned char *bytes; /* or the whole file in memory (owned) */
    size_t n;
    bool has_code;  /* a PROGBITS .text: usable as the main ELF */
    bool has_debug; /* .debug_info with contents: usable as debuginfo */
    int memfd;      /* lazily made for find_debuginfo (-1: not yet) */
} core_bin;

/* One core to unwind: memory or a file descriptor (temp file). */
typedef struct core_item {
    char *source;
    const unsigned char *ptr; /* memory image, or NULL */
    unsigned char *owned;     /* == ptr when the index owns it */
    size_t n;
    int fd; /* -1 unless spilled to a temp file */
    bool failed;
    char *fail_msg;
} core_item;

struct cs_core_index {
    core_bin *bins;
    size_t n_bins, cap_bins;
    uint64_t mem_bins; /* bytes of binaries held in memory */
    core_item *items;
    size_t n_items, cap_items;
    uint64_t mem_items;
    cs_core_opts opts;
};

struct cs_core_pending {
    cs_core_index *idx;
    core_item it;
    size_t cap;
    uint64_t max;
    int err; /* first write error, 0 */
};

/* Best binary in the index for a build-id: want_debug picks one with
 * .debug_info, otherwise one with code. NULL if none. */
const core_bin *cs_core_bin_find(const cs_core_index *idx, const char *build_id, bool want_debug);
/* An fd for the binary (caller closes it), or -1. */
int cs_core_bin_open(const core_bin *b);

/* ---- symbol cache (core_symbols.c) ----------------------------------- */
typedef struct cs_symcache cs_symcache;
cs_symcache *cs_symcache_new(void);
void cs_symcache_free(cs_symcache *c);

/* ---- wire records (core_wire.c) -------------------------------------- */
/* All output of one core goes through a cs_buf as records; the decoder
 * turns them into one trace plus diagnostics. The stream comes from a child
 * that may have gone wrong, so the decoder trusts nothing. */
enum { CS_W_TRACE = 'T', CS_W_THREAD = 'H', CS_W_FRAME = 'F', CS_W_DIAG = 'D', CS_W_TRUNC = 'X' };
#define CS_W_FRAME_RETURN 1u
#define CS_W_FRAME_INLINED 2u
#define CS_W_FRAME_OFFSET 4u
#define CS_W_FRAME_DYNSYM 8u

typedef struct cs_wframe {
    uint64_t pc, offset;
    int line, column;
    unsigned flags;
    const char *function, *file, *module, *build_id;
} cs_wframe;

/* Each returns CS_E_LIMIT when the buffer is full (nothing half-written). */
int cs_wire_trace(cs_buf *b, const char *headline);
int cs_wire_thread(cs_buf *b, cs_role role, long long id, const char *name);
int cs_wire_frame(cs_buf *b, const cs_wframe *f);
int cs_wire_diag(cs_buf *b, const char *msg);
int cs_wire_trunc(cs_buf *b);
/* Decodes one core's records into `out`. Returns 0 or CS_E_CORRUPT (what
 * was decoded up to the bad record is kept). */
int cs_wire_decode(const unsigned char *p, size_t n, const char *source, cs_results *out);

/* ---- one core (core_unwind.c) ---------------------------------------- */
typedef struct core_ctx {
    const cs_core_index *idx;
    const cs_core_opts *opts;
    cs_symcache *cache;
    char *debuginfo_path; /* for Dwfl_Callbacks */
} core_ctx;

void cs_core_ctx_init(core_ctx *c, const cs_core_index *idx, const cs_core_opts *opts);
void cs_core_ctx_dispose(core_ctx *c);
/* Unwinds one core into records in `rec` (cleared first). Always leaves
 * either a trace or a diagnostic in `rec`. */
void cs_core_unwind_item(core_ctx *c, const core_item *it, cs_buf *rec);

/* Symbolizes pc (an adjusted pc inside mod) into frames written to rec:
 * the inlined chain innermost first, then the containing function. */
typedef struct core_modinfo {
    const char *name;
    const char *build_id; /* hex or NULL */
    uint64_t start;
    bool have_elf;
} core_modinfo;
int cs_core_symbolize(core_ctx *c, Dwfl_Module *mod, const core_modinfo *mi, uint64_t pc,
                      bool is_return, cs_buf *rec);

/* ---- child (core_child.c) -------------------------------------------- */
/* Unwinds items[0..n) in one child (restarted after a failure), or in this
 * process when opts->in_process. */
void cs_core_run(const cs_core_index *idx, const core_item *items, size_t n,
                 const cs_core_opts *opts, cs_results *out);

#endif
