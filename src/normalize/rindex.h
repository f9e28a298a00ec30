/* rindex.h - the rules of each (kind, language) in load order, with a
 * combined alternation over runs of them.
 *
 * Most strings a rule list sees match none of its rules: a frame of the
 * program's own passes every skip rule of its language. Matching each rule
 * in turn costs one PCRE2 call per rule; a run of up to CS_RINDEX_CHUNK rules
 * also has one pattern "(?:p1)|(?:p2)|..." that says in one call whether any
 * rule of the run can match. When it says no, the whole run is passed over;
 * when it says yes, or could not tell (a limit, a pattern that did not
 * compile), its rules are matched one by one as before. So the answers are
 * those of matching rule by rule, for any rules file the loader accepts.
 *
 * Rules whose meaning depends on the rest of their pattern or on group
 * numbers (backreferences, recursion, conditionals, verbs, \Q, option
 * letters beyond i/m/s/n/U: an extended-mode comment would swallow the
 * next alternative) stay out of every alternation and are always matched
 * alone. */
#ifndef CS_RINDEX_H
#define CS_RINDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "rules.h"

/* Rules per combined pattern: PCRE2's compiled-size limit (64 KiB with
 * its default link size) is then far off. */
#define CS_RINDEX_CHUNK 48
/* Every language at once: message rules take no section. */
#define CS_RINDEX_ANY_LANG CS_LANG_COUNT

typedef struct cs_rchunk {
    size_t first, n; /* rules[first .. first+n) of the list */
    bool combined;   /* a run of combinable rules (n > 1) */
    bool built;      /* `any` compiled (on first use: most lists never are) */
    cs_regex *any;   /* their alternation; NULL: match them one by one */
} cs_rchunk;

typedef struct cs_rlist {
    const cs_rule **rules;
    size_t n_rules;
    cs_rchunk *chunks;
    size_t n_chunks;
    bool owner; /* false: shares an identical earlier list's arrays */
} cs_rlist;

typedef struct cs_rindex {
    cs_rlist lists[CS_RULE_KIND_COUNT][CS_LANG_COUNT + 1];
} cs_rindex;

/* Builds the lists of `rules` (which must outlive the index). An index,
 * like the normalizer that holds it, belongs to one thread: alternations
 * are compiled when first needed. */
void cs_rindex_init(cs_rindex *x, const cs_rules *rules);
void cs_rindex_dispose(cs_rindex *x);
/* The rules of `kind` that apply to `lang` (CS_RINDEX_ANY_LANG: all rules
 * of the kind), in load order. */
const cs_rlist *cs_rindex_list(const cs_rindex *x, cs_rule_kind kind, int lang);
/* The position of the first rule at or after `from` whose pattern matches
 * s[0..n), or l->n_rules when none does. */
size_t cs_rlist_next(const cs_rlist *l, size_t from, const char *s, size_t n);

#endif
