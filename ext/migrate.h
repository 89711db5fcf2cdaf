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
** Linked statically: link libsqlite3migrate.a (and -lz, see
** `pkg-config --libs --static migrate`), then
**     sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
** and every connection opened afterwards has the functions. The library
** itself was compiled with -DSQLITE_CORE; an application needs no
** special flag to use it.
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
** Registered revisions are used alone: files of a migrations directory
** join them only when a directory was set explicitly on the connection
** (sqlite3_migrate_dir(), migrate_dir() in SQL, or the settings the shell
** keeps), never from the "migrations" default. A connection that
** registers nothing reads its directory as the shell does.
**
** Conventions of every function below:
**  - db must have the extension (sqlite3_migrate_init() ran on it);
**    otherwise SQLITE_MISUSE with *pzErr saying so.
**  - Results are SQLite result codes. On error, when pzErr is not NULL,
**    *pzErr is set to a message naming the culprit ("revision 0003:2: no
**    such table: missing"), obtained from sqlite3_malloc(): the caller
**    frees it with sqlite3_free(). On success *pzErr is set to NULL.
**    pzErr may be NULL to ignore the message.
**  - Targets are Alembic's: "head", "heads", "base", a revision id or a
**    unique prefix, "+N"/"-N", "LABEL@head", "REV+N".
**  - Runs take the write lock (BEGIN IMMEDIATE, honouring the busy
**    timeout) and apply each migration whole or not at all; on failure
**    the migrations applied before the failing one stay applied.
**  - Strings passed in are copied or used during the call only.
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

/*
** Entry points, for sqlite3_auto_extension() or called on one db; both
** are harmless on a connection that already has what they register. On
** error *pzErrMsg (when not NULL) names the module that failed, from
** sqlite3_malloc().
**
** sqlite3_migrate_init() registers every function and virtual table.
**
** sqlite3_migrate_engine_init() registers the migration engine alone:
** every function of this header except sqlite3_migrate_diff() and
** sqlite3_migrate_apply(), the migrate_* SQL functions that run and
** report migrations, and the migrations table. A static program that
** calls only it links about two thirds less of the library (see
** docs/embedding.md). Left out: the ALTER TABLE forms SQLite lacks (a
** migration using one fails, naming it), backups (backup=auto fails
** before the migration that would need one), autogenerate,
** introspection, the migration tester. sqlite3_migrate_init() may still
** be called later on the same connection to add them.
*/
MIGRATE_API int sqlite3_migrate_init(
  sqlite3 *db,
  char **pzErrMsg,
  const void *pApi             /* const sqlite3_api_routines* */
);
MIGRATE_API int sqlite3_migrate_engine_init(
  sqlite3 *db,
  char **pzErrMsg,
  const void *pApi             /* const sqlite3_api_routines* */
);

/*
** Register nMig revisions on this connection, all or nothing: on error
** (an entry without zRevision or zUp, an id registered twice, out of
** memory) none of aMig is registered and *pzErr names the entry. The
** strings are copied. Registered revisions take precedence over a file
** of the same id.
*/
MIGRATE_API int sqlite3_migrate_register(
  sqlite3 *db,
  const sqlite3_migration *aMig,
  int nMig,
  char **pzErr
);

/*
** Upgrade to zTarget ("head" when NULL). *pnApplied (if not NULL) is set
** to the number of migrations applied, also on error (those before the
** failing one).
*/
MIGRATE_API int sqlite3_migrate_upgrade(
  sqlite3 *db,
  const char *zTarget,
  int *pnApplied,
  char **pzErr
);

/*
** Downgrade to zTarget (required: "base", "-1", a revision). Fails before
** changing anything if a revision to revert has no down SQL.
** *pnReverted (if not NULL) gets the number of migrations reverted.
*/
MIGRATE_API int sqlite3_migrate_downgrade(
  sqlite3 *db,
  const char *zTarget,
  int *pnReverted,
  char **pzErr
);

/*
** Make zTarget (required) the current revision set without running any
** migration (Alembic's stamp).
*/
MIGRATE_API int sqlite3_migrate_stamp(
  sqlite3 *db,
  const char *zTarget,
  char **pzErr
);

/*
** Set *pnPending to the number of migrations an upgrade to "heads"
** would apply (0: up to date). Changes nothing.
*/
MIGRATE_API int sqlite3_migrate_check(
  sqlite3 *db,
  int *pnPending,
  char **pzErr
);

/*
** Set *pzReport to "ok", or to one problem per line: an applied revision
** whose SQL changed since (drift) or that is missing, integrity_check
** and foreign_key_check failures. The caller frees *pzReport with
** sqlite3_free(). A check that cannot run is an error, not a report.
*/
MIGRATE_API int sqlite3_migrate_verify(
  sqlite3 *db,
  char **pzReport,
  char **pzErr
);

/*
** Offline: set *pzSql to the SQL script of an upgrade (bDowngrade 0,
** zTarget "head" when NULL) or downgrade (bDowngrade 1, zTarget
** required) from the current revision, bookkeeping statements included;
** a target "START:END" starts from START instead. Nothing is written.
** The caller frees *pzSql with sqlite3_free().
*/
MIGRATE_API int sqlite3_migrate_sql(
  sqlite3 *db,
  int bDowngrade,
  const char *zTarget,
  char **pzSql,
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

/*
** Read migration files from directory zDir (copied) on this connection,
** as migrate_dir(zDir) does; files then join registered revisions. NULL
** goes back to the default. Returns SQLITE_OK, SQLITE_MISUSE (no
** extension on db, or an empty zDir) or SQLITE_NOMEM.
*/
MIGRATE_API int sqlite3_migrate_dir(sqlite3 *db, const char *zDir);

/*
** Callbacks of the runs started on this connection, from C or from SQL
** (migrate_upgrade() and friends). NULL removes one. pArg is passed back
** as the first argument and never freed. Each returns SQLITE_OK or
** SQLITE_MISUSE.
**
** xLog gets one line per event, in Alembic's words ("Running upgrade
** 0001 -> 0002, add email", data-loss lines, backups written).
** xProgress gets (done, total) after each migration of a run, and during
** snapshots, restores and table rebuilds (pages or rows of that task).
** xConfirm is called once per upgrade or downgrade, before anything is
** changed, when the plan would lose data (drop a table or a column):
** zDataLossLines holds one "data loss: ..." line per loss, each ending in
** a newline. Returning non-zero cancels the run, which then fails with
** SQLITE_ABORT and "cancelled: ..." in *pzErr, the database unchanged.
*/
MIGRATE_API int sqlite3_migrate_log(
  sqlite3 *db,
  void (*xLog)(void*, const char *zLine),
  void *pArg
);
MIGRATE_API int sqlite3_migrate_progress(
  sqlite3 *db,
  void (*xProgress)(void*, sqlite3_int64 nDone, sqlite3_int64 nTotal),
  void *pArg
);
MIGRATE_API int sqlite3_migrate_confirm(
  sqlite3 *db,
  int (*xConfirm)(void*, const char *zDataLossLines),
  void *pArg
);

#ifdef __cplusplus
}
#endif
#endif /* MIGRATE_H */
