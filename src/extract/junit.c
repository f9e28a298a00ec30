/* junit.c - JUnit XML (Surefire, pytest, gotestsum, go-junit-report...).
 * The only user of expat. Every <failure> or <error> body of a <testcase> is
 * extracted with the testcase's name as its test; a body in which no trace
 * is found is still a failure, recorded as a test-failure trace with the
 * failure's message. Entity expansion is off: a "billion laughs" document is
 * an error, not a hang. */
#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "readers.h"

#define MAX_XML_DEPTH 256
/* expat (2.5.0 has no reparse deferral) rescans a token that spans feeds
 * from its start on every feed: a 40 MB attribute fed 64 KiB at a time costs
 * 640 rescans. Large feeds make those few, and one token is capped: past
 * MAX_TOKEN bytes without a single parser event the document is abandoned
 * and reported, so the cost stays below FEED-sized steps of MAX_TOKEN. */
#define FEED (1u << 20)
#define MAX_TOKEN (8u << 20)

typedef struct junit {
    const char *source;
    const cs_extract_opts *opts;
    cs_results *out;
    XML_Parser p;
    int depth;
    char *classname, *name; /* current testcase */
    int in_body;            /* inside <failure> / <error>: its depth */
    char *message, *type;
    uint64_t body_line; /* member line where the body starts */
    cs_extractor *x;    /* for the current body */
    cs_results body;    /* its traces */
    cs_buf line;        /* current body line */
    uint64_t line_no;
    bool line_started;
    bool too_deep;
    /* The current testcase's outcome: every <testcase> is one run, failed
     * with a <failure> or <error>, skipped with <skipped>, else passed. */
    bool tc_failed, tc_skipped;
    uint64_t tc_line;
    cs_test_index ix;
    bool runs_capped;
    char *not_junit;     /* the root element, when it is not JUnit's */
    uint64_t last_event; /* byte offset of the latest parser event */
    bool pytest;         /* inside <testsuite name="pytest"> */
} junit;

/* Every handler marks where the parser has got to (see MAX_TOKEN). */
static void mark(junit *j)
{
    XML_Index at = XML_GetCurrentByteIndex(j->p);
    if (at > 0) j->last_event = (uint64_t)at;
}

static const char *attr(const XML_Char **a, const char *name)
{
    for (; a && a[0]; a += 2)
        if (strcmp(a[0], name) == 0) return a[1];
    return NULL;
}

static void flush_line(junit *j)
{
    if (!j->line_started) return;
    cs_extractor_line(j->x, j->line.ptr ? j->line.ptr : "", j->line.len, j->line_no);
    cs_buf_clear(&j->line);
    j->line_started = false;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    junit *j = ud;
    mark(j);
    if (!j->in_body || len <= 0) return;
    uint64_t no = (uint64_t)XML_GetCurrentLineNumber(j->p);
    for (int i = 0; i < len; i++) {
        if (!j->line_started) {
            j->line_started = true;
            j->line_no = no;
        }
        if (s[i] == '\n') {
            flush_line(j);
            continue;
        }
        if (j->line.len < j->line.max) cs_buf_addc(&j->line, s[i]);
    }
}

/* A failure whose body held no trace: the failure itself is the symptom. */
static void bare_failure(junit *j)
{
    cs_trace *t = cs_trace_new(CS_TK_TEST_FAILURE, j->source, j->body_line);
    t->test = j->name ? cs_xstrdup(j->name) : NULL;
    const char *msg = j->message && *j->message ? j->message : j->type;
    if (msg) {
        size_t n = strcspn(msg, "\n");
        t->headline = cs_xstrndup(msg, n);
    } else {
        t->headline = cs_xstrdup("test failed");
    }
    cs_thread *th = cs_trace_add_thread(t, CS_ROLE_CRASHED);
    cs_frame *f = th ? cs_thread_add_frame(th) : NULL;
    if (f) {
        f->function = cs_xasprintf("%s%s%s", j->classname ? j->classname : "",
                                   j->classname ? "." : "", j->name ? j->name : "?");
    }
    cs_results_add_trace(&j->body, t);
}

/* "tests.unit.test_x.TestC" + "test_y[1]" -> "tests/unit/test_x.py::TestC::test_y[1]".
 * pytest joined the path parts and the classes with '.', so where the path
 * ends is not written: classes are the trailing parts that start with an
 * upper-case letter (pytest collects classes named Test* by default). */
static char *pytest_node_id(const char *classname, const char *name)
{
    size_t n = strlen(classname);
    size_t mod_end = n; /* classname[0..mod_end) is the module path */
    for (;;) {
        const char *dot = NULL;
        for (size_t i = mod_end; i-- > 0;)
            if (classname[i] == '.') {
                dot = classname + i;
                break;
            }
        if (!dot || !(dot[1] >= 'A' && dot[1] <= 'Z')) break;
        mod_end = (size_t)(dot - classname);
    }
    cs_buf b;
    cs_buf_init(&b, 0);
    for (size_t i = 0; i < mod_end; i++)
        cs_buf_addc(&b, classname[i] == '.' ? '/' : classname[i]);
    cs_buf_adds(&b, ".py");
    for (size_t i = mod_end; i < n; i++) {
        if (classname[i] == '.')
            cs_buf_adds(&b, "::");
        else
            cs_buf_addc(&b, classname[i]);
    }
    cs_buf_adds(&b, "::");
    cs_buf_adds(&b, name);
    return cs_buf_take(&b);
}

static void on_start(void *ud, const XML_Char *el, const XML_Char **a)
{
    junit *j = ud;
    mark(j);
    if (j->depth == 0 && strcmp(el, "testsuites") != 0 && strcmp(el, "testsuite") != 0) {
        j->not_junit = cs_xstrdup(el);
        XML_StopParser(j->p, XML_FALSE);
        return;
    }
    if (++j->depth > MAX_XML_DEPTH) {
        j->too_deep = true;
        XML_StopParser(j->p, XML_FALSE);
        return;
    }
    if (strcmp(el, "testsuite") == 0) {
        const char *n = attr(a, "name");
        j->pytest = n && strcmp(n, "pytest") == 0;
    } else if (strcmp(el, "testcase") == 0) {
        free(j->classname);
        free(j->name);
        const char *c = attr(a, "classname"), *n = attr(a, "name");
        j->classname = c ? cs_xstrdup(c) : NULL;
        j->name = n ? cs_xstrdup(n) : NULL;
        if (j->pytest && c && n) {
            /* pytest names a testcase from its node id: the classname is
             * the path with '/' as '.' and no ".py", then the classes. The
             * record and the failures take the node id back, the name its
             * -v lines and summaries use, so a job log and its JUnit file
             * are copies of one run (flaky.h). */
            free(j->name);
            j->name = pytest_node_id(c, n);
            free(j->classname);
            j->classname = NULL;
        }
        j->tc_failed = j->tc_skipped = false;
        j->tc_line = (uint64_t)XML_GetCurrentLineNumber(j->p);
    } else if (j->name && (strcmp(el, "failure") == 0 || strcmp(el, "error") == 0)) {
        j->tc_failed = true;
    } else if (j->name && strcmp(el, "skipped") == 0) {
        j->tc_skipped = true;
    }
    if (!j->in_body && (strcmp(el, "failure") == 0 || strcmp(el, "error") == 0) && j->name) {
        j->in_body = j->depth;
        const char *m = attr(a, "message"), *t = attr(a, "type");
        j->message = m ? cs_xstrdup(m) : NULL;
        j->type = t ? cs_xstrdup(t) : NULL;
        j->body_line = (uint64_t)XML_GetCurrentLineNumber(j->p);
        cs_results_init(&j->body);
        j->x = cs_extractor_new(j->source, j->opts, &j->body);
        cs_extractor_set_test(j->x, j->name);
        cs_extractor_set_reader(j->x);
    }
}

static void on_end(void *ud, const XML_Char *el)
{
    junit *j = ud;
    mark(j);
    if (j->in_body && j->depth == j->in_body) {
        flush_line(j);
        cs_extractor_test_failed(j->x);
        cs_extractor_finish(j->x);
        cs_extractor_free(j->x);
        j->x = NULL;
        if (j->body.n_traces == 0) bare_failure(j);
        for (size_t i = 0; i < j->body.n_traces; i++) {
            cs_trace *t = j->body.traces[i];
            /* The testcase names the test; the body's own guess does not. */
            free(t->test);
            t->test = j->name ? cs_xstrdup(j->name) : NULL;
        }
        cs_results_move(j->out, &j->body);
        free(j->message);
        free(j->type);
        j->message = j->type = NULL;
        j->in_body = 0;
    }
    if (strcmp(el, "testcase") == 0) {
        if (j->name) {
            cs_outcome o = j->tc_failed ? CS_OUT_FAIL : j->tc_skipped ? CS_OUT_SKIP : CS_OUT_PASS;
            if (!cs_test_index_add(&j->ix, j->classname, j->name, o, j->tc_line) &&
                !j->runs_capped) {
                j->runs_capped = true;
                cs_results_add_diag(j->out, j->source,
                                    "more than %d test runs in one member; the rest were not "
                                    "counted",
                                    CS_MAX_TEST_RUNS_PER_MEMBER);
            }
        }
        free(j->classname);
        free(j->name);
        j->classname = j->name = NULL;
    }
    j->depth--;
}

static void on_comment(void *ud, const XML_Char *data)
{
    (void)data;
    mark(ud);
}

static void on_pi(void *ud, const XML_Char *target, const XML_Char *data)
{
    (void)target;
    (void)data;
    mark(ud);
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub,
                       int internal)
{
    (void)name;
    (void)sys;
    (void)pub;
    (void)internal;
    mark(ud);
}

/* Refuse DTDs with entities outright: no expansion, no external fetches. */
static void on_entity_decl(void *ud, const XML_Char *name, int pe, const XML_Char *value,
                           int value_len, const XML_Char *base, const XML_Char *sys,
                           const XML_Char *pub, const XML_Char *notation)
{
    junit *j = ud;
    XML_StopParser(j->p, XML_FALSE);
}

int cs_junit_read(const char *source, const cs_extract_opts *opts, cs_pull pull, void *ctx,
                  cs_results *out)
{
    junit j = {.source = source, .opts = opts, .out = out};
    cs_buf_init(&j.line, opts->max_line);
    cs_test_index_init(&j.ix, out, source, CS_TF_JUNIT);
    j.p = XML_ParserCreate(NULL);
    if (!j.p) abort();
    XML_SetUserData(j.p, &j);
    XML_SetElementHandler(j.p, on_start, on_end);
    XML_SetCharacterDataHandler(j.p, on_text);
    XML_SetEntityDeclHandler(j.p, on_entity_decl);
    XML_SetCommentHandler(j.p, on_comment);
    XML_SetProcessingInstructionHandler(j.p, on_pi);
    XML_SetStartDoctypeDeclHandler(j.p, on_doctype);
    char *buf = cs_xmalloc(FEED);
    ssize_t k;
    bool ok = true, too_long = false;
    uint64_t fed = 0;
    do {
        /* A full feed each time, so a token costs few rescans. */
        size_t got = 0;
        k = 1;
        while (got < FEED && (k = pull(ctx, buf + got, FEED - got)) > 0)
            got += (size_t)k;
        if (k < 0) break;
        fed += got;
        if (XML_Parse(j.p, buf, (int)got, k == 0) != XML_STATUS_OK) {
            ok = false;
            break;
        }
        if (k != 0 && fed - j.last_event > MAX_TOKEN) {
            too_long = true;
            break;
        }
    } while (k > 0);
    free(buf);
    if (too_long) {
        cs_results_add_diag(out, source,
                            "a single XML token (an attribute, comment or tag) after line %lu is "
                            "longer than %u MiB; the rest of the file was skipped, traces before "
                            "it were kept",
                            (unsigned long)XML_GetCurrentLineNumber(j.p), MAX_TOKEN >> 20);
    } else if (!ok && j.not_junit) {
        cs_results_add_diag(out, source,
                            "XML whose root element is <%s>, not JUnit (<testsuites> or "
                            "<testsuite>); no test results were read from it",
                            j.not_junit);
    } else if (!ok) {
        const char *why = j.too_deep ? "elements nested too deep"
                          : XML_GetErrorCode(j.p) == XML_ERROR_ABORTED
                              ? "entity declarations are not accepted"
                              : XML_ErrorString(XML_GetErrorCode(j.p));
        cs_results_add_diag(out, source,
                            "invalid JUnit XML at line %lu: %s; traces before it "
                            "were kept",
                            (unsigned long)XML_GetCurrentLineNumber(j.p), why);
    }
    if (j.x) {
        cs_extractor_finish(j.x);
        cs_extractor_free(j.x);
        cs_results_move(out, &j.body);
    }
    XML_ParserFree(j.p);
    cs_test_index_dispose(&j.ix);
    free(j.classname);
    free(j.name);
    free(j.message);
    free(j.type);
    free(j.not_junit);
    cs_buf_dispose(&j.line);
    return 0;
}
