/*
** cmd_test.c: the .migrate subcommands that test migrations before they
** reach a real database.
**
**   test [TARGET] [--with-data] [--strict]
**       the stairway of checks on a scratch copy (ext/stairway.c): one
**       line per check, a summary; fails when any check failed
**   upgrade [TARGET] --dry-run
**       the pending upgrade on a scratch copy (ext/dryrun.c): per
**       migration its time, rows written per table, data-loss lines and
**       the first error; the database is not touched
*/
#include "shell_int.h"
#include "../ext/migrate_run.h"
#include <string.h>

/* A report line, printed as it comes (and flushed: a long run shows its
** progress, in order with errors on stderr). */
static void cmdLine(void *pArg, const char *zLine){
  fprintf((FILE*)pArg, "%s\n", zLine);
  fflush((FILE*)pArg);
}

/* .migrate test [TARGET] [--with-data] [--strict] */
int migCmdTest(MigShell *p, int nArg, char **azArg){
  MigConn *pConn = migConnGet(p->db);
  MigTestOpts o;
  char *zRep = 0, *zProb = 0, *zErr = 0;
  int i, nProb = 0, rc;
  memset(&o, 0, sizeof(o));
  for(i=1; i<nArg; i++){
    if( strcmp(azArg[i], "--with-data")==0 ){
      o.bWithData = 1;
    }else if( strcmp(azArg[i], "--strict")==0 ){
      o.bStrict = 1;
    }else if( o.zTarget==0
           && (azArg[i][0]!='-' || (azArg[i][1]>='0' && azArg[i][1]<='9')) ){
      o.zTarget = azArg[i];
    }else{
      return migShellError(p,
          "usage: .migrate test [TARGET] [--with-data] [--strict]");
    }
  }
  if( pConn==0 ) return migShellError(p, "the migrate extension is missing");
  o.xLine = cmdLine;
  o.pLineArg = p->out;
  rc = migTestRun(pConn, &o, &zRep, &zProb, &nProb, &zErr);
  if( rc!=SQLITE_OK ){
    migShellError(p, "%s", zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    return 1;
  }
  sqlite3_free(zRep);
  sqlite3_free(zProb);
  if( nProb>0 ){
    return migShellError(p, "test found %d problem%s", nProb,
                         nProb==1 ? "" : "s");
  }
  return 0;
}

/* .migrate upgrade [TARGET] --dry-run */
int migCmdDryRun(MigShell *p, int nArg, char **azArg){
  MigConn *pConn = migConnGet(p->db);
  const char *zTarget = 0, *zName;
  char *zRep = 0, *zErr = 0;
  int i, bFailed = 0, rc;
  for(i=1; i<nArg; i++){
    if( strcmp(azArg[i], "--dry-run")==0 ) continue;
    if( zTarget==0
     && (azArg[i][0]!='-' || (azArg[i][1]>='0' && azArg[i][1]<='9')) ){
      zTarget = azArg[i];
    }else{
      return migShellError(p, "usage: .migrate upgrade [TARGET] --dry-run");
    }
  }
  if( pConn==0 ) return migShellError(p, "the migrate extension is missing");
  zName = sqlite3_db_filename(p->db, "main");
  if( zName && strrchr(zName, '/') ) zName = strrchr(zName, '/')+1;
  if( zName==0 || zName[0]==0 ) zName = "the database";
  rc = migDryRun(pConn, zTarget, zName, cmdLine, p->out, &zRep, &bFailed,
                 &zErr);
  sqlite3_free(zRep);
  if( rc!=SQLITE_OK ){
    migShellError(p, "%s", zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    return 1;
  }
  if( bFailed ) return migShellError(p, "the dry run failed");
  return 0;
}
