/* reader.h - private to ingest: the stream behind cs_reader, and the
 * decoders that stack on it (decode.c). */
#ifndef CS_READER_H
#define CS_READER_H

#include "ingest.h"

/* Pulls up to n bytes from the underlying source. 0 with *got == 0 is the
 * end; a negative code is an error whose message the puller set in r->err. */
typedef int (*cs_pull_fn)(cs_reader *r, void *buf, size_t n, size_t *got);

struct cs_reader {
    const char *source;
    cs_pull_fn pull;
    void (*close)(cs_reader *r);
    void *ctx;
    cs_reader *inner;       /* decoders: the compressed stream */
    const cs_limits *limits;
    uint64_t *total;        /* run-wide uncompressed byte count */
    uint64_t declared;      /* declared size, 0 unknown */
    uint64_t n_out;         /* bytes produced so far */
    unsigned char head[CS_SNIFF_BYTES];
    size_t head_len, head_pos;
    bool eof;
    bool failed;
    char *err;              /* first error of this member */
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
