/* source.h - evidence from the program's own source (--source DIR): is the
 * line of a race site an access to a map? Newer Go releases hide the map
 * runtime frames in race reports; the line "a.counts[key] += n" and the
 * declaration "counts map[string]int" still tell. Private to race. */
#ifndef CS_RACE_SOURCE_H
#define CS_RACE_SOURCE_H

#include <stdbool.h>

typedef struct cs_source_tree cs_source_tree;

/* Indexes the files under dir (bounded; .git and friends skipped). */
cs_source_tree *cs_source_tree_new(const char *dir);
void cs_source_tree_free(cs_source_tree *t);
/* True when `file` (repository-relative or a base name) at `line` reads or
 * writes a variable declared as a map in that file. *why (static-lifetime
 * or owned by the tree) says which. */
bool cs_source_is_map_access(cs_source_tree *t, const char *file, int line, const char **why);

#endif
