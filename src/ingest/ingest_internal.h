/* ingest_internal.h - what the ingest module's own files share: the walk's
 * state and the calls between its parts. Not for other modules (ingest.h).
 *   ingest.c   the walk: inputs, folders, and each member's handling (sniff,
 *              decode, hand over, or open as an archive)
 *   archive.c  the members of zips (libzip) and tars (libarchive): names
 *              checked, bombs and overlaps refused, each member handled
 *   reader.c   the byte streams every member is read through, with the
 *              limits and compression budgets counted as bytes come */
#ifndef CS_INGEST_INTERNAL_H
#define CS_INGEST_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>
#include <zip.h>

#include "ingest.h"
#include "reader.h"
#include "zipcheck.h"

#define MAX_DIR_DEPTH 64

/* What one ingest has read since cs_ingest_file_done: each worker has its
 * own, the run's budget is applied in file order (pipeline.c). */
typedef struct counters {
    uint64_t total; /* uncompressed bytes */
    uint64_t n_members;
} counters;

struct cs_ingest {
    cs_limits lim;
    cs_results *out;
    counters c;
    cs_file_fn list_fn; /* set while cs_ingest_list runs */
    void *list_user;
    bool members_capped;
    bool total_capped;
    char *root_real; /* realpath of the input being walked */
    cs_budget top;   /* the top-level file being read */
    cs_budget *cur;  /* the innermost archive being walked */
    struct {
        dev_t dev;
        ino_t ino;
    } dirs[MAX_DIR_DEPTH];
    int n_dirs;
};

/* ingest.c */
void ing_diag(cs_ingest *in, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ing_handle(cs_ingest *in, cs_reader *r, const char *path, int depth, cs_visit_fn visit,
               void *user);
bool ing_count_member(cs_ingest *in, const char *source);
void ing_report_reader(cs_ingest *in, cs_reader *r);

/* archive.c */
const char *ing_unsafe_name(const char *name);
char *ing_printable(const char *s);
int ing_walk_tar(cs_ingest *in, cs_reader *r, int depth, cs_visit_fn visit, void *user);
int ing_handle_zip_mem(cs_ingest *in, const char *source, const unsigned char *data, size_t n,
                       int depth, cs_visit_fn visit, void *user);
int ing_handle_zip_file(cs_ingest *in, const char *source, int fd, int depth, cs_visit_fn visit,
                        void *user);

/* reader.c */
bool ing_budget_spent(const cs_budget *b);
int ing_pull_fd(cs_reader *r, void *buf, size_t n, size_t *got);
int ing_pull_zip(cs_reader *r, void *buf, size_t n, size_t *got);

#endif
