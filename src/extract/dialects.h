/* dialects.h - the table of log dialects. Adding one is: a file with a
 * `const cs_dialect cs_dialect_<name>`, one row in dialects.c, fixtures,
 * a test and a fuzz seed (docs/adding-a-dialect.md). */
#ifndef CS_DIALECTS_H
#define CS_DIALECTS_H

#include "extract.h"

/* Probe order matters: the first dialect whose start() accepts a line owns
 * it, so the more specific dialects come first. */
extern const cs_dialect *const cs_dialects[];
extern const size_t cs_n_dialects;

#endif
