/*
** migrate.h: the public C API of the migrate extension.
**
** migrate keeps a SQLite database's schema in step with a history of
** migrations (Alembic's revision graph: heads, branches, merges), and
** adds introspection functions, lossless ALTER TABLE and backups, all as
** SQL functions and virtual tables registered by sqlite3_migrate_init().
**
** As a loadable extension:   .load ./migrate        (sqlite3 shell)
**                            SELECT load_extension('./migrate');
** Linked statically (compile with -DSQLITE_CORE, link libsqlite3migrate.a):
**     sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
** then every connection opened afterwards has the functions.
**
** For apps that compile their migrations in (no files on the device),
** register an array of revisions on a connection and upgrade:
**
**     static const sqlite3_migration aMig[] = {
**       { "0001", 0, "create users",
**         "CREATE TABLE users(id INTEGER PRIMARY KEY);", "DROP TABLE users;" },
**       { "0002", "0001", "add email",
**         "ALTER TABLE users ADD COLUMN email TEXT;", 0 },
**     };
**     rc = sqlite3_migrate_register(db, aMig, 2, &zErr);
**     if( rc==SQLITE_OK ){
**       rc = sqlite3_migrate_upgrade(db, "head", &nApplied, &zErr);
**     }
**
** Error messages returned through pzErr are obtained from sqlite3_malloc()
** and must be freed by the caller with sqlite3_free().
*/
#ifndef MIGRATE_H
#define MIGRATE_H

#include "sqlite3.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MIGRATE_API
# ifdef _WIN32
#  define MIGRATE_API __declspec(dllexport)
# else
#  define MIGRATE_API
# endif
#endif

/* One revision compiled into an application. */
typedef struct sqlite3_migration sqlite3_migration;
struct sqlite3_migration {
  const char *zRevision;      /* Revision id, unique. Required */
  const char *zDownRevision;  /* Parent(s), comma-separated; NULL for a root */
  const char *zMessage;       /* One-line description, or NULL */
  const char *zUp;            /* SQL applied by an upgrade. Required */
  const char *zDown;          /* SQL of the downgrade; NULL: irreversible */
};

/* Entry point: registers every function and virtual table on db. */
MIGRATE_API int sqlite3_migrate_init(
  sqlite3 *db,
  char **pzErrMsg,
  const void *pApi             /* const sqlite3_api_routines* */
);

/*
** Register nMig revisions on this connection. They join (and take
** precedence over) any files in the migrations directory. Returns
** SQLITE_OK, or an error code with *pzErr naming the culprit.
*/
MIGRATE_API int sqlite3_migrate_register(
  sqlite3 *db,
  const sqlite3_migration *aMig,
  int nMig,
  char **pzErr
);

/*
** Upgrade to zTarget ("head" when NULL). *pnApplied (if not NULL) is set
** to the number of migrations applied.
*/
MIGRATE_API int sqlite3_migrate_upgrade(
  sqlite3 *db,
  const char *zTarget,
  int *pnApplied,
  char **pzErr
);

/*
** Set *pzCurrent to the current revision(s), comma-separated, or NULL at
** base. The caller frees *pzCurrent with sqlite3_free().
*/
MIGRATE_API int sqlite3_migrate_current(
  sqlite3 *db,
  char **pzCurrent,
  char **pzErr
);

/*
** Autogenerate: a desired schema (CREATE TABLE / INDEX / VIEW / TRIGGER
** statements, as .schema prints them) compared with db's main schema.
**
** sqlite3_migrate_diff() sets *pzSql (sqlite3_free it) to the SQL that
** takes the database to zDesired (bDown 0) or back (bDown 1), "" when
** nothing differs. The SQL is proven before it is returned: run on a
** scratch copy of the schema it gives exactly zDesired, and its
** downgrade exactly the database's schema again.
**
** sqlite3_migrate_apply() runs that SQL on db in one transaction with a
** history row, so a device that ships only its desired schema converges
** to it at start-up. It refuses a change that would lose data (drop a
** table or column, convert values) unless bAllowDataLoss; *pnStmt (if
** not NULL) gets the number of statements run.
*/
MIGRATE_API int sqlite3_migrate_diff(
  sqlite3 *db,
  const char *zDesired,
  int bDown,
  char **pzSql,
  char **pzErr
);
MIGRATE_API int sqlite3_migrate_apply(
  sqlite3 *db,
  const char *zDesired,
  int bAllowDataLoss,
  int *pnStmt,
  char **pzErr
);

#ifdef __cplusplus
}
#endif
#endif /* MIGRATE_H */
