/*
** diff_run.c: computing a migration from a desired schema, and proving
** it before anyone sees it.
**
** migDiffCompute(db, zDesired, zFile, eFrom, &diff, &zErr):
**   1. the desired SQL runs in a scratch in-memory database (SQLite
**      validates it; an error names zFile);
**   2. the from-side is another scratch database: the scripts' heads
**      replayed there by the runner (MIG_DIFF_HEAD), or the schema of
**      db's main copied (MIG_DIFF_DB);
**   3. renames marked in the desired SQL are applied to a copy of each
**      side (diff_rename.c), both sides are read as models (model.h) and
**      the planner writes the upgrade and the downgrade (diff_plan.c);
**   4. the proof: on a fresh copy of the from-side the upgrade must give
**      exactly the desired model, and then the downgrade exactly the
**      from-side's. A table whose ALTER TABLE clauses do not get there
**      is planned again as a rebuild (recorded in MigDiff.zNote); any
**      other failure is an internal error naming the object, and
**      nothing is returned.
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

/* Copy the schema (no rows) of db's main into scratch database dbTo:
** tables, then indexes, views and triggers, each in stored order. */
static int runCopySchema(sqlite3 *db, sqlite3 *dbTo, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_exec(dbTo, "BEGIN", 0, 0, 0);
  if( rc==SQLITE_OK ) rc = migPrepare(db, &pStmt,
      "SELECT sql, name FROM main.sqlite_schema WHERE sql IS NOT NULL"
      " AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'"
      " AND tbl_name NOT IN ('migrate_version','migrate_history')"
      " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1"
      " WHEN 'view' THEN 2 ELSE 3 END, rowid");
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    rc = sqlite3_exec(dbTo, (const char*)sqlite3_column_text(pStmt, 0),
                      0, 0, 0);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("cannot copy %s: %s",
          sqlite3_column_text(pStmt, 1), sqlite3_errmsg(dbTo));
    }
  }
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(dbTo, "COMMIT", 0, 0, 0);
  return rc;
}

/*
** Run the desired SQL in scratch database db, inside one transaction
** (much faster for a large schema) unless the SQL manages its own, as
** .dump output does: then as it is. *pzErr names zFile on error.
*/
static int runLoadDesired(sqlite3 *db, const char *zSql, const char *zFile,
                          char **pzErr){
  int rc = sqlite3_exec(db, "BEGIN", 0, 0, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, zSql, 0, 0, 0);
  if( rc==SQLITE_OK && !sqlite3_get_autocommit(db) ){
    rc = sqlite3_exec(db, "COMMIT", 0, 0, 0);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
    rc = sqlite3_exec(db, zSql, 0, 0, 0);
  }
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("%s: %s", zFile ? zFile : "desired schema",
                             sqlite3_errmsg(db));
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
  sqlite3 *dbFrom;             /* From-side */
  sqlite3 *dbTo;               /* Desired */
  MigModel *pFrom, *pTo;       /* Their models */
  MigModel *pFromRen;          /* From-side with the renames applied */
  MigModel *pToRen;            /* Desired with the renames undone */
  char *zRenUp, *zRenDown;     /* Rename statements */
  char **azForceUp;            /* Tables to rebuild in the upgrade */
  int nForceUp;
  char **azForceDown;          /* ... in the downgrade */
  int nForceDown;
  sqlite3_str *pNote;          /* Fallbacks taken */
};

/* Model of scratch db after running zRen (native renames) on a copy. */
static int runRenamed(sqlite3 *db, const char *zRen, MigModel **pp,
                      char **pzErr){
  sqlite3 *dbW = 0;
  int rc = runCopy(db, &dbW, pzErr);
  if( rc==SQLITE_OK && zRen[0] ){
    rc = sqlite3_exec(dbW, zRen, 0, 0, 0);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("cannot rename: %s", sqlite3_errmsg(dbW));
    }
  }
  if( rc==SQLITE_OK ) rc = migModelRead(dbW, "main", pp, pzErr);
  sqlite3_close(dbW);
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

/* Plan both ways and prove; retry with rebuilds while that helps. */
static int runPlanAndProve(DiffRun *r, MigDiff *pOut, char **pzErr){
  int rc = SQLITE_OK, nTry;
  for(nTry=0; rc==SQLITE_OK && nTry<100; nTry++){
    sqlite3 *dbMid = 0, *dbEnd = 0;
    char *zTab = 0, *zErr = 0;
    int nDown = 0;
    migDiffClear(pOut);
    rc = runPlan(r->zRenUp, r->pFromRen, r->pTo, r->azForceUp, r->nForceUp,
                 &pOut->zUp, &pOut->zLossUp, &pOut->nStmt);
    if( rc==SQLITE_OK ){
      rc = runPlan(r->zRenDown, r->pToRen, r->pFrom, r->azForceDown,
                   r->nForceDown, &pOut->zDown, &pOut->zLossDown, &nDown);
    }
    if( rc!=SQLITE_OK || pOut->nStmt==0 ) break;
    rc = runProve(r->dbFrom, pOut->zUp, r->pTo, "upgrade", &dbMid, &zTab,
                  &zErr);
    if( rc==SQLITE_ERROR && zTab ){
      sqlite3_str_appendf(r->pNote, "%s (upgrade) rebuilt: %s\n", zTab, zErr);
      if( runForce(&r->azForceUp, &r->nForceUp, zTab) ){
        sqlite3_free(zErr);
        rc = SQLITE_OK;
        continue;
      }
    }
    if( rc==SQLITE_OK ){
      rc = runProve(dbMid, pOut->zDown, r->pFrom, "downgrade", &dbEnd,
                    &zTab, &zErr);
      if( rc==SQLITE_ERROR && zTab ){
        sqlite3_str_appendf(r->pNote, "%s (downgrade) rebuilt: %s\n", zTab,
                            zErr);
        if( runForce(&r->azForceDown, &r->nForceDown, zTab) ){
          sqlite3_free(zErr);
          sqlite3_close(dbMid);
          rc = SQLITE_OK;
          continue;
        }
      }
    }
    sqlite3_close(dbMid);
    sqlite3_close(dbEnd);
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
  sqlite3_close(r->dbFrom);
  sqlite3_close(r->dbTo);
  migModelFree(r->pFrom);
  migModelFree(r->pTo);
  migModelFree(r->pFromRen);
  migModelFree(r->pToRen);
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
  rc = runOpen(&r.dbTo, pzErr);
  if( rc==SQLITE_OK ) rc = runLoadDesired(r.dbTo, zDesired, zFile, pzErr);
  if( rc==SQLITE_OK ) rc = runOpen(&r.dbFrom, pzErr);
  if( rc==SQLITE_OK ){
    rc = eFrom==MIG_DIFF_DB ? runCopySchema(db, r.dbFrom, pzErr)
                            : runReplay(db, r.dbFrom, pzErr);
  }
  if( rc==SQLITE_OK ) rc = migRenameParse(zDesired, &aRen, &nRen);
  if( rc==SQLITE_OK ){
    rc = migRenameSql(r.dbFrom, aRen, nRen, &r.zRenUp, &r.zRenDown);
  }
  if( rc==SQLITE_OK ) rc = migModelRead(r.dbFrom, "main", &r.pFrom, pzErr);
  if( rc==SQLITE_OK ) rc = migModelRead(r.dbTo, "main", &r.pTo, pzErr);
  if( rc==SQLITE_OK ){
    rc = runRenamed(r.dbFrom, r.zRenUp, &r.pFromRen, pzErr);
  }
  if( rc==SQLITE_OK ) rc = runRenamed(r.dbTo, r.zRenDown, &r.pToRen, pzErr);
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
