/* core.c - the index of candidate binaries (by build-id), the queue of
 * deferred cores, and the public entry points. */
#define _GNU_SOURCE
#include "core.h"

#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/error.h"
#include "../base/util.h"
#include "core_internal.h"

void cs_core_opts_default(cs_core_opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_ms = CS_CORE_DEFAULT_TIMEOUT_MS;
    o->max_core = CS_CORE_DEFAULT_MAX_CORE;
}

cs_core_index *cs_core_index_new(const cs_core_opts *opts)
{
    /* libelf needs this once per process; it is idempotent. */
    elf_version(EV_CURRENT);
    cs_core_index *idx = cs_xcalloc(1, sizeof *idx);
    if (opts)
        idx->opts = *opts;
    else
        cs_core_opts_default(&idx->opts);
    if (!idx->opts.max_core) idx->opts.max_core = CS_CORE_DEFAULT_MAX_CORE;
    return idx;
}

static void item_dispose(core_item *it)
{
    free(it->source);
    free(it->owned);
    free(it->fail_msg);
    if (it->fd >= 0) close(it->fd);
    memset(it, 0, sizeof *it);
    it->fd = -1;
}

static void bin_dispose(core_bin *b)
{
    free(b->build_id);
    free(b->source);
    free(b->path);
    free(b->bytes);
    if (b->memfd >= 0) close(b->memfd);
}

void cs_core_index_free(cs_core_index *idx)
{
    if (!idx) return;
    for (size_t i = 0; i < idx->n_bins; i++)
        bin_dispose(&idx->bins[i]);
    free(idx->bins);
    for (size_t i = 0; i < idx->n_items; i++)
        item_dispose(&idx->items[i]);
    free(idx->items);
    free(idx);
}

void cs_core_index_forget(cs_core_index *idx, bool (*gone)(const char *source, void *user),
                          void *user)
{
    size_t w = 0;
    for (size_t i = 0; i < idx->n_bins; i++) {
        if (gone(idx->bins[i].source, user)) {
            if (idx->bins[i].bytes) idx->mem_bins -= idx->bins[i].n;
            bin_dispose(&idx->bins[i]);
        } else {
            idx->bins[w++] = idx->bins[i];
        }
    }
    idx->n_bins = w;
    w = 0;
    for (size_t i = 0; i < idx->n_items; i++) {
        if (gone(idx->items[i].source, user)) {
            if (idx->items[i].fd < 0 && idx->items[i].owned) idx->mem_items -= idx->items[i].n;
            item_dispose(&idx->items[i]);
        } else {
            idx->items[w++] = idx->items[i];
        }
    }
    idx->n_items = w;
}

size_t cs_core_index_count(const cs_core_index *idx)
{
    return idx->n_bins;
}

size_t cs_core_deferred_count(const cs_core_index *idx)
{
    return idx->n_items;
}

/* What an ELF file offers: its build-id (hex, fresh), whether it has code
 * and DWARF, and what it is for the inventory (*kind, static). Returns
 * CS_E_CORRUPT for a non-ELF, CS_E_NOTFOUND without a build-id. *why names
 * what is broken in it, usable or not. */
static int describe_elf(Elf *elf, uint64_t size, char **build_id, bool *has_code, bool *has_debug,
                        const char **kind, const char **why)
{
    *why = NULL;
    *kind = "not ELF";
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        *why = "not a readable ELF file";
        return CS_E_CORRUPT;
    }
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh)) {
        *why = "its ELF header cannot be read";
        return CS_E_CORRUPT;
    }
    /* libelf quietly treats out-of-range header tables as absent; say so,
     * since a core that needed this file will be symbolized less well. */
    size_t shnum = 0, phnum = 0;
    if (elf_getshdrnum(elf, &shnum) != 0 ||
        (eh.e_shoff &&
         (eh.e_shoff > size || (uint64_t)eh.e_shnum * eh.e_shentsize > size - eh.e_shoff)))
        *why = "its section headers are corrupt (outside the file)";
    else if (shnum && eh.e_shstrndx != SHN_XINDEX && eh.e_shstrndx >= shnum)
        *why = "its section header string index is out of range";
    if (!*why && (elf_getphdrnum(elf, &phnum) != 0 ||
                  (eh.e_phoff && (eh.e_phoff > size ||
                                  (uint64_t)eh.e_phnum * eh.e_phentsize > size - eh.e_phoff))))
        *why = "its program headers are corrupt (outside the file)";
    *has_code = *has_debug = false;
    bool symtab = false, interp = false;
    size_t shstrndx;
    if (!*why && shnum > 0 && elf_getshdrstrndx(elf, &shstrndx) != 0)
        *why = "its section header string table is corrupt";
    if (!*why && shnum > 0) {
        Elf_Scn *scn = NULL;
        while ((scn = elf_nextscn(elf, scn))) {
            GElf_Shdr sh;
            if (!gelf_getshdr(scn, &sh)) {
                *why = "a section header cannot be read";
                break;
            }
            if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
                (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)) {
                *why = "a section lies outside the file";
                break;
            }
            if (sh.sh_type == SHT_SYMTAB) symtab = true;
            const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
            if (!name) continue;
            if (!strcmp(name, ".text") && sh.sh_type == SHT_PROGBITS && sh.sh_size)
                *has_code = true;
            if ((!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")) &&
                sh.sh_type == SHT_PROGBITS && sh.sh_size)
                *has_debug = true;
        }
    }
    for (size_t i = 0; !*why && i < phnum; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP) interp = true;
    }
    /* A PIE is ET_DYN with an interpreter; a .debug file has DWARF but its
     * code sections are NOBITS. */
    const char *what = eh.e_type == ET_CORE                                      ? "core"
                       : eh.e_type == ET_REL                                     ? "relocatable"
                       : !*has_code && *has_debug                                ? "debug-file"
                       : eh.e_type == ET_EXEC || (eh.e_type == ET_DYN && interp) ? "executable"
                       : eh.e_type == ET_DYN                                     ? "shared-object"
                                                                                 : "ELF";
    static const char *const kinds[][3] = {
        {"core", "core", "core"},
        {"relocatable", "relocatable, stripped", "relocatable, with debug info"},
        {"debug-file", "debug-file", "debug-file"},
        {"executable", "executable, stripped", "executable, with debug info"},
        {"shared-object", "shared-object, stripped", "shared-object, with debug info"},
        {"ELF", "ELF", "ELF"},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(kinds); i++)
        if (!strcmp(kinds[i][0], what)) *kind = kinds[i][*has_debug ? 2 : symtab ? 0 : 1];
    /* Headers first: a file without a readable build-id may still deserve
     * an error entry for what is broken in it. */
    const void *id;
    ssize_t k = dwelf_elf_gnu_build_id(elf, &id);
    if (k <= 0 || k > 64) return CS_E_NOTFOUND;
    char *hex = cs_xmalloc((size_t)k * 2 + 1);
    for (ssize_t i = 0; i < k; i++)
        sprintf(hex + 2 * i, "%02x", ((const unsigned char *)id)[i]);
    *build_id = hex;
    return 0;
}

int cs_core_describe(const char *path, const void *bytes, size_t n, char **kind, char **build_id)
{
    *kind = *build_id = NULL;
    elf_version(EV_CURRENT);
    int fd = -1;
    Elf *elf = NULL;
    uint64_t size = n;
    if (path) {
        struct stat st;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
            if (fd >= 0) close(fd);
            return CS_E_IO;
        }
        size = (uint64_t)st.st_size;
        elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    } else {
        elf = elf_memory((char *)bytes, n);
    }
    bool code, debug;
    const char *k, *why;
    char *id = NULL;
    int rc = describe_elf(elf, size, &id, &code, &debug, &k, &why);
    elf_end(elf);
    if (fd >= 0) close(fd);
    if (rc == CS_E_CORRUPT) return rc;
    *kind = cs_xstrdup(k);
    *build_id = id;
    return 0;
}

/* A broken ELF is an error entry: the user learns why a core it should
 * have symbolized did not use it. */
static void report_elf(cs_results *out, const char *source, int rc, const char *why)
{
    if (!out || !why) return;
    cs_results_add_diag(out, source, "ELF file: %s; %s", why,
                        rc ? "not used to symbolize cores" : "used only through its build-id");
}

static core_bin *push_bin(cs_core_index *idx, const char *source, char *build_id, bool code,
                          bool debug)
{
    core_bin *b = CS_PUSH(idx->bins, idx->n_bins, idx->cap_bins);
    memset(b, 0, sizeof *b);
    b->build_id = build_id;
    b->source = cs_xstrdup(source ? source : "");
    b->has_code = code;
    b->has_debug = debug;
    b->memfd = -1;
    return b;
}

int cs_core_index_add(cs_core_index *idx, const char *source, unsigned char *bytes, size_t n,
                      cs_results *out)
{
    if (idx->mem_bins + n > CS_CORE_DEFAULT_MAX_INDEX) {
        if (out)
            cs_results_add_diag(out, source,
                                "binary not indexed: binaries in archives already hold %llu "
                                "bytes of memory; put it in a folder instead",
                                (unsigned long long)idx->mem_bins);
        free(bytes);
        return CS_E_LIMIT;
    }
    Elf *elf = elf_memory((char *)bytes, n);
    char *id = NULL;
    bool code = false, debug = false;
    const char *why, *kind;
    int rc = describe_elf(elf, n, &id, &code, &debug, &kind, &why);
    elf_end(elf);
    report_elf(out, source, rc, why);
    if (rc) {
        free(bytes);
        return rc;
    }
    core_bin *b = push_bin(idx, source, id, code, debug);
    b->bytes = bytes;
    b->n = n;
    idx->mem_bins += n;
    return 0;
}

int cs_core_index_add_file(cs_core_index *idx, const char *source, const char *path,
                           cs_results *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return CS_E_UNSUPPORTED;
    struct stat st;
    unsigned char magic[4];
    int rc = CS_E_UNSUPPORTED;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || pread(fd, magic, 4, 0) != 4 ||
        memcmp(magic,
               "\x7f"
               "ELF",
               4))
        goto done;
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    char *id = NULL;
    bool code = false, debug = false;
    const char *why, *kind;
    rc = describe_elf(elf, (uint64_t)st.st_size, &id, &code, &debug, &kind, &why);
    elf_end(elf);
    report_elf(out, source, rc, why);
    if (rc) goto done;
    core_bin *b = push_bin(idx, source, id, code, debug);
    b->path = cs_xstrdup(path);
done:
    close(fd);
    return rc;
}

const core_bin *cs_core_bin_find(const cs_core_index *idx, const char *build_id, bool want_debug)
{
    const core_bin *best = NULL;
    for (size_t i = 0; i < idx->n_bins; i++) {
        const core_bin *b = &idx->bins[i];
        if (strcmp(b->build_id, build_id)) continue;
        if (want_debug) {
            if (b->has_debug && (!best || (b->has_code && !best->has_code))) best = b;
        } else if (b->has_code) {
            /* Prefer the unstripped one: no separate lookup needed then. */
            if (!best || (b->has_debug && !best->has_debug)) best = b;
        }
    }
    return best;
}

int cs_core_bin_open(const core_bin *cb)
{
    core_bin *b = (core_bin *)cb; /* memfd is a lazily filled cache */
    if (b->path) return open(b->path, O_RDONLY | O_CLOEXEC);
    if (b->memfd < 0) {
        int fd = memfd_create("crashsift-bin", MFD_CLOEXEC);
        if (fd < 0) return -1;
        size_t done = 0;
        while (done < b->n) {
            ssize_t k = write(fd, b->bytes + done, b->n - done);
            if (k <= 0) {
                if (k < 0 && errno == EINTR) continue;
                close(fd);
                return -1;
            }
            done += (size_t)k;
        }
        b->memfd = fd;
    }
    return fcntl(b->memfd, F_DUPFD_CLOEXEC, 0);
}

/* ---- deferred cores --------------------------------------------------- */

cs_core_pending *cs_core_defer_begin(cs_core_index *idx, const char *source)
{
    cs_core_pending *p = cs_xcalloc(1, sizeof *p);
    p->idx = idx;
    p->it.source = cs_xstrdup(source ? source : "");
    p->it.fd = -1;
    p->max = idx->opts.max_core;
    return p;
}

int cs_core_defer_write(cs_core_pending *p, const void *data, size_t n)
{
    if (p->err) return p->err;
    if (n > p->max || p->it.n > p->max - n) return p->err = CS_E_LIMIT;
    core_item *it = &p->it;
    if (it->fd < 0 && p->idx->mem_items + it->n + n > CS_CORE_PENDING_MEM) {
        /* Past the memory budget: move this core to a temp file. */
        it->fd = cs_tmpfile_fd();
        if (it->fd < 0 || cs_write_all(it->fd, it->owned, it->n)) return p->err = CS_E_IO;
        free(it->owned);
        it->owned = NULL;
        p->cap = 0;
    }
    if (it->fd >= 0) {
        if (cs_write_all(it->fd, data, n)) return p->err = CS_E_IO;
    } else {
        if (it->n + n > p->cap) {
            size_t cap = p->cap ? p->cap : 1u << 16;
            while (cap < it->n + n)
                cap = cap > SIZE_MAX / 2 ? it->n + n : cap * 2;
            it->owned = cs_xrealloc(it->owned, cap);
            p->cap = cap;
        }
        memcpy(it->owned + it->n, data, n);
    }
    it->n += n;
    return 0;
}

void cs_core_defer_end(cs_core_pending *p, bool ok, cs_results *out)
{
    if (!p) return;
    if (ok && p->err && out) {
        if (p->err == CS_E_LIMIT)
            cs_results_add_diag(out, p->it.source,
                                "core larger than %llu bytes; skipped (raise the core size "
                                "limit to unwind it)",
                                (unsigned long long)p->max);
        else
            cs_results_add_diag(out, p->it.source,
                                "could not keep the core for unwinding (a temporary file in "
                                "TMPDIR or /tmp failed); skipped");
    }
    if (ok && !p->err) {
        core_item *it = CS_PUSH(p->idx->items, p->idx->n_items, p->idx->cap_items);
        *it = p->it;
        it->ptr = it->owned;
        if (it->fd < 0) p->idx->mem_items += it->n;
    } else {
        item_dispose(&p->it);
    }
    free(p);
}

int cs_core_defer_fd(cs_core_index *idx, const char *source, int fd, uint64_t size, cs_results *out)
{
    if (size > idx->opts.max_core) {
        cs_results_add_diag(out, source,
                            "core larger than %llu bytes; skipped (raise the core size limit "
                            "to unwind it)",
                            (unsigned long long)idx->opts.max_core);
        close(fd);
        return CS_E_LIMIT;
    }
    core_item *it = CS_PUSH(idx->items, idx->n_items, idx->cap_items);
    *it = (core_item){.source = cs_xstrdup(source ? source : ""), .n = (size_t)size, .fd = fd};
    return CS_OK;
}

int cs_core_unwind_deferred(cs_core_index *idx, const cs_core_opts *opts, cs_results *out)
{
    if (!opts) opts = &idx->opts;
    if (idx->n_items) cs_core_run(idx, idx->items, idx->n_items, opts, out);
    for (size_t i = 0; i < idx->n_items; i++)
        item_dispose(&idx->items[i]);
    idx->n_items = 0;
    idx->mem_items = 0;
    return 0;
}

int cs_core_unwind(cs_core_index *idx, const char *source, const void *core, size_t n,
                   const cs_core_opts *opts, cs_results *out)
{
    if (!opts) opts = &idx->opts;
    core_item it = {.source = (char *)(source ? source : ""), .ptr = core, .n = n, .fd = -1};
    size_t before = out->n_traces;
    cs_core_run(idx, &it, 1, opts, out);
    return out->n_traces > before ? 0 : CS_E_CORRUPT;
}
