/* prefix.h - per-line prefixes (and suffixes) learned per member.
 *
 * Logs as collectors write them put fields before every line: timestamps of
 * any layout, host and program[pid] (syslog, journald: "T host prog:" or "prog[pid]:"), klog
 * headers, logcat pid/tid/level/tag, a container or pod tag, compose's `service-1  | `, a viewer's
 * line-number gutter. Instead of a list of known layouts, a line's start is read as a short
 * sequence of generic fields (timestamp, number, bracketed tag, word, separator) and every place
 * the prefix could end is kept as a "boundary" with the shape of the fields before it (digits and
 * letters folded, so times and pids vary but the layout does not). A prefix
 * is what consecutive lines share: the longest boundary whose shape the
 * previous or the next line has too. The shape last agreed on is kept, so a
 * lone prefixed line between continuation lines is still stripped; lines
 * without any such field pass unchanged and join the trace they continue.
 *
 * Suffixes work the same way on a short run of trailing punctuation and
 * blanks (a fixed " - " some viewers append): stripped when the neighbour
 * line ends with the same bytes. */
#ifndef CS_PREFIX_H
#define CS_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How far into a line a prefix may reach, and how many fields it may have:
 * bounds the per-line cost (the scan never reads past this). */
#define CS_PFX_SCAN_MAX 192
#define CS_PFX_MAX_BOUNDS 12
#define CS_PFX_SUFFIX_MAX 8

typedef struct cs_pfx_bound {
    uint32_t end;   /* bytes of the prefix, with one blank after it */
    uint64_t shape; /* hash of the field sequence up to here */
} cs_pfx_bound;

/* What one line offers: its candidate boundaries (shortest first) and its
 * suffix candidate. */
typedef struct cs_pfx_scan {
    cs_pfx_bound b[CS_PFX_MAX_BOUNDS];
    int n;
    uint8_t suffix_len;
    char suffix[CS_PFX_SUFFIX_MAX];
} cs_pfx_scan;

void cs_pfx_scan_line(const char *p, size_t n, cs_pfx_scan *out);

/* The member's learned state. */
typedef struct cs_pfx_state {
    uint64_t shape; /* last agreed prefix shape, 0: none yet */
    bool have_shape;
} cs_pfx_state;

/* Decides how much of `cur` is prefix and suffix, given its neighbours
 * (either may be NULL at the member's ends). */
void cs_pfx_decide(cs_pfx_state *st, const cs_pfx_scan *prev, const cs_pfx_scan *cur,
                   const cs_pfx_scan *next, size_t *prefix, size_t *suffix);

#endif
