/* core_symbols.c - pc -> function, file:line, and the chain of inlined
 * calls at that pc, like elfutils' src/stack.c: DWARF scopes first
 * (dwarf_getscopes, innermost first; each inlined_subroutine's call_file /
 * call_line is the position in the scope around it), the symbol table when
 * there is no DWARF. Results are cached by build-id + offset, so a second
 * core of the same binary rarely opens its DWARF at all.
 *
 * Demangling: libdw has no demangler, so C++ and legacy Rust names go
 * through libstdc++'s __cxa_demangle (cs_core links -lstdc++; nothing else
 * in crashsift does). Rust v0 (_R...) names stay mangled. */
#define _GNU_SOURCE
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "../base/error.h"
#include "../base/util.h"
#include "core_internal.h"

/* libstdc++'s demangler, declared here rather than pulling in C++ headers. */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

#define CACHE_MAX_ENTRIES (1u << 20)
#define MAX_INLINE_DEPTH 64

typedef struct symframe {
    char *function, *file;
    int line, column;
    bool inlined;
    bool dynsym; /* function from .dynsym alone (a stripped module) */
} symframe;

typedef struct centry {
    struct centry *next;
    char *build_id;
    uint64_t offset;
    symframe *f;
    size_t n;
} centry;

struct cs_symcache {
    centry **b;
    size_t n_buckets, n;
};

cs_symcache *cs_symcache_new(void)
{
    cs_symcache *c = cs_xcalloc(1, sizeof *c);
    c->n_buckets = 4096;
    c->b = cs_xcalloc(c->n_buckets, sizeof *c->b);
    return c;
}

static void free_frames(symframe *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].function);
        free(f[i].file);
    }
    free(f);
}

void cs_symcache_free(cs_symcache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_buckets; i++)
        for (centry *e = c->b[i], *nx; e; e = nx) {
            nx = e->next;
            free(e->build_id);
            free_frames(e->f, e->n);
            free(e);
        }
    free(c->b);
    free(c);
}

static size_t slot(const cs_symcache *c, const char *id, uint64_t off)
{
    uint64_t h = cs_hash64(id, strlen(id), CS_HASH_SEED);
    h = cs_hash64(&off, sizeof off, h);
    return (size_t)(h & (c->n_buckets - 1));
}

static centry *lookup(cs_symcache *c, const char *id, uint64_t off)
{
    for (centry *e = c->b[slot(c, id, off)]; e; e = e->next)
        if (e->offset == off && !strcmp(e->build_id, id)) return e;
    return NULL;
}

static void grow(cs_symcache *c)
{
    size_t old = c->n_buckets;
    centry **ob = c->b;
    c->n_buckets = old * 2;
    c->b = cs_xcalloc(c->n_buckets, sizeof *c->b);
    for (size_t i = 0; i < old; i++)
        for (centry *e = ob[i], *nx; e; e = nx) {
            nx = e->next;
            size_t s = slot(c, e->build_id, e->offset);
            e->next = c->b[s];
            c->b[s] = e;
        }
    free(ob);
}

/* Takes ownership of f[0..n). */
static centry *insert(cs_symcache *c, const char *id, uint64_t off, symframe *f, size_t n)
{
    if (c->n >= CACHE_MAX_ENTRIES) return NULL; /* full: just stop caching */
    if (c->n >= c->n_buckets) grow(c);
    centry *e = cs_xcalloc(1, sizeof *e);
    e->build_id = cs_xstrdup(id);
    e->offset = off;
    e->f = f;
    e->n = n;
    size_t s = slot(c, id, off);
    e->next = c->b[s];
    c->b[s] = e;
    c->n++;
    return e;
}

static char *demangle(const char *s)
{
    if (!s) return NULL;
    if (s[0] == '_' && s[1] == 'Z') {
        int st = -1;
        char *d = __cxa_demangle(s, NULL, NULL, &st);
        if (d && st == 0) return d;
        free(d);
    }
    return cs_xstrdup(s);
}

/* Symbol-table names may carry a version ("memcpy@@GLIBC_2.14"); the
 * version says nothing about the crash and splits clusters. */
static char *symtab_name(const char *s)
{
    const char *at = strchr(s, '@');
    char *base = at && at != s ? cs_xstrndup(s, (size_t)(at - s)) : cs_xstrdup(s);
    char *d = demangle(base);
    free(base);
    return d;
}

static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute a;
    const char *n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
    if (!n) n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
    if (!n) n = dwarf_diename(die);
    return n;
}

static symframe *push(symframe **f, size_t *n, size_t *cap)
{
    symframe *s = CS_PUSH(*f, *n, *cap);
    memset(s, 0, sizeof *s);
    return s;
}

/* DWARF: the inline chain at pc, innermost first. dwarf_getscopes finds
 * the innermost function-like DIE; its outer scopes are then walked with
 * dwarf_getscopes_die, which follows the concrete DIE tree (dwarf_getscopes
 * itself continues into the abstract inline definition, which has no call
 * sites). Each inlined_subroutine's call_file/call_line is where the scope
 * around it is. */
static bool is_func(int tag)
{
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
           tag == DW_TAG_entry_point;
}

static void from_dwarf(Dwfl_Module *mod, Dwarf_Addr pc, symframe **f, size_t *n, size_t *cap)
{
    Dwarf_Addr bias = 0;
    Dwarf_Die *cudie = dwfl_module_addrdie(mod, pc, &bias);
    if (!cudie) return;
    Dwarf_Die *scopes = NULL;
    int ns = dwarf_getscopes(cudie, pc - bias, &scopes);
    Dwarf_Die die;
    bool found = false;
    for (int i = 0; i < ns && !found; i++)
        if (is_func(dwarf_tag(&scopes[i])) && die_name(&scopes[i])) {
            die = scopes[i];
            found = true;
        }
    free(scopes);
    scopes = NULL;
    if (!found) return;
    ns = dwarf_getscopes_die(&die, &scopes);
    if (ns <= 0) {
        free(scopes);
        return;
    }
    const char *file = NULL;
    int line = 0, col = 0;
    Dwfl_Line *ln = dwfl_module_getsrc(mod, pc);
    if (ln) file = dwfl_lineinfo(ln, NULL, &line, &col, NULL, NULL);
    Dwarf_Files *files = NULL;
    if (dwarf_getsrcfiles(cudie, &files, NULL) != 0) files = NULL;
    for (int i = 0; i < ns && *n < MAX_INLINE_DEPTH; i++) {
        Dwarf_Die *s = &scopes[i];
        int tag = dwarf_tag(s);
        if (!is_func(tag)) continue;
        symframe *sf = push(f, n, cap);
        sf->function = demangle(die_name(s));
        sf->file = file ? cs_xstrdup(file) : NULL;
        sf->line = line;
        sf->column = col;
        sf->inlined = tag == DW_TAG_inlined_subroutine;
        if (tag != DW_TAG_inlined_subroutine) break;
        /* The scope around this inlined call is positioned at its call site. */
        Dwarf_Attribute a;
        Dwarf_Word v;
        file = NULL;
        line = col = 0;
        if (files && dwarf_formudata(dwarf_attr(s, DW_AT_call_file, &a), &v) == 0)
            file = dwarf_filesrc(files, v, NULL, NULL);
        if (dwarf_formudata(dwarf_attr(s, DW_AT_call_line, &a), &v) == 0) line = (int)v;
        if (dwarf_formudata(dwarf_attr(s, DW_AT_call_column, &a), &v) == 0) col = (int)v;
    }
    free(scopes);
}

/* libdwfl falls back to .dynsym (the exported symbols only) when a module
 * has no .symtab, in the file or its debuginfo or .gnu_debugdata: the name
 * is then that of the nearest exported function, which a static function
 * in between does not have. */
static bool has_symtab(Elf *elf)
{
    if (!elf) return false;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) return true;
    }
    return false;
}

static void resolve(Dwfl_Module *mod, Dwarf_Addr pc, symframe **f, size_t *n, size_t *cap)
{
    from_dwarf(mod, pc, f, n, cap);
    if (*n && (*f)[*n - 1].function) return;
    /* No DWARF (or a scope without a name): the symbol table, with the
     * line table if there is one. */
    free_frames(*f, *n);
    *f = NULL;
    *n = *cap = 0;
    GElf_Off off;
    GElf_Sym sym;
    GElf_Word shndx;
    Elf *symelf = NULL;
    const char *name = dwfl_module_addrinfo(mod, pc, &off, &sym, &shndx, &symelf, NULL);
    symframe *sf = push(f, n, cap);
    sf->function = name ? symtab_name(name) : NULL;
    sf->dynsym = name && !has_symtab(symelf);
    Dwfl_Line *ln = dwfl_module_getsrc(mod, pc);
    const char *file = ln ? dwfl_lineinfo(ln, NULL, &sf->line, &sf->column, NULL, NULL) : NULL;
    sf->file = file ? cs_xstrdup(file) : NULL;
}

int cs_core_symbolize(core_ctx *c, Dwfl_Module *mod, const core_modinfo *mi, uint64_t pc,
                      bool is_return, cs_buf *rec)
{
    /* A return address points after the call; the call is at pc - 1. */
    uint64_t adj = is_return && pc ? pc - 1 : pc;
    cs_wframe w = {.pc = pc, .flags = is_return ? CS_W_FRAME_RETURN : 0};
    if (!mod || !mi) return cs_wire_frame(rec, &w);
    w.flags |= CS_W_FRAME_OFFSET;
    w.offset = pc - mi->start;
    w.module = mi->name;
    w.build_id = mi->build_id;
    if (!mi->have_elf) return cs_wire_frame(rec, &w);

    uint64_t key = adj - mi->start;
    centry *e = mi->build_id ? lookup(c->cache, mi->build_id, key) : NULL;
    symframe *own = NULL;
    const symframe *f;
    size_t n = 0, cap = 0;
    if (e) {
        f = e->f;
        n = e->n;
    } else {
        resolve(mod, adj, &own, &n, &cap);
        f = own;
        if (mi->build_id && insert(c->cache, mi->build_id, key, own, n)) own = NULL;
    }
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        w.function = f[i].function;
        w.file = f[i].file;
        w.line = f[i].line;
        w.column = f[i].column;
        w.flags = (w.flags & ~(CS_W_FRAME_INLINED | CS_W_FRAME_DYNSYM)) |
                  (f[i].inlined ? CS_W_FRAME_INLINED : 0) | (f[i].dynsym ? CS_W_FRAME_DYNSYM : 0);
        rc = cs_wire_frame(rec, &w);
    }
    free_frames(own, own ? n : 0);
    return rc;
}
