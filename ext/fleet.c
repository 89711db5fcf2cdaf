/*
** fleet.c: one upgrade (or status survey) over many database files, by a
** pool of worker threads. The interface is in fleet.h.
**
** migFleetRun() loads the migration scripts once; every worker opens its
** own connection to each file it takes (SQLite is threadsafe across
** connections; when the library was built single-threaded one worker
** does it all) and points that connection's engine at the shared,
** read-only scripts (migEngineShareScripts()), so no file re-reads them.
**
** Upgrade of one file: the revision is read without a write lock, and a
** file already at the head is left alone (a rerun resumes where the last
** stopped). Otherwise the whole upgrade runs in one transaction taken
** here (BEGIN IMMEDIATE, honouring the busy timeout): all its pending
** migrations or, on any error, none, so a stopped fleet never leaves a
** file between revisions. (Scripts with a transaction:false section
** cannot run inside one transaction: then each migration is atomic on
** its own, as with ".migrate upgrade".) --backup DIR gives the runner
** (MigRunOpts.zBackup) the path of a snapshot it writes under the lock,
** before the first change.
**
** Order and policy: files are taken in list order. The first nCanary are
** run first (in parallel too); if any fails, nothing else starts. Then
** the rest; without bContinue the first failure stops new work, while
** files already being migrated finish their own transaction. Files that
** were never started get status "not-run".
**
** The report is a JSON array, one object per file, extended in place by
** one pwrite() per file that replaces the closing "\n]\n" with ",\n{..}
** \n]\n": at every moment the file is a complete array, so a run killed
** with SIGKILL still leaves a valid report of what finished.
*/
#include "fleet.h"
#include "engine_int.h"
#include "migrate_run.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The shared state of one run. Fields below mMutex are guarded by it. */
typedef struct Fleet Fleet;
struct Fleet {
  const MigFleetOpt *o;        /* Options (not owned) */
  char **azPath;               /* Paths (not owned) */
  int nPath;                   /* Number of paths */
  MigRev *aRev;                /* Scripts, parsed once (owned) */
  int nRev;                    /* Number of scripts */
  int bOneTxn;                 /* Whole upgrade of a file in one txn */
  int bHeadTarget;             /* Target is head(s): skip by migrate_check */
  int fdReport;                /* Report file, or -1 */
  pthread_mutex_t mMutex;      /* Guards what follows */
  int iNext;                   /* Next file to take */
  int iEnd;                    /* End of the current phase */
  int bStop;                   /* Start nothing more */
  sqlite3_int64 iReportOff;    /* Offset of the report's "\n]\n" */
  MigFleetSum sum;             /* Running totals */
};

/* The result of one file while it is made (strings owned). */
typedef struct FleetRes FleetRes;
struct FleetRes {
  char *zBefore;               /* Revision(s) before */
  char *zAfter;                /* Revision(s) after */
  char *zErr;                  /* Error */
  int eStatus;                 /* MIG_FS_* */
  int nApplied;                /* Migrations applied */
  int nPending;                /* Migrations pending */
};

static const char *azFleetStatus[MIG_FS_COUNT] = {
  "upgraded", "current", "failed", "not-run", "head", "behind", "ahead",
  "dirty", "not-a-database", "unreadable"
};

const char *migFleetStatusName(int eStatus){
  if( eStatus<0 || eStatus>=MIG_FS_COUNT ) return "?";
  return azFleetStatus[eStatus];
}

/* Seconds from a monotonic clock. */
static double fleetNow(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec/1e9;
}

/* Replace *pzErr by a printf-style message. */
static void fleetErr(char **pzErr, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  sqlite3_free(*pzErr);
  *pzErr = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
}

/******************************** Report ***********************************/

/* Append z as a JSON string (or null) to pStr. */
static void fleetJsonStr(sqlite3_str *pStr, const char *z){
  if( z==0 ){ sqlite3_str_appendall(pStr, "null"); return; }
  sqlite3_str_appendchar(pStr, 1, '"');
  for(; *z; z++){
    unsigned char c = (unsigned char)*z;
    if( c=='"' || c=='\\' ) sqlite3_str_appendf(pStr, "\\%c", c);
    else if( c=='\n' ) sqlite3_str_appendall(pStr, "\\n");
    else if( c<0x20 ) sqlite3_str_appendf(pStr, "\\u%04x", c);
    else sqlite3_str_appendchar(pStr, 1, (char)c);
  }
  sqlite3_str_appendchar(pStr, 1, '"');
}

/* Write all n bytes of z at offset iOff of fd. SQLITE_OK or IOERR. */
static int fleetPwrite(int fd, const char *z, int n, sqlite3_int64 iOff){
  while( n>0 ){
    ssize_t k = pwrite(fd, z, n, (off_t)iOff);
    if( k<0 && errno==EINTR ) continue;
    if( k<=0 ) return SQLITE_IOERR;
    z += k; n -= (int)k; iOff += k;
  }
  return SQLITE_OK;
}

/* Create the report: an empty array. */
static int fleetReportOpen(Fleet *f, char **pzErr){
  f->fdReport = open(f->o->zReport, O_WRONLY|O_CREAT|O_TRUNC, 0644);
  if( f->fdReport<0
   || fleetPwrite(f->fdReport, "[\n]\n", 4, 0)!=SQLITE_OK ){
    fleetErr(pzErr, "cannot write the report %s: %s", f->o->zReport,
             strerror(errno));
    return SQLITE_CANTOPEN;
  }
  f->iReportOff = 1;
  return SQLITE_OK;
}

/* Add the object of pFile to the report (mutex held). */
static void fleetReportAdd(Fleet *f, const MigFleetFile *pFile){
  sqlite3_str *pStr;
  int n, nObj;
  char *z;
  if( f->fdReport<0 ) return;
  pStr = sqlite3_str_new(0);
  sqlite3_str_appendall(pStr, f->iReportOff>1 ? ",\n" : "\n");
  sqlite3_str_appendall(pStr, "{\"path\": ");
  fleetJsonStr(pStr, pFile->zPath);
  sqlite3_str_appendall(pStr, ", \"before\": ");
  fleetJsonStr(pStr, pFile->zBefore);
  sqlite3_str_appendall(pStr, ", \"after\": ");
  fleetJsonStr(pStr, pFile->zAfter);
  sqlite3_str_appendall(pStr, ", \"status\": ");
  fleetJsonStr(pStr, migFleetStatusName(pFile->eStatus));
  sqlite3_str_appendall(pStr, ", \"error\": ");
  fleetJsonStr(pStr, pFile->zErr);
  sqlite3_str_appendf(pStr, ", \"seconds\": %.4f}", pFile->rSec);
  nObj = sqlite3_str_length(pStr);
  sqlite3_str_appendall(pStr, "\n]\n");
  n = sqlite3_str_length(pStr);
  z = sqlite3_str_finish(pStr);
  if( z && fleetPwrite(f->fdReport, z, n, f->iReportOff)==SQLITE_OK ){
    f->iReportOff += nObj;
  }
  sqlite3_free(z);
}

/****************************** One file ***********************************/

/* The extension's API routines for sqlite3_migrate_init(). */
static const void *fleetApi(void){
#ifdef SQLITE_CORE
  return 0;
#else
  return sqlite3_api;
#endif
}

/*
** Open zPath (never creating it) with the extension on the connection
** and its engine pointed at the shared scripts. SQLITE_OK, or an error
** with pRes->zErr and pRes->eStatus set; *ppDb is to be closed anyway.
*/
static int fleetOpen(Fleet *f, const char *zPath, sqlite3 **ppDb,
                     FleetRes *pRes){
  struct stat st;
  MigConn *pConn;
  char *zErr = 0;
  int rc;
  *ppDb = 0;
  if( stat(zPath, &st)!=0 || !S_ISREG(st.st_mode) ){
    const char *z = "not a regular file";
    if( stat(zPath, &st)!=0 ) z = errno==ENOENT ? "no such file" : 0;
    pRes->eStatus = MIG_FS_UNREADABLE;
    fleetErr(&pRes->zErr, "%s", z ? z : strerror(errno));
    return SQLITE_CANTOPEN;
  }
  rc = sqlite3_open_v2(zPath, ppDb, SQLITE_OPEN_READWRITE|SQLITE_OPEN_NOMUTEX,
                       0);
  if( rc==SQLITE_OK && migConnGet(*ppDb)==0 ){
    rc = sqlite3_migrate_init(*ppDb, &zErr, fleetApi());
  }
  pConn = rc==SQLITE_OK ? migConnGet(*ppDb) : 0;
  if( rc==SQLITE_OK && pConn==0 ) rc = SQLITE_MISUSE;
  if( rc==SQLITE_OK ){
    sqlite3_busy_timeout(*ppDb, f->o->nBusyMs);
    sqlite3_free(pConn->zDir);
    pConn->zDir = sqlite3_mprintf("%s", f->o->zDir);
    rc = pConn->zDir ? migEngineShareScripts(pConn, f->aRev, f->nRev)
                     : SQLITE_NOMEM;
  }
  if( rc!=SQLITE_OK ){
    pRes->eStatus = MIG_FS_UNREADABLE;
    fleetErr(&pRes->zErr, "%s", zErr ? zErr
             : *ppDb ? sqlite3_errmsg(*ppDb) : sqlite3_errstr(rc));
  }
  sqlite3_free(zErr);
  return rc;
}

/* The current revision(s) into *pzOut; on error pRes says what. */
static int fleetCurrent(Fleet *f, sqlite3 *db, char **pzOut,
                        FleetRes *pRes){
  char *zErr = 0;
  int rc;
  sqlite3_free(*pzOut);
  *pzOut = 0;
  rc = sqlite3_migrate_current(db, pzOut, &zErr);
  if( rc!=SQLITE_OK ){
    pRes->eStatus = (rc&0xff)==SQLITE_NOTADB ? MIG_FS_NOTADB
                                              : MIG_FS_UNREADABLE;
    if( (rc&0xff)==SQLITE_BUSY ){
      fleetErr(&pRes->zErr, "database is locked: busy beyond the timeout "
               "(%d ms)", f->o->nBusyMs);
    }else{
      fleetErr(&pRes->zErr, "%s", zErr ? zErr : sqlite3_errstr(rc));
    }
  }
  sqlite3_free(zErr);
  return rc;
}

/* "DIR/<path, % and / escaped>.before-REV.db": the snapshot of zPath. */
static char *fleetBackupPath(const char *zDir, const char *zPath,
                             const char *zRev){
  sqlite3_str *pStr = sqlite3_str_new(0);
  sqlite3_str_appendf(pStr, "%s/", zDir);
  for(; *zPath; zPath++){
    if( *zPath=='/' ) sqlite3_str_appendall(pStr, "%2F");
    else if( *zPath=='%' ) sqlite3_str_appendall(pStr, "%25");
    else sqlite3_str_appendchar(pStr, 1, *zPath);
  }
  sqlite3_str_appendf(pStr, ".before-%s.db", zRev ? zRev : "base");
  return sqlite3_str_finish(pStr);
}

/* Take the write lock for the whole upgrade of a file. */
static int fleetBegin(Fleet *f, sqlite3 *db, FleetRes *pRes){
  int rc = sqlite3_exec(db, "PRAGMA foreign_keys=OFF", 0, 0, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
  if( (rc&0xff)==SQLITE_BUSY ){
    fleetErr(&pRes->zErr, "database is locked: busy beyond the timeout "
             "(%d ms)", f->o->nBusyMs);
  }else if( rc!=SQLITE_OK ){
    fleetErr(&pRes->zErr, "%s", sqlite3_errmsg(db));
  }
  return rc;
}

/* Apply the pending migrations of db (write lock held when f->bOneTxn) */
static int fleetApply(Fleet *f, sqlite3 *db, const char *zPath,
                      FleetRes *pRes){
  MigRunOpts o;
  sqlite3_int64 nDone = 0;
  char *zBackup = 0, *zErr = 0;
  int rc = SQLITE_OK;
  memset(&o, 0, sizeof(o));
  o.eOp = MIG_RUN_UPGRADE;
  o.zTarget = f->o->zTarget;
  if( f->o->zBackupDir ){
    zBackup = fleetBackupPath(f->o->zBackupDir, zPath, pRes->zBefore);
    if( zBackup==0 ) rc = SQLITE_NOMEM;
    o.zBackup = zBackup;
  }
  if( rc==SQLITE_OK ) rc = migRun(db, &o, &nDone, 0, &zErr);
  if( rc!=SQLITE_OK ){
    fleetErr(&pRes->zErr, "%s", zErr ? zErr : sqlite3_errstr(rc));
  }
  pRes->nApplied = (int)nDone;
  sqlite3_free(zBackup);
  sqlite3_free(zErr);
  return rc;
}

/* Upgrade one file. */
static void fleetUpgradeOne(Fleet *f, const char *zPath, FleetRes *pRes){
  sqlite3 *db = 0;
  sqlite3_int64 nPending = 1;
  int rc = fleetOpen(f, zPath, &db, pRes);
  if( rc==SQLITE_OK ) rc = fleetCurrent(f, db, &pRes->zBefore, pRes);
  if( rc==SQLITE_OK && f->bHeadTarget ){
    MigRunOpts o;
    char *zErr = 0;
    memset(&o, 0, sizeof(o));
    o.eOp = MIG_RUN_CHECK;
    rc = migRun(db, &o, &nPending, 0, &zErr);
    if( rc!=SQLITE_OK ) fleetErr(&pRes->zErr, "%s", zErr);
    sqlite3_free(zErr);
  }
  if( rc==SQLITE_OK && nPending>0 && sqlite3_db_readonly(db, "main")==1 ){
    fleetErr(&pRes->zErr, "the file is read-only");
    rc = SQLITE_READONLY;
  }
  if( rc==SQLITE_OK && nPending>0 ){
    if( f->bOneTxn ) rc = fleetBegin(f, db, pRes);
    if( rc==SQLITE_OK ) rc = fleetCurrent(f, db, &pRes->zBefore, pRes);
    if( rc==SQLITE_OK ) rc = fleetApply(f, db, zPath, pRes);
    if( f->bOneTxn && !sqlite3_get_autocommit(db) ){
      if( rc==SQLITE_OK && sqlite3_exec(db, "COMMIT", 0, 0, 0)!=SQLITE_OK ){
        rc = sqlite3_errcode(db);
        fleetErr(&pRes->zErr, "%s", sqlite3_errmsg(db));
      }
      if( rc!=SQLITE_OK ) sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
    }
    if( rc!=SQLITE_OK && f->bOneTxn ) pRes->nApplied = 0;
  }
  if( db && pRes->eStatus!=MIG_FS_NOTADB ){
    char *zErr = 0;
    sqlite3_migrate_current(db, &pRes->zAfter, &zErr);
    sqlite3_free(zErr);
  }
  if( pRes->zErr ) pRes->eStatus = MIG_FS_FAILED;
  else pRes->eStatus = pRes->nApplied ? MIG_FS_UPGRADED : MIG_FS_CURRENT;
  sqlite3_close(db);
}

/* Status of the open db: ahead, dirty, behind or head (pRes set). */
static int fleetClassify(sqlite3 *db, FleetRes *pRes){
  MigGraph *g = 0;
  int *aCur = 0, nCur = 0, i, rc;
  char *aApplied = 0, *zErr = 0;
  rc = migEngineLoad(migConnGet(db), 0, db, &g, &aCur, &nCur, &zErr);
  if( rc!=SQLITE_OK ){
    pRes->eStatus = pRes->zBefore ? MIG_FS_AHEAD : MIG_FS_UNREADABLE;
    fleetErr(&pRes->zErr, "%s", zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    return SQLITE_OK;
  }
  aApplied = sqlite3_malloc64(g->nRev+1);
  if( aApplied==0 ) rc = SQLITE_NOMEM;
  else{
    memset(aApplied, 0, g->nRev+1);
    migGraphAncestors(g, aCur, nCur, aApplied);
    pRes->eStatus = MIG_FS_HEAD;
  }
  for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
    MigRev *r = &g->aRev[i];
    if( !aApplied[i] ){
      if( r->eSource==MIG_SRC_FILE ) pRes->nPending++;
    }else if( r->eSource==MIG_SRC_HISTORY ){
      pRes->eStatus = MIG_FS_AHEAD;
      fleetErr(&pRes->zErr, "revision %s is applied but has no script",
               r->zId);
    }else if( pRes->eStatus!=MIG_FS_AHEAD ){
      char *zSum = migBookLast(db, r->zId, "checksum", 0);
      if( zSum && r->zChecksum && strcmp(zSum, r->zChecksum)!=0 ){
        pRes->eStatus = MIG_FS_DIRTY;
        fleetErr(&pRes->zErr, "%s changed since revision %s was applied",
                 r->zFile ? r->zFile : "the script", r->zId);
      }
      sqlite3_free(zSum);
    }
  }
  if( rc==SQLITE_OK && pRes->eStatus==MIG_FS_HEAD && pRes->nPending ){
    pRes->eStatus = MIG_FS_BEHIND;
  }
  sqlite3_free(aApplied);
  sqlite3_free(aCur);
  migGraphFree(g);
  return rc;
}

/*
** Survey one file. Nothing is written, but the file is opened read-write
** (read-only when it is not writable), as any reader opens it: a hot
** journal left by a killed writer is then rolled back, as SQLite does
** before any read, instead of making the file unreadable.
*/
static void fleetStatusOne(Fleet *f, const char *zPath, FleetRes *pRes){
  sqlite3 *db = 0;
  int rc = fleetOpen(f, zPath, &db, pRes);
  if( rc==SQLITE_OK ) rc = fleetCurrent(f, db, &pRes->zBefore, pRes);
  if( rc==SQLITE_OK ) rc = fleetClassify(db, pRes);
  if( rc==SQLITE_NOMEM ){
    pRes->eStatus = MIG_FS_UNREADABLE;
    fleetErr(&pRes->zErr, "out of memory");
  }
  if( pRes->zBefore ) pRes->zAfter = sqlite3_mprintf("%s", pRes->zBefore);
  sqlite3_close(db);
}

/****************************** The pool ***********************************/

/* Record the result of file i (mutex held): totals, report, callback. */
static void fleetRecord(Fleet *f, int i, FleetRes *pRes, double rSec){
  MigFleetFile file;
  memset(&file, 0, sizeof(file));
  file.iFile = i;
  file.zPath = f->azPath[i];
  file.zBefore = pRes->zBefore;
  file.zAfter = pRes->zAfter;
  file.eStatus = pRes->eStatus;
  file.nApplied = pRes->nApplied;
  file.nPending = pRes->nPending;
  file.zErr = pRes->zErr;
  file.rSec = rSec;
  f->sum.anStatus[pRes->eStatus]++;
  if( pRes->eStatus!=MIG_FS_NOTRUN ) f->sum.nDone++;
  if( pRes->eStatus==MIG_FS_FAILED ){
    f->sum.nFailed++;
    if( !f->o->bContinue || f->iEnd<=f->o->nCanary ){
      f->bStop = 1;
      f->sum.bStopped = 1;
    }
  }
  fleetReportAdd(f, &file);
  if( f->o->xFile ) f->o->xFile(f->o->pArg, &file, &f->sum);
}

/* Worker: take files of the current phase until none is left or stop. */
static void *fleetWorker(void *pArg){
  Fleet *f = (Fleet*)pArg;
  for(;;){
    FleetRes res;
    double t0;
    int i;
    pthread_mutex_lock(&f->mMutex);
    if( f->bStop || f->iNext>=f->iEnd ){
      pthread_mutex_unlock(&f->mMutex);
      break;
    }
    i = f->iNext++;
    pthread_mutex_unlock(&f->mMutex);
    memset(&res, 0, sizeof(res));
    t0 = fleetNow();
    if( f->o->eOp==MIG_FLEET_STATUS ) fleetStatusOne(f, f->azPath[i], &res);
    else fleetUpgradeOne(f, f->azPath[i], &res);
    pthread_mutex_lock(&f->mMutex);
    fleetRecord(f, i, &res, fleetNow()-t0);
    pthread_mutex_unlock(&f->mMutex);
    sqlite3_free(res.zBefore);
    sqlite3_free(res.zAfter);
    sqlite3_free(res.zErr);
  }
  return 0;
}

/* Run files [iNext, iEnd) with up to nJob threads; wait for them all. */
static void fleetPhase(Fleet *f, int iEnd){
  pthread_t aThread[64];
  int nThread = 0, i;
  f->iEnd = iEnd;
  for(i=0; i<f->sum.nJob && i<iEnd-f->iNext && f->sum.nJob>1; i++){
    if( pthread_create(&aThread[nThread], 0, fleetWorker, f)!=0 ) break;
    nThread++;
  }
  if( nThread==0 ) fleetWorker(f);
  for(i=0; i<nThread; i++) pthread_join(aThread[i], 0);
}

/* Record every file not started as "not-run". */
static void fleetNotRun(Fleet *f){
  FleetRes res;
  memset(&res, 0, sizeof(res));
  res.eStatus = MIG_FS_NOTRUN;
  for(; f->iNext<f->nPath; f->iNext++) fleetRecord(f, f->iNext, &res, 0.0);
}

/* Load the scripts; note whether one transaction per file can hold all */
static int fleetLoadScripts(Fleet *f, char **pzErr){
  const char *zT = f->o->zTarget;
  int i, rc = migScriptsLoad(f->o->zDir, 0, &f->aRev, &f->nRev, pzErr);
  f->bOneTxn = 1;
  for(i=0; i<f->nRev; i++){
    if( f->aRev[i].bUpNoTxn ) f->bOneTxn = 0;
  }
  f->bHeadTarget = zT==0 || strcmp(zT, "head")==0 || strcmp(zT, "heads")==0;
  return rc;
}

/* Make the backup directory if it is missing; fail if not writable. */
static int fleetBackupDir(const char *zDir, char **pzErr){
  if( mkdir(zDir, 0755)!=0 && errno!=EEXIST ){
    fleetErr(pzErr, "cannot create the backup directory %s: %s", zDir,
             strerror(errno));
    return SQLITE_CANTOPEN;
  }
  if( access(zDir, W_OK|X_OK)!=0 ){
    fleetErr(pzErr, "cannot write to the backup directory %s: %s", zDir,
             strerror(errno));
    return SQLITE_CANTOPEN;
  }
  return SQLITE_OK;
}

int migFleetRun(const MigFleetOpt *o, int nPath, char **azPath,
                MigFleetSum *pSum, char **pzErr){
  Fleet f;
  int rc, i;
  memset(&f, 0, sizeof(f));
  memset(pSum, 0, sizeof(*pSum));
  *pzErr = 0;
  f.o = o;
  f.azPath = azPath;
  f.nPath = nPath;
  f.fdReport = -1;
  f.sum.nTotal = nPath;
  f.sum.nJob = o->nJob<1 ? 1 : o->nJob>64 ? 64 : o->nJob;
  if( f.sum.nJob>1 && !sqlite3_threadsafe() ){
    f.sum.nJob = 1;
    if( o->xLog ){
      o->xLog(o->pArg, "fleet: this SQLite library is single-threaded "
              "(SQLITE_THREADSAFE=0): running one worker");
    }
  }
  rc = fleetLoadScripts(&f, pzErr);
  if( rc==SQLITE_OK && o->zBackupDir && o->eOp==MIG_FLEET_UPGRADE ){
    rc = fleetBackupDir(o->zBackupDir, pzErr);
  }
  if( rc==SQLITE_OK && o->zReport ) rc = fleetReportOpen(&f, pzErr);
  if( rc==SQLITE_OK && pthread_mutex_init(&f.mMutex, 0)!=0 ){
    rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    int nCanary = o->eOp==MIG_FLEET_UPGRADE && o->nCanary>0 ? o->nCanary : 0;
    if( nCanary>nPath ) nCanary = nPath;
    if( nCanary ){
      fleetPhase(&f, nCanary);
      if( f.sum.nFailed ){
        f.bStop = 1;
        f.sum.bCanaryFailed = 1;
      }else if( o->xLog ){
        char *z = sqlite3_mprintf("fleet: canary passed: %d database%s",
                                  nCanary, nCanary==1 ? "" : "s");
        if( z ) o->xLog(o->pArg, z);
        sqlite3_free(z);
      }
    }
    if( !f.bStop ) fleetPhase(&f, nPath);
    fleetNotRun(&f);
    pthread_mutex_destroy(&f.mMutex);
    *pSum = f.sum;
  }
  if( f.fdReport>=0 ){
    if( fsync(f.fdReport)!=0 || close(f.fdReport)!=0 ){
      if( rc==SQLITE_OK ){
        fleetErr(pzErr, "cannot write the report %s", o->zReport);
        rc = SQLITE_IOERR;
      }
    }
  }
  for(i=0; i<f.nRev; i++) migRevClear(&f.aRev[i]);
  sqlite3_free(f.aRev);
  if( rc==SQLITE_NOMEM && *pzErr==0 ) *pzErr = sqlite3_mprintf("out of memory");
  return rc;
}
