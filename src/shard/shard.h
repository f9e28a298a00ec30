/* shard.h - the shard format: what `crashsift extract` found in its inputs
 * (every trace with its raw and normalized frames, every member, every error
 * entry) as versioned JSON lines, so that `crashsift merge` over many shards
 * gives the report one triage over all their inputs would. The only jansson
 * user. docs/shard.md is the format's reference.
 *
 * Writing never fails on content: a string that is not valid UTF-8 is
 * written as {"hex": "..."} and read back byte for byte. Reading treats a
 * shard as untrusted input: every line is parsed on its own, under a line
 * length limit and the model's frame and thread limits; a line that is not
 * JSON, or a record with a missing or mistyped field, becomes an error entry
 * naming the shard and the line, and the rest is read. */
#ifndef CS_SHARD_H
#define CS_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../model/model.h"

#define CS_SHARD_FORMAT_VERSION 1
#define CS_SHARD_MAX_LINE (64u << 20) /* bytes in one record line */

/* What a shard says about itself (its first line). */
typedef struct cs_shard_header {
    int format;         /* CS_SHARD_FORMAT_VERSION when written */
    char *tool_version; /* crashsift that wrote it */
    char *sig_version;  /* "1:<rules hash>": the rules its signatures came from */
    int sig_frames;     /* K frames per signature */
    char **inputs;      /* the PATHs given to extract */
    size_t n_inputs;
} cs_shard_header;

void cs_shard_header_dispose(cs_shard_header *h);

/* Writes the header, then every member, error entry and trace of res (in
 * res's order), then an end record with the counts. Returns 0, or CS_E_IO
 * when f failed. */
int cs_shard_write(FILE *f, const cs_shard_header *h, const cs_results *res);

/* Reads the shard at path, appending its traces, members and error entries
 * to out (unsorted; the normalized fields are kept as the shard has them)
 * and filling *h (initialised here; dispose it). Problems inside the shard
 * are error entries whose source is the shard's path. Returns CS_E_IO (and
 * adds nothing) only when the file cannot be opened or read. */
int cs_shard_read(const char *path, cs_shard_header *h, cs_results *out);

#endif
