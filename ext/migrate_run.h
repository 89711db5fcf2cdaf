/*
** migrate_run.h: the engine core as its front ends see it.
**
** Three front ends drive the migration engine: the SQL functions and the
** public C API (both in engine.c) and the shell's .migrate command
** (shell/cmd_engine.c). Each fills in a MigRunOpts and calls migRun();
** nothing a front end wants is poked into the connection's state. This
** header is all a front end needs to include to run migrations; the
** engine's own files use engine_int.h.
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

#endif /* MIGRATE_RUN_H */
