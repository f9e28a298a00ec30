/* flaky.c - test outcomes across the pile (see flaky.h for the copy rule). */
#include "flaky.h"

#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

typedef struct entry {
    const char *package; /* effective: "" unknown */
    const char *name;
    const char *source;
    size_t art_len; /* source[0..art_len) is the artifact */
    size_t dir_len; /* source[0..dir_len) is its folder */
    const cs_test_record *rec;
} entry;

static size_t artifact_len(const char *s, size_t *dir_len)
{
    const char *slash = strrchr(s, '/'), *bang = strchr(s, '!');
    const char *inner = strrchr(s, '!');
    const char *last = slash;
    if (inner && (!last || inner > last)) last = inner;
    *dir_len = last ? (size_t)(last - s) : 0;
    if (bang) return (size_t)(bang - s);
    return slash ? (size_t)(slash - s) : 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = strcmp(x->package, y->package);
    if (!c) c = strcmp(x->name, y->name);
    if (!c) {
        size_t n = x->art_len < y->art_len ? x->art_len : y->art_len;
        c = memcmp(x->source, y->source, n);
        if (!c) c = (x->art_len > y->art_len) - (x->art_len < y->art_len);
    }
    if (!c) c = strcmp(x->source, y->source);
    if (!c) c = (int)x->rec->format - (int)y->rec->format;
    return c;
}

static bool same_artifact(const entry *a, const entry *b)
{
    return a->art_len == b->art_len && memcmp(a->source, b->source, a->art_len) == 0;
}

static size_t count_of(const cs_test_record *r, char o)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        k += r->outcomes[i] == o;
    return k;
}

/* Is folder a (a_len bytes of a) a strict ancestor of b's? */
static bool dir_below(const entry *a, const entry *b)
{
    return b->dir_len > a->dir_len && memcmp(a->source, b->source, a->dir_len) == 0 &&
           (b->source[a->dir_len] == '/' || b->source[a->dir_len] == '!');
}

static bool copies(const entry *a, const entry *b)
{
    if (strcmp(a->source, b->source) == 0) return false;
    if (a->rec->format == b->rec->format &&
        !(a->rec->format == CS_TF_TEXT && (dir_below(a, b) || dir_below(b, a))))
        return false;
    if (a->rec->fails_only || b->rec->fails_only)
        return count_of(a->rec, 'F') == count_of(b->rec, 'F');
    /* Same numbers of passes, failures and skips; not the same order, as
     * not every tool keeps it (gotestsum's JUnit lists failed testcases
     * first). */
    return a->rec->n == b->rec->n && count_of(a->rec, 'F') == count_of(b->rec, 'F') &&
           count_of(a->rec, 'S') == count_of(b->rec, 'S');
}

typedef struct run_set {
    const entry *members[8];
    size_t n;
} run_set;

static const cs_test_record *set_counts(const run_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!s->members[i]->rec->fails_only) return s->members[i]->rec;
    return s->members[0]->rec;
}

/* The summaries of one test, by name and source, to find a trace's test. */
typedef struct key {
    const char *name;
    const char *source; /* NULL: the name alone */
    size_t summary;
} key;

static int cmp_key(const void *a, const void *b)
{
    const key *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (!x->source || !y->source) return (x->source != NULL) - (y->source != NULL);
    return strcmp(x->source, y->source);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static size_t uniq(size_t *v, size_t n)
{
    if (n < 2) return n;
    qsort(v, n, sizeof *v, cmp_size);
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[w - 1]) v[w++] = v[i];
    return w;
}

static int cmp_summary(const void *a, const void *b)
{
    const cs_test_summary *x = a, *y = b;
    if (x->flaky != y->flaky) return x->flaky ? -1 : 1;
    if (x->failures != y->failures) return x->failures > y->failures ? -1 : 1;
    int c = strcmp(x->package ? x->package : "", y->package ? y->package : "");
    return c ? c : strcmp(x->name, y->name);
}

static void note_failure(cs_test_summary *s, const char *source)
{
    if (!s->first_failure || strcmp(source, s->first_failure) < 0) s->first_failure = source;
    if (!s->last_failure || strcmp(source, s->last_failure) > 0) s->last_failure = source;
}

/* Finds the summary of a trace's test: the one recorded in the trace's own
 * member, else the only (first) one of that name. */
static const key *find_key(const key *keys, size_t n, const char *name, const char *source)
{
    key k = {name, source, 0};
    const key *hit = bsearch(&k, keys, n, sizeof *keys, cmp_key);
    if (hit) return hit;
    /* The first key of that name: lower bound on (name, NULL), NULL sorting
     * first. */
    size_t lo = cs_lower_bound(keys, n, sizeof *keys, &(key){name, NULL, 0}, cmp_key);
    return lo < n && strcmp(keys[lo].name, name) == 0 ? &keys[lo] : NULL;
}

typedef struct growable {
    size_t *v;
    size_t n, cap;
} growable;

void cs_flaky_run(const cs_results *r, const cs_clusters *c, const cs_races *races, cs_tests *out)
{
    memset(out, 0, sizeof *out);
    size_t n = r->n_tests;
    if (!n) return;
    entry *e = cs_xcalloc(n, sizeof *e);
    for (size_t i = 0; i < n; i++) {
        const cs_test_record *t = r->tests[i];
        e[i] = (entry){t->package ? t->package : "", t->name, t->source, 0, 0, t};
        e[i].art_len = artifact_len(t->source, &e[i].dir_len);
    }
    /* Unknown packages: the only package the name has elsewhere. Sorted by
     * (package, name), known packages of a name are found by name order. */
    {
        key *k = cs_xmalloc(n * sizeof *k);
        size_t nk = 0;
        for (size_t i = 0; i < n; i++)
            if (*e[i].package) k[nk++] = (key){e[i].name, e[i].package, 0};
        qsort(k, nk, sizeof *k, cmp_key); /* (name, package) */
        for (size_t i = 0; i < n; i++) {
            if (*e[i].package) continue;
            key probe = {e[i].name, NULL, 0};
            size_t lo = cs_lower_bound(k, nk, sizeof *k, &probe, cmp_key);
            if (lo < nk && strcmp(k[lo].name, e[i].name) == 0) {
                size_t j = lo;
                while (j < nk && strcmp(k[j].name, e[i].name) == 0 &&
                       strcmp(k[j].source, k[lo].source) == 0)
                    j++;
                if (j == nk || strcmp(k[j].name, e[i].name) != 0) e[i].package = k[lo].source;
            }
        }
        free(k);
    }
    qsort(e, n, sizeof *e, cmp_entry);

    key *keys = cs_xmalloc(2 * n * sizeof *keys);
    size_t n_keys = 0;
    run_set *sets = cs_xmalloc(CS_FLAKY_MAX_SETS * sizeof *sets);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(e[j].package, e[i].package) == 0 &&
               strcmp(e[j].name, e[i].name) == 0)
            j++;
        cs_test_summary *s = CS_PUSH(out->v, out->n, out->cap);
        memset(s, 0, sizeof *s);
        s->package = *e[i].package ? e[i].package : NULL;
        s->name = e[i].name;
        for (size_t a = i; a < j;) {
            size_t b = a;
            while (b < j && same_artifact(&e[a], &e[b]))
                b++;
            size_t n_sets = 0;
            for (size_t k = a; k < b; k++) {
                run_set *into = NULL;
                for (size_t q = 0; q < n_sets && !into; q++) {
                    bool ok = sets[q].n < CS_ARRAY_LEN(sets[q].members);
                    for (size_t m = 0; ok && m < sets[q].n; m++)
                        ok = copies(&e[k], sets[q].members[m]);
                    if (ok) into = &sets[q];
                }
                if (!into) {
                    if (n_sets == CS_FLAKY_MAX_SETS) {
                        /* Too many distinct sets: count what is kept so far
                         * and start afresh (bounded work per record). */
                        for (size_t q = 0; q < n_sets; q++) {
                            const cs_test_record *rc = set_counts(&sets[q]);
                            s->passes += count_of(rc, 'P');
                            s->failures += count_of(rc, 'F');
                            s->skips += count_of(rc, 'S');
                        }
                        n_sets = 0;
                    }
                    into = &sets[n_sets++];
                    into->n = 0;
                }
                into->members[into->n++] = &e[k];
                keys[n_keys++] = (key){e[k].name, e[k].source, out->n - 1};
                if (strchr(e[k].rec->outcomes, 'F')) note_failure(s, e[k].source);
            }
            for (size_t q = 0; q < n_sets; q++) {
                const cs_test_record *rc = set_counts(&sets[q]);
                s->passes += count_of(rc, 'P');
                s->failures += count_of(rc, 'F');
                s->skips += count_of(rc, 'S');
            }
            a = b;
        }
        s->runs = s->passes + s->failures + s->skips;
        s->flaky = s->passes && s->failures;
        s->failure_rate = s->runs ? (double)s->failures / (double)s->runs : 0;
        keys[n_keys++] = (key){e[i].name, NULL, out->n - 1};
        i = j;
    }
    free(sets);
    /* The keys point into the records, not into e: freed before the
     * per-trace arrays below, as this is the run's high-water mark. */
    free(e);
    qsort(keys, n_keys, sizeof *keys, cmp_key);

    /* Traces to tests: clusters of every trace of the test, races of every
     * linked trace. Each trace and link is looked up once (binary search). */
    growable *cl = cs_xcalloc(out->n, sizeof *cl), *ra = cs_xcalloc(out->n, sizeof *ra);
    size_t *trace_test = cs_xmalloc((r->n_traces ? r->n_traces : 1) * sizeof *trace_test);
    for (size_t i = 0; i < r->n_traces; i++) {
        const cs_trace *t = r->traces[i];
        trace_test[i] = SIZE_MAX;
        if (!t->test) continue;
        const key *k = find_key(keys, n_keys, t->test, t->source);
        if (!k) continue;
        trace_test[i] = k->summary;
        note_failure(&out->v[k->summary], t->source);
        if (c && c->of_trace)
            *CS_PUSH(cl[k->summary].v, cl[k->summary].n, cl[k->summary].cap) = c->of_trace[i];
    }
    for (size_t q = 0; races && q < races->n; q++)
        for (size_t l = 0; l < races->v[q].n_links; l++) {
            size_t s = trace_test[races->v[q].links[l].trace];
            if (s != SIZE_MAX) *CS_PUSH(ra[s].v, ra[s].n, ra[s].cap) = q;
        }
    for (size_t i = 0; i < out->n; i++) {
        out->v[i].clusters = cl[i].v;
        out->v[i].n_clusters = uniq(cl[i].v, cl[i].n);
        out->v[i].races = ra[i].v;
        out->v[i].n_races = uniq(ra[i].v, ra[i].n);
    }
    free(cl);
    free(ra);
    free(trace_test);
    free(keys);
    qsort(out->v, out->n, sizeof *out->v, cmp_summary);
}

void cs_tests_dispose(cs_tests *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].clusters);
        free(t->v[i].races);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}
