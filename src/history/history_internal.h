/* history_internal.h - what history.c and history_schema.c share. */
#ifndef CS_HISTORY_INTERNAL_H
#define CS_HISTORY_INTERNAL_H

#include <sqlite3.h>

/* Brings the schema from version `from` to CS_HISTORY_SCHEMA_VERSION inside
 * the caller's transaction, setting PRAGMA user_version. On failure returns
 * the SQLite code and sets *err (sqlite3_free it). */
int cs_history_schema_migrate(sqlite3 *db, int from, char **err);

#endif
