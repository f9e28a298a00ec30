/* core_unwind.c - one core: sanity checks and notes with libelf, then the
 * libdwfl sequence of elfutils' src/stack.c: core_file_report -> report_end
 * -> core_file_attach -> getthreads -> thread_getframes. Output goes to the
 * record stream (core_wire.c), never straight to the model, so the same
 * code runs in the forked child and in-process. */
#define _GNU_SOURCE
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../base/error.h"
#include "../base/util.h"
#include "core_internal.h"

#define NT_SIGINFO_ 0x53494749 /* "SIGI"; not in every elf.h */

/* libdwfl's callbacks carry no user pointer for the whole session, so the
 * core being unwound is published here. One core at a time per process (the
 * child, or the caller's thread in-process). */
static _Thread_local core_ctx *cur;

/* ---- finding binaries ------------------------------------------------- */

static char *hex_id(const unsigned char *bits, int n)
{
    char *s = cs_xmalloc((size_t)n * 2 + 1);
    for (int i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", bits[i]);
    return s;
}

static char *mod_build_id(Dwfl_Module *mod)
{
    const unsigned char *bits;
    GElf_Addr vaddr;
    int n = dwfl_module_build_id(mod, &bits, &vaddr);
    return n > 0 && n <= 64 ? hex_id(bits, n) : NULL;
}

/* Order: the input set (by build-id), then libdwfl's own build-id lookup
 * (the debuginfo path: --debug-dir, /usr/lib/debug), then --sysroot + the
 * path recorded in the core. libdwfl has already tried the recorded path
 * itself, checking the build-id, before it asks us. */
static int find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                    char **file_name, Elf **elfp)
{
    *elfp = NULL;
    char *id = mod_build_id(mod);
    const core_bin *b = id && cur ? cs_core_bin_find(cur->idx, id, false) : NULL;
    free(id);
    if (b && b->path) {
        int fd = cs_core_bin_open(b);
        if (fd >= 0) {
            *file_name = cs_xstrdup(b->path);
            return fd;
        }
    } else if (b) {
        /* libelf only reads the image (a foreign byte order is converted
         * into its own copies), and the index outlives this Dwfl. */
        *elfp = elf_memory((char *)b->bytes, b->n);
        if (*elfp) {
            *file_name = cs_xstrdup(b->source);
            return -1;
        }
    }
    int fd = dwfl_build_id_find_elf(mod, userdata, modname, base, file_name, elfp);
    if (fd >= 0 || *elfp) return fd;
    if (cur && cur->opts->sysroot && modname && modname[0] == '/') {
        char *p = cs_xasprintf("%s%s", cur->opts->sysroot, modname);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            *file_name = p; /* libdwfl checks the build-id */
            return fd;
        }
        free(p);
    }
    return -1;
}

static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                          const char *file_name, const char *debuglink_file,
                          GElf_Word debuglink_crc, char **debuginfo_file_name)
{
    char *id = mod_build_id(mod);
    const core_bin *b = id && cur ? cs_core_bin_find(cur->idx, id, true) : NULL;
    free(id);
    if (b) {
        int fd = cs_core_bin_open(b);
        if (fd >= 0) {
            *debuginfo_file_name = cs_xstrdup(b->path ? b->path : b->source);
            return fd;
        }
    }
    return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
                                        debuglink_crc, debuginfo_file_name);
}

void cs_core_ctx_init(core_ctx *c, const cs_core_index *idx, const cs_core_opts *opts)
{
    memset(c, 0, sizeof *c);
    c->idx = idx;
    c->opts = opts;
    c->cache = cs_symcache_new();
    /* libdwfl's path syntax: ':'-separated; an empty element is the main
     * file's directory, ".debug" a subdirectory of it; "-" turns off CRC
     * checks of debuglink files (build-ids are checked anyway). */
    cs_buf b;
    cs_buf_init(&b, 0);
    cs_buf_adds(&b, "-:.debug");
    for (size_t i = 0; i < opts->n_debug_dirs && i < CS_CORE_MAX_DEBUG_DIRS; i++)
        if (opts->debug_dirs[i]) cs_buf_printf(&b, ":%s", opts->debug_dirs[i]);
    if (opts->sysroot) cs_buf_printf(&b, ":%s/usr/lib/debug", opts->sysroot);
    if (!opts->no_system) cs_buf_adds(&b, ":/usr/lib/debug");
    c->debuginfo_path = cs_buf_take(&b);
    cs_buf_dispose(&b);
}

void cs_core_ctx_dispose(core_ctx *c)
{
    cs_symcache_free(c->cache);
    free(c->debuginfo_path);
    memset(c, 0, sizeof *c);
}

/* ---- notes ------------------------------------------------------------ */

typedef struct tinfo {
    long long tid;
    int cursig;
} tinfo;

typedef struct notes {
    int signo, code;
    uint64_t addr;
    bool have_siginfo;
    char fname[17];
    char psargs[81];
    tinfo *threads;
    size_t n_threads, cap_threads;
    bool bad; /* a note segment could not be read */
} notes;

static uint64_t rd_u(const unsigned char *p, size_t k, bool big)
{
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++)
        v |= (uint64_t)p[big ? k - 1 - i : i] << (8 * i);
    return v;
}

static void copy_str(char *dst, size_t cap, const unsigned char *src, size_t n)
{
    size_t k = 0;
    while (k < n && k + 1 < cap && src[k])
        k++;
    memcpy(dst, src, k);
    dst[k] = '\0';
    while (k && dst[k - 1] == ' ')
        dst[--k] = '\0';
    for (size_t i = 0; i < k; i++)
        if ((unsigned char)dst[i] < 0x20) dst[i] = '?';
}

static void read_notes(Elf *elf, size_t size, const GElf_Ehdr *eh, notes *nt)
{
    bool big = eh->e_ident[EI_DATA] == ELFDATA2MSB;
    bool is64 = eh->e_ident[EI_CLASS] == ELFCLASS64;
    size_t np;
    if (elf_getphdrnum(elf, &np)) return;
    for (size_t i = 0; i < np; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE) continue;
        /* A truncated core keeps the notes that are whole. */
        uint64_t len = ph.p_filesz;
        if (ph.p_offset >= size) {
            nt->bad = true;
            continue;
        }
        if (len > size - ph.p_offset) len = size - ph.p_offset;
        Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, len, ELF_T_NHDR);
        if (!d) {
            nt->bad = true;
            continue;
        }
        size_t off = 0, name_off, desc_off;
        GElf_Nhdr nh;
        while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
            const char *name = (const char *)d->d_buf + name_off;
            const unsigned char *desc = (const unsigned char *)d->d_buf + desc_off;
            size_t dn = nh.n_descsz;
            if (nh.n_namesz != 5 || memcmp(name, "CORE", 5)) continue;
            if (nh.n_type == NT_PRSTATUS && dn >= (is64 ? 36u : 28u)) {
                /* elf_prstatus: siginfo (3 ints), short cursig, then two
                 * longs (sigpend, sighold), then pid_t pid. */
                tinfo *t = CS_PUSH(nt->threads, nt->n_threads, nt->cap_threads);
                t->cursig = (int)rd_u(desc + 12, 2, big);
                t->tid = (long long)(int32_t)rd_u(desc + (is64 ? 32 : 24), 4, big);
            } else if (nh.n_type == NT_PRPSINFO && dn >= 96) {
                /* Every layout ends with fname[16] and psargs[80]. */
                copy_str(nt->fname, sizeof nt->fname, desc + dn - 96, 16);
                copy_str(nt->psargs, sizeof nt->psargs, desc + dn - 80, 80);
            } else if (nh.n_type == NT_SIGINFO_ && dn >= (is64 ? 24u : 16u) && !nt->have_siginfo) {
                nt->have_siginfo = true;
                nt->signo = (int)rd_u(desc, 4, big);
                nt->code = (int)(int32_t)rd_u(desc + 8, 4, big);
                nt->addr = is64 ? rd_u(desc + 16, 8, big) : rd_u(desc + 12, 4, big);
            }
        }
    }
}

static const char *sig_name(int sig, const char **desc)
{
    static const struct {
        int no;
        const char *name, *desc;
    } t[] = {
        {SIGHUP, "SIGHUP", "hangup"},
        {SIGINT, "SIGINT", "interrupt"},
        {SIGQUIT, "SIGQUIT", "quit"},
        {SIGILL, "SIGILL", "illegal instruction"},
        {SIGTRAP, "SIGTRAP", "trace/breakpoint trap"},
        {SIGABRT, "SIGABRT", "aborted"},
        {SIGBUS, "SIGBUS", "bus error"},
        {SIGFPE, "SIGFPE", "floating-point exception"},
        {SIGKILL, "SIGKILL", "killed"},
        {SIGUSR1, "SIGUSR1", "user-defined signal 1"},
        {SIGSEGV, "SIGSEGV", "segmentation fault"},
        {SIGUSR2, "SIGUSR2", "user-defined signal 2"},
        {SIGPIPE, "SIGPIPE", "broken pipe"},
        {SIGALRM, "SIGALRM", "alarm clock"},
        {SIGTERM, "SIGTERM", "terminated"},
        {SIGSTOP, "SIGSTOP", "stopped"},
        {SIGXCPU, "SIGXCPU", "CPU time limit exceeded"},
        {SIGXFSZ, "SIGXFSZ", "file size limit exceeded"},
        {SIGSYS, "SIGSYS", "bad system call"},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(t); i++)
        if (t[i].no == sig) {
            *desc = t[i].desc;
            return t[i].name;
        }
    return NULL;
}

static char *headline(const notes *nt, int sig, uint16_t machine)
{
    cs_buf b;
    cs_buf_init(&b, 0);
    /* Signal numbers above are the generic Linux ones; MIPS, SPARC and
     * Alpha number some differently, so those get only the number. */
    bool generic = machine != EM_MIPS && machine != EM_SPARC && machine != EM_SPARCV9 &&
                   machine != EM_SPARC32PLUS && machine != EM_ALPHA;
    const char *desc = NULL;
    const char *name = generic && sig > 0 ? sig_name(sig, &desc) : NULL;
    if (name)
        cs_buf_printf(&b, "%s (%s)", name, desc);
    else if (sig > 0)
        cs_buf_printf(&b, "signal %d", sig);
    else
        cs_buf_adds(&b, "core dump");
    /* The fault address is meaningful for kernel-sent fault signals only. */
    bool fault = generic && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE);
    if (nt->have_siginfo && nt->signo == sig && fault && nt->code > 0)
        cs_buf_printf(&b, " at 0x%llx", (unsigned long long)nt->addr);
    const char *prog = nt->psargs[0] ? nt->psargs : nt->fname;
    if (prog[0]) cs_buf_printf(&b, " in %s", prog);
    char *s = cs_buf_take(&b);
    cs_buf_dispose(&b);
    return s;
}

/* ---- threads and frames ----------------------------------------------- */

typedef struct rawframe {
    uint64_t pc;
    bool is_return;
} rawframe;

typedef struct rawthread {
    long long tid;
    rawframe *f;
    size_t n, cap;
    bool elided;
} rawthread;

typedef struct unw {
    rawthread *t;
    size_t n, cap;
    size_t dropped;
} unw;

/* libdwfl's last error; it has none (NULL, printed "(null)") when a callback
 * ended the walk or libelf failed underneath it. */
static const char *dwfl_why(void)
{
    const char *m = dwfl_errmsg(-1);
    if (m && *m) return m;
    m = elf_errmsg(-1);
    return m && *m ? m : "no reason given by libdwfl";
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
    rawthread *t = arg;
    Dwarf_Addr pc;
    bool act;
    if (!dwfl_frame_pc(state, &pc, &act)) return DWARF_CB_ABORT;
    if (t->n >= CS_MAX_FRAMES) {
        t->elided = true;
        return DWARF_CB_ABORT;
    }
    rawframe *f = CS_PUSH(t->f, t->n, t->cap);
    f->pc = pc;
    f->is_return = !act;
    return DWARF_CB_OK;
}

static int thread_cb(Dwfl_Thread *thread, void *arg)
{
    unw *u = arg;
    if (u->n >= CS_MAX_THREADS) {
        u->dropped++;
        return DWARF_CB_OK;
    }
    rawthread *t = CS_PUSH(u->t, u->n, u->cap);
    memset(t, 0, sizeof *t);
    t->tid = dwfl_thread_tid(thread);
    /* An error here usually just ends the chain (no CFI for the outermost
     * frame); the frames found so far are kept. */
    dwfl_thread_getframes(thread, frame_cb, t);
    return DWARF_CB_OK;
}

/* Per-core memo of module facts (one Dwfl_Module per mapping). */
typedef struct modrec {
    Dwfl_Module *mod;
    core_modinfo mi;
    char *build_id;
    bool used; /* appears in a frame */
} modrec;

typedef struct mods {
    modrec *m;
    size_t n, cap;
} mods;

static modrec *mod_info(mods *ms, Dwfl_Module *mod)
{
    for (size_t i = 0; i < ms->n; i++)
        if (ms->m[i].mod == mod) return &ms->m[i];
    modrec *r = CS_PUSH(ms->m, ms->n, ms->cap);
    memset(r, 0, sizeof *r);
    r->mod = mod;
    Dwarf_Addr start = 0;
    const char *name = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
    Dwarf_Addr bias;
    /* The ELF first: libdwfl may only learn the build-id from the file. */
    r->mi.have_elf = dwfl_module_getelf(mod, &bias) != NULL;
    r->build_id = mod_build_id(mod);
    r->mi.name = name;
    r->mi.build_id = r->build_id;
    r->mi.start = start;
    return r;
}

static void missing_diag(mods *ms, cs_buf *rec)
{
    size_t n = 0;
    cs_buf b;
    cs_buf_init(&b, 0);
    for (size_t i = 0; i < ms->n; i++) {
        modrec *r = &ms->m[i];
        if (!r->used || r->mi.have_elf) continue;
        if (n < CS_CORE_MAX_MISSING_LISTED) {
            cs_buf_printf(&b, "%sbuild-id %s (the core expected %s)", n ? ", " : "",
                          r->build_id ? r->build_id : "unknown", r->mi.name ? r->mi.name : "?");
        }
        n++;
    }
    if (n) {
        char *msg =
            cs_xasprintf("%zu module%s not found, frames there show "
                         "module@build-id+offset only: %s%s; add %s (or %s .debug "
                         "files) to the inputs, or pass --debug-dir/--sysroot",
                         n, n == 1 ? "" : "s", b.ptr, n > CS_CORE_MAX_MISSING_LISTED ? ", ..." : "",
                         n == 1 ? "that binary" : "those binaries", n == 1 ? "its" : "their");
        cs_wire_diag(rec, msg);
        free(msg);
    }
    cs_buf_dispose(&b);
}

/* Checks that make libelf/libdwfl's job safe or explain their failure. */
static int precheck(Elf *elf, size_t size, GElf_Ehdr *eh, cs_buf *rec)
{
    if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, eh)) {
        cs_wire_diag(rec, "not a readable ELF file; core skipped");
        return CS_E_CORRUPT;
    }
    if (eh->e_type != ET_CORE) {
        cs_wire_diag(rec, "ELF file is not a core dump; skipped");
        return CS_E_UNSUPPORTED;
    }
    size_t np;
    if (elf_getphdrnum(elf, &np) || np == 0) {
        cs_wire_diag(rec, "core has no readable program headers (truncated?); skipped");
        return CS_E_CORRUPT;
    }
    uint64_t missing = 0, total = 0;
    for (size_t i = 0; i < np; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph)) {
            cs_wire_diag(rec, "core program headers are out of bounds (truncated?); skipped");
            return CS_E_CORRUPT;
        }
        if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE) continue;
        /* Sizes are the core's claims: sums saturate instead of wrapping
         * into a "missing" larger than the "total". */
        uint64_t lost = ph.p_offset >= size                ? ph.p_filesz
                        : ph.p_filesz > size - ph.p_offset ? ph.p_filesz - (size - ph.p_offset)
                                                           : 0;
        if (__builtin_add_overflow(total, ph.p_filesz, &total)) total = UINT64_MAX;
        if (__builtin_add_overflow(missing, lost, &missing)) missing = UINT64_MAX;
    }
    if (missing) {
        char *m = total == UINT64_MAX
                      ? cs_xasprintf("core is truncated: its segments claim more bytes than any "
                                     "file can hold and the file has %llu; threads or frames "
                                     "may be missing",
                                     (unsigned long long)size)
                      : cs_xasprintf("core is truncated: %llu of %llu bytes of its segments are "
                                     "missing; threads or frames may be missing",
                                     (unsigned long long)missing, (unsigned long long)total);
        cs_wire_diag(rec, m);
        free(m);
    }
    return 0;
}

static void emit_thread(core_ctx *c, Dwfl *dwfl, mods *ms, const rawthread *t, cs_role role,
                        cs_buf *rec, bool *full)
{
    char name[32];
    snprintf(name, sizeof name, "LWP %lld", t->tid);
    if (cs_wire_thread(rec, role, t->tid, name)) {
        *full = true;
        return;
    }
    for (size_t i = 0; i < t->n && !*full; i++) {
        const rawframe *f = &t->f[i];
        uint64_t adj = f->is_return && f->pc ? f->pc - 1 : f->pc;
        Dwfl_Module *mod = dwfl_addrmodule(dwfl, adj);
        modrec *r = mod ? mod_info(ms, mod) : NULL;
        if (r) r->used = true;
        if (cs_core_symbolize(c, mod, r ? &r->mi : NULL, f->pc, f->is_return, rec)) *full = true;
    }
    if (t->elided && !*full) *full = cs_wire_trunc(rec) != 0;
}

void cs_core_unwind_item(core_ctx *c, const core_item *it, cs_buf *rec)
{
    cs_buf_clear(rec);
    size_t max = rec->max;
    void *map = NULL;
    const unsigned char *image = it->ptr;
    if (it->fd >= 0 && it->n) {
        map = mmap(NULL, it->n, PROT_READ, MAP_PRIVATE, it->fd, 0);
        if (map == MAP_FAILED) {
            cs_wire_diag(rec, "could not map the stored core; skipped");
            return;
        }
        image = map;
    }
    Elf *elf = image ? elf_memory((char *)image, it->n) : NULL;
    Dwfl *dwfl = NULL;
    notes nt = {0};
    unw u = {0};
    mods ms = {0};
    GElf_Ehdr eh;
    if (precheck(elf, it->n, &eh, rec)) goto done;
    read_notes(elf, it->n, &eh, &nt);
    if (!nt.n_threads) {
        cs_wire_diag(rec, nt.bad ? "core notes are out of bounds: no thread to unwind; skipped"
                                 : "core has no thread notes (NT_PRSTATUS): nothing to "
                                   "unwind; skipped");
        goto done;
    }

    Dwfl_Callbacks cb = {
        .find_elf = find_elf,
        .find_debuginfo = find_debuginfo,
        .debuginfo_path = &c->debuginfo_path,
    };
    cur = c;
    dwfl = dwfl_begin(&cb);
    if (!dwfl) {
        cs_wire_diag(rec, "libdwfl could not start; core skipped");
        goto done;
    }
    if (dwfl_core_file_report(dwfl, elf, NULL) < 0) {
        char *m = cs_xasprintf("cannot read the module list of the core (%s); frames will "
                               "have addresses only",
                               dwfl_why());
        cs_wire_diag(rec, m);
        free(m);
    }
    dwfl_report_end(dwfl, NULL, NULL);
    if (dwfl_core_file_attach(dwfl, elf) < 0) {
        char *m = cs_xasprintf("cannot read the threads of the core (%s); skipped", dwfl_why());
        cs_wire_diag(rec, m);
        free(m);
        goto done;
    }
    if (dwfl_getthreads(dwfl, thread_cb, &u) != 0 && u.n == 0) {
        char *m = cs_xasprintf("cannot unwind the threads of the core (%s); skipped", dwfl_why());
        cs_wire_diag(rec, m);
        free(m);
        goto done;
    }
    if (!u.n) {
        cs_wire_diag(rec, "core has no threads to unwind; skipped");
        goto done;
    }

    /* The crashing thread: the first whose NT_PRSTATUS carries the signal
     * (kernels before 5.x mark only that one; newer ones and gdb put it
     * first), else the first thread. */
    int sig = nt.have_siginfo ? nt.signo : 0;
    long long crashed = nt.threads[0].tid;
    if (!sig) sig = nt.threads[0].cursig;
    for (size_t i = 0; i < nt.n_threads; i++)
        if (sig && nt.threads[i].cursig == sig) {
            crashed = nt.threads[i].tid;
            break;
        }
    size_t first = 0;
    for (size_t i = 0; i < u.n; i++)
        if (u.t[i].tid == crashed) {
            first = i;
            break;
        }

    char *h = headline(&nt, sig, eh.e_machine);
    cs_wire_trace(rec, h);
    free(h);
    /* Keep room for the closing records whatever the frames took. */
    rec->max = max > 65536 ? max - 65536 : max;
    bool full = false;
    emit_thread(c, dwfl, &ms, &u.t[first], CS_ROLE_CRASHED, rec, &full);
    for (size_t i = 0; i < u.n && !full; i++)
        if (i != first) emit_thread(c, dwfl, &ms, &u.t[i], CS_ROLE_OTHER, rec, &full);
    rec->max = max;
    if (full || u.dropped) cs_wire_trunc(rec);
    missing_diag(&ms, rec);

done:
    rec->max = max;
    cur = NULL;
    if (dwfl) dwfl_end(dwfl);
    if (elf) elf_end(elf);
    if (map) munmap(map, it->n);
    for (size_t i = 0; i < u.n; i++)
        free(u.t[i].f);
    free(u.t);
    for (size_t i = 0; i < ms.n; i++)
        free(ms.m[i].build_id);
    free(ms.m);
    free(nt.threads);
}
