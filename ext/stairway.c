/*
** stairway.c: migTestRun(), the stairway test of a migration history, and
** the SQL function migrate_test([target [, options]]).
**
** Everything runs on a scratch in-memory database with the extension
** registered on it, never on the database itself, which is only read:
**   fresh (default)  an empty scratch database; every revision from base
**                    to the target is tested
**   with-data        a copy of this database (SQLite's backup API), at its
**                    current revision; only the pending revisions are tested
** The checks, one report line each ("ok ...", "FAIL ...", "SKIP ..."):
**   heads            exactly one head (else the heads are named)
**   REV upgrade      the revision's up section runs
**   REV downgrade    its down section runs, and the schema (and rows)
**                    equal the state before the upgrade; every difference
**                    is named: "index ix left behind", "column t.c lost",
**                    "table t: 3 rows lost (3 before, 0 after)"
**   REV upgrade again  the up section runs again and gives the same state
**                    as the first time
**   schema file      with a schema file (the "schema" setting, else
**                    schema.sql beside the migrations directory) and the
**                    target at the head(s): the final schema equals the
**                    file's
** An irreversible revision (no down section) is a SKIP, a FAIL with
** "strict". An upgrade that fails stops the stairway (the revisions after
** it need it). The report ends with a summary line.
**
** Steps go through the runner exactly as a user's commands do (upgrade to
** REV, downgrade to REV's parent within REV's lineage), one migration
** each, with the bookkeeping tables of the scratch copy.
*/
#include "stairway_int.h"
#include "diff_int.h"
#include <string.h>
#include <stdarg.h>

/****************************** Scratch copies *****************************/

/*
** migrate_dir(path) and migrate_config(key, value) on a scratch copy: a
** migration that changes settings there would change (and free) the
** live connection's, which the copy only borrows. Refused.
*/
static void stwNoSettingsFunc(sqlite3_context *ctx, int argc,
                              sqlite3_value **argv){
  UNUSED(argc); UNUSED(argv);
  sqlite3_result_error(ctx, "settings cannot be changed by a migration "
                       "while it is tested on a scratch copy", -1);
}

/*
** Open a scratch database (zFile: a new file of that name; NULL: in
** memory) with the extension registered on it, PRAGMA foreign_keys as on
** pLive, and the settings of pLive (directory, registered revisions,
** formats) lent to it, without log, progress or backup settings (and
** without the functions that change settings). Close
** it with migTestScratchClose() (also after an error). On error an
** SQLite code, *pzErr set.
*/
int migTestScratch(MigConn *pLive, const char *zFile, StwScratch *pS,
                   char **pzErr){
  int rc;
#ifdef SQLITE_CORE
  const void *pApi = 0;
#else
  const void *pApi = (const void*)sqlite3_api;
#endif
  memset(pS, 0, sizeof(*pS));
  rc = sqlite3_open_v2(zFile ? zFile : ":memory:", &pS->db,
      SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  if( rc==SQLITE_OK && migConnGet(pS->db)==0 ){
    rc = sqlite3_migrate_init(pS->db, pzErr, pApi);
  }
  if( rc==SQLITE_OK ) pS->pConn = migConnGet(pS->db);
  if( rc==SQLITE_OK && pS->pConn==0 ) rc = SQLITE_NOMEM;
  if( rc!=SQLITE_OK ){
    if( *pzErr==0 ){
      *pzErr = sqlite3_mprintf("cannot open a scratch database: %s",
          pS->db ? sqlite3_errmsg(pS->db) : sqlite3_errstr(rc));
    }
    return rc;
  }
  {
    /* Foreign keys as the live connection has them: the runner runs each
    ** migration with them as they are (off only around a rebuild). */
    sqlite3_int64 bFk = 0;
    migQueryInt(pLive->db, &bFk, "PRAGMA foreign_keys");
    if( bFk ) rc = sqlite3_exec(pS->db, "PRAGMA foreign_keys=ON", 0, 0, 0);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(pS->db));
      return rc;
    }
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(pS->db, "migrate_dir", 1, SQLITE_UTF8, 0,
                                 stwNoSettingsFunc, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(pS->db, "migrate_config", 2, SQLITE_UTF8, 0,
                                 stwNoSettingsFunc, 0, 0);
  }
  if( rc!=SQLITE_OK ) return rc;
  pS->save = *pS->pConn;
  *pS->pConn = *pLive;
  pS->pConn->db = pS->db;
  pS->pConn->xLog = 0;
  pS->pConn->xProgress = 0;
  pS->pConn->xConfirm = 0;          /* a scratch copy loses nothing real */
  pS->pConn->eBackupAuto = 0;
  return SQLITE_OK;
}

/* Give the borrowed settings back and close a scratch database. */
void migTestScratchClose(StwScratch *pS){
  if( pS->pConn ) *pS->pConn = pS->save;
  pS->pConn = 0;
  sqlite3_close(pS->db);
  pS->db = 0;
}

/***************************** One stairway ********************************/

/* State of one test run. */
typedef struct Stw Stw;
struct Stw {
  MigConn *pLive;              /* The database's own state (only read) */
  MigTestOpts o;               /* What to test */
  StwScratch s;                /* The scratch copy (owned) */
  sqlite3 *db;                 /* Its connection, s.db */
  char *zErrOut;               /* Error of the test itself (owned) */
  MigGraph *g;                 /* The revisions (owned) */
  int *aCur; int nCur;         /* Current revisions of the database */
  StwDirty dirty;              /* Tables written since the last state */
  StwState cur;                /* State of the scratch copy now */
  sqlite3_str *pRep;           /* The report */
  sqlite3_str *pProb;          /* The problems alone */
  int nRev;                    /* Revisions tested */
  int nOk, nFail, nSkip;       /* Check outcomes */
};

/* Append a report line "WORD text" (and to the problems for FAIL). */
static void stwReport(Stw *t, const char *zWord, const char *zFmt, ...){
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  sqlite3_str_appendf(t->pRep, "%s %s\n", zWord, z ? z : "out of memory");
  if( t->o.xLine ){
    char *zLine = sqlite3_mprintf("%s %s", zWord, z ? z : "out of memory");
    if( zLine ) t->o.xLine(t->o.pLineArg, zLine);
    sqlite3_free(zLine);
  }
  if( zWord[0]=='F' ){
    sqlite3_str_appendf(t->pProb, "%s\n", z ? z : "out of memory");
    t->nFail++;
  }else if( zWord[0]=='S' ){
    t->nSkip++;
  }else{
    t->nOk++;
  }
  sqlite3_free(z);
}

/* Run one step on the scratch copy; on failure *pzErr is set. */
static int stwRunStep(Stw *t, int eOp, const char *zTarget, char **pzErr){
  sqlite3_int64 nDone = 0;
  MigRunOpts o;
  *pzErr = 0;
  migRunOptsInit(&o, t->s.pConn, eOp, zTarget);
  return migRun(t->s.db, &o, &nDone, 0, pzErr);
}

/* True for an error of the machinery rather than of a migration's SQL:
** out of memory, I/O, a corrupt scratch copy. Such an error ends a test
** or a dry run as an error, never as a FAIL line. */
int migTestFatal(int rc){
  switch( rc&0xff ){
    case SQLITE_NOMEM: case SQLITE_IOERR: case SQLITE_CORRUPT:
    case SQLITE_FULL: case SQLITE_CANTOPEN: case SQLITE_NOTADB:
    case SQLITE_MISUSE: case SQLITE_INTERNAL:
      return 1;
  }
  return 0;
}

/*
** One step (eOp to zTarget) for check zCheck of revision zId. Returns
** SQLITE_OK, with *pbFailed set when the migration failed (a FAIL line is
** reported), or a fatal error code with *pzErr set.
*/
static int stwStep(Stw *t, int eOp, const char *zTarget, const char *zId,
                   const char *zCheck, int *pbFailed, char **pzErr){
  char *zErr = 0;
  int rc = stwRunStep(t, eOp, zTarget, &zErr);
  *pbFailed = 0;
  if( rc==SQLITE_OK ) return SQLITE_OK;
  if( migTestFatal(rc) ){
    *pzErr = zErr ? zErr : sqlite3_mprintf("%s", sqlite3_errstr(rc));
    return rc;
  }
  stwReport(t, "FAIL", "%s %s: %s", zId, zCheck,
            zErr ? zErr : sqlite3_errstr(rc));
  sqlite3_free(zErr);
  *pbFailed = 1;
  return SQLITE_OK;
}

/* Take the state of the scratch copy into *pOut, after t->cur. */
static int stwTake(Stw *t, StwState *pOut, char **pzErr){
  return migStwTake(t->db, &t->cur, &t->dirty, pOut, pzErr);
}

/*
** Compare state A with B for check zCheck of revision zId: ok when they
** are the same, else one FAIL line per difference.
*/
static int stwCompare(Stw *t, const char *zId, const char *zCheck,
                      const StwState *pA, const StwState *pB,
                      const StwWords *pW){
  sqlite3_str *pDiff = sqlite3_str_new(0);
  int nDiff = 0, rc = migStwDiff(pA, pB, pW, pDiff, "", &nDiff);
  char *zDiff = sqlite3_str_finish(pDiff);
  if( rc==SQLITE_OK && nDiff==0 ){
    stwReport(t, "ok", "%s %s", zId, zCheck);
  }else if( rc==SQLITE_OK && zDiff ){
    char *z = zDiff, *zEol;
    while( (zEol = strchr(z, '\n'))!=0 ){
      *zEol = 0;
      stwReport(t, "FAIL", "%s %s: %s", zId, zCheck, z);
      z = zEol+1;
    }
  }else if( rc==SQLITE_OK ){
    rc = SQLITE_NOMEM;
  }
  sqlite3_free(zDiff);
  return rc;
}

/* The downgrade target that reverts revision r alone: "r@parent". */
static char *stwDownTarget(Stw *t, const MigRev *r){
  if( r->nParent==0 ) return sqlite3_mprintf("%s@base", r->zId);
  return sqlite3_mprintf("%s@%s", r->zId, t->g->aRev[r->aParent[0]].zId);
}

/*
** The stairway step of revision iRev: up, down, up again. Returns an
** SQLite code for a failure of the test itself; *pbStop is set when the
** stairway cannot go on (the revision is not applied).
*/
static int stwRevision(Stw *t, int iRev, int *pbStop){
  static const StwWords wDown = { "lost", "left behind", "before", "after",
                                  1 };
  static const StwWords wAgain = { "missing", "extra", "the first time",
                                   "the second time", 1 };
  MigRev *r = &t->g->aRev[iRev];
  StwState s1, s0b, s1b;
  char *zErr = 0, *zDown = 0;
  int rc, bFailed = 0;
  memset(&s1, 0, sizeof(s1));
  memset(&s0b, 0, sizeof(s0b));
  memset(&s1b, 0, sizeof(s1b));
  t->nRev++;
  rc = stwStep(t, MIG_RUN_UPGRADE, r->zId, r->zId, "upgrade", &bFailed, &zErr);
  if( rc || bFailed ){
    *pbStop = 1;
    goto done;
  }
  rc = stwTake(t, &s1, &zErr);
  if( rc ) goto done;
  stwReport(t, "ok", "%s upgrade", r->zId);
  if( r->zDown==0 ){
    stwReport(t, t->o.bStrict ? "FAIL" : "SKIP", "%s downgrade: irreversible "
              "(no \"-- migrate:down\" section)", r->zId);
    migStwMove(&t->cur, &s1);
    goto done;
  }
  zDown = stwDownTarget(t, r);
  if( zDown==0 ){ rc = SQLITE_NOMEM; goto done; }
  rc = stwStep(t, MIG_RUN_DOWNGRADE, zDown, r->zId, "downgrade", &bFailed,
               &zErr);
  if( rc==SQLITE_OK && bFailed ){
    migStwMove(&t->cur, &s1);
    goto done;
  }
  if( rc==SQLITE_OK ) rc = migStwTake(t->db, &s1, &t->dirty, &s0b, &zErr);
  if( rc==SQLITE_OK ){
    rc = stwCompare(t, r->zId, "downgrade", &t->cur, &s0b, &wDown);
  }
  if( rc ) goto done;
  rc = stwStep(t, MIG_RUN_UPGRADE, r->zId, r->zId, "upgrade again", &bFailed,
               &zErr);
  if( rc || bFailed ){
    *pbStop = 1;
    goto done;
  }
  rc = migStwTake(t->db, &s0b, &t->dirty, &s1b, &zErr);
  if( rc==SQLITE_OK ){
    rc = stwCompare(t, r->zId, "upgrade again", &s1, &s1b, &wAgain);
  }
  if( rc==SQLITE_OK ) migStwMove(&t->cur, &s1b);
done:
  if( rc!=SQLITE_OK && zErr ){
    sqlite3_free(t->zErrOut);
    t->zErrOut = zErr;
    zErr = 0;
  }
  sqlite3_free(zErr);
  sqlite3_free(zDown);
  migStwFree(&s1);
  migStwFree(&s0b);
  migStwFree(&s1b);
  return rc;
}

/* Check the number of heads; returns the number. */
static int stwHeads(Stw *t){
  MigGraph *g = t->g;
  int i, nHead = 0;
  for(i=0; i<g->nRev; i++) nHead += migGraphIsHead(g, i);
  if( nHead==0 ){
    stwReport(t, "ok", "heads: no revisions");
  }else if( nHead==1 ){
    for(i=0; !migGraphIsHead(g, i); i++){}
    stwReport(t, "ok", "heads: one head, %s", g->aRev[i].zId);
  }else{
    sqlite3_str *pComma = sqlite3_str_new(0), *pSpace = sqlite3_str_new(0);
    char *zComma, *zSpace;
    for(i=0; i<g->nRev; i++){
      int iRev = g->aOrder[i];
      if( !migGraphIsHead(g, iRev) ) continue;
      sqlite3_str_appendf(pComma, "%s%s", sqlite3_str_length(pComma) ?
                          ", " : "", g->aRev[iRev].zId);
      sqlite3_str_appendf(pSpace, " %s", g->aRev[iRev].zId);
    }
    zComma = sqlite3_str_finish(pComma);
    zSpace = sqlite3_str_finish(pSpace);
    stwReport(t, "FAIL", "heads: %d heads: %s (merge them: .migrate merge "
              "MESSAGE%s)", nHead, zComma ? zComma : "", zSpace ? zSpace : "");
    sqlite3_free(zComma);
    sqlite3_free(zSpace);
  }
  return nHead;
}

/* The final check: the schema equals the schema file's, if there is one */
static int stwSchemaFile(Stw *t){
  static const StwWords w = { "not in the schema file",
                              "not made by the migrations", "", "", 0 };
  char *zPath = migDiffSchemaPath(t->pLive->db);
  char *zText = 0, *zErr = 0, *zCheck;
  sqlite3 *dbF = 0;
  StwState sF;
  int nText = 0, rc = SQLITE_OK;
  memset(&sF, 0, sizeof(sF));
  if( zPath==0 ) return SQLITE_NOMEM;
  zText = migReadFile(zPath, &nText, &zErr);
  sqlite3_free(zErr);
  zErr = 0;
  if( zText==0 ){ sqlite3_free(zPath); return SQLITE_OK; }
  zCheck = sqlite3_mprintf("schema file %s", zPath);
  rc = zCheck ? sqlite3_open(":memory:", &dbF) : SQLITE_NOMEM;
  if( rc==SQLITE_OK && sqlite3_exec(dbF, zText, 0, 0, &zErr)!=SQLITE_OK ){
    stwReport(t, "FAIL", "%s: %s", zCheck, zErr ? zErr : "cannot be read");
  }else if( rc==SQLITE_OK ){
    rc = migStwTake(dbF, 0, 0, &sF, &zErr);
    if( rc==SQLITE_OK ){
      sqlite3_str *pDiff = sqlite3_str_new(0);
      int nDiff = 0;
      char *zDiff, *z, *zEol;
      rc = migStwDiff(&t->cur, &sF, &w, pDiff, "", &nDiff);
      zDiff = sqlite3_str_finish(pDiff);
      if( nDiff==0 ) stwReport(t, "ok", "%s", zCheck);
      for(z=zDiff; rc==SQLITE_OK && z && (zEol = strchr(z, '\n'))!=0; ){
        *zEol = 0;
        stwReport(t, "FAIL", "%s: %s", zCheck, z);
        z = zEol+1;
      }
      sqlite3_free(zDiff);
    }
  }
  sqlite3_free(zErr);
  migStwFree(&sF);
  sqlite3_close(dbF);
  sqlite3_free(zCheck);
  sqlite3_free(zText);
  sqlite3_free(zPath);
  return rc;
}

/* Copy the live database's main schema into the scratch copy. */
static int stwCopyLive(Stw *t, char **pzErr){
  sqlite3_backup *pB = sqlite3_backup_init(t->db, "main", t->pLive->db,
                                           "main");
  int rc;
  if( pB==0 ){
    *pzErr = sqlite3_mprintf("cannot copy the database: %s",
                             sqlite3_errmsg(t->db));
    return SQLITE_ERROR;
  }
  sqlite3_backup_step(pB, -1);
  rc = sqlite3_backup_finish(pB);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot copy the database: %s",
                             sqlite3_errmsg(t->db));
  }
  return rc;
}

/*
** Mark in aRun the revisions to test: the ancestors of the target
** (all heads when there are several and none is named) that are not
** applied (with-data) or all of them (fresh). *pbAll: the target is every
** head, so the schema file applies.
*/
static int stwPlan(Stw *t, int nHead, char *aRun, int *pbAll, char **pzErr){
  MigGraph *g = t->g;
  const char *zTarget = t->o.zTarget;
  int *aOut = 0, nOut = 0, rc, i;
  if( zTarget==0 ) zTarget = nHead>1 ? "heads" : "head";
  rc = migStepsTargets(g, zTarget, t->o.bWithData ? t->aCur : 0,
                      t->o.bWithData ? t->nCur : 0, &aOut, &nOut, pzErr);
  if( rc!=SQLITE_OK ) return rc;
  memset(aRun, 0, g->nRev+1);
  migGraphAncestors(g, aOut, nOut, aRun);
  *pbAll = nOut==nHead;
  for(i=0; *pbAll && i<nOut; i++){
    if( !migGraphIsHead(g, aOut[i]) ) *pbAll = 0;
  }
  sqlite3_free(aOut);
  if( t->o.bWithData ){
    char *aDone = sqlite3_malloc64(g->nRev+1);
    if( aDone==0 ) return SQLITE_NOMEM;
    memset(aDone, 0, g->nRev+1);
    migGraphAncestors(g, t->aCur, t->nCur, aDone);
    for(i=0; i<g->nRev; i++) if( aDone[i] ) aRun[i] = 0;
    sqlite3_free(aDone);
  }
  return SQLITE_OK;
}

/* The whole run once the scratch copy is open. */
static int stwRun(Stw *t, char **pzErr){
  char *aRun = 0;
  int rc, nHead, bAll = 0, i, bStop = 0, iStop = -1;
  rc = migEngineLoad(t->pLive, 0, t->pLive->db, &t->g, &t->aCur, &t->nCur,
                     pzErr);
  if( rc ) return rc;
  t->s.pConn->pGraphLent = t->g;
  for(i=nHead=0; i<t->g->nRev; i++) nHead += migGraphIsHead(t->g, i);
  aRun = sqlite3_malloc64(t->g->nRev+1);
  if( aRun==0 ) return SQLITE_NOMEM;
  rc = stwPlan(t, nHead, aRun, &bAll, pzErr);
  if( rc==SQLITE_OK ) stwHeads(t);
  if( rc==SQLITE_OK && t->o.bWithData ) rc = stwCopyLive(t, pzErr);
  if( rc==SQLITE_OK ){
    migStwWatch(t->db, &t->dirty);
    rc = migStwTake(t->db, 0, &t->dirty, &t->cur, pzErr);
  }
  for(i=0; rc==SQLITE_OK && i<t->g->nRev; i++){
    int iRev = t->g->aOrder[i];
    if( !aRun[iRev] ) continue;
    if( bStop ){ iStop++; continue; }
    rc = stwRevision(t, iRev, &bStop);
    if( rc==SQLITE_OK ) migProgress(t->pLive, i+1, t->g->nRev);
    if( bStop ) iStop = 0;
  }
  if( rc==SQLITE_OK && iStop>0 ){
    stwReport(t, "SKIP", "stopped: %d later revision%s not tested", iStop,
              iStop==1 ? "" : "s");
  }
  if( rc==SQLITE_OK && !bStop && bAll ) rc = stwSchemaFile(t);
  if( rc!=SQLITE_OK && *pzErr==0 && t->zErrOut ){
    *pzErr = t->zErrOut;
    t->zErrOut = 0;
  }
  sqlite3_set_authorizer(t->db, 0, 0);
  sqlite3_free(aRun);
  return rc;
}

/*
** Test the migrations of pLive's connection as pOpts says. *pzReport
** gets the report (one line per check, then a summary line), *pzProblems
** the FAIL lines without their "FAIL " (NULL when there are none), both
** sqlite3_free'd by the caller; *pnProblem their number. With
** pOpts->xLine, each line is also sent there as soon as it is made. On
** an error of the test itself (scripts that cannot be read, no such
** target, out of memory): an SQLite code with *pzErr set. The database
** of pLive is only read.
*/
int migTestRun(MigConn *pLive, const MigTestOpts *pOpts, char **pzReport,
               char **pzProblems, int *pnProblem, char **pzErr){
  Stw t;
  int rc;
  memset(&t, 0, sizeof(t));
  t.pLive = pLive;
  t.o = *pOpts;
    *pzReport = 0;
  *pzProblems = 0;
  *pnProblem = 0;
  *pzErr = 0;
  t.pRep = sqlite3_str_new(0);
  t.pProb = sqlite3_str_new(0);
  rc = migTestScratch(pLive, 0, &t.s, pzErr);
  t.db = t.s.db;
  if( rc==SQLITE_OK ) rc = stwRun(&t, pzErr);
  if( rc==SQLITE_OK ){
    char *zSum = sqlite3_mprintf("%d revision%s tested: %d ok, %d skipped, "
        "%d problem%s", t.nRev, t.nRev==1 ? "" : "s", t.nOk, t.nSkip,
        t.nFail, t.nFail==1 ? "" : "s");
    sqlite3_str_appendf(t.pRep, "%s\n", zSum ? zSum : "");
    if( zSum && t.o.xLine ) t.o.xLine(t.o.pLineArg, zSum);
    if( zSum==0 ) rc = SQLITE_NOMEM;
    sqlite3_free(zSum);
    rc = sqlite3_str_errcode(t.pRep);
    if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(t.pProb);
  }
  *pzReport = sqlite3_str_finish(t.pRep);
  *pzProblems = sqlite3_str_finish(t.pProb);
  if( rc==SQLITE_OK && *pzReport==0 ) rc = SQLITE_NOMEM;
  if( rc!=SQLITE_OK || t.nFail==0 ){
    sqlite3_free(*pzProblems);
    *pzProblems = 0;
  }
  if( rc!=SQLITE_OK ){
    sqlite3_free(*pzReport);
    *pzReport = 0;
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }else{
    *pnProblem = t.nFail;
  }
  sqlite3_free(t.zErrOut);
  migStwDirtyClear(&t.dirty);
  migStwFree(&t.cur);
  migTestScratchClose(&t.s);
  migGraphFree(t.g);
  sqlite3_free(t.aCur);
  return rc;
}

/****************************** SQL function *******************************/

/*
** Parse the options word list of migrate_test() ("strict", "with-data",
** separated by spaces or commas) into *pOpts. Returns 0, or 1 with
** *pzErr naming the unknown word.
*/
static int stwOptions(const char *z, MigTestOpts *pOpts, char **pzErr){
  const char *zWord;
  int n;
  while( z && (zWord = migListNext(&z, &n))!=0 ){
    if( n==6 && sqlite3_strnicmp(zWord, "strict", 6)==0 ){
      pOpts->bStrict = 1;
    }else if( n==9 && sqlite3_strnicmp(zWord, "with-data", 9)==0 ){
      pOpts->bWithData = 1;
    }else{
      *pzErr = sqlite3_mprintf("migrate_test: unknown option: %.*s "
                               "(options: strict, with-data)", n, zWord);
      return 1;
    }
  }
  return 0;
}

/*
** migrate_test([target [, options]]): 'ok', or one problem per line.
** SQLITE_DIRECTONLY: it reads migration files and runs their SQL (on a
** scratch copy), which a view or trigger must not be able to start.
*/
static void stwTestFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  MigTestOpts o;
  char *zRep = 0, *zProb = 0, *zErr = 0;
  int nProb = 0, rc;
  memset(&o, 0, sizeof(o));
  if( migDirectOnly(ctx, "migrate_test") ) return;
  if( argc>0 && sqlite3_value_type(argv[0])!=SQLITE_NULL ){
    o.zTarget = (const char*)sqlite3_value_text(argv[0]);
  }
  if( argc>1 && stwOptions((const char*)sqlite3_value_text(argv[1]), &o,
                           &zErr) ){
    sqlite3_result_error(ctx, zErr ? zErr : "out of memory", -1);
    sqlite3_free(zErr);
    return;
  }
  rc = migTestRun(p, &o, &zRep, &zProb, &nProb, &zErr);
  if( rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else if( rc!=SQLITE_OK ){
    sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
  }else if( zProb ){
    int n = (int)strlen(zProb);
    if( n>0 && zProb[n-1]=='\n' ) zProb[n-1] = 0;
    sqlite3_result_text(ctx, zProb, -1, sqlite3_free);
    zProb = 0;
  }else{
    sqlite3_result_text(ctx, "ok", -1, SQLITE_STATIC);
  }
  sqlite3_free(zRep);
  sqlite3_free(zProb);
  sqlite3_free(zErr);
}

/* Register migrate_test() with 0, 1 and 2 arguments. */
int migTestInit(sqlite3 *db){
  MigConn *p = migConnGet(db);
  int rc = p ? SQLITE_OK : SQLITE_MISUSE, n;
  for(n=0; rc==SQLITE_OK && n<=2; n++){
    rc = sqlite3_create_function(db, "migrate_test", n,
        SQLITE_UTF8|SQLITE_DIRECTONLY, p, stwTestFunc, 0, 0);
  }
  return rc;
}
