#include "race.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "source.h"

const char *cs_evidence_name(cs_evidence e)
{
    static const char *const names[CS_EV_COUNT] = {"direct", "runtime", "core", "sanitizer",
                                                   "same-test"};
    return (unsigned)e < CS_EV_COUNT ? names[e] : "?";
}

/* A site as found in one trace. */
typedef struct loc {
    const char *function;
    const char *shown; /* the frame's shown_function, or NULL */
    const char *file;
    int line;
    const char *access;
    bool in_map; /* map implementation frames above the site */
} loc;

/* What one trace says: one access (a), or two (a and b). */
typedef struct obs {
    size_t trace;
    cs_evidence ev;
    loc a, b;
    bool two;
    bool alone_ok;       /* a lone access may stand as a partial race */
    const char *map_why; /* map evidence, or NULL */
} obs;

static void set_evidence(cs_race *r, const char *why)
{
    if (r->map_race) return; /* the first reason found stands */
    r->map_race = true;
    free(r->map_evidence);
    r->map_evidence = cs_xstrdup(why);
}

static const char *base(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s ? s + 1 : p ? p : "";
}

/* Runtime, race-detector and sanitizer internals: never the site of an
 * access, even when every other frame is library code. */
static bool internal_frame(const cs_frame *f)
{
    static const char *const prefixes[] = {
        "runtime.",       "runtime/",    "internal/",      "sync.race", "__tsan", "__interceptor",
        "___interceptor", "__sanitizer", "__interception", "<null>",    "??"};
    const char *fn = f->norm_function ? f->norm_function : f->function;
    if (!fn || !*fn || strcmp(fn, "?") == 0) return true;
    for (size_t k = 0; k < CS_ARRAY_LEN(prefixes); k++)
        if (strncmp(fn, prefixes[k], strlen(prefixes[k])) == 0) return true;
    return false;
}

static void take(const cs_thread *th, const cs_frame *f, loc *l)
{
    l->function = f->norm_function ? f->norm_function : f->function;
    l->shown = f->norm_function ? f->shown_function : NULL;
    l->file = f->norm_file;
    l->line = f->line;
    l->access = th->access;
}

/* The site of one access: its first significant frame (the program's own
 * code); when every frame is standard library or test harness, the first
 * frame below the runtime and race internals. False if it has neither. */
static bool site_of(const cs_thread *th, loc *l)
{
    memset(l, 0, sizeof *l);
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        if (f->map_impl) l->in_map = true;
        if (!f->significant) continue;
        take(th, f, l);
        return true;
    }
    l->in_map = false;
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        if (internal_frame(f)) {
            if (f->map_impl) l->in_map = true;
            continue;
        }
        if (f->map_impl) l->in_map = true;
        take(th, f, l);
        return true;
    }
    return false;
}

/* Functions compare by name and file by base name: one checkout's
 * "dispatch/aggregator.go" is another's "aggregator.go". */
static int cmp_loc(const loc *a, const loc *b)
{
    int c = strcmp(a->function, b->function);
    return c ? c : strcmp(base(a->file), base(b->file));
}

static uint64_t site_hash(const char *function, const char *file, uint64_t h)
{
    h = cs_hash64(function, strlen(function) + 1, h);
    return cs_hash64(base(file), strlen(base(file)) + 1, h);
}

static bool site_is(const cs_site *s, const loc *l)
{
    return s->function && strcmp(s->function, l->function) == 0 &&
           strcmp(base(s->file), base(l->file)) == 0;
}

static void add_line(cs_site *s, int line)
{
    if (line <= 0) return;
    size_t i = 0;
    while (i < s->n_lines && s->lines[i] < line)
        i++;
    if (i < s->n_lines && s->lines[i] == line) return;
    cs_grow((void **)&s->lines, &s->cap_lines, s->n_lines + 1, sizeof *s->lines);
    memmove(s->lines + i + 1, s->lines + i, (s->n_lines - i) * sizeof *s->lines);
    s->lines[i] = line;
    s->n_lines++;
}

static void fill_site(cs_site *s, const loc *l)
{
    if (!s->function) {
        s->function = cs_xstrdup(l->function);
        s->shown = l->shown ? cs_xstrdup(l->shown) : NULL;
        s->file = l->file ? cs_xstrdup(l->file) : NULL;
    }
    if (!s->access && l->access) s->access = cs_xstrdup(l->access);
    add_line(s, l->line);
}

/* ---- an index of races by key (pair or lone site) ------------------------
 * Every lookup of "the race with these sites" goes through it, so linking is
 * linear in the number of traces, never traces x races. */
typedef struct index {
    uint64_t *keys; /* 0: empty */
    size_t *race;
    size_t cap, n;
} index;

static void index_put(index *ix, uint64_t key, size_t race);

static void index_grow(index *ix)
{
    index old = *ix;
    ix->cap = old.cap ? old.cap * 2 : 64;
    ix->keys = cs_xcalloc(ix->cap, sizeof *ix->keys);
    ix->race = cs_xcalloc(ix->cap, sizeof *ix->race);
    ix->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i]) index_put(ix, old.keys[i], old.race[i]);
    free(old.keys);
    free(old.race);
}

/* Keys may repeat (hash collisions, or one site in several pairs): every
 * entry is kept and callers check the sites. */
static void index_put(index *ix, uint64_t key, size_t race)
{
    if ((ix->n + 1) * 2 > ix->cap) index_grow(ix);
    key = key ? key : 1;
    size_t i = (size_t)key & (ix->cap - 1);
    while (ix->keys[i])
        i = (i + 1) & (ix->cap - 1);
    ix->keys[i] = key;
    ix->race[i] = race;
    ix->n++;
}

/* Calls fn for every race filed under key; stops when fn returns true. */
static bool index_each(const index *ix, uint64_t key, bool (*fn)(size_t race, void *arg), void *arg)
{
    if (!ix->cap) return false;
    key = key ? key : 1;
    for (size_t i = (size_t)key & (ix->cap - 1); ix->keys[i]; i = (i + 1) & (ix->cap - 1))
        if (ix->keys[i] == key && fn(ix->race[i], arg)) return true;
    return false;
}

static void index_free(index *ix)
{
    free(ix->keys);
    free(ix->race);
    memset(ix, 0, sizeof *ix);
}

typedef struct ctx {
    const cs_results *res;
    cs_races *rs;
    index pairs; /* pair key -> full pair */
    index sites; /* site key -> every full pair with that site */
    index lone;  /* site key -> partial race */
} ctx;

static uint64_t pair_key(const loc *a, const loc *b)
{
    return site_hash(b->function, b->file, site_hash(a->function, a->file, CS_HASH_SEED));
}

static uint64_t site_key(const loc *a)
{
    return site_hash(a->function, a->file, CS_HASH_SEED ^ 0x5173u);
}

static cs_race *new_race(ctx *c, uint64_t key)
{
    cs_race *r = CS_PUSH(c->rs->v, c->rs->n, c->rs->cap);
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "R%010llx", (unsigned long long)(key & 0xffffffffffULL));
    return r;
}

typedef struct find_pair {
    ctx *c;
    const loc *a, *b;
    size_t found;
} find_pair;

static bool is_pair(size_t i, void *arg)
{
    find_pair *q = arg;
    const cs_race *r = &q->c->rs->v[i];
    if (!site_is(&r->sites[0], q->a) || !site_is(&r->sites[1], q->b)) return false;
    q->found = i;
    return true;
}

/* The full pair of two sites, made on first sight. */
static cs_race *pair_of(ctx *c, loc a, loc b)
{
    if (cmp_loc(&a, &b) > 0) {
        loc t = a;
        a = b;
        b = t;
    }
    uint64_t key = pair_key(&a, &b);
    find_pair q = {c, &a, &b, 0};
    cs_race *r;
    if (index_each(&c->pairs, key, is_pair, &q)) {
        r = &c->rs->v[q.found];
    } else {
        size_t i = c->rs->n;
        r = new_race(c, key);
        index_put(&c->pairs, key, i);
        index_put(&c->sites, site_key(&a), i);
        if (cmp_loc(&a, &b) != 0) index_put(&c->sites, site_key(&b), i);
    }
    fill_site(&r->sites[0], &a);
    fill_site(&r->sites[1], &b);
    return r;
}

static void link(cs_race *r, size_t trace, cs_evidence ev)
{
    /* Each trace yields one observation, so a trace is linked once per
     * race; the same-test pass checks separately. */
    cs_race_link *l = CS_PUSH(r->links, r->n_links, r->cap_links);
    l->trace = trace;
    l->evidence = ev;
    r->n_by[ev]++;
}

static int thread_of(const cs_trace *t, cs_role role)
{
    for (size_t i = 0; i < t->n_threads; i++)
        if (t->threads[i].role == role) return (int)i;
    return -1;
}

static bool is_map_fatal(const cs_trace *t)
{
    return t->kind == CS_TK_GO_FATAL && t->headline && strstr(t->headline, "concurrent map");
}

/* The map operation a frame of map code performs, from the last part of
 * its name ("runtime.mapassign_faststr", "maps.(*Map).putSlotSmall",
 * "std::_Hashtable::_M_erase", "std::map::operator[]"); NULL unknown. */
static const char *map_op(const char *fn)
{
    static const struct {
        const char *prefix, *access;
    } ops[] = {
        {"mapiter", "iteration"},
        {"increment", "iteration"},
        {"decrement", "iteration"},
        {"mapaccess", "read"},
        {"Get", "read"},
        {"getWith", "read"},
        {"find", "read"},
        {"_M_find", "read"},
        {"count", "read"},
        {"at", "read"},
        {"contains", "read"},
        {"lower_bound", "read"},
        {"upper_bound", "read"},
        {"equal_range", "read"},
        {"size", "read"},
        {"empty", "read"},
        {"_M_bucket_index", "read"},
        {"map", "write"}, /* mapassign, mapdelete, mapclear */
        {"put", "write"},
        {"Put", "write"},
        {"Delete", "write"},
        {"Clear", "write"},
        {"grow", "write"},
        {"Grow", "write"},
        {"hashGrow", "write"},
        {"evacuate", "write"},
        {"split", "write"},
        {"insert", "write"},
        {"emplace", "write"},
        {"erase", "write"},
        {"try_emplace", "write"},
        {"operator[]", "write"},
        {"clear", "write"},
        {"rehash", "write"},
        {"reserve", "write"},
        {"swap", "write"},
        {"assign", "write"},
        {"_M_insert", "write"},
        {"_M_emplace", "write"},
        {"_M_erase", "write"},
        {"_M_rehash", "write"},
        {"_M_get_insert", "write"},
        {"_Rb_tree_insert", "write"},
        {"_Rb_tree_rebalance", "write"},
    };
    const char *last = fn;
    for (const char *p = fn; *p; p++) {
        if (p[0] == ':' && p[1] == ':')
            last = p + 2;
        else if (p[0] == '.' && p[1] != '.' && p[1] != '(')
            last = p + 1;
    }
    if (strstr(fn, "(*Iter).") || strstr(fn, "iterator")) return "iteration";
    for (size_t k = 0; k < CS_ARRAY_LEN(ops); k++) {
        size_t n = strlen(ops[k].prefix);
        if (strncmp(last, ops[k].prefix, n) != 0) continue;
        /* "at" and "size" are whole names; the others are prefixes. */
        if ((strcmp(ops[k].prefix, "at") == 0 || strcmp(ops[k].prefix, "size") == 0) && last[n] &&
            last[n] != '(')
            continue;
        return ops[k].access;
    }
    return NULL;
}

/* What a thread caught inside map code was doing (cores and dumps say
 * nothing else about the access): the outermost map frame above its site
 * is the operation the program called (an insert probes with find inside
 * it); inner frames decide only when that one is unknown. */
static const char *map_access(const cs_thread *th)
{
    const char *found = NULL;
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        if (f->significant) break;
        if (!f->map_impl || !f->function) continue;
        const char *op = map_op(f->norm_function ? f->norm_function : f->function);
        if (op) found = op;
    }
    return found;
}

/* The access of the goroutine that threw a Go map fatal error. The runtime
 * throws "concurrent map writes" from a writer, "read and map write" from
 * the reader (mapaccess*, maps.(*Map).Get*) and "iteration and map write"
 * from the iterator (mapiternext, maps.(*Iter).Next) when each finds the
 * map's writing flag set by someone else; map frames, when the dump shows
 * them (GOTRACEBACK=system, Go < 1.19), say the same. */
static const char *fatal_access(const cs_trace *t, const cs_thread *th)
{
    const char *from_frames = map_access(th);
    if (from_frames) return from_frames;
    if (strstr(t->headline, "iteration")) return "iteration";
    if (strstr(t->headline, "read")) return "read";
    return "write";
}

/* A goroutine or thread other than the one that failed, caught inside map
 * code: the second known access. A goroutine that merely exists in the dump
 * (parked in wg.Wait, asleep, or at a user frame with no map frame above
 * it) is not an access. */
/* Which container a thread's map frames work on, as far as the names say:
 * the family (hash table or tree) and the key type, the first template
 * argument ("std::_Hashtable<std::string, ...>::erase" and
 * "std::unordered_map<std::string, int>::operator[]" are one container
 * type). Empty when the names do not say (Go's runtime.map* functions). */
typedef struct container {
    char family; /* 'h' hash table, 't' tree, 0 unknown */
    const char *key;
    size_t key_len;
} container;

static container container_of(const cs_thread *th)
{
    container c = {0, NULL, 0};
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        if (!f->map_impl || !f->function) continue;
        const char *fn = f->function;
        char fam = 0;
        if (strstr(fn, "_Hashtable") || strstr(fn, "unordered_") || strstr(fn, "_Map_base") ||
            strstr(fn, "_Hash_node"))
            fam = 'h';
        else if (strstr(fn, "_Rb_tree") || strstr(fn, "std::map<") || strstr(fn, "std::set<") ||
                 strstr(fn, "std::multimap<") || strstr(fn, "std::multiset<"))
            fam = 't';
        if (!fam) continue;
        if (!c.family) c.family = fam;
        if (fam != c.family) continue;
        /* The key is the first argument of the container's own template,
         * not of a return type in front of it ("std::__detail::_Hash_node<
         * std::pair<long const, long>, false>* std::__detail::_Hashtable_alloc
         * <...>::_M_allocate_node"): a frame that names no container
         * template with its key (the node allocator) says nothing of it. */
        static const char *const heads[] = {
            "_Hashtable<",
            "_Hashtable_base<",
            "_Map_base<",
            "_Insert_base<",
            "_Insert<",
            "unordered_map<",
            "unordered_set<",
            "unordered_multimap<",
            "unordered_multiset<",
            "_Rb_tree<",
            "::map<",
            "::set<",
            "::multimap<",
            "::multiset<",
        };
        const char *lt = NULL;
        for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++) {
            const char *at = strstr(fn, heads[h]);
            if (at && (!lt || at < lt)) lt = at + strlen(heads[h]) - 1;
        }
        if (!lt) continue;
        int depth = 0;
        const char *e = lt + 1;
        for (; *e && !(depth == 0 && (*e == ',' || *e == '>')); e++)
            depth += *e == '<' ? 1 : *e == '>' ? -1 : 0;
        c.key = lt + 1;
        c.key_len = (size_t)(e - c.key);
        return c;
    }
    return c;
}

/* Could two threads be in the same container? Only names that say
 * otherwise (a tree and a hash table, or different key types) tell two
 * containers apart: a core does not say which object a frame works on. */
static bool same_container(const cs_thread *a, const cs_thread *b)
{
    container x = container_of(a), y = container_of(b);
    if (!x.family || !y.family) return true;
    if (x.family != y.family) return false;
    if (!x.key || !y.key) return true;
    return x.key_len == y.key_len && memcmp(x.key, y.key, x.key_len) == 0;
}

static bool second_in_map(const cs_trace *t, int crashed, loc *l)
{
    for (size_t k = 0; k < t->n_threads; k++) {
        const cs_thread *th = &t->threads[k];
        if ((int)k == crashed || th->role == CS_ROLE_CREATION) continue;
        if (!same_container(&t->threads[crashed], th)) continue;
        if (site_of(th, l) && l->in_map) {
            l->access = map_access(th);
            return true;
        }
    }
    return false;
}

static int crashed_thread(const cs_trace *t)
{
    return t->crash_thread >= 0 ? t->crash_thread : thread_of(t, CS_ROLE_CRASHED);
}

static bool is_sanitizer_crash(const cs_trace *t)
{
    switch (t->kind) {
    case CS_TK_ASAN:
    case CS_TK_MSAN:
    case CS_TK_UBSAN:
        return true;
    case CS_TK_TSAN:
        return t->headline && !strstr(t->headline, "data race");
    default:
        return false;
    }
}

/* What one trace says about racing accesses. */
static bool observe(const cs_trace *t, size_t i, obs *o)
{
    memset(o, 0, sizeof *o);
    o->trace = i;
    if (t->kind == CS_TK_GO_RACE || (t->kind == CS_TK_TSAN && !is_sanitizer_crash(t))) {
        /* A race report: two stacks, or one when the other was lost
         * ("[failed to restore the stack]", a cut-off report). */
        o->ev = CS_EV_DIRECT;
        int a = thread_of(t, CS_ROLE_ACCESS), b = thread_of(t, CS_ROLE_PREVIOUS);
        bool ha = a >= 0 && site_of(&t->threads[a], &o->a);
        bool hb = b >= 0 && site_of(&t->threads[b], &o->b);
        if (!ha && !hb) return false;
        if (!ha) o->a = o->b;
        o->two = ha && hb;
        o->alone_ok = true;
        if (o->a.in_map || (o->two && o->b.in_map))
            o->map_why = "the racing accesses run inside map implementation code";
        return true;
    }
    int c = crashed_thread(t);
    if (c < 0 || (size_t)c >= t->n_threads) return false;
    if (is_map_fatal(t)) {
        o->ev = CS_EV_RUNTIME;
        if (!site_of(&t->threads[c], &o->a)) return false;
        o->a.access = fatal_access(t, &t->threads[c]);
        o->two = second_in_map(t, c, &o->b);
        o->alone_ok = true; /* the runtime itself saw a second access */
        o->map_why = o->two ? "a Go map fatal error, with a second goroutine shown inside the map"
                            : "a Go map fatal error was thrown at this site";
        return true;
    }
    if (t->kind == CS_TK_CORE || is_sanitizer_crash(t)) {
        /* Only a crash inside map code says anything about a map race;
         * a core also pairs it with a second thread inside map code. */
        o->ev = t->kind == CS_TK_CORE ? CS_EV_CORE : CS_EV_SANITIZER;
        if (!site_of(&t->threads[c], &o->a) || !o->a.in_map) {
            /* A core whose crashing thread is elsewhere while two others
             * are inside the map still shows two accesses. */
            if (t->kind != CS_TK_CORE) return false;
            size_t n = 0;
            const cs_thread *first = NULL;
            for (size_t k = 0; k < t->n_threads && n < 2; k++) {
                const cs_thread *th = &t->threads[k];
                loc y;
                if ((int)k == c || th->role == CS_ROLE_CREATION || !site_of(th, &y) || !y.in_map)
                    continue;
                if (first && !same_container(first, th)) continue;
                first = first ? first : th;
                y.access = map_access(th);
                if (n++ == 0)
                    o->a = y;
                else
                    o->b = y;
            }
            if (n < 2) return false;
            o->two = true;
        } else {
            o->a.access = map_access(&t->threads[c]);
            o->two = t->kind == CS_TK_CORE && second_in_map(t, c, &o->b);
        }
        o->map_why = o->two                  ? "two threads of a core were inside map code at once"
                     : t->kind == CS_TK_CORE ? "a core crashed inside map code at this site"
                                             : "a sanitizer crash inside map code at this site";
        return true;
    }
    return false;
}

/* Picks, among the full pairs with a lone access's site, the one this
 * evidence fits best: the other site's access can conflict with this one
 * (a map write conflicts with anything, a read only with a write), then the
 * pair with more links, then the smaller id. */
typedef struct best {
    ctx *c;
    const loc *l;
    long race;
    int score;
} best;

static bool conflicts(const char *mine, const char *other)
{
    if (!mine || !other) return true;
    return strstr(mine, "write") || strstr(other, "write");
}

static bool consider(size_t i, void *arg)
{
    best *q = arg;
    const cs_race *r = &q->c->rs->v[i];
    int s = site_is(&r->sites[0], q->l) ? 0 : site_is(&r->sites[1], q->l) ? 1 : -1;
    if (s < 0) return false;
    int score = conflicts(q->l->access, r->sites[1 - s].access) ? 2 : 1;
    if (q->race >= 0) {
        const cs_race *b = &q->c->rs->v[q->race];
        if (score < q->score) return false;
        if (score == q->score &&
            (r->n_links < b->n_links || (r->n_links == b->n_links && strcmp(r->id, b->id) >= 0)))
            return false;
    }
    q->race = (long)i;
    q->score = score;
    return false;
}

static bool is_lone(size_t i, void *arg)
{
    find_pair *q = arg;
    const cs_race *r = &q->c->rs->v[i];
    if (!site_is(&r->sites[0], q->a)) return false;
    q->found = i;
    return true;
}

/* One known access: evidence for the full pair with that site, else a
 * partial race of its own (one per site). */
static void attach_lone(ctx *c, const obs *o)
{
    best q = {c, &o->a, -1, 0};
    index_each(&c->sites, site_key(&o->a), consider, &q);
    cs_race *r;
    if (q.race >= 0) {
        r = &c->rs->v[q.race];
        fill_site(&r->sites[site_is(&r->sites[0], &o->a) ? 0 : 1], &o->a);
    } else if (!o->alone_ok) {
        /* A core or sanitizer crash inside map code with no pair to join:
         * a use-after-free in a hash table need not be a race at all. */
        return;
    } else {
        uint64_t key = site_key(&o->a);
        find_pair f = {c, &o->a, NULL, 0};
        if (index_each(&c->lone, key, is_lone, &f)) {
            r = &c->rs->v[f.found];
        } else {
            size_t i = c->rs->n;
            r = new_race(c, key);
            r->partial = true;
            index_put(&c->lone, key, i);
        }
        fill_site(&r->sites[0], &o->a);
    }
    if (o->map_why) set_evidence(r, o->map_why);
    link(r, o->trace, o->ev);
}

/* Pass: failures without a crash trace of their own (a flaky assertion) in
 * a test that already has a race linked. Index: test name -> race. */
typedef struct tests {
    uint64_t *keys;
    const char **names;
    size_t *race;
    size_t cap;
} tests;

static uint64_t str_key(const char *s)
{
    uint64_t h = cs_hash64(s, strlen(s), CS_HASH_SEED);
    return h ? h : 1;
}

static void same_test(ctx *c)
{
    const cs_results *res = c->res;
    tests tx = {0};
    size_t n = 0;
    for (size_t i = 0; i < c->rs->n; i++)
        n += c->rs->v[i].n_links;
    tx.cap = 16;
    while (tx.cap < n * 2 + 2)
        tx.cap *= 2;
    tx.keys = cs_xcalloc(tx.cap, sizeof *tx.keys);
    tx.names = cs_xcalloc(tx.cap, sizeof *tx.names);
    tx.race = cs_xcalloc(tx.cap, sizeof *tx.race);
    /* First race wins for a test (races are in creation order: direct
     * pairs first), so the result does not depend on the hash layout. */
    for (size_t i = 0; i < c->rs->n; i++)
        for (size_t k = 0; k < c->rs->v[i].n_links; k++) {
            const char *name = res->traces[c->rs->v[i].links[k].trace]->test;
            if (!name) continue;
            uint64_t key = str_key(name);
            size_t j = (size_t)key & (tx.cap - 1);
            while (tx.keys[j] && !(tx.keys[j] == key && strcmp(tx.names[j], name) == 0))
                j = (j + 1) & (tx.cap - 1);
            if (tx.keys[j]) continue;
            tx.keys[j] = key;
            tx.names[j] = name;
            tx.race[j] = i;
        }
    for (size_t i = 0; i < res->n_traces; i++) {
        const cs_trace *t = res->traces[i];
        if (t->kind != CS_TK_TEST_FAILURE || !t->test) continue;
        uint64_t key = str_key(t->test);
        for (size_t j = (size_t)key & (tx.cap - 1); tx.keys[j]; j = (j + 1) & (tx.cap - 1))
            if (tx.keys[j] == key && strcmp(tx.names[j], t->test) == 0) {
                link(&c->rs->v[tx.race[j]], i, CS_EV_SAME_TEST);
                break;
            }
    }
    free(tx.keys);
    free(tx.names);
    free(tx.race);
}

static int cmp_link(const void *a, const void *b)
{
    const cs_race_link *x = a, *y = b;
    return x->trace < y->trace ? -1 : x->trace > y->trace;
}

static int cmp_race(const void *a, const void *b)
{
    const cs_race *x = a, *y = b;
    if (x->partial != y->partial) return x->partial ? 1 : -1;
    if (x->map_race != y->map_race) return x->map_race ? -1 : 1;
    if (x->n_links != y->n_links) return x->n_links > y->n_links ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Last resort for pairs whose frames hide the map code: the source line. */
static void from_source(const char *dir, cs_races *rs)
{
    cs_source_tree *tree = NULL;
    for (size_t i = 0; i < rs->n; i++) {
        cs_race *r = &rs->v[i];
        if (r->map_race) continue;
        if (!tree) tree = cs_source_tree_new(dir);
        for (int s = 0; s < (r->partial ? 1 : 2) && !r->map_race; s++)
            for (size_t k = 0; k < r->sites[s].n_lines && !r->map_race; k++) {
                const char *why;
                if (cs_source_is_map_access(tree, r->sites[s].file, r->sites[s].lines[k], &why)) {
                    char *e = cs_xasprintf("source: %s", why);
                    set_evidence(r, e);
                    free(e);
                }
            }
    }
    cs_source_tree_free(tree);
}

void cs_race_run(const cs_results *res, const char *source_dir, cs_races *out)
{
    memset(out, 0, sizeof *out);
    ctx c = {res, out, {0}, {0}, {0}};
    /* Only the traces that say something about a race are kept (few of a
     * pile's): an obs per trace was the largest allocation of a run. */
    obs *os = NULL, one;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < res->n_traces; i++)
        if (observe(res->traces[i], i, &one)) *CS_PUSH(os, n, cap) = one;
    /* Pairs first (two known accesses), so that every lone access can then
     * join the pair that has its site, whatever the trace order. */
    for (size_t i = 0; i < n; i++) {
        if (!os[i].two) continue;
        cs_race *r = pair_of(&c, os[i].a, os[i].b);
        if (os[i].map_why) set_evidence(r, os[i].map_why);
        link(r, os[i].trace, os[i].ev);
    }
    for (size_t i = 0; i < n; i++)
        if (!os[i].two) attach_lone(&c, &os[i]);
    free(os);
    same_test(&c);
    index_free(&c.pairs);
    index_free(&c.sites);
    index_free(&c.lone);
    if (source_dir) from_source(source_dir, out);
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i].n_links)
            qsort(out->v[i].links, out->v[i].n_links, sizeof *out->v[i].links, cmp_link);
    if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_race);
}

void cs_races_dispose(cs_races *races)
{
    for (size_t i = 0; i < races->n; i++) {
        cs_race *r = &races->v[i];
        for (int s = 0; s < 2; s++) {
            free(r->sites[s].function);
            free(r->sites[s].shown);
            free(r->sites[s].file);
            free(r->sites[s].lines);
            free(r->sites[s].access);
        }
        free(r->links);
        free(r->map_evidence);
    }
    free(races->v);
    memset(races, 0, sizeof *races);
}

const char *cs_race_access_types(const cs_race *r)
{
    static _Thread_local char buf[4][64];
    static _Thread_local int slot;
    char *b = buf[slot++ % 4];
    const char *a = r->sites[0].access ? r->sites[0].access : "?";
    if (r->partial) {
        snprintf(b, 64, "%s/?", a);
        return b;
    }
    const char *c = r->sites[1].access ? r->sites[1].access : "?";
    if (strcmp(a, c) > 0) {
        const char *t = a;
        a = c;
        c = t;
    }
    snprintf(b, 64, "%s/%s", a, c);
    return b;
}

const char *cs_race_unknown_side(const cs_race *r)
{
    const char *a = r->sites[0].access;
    if (r->n_by[CS_EV_RUNTIME] || (a && !strstr(a, "write"))) return "an unknown writer";
    return "an unknown access";
}

/* One sentence per kind of evidence: what links those failures to the
 * race. */
const char *cs_race_evidence_sentence(const cs_race *r, cs_evidence e)
{
    switch (e) {
    case CS_EV_DIRECT:
        return r->partial ? "race detector report(s) with this access and the other stack lost "
                            "([failed to restore the stack] or cut off)"
                          : "race detector report(s) (Go -race, ThreadSanitizer) naming these "
                            "two accesses";
    case CS_EV_RUNTIME:
        return r->partial ? "Go runtime map fatal error(s) thrown at this site; the runtime names "
                            "only the goroutine that caught the other writer, not the writer"
                          : "Go runtime map fatal error(s) thrown at a site of this pair (same "
                            "function and file)";
    case CS_EV_CORE:
        return "core dump(s) with a thread crashed or caught inside this map's code at a site of "
               "this pair";
    case CS_EV_SANITIZER:
        return "sanitizer crash(es) inside this map's code at a site of this pair";
    case CS_EV_SAME_TEST:
        return "failure(s) without a crash of their own, in a test where this race was seen";
    default:
        return "";
    }
}

char *cs_race_note(const cs_race *r)
{
    const cs_site *a = &r->sites[0], *b = &r->sites[1];
    const char *what = r->map_race ? "the same map" : "the same memory";
    char *who;
    if (r->partial)
        who = cs_xasprintf("%s touches %s while another goroutine or thread does; the other "
                           "access is not in the evidence (look for other code that writes it)",
                           cs_site_name(a), what);
    else if (strcmp(a->function, b->function) == 0)
        who = cs_xasprintf("%s runs in two goroutines or threads at once and both touch %s "
                           "without synchronization",
                           cs_site_name(a), what);
    else
        who = cs_xasprintf("%s and %s run concurrently and touch %s without synchronization",
                           cs_site_name(a), cs_site_name(b), what);
    char *note = cs_xasprintf(
        "%s. %s", who,
        r->map_race ? "Guard every access to the map with one mutex (sync.Mutex/RWMutex, "
                      "std::mutex) held by both sites, or confine the map to one goroutine or "
                      "thread that owns it and receives updates over a channel or queue."
                    : "Protect the shared variable with one mutex held at both sites, or make "
                      "it atomic (sync/atomic, std::atomic).");
    free(who);
    return note;
}
