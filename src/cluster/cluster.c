#include "cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"

typedef struct group {
    size_t first, n; /* range in the sorted trace index array */
    const cs_trace *rep;
    size_t rep_index;
    const char *seq[CS_CLUSTER_CMP_FRAMES];
    size_t n_seq;
    int bucket_kind;
    const char *bucket_class;
    const char *bucket_top;
    long root; /* index of the group this one is linked to, -1 none */
    double dist;
    size_t total;
} group;

static const cs_results *g_res; /* qsort context (single-threaded stage) */

static int cmp_trace_idx(const void *a, const void *b)
{
    const cs_trace *x = g_res->traces[*(const size_t *)a], *y = g_res->traces[*(const size_t *)b];
    int c = strcmp(x->signature, y->signature);
    if (c) return c;
    /* Then in results order, which is already (source, line, seq). */
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    return i < j ? -1 : i > j;
}

/* The significant frames (recursion collapsed) of t's signature thread, at
 * most CS_CLUSTER_CMP_FRAMES; frames[i] is the frame seq[i] came from. */
static size_t trace_seq(const cs_trace *t, const char **seq, const cs_frame **frames)
{
    size_t n = 0;
    int ti = t->crash_thread;
    if (ti < 0) return 0;
    const cs_thread *th = &t->threads[ti];
    for (size_t j = 0; j < th->n_frames && n < CS_CLUSTER_CMP_FRAMES; j++) {
        const cs_frame *f = &th->frames[j];
        if (!f->significant) continue;
        /* The frame's signature part: a frame without symbols is its
         * module@build-id+offset, never a "?" equal to every other. */
        const char *s = f->sig_part ? f->sig_part : "?";
        if (n && strcmp(seq[n - 1], s) == 0) continue;
        if (frames) frames[n] = f;
        seq[n++] = s;
    }
    return n;
}

static void fill_seq(group *g)
{
    g->n_seq = trace_seq(g->rep, g->seq, NULL);
}

static double weight(size_t i)
{
    return 1.0 / (double)(1u << (i < 30 ? i : 30));
}

double cs_cluster_distance(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    double d[CS_CLUSTER_CMP_FRAMES + 1][CS_CLUSTER_CMP_FRAMES + 1];
    if (na > CS_CLUSTER_CMP_FRAMES) na = CS_CLUSTER_CMP_FRAMES;
    if (nb > CS_CLUSTER_CMP_FRAMES) nb = CS_CLUSTER_CMP_FRAMES;
    d[0][0] = 0;
    for (size_t i = 1; i <= na; i++)
        d[i][0] = d[i - 1][0] + weight(i - 1);
    for (size_t j = 1; j <= nb; j++)
        d[0][j] = d[0][j - 1] + weight(j - 1);
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            double wi = weight(i - 1), wj = weight(j - 1);
            double sub =
                d[i - 1][j - 1] + (strcmp(a[i - 1], b[j - 1]) == 0 ? 0 : (wi > wj ? wi : wj));
            double del = d[i - 1][j] + wi, ins = d[i][j - 1] + wj;
            double m = sub < del ? sub : del;
            d[i][j] = m < ins ? m : ins;
        }
    double total = (d[na][0] + d[0][nb]) / 2;
    return total > 0 ? d[na][nb] / total : 0;
}

static void make_id(char id[16], const char *signature)
{
    uint64_t h = cs_hash64(signature, strlen(signature), CS_HASH_SEED);
    snprintf(id, 16, "C%010llx", (unsigned long long)(h & 0xffffffffffULL));
}

static int cmp_bucket(const void *a, const void *b)
{
    const group *x = *(group *const *)a, *y = *(group *const *)b;
    if (x->bucket_kind != y->bucket_kind) return x->bucket_kind < y->bucket_kind ? -1 : 1;
    int c = strcmp(x->bucket_class, y->bucket_class);
    if (c) return c;
    c = strcmp(x->bucket_top, y->bucket_top);
    if (c) return c;
    if (x->n != y->n) return x->n > y->n ? -1 : 1;
    return strcmp(x->rep->signature, y->rep->signature);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_cluster(const void *a, const void *b)
{
    const cs_cluster *x = a, *y = b;
    if (x->n_traces != y->n_traces) return x->n_traces > y->n_traces ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int cmp_merge(const void *a, const void *b)
{
    const cs_merge *x = a, *y = b;
    int c = strcmp(x->into, y->into);
    return c ? c : strcmp(x->from, y->from);
}

void cs_cluster_run(const cs_results *r, const cs_cluster_opts *o, cs_clusters *out)
{
    memset(out, 0, sizeof *out);
    size_t n = r->n_traces;
    if (n == 0) return;
    size_t *idx = cs_xmalloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    g_res = r;
    qsort(idx, n, sizeof *idx, cmp_trace_idx);

    group *gs = NULL;
    size_t ng = 0, capg = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(r->traces[idx[j]]->signature, r->traces[idx[i]]->signature) == 0)
            j++;
        group *g = CS_PUSH(gs, ng, capg);
        memset(g, 0, sizeof *g);
        g->first = i;
        g->n = j - i;
        g->rep_index = idx[i];
        g->rep = r->traces[idx[i]];
        g->root = -1;
        fill_seq(g);
        g->bucket_kind = (int)g->rep->kind;
        g->bucket_class = g->rep->norm_headline ? g->rep->norm_headline : "";
        g->bucket_top = g->n_seq ? g->seq[0] : "";
        i = j;
    }

    /* Link within buckets (same kind, class and top frame), largest first:
     * each group is compared with at most CS_CLUSTER_MAX_ROOTS earlier
     * unlinked groups of its bucket, so the work stays linear. */
    double thr = o ? o->threshold : CS_DEFAULT_MERGE_THRESHOLD;
    group **order = cs_xmalloc(ng * sizeof *order);
    for (size_t i = 0; i < ng; i++)
        order[i] = &gs[i];
    qsort(order, ng, sizeof *order, cmp_bucket);
    for (size_t b = 0; b < ng && thr > 0;) {
        size_t e = b + 1;
        while (e < ng && order[e]->bucket_kind == order[b]->bucket_kind &&
               strcmp(order[e]->bucket_class, order[b]->bucket_class) == 0 &&
               strcmp(order[e]->bucket_top, order[b]->bucket_top) == 0)
            e++;
        bool race = strcmp(order[b]->bucket_class, "data race") == 0;
        for (size_t i = b + 1; i < e && !race; i++) {
            size_t compared = 0;
            for (size_t k = b; k < i && compared < CS_CLUSTER_MAX_ROOTS; k++) {
                if (order[k]->root >= 0) continue;
                compared++;
                double d = cs_cluster_distance(order[i]->seq, order[i]->n_seq, order[k]->seq,
                                               order[k]->n_seq);
                if (d <= thr) {
                    order[i]->root = order[k] - gs;
                    order[i]->dist = d;
                    break;
                }
            }
        }
        b = e;
    }
    free(order);

    /* Every group is a cluster whose id is its signature's: the id never
     * depends on what else is in the batch. A close group is a link. */
    long *cluster_of = cs_xmalloc(ng * sizeof *cluster_of);
    for (size_t i = 0; i < ng; i++) {
        cs_cluster *c = CS_PUSH(out->v, out->n, out->cap);
        memset(c, 0, sizeof *c);
        c->signature = gs[i].rep->signature;
        c->rep = gs[i].rep_index;
        make_id(c->id, c->signature);
        cluster_of[i] = (long)(out->n - 1);
        for (size_t k = 0; k < gs[i].n; k++)
            *CS_PUSH(c->traces, c->n_traces, c->cap_traces) = idx[gs[i].first + k];
    }
    for (size_t i = 0; i < ng; i++) {
        if (gs[i].root < 0) continue;
        cs_merge *m = CS_PUSH(out->merges, out->n_merges, out->cap_merges);
        make_id(m->from, gs[i].rep->signature);
        make_id(m->into, gs[gs[i].root].rep->signature);
        m->from_signature = gs[i].rep->signature;
        m->distance = gs[i].dist;
    }
    for (size_t i = 0; i < out->n; i++)
        qsort(out->v[i].traces, out->v[i].n_traces, sizeof *out->v[i].traces, cmp_size);
    qsort(out->v, out->n, sizeof *out->v, cmp_cluster);
    if (out->n_merges) qsort(out->merges, out->n_merges, sizeof *out->merges, cmp_merge);
    out->of_trace = cs_xmalloc(n * sizeof *out->of_trace);
    for (size_t i = 0; i < out->n; i++)
        for (size_t k = 0; k < out->v[i].n_traces; k++)
            out->of_trace[out->v[i].traces[k]] = i;
    free(cluster_of);
    free(gs);
    free(idx);
}

void cs_clusters_dispose(cs_clusters *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].traces);
    free(c->v);
    free(c->merges);
    free(c->of_trace);
    memset(c, 0, sizeof *c);
}

/* "name (file:line)" of a frame, for a reason. */
static void describe_frame(cs_buf *b, const char *part, const cs_frame *f)
{
    cs_buf_printf(b, "'%s'", part);
    if (f && f->norm_file) {
        cs_buf_printf(b, " (%s", f->norm_file);
        if (f->line > 0) cs_buf_printf(b, ":%d", f->line);
        cs_buf_adds(b, ")");
    }
}

static bool is_race(const cs_trace *t)
{
    return t->norm_headline && strcmp(t->norm_headline, "data race") == 0;
}

char *cs_cluster_why_apart(const cs_trace *a, const cs_trace *b, double threshold)
{
    if (strcmp(a->signature, b->signature) == 0) return NULL;
    cs_buf r;
    cs_buf_init(&r, 0);
    if (a->kind != b->kind) {
        cs_buf_printf(&r, "kinds differ: %s vs %s (traces of different kinds never group)",
                      cs_trace_kind_name(a->kind), cs_trace_kind_name(b->kind));
        return cs_buf_take(&r);
    }
    const char *ca = a->norm_headline ? a->norm_headline : "",
               *cb = b->norm_headline ? b->norm_headline : "";
    if (strcmp(ca, cb) != 0) {
        cs_buf_printf(&r, "failure classes differ: '%s' vs '%s'", ca, cb);
        return cs_buf_take(&r);
    }
    const char *sa[CS_CLUSTER_CMP_FRAMES], *sb[CS_CLUSTER_CMP_FRAMES];
    const cs_frame *fa[CS_CLUSTER_CMP_FRAMES], *fb[CS_CLUSTER_CMP_FRAMES];
    size_t na = trace_seq(a, sa, fa), nb = trace_seq(b, sb, fb);
    size_t i = 0;
    while (i < na && i < nb && strcmp(sa[i], sb[i]) == 0)
        i++;
    if (is_race(a)) {
        cs_buf_adds(&r, "race sites differ (a race is its pair of sites, never linked)");
        return cs_buf_take(&r);
    }
    if (i < na && i < nb) {
        cs_buf_printf(&r, "significant frame %zu differs: ", i + 1);
        describe_frame(&r, sa[i], fa[i]);
        cs_buf_adds(&r, " vs ");
        describe_frame(&r, sb[i], fb[i]);
    } else if (na != nb) {
        const char **longer = na > nb ? sa : sb;
        const cs_frame **lf = na > nb ? fa : fb;
        cs_buf_printf(&r, "one has %zu significant frame(s), the other %zu; next would be ",
                      na < nb ? na : nb, na > nb ? na : nb);
        describe_frame(&r, longer[i], lf[i]);
    } else {
        /* Same frames as far as compared: the signatures' places differ
         * (a fallback location, frames past the compared ones, a language). */
        cs_buf_printf(&r, "signatures differ: '%s' vs '%s'", a->signature, b->signature);
    }
    if (threshold <= 0) {
        cs_buf_adds(&r, "; linking is off");
    } else if (!na || !nb || strcmp(sa[0], sb[0]) != 0) {
        cs_buf_adds(&r, "; different top frames are never compared for a link");
    } else {
        double d = cs_cluster_distance(sa, na, sb, nb);
        if (d <= threshold)
            cs_buf_printf(&r,
                          "; distance %.3f <= %.3f: linked as close clusters, each keeping its "
                          "own id",
                          d, threshold);
        else
            cs_buf_printf(&r, "; distance %.3f > %.3f: not close enough to link", d, threshold);
    }
    return cs_buf_take(&r);
}
