/* history_internal.h - what the history module's files share. */
#ifndef CS_HISTORY_INTERNAL_H
#define CS_HISTORY_INTERNAL_H

#include "history.h"

/* migrations[i] brings a database from version i to i + 1 (history_schema.c). */
extern const char *const cs_history_migrations_sqlite[CS_HISTORY_SCHEMA_VERSION];
extern const char *const cs_history_migrations_postgresql[CS_HISTORY_SCHEMA_VERSION];
/* The tables of the current version, NULL-terminated. */
extern const char *const cs_history_tables[];

#endif
