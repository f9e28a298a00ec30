/* rules.h - signature rules kept as data (the .rules files of signatures/),
 * time so that changing a rule changes the grouping without recompiling.
 *
 * Format (docs/signatures.md): one rule per line, '#' comments, sections
 * [go] [c] [python] [java] [rust] [node] [any] naming the language a rule
 * applies to ("[c rust]" names several). Directives:
 *   skip REGEX          frame function is not the failure's own code
 *   skip-file REGEX     frame file is not the failure's own code
 *   skip-printed REGEX  skip, matched on the function as printed only (Go:
 *                       with its import path, so "example.com/x/log.F" is
 *                       not the standard library's log)
 *   sentinel REGEX      the signature starts at this frame (frames above dropped)
 *   after REGEX         the signature starts after the last matching frame
 *   prefix REGEX        kept, but does not count toward the K frames (keep going)
 *   library REGEX       standard-library or vendored code: not significant when
 *                       its thread has a frame of the program's own
 *   library-file REGEX  the same, matched on the file or module
 *   vendor-file REGEX   vendored code (file or module): not significant below
 *                       the thread's first frame of the program's own
 *   harness REGEX       a test runner's or framework's frame: skipped, unless
 *                       the thread has no frame of the program's own; then
 *                       the runner is the code that failed
 *   rename REGEX => S   rewrite function names ($1 for groups)
 *   strip-path REGEX    remove the match from file paths (checkout prefixes)
 *   message REGEX => S  message normalization (placeholders)
 *   map REGEX           frames of map/container implementation code (races)
 *   overflow REGEX      a trace whose headline matches is a stack overflow:
 *                       its signature starts at the recursion cycle
 * A bad rule is reported with its file and line and skipped. */
#ifndef CS_RULES_H
#define CS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/regex.h"
#include "../model/model.h"

/* cs_lang and its names are the model's (model.h, CS_LANGS). */
#define CS_LANGS_ALL ((1u << CS_LANG_COUNT) - 1)

typedef enum cs_rule_kind {
    CS_RULE_SKIP,
    CS_RULE_SKIP_FILE,
    CS_RULE_SKIP_PRINTED,
    CS_RULE_SENTINEL,
    CS_RULE_AFTER,
    CS_RULE_PREFIX,
    CS_RULE_LIBRARY,
    CS_RULE_LIBRARY_FILE,
    CS_RULE_VENDOR_FILE,
    CS_RULE_HARNESS,
    CS_RULE_RENAME,
    CS_RULE_RENAME_KEY,
    CS_RULE_STRIP_PATH,
    CS_RULE_MESSAGE,
    CS_RULE_MAP,
    CS_RULE_OVERFLOW,
    CS_RULE_KIND_COUNT
} cs_rule_kind;

typedef struct cs_rule {
    cs_rule_kind kind;
    unsigned langs; /* 1 << cs_lang for each language it applies to */
    cs_regex *re;
    char *pattern;
    char *replacement; /* rename, message */
    char *where;       /* "file:line", for explain and errors */
} cs_rule;

typedef struct cs_rules {
    cs_rule *rules;
    size_t n_rules, cap_rules;
    uint64_t hash; /* of every rule's text, in load order: the rules version */
} cs_rules;

void cs_rules_init(cs_rules *r);
void cs_rules_dispose(cs_rules *r);
/* Loads every *.rules file of `dir` in name order. Bad rules become
 * diagnostics ("file:line: ...") in `diags`; a missing dir is CS_E_NOTFOUND. */
int cs_rules_load_dir(cs_rules *r, const char *dir, cs_results *diags);
/* Loads one file (or text, for tests: `name` is used in messages). */
int cs_rules_load_text(cs_rules *r, const char *name, const char *text, cs_results *diags);
/* The directory of the built-in rules: $CRASHSIFT_SIGNATURES, else the first
 * of <exe>/../signatures (a build tree), <exe>/../share/crashsift/signatures
 * (an installed prefix, wherever it was moved) and <exe>/signatures that
 * exists; NULL when none does: then cs_rules_load_builtin() is the fallback. */
const char *cs_rules_default_dir(void);

/* the signatures/ rule files as compiled into the binary (a generated file), in name
 * order, ending with {NULL, NULL}. The same texts give the same rules hash as
 * the folder they came from. */
typedef struct cs_builtin_rules {
    const char *name;
    const char *text;
} cs_builtin_rules;
extern const cs_builtin_rules cs_rules_builtin[];
/* Loads the compiled-in copy of signatures/. */
int cs_rules_load_builtin(cs_rules *r, cs_results *diags);

#endif
