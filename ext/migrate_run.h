/*
** migrate_run.h: the engine core as its front ends see it.
**
** Three front ends drive the migration engine: the SQL functions and the
** public C API (both in engine.c) and the shell's .migrate command
** (shell/cmd_run.c, cmd_engine.c). Each fills in a MigRunOpts and calls
** migRun(); nothing a front end wants is poked into the connection's
** state. The reports (current, heads, history ...) come back as text
** from migRunReport(). The tools built on the engine that the shell
** drives are declared here too: autogenerate (migDiffCompute(), ...),
** the migration tester (migTestRun()) and the dry run (migDryRun()).
** This header is all a front end includes of them; their own files use
** engine_int.h, diff_int.h and stairway_int.h.
**
**     MigRunOpts o;
**     memset(&o, 0, sizeof(o));
**     o.eOp = MIG_RUN_UPGRADE;
**     o.zTarget = "head";
**     o.xLog = myLog;  o.pLogArg = stdout;
**     rc = migRun(db, &o, &nDone, 0, &zErr);
*/
#ifndef MIGRATE_RUN_H
#define MIGRATE_RUN_H
#include "mig_int.h"

/* Operations of migRun() (MigRunOpts.eOp). */
#define MIG_RUN_UPGRADE   0
#define MIG_RUN_DOWNGRADE 1
#define MIG_RUN_STAMP     2
#define MIG_RUN_SQL_UP    3    /* Offline: SQL of an upgrade */
#define MIG_RUN_SQL_DOWN  4    /* Offline: SQL of a downgrade */
#define MIG_RUN_CHECK     5    /* Count pending migrations */

/*
** What one run does, and who hears about it. Zero means "none" or the
** default for every field; all pointers are borrowed for the call only.
*/
typedef struct MigRunOpts MigRunOpts;
struct MigRunOpts {
  int eOp;                     /* MIG_RUN_* */
  const char *zTarget;         /* Target revision; NULL: "head" */
  const char *zBackup;         /* Upgrade: snapshot here before the first
                               ** migration (nothing runs if it fails) */
  void (*xLog)(void*, const char *zLine);   /* Progress lines, or NULL */
  void *pLogArg;               /* First argument of xLog */
  void (*xProgress)(void*, sqlite3_int64 nDone, sqlite3_int64 nTotal);
  void *pProgressArg;          /* First argument of xProgress */
  /* Upgrade and downgrade: called once, after planning and before the
  ** database is changed, when the plan would lose data. zDataLossLines
  ** holds one "data loss: ..." line per loss, each ending in "\n".
  ** Returning non-zero cancels the run: nothing is changed and migRun()
  ** fails with "cancelled: ..." as the error. */
  int (*xConfirm)(void*, const char *zDataLossLines);
  void *pConfirmArg;           /* First argument of xConfirm */
  int bCommitEach;             /* Upgrade, downgrade: commit after each
                               ** migration (with its bookkeeping rows),
                               ** as Alembic's transaction_per_migration;
                               ** 0: one transaction for the whole run */
};

/*
** Do what pOpts says on connection db (the extension must be registered
** on it). *pnDone gets the number of migrations applied or reverted (for
** STAMP: revisions in the new current set; for CHECK: migrations
** pending). For the offline operations *pzOut gets the SQL text (pzOut
** may be NULL otherwise); the caller frees it with sqlite3_free(). On
** error returns an SQLite code with *pzErr set (sqlite3_free it);
** migrations applied before the failing one stay applied.
*/
int migRun(sqlite3 *db, const MigRunOpts *pOpts, sqlite3_int64 *pnDone,
           char **pzOut, char **pzErr);

/*
** Fill in *pOpts for operation eOp toward zTarget with the callbacks set
** on the connection of p (sqlite3_migrate_log(), _progress(), _confirm()),
** as the SQL functions and the C API run; the rest zero.
*/
void migRunOptsInit(MigRunOpts *pOpts, MigConn *p, int eOp,
                    const char *zTarget);

/*
** migrate_verify() of db: *pzOut gets "ok" or one problem per line
** (sqlite3_free it). On error an SQLite code with *pzErr set.
*/
int migRunVerify(sqlite3 *db, char **pzOut, char **pzErr);

/*
** report.c: what Alembic's current, heads, branches, history and show
** print, for the graph loaded on db as migrate_upgrade() would load it.
** eReport is a MIG_REPORT_*, eFlags MIG_REPORT_VERBOSE (the verbose block
** of each revision: current, history) and MIG_REPORT_INDICATE ("(current)"
** on current revisions: history). zArg is history's range START:END
** (either side may be empty; NULL: everything) or the revision show
** names. *pzOut gets the text, each entry ending in a newline, or NULL
** when there is nothing to show (sqlite3_free it). On error an SQLite
** code with *pzErr set (NULL when out of memory); sqlite3_free it.
*/
#define MIG_REPORT_CURRENT  0  /* Branch tips of what is applied */
#define MIG_REPORT_HEADS    1  /* Heads of the scripts */
#define MIG_REPORT_BRANCHES 2  /* Branch points, newest first */
#define MIG_REPORT_HISTORY  3  /* Every revision, newest first */
#define MIG_REPORT_SHOW     4  /* The revisions zArg names */
#define MIG_REPORT_VERBOSE  0x01
#define MIG_REPORT_INDICATE 0x02
int migRunReport(sqlite3 *db, int eReport, int eFlags, const char *zArg,
                 char **pzOut, char **pzErr);

/*
** report.c: the revisions a new merge revision revises. azWord[0..nWord-1]
** are the words after the message flag: all of them revisions when
** bAllRevs, else a message followed by the revisions (the trailing words,
** one at least, that name revisions on their own: head, heads, X@head, a
** revision or a prefix of four or more characters). *pnMsg gets the
** number of message words, *pzRevises the parents' ids joined by ", "
** (sqlite3_free it). Fewer than two distinct revisions, or one named
** twice, is an error: an SQLite code with *pzErr set (NULL when out of
** memory).
*/
int migRunMerge(sqlite3 *db, int nWord, char **azWord, int bAllRevs,
                int *pnMsg, char **pzRevises, char **pzErr);

/*
** Autogenerate (diff_run.c, diff_apply.c), for .migrate diff, apply and
** new --autogenerate. migDiffCompute() computes the migration from db
** (its scripts' heads, MIG_DIFF_HEAD, or its main schema, MIG_DIFF_DB)
** to the desired schema zDesired (read from zFile, named in messages;
** may be NULL): on success *pOut holds the proven SQL (zUp "" when
** nothing differs), on error *pzErr is set and *pOut empty.
** migDiffApply() brings db to zDesired (with bDryRun, only says how):
** *pOut gets the SQL run; on error *pzErr is set and the database is
** unchanged; data loss is refused unless bAllowLoss. migDiffClear()
** frees what a MigDiff holds. migDiffSchemaPath() is the desired schema
** file of db (the "schema" setting, or schema.sql beside the migrations
** directory; sqlite3_free it), NULL when out of memory.
*/
#define MIG_DIFF_HEAD  0       /* From the scripts' head, replayed */
#define MIG_DIFF_DB    1       /* From the live database */
typedef struct MigDiff MigDiff;
struct MigDiff {
  char *zUp;                   /* Upgrade SQL, "" when nothing differs */
  char *zDown;                 /* Downgrade SQL */
  char *zLossUp;               /* Data-loss lines of the upgrade, or NULL */
  char *zLossDown;             /* Data-loss lines of the downgrade */
  int nStmt;                   /* Statements of the upgrade */
  char *zNote;                 /* Tables rebuilt because their ALTER TABLE
                               ** clauses failed the proof, or NULL */
};
int migDiffCompute(sqlite3 *db, const char *zDesired, const char *zFile,
                   int eFrom, MigDiff *pOut, char **pzErr);
int migDiffApply(sqlite3 *db, const char *zDesired, const char *zFile,
                 int bAllowLoss, int bDryRun, MigDiff *pOut, char **pzErr);
void migDiffClear(MigDiff *p);
char *migDiffSchemaPath(sqlite3 *db);

/*
** The migration tester (stairway.c), for .migrate test: migTestRun()
** tests the migrations of pLive's connection as pOpts says. *pzReport
** gets the report (one line per check, then a summary line),
** *pzProblems the FAIL lines without their "FAIL " (NULL when there are
** none), both sqlite3_free'd by the caller; *pnProblem their number.
** With pOpts->xLine each line is also sent there as soon as it is made.
** On an error of the test itself (scripts that cannot be read, no such
** target, out of memory): an SQLite code with *pzErr set. The database
** of pLive is only read.
*/
typedef struct MigTestOpts MigTestOpts;
struct MigTestOpts {
  const char *zTarget;         /* Last revision to test; NULL: head(s) */
  int bWithData;               /* Copy of the database, pending only */
  int bStrict;                 /* An irreversible revision is a problem */
  void (*xLine)(void*, const char*);  /* Each report line as it is made,
                               ** or NULL */
  void *pLineArg;              /* First argument of xLine */
};
int migTestRun(MigConn *pLive, const MigTestOpts *pOpts, char **pzReport,
               char **pzProblems, int *pnProblem, char **pzErr);

/*
** The dry run (dryrun.c), for .migrate upgrade --dry-run: `upgrade
** zTarget` (NULL: head) for pLive's database, named zName in the report,
** on a scratch copy. Report lines go to xLine as they are made and,
** whole, to *pzReport (sqlite3_free). *pbFailed: a migration failed (the
** report says which and why). On an error of the dry run itself (no such
** target, the copy cannot be made): an SQLite code with *pzErr set. The
** database of pLive is only read.
*/
int migDryRun(MigConn *pLive, const char *zTarget, const char *zName,
              void (*xLine)(void*, const char*), void *pArg,
              char **pzReport, int *pbFailed, char **pzErr);

#endif /* MIGRATE_RUN_H */
