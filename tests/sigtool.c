/* sigtool.c - the signature rules applied to single frames and messages read
 * from stdin, for the rule-case tests (tests/rules.sh) and the normalization
 * benchmark (bench/sigbench.py). Not installed.
 *
 *   sigtool [--rules DIR] frames    stdin: LANG \t FUNCTION \t FILE \t LINE \t MODULE
 *                                   stdout: LANG \t PART \t keep|skip \t RULE
 *                                   a blank line ends a thread (frames top first; the
 *                                   first frame's LANG is the thread's), echoed
 *   sigtool [--rules DIR] messages  stdin: one message per line
 *                                   stdout: NORMALIZED \t RULE,RULE...
 *
 * PART is what the frame contributes to a signature (its normalized
 * function, else module+offset, else file); RULE is the rule (file:line)
 * that decided, or "-". Rules that depend on the other frames of a thread
 * (sentinel, after, library, vendor-file) see the frames of its block. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "normalize/normalize.h"

static cs_trace_kind kind_of(const char *lang)
{
    static const struct {
        const char *lang;
        cs_trace_kind kind;
    } k[] = {{"go", CS_TK_GO_PANIC},  {"c", CS_TK_NATIVE},      {"rust", CS_TK_RUST},
             {"java", CS_TK_JAVA},    {"python", CS_TK_PYTHON}, {"node", CS_TK_NODE},
             {"kernel", CS_TK_KERNEL}};
    for (size_t i = 0; i < CS_ARRAY_LEN(k); i++)
        if (strcmp(k[i].lang, lang) == 0) return k[i].kind;
    return CS_TK_NATIVE;
}

static char *field(char **p)
{
    char *s = *p;
    if (!s) return NULL;
    char *tab = strchr(s, '\t');
    if (tab) {
        *tab = '\0';
        *p = tab + 1;
    } else {
        *p = NULL;
    }
    return s;
}

/* One frame of a block: LANG \t FUNCTION \t FILE \t LINE \t MODULE. */
static void add_frame(cs_thread *th, char *line, const char **lang)
{
    char *p = line;
    const char *l = field(&p), *fn = field(&p), *file = field(&p), *ln = field(&p),
               *mod = field(&p);
    if (l && *l) *lang = l;
    cs_frame *f = cs_thread_add_frame(th);
    if (fn && *fn) f->function = cs_xstrdup(fn);
    if (file && *file) f->file = cs_xstrdup(file);
    if (ln && *ln) f->line = atoi(ln);
    if (mod && *mod) f->module = cs_xstrdup(mod);
}

/* The frames of one block (one thread, top first) normalized together. */
static void frames(cs_normalizer *n, char **lines, size_t n_lines)
{
    if (!n_lines) return;
    char lang[16] = "c";
    cs_trace *t = cs_trace_new(CS_TK_NATIVE, "stdin", 1);
    cs_thread *th = cs_trace_add_thread(t, CS_ROLE_CRASHED);
    for (size_t i = 0; i < n_lines; i++) {
        const char *l = NULL;
        add_frame(th, lines[i], &l);
        if (i == 0 && l) snprintf(lang, sizeof lang, "%s", l);
    }
    t->kind = kind_of(lang);
    cs_normalize_trace(n, t);
    for (size_t i = 0; i < th->n_frames; i++) {
        const cs_frame *f = &th->frames[i];
        cs_buf b;
        cs_buf_init(&b, 0);
        cs_normalize_frame_part(&b, cs_trace_lang(t), f);
        printf("%s\t%s\t%s\t%s\n", lang, b.ptr ? b.ptr : "", f->significant ? "keep" : "skip",
               f->rule && *f->rule ? f->rule : "-");
        cs_buf_dispose(&b);
    }
    printf("\n");
    cs_trace_free(t);
}

static void fired(const cs_rule *r, void *ctx)
{
    cs_buf *b = ctx;
    if (b->len) cs_buf_addc(b, ',');
    cs_buf_adds(b, r->where);
}

static void messages(cs_normalizer *n, const char *line)
{
    cs_buf rules;
    cs_buf_init(&rules, 0);
    char *m = cs_normalize_message_traced(n, line, fired, &rules);
    printf("%s\t%s\n", m, rules.len ? rules.ptr : "-");
    free(m);
    cs_buf_dispose(&rules);
}

int main(int argc, char **argv)
{
    const char *dir = cs_rules_default_dir();
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "--rules") == 0) {
        dir = argv[a + 1];
        a += 2;
    }
    if (a >= argc || (strcmp(argv[a], "frames") && strcmp(argv[a], "messages"))) {
        fprintf(stderr, "usage: sigtool [--rules DIR] frames|messages < input\n");
        return 2;
    }
    cs_rules rules;
    cs_rules_init(&rules);
    cs_results diags;
    cs_results_init(&diags);
    if (dir ? cs_rules_load_dir(&rules, dir, &diags) : cs_rules_load_builtin(&rules, &diags)) {
        for (size_t i = 0; i < diags.n_diags; i++)
            fprintf(stderr, "sigtool: %s: %s\n", diags.diags[i].source, diags.diags[i].message);
        return 2;
    }
    cs_normalizer *n = cs_normalizer_new(&rules, CS_DEFAULT_SIG_FRAMES);
    char *line = NULL;
    size_t cap = 0;
    ssize_t k;
    char **block = NULL;
    size_t n_block = 0, cap_block = 0;
    bool want_frames = strcmp(argv[a], "frames") == 0;
    while ((k = getline(&line, &cap, stdin)) >= 0) {
        while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r'))
            line[--k] = '\0';
        if (!want_frames) {
            messages(n, line);
        } else if (k == 0) {
            frames(n, block, n_block);
            for (size_t i = 0; i < n_block; i++)
                free(block[i]);
            n_block = 0;
        } else {
            *CS_PUSH(block, n_block, cap_block) = cs_xstrdup(line);
        }
    }
    frames(n, block, n_block);
    for (size_t i = 0; i < n_block; i++)
        free(block[i]);
    free(block);
    free(line);
    cs_normalizer_free(n);
    cs_rules_dispose(&rules);
    cs_results_dispose(&diags);
    return 0;
}
