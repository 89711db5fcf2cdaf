/*
** remote_test.c: the remote module's exactly-once logic with a local
** SQLite file standing in for the cluster behind the MigRemoteIo seam,
** which breaks the connection at a chosen COMMIT: before the file
** commits it (the transaction is lost) or after (it committed, but the
** reply "never arrived"). The migrations directory's upgrade runs on the
** shadow as the shell runs it (one transaction per migration); the
** remote's log lines and the outcome are printed. Run by
** remote_fault.test, which then reads the file.
**
** Usage: remote_test FILE MIGRATIONS_DIR none|before|after N
*/
#include "../ext/remote_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The stand-in cluster: a file, and where its connection breaks. */
typedef struct Local Local;
struct Local {
  sqlite3 *db;                 /* Connection to the file, or NULL: lost */
  const char *zPath;           /* The file */
  int eFault;                  /* 0 none, 1 before COMMIT, 2 after */
  int iFault;                  /* Which COMMIT (1: the first) */
  int nCommit;                 /* COMMITs seen */
};

/* Break the connection: what was not committed is rolled back. */
static int localLose(Local *p, char **pzErr){
  sqlite3_close(p->db);
  p->db = 0;
  if( pzErr ) *pzErr = sqlite3_mprintf("connection lost (injected)");
  return SQLITE_IOERR;
}

static int localExec(void *pCtx, const char *zSql, char **pzErr){
  Local *p = (Local*)pCtx;
  int bCommit = strcmp(zSql, "COMMIT")==0, rc;
  if( p->db==0 ) return localLose(p, pzErr);
  if( bCommit && ++p->nCommit==p->iFault && p->eFault==1 ){
    return localLose(p, pzErr);
  }
  rc = sqlite3_exec(p->db, zSql, 0, 0, pzErr);
  if( rc==SQLITE_OK && bCommit && p->nCommit==p->iFault && p->eFault==2 ){
    return localLose(p, pzErr);
  }
  return rc;
}

static int localQuery(void *pCtx, const char *zSql,
                      int (*xRow)(void*,int,char**,char**), void *pArg,
                      char **pzErr){
  Local *p = (Local*)pCtx;
  if( p->db==0 ) return localLose(p, pzErr);
  return sqlite3_exec(p->db, zSql, xRow, pArg, pzErr);
}

static int localReconnect(void *pCtx, int msTimeout, char **pzErr){
  Local *p = (Local*)pCtx;
  (void)msTimeout;
  sqlite3_close(p->db);
  p->db = 0;
  if( sqlite3_open(p->zPath, &p->db)!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot open %s", p->zPath);
    return SQLITE_CANTOPEN;
  }
  return SQLITE_OK;
}

static const char *localLeader(void *pCtx){
  return ((Local*)pCtx)->db ? "local" : "none";
}

static void localClose(void *pCtx){
  Local *p = (Local*)pCtx;
  sqlite3_close(p->db);
  p->db = 0;
}

/* The remote's log and the engine's: one line each on stdout. */
static void printLine(void *pArg, const char *zLine){
  (void)pArg;
  printf("%s\n", zLine);
}

int main(int argc, char **argv){
  Local loc;
  MigRemoteIo io;
  MigRemote *pR = 0;
  MigRunOpts o;
  sqlite3 *db = 0;
  sqlite3_int64 n = 0;
  char *zErr = 0, *zSql;
  int rc;
  if( argc!=5 ){
    fprintf(stderr, "usage: %s FILE DIR none|before|after N\n", argv[0]);
    return 2;
  }
  memset(&loc, 0, sizeof(loc));
  loc.zPath = argv[1];
  loc.eFault = strcmp(argv[3], "before")==0 ? 1
             : strcmp(argv[3], "after")==0 ? 2 : 0;
  loc.iFault = atoi(argv[4]);
  sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
  sqlite3_open(":memory:", &db);
  zSql = sqlite3_mprintf("SELECT migrate_dir(%Q)", argv[2]);
  sqlite3_exec(db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  memset(&io, 0, sizeof(io));
  io.pCtx = &loc;
  io.xExec = localExec;
  io.xQuery = localQuery;
  io.xReconnect = localReconnect;
  io.xLeader = localLeader;
  io.xClose = localClose;
  rc = localReconnect(&loc, 0, &zErr);
  if( rc==SQLITE_OK ){
    rc = migRemoteOpenIo(db, "local://test", &io, 1, &pR, &zErr);
  }
  if( rc==SQLITE_OK ){
    migRemoteSetLog(pR, printLine, 0);
    memset(&o, 0, sizeof(o));
    o.eOp = MIG_RUN_UPGRADE;
    o.xLog = printLine;
    o.bCommitEach = 1;
    rc = migRun(migRemoteDb(pR), &o, &n, 0, &zErr);
    if( rc!=SQLITE_OK ) zErr = migRemoteErr(pR, zErr);
  }
  if( rc==SQLITE_OK ){
    printf("ok: %lld applied\n", n);
  }else{
    printf("error: %s\n", zErr ? zErr : sqlite3_errstr(rc));
  }
  sqlite3_free(zErr);
  migRemoteClose(pR);
  sqlite3_close(db);
  return rc==SQLITE_OK ? 0 : 1;
}
