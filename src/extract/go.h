/* go.h - pieces of the Go traceback grammar shared by the Go dialects
 * (go.c: panics, fatal errors, goroutine dumps; go_race.c: race reports). */
#ifndef CS_GO_H
#define CS_GO_H

#include "extract.h"

/* "pkg.(*T).M(0xc000, ...)" -> frame function "pkg.(*T).M" (arguments
 * dropped). Returns false when the line is not a Go function line. */
bool cs_go_parse_func(const char *p, size_t n, cs_frame *f);
/* "\t/path/file.go:12 +0x1d fp=... sp=... pc=..." -> file, line, offset. */
bool cs_go_parse_fileline(const char *p, size_t n, cs_frame *f);
/* Sets t->test from a Test/Benchmark/Fuzz/Example frame of the trace when
 * the trace names one; the trace itself is more reliable than the log. */
void cs_go_test_from_frames(cs_trace *t);

#endif
