/* sarif.c - SARIF 2.1.0 for code review (GitHub code scanning and other
 * SARIF viewers): one run, one result per race pair (both sites as
 * locations, the linked failures as related locations) and one per crash
 * cluster (its top significant frame with a file).
 *
 * Locations in the repository are artifactLocation URIs relative to
 * %SRCROOT% (the repository-relative file a frame was normalized to). The
 * failures themselves happened in CI artifacts, which are not repository
 * files ("run.zip!logs/test.log" is not a URI a viewer can open), so they
 * appear as related locations with a message and a logical location of
 * kind "resource" naming the source path - that validates and keeps the
 * result anchored on code. Rules are the fixed list below (stable
 * ruleIndex); partialFingerprints carry the race or cluster id so a
 * re-upload matches earlier alerts. Written with jsonw, so strings are
 * escaped and the bytes are stable. */
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "repo.h"
#include "../base/error.h"
#include "report.h"

#define SARIF_MAX_RELATED 100 /* related locations per result */
#define SARIF_MAX_TESTS 10
#define SARIF_MAX_FLOW_FRAMES 32 /* frames per stack in a code flow */

typedef struct rule {
    const char *id;
    const char *name;
    const char *text;
    const char *level;
} rule;

enum { RULE_RACE_MAP, RULE_RACE_DATA, RULE_KIND0 };

static const rule race_rules[] = {
    {"crashsift/race/map", "MapRace",
     "Two goroutines or threads use one map without synchronization", "error"},
    {"crashsift/race/data", "DataRace",
     "Two goroutines or threads access the same memory without synchronization", "error"},
};

/* One rule per trace kind, from the kind's row in the model. */
static rule kind_rule(int k)
{
    const cs_kind_info *ki = cs_kind_info_of((cs_trace_kind)k);
    return (rule){ki->sarif_id, ki->sarif_name, ki->description, ki->sarif_level};
}

static void rule_obj(cs_jsonw *w, const rule *r)
{
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "id");
    cs_jsonw_str(w, r->id);
    cs_jsonw_key(w, "name");
    cs_jsonw_str(w, r->name);
    cs_jsonw_key(w, "shortDescription");
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "text");
    cs_jsonw_str(w, r->text);
    cs_jsonw_obj_end(w);
    cs_jsonw_key(w, "defaultConfiguration");
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "level");
    cs_jsonw_str(w, r->level);
    cs_jsonw_obj_end(w);
    cs_jsonw_obj_end(w);
}

/* A growing string for messages (freed by the caller). */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s)
{
    if (!s) s = "?";
    size_t k = strlen(s);
    if (b->n + k + 1 > b->cap) {
        b->cap = (b->n + k + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, s, k + 1);
    b->n += k;
}

static void sb_int(sbuf *b, const char *fmt, long long v)
{
    char t[32];
    snprintf(t, sizeof t, fmt, v);
    sb_add(b, t);
}

/* A repository-relative path as a URI reference: unreserved characters and
 * '/' stay, everything else is percent-encoded (spaces, '%', '#', '?',
 * non-ASCII bytes). Absolute paths become file:// URIs. */
static char *path_uri(const char *path, bool *absolute)
{
    static const char hex[] = "0123456789ABCDEF";
    *absolute = path[0] == '/';
    size_t n = strlen(path);
    char *u = malloc(n * 3 + 8);
    if (!u) abort();
    size_t w = 0;
    if (*absolute) {
        memcpy(u, "file://", 7);
        w = 7;
    }
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            u[w++] = (char)*p;
        } else {
            u[w++] = '%';
            u[w++] = hex[*p >> 4];
            u[w++] = hex[*p & 15];
        }
    }
    u[w] = '\0';
    return u;
}

static void message(cs_jsonw *w, const char *text)
{
    cs_jsonw_key(w, "message");
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "text");
    cs_jsonw_str(w, text);
    cs_jsonw_obj_end(w);
}

/* A location in the repository: file (repository-relative, or NULL when the
 * code is not in the repository) and line, with the function as a logical
 * location. id < 0: none. */
static void code_location(cs_jsonw *w, const cs_report_ctx *ctx, int id, const char *function,
                          const char *file, int line, const char *msg)
{
    cs_jsonw_obj(w);
    if (id >= 0) {
        cs_jsonw_key(w, "id");
        cs_jsonw_int(w, id);
    }
    if (file) {
        bool abs;
        char *uri = path_uri(file, &abs);
        cs_jsonw_key(w, "physicalLocation");
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "artifactLocation");
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "uri");
        cs_jsonw_str(w, uri);
        if (!abs) {
            cs_jsonw_key(w, "uriBaseId");
            cs_jsonw_str(w, "%SRCROOT%");
        }
        cs_jsonw_obj_end(w);
        if (line > 0) {
            cs_jsonw_key(w, "region");
            cs_jsonw_obj(w);
            cs_jsonw_key(w, "startLine");
            cs_jsonw_int(w, line);
            cs_jsonw_obj_end(w);
        }
        cs_jsonw_obj_end(w);
        free(uri);
    }
    if (function) {
        cs_jsonw_key(w, "logicalLocations");
        cs_jsonw_arr(w);
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "fullyQualifiedName");
        cs_jsonw_str(w, function);
        cs_jsonw_key(w, "kind");
        cs_jsonw_str(w, "function");
        cs_jsonw_obj_end(w);
        cs_jsonw_arr_end(w);
    }
    if (msg) message(w, msg);
    /* --source-url: where a person reads this code, as a property. The uri
     * stays repository-relative: code scanning resolves it against the
     * repository itself (docs/reports.md says why it is not a base URI). */
    char url[CS_REPORT_URL_MAX];
    if (file && cs_report_url(ctx, file, line, url)) {
        cs_jsonw_key(w, "properties");
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "sourceUrl");
        cs_jsonw_str(w, url);
        cs_jsonw_obj_end(w);
    }
    cs_jsonw_obj_end(w);
}

/* A failure in a CI artifact, as a related location. */
static void artifact_location(cs_jsonw *w, int id, const cs_trace *t, const char *evidence)
{
    sbuf b = {0};
    if (evidence) {
        sb_add(&b, evidence);
        sb_add(&b, " evidence: ");
    }
    sb_add(&b, cs_trace_kind_name(t->kind));
    sb_add(&b, " in ");
    sb_add(&b, t->source);
    if (t->line_start) sb_int(&b, " line %lld", (long long)t->line_start);
    if (t->test) {
        sb_add(&b, " (test ");
        sb_add(&b, t->test);
        sb_add(&b, ")");
    }
    if (t->headline) {
        sb_add(&b, ": ");
        sb_add(&b, t->headline);
    }
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "id");
    cs_jsonw_int(w, id);
    cs_jsonw_key(w, "logicalLocations");
    cs_jsonw_arr(w);
    cs_jsonw_obj(w);
    cs_jsonw_key(w, "name");
    cs_jsonw_str(w, t->source);
    cs_jsonw_key(w, "kind");
    cs_jsonw_str(w, "resource");
    cs_jsonw_obj_end(w);
    cs_jsonw_arr_end(w);
    message(w, b.p);
    cs_jsonw_obj_end(w);
    free(b.p);
}

static void str_array(cs_jsonw *w, const char **v, size_t n)
{
    cs_jsonw_arr(w);
    for (size_t i = 0; i < n; i++)
        cs_jsonw_str(w, v[i]);
    cs_jsonw_arr_end(w);
}

/* triage --db: SARIF's own word for it, relative to the previous batches
 * (a regression is new again), and crashsift's status as a property. */
static void baseline(cs_jsonw *w, const cs_history_status *h)
{
    if (!h || !h->status) return;
    cs_jsonw_key(w, "baselineState");
    cs_jsonw_str(w, strcmp(h->status, "recurring") == 0 ? "unchanged" : "new");
}

static void history_property(cs_jsonw *w, const cs_history_status *h)
{
    char buf[160];
    if (!cs_report_history_text(h, buf, sizeof buf)) return;
    cs_jsonw_key(w, "history");
    cs_jsonw_str(w, buf);
}

static void fingerprint(cs_jsonw *w, const char *key, const char *id)
{
    cs_jsonw_key(w, "partialFingerprints");
    cs_jsonw_obj(w);
    cs_jsonw_key(w, key);
    cs_jsonw_str(w, id);
    cs_jsonw_obj_end(w);
}

/* The repository file of a frame into buf, or NULL when it is not in the
 * repository. */
static const char *frame_repo_file(const cs_report_ctx *ctx, const cs_frame *f,
                                   char buf[CS_REPO_MAX_PATH])
{
    char repo[CS_REPO_MAX_PATH];
    return cs_repo_path(ctx->repo, f, buf, repo) ? buf : NULL;
}

/* One stack as a thread flow: every frame, in the repository or not (the
 * ones outside get a logical location only). */
static void thread_flow(cs_jsonw *w, const cs_report_ctx *ctx, const cs_thread *th)
{
    cs_jsonw_obj(w);
    char m[96];
    snprintf(m, sizeof m, "%s%s%s", cs_role_name(th->role), th->name ? " " : "",
             th->name ? th->name : "");
    message(w, m);
    cs_jsonw_key(w, "locations");
    cs_jsonw_arr(w);
    for (size_t j = 0; j < th->n_frames && j < SARIF_MAX_FLOW_FRAMES; j++) {
        const cs_frame *f = &th->frames[j];
        char buf[CS_REPO_MAX_PATH];
        cs_jsonw_obj(w);
        cs_jsonw_key(w, "location");
        code_location(w, ctx, -1, cs_report_frame_function(f), frame_repo_file(ctx, f, buf),
                      f->line, NULL);
        cs_jsonw_obj_end(w);
    }
    cs_jsonw_arr_end(w);
    cs_jsonw_obj_end(w);
}

/* The two accesses of the first race report among the links, as a code flow
 * with one thread flow per stack; nothing when no link has both stacks. */
static void race_code_flow(cs_jsonw *w, const cs_report_ctx *ctx, const cs_race *r)
{
    for (size_t i = 0; i < r->n_links; i++) {
        if (r->links[i].evidence != CS_EV_DIRECT) continue;
        const cs_trace *t = ctx->res->traces[r->links[i].trace];
        const cs_thread *acc = NULL, *prev = NULL;
        for (size_t k = 0; k < t->n_threads; k++) {
            const cs_thread *th = &t->threads[k];
            if (th->role == CS_ROLE_ACCESS && !acc && th->n_frames) acc = th;
            if (th->role == CS_ROLE_PREVIOUS && !prev && th->n_frames) prev = th;
        }
        if (!acc || !prev) continue;
        cs_jsonw_key(w, "codeFlows");
        cs_jsonw_arr(w);
        cs_jsonw_obj(w);
        char m[160];
        snprintf(m, sizeof m, "The two accesses reported in %.120s", t->source);
        message(w, m);
        cs_jsonw_key(w, "threadFlows");
        cs_jsonw_arr(w);
        thread_flow(w, ctx, acc);
        thread_flow(w, ctx, prev);
        cs_jsonw_arr_end(w);
        cs_jsonw_obj_end(w);
        cs_jsonw_arr_end(w);
        return;
    }
}

static void site_text(sbuf *b, const cs_site *s)
{
    sb_add(b, cs_site_name(s));
    sb_add(b, " (");
    sb_add(b, s->file);
    for (size_t k = 0; k < s->n_lines; k++)
        sb_int(b, k ? ",%lld" : ":%lld", s->lines[k]);
    if (s->access) {
        sb_add(b, ", ");
        sb_add(b, s->access);
    }
    sb_add(b, ")");
}

/* The repository files of a race's two sites (NULL: not in it). */
static void race_files(const cs_report_ctx *ctx, const cs_race *r, char bufs[2][CS_REPO_MAX_PATH],
                       const char *files[2])
{
    for (int s = 0; s < 2; s++)
        files[s] =
            s < cs_race_n_sites(r) ? cs_report_site_repo_file(ctx, r, &r->sites[s], bufs[s]) : NULL;
}

static void race_result(cs_jsonw *w, const cs_report_ctx *ctx, const cs_race *r)
{
    int ri = r->map_race ? RULE_RACE_MAP : RULE_RACE_DATA;
    char bufs[2][CS_REPO_MAX_PATH];
    const char *files[2];
    race_files(ctx, r, bufs, files);
    sbuf b = {0};
    sb_add(&b, r->map_race ? "Map race between " : "Data race between ");
    site_text(&b, &r->sites[0]);
    /* Code scanning shows the first location only: the message links the
     * second site (related location 0). */
    if (r->partial) {
        sb_add(&b, " and ");
        sb_add(&b, cs_race_unknown_side(r));
    } else {
        sb_add(&b, files[1] ? " and [" : " and ");
        site_text(&b, &r->sites[1]);
        if (files[1]) sb_add(&b, "](0)");
    }
    sb_int(&b, ": %lld failure(s) (", (long long)r->n_links);
    bool any = false;
    for (int e = 0; e < CS_EV_COUNT; e++)
        if (r->n_by[e]) {
            if (any) sb_add(&b, ", ");
            sb_add(&b, cs_evidence_name((cs_evidence)e));
            sb_int(&b, " %lld", (long long)r->n_by[e]);
            any = true;
        }
    sb_add(&b, "). ");
    char *note = cs_race_note(r);
    sb_add(&b, note);
    free(note);

    cs_jsonw_obj(w);
    cs_jsonw_key(w, "ruleId");
    cs_jsonw_str(w, race_rules[ri].id);
    cs_jsonw_key(w, "ruleIndex");
    cs_jsonw_int(w, ri);
    cs_jsonw_key(w, "level");
    cs_jsonw_str(w, "error");
    message(w, b.p);
    free(b.p);
    cs_jsonw_key(w, "locations");
    cs_jsonw_arr(w);
    for (int s = 0; s < cs_race_n_sites(r); s++) {
        const cs_site *st = &r->sites[s];
        char m[64];
        snprintf(m, sizeof m, "Site %c (%s)", s ? 'B' : 'A', st->access ? st->access : "access");
        code_location(w, ctx, -1, cs_site_name(st), files[s], st->n_lines ? st->lines[0] : 0, m);
    }
    cs_jsonw_arr_end(w);
    race_code_flow(w, ctx, r);
    cs_jsonw_key(w, "relatedLocations");
    cs_jsonw_arr(w);
    if (files[1]) {
        const cs_site *st = &r->sites[1];
        char m[64];
        snprintf(m, sizeof m, "Site B (%s)", st->access ? st->access : "access");
        code_location(w, ctx, 0, cs_site_name(st), files[1], st->n_lines ? st->lines[0] : 0, m);
    }
    for (size_t i = 0; i < r->n_links && i < SARIF_MAX_RELATED; i++)
        artifact_location(w, (int)i + 1, ctx->res->traces[r->links[i].trace],
                          cs_evidence_name(r->links[i].evidence));
    cs_jsonw_arr_end(w);
    fingerprint(w, "crashsiftRaceId/v1", r->id);
    const cs_history_status *hist = cs_report_race_history(ctx, (size_t)(r - ctx->races->v));
    baseline(w, hist);
    cs_jsonw_key(w, "properties");
    cs_jsonw_obj(w);
    history_property(w, hist);
    cs_jsonw_key(w, "accessTypes");
    cs_jsonw_str(w, cs_race_access_types(r));
    cs_jsonw_key(w, "failures");
    cs_jsonw_uint(w, r->n_links);
    cs_jsonw_key(w, "evidence");
    cs_jsonw_obj(w);
    for (int e = 0; e < CS_EV_COUNT; e++) {
        cs_jsonw_key(w, cs_evidence_name((cs_evidence)e));
        cs_jsonw_uint(w, r->n_by[e]);
    }
    cs_jsonw_obj_end(w);
    size_t n;
    const char **v = cs_report_strs_get(cs_report_race_tests(ctx, r), &n);
    cs_jsonw_key(w, "tests");
    str_array(w, v, n < SARIF_MAX_TESTS ? n : SARIF_MAX_TESTS);
    v = cs_report_strs_get(cs_report_race_clusters(ctx, r), &n);
    cs_jsonw_key(w, "clusters");
    str_array(w, v, n);
    cs_jsonw_obj_end(w);
    cs_jsonw_obj_end(w);
}

/* Where a reviewer should look: the top significant frame in the
 * repository, else its top frame in the repository (its file into buf);
 * NULL when the trace has no code there. */
static const cs_frame *cluster_top(const cs_report_ctx *ctx, const cs_cluster *c,
                                   char buf[CS_REPO_MAX_PATH])
{
    const cs_thread *th = cs_report_sig_thread(ctx->res->traces[c->rep]);
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; th && k < th->n_frames; k++)
            if ((pass || th->frames[k].significant) && frame_repo_file(ctx, &th->frames[k], buf))
                return &th->frames[k];
    return NULL;
}

static void cluster_result(cs_jsonw *w, const cs_report_ctx *ctx, const cs_cluster *c)
{
    const cs_results *res = ctx->res;
    const cs_trace *rep = res->traces[c->rep];
    const rule kr = kind_rule((int)rep->kind), *ru = &kr;
    /* The top significant frame that names a file: where a reviewer should
     * look. Without one the result still stands, without a location. */
    char buf[CS_REPO_MAX_PATH];
    const cs_frame *top = cluster_top(ctx, c, buf);
    const char *top_file = top ? buf : NULL;

    sbuf b = {0};
    sb_add(&b, rep->headline && *rep->headline ? rep->headline : cs_trace_kind_name(rep->kind));
    sb_int(&b, " (%lld occurrence(s)", (long long)c->n_traces);
    size_t n;
    const char **v = cs_report_strs_get(cs_report_cluster_tests(ctx, c), &n);
    for (size_t i = 0; i < n && i < 3; i++) {
        sb_add(&b, i ? ", " : "; tests: ");
        sb_add(&b, v[i]);
    }
    if (n > 3) sb_int(&b, " +%lld more", (long long)(n - 3));
    sb_add(&b, "; first seen in ");
    sb_add(&b, res->traces[c->traces[0]]->source);
    sb_add(&b, ")");

    cs_jsonw_obj(w);
    cs_jsonw_key(w, "ruleId");
    cs_jsonw_str(w, ru->id);
    cs_jsonw_key(w, "ruleIndex");
    cs_jsonw_int(w, RULE_KIND0 + (int)rep->kind);
    cs_jsonw_key(w, "level");
    cs_jsonw_str(w, ru->level);
    message(w, b.p);
    free(b.p);
    if (top) {
        cs_jsonw_key(w, "locations");
        cs_jsonw_arr(w);
        code_location(w, ctx, -1, cs_report_frame_function(top), top_file, top->line, NULL);
        cs_jsonw_arr_end(w);
    }
    cs_jsonw_key(w, "relatedLocations");
    cs_jsonw_arr(w);
    for (size_t i = 0; i < c->n_traces && i < SARIF_MAX_RELATED; i++)
        artifact_location(w, (int)i + 1, res->traces[c->traces[i]], NULL);
    cs_jsonw_arr_end(w);
    fingerprint(w, "crashsiftClusterId/v1", c->id);
    const cs_history_status *hist = cs_report_cluster_history(ctx, (size_t)(c - ctx->clusters->v));
    baseline(w, hist);
    cs_jsonw_key(w, "properties");
    cs_jsonw_obj(w);
    history_property(w, hist);
    cs_jsonw_key(w, "kind");
    cs_jsonw_str(w, cs_trace_kind_name(rep->kind));
    cs_jsonw_key(w, "count");
    cs_jsonw_uint(w, c->n_traces);
    cs_jsonw_key(w, "signature");
    cs_jsonw_str(w, c->signature);
    cs_jsonw_key(w, "tests");
    str_array(w, v, n < SARIF_MAX_TESTS ? n : SARIF_MAX_TESTS);
    cs_jsonw_key(w, "firstSeen");
    cs_jsonw_str(w, res->traces[c->traces[0]]->source);
    cs_jsonw_key(w, "lastSeen");
    cs_jsonw_str(w, res->traces[c->traces[c->n_traces - 1]]->source);
    cs_jsonw_obj_end(w);
    cs_jsonw_obj_end(w);
}

static int write_sarif(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    cs_jsonw w;
    cs_jsonw_init(&w, f);
    w.compact = ctx->compact;
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "$schema");
    cs_jsonw_str(&w, "https://json.schemastore.org/sarif-2.1.0.json");
    cs_jsonw_key(&w, "version");
    cs_jsonw_str(&w, "2.1.0");
    cs_jsonw_key(&w, "runs");
    cs_jsonw_arr(&w);
    cs_jsonw_obj(&w);

    cs_jsonw_key(&w, "tool");
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "driver");
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "name");
    cs_jsonw_str(&w, "crashsift");
    cs_jsonw_key(&w, "version");
    cs_jsonw_str(&w, ctx->tool_version ? ctx->tool_version : "0");
    cs_jsonw_key(&w, "rules");
    cs_jsonw_arr(&w);
    for (int i = 0; i < RULE_KIND0; i++)
        rule_obj(&w, &race_rules[i]);
    for (int i = 0; i < CS_TK_COUNT; i++) {
        const rule kr = kind_rule(i);
        rule_obj(&w, &kr);
    }
    cs_jsonw_arr_end(&w);
    cs_jsonw_obj_end(&w);
    cs_jsonw_obj_end(&w);

    cs_jsonw_key(&w, "originalUriBaseIds");
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "%SRCROOT%");
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "description");
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "text");
    cs_jsonw_str(&w, "The root of the repository the traces were normalized against");
    cs_jsonw_obj_end(&w);
    cs_jsonw_obj_end(&w);
    cs_jsonw_obj_end(&w);

    if (ctx->source_url) {
        cs_jsonw_key(&w, "properties");
        cs_jsonw_obj(&w);
        cs_jsonw_key(&w, "sourceUrlTemplate");
        cs_jsonw_str(&w, ctx->source_url);
        cs_jsonw_key(&w, "commit");
        cs_jsonw_str(&w, ctx->commit);
        cs_jsonw_obj_end(&w);
    }

    /* Input problems are tool notifications: the run still succeeded. */
    cs_jsonw_key(&w, "invocations");
    cs_jsonw_arr(&w);
    cs_jsonw_obj(&w);
    cs_jsonw_key(&w, "executionSuccessful");
    cs_jsonw_bool(&w, true);
    cs_jsonw_key(&w, "toolExecutionNotifications");
    cs_jsonw_arr(&w);
    for (size_t i = 0; i < r->n_diags; i++) {
        sbuf b = {0};
        sb_add(&b, r->diags[i].source);
        sb_add(&b, ": ");
        sb_add(&b, r->diags[i].message);
        cs_jsonw_obj(&w);
        cs_jsonw_key(&w, "level");
        cs_jsonw_str(&w, "warning");
        message(&w, b.p);
        cs_jsonw_obj_end(&w);
        free(b.p);
    }
    cs_jsonw_arr_end(&w);
    cs_jsonw_obj_end(&w);
    cs_jsonw_arr_end(&w);

    cs_jsonw_key(&w, "results");
    cs_jsonw_arr(&w);
    /* --repo-root: this file is about that repository; results with no code
     * in it belong to another one's review. */
    bool filter = ctx->repo && ctx->repo->n_roots;
    for (size_t i = 0; ctx->races && i < ctx->races->n; i++) {
        const cs_race *race = &ctx->races->v[i];
        char bufs[2][CS_REPO_MAX_PATH];
        const char *files[2];
        if (filter) race_files(ctx, race, bufs, files);
        if (!filter || files[0] || files[1]) race_result(&w, ctx, race);
    }
    for (size_t i = 0; ctx->clusters && i < ctx->clusters->n; i++) {
        const cs_cluster *c = &ctx->clusters->v[i];
        char buf[CS_REPO_MAX_PATH];
        if (!filter || cluster_top(ctx, c, buf)) cluster_result(&w, ctx, c);
    }
    cs_jsonw_arr_end(&w);

    cs_jsonw_obj_end(&w);
    cs_jsonw_arr_end(&w);
    cs_jsonw_obj_end(&w);
    return ferror(f) ? CS_E_IO : CS_OK;
}

int cs_report_sarif(FILE *f, const cs_report_ctx *ctx)
{
    return cs_report_with_view(f, ctx, write_sarif);
}
