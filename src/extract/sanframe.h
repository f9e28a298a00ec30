/* sanframe.h - the frame line of the sanitizer runtimes' symbolizer
 * (compiler-rt sanitizer_common, also GCC's libsanitizer), parsed in
 * sanframe.c and shared by the sanitizer dialects (sanitizer.c, tsan.c) and
 * any dialect printing the same shape:
 *
 *   #0 0x4f3e5a in func_name file.c:12:5
 *   #1 0x7f.. in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x23d0a)
 *   #2 0x7f.. (/path/lib.so+0x1234) (BuildId: 0a1b..)
 *   #3 0x7f.. in std::map<int, long>::operator[](int const&) map.h:980:16
 *   #0 record_batch /src/x.c:10:12 (prog+0xd0196)        (TSan: no pc, no "in")
 *   #0 pthread_create <null> (prog+0x513ad)               (TSan: file unknown)
 *
 * Function names may hold blanks and parentheses, so the line is read from
 * the right: an optional "(BuildId: ..)", an optional "(module+0xoff)", then
 * a file[:line[:col]] token, and the function is what is left after "in ". */
#ifndef CS_SANFRAME_H
#define CS_SANFRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"

/* Parses one frame line (leading blanks allowed) into *f, which must be
 * zeroed; on success f owns fresh strings (free with cs_frame_dispose). On
 * failure returns false and leaves *f untouched. */
bool cs_san_parse_frame(const char *p, size_t n, cs_frame *f);

#endif
