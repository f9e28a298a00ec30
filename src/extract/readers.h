/* readers.h - structured members whose text is rebuilt before extraction:
 * go test -json streams (test2json.c) and JUnit XML (junit.c). */
#ifndef CS_READERS_H
#define CS_READERS_H

#include <sys/types.h>

#include "extract.h"

/* Pulls up to n bytes; 0 at the end, < 0 on error. */
typedef ssize_t (*cs_pull)(void *ctx, void *buf, size_t n);

/* Reads a `go test -json` stream: each (package, test) output is put back
 * together and extracted on its own, with the member line numbers of the
 * events and the test named by the events. */
int cs_test2json_read(const char *source, const cs_extract_opts *opts, cs_pull pull, void *ctx,
                      cs_results *out);
/* Reads JUnit XML with expat: every <failure>/<error> body of a testcase is
 * extracted with the testcase's name as the test. */
int cs_junit_read(const char *source, const cs_extract_opts *opts, cs_pull pull, void *ctx,
                  cs_results *out);

#endif
