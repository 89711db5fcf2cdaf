/*
** diff_run.c: computing a migration from a desired schema, and proving
** it before anyone sees it.
**
** migDiffCompute(db, zDesired, zFile, eFrom, &diff, &zErr):
**   1. the desired SQL runs in scratch in-memory databases (SQLite
**      validates it; an error names zFile; diff_load.c);
**   2. the from-side is another scratch database where the runner
**      replays the scripts' heads (MIG_DIFF_HEAD), or db's main itself,
**      only read (MIG_DIFF_DB);
**   3. renames marked in the desired SQL are applied to a copy of the
**      part of each side they affect (diff_rename.c), both sides are
**      read as models (model.h) and the planner writes the upgrade and
**      the downgrade (diff_plan.c);
**   4. the proof: the part of the from-side the SQL can affect
**      (diff_subset.c: every object linked to a name it mentions) is
**      created in a scratch database; there the upgrade must give exactly
**      that part of the desired model, and then the downgrade exactly the
**      from-side's; the rest must already be the same on both sides.
**      A table whose ALTER TABLE clauses do not get there is planned
**      again as a rebuild (recorded in MigDiff.zNote); any other failure
**      is an internal error naming the object, and nothing is returned.
** migDiffExec() runs migration SQL as the runner does: one transaction,
** foreign keys off, ALTER TABLE forms SQLite lacks batched per table to
** migAlterApply(), then PRAGMA foreign_key_check.
*/
#include "diff_int.h"
#include "engine_int.h"
#include <string.h>
#include <unistd.h>

/* Open a scratch in-memory database with the extension registered. */
static int runOpen(sqlite3 **pDb, char **pzErr){
  int rc = sqlite3_open(":memory:", pDb);
  if( rc==SQLITE_OK ){
#ifdef SQLITE_CORE
    rc = sqlite3_migrate_init(*pDb, pzErr, 0);
#else
    rc = sqlite3_migrate_init(*pDb, pzErr, sqlite3_api);
#endif
  }else if( *pzErr==0 ){
    *pzErr = sqlite3_mprintf("cannot open a scratch database");
  }
  return rc;
}

/* Copy database src (main) into a new scratch database *pDb. */
static int runCopy(sqlite3 *src, sqlite3 **pDb, char **pzErr){
  int rc = runOpen(pDb, pzErr);
  if( rc==SQLITE_OK ){
    sqlite3_backup *pBk = sqlite3_backup_init(*pDb, "main", src, "main");
    if( pBk==0 ) return SQLITE_NOMEM;
    sqlite3_backup_step(pBk, -1);
    rc = sqlite3_backup_finish(pBk);
  }
  return rc;
}

/* The scripts' heads of db's migrations directory, replayed in dbTo
** (nothing when there is no such directory yet). */
static int runReplay(sqlite3 *db, sqlite3 *dbTo, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT migrate_dir()", -1, &pStmt, 0);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW
   && access((const char*)sqlite3_column_text(pStmt, 0), F_OK)==0 ){
    char *zSql = sqlite3_mprintf("SELECT migrate_dir(%Q); "
        "SELECT migrate_upgrade('heads');", sqlite3_column_text(pStmt, 0));
    rc = zSql ? sqlite3_exec(dbTo, zSql, 0, 0, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("cannot replay the migrations: %s",
                               sqlite3_errmsg(dbTo));
    }
  }else if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
    pStmt = 0;
  }
  if( rc!=SQLITE_OK && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* Apply the collected clauses of table *pzTab (freed) to db. */
static int runFlush(sqlite3 *db, char **pzTab, char ***pazClause, int *pnC,
                    char **pzErr, char **pzFailed){
  int rc = SQLITE_OK, i;
  if( *pnC ){
    rc = migAlterApply(db, 0, *pzTab, *pnC, (const char**)*pazClause, pzErr);
    if( rc!=SQLITE_OK && pzFailed ){
      *pzFailed = *pzTab;
      *pzTab = 0;
    }
  }
  for(i=0; i<*pnC; i++) sqlite3_free((*pazClause)[i]);
  sqlite3_free(*pazClause);
  sqlite3_free(*pzTab);
  *pazClause = 0;
  *pnC = 0;
  *pzTab = 0;
  return rc;
}

/* Run the statements of zSql on db (see the header); on failure of an
** ALTER TABLE batch *pzFailed (if not NULL) gets its table. */
static int runStatements(sqlite3 *db, const char *zSql, char **pzErr,
                         char **pzFailed){
  MigSplit s;
  char *zStmt = 0, *zTab = 0, **azClause = 0;
  int rc = migSplitInit(&s, zSql, 1), iLine = 0, nC = 0;
  while( rc==SQLITE_OK && (rc = migSplitNext(&s, &zStmt, &iLine))==SQLITE_ROW ){
    char *zT = 0, *zC = 0;
    rc = SQLITE_OK;
    if( migAlterRoute(zStmt, &zT, &zC) ){
      char **azNew;
      if( zTab && !migNameEq(zTab, zT) ){
        rc = runFlush(db, &zTab, &azClause, &nC, pzErr, pzFailed);
      }
      azNew = sqlite3_realloc64(azClause, sizeof(char*)*(nC+1));
      if( rc!=SQLITE_OK || azNew==0 ){
        if( rc==SQLITE_OK ) rc = SQLITE_NOMEM;
        sqlite3_free(zT);
        sqlite3_free(zC);
      }else{
        azClause = azNew;
        azClause[nC++] = zC;
        if( zTab==0 ) zTab = zT; else sqlite3_free(zT);
      }
    }else{
      rc = runFlush(db, &zTab, &azClause, &nC, pzErr, pzFailed);
      if( rc==SQLITE_OK ){
        rc = sqlite3_exec(db, zStmt, 0, 0, 0);
        if( rc!=SQLITE_OK ){
          *pzErr = sqlite3_mprintf("%s: %s", zStmt, sqlite3_errmsg(db));
        }
      }
    }
    sqlite3_free(zStmt);
    zStmt = 0;
  }
  if( rc==SQLITE_DONE ) rc = runFlush(db, &zTab, &azClause, &nC, pzErr,
                                      pzFailed);
  if( rc!=SQLITE_OK ) runFlush(db, &zTab, &azClause, &nC, 0, 0);
  migSplitFree(&s);
  return rc;
}

/* migDiffExec() with the failing table reported. */
static int runExecSql(sqlite3 *db, const char *zSql, char **pzErr,
                      char **pzFailed){
  sqlite3_int64 bFk = 0, nBad = 0;
  int rc = migQueryInt(db, &bFk, "PRAGMA foreign_keys");
  if( rc==SQLITE_OK && bFk ) rc = sqlite3_exec(db, "PRAGMA foreign_keys=OFF",
                                               0, 0, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }else{
    rc = runStatements(db, zSql, pzErr, pzFailed);
    if( rc==SQLITE_OK ){
      rc = migQueryInt(db, &nBad,
                       "SELECT count(*) FROM pragma_foreign_key_check");
      if( rc==SQLITE_OK && nBad>0 ){
        *pzErr = sqlite3_mprintf("FOREIGN KEY constraint failed for %lld "
                                 "row%s", nBad, nBad==1 ? "" : "s");
        rc = SQLITE_CONSTRAINT;
      }
    }
    if( rc==SQLITE_OK ) rc = sqlite3_exec(db, "COMMIT", 0, 0, 0);
    if( rc!=SQLITE_OK ) sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  }
  if( bFk ) sqlite3_exec(db, "PRAGMA foreign_keys=ON", 0, 0, 0);
  return rc;
}

/*
** Run migration SQL zSql on db in one transaction (see the header).
** Returns SQLITE_OK, or an error code with *pzErr set and db as before.
*/
int migDiffExec(sqlite3 *db, const char *zSql, char **pzErr){
  return runExecSql(db, zSql, pzErr, 0);
}

/* Free what a MigDiff holds. */
void migDiffClear(MigDiff *p){
  sqlite3_free(p->zUp);
  sqlite3_free(p->zDown);
  sqlite3_free(p->zLossUp);
  sqlite3_free(p->zLossDown);
  sqlite3_free(p->zNote);
  memset(p, 0, sizeof(*p));
}

/* The scratch databases and models of one computation. */
typedef struct DiffRun DiffRun;
struct DiffRun {
  sqlite3 *dbFrom;             /* From-side: the live database, or the
                               ** scripts' heads replayed in a scratch one */
  int bFromOwned;              /* dbFrom is a scratch database of ours */
  MigModel *pFrom, *pTo;       /* Their models */
  MigModel *pFromRen;          /* From-side with the renames applied
                               ** (shallow: objects of pFrom and pRenPart) */
  MigModel *pRenPart;          /* The renamed part of the from-side */
  MigModel *pToRen;            /* Desired with the renames undone
                               ** (shallow, as pFromRen) */
  MigModel *pUnrenPart;        /* The renamed part of the desired side */
  char *zRenUp, *zRenDown;     /* Rename statements */
  char **azForceUp;            /* Tables to rebuild in the upgrade */
  int nForceUp;
  char **azForceDown;          /* ... in the downgrade */
  int nForceDown;
  sqlite3_str *pNote;          /* Fallbacks taken */
};

/*
** The model of one side, pSide, with the renames zRen applied: the part
** of it they can affect is created in a scratch database, renamed there
** and read back (*ppPart, owned); *ppRen (shallow: objects of pSide and
** *ppPart) is the rest of pSide plus that part.
*/
static int runRenamed(const MigModel *pSide, const MigModel *pOther,
                      const char *zRen, MigModel **ppRen, MigModel **ppPart,
                      char **pzErr){
  char *aS = sqlite3_malloc64(pSide->nObj+1);
  char *aO = sqlite3_malloc64(pOther->nObj+1);
  sqlite3 *dbW = 0;
  int rc = SQLITE_OK, i;
  if( aS==0 || aO==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    memset(aS, 0, pSide->nObj+1);
    memset(aO, 0, pOther->nObj+1);
    if( zRen[0] ) rc = migSubsetMark(pSide, pOther, zRen, aS, aO);
  }
  if( rc==SQLITE_OK && zRen[0] ){
    rc = migSubsetOpen(pSide, aS, runOpen, &dbW, pzErr);
    if( rc==SQLITE_OK ){
      rc = sqlite3_exec(dbW, zRen, 0, 0, 0);
      if( rc!=SQLITE_OK ){
        *pzErr = sqlite3_mprintf("cannot rename: %s", sqlite3_errmsg(dbW));
      }
    }
    if( rc==SQLITE_OK ) rc = migModelRead(dbW, "main", ppPart, pzErr);
  }
  if( rc==SQLITE_OK ){
    *ppRen = migSubsetModel(pSide, aS, 0);
    if( *ppRen==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK && *ppPart ){
    MigModel *pR = *ppRen, *pP = *ppPart;
    MigMObj *aNew = sqlite3_realloc64(pR->aObj,
                                      sizeof(MigMObj)*(pR->nObj+pP->nObj+1));
    if( aNew==0 ) rc = SQLITE_NOMEM;
    else{
      pR->aObj = aNew;
      for(i=0; i<pP->nObj; i++) aNew[pR->nObj++] = pP->aObj[i];
      migModelSort(pR);
    }
  }
  sqlite3_close(dbW);
  sqlite3_free(aS);
  sqlite3_free(aO);
  return rc;
}

/* One plan, renames first: *pzSql and *pzLoss (NULL when none). */
static int runPlan(const char *zRen, const MigModel *pF, const MigModel *pT,
                   char **azForce, int nForce, char **pzSql, char **pzLoss,
                   int *pnStmt){
  MigPlan p;
  int rc;
  migPlanInit(&p);
  p.azRebuild = azForce;
  p.nRebuild = nForce;
  sqlite3_str_appendall(p.pSql, zRen);
  if( zRen[0] ) sqlite3_str_appendchar(p.pSql, 1, '\n');
  rc = migDiffPlan(pF, pT, &p);
  *pnStmt = p.nStmt + (zRen[0]!=0);
  if( rc==SQLITE_OK ){
    char *z = sqlite3_str_finish(p.pSql);
    int n = z ? (int)strlen(z) : 0;
    while( n>0 && z[n-1]=='\n' ) z[--n] = 0;
    *pzSql = z ? z : sqlite3_mprintf("");
    *pzLoss = p.nLoss ? sqlite3_str_finish(p.pLoss) : 0;
    if( p.nLoss==0 ) sqlite3_free(sqlite3_str_finish(p.pLoss));
    if( *pzSql==0 || (p.nLoss && *pzLoss==0) ) rc = SQLITE_NOMEM;
  }else{
    migPlanClear(&p);
  }
  return rc;
}

/* The first table named by a model difference line, if it names one. */
static char *runDiffTable(const char *zDiff){
  const char *zEnd;
  if( strncmp(zDiff, "table ", 6) ) return 0;
  zEnd = strstr(zDiff+6, ": ");
  return zEnd ? sqlite3_mprintf("%.*s", (int)(zEnd-zDiff-6), zDiff+6) : 0;
}

/* Add zTab (taken over) to a list of tables to rebuild; 0 if already
** there (no progress possible). */
static int runForce(char ***paz, int *pn, char *zTab){
  int i;
  char **azNew;
  for(i=0; i<*pn; i++){
    if( migNameEq((*paz)[i], zTab) ){ sqlite3_free(zTab); return 0; }
  }
  azNew = sqlite3_realloc64(*paz, sizeof(char*)*(*pn+1));
  if( azNew==0 ){ sqlite3_free(zTab); return 0; }
  azNew[(*pn)++] = zTab;
  *paz = azNew;
  return 1;
}

/*
** Run zSql on a copy of dbStart and compare with pWant. Returns
** SQLITE_OK when it gets there; SQLITE_ERROR with *pzErr, and *pzTab set
** when a table is to blame (a fallback may help); on success the copy
** is left in *pdbOut.
*/
static int runProve(sqlite3 *dbStart, const char *zSql, const MigModel *pWant,
                    const char *zWhat, sqlite3 **pdbOut, char **pzTab,
                    char **pzErr){
  sqlite3 *dbP = 0;
  MigModel *pGot = 0;
  char *zErr = 0, *zDiff = 0;
  int rc = runCopy(dbStart, &dbP, pzErr);
  *pzTab = 0;
  if( rc==SQLITE_OK ){
    rc = runExecSql(dbP, zSql, &zErr, pzTab);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("internal error: the generated %s fails: %s",
                               zWhat, zErr ? zErr : sqlite3_errstr(rc));
      rc = SQLITE_ERROR;
    }
  }
  if( rc==SQLITE_OK ) rc = migModelRead(dbP, "main", &pGot, pzErr);
  if( rc==SQLITE_OK ) rc = migModelDiff(pGot, pWant, 0, &zDiff);
  if( rc==SQLITE_OK && zDiff ){
    *pzErr = sqlite3_mprintf("internal error: the generated %s does not "
        "give the %s schema: %s", zWhat,
        strcmp(zWhat, "upgrade")==0 ? "desired" : "original", zDiff);
    *pzTab = runDiffTable(zDiff);
    rc = SQLITE_ERROR;
  }
  sqlite3_free(zDiff);
  sqlite3_free(zErr);
  migModelFree(pGot);
  if( rc==SQLITE_OK ){
    *pdbOut = dbP;
  }else{
    sqlite3_close(dbP);
  }
  return rc;
}

/* The part of each side the migration (up and down) can affect. */
typedef struct RunPart RunPart;
struct RunPart {
  char *aF, *aT;               /* Marks over pFrom and pTo */
  MigModel *pWantUp;           /* Marked part of pTo */
  MigModel *pWantDown;         /* Marked part of pFrom */
  sqlite3 *dbStart;            /* Scratch holding the marked part of pFrom */
};

/* Free what a RunPart holds. */
static void runPartClear(RunPart *q){
  sqlite3_free(q->aF);
  sqlite3_free(q->aT);
  migSubsetModelFree(q->pWantUp);
  migSubsetModelFree(q->pWantDown);
  sqlite3_close(q->dbStart);
  memset(q, 0, sizeof(*q));
}

/*
** Mark the part of both sides the SQL of pOut can affect and create the
** from-side's in a scratch database. What is not marked must already be
** the same on both sides (else the plan left it out: an internal error).
*/
static int runPart(DiffRun *r, const MigDiff *pOut, RunPart *q,
                   char **pzErr){
  char *zAll = sqlite3_mprintf("%s\n%s", pOut->zUp, pOut->zDown), *zDiff = 0;
  MigModel *pRestF = 0, *pRestT = 0;
  int rc = zAll ? SQLITE_OK : SQLITE_NOMEM;
  memset(q, 0, sizeof(*q));
  q->aF = sqlite3_malloc64(r->pFrom->nObj+1);
  q->aT = sqlite3_malloc64(r->pTo->nObj+1);
  if( q->aF==0 || q->aT==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    memset(q->aF, 0, r->pFrom->nObj+1);
    memset(q->aT, 0, r->pTo->nObj+1);
    rc = migSubsetMark(r->pFrom, r->pTo, zAll, q->aF, q->aT);
  }
  if( rc==SQLITE_OK ){
    pRestF = migSubsetModel(r->pFrom, q->aF, 0);
    pRestT = migSubsetModel(r->pTo, q->aT, 0);
    q->pWantUp = migSubsetModel(r->pTo, q->aT, 1);
    q->pWantDown = migSubsetModel(r->pFrom, q->aF, 1);
    if( !pRestF || !pRestT || !q->pWantUp || !q->pWantDown ){
      rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_OK ) rc = migModelDiff(pRestF, pRestT, 0, &zDiff);
  if( rc==SQLITE_OK && zDiff ){
    *pzErr = sqlite3_mprintf("internal error: the generated upgrade leaves "
                             "out: %s", zDiff);
    rc = SQLITE_ERROR;
  }
  if( rc==SQLITE_OK ){
    rc = migSubsetOpen(r->pFrom, q->aF, runOpen, &q->dbStart, pzErr);
  }
  sqlite3_free(zDiff);
  sqlite3_free(zAll);
  migSubsetModelFree(pRestF);
  migSubsetModelFree(pRestT);
  return rc;
}

/* Plan both ways and prove; retry with rebuilds while that helps. */
static int runPlanAndProve(DiffRun *r, MigDiff *pOut, char **pzErr){
  int rc = SQLITE_OK, nTry;
  for(nTry=0; rc==SQLITE_OK && nTry<100; nTry++){
    sqlite3 *dbMid = 0, *dbEnd = 0;
    char *zTab = 0, *zErr = 0;
    RunPart q;
    int nDown = 0;
    memset(&q, 0, sizeof(q));
    migDiffClear(pOut);
    rc = runPlan(r->zRenUp, r->pFromRen, r->pTo, r->azForceUp, r->nForceUp,
                 &pOut->zUp, &pOut->zLossUp, &pOut->nStmt);
    if( rc==SQLITE_OK ){
      rc = runPlan(r->zRenDown, r->pToRen, r->pFrom, r->azForceDown,
                   r->nForceDown, &pOut->zDown, &pOut->zLossDown, &nDown);
    }
    if( rc!=SQLITE_OK || pOut->nStmt==0 ) break;
    rc = runPart(r, pOut, &q, pzErr);
    if( rc!=SQLITE_OK ) break;
    rc = runProve(q.dbStart, pOut->zUp, q.pWantUp, "upgrade", &dbMid, &zTab,
                  &zErr);
    if( rc==SQLITE_ERROR && zTab ){
      sqlite3_str_appendf(r->pNote, "%s (upgrade) rebuilt: %s\n", zTab, zErr);
      if( runForce(&r->azForceUp, &r->nForceUp, zTab) ){
        sqlite3_free(zErr);
        runPartClear(&q);
        rc = SQLITE_OK;
        continue;
      }
    }
    if( rc==SQLITE_OK ){
      rc = runProve(dbMid, pOut->zDown, q.pWantDown, "downgrade", &dbEnd,
                    &zTab, &zErr);
      if( rc==SQLITE_ERROR && zTab ){
        sqlite3_str_appendf(r->pNote, "%s (downgrade) rebuilt: %s\n", zTab,
                            zErr);
        if( runForce(&r->azForceDown, &r->nForceDown, zTab) ){
          sqlite3_free(zErr);
          sqlite3_close(dbMid);
          runPartClear(&q);
          rc = SQLITE_OK;
          continue;
        }
      }
    }
    sqlite3_close(dbMid);
    sqlite3_close(dbEnd);
    runPartClear(&q);
    if( rc!=SQLITE_OK ){
      *pzErr = zErr;
      zErr = 0;
    }
    sqlite3_free(zErr);
    break;
  }
  return rc;
}

/* Free what r holds. */
static void runClear(DiffRun *r){
  int i;
  if( r->bFromOwned ) sqlite3_close(r->dbFrom);
  migModelFree(r->pFrom);
  migModelFree(r->pTo);
  migSubsetModelFree(r->pFromRen);
  migModelFree(r->pRenPart);
  migSubsetModelFree(r->pToRen);
  migModelFree(r->pUnrenPart);
  sqlite3_free(r->zRenUp);
  sqlite3_free(r->zRenDown);
  for(i=0; i<r->nForceUp; i++) sqlite3_free(r->azForceUp[i]);
  for(i=0; i<r->nForceDown; i++) sqlite3_free(r->azForceDown[i]);
  sqlite3_free(r->azForceUp);
  sqlite3_free(r->azForceDown);
  sqlite3_free(sqlite3_str_finish(r->pNote));
}

/*
** Compute the migration from db (its scripts' heads, or its main schema
** with MIG_DIFF_DB) to the desired schema zDesired (read from zFile, for
** messages; may be NULL). On success *pOut holds the proven SQL (zUp ""
** when nothing differs). On error *pzErr is set and *pOut empty.
*/
int migDiffCompute(sqlite3 *db, const char *zDesired, const char *zFile,
                   int eFrom, MigDiff *pOut, char **pzErr){
  DiffRun r;
  MigRename *aRen = 0;
  int nRen = 0, rc;
  memset(&r, 0, sizeof(r));
  memset(pOut, 0, sizeof(*pOut));
  r.pNote = sqlite3_str_new(0);
  rc = migDiffLoad(zDesired, zFile, runOpen, &r.pTo, pzErr);
  if( rc==SQLITE_OK && eFrom==MIG_DIFF_DB ){
    r.dbFrom = db;
  }else if( rc==SQLITE_OK ){
    rc = runOpen(&r.dbFrom, pzErr);
    r.bFromOwned = 1;
    if( rc==SQLITE_OK ) rc = runReplay(db, r.dbFrom, pzErr);
  }
  if( rc==SQLITE_OK ) rc = migRenameParse(zDesired, &aRen, &nRen);
  if( rc==SQLITE_OK ){
    rc = migRenameSql(r.dbFrom, aRen, nRen, &r.zRenUp, &r.zRenDown);
  }
  if( rc==SQLITE_OK ) rc = migModelRead(r.dbFrom, "main", &r.pFrom, pzErr);
  if( rc==SQLITE_OK ){
    rc = runRenamed(r.pFrom, r.pTo, r.zRenUp, &r.pFromRen, &r.pRenPart,
                    pzErr);
  }
  if( rc==SQLITE_OK ){
    rc = runRenamed(r.pTo, r.pFrom, r.zRenDown, &r.pToRen, &r.pUnrenPart,
                    pzErr);
  }
  if( rc==SQLITE_OK ) rc = runPlanAndProve(&r, pOut, pzErr);
  if( rc==SQLITE_OK && sqlite3_str_length(r.pNote) ){
    pOut->zNote = sqlite3_mprintf("%s", sqlite3_str_value(r.pNote));
  }
  if( rc!=SQLITE_OK ){
    migDiffClear(pOut);
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }
  migRenameFree(aRen, nRen);
  runClear(&r);
  return rc;
}
