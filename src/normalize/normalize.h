/* normalize.h - turns each trace into a signature.
 *
 * For every frame: a normalized function (arguments, template and generic
 * arguments, closure and hash suffixes, package paths removed; then the
 * rename rules), a repository-relative file (strip-path rules), and whether
 * it is significant (skip / skip-file / sentinel rules), with the rule that
 * decided. For every trace: the failure class (kind + normalized headline
 * where it matters), the thread the signature comes from, and the signature
 *     CLASS @ f1 | f2 | f3
 * made of the top K significant frames (recursion collapsed). Line numbers
 * are never part of a signature. Results are cached per distinct frame, so
 * normalizing 100,000 traces of a few bugs costs little more than reading
 * them. */
#ifndef CS_NORMALIZE_H
#define CS_NORMALIZE_H

#include "../base/buf.h"
#include "rules.h"

#define CS_DEFAULT_SIG_FRAMES 3
#define CS_SIG_ALGO_VERSION                                                                        \
    4 /* 2: frames without symbols are module@build-id+offset;                                     \
         3: "[KIND] " leads, never empty, library/vendor rules;                                    \
         4: plain Itanium-mangled names demangled, module before a file without a line */

typedef struct cs_normalizer cs_normalizer;

/* `rules` must outlive the normalizer. k: frames in a signature (1..32).
 * A normalizer belongs to one thread, const calls included: its caches and
 * its rule alternations (compiled on first use) change as it is used. */
cs_normalizer *cs_normalizer_new(const cs_rules *rules, int k);
void cs_normalizer_free(cs_normalizer *n);
/* Fills the normalized fields of every frame and the trace's signature,
 * norm_headline, sig_hash and crash_thread. A trace with borrowed threads
 * (same_as) only gets its own fields: normalize its owner first. */
void cs_normalize_trace(cs_normalizer *n, cs_trace *t);
/* "1:<rules hash>": which algorithm and rules made the signatures. */
const char *cs_normalizer_version(const cs_normalizer *n);
/* The language whose rules apply to a trace. */
cs_lang cs_trace_lang(const cs_trace *t);
/* Message normalization alone (placeholders for numbers, ids, paths...);
 * a fresh string the caller frees. */
char *cs_normalize_message(const cs_normalizer *n, const char *msg);
/* The same, calling fired(rule, ctx) for every message rule that changed the
 * text (explain and the rule tests show which). */
char *cs_normalize_message_traced(const cs_normalizer *n, const char *msg,
                                  void (*fired)(const cs_rule *r, void *ctx), void *ctx);
/* The thread whose frames make the signature (also for reports), or -1. */
int cs_signature_thread(const cs_trace *t);
/* Appends what a normalized frame contributes to a signature: its function,
 * else module@build-id+offset, else file, else module, else its pc, else "?". */
void cs_normalize_frame_part(cs_buf *b, cs_lang lang, const cs_frame *f);
/* Normalizes a bare function name (for the race module's sites). */
char *cs_normalize_function(const cs_normalizer *n, cs_lang lang, const char *fn);

#endif
