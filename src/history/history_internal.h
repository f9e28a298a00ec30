/* history_internal.h - what the history module's files share.
 *   history.c         opening (which engine), errors, states
 *   history_record.c  recording one batch in one transaction
 *   history_query.c   the listings crashsift history shows
 *   history_sqlite.c, history_pg.c  the engines behind cs_hdb_ops
 *   history_schema.c  the schema and its migrations */
#ifndef CS_HISTORY_INTERNAL_H
#define CS_HISTORY_INTERNAL_H

#include "history.h"
#include "history_db.h"

/* An open history: its engine, its connection, the last error. */
struct cs_history {
    const cs_hdb_ops *ops;
    cs_hdb *db;
    char *err;
};

/* history.c */
void cs_history_set_err(cs_history *h, char *msg); /* takes msg */
cs_history_state cs_history_state_parse(const char *s);
int cs_history_one_row(const cs_hdb_ops *ops, cs_hstmt *st);
int cs_history_code_of(int rc);

/* migrations[i] brings a database from version i to i + 1 (history_schema.c). */
extern const char *const cs_history_migrations_sqlite[CS_HISTORY_SCHEMA_VERSION];
extern const char *const cs_history_migrations_postgresql[CS_HISTORY_SCHEMA_VERSION];
/* The tables of the current version, NULL-terminated. */
extern const char *const cs_history_tables[];

#endif
