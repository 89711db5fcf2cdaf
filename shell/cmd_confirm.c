/*
** cmd_confirm.c: safety before an upgrade or downgrade that loses data.
**
** The runner calls MigRunOpts.xConfirm once, holding the write lock but
** before it changes anything, with the "data loss: ..." lines of the
** whole plan. migShellConfirm() is that hook for the shell:
**   - the lines are printed first (the run's own copies of them are then
**     left out of its log, see migShellLossShown());
**   - interactive: the user is asked
**       Proceed? [y]es, [s]napshot first, [N]o:
**     "s" writes a snapshot (migBackupSnapshot) beside the database
**     first; anything but y or s cancels, and nothing is changed;
**   - not interactive: the run goes on, unless the setting data_loss is
**     'refuse' (.migrate config data_loss refuse), which refuses it;
**   - --yes (MigShell.bYes) skips the question and the refusal.
** MigShell.eConfirm records what happened, for the message after the run.
*/
#include "shell_int.h"
#include <string.h>
#include <time.h>

/* Where "s" puts the snapshot: beside the database (sqlite3_free), or
** NULL for a database with no file. */
static char *cmdSnapshotPath(MigShell *p){
  const char *zDb = sqlite3_db_filename(p->db, "main");
  char zStamp[32];
  time_t t = time(0);
  if( zDb==0 || zDb[0]==0 ) return 0;
  strftime(zStamp, sizeof(zStamp), "%Y%m%d_%H%M%S", gmtime(&t));
  return sqlite3_mprintf("%s.before-%s-%s.db.gz", zDb, p->zVerb, zStamp);
}

/* Ask; returns 'y', 's' or 'n'. */
static int cmdAsk(MigShell *p, int bSnapshot){
  char zLine[32];
  if( bSnapshot ){
    fprintf(p->out, "Proceed? [y]es, [s]napshot first, [N]o: ");
  }else{
    fprintf(p->out, "Proceed? [y/N] ");
  }
  fflush(p->out);
  if( fgets(zLine, sizeof(zLine), stdin)==0 ) return 'n';
  if( zLine[0]=='y' || zLine[0]=='Y' ) return 'y';
  if( bSnapshot && (zLine[0]=='s' || zLine[0]=='S') ) return 's';
  return 'n';
}

/* Write the snapshot zPath; 0, or 1 after an error. */
static int cmdSnapshot(MigShell *p, const char *zPath){
  sqlite3_int64 nByte = 0;
  char *zErr = 0;
  if( migBackupSnapshot(p->db, "main", zPath, &nByte, &zErr) ){
    migShellError(p, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  fprintf(p->out, "Backup written to %s (%lld bytes)\n", zPath, nByte);
  return 0;
}

int migShellConfirm(void *pArg, const char *zLines){
  MigShell *p = (MigShell*)pArg;
  MigConn *pConn = migConnGet(p->db);
  char *zPath;
  int c, rc = 0;
  fprintf(p->out, "%s%s", zLines,
          zLines[0] && zLines[strlen(zLines)-1]=='\n' ? "" : "\n");
  p->bLossShown = 1;
  if( p->bYes ) return 0;
  if( !p->bInteractive ){
    if( pConn && pConn->eDataLoss==MIG_DATA_LOSS_REFUSE ){
      p->eConfirm = MIG_CONFIRM_REFUSED;
      return 1;
    }
    return 0;
  }
  /* backup=auto snapshots before each such migration anyway. */
  zPath = (pConn && pConn->eBackupAuto) ? 0 : cmdSnapshotPath(p);
  c = cmdAsk(p, zPath!=0);
  if( c=='n' ){
    p->eConfirm = MIG_CONFIRM_CANCELLED;
    rc = 1;
  }else if( c=='s' && cmdSnapshot(p, zPath) ){
    p->eConfirm = MIG_CONFIRM_FAILED;
    rc = 1;
  }
  sqlite3_free(zPath);
  return rc;
}

int migShellConfirmEnd(MigShell *p, char *zErr){
  int e = p->eConfirm;
  p->eConfirm = 0;
  p->bLossShown = 0;
  if( e==0 ) return -1;
  sqlite3_free(zErr);
  if( e==MIG_CONFIRM_CANCELLED ){
    fprintf(p->out, "%s cancelled; nothing was changed\n", p->zVerb);
    return 0;
  }
  if( e==MIG_CONFIRM_REFUSED ){
    return migShellError(p, "this %s would lose data: refused, as the "
        "setting data_loss is 'refuse' (add --yes to run it); nothing was "
        "changed", p->zVerb);
  }
  return 1;          /* The snapshot failed; its error is printed */
}
