/*
** cmd_run.c: the .migrate subcommands that run the engine.
**
**   upgrade [TARGET] [--sql] [--yes] [--backup FILE]
**   downgrade TARGET [--sql] [--yes]
**   stamp TARGET | check | verify
**
** A thin front end on the engine core (ext/migrate_run.h): each
** subcommand fills in a MigRunOpts (operation, target, backup path, the
** log sent to the shell's output) and calls migRun(). Output follows
** Alembic's ("Running upgrade a1b2 -> c3d4, add status"). Errors go to
** stderr through migShellError(). Before a migration that writes, the
** database is checked (cmd_wait.c); an upgrade or downgrade that loses
** data shows it first and may ask (cmd_confirm.c).
*/
#include "shell_int.h"
#include "../ext/migrate_run.h"
#include <string.h>

/* MigRunOpts.xLog: one line to the shell's output (data-loss lines only
** when the confirmation hook did not print them before the run). */
static void runCmdLog(void *pArg, const char *zLine){
  MigShell *p = (MigShell*)pArg;
  if( p->bLossShown && strncmp(zLine, "data loss: ", 11)==0 ) return;
  fprintf(p->out, "%s\n", zLine);
}

/* Report an engine error (freeing it); returns 1. */
static int runCmdFail(MigShell *p, char *zErr){
  zErr = migShellRemoteErr(p, zErr);
  migShellError(p, "%s", zErr ? zErr : "out of memory");
  sqlite3_free(zErr);
  return 1;
}

/* How long .migrate waits for the write lock when .timeout set nothing. */
#define CMD_BUSY_MS 60000

/*
** Run the engine for eOp toward zTarget, zBackup (or NULL) being the
** snapshot to write before an upgrade, with the log on the shell's
** output. Prints the offline SQL, if any. Returns 0, or 1 after an error.
*/
static int runCmdRun(MigShell *p, int eOp, const char *zTarget,
                     const char *zBackup){
  MigRunOpts o;
  char *zOut = 0, *zErr = 0;
  sqlite3_int64 n = 0, nTimeout = 0;
  int rc;
  if( migShellWriteCheck(p, eOp) ) return 1;
  memset(&o, 0, sizeof(o));
  o.eOp = eOp;
  o.zTarget = zTarget;
  o.zBackup = zBackup;
  o.xLog = runCmdLog;
  o.pLogArg = p;
  o.bCommitEach = p->pRemote!=0;     /* One cluster transaction each */
  if( eOp==MIG_RUN_UPGRADE || eOp==MIG_RUN_DOWNGRADE ){
    o.xConfirm = migShellConfirm;
    o.pConfirmArg = p;
    p->zVerb = eOp==MIG_RUN_UPGRADE ? "upgrade" : "downgrade";
  }
  /* The shell has no busy timeout unless .timeout set one, so a second
  ** runner would fail at once: wait for the write lock instead, up to
  ** CMD_BUSY_MS, as several deploy scripts starting together expect. */
  migQueryInt(p->db, &nTimeout, "PRAGMA busy_timeout");
  if( nTimeout==0 ) sqlite3_busy_timeout(p->db, CMD_BUSY_MS);
  rc = migRun(p->db, &o, &n, &zOut, &zErr);
  if( nTimeout==0 ) sqlite3_busy_timeout(p->db, 0);
  if( rc!=SQLITE_OK ){
    int rcShell = migShellConfirmEnd(p, zErr);
    return rcShell>=0 ? rcShell : runCmdFail(p, zErr);
  }
  p->bLossShown = 0;
  if( zOut ) fprintf(p->out, "%s", zOut);
  sqlite3_free(zOut);
  return 0;
}

/* Parse [TARGET] [--sql] [--yes] [--backup FILE]; returns 1 after a
** usage error */
static int runCmdArgs(int nArg, char **azArg, int bBackup,
                      const char **pzTarget, int *pbSql, int *pbYes,
                      const char **pzBackup){
  int i;
  for(i=1; i<nArg; i++){
    if( strcmp(azArg[i], "--sql")==0 ){
      *pbSql = 1;
    }else if( strcmp(azArg[i], "--yes")==0 || strcmp(azArg[i], "-y")==0 ){
      *pbYes = 1;
    }else if( bBackup && strcmp(azArg[i], "--backup")==0 && i+1<nArg ){
      *pzBackup = azArg[++i];
    }else if( azArg[i][0]!='-' && *pzTarget==0 ){
      *pzTarget = azArg[i];
    }else if( azArg[i][0]=='-' && azArg[i][1]>='0' && azArg[i][1]<='9'
           && *pzTarget==0 ){
      *pzTarget = azArg[i];
    }else{
      return 1;
    }
  }
  return 0;
}

/* .migrate upgrade [TARGET] [--sql] [--yes] [--backup FILE] */
int migCmdUpgrade(MigShell *p, int nArg, char **azArg){
  const char *zTarget = 0, *zBackup = 0;
  int bSql = 0, i;
  for(i=1; i<nArg; i++){
    if( strcmp(azArg[i], "--dry-run")==0 ) return migCmdDryRun(p, nArg, azArg);
  }
  if( runCmdArgs(nArg, azArg, 1, &zTarget, &bSql, &p->bYes, &zBackup)
   || (bSql && zBackup) ){
    return migShellError(p,
        "usage: .migrate upgrade [TARGET] [--sql] [--yes] [--backup FILE]");
  }
  return runCmdRun(p, bSql ? MIG_RUN_SQL_UP : MIG_RUN_UPGRADE, zTarget,
                   zBackup);
}

/* .migrate downgrade TARGET [--sql] [--yes] */
int migCmdDowngrade(MigShell *p, int nArg, char **azArg){
  const char *zTarget = 0, *zBackup = 0;
  int bSql = 0;
  if( runCmdArgs(nArg, azArg, 0, &zTarget, &bSql, &p->bYes, &zBackup)
   || zTarget==0 ){
    return migShellError(p,
        "usage: .migrate downgrade TARGET [--sql] [--yes]");
  }
  return runCmdRun(p, bSql ? MIG_RUN_SQL_DOWN : MIG_RUN_DOWNGRADE, zTarget,
                   0);
}

/* .migrate stamp TARGET */
int migCmdStamp(MigShell *p, int nArg, char **azArg){
  if( nArg!=2 ) return migShellError(p, "usage: .migrate stamp TARGET");
  return runCmdRun(p, MIG_RUN_STAMP, azArg[1], 0);
}

/* .migrate check: exit status 0 up to date, 1 pending, 2 trouble */
int migCmdCheck(MigShell *p, int nArg, char **azArg){
  MigRunOpts o;
  sqlite3_int64 n = 0;
  char *zErr = 0;
  UNUSED(azArg);
  if( nArg!=1 ){
    return migShellExit(p, migShellError(p, "usage: .migrate check"), 2);
  }
  memset(&o, 0, sizeof(o));
  o.eOp = MIG_RUN_CHECK;
  if( migRun(p->db, &o, &n, 0, &zErr) ){
    return migShellExit(p, runCmdFail(p, zErr), 2);
  }
  if( n>0 ){
    return migShellError(p, "Target database is not up to date: %lld "
                         "migration%s pending", n, n==1 ? "" : "s");
  }
  if( migCmdCheckSchema(p) ) return 1;
  fprintf(p->out, "Database is up to date\n");
  return 0;
}

/* .migrate verify: prints migrate_verify(); fails unless "ok" */
int migCmdVerify(MigShell *p, int nArg, char **azArg){
  char *zOut = 0, *zErr = 0;
  UNUSED(azArg);
  if( nArg!=1 ) return migShellError(p, "usage: .migrate verify");
  if( migRunVerify(p->db, &zOut, &zErr) ) return runCmdFail(p, zErr);
  fprintf(p->out, "%s\n", zOut);
  if( strcmp(zOut, "ok")!=0 ){
    sqlite3_free(zOut);
    return migShellError(p, "verify found problems");
  }
  sqlite3_free(zOut);
  return 0;
}
