/*
** oom_test.c: allocation-failure and I/O-error injection over every
** operation of the migrate extension.
**
**   oom_test [-v] [-pending] [-list|-count] oom|ioerr|syserr [GLOB ...]
**
** Links libsqlite3migrate.a (-DSQLITE_CORE), registers it with
** sqlite3_auto_extension() and installs the injectors of fault.c. Each
** entry of aOp[] below is an operation: fixture files, setup SQL run on a
** fresh test.db, and the operation's SQL. In its own directory (named as
** the operation, under the current directory) the harness records the
** state before and the state and output of an undisturbed run after, then
** for N = 1, 2, ... reruns the operation from the before state with the
** Nth allocation (oom), the Nth read/write/sync/truncate/lock through
** the VFS (ioerr) or the Nth write/pwrite/read/fsync/rename system call
** (syserr: files the backup module writes itself) failing, then again
** with every one from the Nth on failing, until the operation runs to
** completion without reaching call N. After each run:
**   - the connection closes cleanly and the count of live allocations is
**     back where it was before the connection was opened (no leak);
**   - an error is SQLITE_NOMEM (oom), an I/O error (ioerr), or another
**     error with a message, never SQLITE_CORRUPT/MISUSE/INTERNAL;
**   - success returns the undisturbed output;
**   - PRAGMA integrity_check says ok, and the database (schema and every
**     row) and the other files of the directory are exactly the before
**     or the after state (exactly the after state on success). For an
**     operation made of steps that each commit (an upgrade through
**     several migrations), the state after any whole step is accepted
**     too: zStep run k times from the before state, for k < nStep (or,
**     when zStep holds "\v"-separated pieces, the first k pieces).
** One line per operation and mode: the failure points tried and what
** they gave. Exit status 1 if any point failed a check. -v prints every
** error message seen. GLOB patterns select operations by name.
** Operations flagged OP_PEND_OOM or OP_PEND_IO reproduce known bugs of
** other modules in that mode; they run only with -pending (and then only
** they run). -list prints the names of the operations it would run;
** -count prints each with the number of calls of the mode's kind its
** undisturbed run makes (about the number of failure points of each of
** the two passes), for test files that share the operations out.
*/
#include "migrate.h"
#include "fault.h"
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#define TEST_DB "test.db"
#define MAX_POINTS 200000      /* Safety stop for one operation and mode */

/* A file written into the operation's directory before its setup SQL. */
typedef struct Fixture Fixture;
struct Fixture {
  const char *zPath;           /* Relative path; parent directories made */
  const char *zText;           /* Content */
};

/* One operation under test. */
typedef struct Op Op;
struct Op {
  const char *zName;           /* Name, also its directory */
  const Fixture *aFile;        /* Fixture files, {0,0}-terminated, or 0 */
  const char *zSetup;          /* SQL on a fresh test.db, or 0 */
  const char *zPrep;           /* SQL on the connection before arming */
  const char *zOp;             /* SQL run with the fault armed */
  int flags;                   /* OP_* */
  const char *zStep;           /* SQL of one step of the operation, or 0 */
  int nStep;                   /* Number of steps in the operation */
};
#define OP_OPEN    0x01        /* Open the connection armed too */
#define OP_PEND_OOM 0x02       /* Known bug under oom: run only with
                               ** -pending (tcltest/pending/) */
#define OP_PEND_IO  0x04       /* Known bug under ioerr: the same */
#define OP_PENDING  (OP_PEND_OOM|OP_PEND_IO)
#define OP_FAILS    0x08       /* The operation fails even undisturbed */
#define OP_NONATOMIC 0x10      /* Not atomic by design (transaction:false):
                               ** any state passes integrity_check */

#include "oom_ops.h"

/* ------------------------------------------------------------ templates */
/* A captured directory: every file, with its bytes (sqlite3_malloc'd), and
** (in a capture made by tmplCapture()) every directory, in dirWalk()
** order. */
#define TMPL_MAX 64
typedef struct TmplFile TmplFile;
struct TmplFile {
  char *zPath;                 /* Relative path */
  char *aData;                 /* Content, or 0 for a directory */
  int nData;                   /* Bytes in aData */
};
typedef struct Tmpl Tmpl;
struct Tmpl {
  int nFile;                   /* Number of entries */
  int bPartial;                /* An entry could not be captured */
  TmplFile aFile[TMPL_MAX];    /* The entries */
};

/* Read file zPath into *ppData and *pnData (sqlite3_malloc). 0: ok. */
static int readAll(const char *zPath, char **ppData, int *pnData){
  FILE *f = fopen(zPath, "rb");
  long n;
  char *a;
  if( f==0 ) return 1;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  a = sqlite3_malloc64(n+1);
  if( a==0 || (long)fread(a, 1, n, f)!=n ){
    sqlite3_free(a);
    fclose(f);
    return 1;
  }
  fclose(f);
  a[n] = 0;
  *ppData = a;
  *pnData = (int)n;
  return 0;
}

/* Make the parent directories of zPath. */
static void makeParents(const char *zPath){
  char zDir[512];
  char *z;
  snprintf(zDir, sizeof(zDir), "%s", zPath);
  for(z=zDir; (z = strchr(z, '/'))!=0; z++){
    *z = 0;
    mkdir(zDir, 0777);
    *z = '/';
  }
}

/* Write n bytes to zPath, making its parent directories; 0 on success. */
static int writeAll(const char *zPath, const char *a, int n){
  FILE *f;
  makeParents(zPath);
  f = fopen(zPath, "wb");
  if( f==0 ) return 1;
  if( n>0 && fwrite(a, 1, n, f)!=(size_t)n ){ fclose(f); return 1; }
  return fclose(f)!=0;
}

/* Give zPath exactly the n bytes of a, rewriting an existing file in
** place: no unlink and re-create, which on a file system mounted with
** "discard" waits for the device at every freed block. 0 on success. */
static int writeInPlace(const char *zPath, const char *a, int n){
  int fd, k, rc = 0;
  makeParents(zPath);
  fd = open(zPath, O_WRONLY|O_CREAT, 0666);
  if( fd<0 ) return writeAll(zPath, a, n);
  for(k=0; rc==0 && k<n; ){
    ssize_t w = write(fd, a+k, n-k);
    if( w<=0 ) rc = 1; else k += (int)w;
  }
  if( rc==0 && ftruncate(fd, n) ) rc = 1;
  if( close(fd) ) rc = 1;
  return rc;
}

/* Callback for dirWalk(): a relative path and whether it is a directory. */
typedef void (*WalkFunc)(void *pArg, const char *zPath, int bDir);

/* Sort helper for dirWalk(). */
static int cmpStr(const void *a, const void *b){
  return strcmp(*(const char**)a, *(const char**)b);
}

/* Call x for every entry under zDir in name order, children first. */
static void dirWalk(const char *zDir, WalkFunc x, void *pArg){
  DIR *d = opendir(zDir);
  struct dirent *e;
  char *az[256];
  int n = 0, i;
  if( d==0 ) return;
  while( (e = readdir(d))!=0 && n<256 ){
    if( strcmp(e->d_name, ".")==0 || strcmp(e->d_name, "..")==0 ) continue;
    az[n++] = strcmp(zDir, ".")==0 ? sqlite3_mprintf("%s", e->d_name)
                         : sqlite3_mprintf("%s/%s", zDir, e->d_name);
  }
  closedir(d);
  qsort(az, n, sizeof(az[0]), cmpStr);
  for(i=0; i<n; i++){
    struct stat st;
    int bDir = az[i] && stat(az[i], &st)==0 && S_ISDIR(st.st_mode);
    if( bDir ) dirWalk(az[i], x, pArg);
    if( az[i] ) x(pArg, az[i], bDir);
    sqlite3_free(az[i]);
  }
}

static void wipeOne(void *pArg, const char *zPath, int bDir){
  (void)pArg;
  if( bDir ) rmdir(zPath); else unlink(zPath);
}

/* dirWalk() callback: add a file (and, if pArg's template records them,
** a directory) to the template pArg. */
static void captureEntry(Tmpl *p, const char *zPath, int bDir, int bDirs){
  TmplFile *pF;
  if( bDir && !bDirs ) return;
  if( p->nFile>=TMPL_MAX ){ p->bPartial = 1; return; }
  pF = &p->aFile[p->nFile];
  pF->aData = 0;
  pF->nData = 0;
  if( bDir || readAll(zPath, &pF->aData, &pF->nData)==0 ){
    pF->zPath = sqlite3_mprintf("%s", zPath);
    p->nFile++;
  }else{
    p->bPartial = 1;
  }
}
static void captureOne(void *pArg, const char *zPath, int bDir){
  captureEntry((Tmpl*)pArg, zPath, bDir, 0);
}
static void captureAny(void *pArg, const char *zPath, int bDir){
  captureEntry((Tmpl*)pArg, zPath, bDir, 1);
}

/* Capture the current directory whole (files and directories) into *p,
** which must be empty. */
static void tmplCapture(Tmpl *p){
  dirWalk(".", captureAny, p);
}

/* True if the captures pA and pB hold the same entries with the same
** bytes (a partial capture matches nothing). */
static int tmplSame(const Tmpl *pA, const Tmpl *pB){
  int i;
  if( pA->bPartial || pB->bPartial || pA->nFile!=pB->nFile ) return 0;
  for(i=0; i<pA->nFile; i++){
    const TmplFile *pX = &pA->aFile[i];
    const TmplFile *pY = &pB->aFile[i];
    if( strcmp(pX->zPath, pY->zPath)!=0 || pX->nData!=pY->nData
     || (pX->aData==0)!=(pY->aData==0)
     || (pX->nData>0 && memcmp(pX->aData, pY->aData, pX->nData)!=0) ){
      return 0;
    }
  }
  return 1;
}

/* dirWalk() callback for tmplRestore(): remove what the template pArg
** lacks, directories too unless a template file lies under them. */
static void restoreOne(void *pArg, const char *zPath, int bDir){
  const Tmpl *p = (const Tmpl*)pArg;
  size_t n = strlen(zPath);
  int i;
  for(i=0; i<p->nFile; i++){
    const char *zT = p->aFile[i].zPath;
    if( bDir ? (strncmp(zT, zPath, n)==0 && zT[n]=='/')
             : strcmp(zT, zPath)==0 ){
      return;
    }
  }
  if( bDir ) rmdir(zPath); else unlink(zPath);
}

/* Make the current directory hold exactly the template's files (and the
** directories they lie in): what is not in the template is removed, a
** file whose bytes differ is rewritten in place, the others are left. */
static void tmplRestore(const Tmpl *p){
  int i;
  dirWalk(".", restoreOne, (void*)p);
  for(i=0; i<p->nFile; i++){
    const TmplFile *pF = &p->aFile[i];
    char *a = 0;
    int n = -1;
    if( readAll(pF->zPath, &a, &n) || n!=pF->nData
     || memcmp(a, pF->aData, n)!=0 ){
      writeInPlace(pF->zPath, pF->aData, pF->nData);
    }
    sqlite3_free(a);
  }
}

static void tmplFree(Tmpl *p){
  int i;
  for(i=0; i<p->nFile; i++){
    sqlite3_free(p->aFile[i].zPath);
    sqlite3_free(p->aFile[i].aData);
  }
  p->nFile = 0;
  p->bPartial = 0;
}

/* --------------------------------------------------------------- states */
/* FNV-1a 64 of n bytes. */
static sqlite3_uint64 fnv64(const char *a, int n){
  sqlite3_uint64 h = 0xcbf29ce484222325ULL;
  int i;
  for(i=0; i<n; i++){ h ^= (unsigned char)a[i]; h *= 0x100000001b3ULL; }
  return h;
}

/* True for the database file and its journals, which stateDump() reads
** through SQLite rather than as bytes. */
static int isDbFile(const char *zPath){
  return strncmp(zPath, TEST_DB, sizeof(TEST_DB)-1)==0;
}

/* Append "path size hash" for every other file of the directory. */
static void stateFile(void *pArg, const char *zPath, int bDir){
  sqlite3_str *pStr = (sqlite3_str*)pArg;
  char *a = 0;
  int n = 0;
  if( isDbFile(zPath) ) return;
  if( bDir ){
    sqlite3_str_appendf(pStr, "dir %s\n", zPath);
  }else if( readAll(zPath, &a, &n)==0 ){
    sqlite3_str_appendf(pStr, "file %s %d %016llx\n", zPath, n, fnv64(a, n));
    sqlite3_free(a);
  }else{
    sqlite3_str_appendf(pStr, "file %s unreadable\n", zPath);
  }
}

/* Append every row of table zTab, each value tagged with its type. */
static void stateRows(sqlite3 *db, const char *zTab, sqlite3_str *pStr){
  char *zSql = sqlite3_mprintf("SELECT * FROM \"%w\"", zTab);
  sqlite3_stmt *pStmt = 0;
  int i;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)!=SQLITE_OK ){
    sqlite3_str_appendf(pStr, "cannot read %s: %s\n", zTab,
                        sqlite3_errmsg(db));
  }
  while( pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){
    sqlite3_str_appendall(pStr, " row");
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      int t = sqlite3_column_type(pStmt, i);
      if( t==SQLITE_BLOB ){
        const unsigned char *a = sqlite3_column_blob(pStmt, i);
        int j, n = sqlite3_column_bytes(pStmt, i);
        sqlite3_str_appendall(pStr, " x");
        for(j=0; j<n; j++) sqlite3_str_appendf(pStr, "%02x", a[j]);
      }else{
        sqlite3_str_appendf(pStr, " %c%Q", "?iftbn"[t],
                            sqlite3_column_text(pStmt, i));
      }
    }
    sqlite3_str_appendall(pStr, "\n");
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
}

/*
** The state of the current directory: integrity_check of test.db, its
** schema and every row, and every other file. Returns a string to be
** freed with sqlite3_free(); "integrity_check: ..." shows corruption.
*/
static char *stateDump(void){
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pStr = sqlite3_str_new(0);
  sqlite3_str_appendall(pStr, "state\n");
  if( sqlite3_open_v2(TEST_DB, &db, SQLITE_OPEN_READWRITE, 0)!=SQLITE_OK ){
    sqlite3_str_appendf(pStr, "cannot open: %s\n", sqlite3_errmsg(db));
  }
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &pStmt, 0);
  while( pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( strcmp(z, "ok")!=0 ){
      sqlite3_str_appendf(pStr, "integrity_check: %s\n", z);
    }
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema"
                         " ORDER BY type, name", -1, &pStmt, 0);
  while( pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zName = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zSql = (const char*)sqlite3_column_text(pStmt, 3);
    sqlite3_str_appendf(pStr, "%s %s %s\n", zType, zName, zSql);
    if( strcmp(zType, "table")==0 && zSql
     && sqlite3_strnicmp(zSql, "CREATE VIRTUAL", 14)!=0 ){
      stateRows(db, zName, pStr);
    }
  }
  sqlite3_finalize(pStmt);
  sqlite3_close(db);
  dirWalk(".", stateFile, pStr);
  return sqlite3_str_finish(pStr);
}

/* ------------------------------------------------------------- one run */
/* What one run of an operation gave. No allocation while armed. */
typedef struct Run Run;
struct Run {
  int rc;                      /* Extended result code of the operation */
  int rcClose;                 /* Result of sqlite3_close() */
  int nFault;                  /* Faults injected */
  int eIoKind;                 /* FAULT_IO_* of the first I/O fault */
  sqlite3_int64 nLeak;         /* Live allocations left after close */
  char zOut[4096];             /* Rows, values separated by "|" */
  char zErr[512];              /* Error message */
};

/* sqlite3_exec() callback: append a row to Run.zOut without allocating. */
static int runRow(void *pArg, int nCol, char **azVal, char **azCol){
  Run *p = (Run*)pArg;
  size_t n = strlen(p->zOut);
  int i;
  (void)azCol;
  for(i=0; i<nCol && n<sizeof(p->zOut)-1; i++){
    snprintf(&p->zOut[n], sizeof(p->zOut)-n, "%s%s", i ? "|" : "",
             azVal[i] ? azVal[i] : "NULL");
    n = strlen(p->zOut);
  }
  if( n<sizeof(p->zOut)-1 ){ p->zOut[n++] = '\n'; p->zOut[n] = 0; }
  return 0;
}

/* Run pOp once from the current directory's state; fault eKind at iFail
** (eKind 0: no fault). */
static void runOp(const Op *pOp, int eKind, int iFail, int bPersist,
                  Run *pRun){
  sqlite3 *db = 0;
  sqlite3_int64 nBase = faultLive();
  int rc;
  memset(pRun, 0, sizeof(*pRun));
  if( pOp->flags & OP_OPEN ) faultArm(eKind, iFail, bPersist);
  rc = sqlite3_open(TEST_DB, &db);
  if( rc==SQLITE_OK && pOp->zPrep ){
    rc = sqlite3_exec(db, pOp->zPrep, 0, 0, 0);
  }
  if( rc==SQLITE_OK ){
    if( (pOp->flags & OP_OPEN)==0 ) faultArm(eKind, iFail, bPersist);
    rc = sqlite3_exec(db, pOp->zOp, runRow, pRun, 0);
  }
  pRun->nFault = faultDisarm();
  pRun->eIoKind = faultIoKind();
  pRun->rc = rc==SQLITE_OK ? rc : sqlite3_extended_errcode(db);
  if( rc!=SQLITE_OK ){
    snprintf(pRun->zErr, sizeof(pRun->zErr), "%s",
             db ? sqlite3_errmsg(db) : "no connection");
  }
  pRun->rcClose = sqlite3_close(db);
  pRun->nLeak = faultLive() - nBase;
}

/* ---------------------------------------------------------- the loops */
/* The name of fault kind eKind on the command line. */
static const char *faultModeName(int eKind){
  return eKind==FAULT_OOM ? "oom" : eKind==FAULT_IO ? "ioerr" : "syserr";
}

/* Results of one operation in one mode. */
typedef struct Tally Tally;
struct Tally {
  int nPoint;                  /* Failure points tried */
  int nFail;                   /* Points that failed a check */
  int nNomem;                  /* Runs that returned SQLITE_NOMEM */
  int nIoerr;                  /* Runs that returned an SQLITE_IOERR */
  int nOther;                  /* Runs that returned another clean error */
  int nOk;                     /* Runs that succeeded despite a fault */
  int nBefore;                 /* Failed runs that left the before state */
  int nAfter;                  /* Failed runs that left the after state */
};

static int bVerbose = 0;
static int *aPoint = 0;        /* Shared with the parent: point, persist */

/* Report a failed check of one point. */
static void failPoint(const char *zMode, const Op *pOp, int iFail,
                      int bPersist, const char *zWhy, const Run *pRun,
                      Tally *pT){
  if( pT->nFail<5 ){
    printf("FAIL %s %s point %d%s%s%s: %s (rc=%d \"%s\")\n", zMode,
           pOp->zName, iFail, bPersist ? "+" : "",
           pRun->eIoKind>=0 ? " " : "", faultIoKindName(pRun->eIoKind),
           zWhy, pRun->rc, pRun->zErr);
  }
  pT->nFail++;
}

/* A state an operation may leave: the directory's bytes as they were
** just before stateDump() read them, and what it said. */
typedef struct Known Known;
struct Known {
  Tmpl bytes;                  /* The directory before the dump */
  char *zDump;                 /* stateDump() of it */
};

/* Record the current directory's state in *pK (zeroed). Returns its
** dump. */
static const char *knownRecord(Known *pK){
  tmplCapture(&pK->bytes);
  pK->zDump = stateDump();
  return pK->zDump;
}

static void knownFree(Known *pK){
  tmplFree(&pK->bytes);
  sqlite3_free(pK->zDump);
  pK->zDump = 0;
}

/* The states an operation may leave: before, after each whole step. */
#define MAX_STEP 16
typedef struct States States;
struct States {
  Known before;                /* Before the operation */
  Known after;                 /* After the undisturbed run */
  int nMid;                    /* Number of states after a whole step */
  Known aMid[MAX_STEP];        /* Those states */
};

/* True if zNow is one of the states after a whole step. */
static int isMidState(const States *pS, const char *zNow){
  int i;
  for(i=0; i<pS->nMid; i++){
    if( strcmp(zNow, pS->aMid[i].zDump)==0 ) return 1;
  }
  return 0;
}

/*
** stateDump() of the current directory, sqlite3_free()'d by the caller.
** stateDump() depends on nothing but the directory's bytes, so when they
** are exactly those of a recorded state, its dump is copied instead of
** opening the database again: most points leave the before state.
*/
static char *stateNow(const States *pS){
  Tmpl now;
  const char *zKnown = 0;
  int i;
  memset(&now, 0, sizeof(now));
  tmplCapture(&now);
  if( tmplSame(&now, &pS->before.bytes) ) zKnown = pS->before.zDump;
  else if( tmplSame(&now, &pS->after.bytes) ) zKnown = pS->after.zDump;
  for(i=0; zKnown==0 && i<pS->nMid; i++){
    if( tmplSame(&now, &pS->aMid[i].bytes) ) zKnown = pS->aMid[i].zDump;
  }
  tmplFree(&now);
  return zKnown ? sqlite3_mprintf("%s", zKnown) : stateDump();
}

/* Print the lines of zA that zB lacks, each prefixed with zTag. */
static void printMissing(const char *zTag, const char *zA, const char *zB){
  const char *z = zA;
  char zLine[300];
  while( *z ){
    const char *zEnd = strchr(z, '\n');
    int n = zEnd ? (int)(zEnd-z) : (int)strlen(z);
    snprintf(zLine, sizeof(zLine), "%.*s", n, z);
    if( n<(int)sizeof(zLine)-1 && strstr(zB, zLine)==0 ){
      printf("%s%s\n", zTag, zLine);
    }
    z += n + (zEnd!=0);
  }
}

/* Verbose: how zNow differs from zWant. */
static void printDiff(const char *zWant, const char *zNow){
  if( !bVerbose ) return;
  printMissing("  - ", zWant, zNow);
  printMissing("  + ", zNow, zWant);
}

/* Check one faulted run against the before and after states. */
static void checkRun(const char *zMode, const Op *pOp, int iFail,
                     int bPersist, const Run *pRun, const States *pS,
                     const Run *pRef, Tally *pT){
  const char *zBefore = pS->before.zDump;
  const char *zAfter = pS->after.zDump;
  char *zNow = stateNow(pS);
  int rcP = pRun->rc & 0xff;
  int bBefore = strcmp(zNow, zBefore)==0 || isMidState(pS, zNow);
  int bAfter = strcmp(zNow, zAfter)==0;
  if( pRun->rcClose!=SQLITE_OK ){
    failPoint(zMode, pOp, iFail, bPersist, "sqlite3_close failed", pRun, pT);
  }else if( pRun->nLeak!=0 ){
    failPoint(zMode, pOp, iFail, bPersist, "leak", pRun, pT);
  }else if( strstr(zNow, "integrity_check:") ){
    failPoint(zMode, pOp, iFail, bPersist, "integrity_check", pRun, pT);
  }else if( pRun->rc==SQLITE_OK && (pOp->flags & OP_FAILS) ){
    failPoint(zMode, pOp, iFail, bPersist, "success of a failing operation",
              pRun, pT);
  }else if( pRun->nFault==0 && (pOp->flags & OP_FAILS) ){
    if( strcmp(pRun->zErr, pRef->zErr)!=0 || !bAfter ){
      failPoint(zMode, pOp, iFail, bPersist, "not the undisturbed error",
                pRun, pT);
    }
  }else if( pRun->rc==SQLITE_OK ){
    if( pRun->nFault ) pT->nOk++;
    if( strcmp(pRun->zOut, pRef->zOut)!=0 ){
      failPoint(zMode, pOp, iFail, bPersist, "wrong output", pRun, pT);
      printDiff(pRef->zOut, pRun->zOut);
    }else if( !bAfter ){
      failPoint(zMode, pOp, iFail, bPersist, "success, not after", pRun, pT);
      printDiff(zAfter, zNow);
    }
  }else if( pRun->nFault==0 ){
    failPoint(zMode, pOp, iFail, bPersist, "error without fault", pRun, pT);
  }else if( rcP==SQLITE_CORRUPT || rcP==SQLITE_MISUSE
         || rcP==SQLITE_INTERNAL || pRun->zErr[0]==0 ){
    failPoint(zMode, pOp, iFail, bPersist, "unclean error", pRun, pT);
  }else if( !bBefore && !bAfter && (pOp->flags & OP_NONATOMIC)==0 ){
    failPoint(zMode, pOp, iFail, bPersist, "in-between state", pRun, pT);
    printDiff(zBefore, zNow);
  }else{
    if( rcP==SQLITE_NOMEM ) pT->nNomem++;
    else if( rcP==SQLITE_IOERR ) pT->nIoerr++;
    else{
      pT->nOther++;
      if( bVerbose ) printf("  %s point %d: %s\n", pOp->zName, iFail,
                            pRun->zErr);
    }
    if( bBefore ) pT->nBefore++; else pT->nAfter++;
  }
  sqlite3_free(zNow);
}

/* Write the fixture files of pOp and run its setup SQL, no faults. */
static int setupOp(const Op *pOp){
  const Fixture *pF;
  sqlite3 *db = 0;
  int rc;
  for(pF=pOp->aFile; pF && pF->zPath; pF++){
    if( writeAll(pF->zPath, pF->zText, (int)strlen(pF->zText)) ) return 1;
  }
  rc = sqlite3_open(TEST_DB, &db);
  if( rc==SQLITE_OK && pOp->zSetup ){
    rc = sqlite3_exec(db, pOp->zSetup, 0, 0, 0);
  }
  if( rc!=SQLITE_OK ){
    printf("FAIL %s: setup: %s\n", pOp->zName, sqlite3_errmsg(db));
  }
  sqlite3_close(db);
  return rc!=SQLITE_OK;
}

/* Step i (0-based) of pOp: the i-th of its "\v"-separated zStep pieces,
** or all of zStep when it has no separator. Written into zBuf. */
static const char *stepSql(const Op *pOp, int i, char *zBuf, int nBuf){
  const char *z = pOp->zStep;
  const char *zEnd;
  if( strchr(z, '\v')==0 ) return z;
  while( i-- > 0 && (z = strchr(z, '\v'))!=0 ) z++;
  if( z==0 ) return "";
  zEnd = strchr(z, '\v');
  snprintf(zBuf, nBuf, "%.*s", zEnd ? (int)(zEnd-z) : (int)strlen(z), z);
  return zBuf;
}

/* Record in pS the state after each of the first nStep-1 steps of pOp. */
static int stepStates(const Op *pOp, const Tmpl *pTmpl, States *pS){
  sqlite3 *db = 0;
  char zBuf[1000];
  int i, rc = SQLITE_OK;
  tmplRestore(pTmpl);
  for(i=1; rc==SQLITE_OK && i<pOp->nStep && i<=MAX_STEP; i++){
    rc = sqlite3_open(TEST_DB, &db);
    if( rc==SQLITE_OK && pOp->zPrep ){
      rc = sqlite3_exec(db, pOp->zPrep, 0, 0, 0);
    }
    if( rc==SQLITE_OK ){
      rc = sqlite3_exec(db, stepSql(pOp, i-1, zBuf, sizeof(zBuf)), 0, 0, 0);
    }
    if( rc!=SQLITE_OK ){
      printf("FAIL %s: step %d: %s\n", pOp->zName, i, sqlite3_errmsg(db));
    }
    sqlite3_close(db);
    knownRecord(&pS->aMid[pS->nMid++]);
  }
  return rc;
}

/* Run every failure point of pOp in mode eKind; returns points failed. */
static int testOp(const Op *pOp, int eKind){
  const char *zMode = faultModeName(eKind);
  Tmpl tmpl;
  Run ref, run;
  States st;
  Tally aT[2];
  int bPersist, iFail, i, nFail = 0;
  memset(&tmpl, 0, sizeof(tmpl));
  memset(&st, 0, sizeof(st));
  memset(aT, 0, sizeof(aT));
  mkdir(pOp->zName, 0777);
  if( chdir(pOp->zName) ) return 1;
  dirWalk(".", wipeOne, 0);
  if( setupOp(pOp) ){ chdir(".."); return 1; }
  dirWalk(".", captureOne, &tmpl);
  tmplRestore(&tmpl);
  knownRecord(&st.before);
  runOp(pOp, 0, 0, 0, &ref);
  knownRecord(&st.after);
  if( pOp->zStep && stepStates(pOp, &tmpl, &st) ) nFail++;
  if( (ref.rc!=SQLITE_OK)!=((pOp->flags & OP_FAILS)!=0) || ref.nLeak
   || strstr(st.after.zDump, "integrity_check:") ){
    printf("FAIL %s %s: undisturbed run: rc=%d leak=%lld %s\n", zMode,
           pOp->zName, ref.rc, ref.nLeak, ref.zErr);
    nFail++;
  }
  for(bPersist=0; nFail==0 && bPersist<2; bPersist++){
    Tally *pT = &aT[bPersist];
    for(iFail=1; iFail<MAX_POINTS; iFail++){
      tmplRestore(&tmpl);
      if( aPoint ){ aPoint[0] = iFail; aPoint[1] = bPersist; }
      runOp(pOp, eKind, iFail, bPersist, &run);
      pT->nPoint++;
      checkRun(zMode, pOp, iFail, bPersist, &run, &st, &ref, pT);
      if( run.nFault==0 ) break;
    }
    nFail += pT->nFail;
  }
  printf("%s %-24s %5d points (+%d persistent): %d nomem, %d ioerr, "
         "%d other errors, %d ok; left before %d, after %d; %d failed\n",
         zMode, pOp->zName, aT[0].nPoint, aT[1].nPoint,
         aT[0].nNomem+aT[1].nNomem, aT[0].nIoerr+aT[1].nIoerr,
         aT[0].nOther+aT[1].nOther, aT[0].nOk+aT[1].nOk,
         aT[0].nBefore+aT[1].nBefore, aT[0].nAfter+aT[1].nAfter, nFail);
  fflush(stdout);
  knownFree(&st.before);
  knownFree(&st.after);
  for(i=0; i<st.nMid; i++) knownFree(&st.aMid[i]);
  tmplFree(&tmpl);
  if( chdir("..") ) nFail++;
  return nFail;
}

/* Print pOp's name and the calls of kind eKind its undisturbed run makes
** (run in its directory, as testOp() would). Returns 1 on error. */
static int countOp(const Op *pOp, int eKind){
  Run run;
  mkdir(pOp->zName, 0777);
  if( chdir(pOp->zName) ) return 1;
  dirWalk(".", wipeOne, 0);
  if( setupOp(pOp) ){ chdir(".."); return 1; }
  runOp(pOp, eKind, 0x7fffffff, 0, &run);
  printf("%s %d\n", pOp->zName, faultCalls());
  return chdir("..")!=0;
}

/* testOp() in a child process, so that a crash is reported as such and
** the other operations still run. Returns the points failed (1 for a
** crash). */
static int testOpIsolated(const Op *pOp, int eKind){
  pid_t pid;
  int status = 0;
  fflush(stdout);
  if( aPoint==0 ){
    aPoint = mmap(0, 2*sizeof(int), PROT_READ|PROT_WRITE,
                  MAP_SHARED|MAP_ANONYMOUS, -1, 0);
    if( aPoint==MAP_FAILED ) aPoint = 0;
  }
  if( aPoint ){ aPoint[0] = 0; aPoint[1] = 0; }
  pid = fork();
  if( pid==0 ) _exit(testOp(pOp, eKind) ? 1 : 0);
  if( pid<0 || waitpid(pid, &status, 0)!=pid ) return 1;
  if( WIFSIGNALED(status) ){
    printf("FAIL %s %s point %d%s: crashed with signal %d\n",
           faultModeName(eKind), pOp->zName,
           aPoint ? aPoint[0] : 0, aPoint && aPoint[1] ? "+" : "",
           WTERMSIG(status));
    return 1;
  }
  return WEXITSTATUS(status);
}

/* True if zName matches one of the nPat patterns (or there are none). */
static int opSelected(const char *zName, int nPat, char **azPat){
  int i;
  for(i=0; i<nPat; i++){
    if( fnmatch(azPat[i], zName, 0)==0 ) return 1;
  }
  return nPat==0;
}

int main(int argc, char **argv){
  int i, nFail = 0, nOp = 0, eKind = 0, bPending = 0, bList = 0, mPend;
  int bCount = 0;
  const char *zProg = argv[0];
  for(; argc>1 && argv[1][0]=='-'; argv++, argc--){
    if( strcmp(argv[1], "-v")==0 ) bVerbose = 1;
    else if( strcmp(argv[1], "-pending")==0 ) bPending = 1;
    else if( strcmp(argv[1], "-list")==0 ) bList = 1;
    else if( strcmp(argv[1], "-count")==0 ) bCount = 1;
    else argc = 0;
  }
  if( argc>=2 && strcmp(argv[1], "oom")==0 ) eKind = FAULT_OOM;
  if( argc>=2 && strcmp(argv[1], "ioerr")==0 ) eKind = FAULT_IO;
  if( argc>=2 && strcmp(argv[1], "syserr")==0 ) eKind = FAULT_SYS;
  if( eKind==0 ){
    fprintf(stderr,
            "usage: %s [-v] [-pending] [-list|-count] oom|ioerr|syserr"
            " [GLOB ...]\n",
            zProg);
    return 2;
  }
  if( faultMallocInstall() || sqlite3_initialize() || faultVfsRegister()
   || sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init) ){
    fprintf(stderr, "%s: cannot install the injectors\n", zProg);
    return 2;
  }
  mPend = eKind==FAULT_OOM ? OP_PEND_OOM : OP_PEND_IO;   /* ioerr, syserr */
  for(i=0; i<(int)(sizeof(aOp)/sizeof(aOp[0])); i++){
    if( !opSelected(aOp[i].zName, argc-2, &argv[2]) ) continue;
    if( bPending!=((aOp[i].flags & mPend)!=0) ) continue;
    nOp++;
    if( bList ) printf("%s\n", aOp[i].zName);
    else if( bCount ) nFail += countOp(&aOp[i], eKind);
    else nFail += testOpIsolated(&aOp[i], eKind);
  }
  if( !bList && !bCount ) printf("%s: %d operations, %d failed\n", argv[1], nOp,
                      nFail);
  return nFail ? 1 : 0;
}
