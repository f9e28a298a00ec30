#include "rindex.h"

#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

static bool applies(const cs_rule *r, int lang)
{
    return lang == CS_RINDEX_ANY_LANG || ((r->langs >> lang) & 1u);
}

/* Cuts the list into runs of combinable rules (one alternation each) and
 * single rules that must be matched alone. */
static void build_chunks(cs_rlist *l)
{
    size_t cap = 0;
    for (size_t i = 0; i < l->n_rules;) {
        cs_rchunk *c = CS_PUSH(l->chunks, l->n_chunks, cap);
        c->first = i;
        c->any = NULL;
        c->combined = c->built = false;
        if (!cs_regex_combinable(l->rules[i]->pattern)) {
            c->n = 1;
            i++;
            continue;
        }
        size_t j = i;
        while (j < l->n_rules && j - i < CS_RINDEX_CHUNK &&
               cs_regex_combinable(l->rules[j]->pattern))
            j++;
        c->n = j - i;
        c->combined = c->n > 1; /* one rule is its own test */
        i = j;
    }
}

/* A run that does not compile as one (a group name used twice, too large)
 * is matched rule by rule. */
static void build_any(const cs_rlist *l, cs_rchunk *c)
{
    const char **pats = cs_xcalloc(c->n, sizeof *pats);
    for (size_t i = 0; i < c->n; i++)
        pats[i] = l->rules[c->first + i]->pattern;
    if (cs_regex_new_alt(&c->any, pats, c->n, 0) != 0) c->any = NULL;
    free(pats);
    c->built = true;
}

static bool same_rules(const cs_rlist *a, const cs_rule **rules, size_t n)
{
    return a->n_rules == n && (n == 0 || memcmp(a->rules, rules, n * sizeof *rules) == 0);
}

void cs_rindex_init(cs_rindex *x, const cs_rules *rules)
{
    memset(x, 0, sizeof *x);
    const cs_rule **tmp = rules->n_rules ? cs_xcalloc(rules->n_rules, sizeof *tmp) : NULL;
    for (int k = 0; k < CS_RULE_KIND_COUNT; k++) {
        for (int lang = 0; lang <= CS_LANG_COUNT; lang++) {
            size_t n = 0;
            for (size_t i = 0; i < rules->n_rules; i++)
                if ((int)rules->rules[i].kind == k && applies(&rules->rules[i], lang))
                    tmp[n++] = &rules->rules[i];
            cs_rlist *l = &x->lists[k][lang];
            /* Most sections are [any] or one language: many languages
             * have the same list, compiled once. */
            const cs_rlist *twin = NULL;
            for (int o = 0; o < lang && !twin; o++)
                if (x->lists[k][o].owner && same_rules(&x->lists[k][o], tmp, n))
                    twin = &x->lists[k][o];
            if (twin) {
                *l = *twin;
                l->owner = false;
                continue;
            }
            l->owner = true;
            l->n_rules = n;
            l->rules = n ? cs_xmalloc(n * sizeof *l->rules) : NULL;
            if (n) memcpy(l->rules, tmp, n * sizeof *tmp);
            build_chunks(l);
        }
    }
    free(tmp);
}

void cs_rindex_dispose(cs_rindex *x)
{
    for (int k = 0; k < CS_RULE_KIND_COUNT; k++)
        for (int lang = 0; lang <= CS_LANG_COUNT; lang++) {
            cs_rlist *l = &x->lists[k][lang];
            if (!l->owner) continue;
            for (size_t c = 0; c < l->n_chunks; c++)
                cs_regex_free(l->chunks[c].any);
            free(l->chunks);
            free(l->rules);
        }
    memset(x, 0, sizeof *x);
}

const cs_rlist *cs_rindex_list(const cs_rindex *x, cs_rule_kind kind, int lang)
{
    return &x->lists[kind][lang];
}

size_t cs_rlist_next(const cs_rlist *l, size_t from, const char *s, size_t n)
{
    for (size_t c = 0; c < l->n_chunks; c++) {
        cs_rchunk *ch = &l->chunks[c];
        if (ch->first + ch->n <= from) continue;
        if (ch->combined && !ch->built) build_any(l, ch);
        /* "No" from the alternation holds for every rule of the run, the
         * ones before `from` too; a limit hit (negative) is no answer. */
        if (ch->any && cs_regex_test(ch->any, s, n) == 0) continue;
        for (size_t i = ch->first > from ? ch->first : from; i < ch->first + ch->n; i++)
            if (cs_regex_match(l->rules[i]->re, s, n, NULL)) return i;
    }
    return l->n_rules;
}
