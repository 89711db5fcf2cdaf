/*
** restore.c: migrate_restore(path), replacing the live database with a
** backup, checked first, in one step.
**
**   SELECT migrate_restore('app-2024-01-02.db.gz');   -- 'ok'
**
** The backup (plain, or gzip: a file starting with the gzip magic; a
** name ending in ".gz" must have it) goes through these checks, and the
** first that fails is the error, with the live database untouched:
**   1. gzip: decompressed in full into a temporary file beside the live
**      database, which checks every member's CRC and length; a damaged
**      or truncated file is "damaged gzip file (<zlib's reason>)";
**   2. the SQLite header ("not an SQLite database") and the size the
**      header announces ("truncated backup (N of M bytes)");
**   3. PRAGMA integrity_check on the copy ("integrity check failed: ..");
**   4. a database that carries an application_id only takes backups of
**      the same application ("backup is of another application ..."),
**      and a WAL database only backups of its page size.
** Restore inside an open transaction is refused before anything else.
** Then the backup API copies it over the live database in a single
** sqlite3_backup_step(-1): one write transaction, atomic and durable as
** any other. If another connection is writing, that step fails with
** SQLITE_BUSY after the connection's busy timeout, and nothing changes.
** Errors read "cannot restore PATH: reason".
*/
#include "backup_int.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MIG_RESTORE_BUF (256*1024)   /* Decompression buffer */

/* Make *pzErr "cannot restore PATH: <printf-style reason>". */
static int rsFail(char **pzErr, const char *zPath, int rc,
                  const char *zFmt, const char *zArg){
  char *zWhy = sqlite3_mprintf(zFmt, zArg);
  *pzErr = sqlite3_mprintf("cannot restore %s: %s", zPath,
                           zWhy ? zWhy : "out of memory");
  sqlite3_free(zWhy);
  return rc;
}

/* Read up to n bytes at the start of zPath into a; returns the count. */
static int rsPeek(const char *zPath, unsigned char *a, int n){
  FILE *f = fopen(zPath, "rb");
  int nRead;
  memset(a, 0, n);
  if( f==0 ) return -1;
  nRead = (int)fread(a, 1, n, f);
  fclose(f);
  return nRead;
}

/* Size of file zPath in bytes, or -1. */
static sqlite3_int64 rsFileSize(const char *zPath){
  struct stat st;
  return stat(zPath, &st)==0 ? (sqlite3_int64)st.st_size : -1;
}

/* Decompress gzip file zPath into zTmp, open as fd. Progress: bytes of
** zPath read so far, of its size. */
static int rsGunzip(const char *zPath, const char *zTmp, int fd,
                    MigConn *pConn, char **pzErr){
  gzFile gz = gzopen(zPath, "rb");
  unsigned char *aBuf = sqlite3_malloc64(MIG_RESTORE_BUF);
  sqlite3_int64 nSize = rsFileSize(zPath);
  int rc = SQLITE_OK;
  int n = 0, zrc;
  if( gz==0 || aBuf==0 ){
    if( gz ) gzclose(gz);
    sqlite3_free(aBuf);
    return rsFail(pzErr, zPath, SQLITE_NOMEM, "%s", "out of memory");
  }
  gzbuffer(gz, MIG_RESTORE_BUF);
  while( rc==SQLITE_OK && (n = gzread(gz, aBuf, MIG_RESTORE_BUF))>0 ){
    int e = migWriteAll(fd, aBuf, n);
    if( e ){
      *pzErr = migFileErr("write", zTmp, e);
      rc = SQLITE_IOERR_WRITE;
    }
    migProgress(pConn, gzoffset(gz), nSize);
  }
  if( rc==SQLITE_OK ){
    const char *zWhy = gzerror(gz, &zrc);
    if( n<0 || (zrc!=Z_OK && zrc!=Z_STREAM_END) ){
      rc = rsFail(pzErr, zPath, SQLITE_CORRUPT, "damaged gzip file (%s)",
                  zWhy);
    }
  }
  zrc = gzclose(gz);
  if( rc==SQLITE_OK && zrc!=Z_OK ){
    rc = rsFail(pzErr, zPath, SQLITE_CORRUPT, "damaged gzip file (%s)",
                zrc==Z_BUF_ERROR ? "unexpected end of file" : "bad data");
  }
  sqlite3_free(aBuf);
  return rc;
}

/* Check the SQLite header of zCand and its size against the header. */
static int rsHeader(const char *zCand, const char *zPath, char **pzErr){
  unsigned char a[100];
  sqlite3_int64 nSize;
  sqlite3_int64 szPage, nPage;
  if( rsPeek(zCand, a, 100)<100
   || memcmp(a, "SQLite format 3", 16)!=0 ){
    return rsFail(pzErr, zPath, SQLITE_NOTADB, "%s",
                  "not an SQLite database");
  }
  szPage = (a[16]<<8) | a[17];
  if( szPage==1 ) szPage = 65536;
  nPage = ((sqlite3_int64)a[28]<<24) | (a[29]<<16) | (a[30]<<8) | a[31];
  if( memcmp(&a[24], &a[92], 4)!=0 ) nPage = 0;   /* Count not valid */
  nSize = rsFileSize(zCand);
  if( nSize%szPage || (nPage>0 && nSize<nPage*szPage) ){
    char *z = sqlite3_mprintf("truncated backup (%lld of %lld bytes)",
                              nSize, nPage*szPage);
    int rc = rsFail(pzErr, zPath, SQLITE_CORRUPT, "%s", z);
    sqlite3_free(z);
    return rc;
  }
  return SQLITE_OK;
}

/*
** The live database could not be read (rc): a damaged file cannot be
** overwritten in place, as the copy needs its header. Say so, and how to
** recover, naming the file. Returns rc.
*/
static int rsLiveErr(sqlite3 *db, const char *zSchema, const char *zPath,
                     int rc, char **pzErr){
  const char *zLive = sqlite3_db_filename(db, zSchema);
  char *z;
  if( *pzErr ) return rc;
  if( rc==SQLITE_NOMEM ){
    return rsFail(pzErr, zPath, rc, "%s", "out of memory");
  }
  if( zLive==0 || zLive[0]==0 ) zLive = zSchema;
  z = sqlite3_mprintf("the database %s is damaged (%s), so it cannot be "
      "overwritten in place; move it aside (mv %s %s.damaged) and restore "
      "again into a new file", zLive, sqlite3_errstr(rc), zLive, zLive);
  rsFail(pzErr, zPath, rc, "%s", z ? z : "out of memory");
  sqlite3_free(z);
  return rc;
}

/* A WAL database cannot change its page size: refuse such a backup. */
static int rsPageSize(sqlite3 *db, const char *zSchema, sqlite3 *pBak,
                      const char *zPath, char **pzErr){
  sqlite3_int64 szLive = 0, szBak = 0, bWal = 0;
  int rc = migQueryInt(pBak, &szBak, "PRAGMA page_size");
  if( rc==SQLITE_OK ){
    rc = migQueryInt(db, &szLive, "PRAGMA \"%w\".page_size", zSchema);
    if( rc==SQLITE_OK ){
      rc = migQueryInt(db, &bWal, "SELECT journal_mode='wal'"
                       " FROM pragma_journal_mode(%Q)", zSchema);
    }
    if( rc!=SQLITE_OK ) return rsLiveErr(db, zSchema, zPath, rc, pzErr);
  }
  if( rc==SQLITE_OK && bWal && szLive!=szBak ){
    char *z = sqlite3_mprintf("its page size %lld differs from the WAL"
        " database's %lld (use journal_mode=DELETE to restore it)",
        szBak, szLive);
    rc = rsFail(pzErr, zPath, SQLITE_MISMATCH, "%s", z);
    sqlite3_free(z);
  }
  return rc;
}

/* Run PRAGMA integrity_check and the application_id check on pBak. */
static int rsVerify(sqlite3 *db, const char *zSchema, sqlite3 *pBak,
                    const char *zPath, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iApp = 0, iBakApp = 0;
  int rc = sqlite3_prepare_v2(pBak, "PRAGMA integrity_check", -1, &pStmt, 0);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( z && strcmp(z, "ok")!=0 ){
      rsFail(pzErr, zPath, SQLITE_CORRUPT, "integrity check failed: %s", z);
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK && *pzErr==0 ){
    return rsFail(pzErr, zPath, rc, "%s", sqlite3_errmsg(pBak));
  }
  if( *pzErr ) return SQLITE_CORRUPT;
  rc = migQueryInt(pBak, &iBakApp, "PRAGMA application_id");
  if( rc==SQLITE_OK ){
    rc = migQueryInt(db, &iApp, "PRAGMA \"%w\".application_id", zSchema);
    if( rc!=SQLITE_OK ) return rsLiveErr(db, zSchema, zPath, rc, pzErr);
  }
  if( rc==SQLITE_OK ) rc = rsPageSize(db, zSchema, pBak, zPath, pzErr);
  if( rc==SQLITE_OK && iApp!=0 && iApp!=iBakApp ){
    char *z = sqlite3_mprintf("backup is of another application"
        " (application_id %lld, the database has %lld)", iBakApp, iApp);
    rc = rsFail(pzErr, zPath, SQLITE_MISMATCH, "%s", z);
    sqlite3_free(z);
  }
  return rc;
}

/* Copy pBak over schema zSchema of db in one backup step. */
static int rsCopy(sqlite3 *db, const char *zSchema, sqlite3 *pBak,
                  const char *zPath, char **pzErr){
  sqlite3_backup *pBk = sqlite3_backup_init(db, zSchema, pBak, "main");
  int rc;
  if( pBk==0 ){
    return rsFail(pzErr, zPath, sqlite3_errcode(db), "%s",
                  sqlite3_errmsg(db));
  }
  rc = sqlite3_backup_step(pBk, -1);
  sqlite3_backup_finish(pBk);
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  if( rc==SQLITE_BUSY || rc==SQLITE_LOCKED ){
    return rsFail(pzErr, zPath, rc, "%s",
                  "the database is locked by another connection");
  }
  if( rc==SQLITE_NOTADB || rc==SQLITE_CORRUPT ){
    return rsLiveErr(db, zSchema, zPath, rc, pzErr);
  }
  return rsFail(pzErr, zPath, rc, "%s", sqlite3_errstr(rc));
}

/* Make a checked copy of zPath available as zCand, then restore it. */
static int rsFromFile(sqlite3 *db, const char *zSchema, const char *zCand,
                      const char *zPath, char **pzErr){
  sqlite3 *pBak = 0;
  int rc = rsHeader(zCand, zPath, pzErr);
  if( rc==SQLITE_OK ){
    rc = sqlite3_open_v2(zCand, &pBak, SQLITE_OPEN_READONLY, 0);
    if( rc!=SQLITE_OK ){
      rc = rsFail(pzErr, zPath, rc, "%s", sqlite3_errmsg(pBak));
    }
  }
  if( rc==SQLITE_OK ) rc = rsVerify(db, zSchema, pBak, zPath, pzErr);
  if( rc==SQLITE_OK ) rc = rsCopy(db, zSchema, pBak, zPath, pzErr);
  sqlite3_close(pBak);
  return rc;
}

int migRestore(sqlite3 *db, const char *zSchema, const char *zPath,
               char **pzErr){
  const char *zLive = sqlite3_db_filename(db, zSchema);
  unsigned char aMagic[2];
  int fd = -1;
  char *zTmp = 0;
  int rc = SQLITE_OK;
  *pzErr = 0;
  if( zLive==0 ){
    *pzErr = sqlite3_mprintf("no such database: %s", zSchema);
    return SQLITE_ERROR;
  }
  if( !sqlite3_get_autocommit(db) ){
    return rsFail(pzErr, zPath, SQLITE_ERROR, "%s",
                  "a transaction is open (restore makes its own)");
  }
  if( access(zPath, R_OK)!=0 ){
    *pzErr = migFileErr("restore", zPath, errno);
    return SQLITE_CANTOPEN;
  }
  rsPeek(zPath, aMagic, 2);
  if( aMagic[0]!=0x1f || aMagic[1]!=0x8b ){
    if( migHasSuffix(zPath, ".gz") ){
      return rsFail(pzErr, zPath, SQLITE_CORRUPT, "%s",
                    "not a gzip file");
    }
    return rsFromFile(db, zSchema, zPath, zPath, pzErr);
  }
  rc = migFileCreateTemp(zLive[0] ? zLive : zPath, &fd, &zTmp, pzErr);
  if( rc==SQLITE_OK ) rc = rsGunzip(zPath, zTmp, fd, migConnGet(db), pzErr);
  if( fd>=0 ) close(fd);
  if( rc==SQLITE_OK ) rc = rsFromFile(db, zSchema, zTmp, zPath, pzErr);
  if( zTmp ) unlink(zTmp);
  sqlite3_free(zTmp);
  return rc;
}

/* See mig_int.h. */
int migRestoreCall(sqlite3 *db, const char *zPath, const MigCallOpts *pOpts,
                  char **pzErr){
  MigConn *pConn = migConnGet(db);
  const MigCallOpts *pPrev = migConnCallBegin(pConn, pOpts);
  int rc = migRestore(db, "main", zPath, pzErr);
  migConnCallEnd(pConn, pPrev);
  return rc;
}

/* migrate_restore(path) -> 'ok' once main holds the backup's content. */
void migRestoreFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zPath = migPathArg(ctx, argv[0], "migrate_restore");
  char *zErr = 0;
  UNUSED(argc);
  if( zPath==0 || migDirectOnly(ctx, "migrate_restore") ) return;
  if( migRestore(sqlite3_context_db_handle(ctx), "main", zPath, &zErr) ){
    sqlite3_result_error(ctx, zErr ? zErr : "out of memory", -1);
  }else{
    sqlite3_result_text(ctx, "ok", 2, SQLITE_STATIC);
  }
  sqlite3_free(zErr);
}
