/* text.c - the terminal views. Everything from an artifact goes through
 * put_safe(), which neutralizes control characters so a log cannot move the
 * cursor or recolour the user's terminal. */
#include <string.h>

#include "report.h"

static void put_safe(FILE *f, const char *s)
{
    if (!s) {
        fputc('-', f);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
}

static const char *col(const cs_report_ctx *c, const char *code)
{
    return c->color ? code : "";
}

int cs_report_inventory(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    for (size_t i = 0; i < r->n_members; i++) {
        const cs_member *m = &r->members[i];
        fprintf(f, "%-12s %12llu  ", cs_member_kind_name(m->kind), (unsigned long long)m->size);
        put_safe(f, m->source);
        fputc('\n', f);
    }
    for (size_t i = 0; i < r->n_diags; i++) {
        fprintf(f, "%serror%s        ", col(ctx, "\x1b[31m"), col(ctx, "\x1b[0m"));
        put_safe(f, r->diags[i].source);
        fputs(": ", f);
        put_safe(f, r->diags[i].message);
        fputc('\n', f);
    }
    fprintf(f, "%zu member(s), %zu error(s)\n", r->n_members, r->n_diags);
    return ferror(f) ? -1 : 0;
}

int cs_report_text(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    fprintf(f, "%s%zu trace(s)%s in %zu member(s)\n\n", col(ctx, "\x1b[1m"), r->n_traces,
            col(ctx, "\x1b[0m"), r->n_members);
    for (size_t i = 0; i < r->n_traces; i++) {
        const cs_trace *t = r->traces[i];
        fprintf(f, "%s%s%s  ", col(ctx, "\x1b[1m"), cs_trace_kind_name(t->kind), col(ctx, "\x1b[0m"));
        put_safe(f, t->headline);
        fputs("\n    at ", f);
        put_safe(f, t->source);
        fprintf(f, ":%llu", (unsigned long long)t->line_start);
        if (t->test) {
            fputs("  test ", f);
            put_safe(f, t->test);
        }
        fputc('\n', f);
    }
    if (r->n_diags) fprintf(f, "\n%serrors%s\n", col(ctx, "\x1b[31m"), col(ctx, "\x1b[0m"));
    for (size_t i = 0; i < r->n_diags; i++) {
        fputs("  ", f);
        put_safe(f, r->diags[i].source);
        fputs(": ", f);
        put_safe(f, r->diags[i].message);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

static const cs_format formats[] = {
    {"text", cs_report_text},
    {"json", cs_report_json},
};

const cs_format *cs_report_find(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, name) == 0) return &formats[i];
    return NULL;
}

const char *cs_report_names(void)
{
    return "text, json";
}
