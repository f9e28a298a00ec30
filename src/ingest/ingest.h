/* ingest.h - walks the inputs (folders, files, zips inside zips, gzip/xz/zstd
 * single files) and hands every leaf member to a visitor as a stream,
 * never extracting anything to disk.
 *
 * Every member has a source path: the path as given, then "!" and the member
 * name for each zip level ("a/bundle.zip!run-17.zip!logs/test.log"). A
 * compressed single file keeps its own path ("logs/x.log.gz").
 *
 * Inputs are untrusted. Every limit below is checked against declared sizes
 * *and* while reading; a member that breaks one, a corrupt archive, an unsafe
 * member name, a symlink out of the tree: each becomes a diagnostic naming
 * the input, and the walk goes on with everything else. */
#ifndef CS_INGEST_H
#define CS_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../model/model.h"

#define CS_DEFAULT_MAX_MEMBER (4ULL << 30) /* 4 GiB uncompressed per member */
#define CS_DEFAULT_MAX_TOTAL (64ULL << 30) /* 64 GiB uncompressed per run */
#define CS_DEFAULT_MAX_RATIO 1000          /* uncompressed : compressed */
#define CS_RATIO_FLOOR (16ULL << 20)       /* ratio checked past 16 MiB out */
#define CS_DEFAULT_MAX_DEPTH 4             /* archive/compression nesting */
#define CS_DEFAULT_MAX_MEMBERS 200000      /* members per run */
#define CS_DEFAULT_MAX_LINE (1U << 20)     /* bytes of one log line */
#define CS_SNIFF_BYTES 4096

typedef struct cs_limits {
    uint64_t max_member;
    uint64_t max_total;
    uint64_t max_ratio;
    int max_depth;
    uint64_t max_members;
    size_t max_line;
} cs_limits;

void cs_limits_default(cs_limits *l);

typedef struct cs_reader cs_reader;

/* Reads up to n bytes. Returns the count, 0 at the end, or -1 on an error
 * (corrupt data, a limit) that the ingest reports for this member. */
ssize_t cs_reader_read(cs_reader *r, void *buf, size_t n);
/* The first bytes of the member (what it was sniffed from). */
const unsigned char *cs_reader_head(const cs_reader *r, size_t *n);
/* Declared size (file size, zip member size), or 0 when unknown. */
uint64_t cs_reader_declared_size(const cs_reader *r);
/* Reads the whole rest of the member into a fresh buffer of at most `max`
 * bytes (the caller frees it). CS_E_LIMIT if it is larger. */
int cs_reader_slurp(cs_reader *r, uint64_t max, unsigned char **out, size_t *n);
/* Marks the member as failed with a message (a visitor's own error). */
void cs_reader_fail(cs_reader *r, const char *msg);
/* The path of the member on disk when it is a plain file there (neither
 * compressed nor inside an archive), so it can be opened again later;
 * NULL otherwise. */
const char *cs_reader_file_path(const cs_reader *r);
/* The open file of a plain-file member (checked against the walk), or -1:
 * for reading it in place; the reader keeps it. */
int cs_reader_file_fd(const cs_reader *r);
/* What the visitor learned of an ELF member, recorded with it in the
 * inventory (cs_member.elf_kind, .build_id); takes both (either NULL). */
void cs_reader_set_elf(cs_reader *r, char *elf_kind, char *build_id);

/* Called for each leaf member. `kind` is sniffed from content. Returning
 * non-zero stops the whole walk (used for fatal errors only). */
typedef int (*cs_visit_fn)(void *user, const char *source, cs_member_kind kind, cs_reader *r);

typedef struct cs_ingest cs_ingest;

/* Diagnostics and the inventory of members go to `out`. */
cs_ingest *cs_ingest_new(const cs_limits *limits, cs_results *out);
void cs_ingest_free(cs_ingest *in);
/* Walks one input path (a file or a folder). */
int cs_ingest_path(cs_ingest *in, const char *path, cs_visit_fn visit, void *user);

/* For parallel runs: the folder walk alone. Calls `file` for every regular
 * file under path (sorted; symlink and loop checks done, diagnostics
 * recorded); the file's contents are not read. */
/* What the walk saw at a path (stat, through a symlink it checked): the read
 * opens the same file or refuses it. */
typedef struct cs_file_id {
    dev_t dev;
    ino_t ino;
    bool via_link; /* the path is a symlink that resolves inside the input */
} cs_file_id;
typedef void (*cs_file_fn)(void *user, const char *fs_path, const char *source,
                           const cs_file_id *id);
int cs_ingest_list(cs_ingest *in, const char *path, cs_file_fn file, void *user);
/* Reads one file found by cs_ingest_list (archives opened, members visited). */
/* `id` is what cs_ingest_list saw there (NULL: no check); a path that now
 * holds another file, or a symlink where the walk saw none, is refused. */
int cs_ingest_file(cs_ingest *in, const char *fs_path, const char *source, const cs_file_id *id,
                   cs_visit_fn visit, void *user);
/* The bytes and members read since the last call, and a fresh budget: a
 * caller reading many files gives each the whole --max-total and
 * --max-members and applies the run's budget itself, in file order, so
 * what is read never depends on how worker threads interleave. */
void cs_ingest_file_done(cs_ingest *in, uint64_t *bytes, uint64_t *members);

#endif
