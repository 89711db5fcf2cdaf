/*
** snapshot.c: consistent snapshots of a database, migrate_backup(path)
** and migBackupSnapshot() (the hook the migration runner calls).
**
**   SELECT migrate_backup('app-2024-01-02.db.gz');   -- bytes written
**
** What is copied: for a database file, the last committed state, as of
** one read transaction of a private connection opened on the same file
** (so whatever other connections or processes write meanwhile, WAL
** included, the snapshot is one consistent state). That private
** connection is also what makes this work while the caller holds a write
** transaction (the runner's BEGIN IMMEDIATE): the backup API refuses a
** source connection that is writing, and the state before the runner's
** uncommitted changes is the one worth keeping. An in-memory or temp
** database has no file to open, so its pages are taken from
** sqlite3_serialize() instead, uncommitted changes included.
**
** How it is written: the backup API copies the pages into a database of
** the "migsnap" VFS (snapsink.c), which streams them into the output,
** plain or gzip (path ending in ".gz"), with no uncompressed temporary
** copy. The output is a new file beside the target, fsynced and renamed
** into place, and the directory fsynced (bkfile.c); on any error it is
** removed and an existing file at the path is left as it was.
**
** Progress (pages done, pages in total) goes to migProgress(): the
** options of a call (migBackupCall()) or the connection's callback.
*/
#include "backup_int.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define MIG_SNAP_STEP 4096         /* Pages copied between progress calls */
#define MIG_SNAP_BUSY_MS 10000     /* How long to wait for a read lock */

/* Run the backup from pSrc ("main", already in a read transaction). */
static int snapBackup(sqlite3 *pSrc, MigSink *pSink, MigConn *pConn,
                      char **pzErr){
  sqlite3 *pDest = 0;
  sqlite3_backup *pBk = 0;
  int rc;
  rc = sqlite3_open_v2(migSinkUri(pSink), &pDest,
                       SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, "migsnap");
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(pDest, "PRAGMA journal_mode=OFF;"
                             "PRAGMA synchronous=OFF;"
                             "PRAGMA cache_size=-1024", 0, 0, 0);
  }
  if( rc==SQLITE_OK ){
    pBk = sqlite3_backup_init(pDest, "main", pSrc, "main");
    if( pBk==0 ) rc = sqlite3_errcode(pDest);
  }
  while( rc==SQLITE_OK ){
    rc = sqlite3_backup_step(pBk, MIG_SNAP_STEP);
    if( rc==SQLITE_OK || rc==SQLITE_DONE ){
      int nTotal = sqlite3_backup_pagecount(pBk);
      migProgress(pConn, nTotal - sqlite3_backup_remaining(pBk), nTotal);
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( pDest && pBk ){
    int rc2 = sqlite3_backup_finish(pBk);
    if( rc==SQLITE_OK ) rc = rc2;
  }
  if( rc!=SQLITE_OK && migSinkErrno(pSink)==0 ){
    *pzErr = sqlite3_mprintf("%s", pDest ? sqlite3_errmsg(pDest)
                                         : sqlite3_errstr(rc));
  }
  sqlite3_close(pDest);
  return rc;
}

/*
** Busy handler of the private connection: retry every millisecond for up
** to MIG_SNAP_BUSY_MS. A rollback-journal database that another process
** writes continuously is free only between its transactions, so the
** usual backing-off busy timeout would almost never get in.
*/
static int snapBusy(void *pArg, int nPrior){
  UNUSED(pArg);
  if( nPrior>=MIG_SNAP_BUSY_MS ) return 0;
  sqlite3_sleep(1);
  return 1;
}

/* Copy the file zFile (opened through VFS zVfs) as of one read txn. */
static int snapFile(const char *zFile, const char *zVfs, MigSink *pSink,
                    MigConn *pConn, char **pzErr){
  sqlite3 *pSrc = 0;
  int rc = sqlite3_open_v2(zFile, &pSrc, SQLITE_OPEN_READWRITE, zVfs);
  if( rc!=SQLITE_OK ){
    sqlite3_close(pSrc);
    pSrc = 0;
    rc = sqlite3_open_v2(zFile, &pSrc, SQLITE_OPEN_READONLY, zVfs);
  }
  if( rc==SQLITE_OK ){
    sqlite3_busy_handler(pSrc, snapBusy, 0);
    rc = sqlite3_exec(pSrc, "BEGIN; SELECT count(*) FROM sqlite_schema",
                      0, 0, 0);
  }
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot read %s: %s", zFile,
                             pSrc ? sqlite3_errmsg(pSrc) : "out of memory");
  }else{
    rc = snapBackup(pSrc, pSink, pConn, pzErr);
  }
  sqlite3_close(pSrc);
  return rc;
}

/* Copy an in-memory or temp schema through sqlite3_serialize(). */
static int snapMemory(sqlite3 *db, const char *zSchema, MigSink *pSink,
                      MigConn *pConn){
  sqlite3_int64 sz = 0, iOff;
  unsigned char *a = sqlite3_serialize(db, zSchema, &sz, 0);
  int szPage;
  int rc = SQLITE_OK;
  if( a==0 ) return sz>0 ? SQLITE_NOMEM : SQLITE_OK;
  szPage = sz>=100 ? (a[16]<<8) | a[17] : 0;
  if( szPage==1 ) szPage = 65536;
  if( sz<100 || szPage<512 || sz%szPage ) szPage = (int)sz;
  for(iOff=0; rc==SQLITE_OK && iOff<sz; iOff+=szPage){
    rc = migSinkWrite(pSink, a+iOff, szPage, iOff);
  }
  migProgress(pConn, sz/szPage, sz/szPage);
  sqlite3_free(a);
  return rc;
}

/* Copy schema zSchema of db into pSink. */
static int snapCopy(sqlite3 *db, const char *zSchema, MigSink *pSink,
                    char **pzErr){
  const char *zFile = sqlite3_db_filename(db, zSchema);
  sqlite3_vfs *pVfs = 0;
  MigConn *pConn = migConnGet(db);
  if( zFile==0 ){
    *pzErr = sqlite3_mprintf("no such database: %s", zSchema);
    return SQLITE_ERROR;
  }
  if( zFile[0]==0 ) return snapMemory(db, zSchema, pSink, pConn);
  sqlite3_file_control(db, zSchema, SQLITE_FCNTL_VFS_POINTER, &pVfs);
  return snapFile(zFile, pVfs ? pVfs->zName : 0, pSink, pConn, pzErr);
}

int migBackupSnapshot(sqlite3 *db, const char *zSchema, const char *zPath,
                      sqlite3_int64 *pnByte, char **pzErr){
  int fd = -1;
  char *zTmp = 0;
  MigSink *pSink = 0;
  int rc;
  *pnByte = 0;
  *pzErr = 0;
  rc = migFileCreateTemp(zPath, &fd, &zTmp, pzErr);
  if( rc==SQLITE_OK ){
    pSink = migSinkNew(fd, migHasSuffix(zPath, ".gz"));
    if( pSink==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) rc = snapCopy(db, zSchema, pSink, pzErr);
  if( rc==SQLITE_OK ) rc = migSinkFinish(pSink, pnByte);
  if( rc!=SQLITE_OK && pSink && migSinkErrno(pSink) && *pzErr==0 ){
    *pzErr = migFileErr("write", zPath, migSinkErrno(pSink));
  }
  if( fd>=0 && close(fd)!=0 && rc==SQLITE_OK ){
    rc = SQLITE_IOERR_CLOSE;
    *pzErr = migFileErr("write", zPath, EIO);
  }
  if( rc==SQLITE_OK ) rc = migFileCommit(zTmp, zPath, pzErr);
  if( rc!=SQLITE_OK && zTmp ) unlink(zTmp);
  if( rc!=SQLITE_OK && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("cannot write %s: %s", zPath, sqlite3_errstr(rc));
  }
  migSinkFree(pSink);
  sqlite3_free(zTmp);
  return rc;
}

/* See mig_int.h. */
int migBackupCall(sqlite3 *db, const char *zPath, const MigCallOpts *pOpts,
                 sqlite3_int64 *pnByte, char **pzErr){
  MigConn *pConn = migConnGet(db);
  const MigCallOpts *pPrev = migConnCallBegin(pConn, pOpts);
  int rc = migBackupSnapshot(db, "main", zPath, pnByte, pzErr);
  migConnCallEnd(pConn, pPrev);
  return rc;
}

/*
** migrate_backup(path): write a snapshot of the main database to path
** (gzip when it ends in ".gz") and return the number of bytes written.
*/
void migBackupFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zPath = migPathArg(ctx, argv[0], "migrate_backup");
  sqlite3_int64 nByte = 0;
  char *zErr = 0;
  UNUSED(argc);
  if( zPath==0 || migDirectOnly(ctx, "migrate_backup") ) return;
  if( migBackupSnapshot(sqlite3_context_db_handle(ctx), "main", zPath,
                        &nByte, &zErr)!=SQLITE_OK ){
    sqlite3_result_error(ctx, zErr ? zErr : "out of memory", -1);
  }else{
    sqlite3_result_int64(ctx, nByte);
  }
  sqlite3_free(zErr);
}
