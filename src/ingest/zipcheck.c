/* zipcheck.c - the structural check libzip does not make: entries whose
 * local header and data ranges intersect. An overlapping-entry zip bomb
 * (Fifield, "A better zip bomb", 2019) makes every entry's compressed data
 * run on into the next entry's, so all of them share one DEFLATE kernel and
 * each has an ordinary ratio on its own. Info-ZIP's `unzip -t` refuses such
 * archives ("overlapped components"); so do we, before any entry is read.
 *
 * Only the central directory and one local header per entry are read, so the
 * check costs O(entries log entries) and no decompression. */
#include "zipcheck.h"

#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

#define EOCD_SIZE 22
#define EOCD_MAX_COMMENT 65535
#define LOC64_SIZE 20
#define EOCD64_SIZE 56
#define CDH_SIZE 46
#define LFH_SIZE 30
/* Central directories larger than this are not checked here (libzip still
 * reads them; the run-wide member limit caps what their entries cost). */
#define CD_MAX (256U << 20)

typedef struct range {
    uint64_t start, end; /* [local header, end of data) */
    uint64_t index;      /* the entry, in central directory order */
} range;

static uint16_t u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)u16(p) | (uint32_t)u16(p + 2) << 16;
}
static uint64_t u64(const unsigned char *p)
{
    return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32;
}

static int cmp_range(const void *a, const void *b)
{
    const range *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Finds the central directory: its offset, size and entry count. */
static bool find_cd(const cs_zip_src *z, uint64_t *off, uint64_t *size, uint64_t *n)
{
    if (z->size < EOCD_SIZE) return false;
    size_t tail =
        z->size < EOCD_SIZE + EOCD_MAX_COMMENT ? (size_t)z->size : EOCD_SIZE + EOCD_MAX_COMMENT;
    unsigned char *t = cs_xmalloc(tail);
    uint64_t tail_off = z->size - tail;
    bool ok = false;
    if (z->read_at(z->ctx, tail_off, t, tail) != 0) goto done;
    for (size_t i = tail - EOCD_SIZE + 1; i-- > 0;) {
        if (memcmp(t + i, "PK\5\6", 4) != 0) continue;
        *n = u16(t + i + 10);
        *size = u32(t + i + 12);
        *off = u32(t + i + 16);
        uint64_t eocd = tail_off + i;
        if ((*n == 0xFFFF || *size == 0xFFFFFFFF || *off == 0xFFFFFFFF) && eocd >= LOC64_SIZE) {
            unsigned char loc[LOC64_SIZE], e64[EOCD64_SIZE];
            if (z->read_at(z->ctx, eocd - LOC64_SIZE, loc, sizeof loc) != 0 ||
                memcmp(loc, "PK\6\7", 4) != 0)
                goto done;
            uint64_t at = u64(loc + 8);
            if (at > z->size - EOCD64_SIZE || z->read_at(z->ctx, at, e64, sizeof e64) != 0 ||
                memcmp(e64, "PK\6\6", 4) != 0)
                goto done;
            *n = u64(e64 + 32);
            *size = u64(e64 + 40);
            *off = u64(e64 + 48);
        }
        ok = *off <= z->size && *size <= z->size - *off && *size <= CD_MAX;
        break;
    }
done:
    free(t);
    return ok;
}

/* The zip64 extra field replaces each 32-bit field that is all ones, in the
 * order usize, csize, offset. */
static void apply_zip64(const unsigned char *ex, size_t n, uint64_t *usize, uint64_t *csize,
                        uint64_t *loc)
{
    while (n >= 4) {
        uint16_t id = u16(ex), len = u16(ex + 2);
        if ((size_t)len + 4 > n) return;
        if (id == 1) {
            const unsigned char *p = ex + 4, *end = ex + 4 + len;
            uint64_t *f[] = {usize, csize, loc};
            for (int i = 0; i < 3; i++)
                if (*f[i] == 0xFFFFFFFF && p + 8 <= end) {
                    *f[i] = u64(p);
                    p += 8;
                }
            return;
        }
        ex += 4 + len;
        n -= 4 + (size_t)len;
    }
}

int cs_zip_find_overlap(const cs_zip_src *z, uint64_t *first, uint64_t *second)
{
    uint64_t cd_off, cd_size, n;
    if (!find_cd(z, &cd_off, &cd_size, &n)) return 0;
    /* Every entry needs CDH_SIZE bytes: a count past that is a lie libzip
     * reports itself. */
    if (n == 0 || n > cd_size / CDH_SIZE) return 0;
    unsigned char *cd = cs_xmalloc(cd_size ? (size_t)cd_size : 1);
    range *rs = cs_xcalloc((size_t)n, sizeof *rs);
    int found = 0;
    size_t n_rs = 0;
    if (z->read_at(z->ctx, cd_off, cd, (size_t)cd_size) != 0) goto done;
    size_t pos = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (cd_size - pos < CDH_SIZE || memcmp(cd + pos, "PK\1\2", 4) != 0) goto done;
        const unsigned char *h = cd + pos;
        uint64_t csize = u32(h + 20), usize = u32(h + 24), loc = u32(h + 42);
        size_t name = u16(h + 28), extra = u16(h + 30), comment = u16(h + 32);
        if (cd_size - pos - CDH_SIZE < name + extra + comment) goto done;
        apply_zip64(h + CDH_SIZE + name, extra, &usize, &csize, &loc);
        pos += CDH_SIZE + name + extra + comment;
        unsigned char lfh[LFH_SIZE];
        if (loc > z->size - LFH_SIZE || z->read_at(z->ctx, loc, lfh, sizeof lfh) != 0 ||
            memcmp(lfh, "PK\3\4", 4) != 0)
            continue; /* libzip reports a missing local header itself */
        uint64_t data = loc + LFH_SIZE + u16(lfh + 26) + u16(lfh + 28);
        rs[n_rs].start = loc;
        rs[n_rs].end = csize > UINT64_MAX - data ? UINT64_MAX : data + csize;
        rs[n_rs].index = i;
        n_rs++;
    }
    qsort(rs, n_rs, sizeof *rs, cmp_range);
    /* Sorted by start, an entry overlaps an earlier one exactly when it
     * starts before the furthest end seen so far. */
    size_t far = 0;
    for (size_t i = 1; i < n_rs && !found; i++) {
        if (rs[i].start < rs[far].end) {
            *first = rs[far].index < rs[i].index ? rs[far].index : rs[i].index;
            *second = rs[far].index < rs[i].index ? rs[i].index : rs[far].index;
            found = 1;
        } else if (rs[i].end > rs[far].end) {
            far = i;
        }
    }
done:
    free(cd);
    free(rs);
    return found;
}
