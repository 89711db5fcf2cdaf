/*
** mig_int.h: declarations shared by the files of the migrate extension.
**
** Every ext/ C file includes this header first. It picks the right SQLite
** header for the build (loadable: sqlite3ext.h with the API routines
** pointer defined once in migrate.c; static: plain sqlite3.h with
** -DSQLITE_CORE) and declares the interfaces one module offers another.
**
** Modules and what they own (see docs/internals.md):
**   migrate.c         entry point; table of module initialisers
**   conn.c            per-connection state (MigConn) and its registry
**   introspect.c      has_table(), column_exists(), has_index(), ...
**   schema_columns.c  the schema_columns eponymous virtual table
**   (engine)          migration files, revision graph, runner, bookkeeping
**   (alter)           migrate_alter_table() and ALTER routing
**   (backup)          table backups, snapshots, restore
**
** Names: every non-static symbol starts with "mig" (or "sqlite3_migrate_"
** for the public API), so the static library cannot clash with an app.
*/
#ifndef MIG_INT_H
#define MIG_INT_H

#ifdef SQLITE_CORE
# include "sqlite3.h"
#else
# include "sqlite3ext.h"
  SQLITE_EXTENSION_INIT3
#endif
#include "migrate.h"
#include <stddef.h>
#include <stdarg.h>

/* The extension's version: configure's PACKAGE_VERSION (Makefile.am). */
#ifndef MIG_VERSION
# define MIG_VERSION "0.1.0"
#endif

#ifndef UNUSED
# define UNUSED(x) (void)(x)
#endif

/*
** Per-connection state, created by sqlite3_migrate_init() and freed when
** the connection closes. Modules keep what they need for one connection
** here; each pointer field is owned by this struct unless noted.
*/
/*
** Options of one call made from C (the shell's .migrate backup, restore
** and alter, through migBackupCall(), migRestoreCall(), migAlterCall()),
** passed in instead of set on the connection: while the call runs, its
** progress goes to xProgress (none when NULL) and the connection's own
** callback (sqlite3_migrate_progress()) is left as it was.
*/
typedef struct MigCallOpts MigCallOpts;
struct MigCallOpts {
  void (*xProgress)(void*, sqlite3_int64 nDone, sqlite3_int64 nTotal);
  void *pProgressArg;          /* First argument of xProgress */
};

typedef struct MigConn MigConn;
struct MigConn {
  sqlite3 *db;                 /* The connection (not owned) */
  char *zDir;                  /* Directory set on this connection, or NULL */
  char *zSavedDir;             /* Directory of the project file, or NULL */
  char *zConfigErr;            /* Why the project file was refused, or NULL */
  void *pEngine;               /* Engine state: registered revisions etc. */
  void (*xEngineFree)(void*);  /* Destructor for pEngine */
  /* Log lines of runs started from SQL or the C API, or NULL. */
  void (*xLog)(void*, const char*);
  void *pLogArg;               /* First argument to xLog (not owned) */
  /* Progress of runs, snapshots, restores and table rebuilds, or NULL */
  void (*xProgress)(void*, sqlite3_int64 nDone, sqlite3_int64 nTotal);
  void *pProgressArg;          /* First argument to xProgress (not owned) */
  /* Data-loss confirmation of runs from SQL or the C API, or NULL */
  int (*xConfirm)(void*, const char *zDataLossLines);
  void *pConfirmArg;           /* First argument to xConfirm (not owned) */
  int eBackupAuto;             /* Setting: 1 to snapshot before data loss */
  void *pGraphLent;            /* A loaded MigGraph used instead of the
                               ** scripts: the migration tester lends it to
                               ** its scratch copies (not owned) */
  char *zSchemaFile;           /* Setting: desired schema file, or NULL */
  int eFormat;                 /* Setting: directory format forced, 0 auto */
  int bPeerOff;                /* Setting: peer_table off (no peer rows) */
  int nPlace;                  /* Strings in azPlace (2 a placeholder) */
  char **azPlace;              /* Placeholder NAME, VALUE pairs (owned) */
  int eDataLoss;               /* Setting data_loss: MIG_DATA_LOSS_* */
  const MigCallOpts *pCall;    /* Options of the C call under way
                               ** (migConnCallBegin()), or NULL */
  int bAllModules;             /* sqlite3_migrate_init() registered all */
  /* The alter and backup modules as the runner calls them: set by their
  ** initialisers, NULL on a connection that has the engine alone
  ** (sqlite3_migrate_engine_init()), so that a program calling only that
  ** does not link them. Signatures of migAlterApplyAt() and
  ** migBackupSnapshot(). */
  int (*xAlterApply)(sqlite3*, const char*, const char*, int,
                     const char**, char**, int*);
  int (*xSnapshot)(sqlite3*, const char*, const char*, sqlite3_int64*,
                   char**);
};

/*
** Module initialisers, run in order by migInitModules() (migrate_engine.c)
** until one fails; *pzErrMsg (when not NULL) then names the module, from
** sqlite3_malloc(). sqlite3_migrate_engine_init() runs the engine's
** (connection state, engine), sqlite3_migrate_init() those and the rest.
*/
typedef struct MigInit MigInit;
struct MigInit {
  const char *zName;             /* Module name (for error messages) */
  int (*xInit)(sqlite3*);        /* Registers its functions and tables */
};
int migInitModules(sqlite3 *db, const MigInit *aInit, int nInit,
                   char **pzErrMsg);

/* MigConn.eDataLoss: what a shell run that is not interactive does
** before an upgrade or downgrade that loses data. */
#define MIG_DATA_LOSS_PROCEED 0    /* Print the data-loss lines, go on */
#define MIG_DATA_LOSS_REFUSE  1    /* Refuse unless --yes */

/* conn.c */
int migConnInit(sqlite3 *db);          /* Create state for db; SQLITE_OK */
MigConn *migConnGet(sqlite3 *db);      /* State of db, or NULL */
const char *migConnDir(MigConn *p);    /* Migrations directory in use */
int migConnDirSet(MigConn *p);         /* 1: a directory was set explicitly */
int migConnSetDir(MigConn *p, const char *zDir);  /* NULL: the default */
int migDirectOnly(sqlite3_context *ctx, const char *zFunc);
void migProgress(MigConn *p, sqlite3_int64 nDone, sqlite3_int64 nTotal);
int migProgressOn(MigConn *p);         /* 1: someone hears migProgress() */
const MigCallOpts *migConnCallBegin(MigConn *p, const MigCallOpts *pOpts);
void migConnCallEnd(MigConn *p, const MigCallOpts *pPrev);

/*
** config.c: settings, from migrate_config() and the project file
** MIG_CONFIG_FILE of the working directory (cfgfile.c reads and writes
** it). migConfigDir() is the directory in force and migConfigDirSource()
** where it came from: a directory is "set explicitly" unless the source
** is MIG_DIR_DEFAULT. migConfigLoad() reads the project file into p (at
** connection open); a refused file leaves its reason for
** migConfigError(). migConfigSet() changes the connection only (0, or 1
** with *pzErr); migConfigSave() writes one key (zValue NULL: removes
** it) to the project file. migConfigKeyName(i) names key i, NULL past
** the last.
*/
#define MIG_CONFIG_FILE "migrate.ini"
#define MIG_DIR_DEFAULT 0      /* Nothing set: "migrations" */
#define MIG_DIR_SAVED   1      /* dir = ... in the project file */
#define MIG_DIR_ENV     2      /* The environment variable MIGRATE_DIR */
#define MIG_DIR_SET     3      /* migrate_dir(PATH) on this connection */
const char *migConfigDir(MigConn *p);
int migConfigDirSource(MigConn *p);
void migConfigLoad(MigConn *p);
const char *migConfigError(MigConn *p);
int migConfigSet(MigConn *p, const char *zKey, const char *zValue,
                 char **pzErr);
const char *migConfigGet(MigConn *p, const char *zKey);
int migConfigSave(MigConn *p, const char *zKey, const char *zValue,
                  char **pzErr);
const char *migConfigKeyName(int i);
/* migrate_config(key [, value]), registered by the engine (engine.c) */
void migConfigFunc(sqlite3_context*, int, sqlite3_value**);

/* cfgfile.c: the project file's "key = value" lines */
int migCfgFileRead(const char *zPath,
                   int (*xEach)(void*, const char*, const char*, char**),
                   void *pArg, char **pzErr);
int migCfgFileWrite(const char *zPath, const char *zKey, const char *zValue,
                    char **pzErr);

/* version.c: migrate_version() */
int migVersionInit(sqlite3 *db);

/* introspect.c */
int migIntrospectInit(sqlite3 *db);

/* schema_columns.c */
int migSchemaColumnsInit(sqlite3 *db);

/* table_list.c: tables and views of all schemas, cached, sorted by name */
typedef struct MigTabEntry MigTabEntry;
struct MigTabEntry {
  char *zSchema;               /* Schema name; owns zName and zType too */
  const char *zName;           /* Table or view name */
  const char *zType;           /* table, view, virtual or shadow */
  int bWithoutRowid;           /* True for a WITHOUT ROWID table */
  int iSchema;                 /* Position in PRAGMA database_list */
};
typedef struct MigTabList MigTabList;
struct MigTabList {
  int nRef;                    /* References; freed when it reaches 0 */
  char *zCookie;               /* Schema names, files and versions */
  int nEntry;                  /* Number of entries */
  MigTabEntry *aEntry;         /* Entries, sorted by name, then schema */
};
int migTabListFetch(sqlite3 *db, MigTabList **ppCache, MigTabList **ppOut);
void migTabListFind(MigTabList *p, const char *zName, int *piFirst, int *piEnd);
void migTabListUnref(MigTabList *p);

/* util.c: small helpers every module may use */
int migNameEq(const char *zA, const char *zB);  /* ASCII case-insensitive */
char *migQuoteId(const char *zId);   /* "id", quotes doubled; sqlite3_free */
int migExecPrintf(sqlite3 *db, char **pzErr, const char *zFmt, ...);
int migQueryInt(sqlite3 *db, sqlite3_int64 *piOut, const char *zFmt, ...);
int migQueryIntV(sqlite3 *db, sqlite3_int64 *piOut, const char *zFmt,
                 va_list ap);
int migPrepare(sqlite3 *db, sqlite3_stmt **ppStmt, const char *zFmt, ...);
int migAffinity(const char *zType);   /* SQLite's codes 'A'..'E' */
sqlite3_int64 migNowMs(void);         /* Milliseconds since the epoch */
int migPrepareV(sqlite3 *db, sqlite3_stmt **ppStmt, const char *zFmt,
                va_list ap);
int migErrorf(char **pzErr, int rc, const char *zFmt, ...);
int migErrorV(char **pzErr, int rc, const char *zFmt, va_list ap);
const char *migListNext(const char **pz, int *pn);  /* "a, b" lists */

/* script.c: the whole of file zPath (sqlite3_free), its size in *pnText;
** NULL with *pzErr set ("cannot open PATH", "cannot read PATH") */
char *migReadFile(const char *zPath, int *pnText, char **pzErr);

/*
** The engine module (migrations) provides:
*/
int migEngineInit(sqlite3 *db);       /* SQL functions, migrations vtab */

/*
** The alter module provides:
**
** migAlterApply(): apply nClause PostgreSQL-style ALTER TABLE clauses
** (e.g. "ALTER COLUMN x SET NOT NULL") to table zTable of schema zSchema
** ("main" when NULL), all at once. When the connection is in autocommit
** mode it manages its own transaction and PRAGMA foreign_keys; inside a
** transaction (the migration runner, which has already switched foreign
** keys off) it works inside a SAVEPOINT. On error returns an SQLite code,
** sets *pzErr (sqlite3_malloc'd) and leaves the database as it was.
**
** migAlterApplyAt(): the same, and *piClause gets the index of the clause
** an error is about (-1: the request as a whole), so a caller that
** gathered clauses from several statements can name the right one.
**
** migAlterRoute() (in sql_clause.c, so the engine links without this
** module): if zSql is an ALTER TABLE statement that SQLite cannot run
** natively, set *pzTable and *pzClause (both sqlite3_malloc'd) and
** return 1; otherwise return 0 (run it natively).
*/
int migAlterInit(sqlite3 *db);
int migAlterApply(sqlite3 *db, const char *zSchema, const char *zTable,
                  int nClause, const char **azClause, char **pzErr);
int migAlterApplyAt(sqlite3 *db, const char *zSchema, const char *zTable,
                    int nClause, const char **azClause, char **pzErr,
                    int *piClause);
int migAlterRoute(const char *zSql, char **pzTable, char **pzClause);

/*
** migAlterCall(): migrate_alter_table(zTable, azClause...) from C, with
** the options pOpts (may be NULL: the connection's progress callback).
** zTable may be "schema.table". *pzHow gets the strategy used ("native",
** "edit", "validate" or "rebuild"; static). On error returns an SQLite
** code with *pzErr set (NULL when out of memory) and the database
** unchanged.
*/
int migAlterCall(sqlite3 *db, const char *zTable, int nClause,
                const char **azClause, const MigCallOpts *pOpts,
                const char **pzHow, char **pzErr);

/*
** The backup module provides:
**
** migBackupSnapshot(): write a consistent snapshot of schema zSchema of db
** to zPath (gzip when it ends in ".gz"), through a temporary file renamed
** into place when complete. Works inside an open write transaction of db
** (the runner calls it holding the write lock). *pnByte gets the size
** written. On error: an SQLite code, *pzErr set, nothing left at zPath.
**
** migBackupDataLoss(): scan the SQL of a migration about to run for
** statements that lose data (DROP TABLE, ALTER TABLE ... DROP COLUMN, the
** same through migrate_alter_table clauses). Returns 0 when there are
** none, or 1 with *pzReport set to lines like
** "data loss: drops column users.age" (sqlite3_malloc'd, one per line),
** or 1 with *pzReport NULL when out of memory (the scan is incomplete).
** The runner logs the report and, with the backup=auto setting
** (MigConn.eBackupAuto), calls migBackupSnapshot() before that migration.
*/
int migBackupInit(sqlite3 *db);
int migBackupSnapshot(sqlite3 *db, const char *zSchema, const char *zPath,
                      sqlite3_int64 *pnByte, char **pzErr);
int migBackupDataLoss(const char *zSql, char **pzReport);

/*
** migBackupCall() and migRestoreCall(): migrate_backup(zPath) and
** migrate_restore(zPath) from C, with the options pOpts (may be NULL:
** the connection's progress callback). A snapshot reports pages done of
** pages in total; a restore of a gzip file, bytes of it read of its
** size. *pnByte gets the size written. On error an SQLite code with
** *pzErr set (NULL when out of memory); a failed restore leaves the
** database as it was.
*/
int migBackupCall(sqlite3 *db, const char *zPath, const MigCallOpts *pOpts,
                 sqlite3_int64 *pnByte, char **pzErr);
int migRestoreCall(sqlite3 *db, const char *zPath, const MigCallOpts *pOpts,
                  char **pzErr);

/*
** The autogenerate module (diff*.c, model*.c) provides:
*/
int migDiffInit(sqlite3 *db);         /* migrate_diff() and friends */

/* The migration tester (stairway.c): migrate_test() */
int migTestInit(sqlite3 *db);

#endif /* MIG_INT_H */
