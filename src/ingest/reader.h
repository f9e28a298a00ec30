/* reader.h - private to ingest: the stream behind cs_reader, and the
 * decoders that stack on it (decode.c). */
#ifndef CS_READER_H
#define CS_READER_H

#include "ingest.h"

/* Pulls up to n bytes from the underlying source. 0 with *got == 0 is the
 * end; a negative code is an error whose message the puller set in r->err. */
typedef int (*cs_pull_fn)(cs_reader *r, void *buf, size_t n, size_t *got);

/* What one input may inflate to: a top-level file, and each archive inside
 * it, counts every byte decompressed under it at every level below, so a
 * nest whose levels each look ordinary (42.zip) is still bounded by
 * --max-ratio of the bytes it really occupies. */
typedef struct cs_budget {
    uint64_t size;            /* bytes the input or archive occupies */
    uint64_t inflated;        /* bytes decompressed under it so far */
    bool spent;               /* over the ratio: the rest is skipped */
    struct cs_budget *parent; /* the archive or input around this one */
} cs_budget;

struct cs_reader {
    const char *source;
    cs_pull_fn pull;
    void (*close)(cs_reader *r);
    void *ctx;
    cs_reader *inner; /* decoders: the compressed stream */
    const cs_limits *limits;
    uint64_t *total;     /* the ingest's uncompressed byte count (this file's, see counters) */
    uint64_t declared;   /* declared size, 0 unknown */
    bool declared_exact; /* the archive states it: more or less is a lie */
    cs_budget *budget;   /* innermost archive (or input) around this stream */
    uint64_t n_out;      /* bytes produced so far */
    unsigned char head[CS_SNIFF_BYTES];
    size_t head_len, head_pos;
    bool eof;
    bool failed;
    bool decoded;        /* a decoder's output: its name is the compressed file's */
    char *err;           /* first error of this member */
    const char *fs_path; /* a plain file on disk (not compressed, not in an
                            archive): its path; else NULL */
    char *elf_kind;      /* set by the visitor for the inventory, owned */
    char *build_id;
};

/* Sets up a reader and fills its head. */
void cs_reader_init(cs_reader *r, const char *source, const cs_limits *lim, uint64_t *total,
                    uint64_t declared, cs_pull_fn pull, void *ctx);
void cs_reader_fill_head(cs_reader *r);
void cs_reader_dispose(cs_reader *r);
void cs_reader_set_err(cs_reader *r, char *msg); /* takes msg */
/* Bytes consumed from the compressed stream under r (for ratios). */
uint64_t cs_reader_compressed_in(const cs_reader *r);

/* Decoders: a new reader whose bytes are the decompressed `inner`. */
int cs_decode_open(cs_reader **out, cs_member_kind kind, cs_reader *inner);

#endif
