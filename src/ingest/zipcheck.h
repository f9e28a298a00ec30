/* zipcheck.h - private to ingest: checks of a zip's structure made before
 * libzip reads any entry (see zipcheck.c). */
#ifndef CS_ZIPCHECK_H
#define CS_ZIPCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Random access to the archive's bytes: read_at returns 0 when all n bytes
 * at off were read. */
typedef struct cs_zip_src {
    int (*read_at)(void *ctx, uint64_t off, void *buf, size_t n);
    void *ctx;
    uint64_t size;
} cs_zip_src;

/* 1 when two entries' local header and data ranges intersect (their indexes,
 * in central directory order, in *first < *second); 0 when none do or the
 * central directory cannot be found (libzip then reports that itself). */
int cs_zip_find_overlap(const cs_zip_src *z, uint64_t *first, uint64_t *second);

#endif
