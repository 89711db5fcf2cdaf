/*
** cmd_remote.c: the --remote option of .migrate.
**
**   .migrate upgrade|downgrade|stamp|current|heads|history|check|verify
**            ... --remote dqlite://HOST:PORT[,HOST:PORT...]/NAME
**
** runs the same subcommand against database NAME of a dqlite cluster.
** The dispatcher (migrate_shell.c) hands every command here first;
** without --remote nothing happens. With it, the cluster's database is
** copied into a shadow connection (ext/remote.h), the subcommand's own
** handler runs on the shadow with its arguments minus the option, and
** what it commits there is sent to the cluster's leader as it commits
** (cmd_run.c asks the engine for one transaction per migration and
** reports the cluster's own error through migShellRemoteErr()).
*/
#include "shell_int.h"
#include "../ext/remote.h"
#include <string.h>

/* The subcommands --remote works with; the first two run migrations
** (which read rows: the cluster's are copied), the others read or write
** the bookkeeping only. */
static const MigCmdFunc aRemoteCmd[] = {
  migCmdUpgrade, migCmdDowngrade,
  migCmdStamp, migCmdCurrent, migCmdHeads, migCmdHistory, migCmdCheck,
  migCmdVerify
};
#define REMOTE_NROWS 2

/* True if the subcommand (iCmd of aRemoteCmd, nArg words of azArg) runs
** migrations here, so that the shadow needs every row: not --sql. */
static int remoteCmdRows(int iCmd, int nArg, char **azArg){
  int i;
  if( iCmd>=REMOTE_NROWS ) return 0;
  for(i=1; i<nArg; i++) if( strcmp(azArg[i], "--sql")==0 ) return 0;
  return 1;
}

/* The remote's own lines (leader changes) go to the shell's output. */
static void remoteCmdLog(void *pArg, const char *zLine){
  MigShell *p = (MigShell*)pArg;
  fprintf(p->out, "%s\n", zLine);
}

/* Report an error before the subcommand ran (check: exit status 2). */
static int remoteCmdFail(MigShell *p, MigCmdFunc xCmd, const char *zMsg){
  int rc = migShellError(p, "%s", zMsg ? zMsg : "out of memory");
  return xCmd==migCmdCheck ? migShellExit(p, rc, 2) : rc;
}

int migShellRemote(MigShell *p, MigCmdFunc xCmd, int nArg, char **azArg){
  MigRemote *pR = 0;
  sqlite3 *dbLive = p->db;
  char **azNew = 0, *zErr = 0;
  const char *zUrl = 0;
  int i, k, iCmd = -1, nNew = 0, rc;
  for(i=1; i<nArg && strcmp(azArg[i], "--remote")!=0; i++){}
  if( i>=nArg ) return -1;
  if( i+1>=nArg ){
    return remoteCmdFail(p, xCmd,
        "usage: --remote dqlite://HOST:PORT[,HOST:PORT...]/NAME");
  }
  zUrl = azArg[i+1];
  for(k=0; k<(int)(sizeof(aRemoteCmd)/sizeof(aRemoteCmd[0])); k++){
    if( aRemoteCmd[k]==xCmd ) iCmd = k;
  }
  if( iCmd<0 ){
    return migShellError(p, "--remote works with upgrade, downgrade, stamp, "
                         "current, heads, history, check and verify, not "
                         "with %s", azArg[0]);
  }
  azNew = sqlite3_malloc64(sizeof(char*)*(nArg+1));
  if( azNew==0 ) return remoteCmdFail(p, xCmd, 0);
  for(k=0; k<nArg; k++){
    if( k!=i && k!=i+1 ) azNew[nNew++] = azArg[k];
  }
  azNew[nNew] = 0;
  rc = migRemoteOpen(dbLive, zUrl, remoteCmdRows(iCmd, nNew, azNew), &pR,
                     &zErr);
  if( rc!=SQLITE_OK ){
    sqlite3_free(azNew);
    rc = remoteCmdFail(p, xCmd, zErr);
    sqlite3_free(zErr);
    return rc;
  }
  migRemoteSetLog(pR, remoteCmdLog, p);
  p->db = migRemoteDb(pR);
  p->pRemote = pR;
  rc = xCmd(p, nNew, azNew);
  p->db = dbLive;
  p->pRemote = 0;
  migRemoteClose(pR);
  sqlite3_free(azNew);
  return rc;
}

char *migShellRemoteErr(MigShell *p, char *zErr){
  if( p->pRemote==0 ) return zErr;
  return migRemoteErr((MigRemote*)p->pRemote, zErr);
}
