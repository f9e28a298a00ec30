#include "race.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "source.h"

const char *cs_evidence_name(cs_evidence e)
{
    static const char *const names[CS_EV_COUNT] = {"direct", "runtime", "core", "same-test"};
    return (unsigned)e < CS_EV_COUNT ? names[e] : "?";
}

/* A site as found in one trace. */
typedef struct loc {
    const char *function;
    const char *file;
    int line;
    const char *access;
    bool in_map; /* map implementation frames above the site */
} loc;

static void set_evidence(cs_race *r, const char *why)
{
    free(r->map_evidence);
    r->map_evidence = cs_xstrdup(why);
}

static const char *base(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s ? s + 1 : p ? p : "";
}

/* First significant frame of a thread; false if it has none. */
static bool site_of(const cs_thread *th, loc *l)
{
    memset(l, 0, sizeof *l);
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        if (f->map_impl) l->in_map = true;
        if (!f->significant) continue;
        l->function = f->norm_function ? f->norm_function : f->function ? f->function : "?";
        l->file = f->norm_file;
        l->line = f->line;
        l->access = th->access;
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

static uint64_t pair_hash(const loc *a, const loc *b)
{
    uint64_t h = CS_HASH_SEED;
    h = cs_hash64(a->function, strlen(a->function) + 1, h);
    h = cs_hash64(base(a->file), strlen(base(a->file)) + 1, h);
    h = cs_hash64(b->function, strlen(b->function) + 1, h);
    return cs_hash64(base(b->file), strlen(base(b->file)) + 1, h);
}

static bool site_is(const cs_site *s, const loc *l)
{
    return strcmp(s->function, l->function) == 0 && strcmp(base(s->file), base(l->file)) == 0;
}

static void add_line(cs_site *s, int line)
{
    if (line <= 0) return;
    size_t i = 0;
    while (i < s->n_lines && s->lines[i] < line) i++;
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
        s->file = l->file ? cs_xstrdup(l->file) : NULL;
    }
    if (!s->access && l->access) s->access = cs_xstrdup(l->access);
    add_line(s, l->line);
}

static cs_race *find_or_add(cs_races *rs, loc a, loc b)
{
    if (cmp_loc(&a, &b) > 0) {
        loc t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < rs->n; i++)
        if (site_is(&rs->v[i].sites[0], &a) && site_is(&rs->v[i].sites[1], &b)) {
            fill_site(&rs->v[i].sites[0], &a);
            fill_site(&rs->v[i].sites[1], &b);
            return &rs->v[i];
        }
    cs_race *r = CS_PUSH(rs->v, rs->n, rs->cap);
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "R%010llx",
             (unsigned long long)(pair_hash(&a, &b) & 0xffffffffffULL));
    fill_site(&r->sites[0], &a);
    fill_site(&r->sites[1], &b);
    return r;
}

static void link(cs_race *r, size_t trace, cs_evidence ev)
{
    for (size_t i = 0; i < r->n_links; i++)
        if (r->links[i].trace == trace) return;
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

/* Pass 1: race reports name both sites. */
static void direct(const cs_results *res, cs_races *rs)
{
    for (size_t i = 0; i < res->n_traces; i++) {
        const cs_trace *t = res->traces[i];
        if (t->kind != CS_TK_GO_RACE && t->kind != CS_TK_TSAN) continue;
        int a = thread_of(t, CS_ROLE_ACCESS), b = thread_of(t, CS_ROLE_PREVIOUS);
        if (a < 0 || b < 0) continue;
        loc la, lb;
        if (!site_of(&t->threads[a], &la) || !site_of(&t->threads[b], &lb)) continue;
        cs_race *r = find_or_add(rs, la, lb);
        if (la.in_map || lb.in_map) {
            r->map_race = true;
            set_evidence(r, "the racing accesses run inside map implementation code");
        }
        link(r, i, CS_EV_DIRECT);
    }
}

static cs_race *known_with(cs_races *rs, const loc *l, const loc *other)
{
    for (size_t i = 0; i < rs->n; i++) {
        cs_race *r = &rs->v[i];
        for (int s = 0; s < 2; s++)
            if (site_is(&r->sites[s], l) && (!other || site_is(&r->sites[1 - s], other)))
                return r;
    }
    return NULL;
}

/* A goroutine of a fatal dump that was itself touching the map: it is
 * executing (not parked in the scheduler or a lock), and its top frames are
 * map code or the program's own. */
static bool other_writer(const cs_thread *th, loc *l)
{
    if (th->role != CS_ROLE_OTHER || !th->state) return false;
    if (strncmp(th->state, "running", 7) != 0 && strncmp(th->state, "runnable", 8) != 0)
        return false;
    if (!site_of(th, l)) return false;
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        if (f->significant) return true;
        if (!f->map_impl) return false;
    }
    return false;
}

/* Pass 2: Go's map fatal errors. */
static void runtime(const cs_results *res, cs_races *rs)
{
    for (size_t i = 0; i < res->n_traces; i++) {
        const cs_trace *t = res->traces[i];
        if (!is_map_fatal(t)) continue;
        int c = t->crash_thread >= 0 ? t->crash_thread : thread_of(t, CS_ROLE_CRASHED);
        loc a;
        if (c < 0 || !site_of(&t->threads[c], &a)) continue;
        a.access = strstr(t->headline, "read") ? NULL : "write";
        cs_race *r = NULL;
        loc b;
        bool have_b = false;
        for (size_t k = 0; k < t->n_threads && !have_b; k++)
            if ((int)k != c && other_writer(&t->threads[k], &b)) have_b = true;
        if (have_b) {
            b.access = NULL;
            r = known_with(rs, &a, &b);
            if (!r) r = find_or_add(rs, a, b);
            else find_or_add(rs, a, b);
        } else {
            r = known_with(rs, &a, NULL);
            /* Nobody else in the dump: two goroutines ran the same code. */
            if (!r) r = find_or_add(rs, a, a);
        }
        if (!r->map_race) {
            r->map_race = true;
            set_evidence(r, "a Go map fatal error was thrown at one of the sites");
        }
        link(r, i, CS_EV_RUNTIME);
    }
    /* A map fatal error at a site also settles a race report whose frames
     * hide the map runtime (newer Go releases elide them). */
    for (size_t i = 0; i < rs->n; i++) {
        cs_race *r = &rs->v[i];
        if (r->map_race) continue;
        for (size_t k = 0; k < res->n_traces && !r->map_race; k++) {
            const cs_trace *t = res->traces[k];
            if (!is_map_fatal(t) || t->crash_thread < 0) continue;
            loc a;
            if (!site_of(&t->threads[t->crash_thread], &a)) continue;
            if (site_is(&r->sites[0], &a) || site_is(&r->sites[1], &a)) {
                r->map_race = true;
                set_evidence(r, "a Go map fatal error was thrown at one of the sites");
            }
        }
    }
}

/* What a thread caught inside map code was doing, from the map frames
 * above its site (cores say nothing else about the access). */
static const char *map_access(const cs_thread *th)
{
    static const char *const writes[] = {"insert", "emplace", "erase", "operator[]", "assign",
                                         "delete", "rehash", "clear", "grow", "evacuate",
                                         "_M_", "put", "remove", "replace"};
    static const char *const reads[] = {"find", "count", "at", "access", "iter", "get",
                                        "lookup", "contains"};
    bool read = false;
    for (size_t j = 0; j < th->n_frames; j++) {
        const cs_frame *f = &th->frames[j];
        if (f->significant) break;
        if (!f->map_impl || !f->function) continue;
        for (size_t k = 0; k < CS_ARRAY_LEN(writes); k++)
            if (strstr(f->function, writes[k])) return "write";
        for (size_t k = 0; k < CS_ARRAY_LEN(reads); k++)
            if (strstr(f->function, reads[k])) read = true;
    }
    return read ? "read" : NULL;
}

/* Pass 3: cores with two or more threads inside map code. */
static void cores(const cs_results *res, cs_races *rs)
{
    for (size_t i = 0; i < res->n_traces; i++) {
        const cs_trace *t = res->traces[i];
        if (t->kind != CS_TK_CORE) continue;
        loc sites[2];
        int n = 0;
        for (size_t k = 0; k < t->n_threads && n < 2; k++) {
            loc l;
            if (site_of(&t->threads[k], &l) && l.in_map) {
                l.access = map_access(&t->threads[k]);
                sites[n++] = l;
            }
        }
        if (n < 2) continue;
        cs_race *r = known_with(rs, &sites[0], &sites[1]);
        if (!r) r = find_or_add(rs, sites[0], sites[1]);
        if (!r->map_race) {
            r->map_race = true;
            set_evidence(r, "two threads of a core were inside map code at once");
        }
        link(r, i, CS_EV_CORE);
    }
}

static bool test_has_pair(const cs_results *res, const cs_race *r, const char *test)
{
    for (size_t k = 0; k < r->n_links; k++) {
        const cs_trace *t = res->traces[r->links[k].trace];
        if (r->links[k].evidence != CS_EV_SAME_TEST && t->test && strcmp(t->test, test) == 0)
            return true;
    }
    return false;
}

/* Pass 4: failures of a test that has a known pair, with no crash trace. */
static void same_test(const cs_results *res, cs_races *rs)
{
    for (size_t i = 0; i < res->n_traces; i++) {
        const cs_trace *t = res->traces[i];
        if (t->kind != CS_TK_TEST_FAILURE || !t->test) continue;
        for (size_t k = 0; k < rs->n; k++)
            if (test_has_pair(res, &rs->v[k], t->test)) {
                link(&rs->v[k], i, CS_EV_SAME_TEST);
                break;
            }
    }
}

static int cmp_link(const void *a, const void *b)
{
    const cs_race_link *x = a, *y = b;
    return x->trace < y->trace ? -1 : x->trace > y->trace;
}

static int cmp_race(const void *a, const void *b)
{
    const cs_race *x = a, *y = b;
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
        for (int s = 0; s < 2 && !r->map_race; s++)
            for (size_t k = 0; k < r->sites[s].n_lines && !r->map_race; k++) {
                const char *why;
                if (cs_source_is_map_access(tree, r->sites[s].file, r->sites[s].lines[k], &why)) {
                    r->map_race = true;
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
    direct(res, out);
    runtime(res, out);
    cores(res, out);
    same_test(res, out);
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
    const char *c = r->sites[1].access ? r->sites[1].access : "?";
    if (strcmp(a, c) > 0) {
        const char *t = a;
        a = c;
        c = t;
    }
    snprintf(b, 64, "%s/%s", a, c);
    return b;
}

char *cs_race_note(const cs_race *r)
{
    const cs_site *a = &r->sites[0], *b = &r->sites[1];
    bool same = strcmp(a->function, b->function) == 0;
    const char *what = r->map_race ? "the same map" : "the same memory";
    char *who = same ? cs_xasprintf("%s runs in two goroutines or threads at once and both touch "
                                    "%s without synchronization",
                                    a->function, what)
                     : cs_xasprintf("%s and %s run concurrently and touch %s without "
                                    "synchronization",
                                    a->function, b->function, what);
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
