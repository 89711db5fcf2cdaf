/*
** alter.c: the alter module's interface (lossless ALTER TABLE).
**
**   migrate_alter_table(table, clause [, clause ...])
**       SQL function: apply PostgreSQL-style ALTER TABLE clauses to one
**       table, all at once; returns the strategy used: 'native' (SQLite's
**       own ALTER TABLE), 'edit' (in-place schema edit), 'validate' (one
**       read-only pass over the rows, then an in-place edit) or
**       'rebuild' (the 12-step rebuild-and-copy). The table may be
**       written "schema.table".
**   migAlterApply()  the same from C (the migration runner);
**   migAlterCall()   the same with a call's own options (the shell);
**
** This file owns the transaction around a request: in autocommit mode,
** PRAGMA foreign_keys off (it cannot change inside a transaction), BEGIN
** IMMEDIATE, COMMIT or ROLLBACK, foreign keys back on; inside a
** transaction, a SAVEPOINT rolled back on error. Either way a failed
** request leaves the database as it was. The work is in alter_plan.c.
*/
#include "alter_int.h"
#include <string.h>

/* Register (from migAlterInit) the row counter rebuilds use for
** progress: migrate_alter_progress(N) is true for every row and reports
** each 16384th row to the connection's progress callback. */
static void alterProgressFunc(sqlite3_context *ctx, int argc,
                              sqlite3_value **argv){
  MigConn *pConn = (MigConn*)sqlite3_user_data(ctx);
  sqlite3_int64 *pn = (sqlite3_int64*)sqlite3_get_auxdata(ctx, 0);
  UNUSED(argc);
  if( pn==0 ){
    pn = sqlite3_malloc64(sizeof(*pn));
    if( pn==0 ){ sqlite3_result_error_nomem(ctx); return; }
    *pn = 0;
    sqlite3_set_auxdata(ctx, 0, pn, sqlite3_free);
    pn = (sqlite3_int64*)sqlite3_get_auxdata(ctx, 0);
    if( pn==0 ){ sqlite3_result_error_nomem(ctx); return; }
  }
  if( (++*pn & 0x3fff)==0 ){
    migProgress(pConn, *pn, sqlite3_value_int64(argv[0]));
  }
  sqlite3_result_int(ctx, 1);
}

/* Find the table zName in zSchema as stored (names compare as SQLite
** compares them) and refuse what cannot be altered. */
static int alterFindTable(MigAlter *p, const char *zName){
  sqlite3_stmt *pStmt = 0;
  int rc = migAlterPrepare(p, &pStmt, "SELECT name, type, sql FROM \"%w\"."
      "sqlite_master WHERE name=?1 COLLATE nocase AND type IN ('table',"
      "'view') ORDER BY type='table' DESC", p->zSchema);
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_DONE ){
    rc = migAlterErr(p, SQLITE_ERROR, "no such table: %s", zName);
  }else if( rc!=SQLITE_ROW ){
    rc = migAlterErr(p, sqlite3_finalize(pStmt), "%s", sqlite3_errmsg(p->db));
    pStmt = 0;
  }else{
    rc = SQLITE_OK;
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zTSql = (const char*)sqlite3_column_text(pStmt, 2);
    p->zTable = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    if( p->zTable==0 ) rc = SQLITE_NOMEM;
    else if( strcmp(zType, "view")==0 ){
      rc = migAlterErr(p, SQLITE_ERROR, "cannot alter view %s", zName);
    }else if( sqlite3_strnicmp(p->zTable, "sqlite_", 7)==0 ){
      rc = migAlterErr(p, SQLITE_ERROR, "cannot alter system table %s", zName);
    }else if( zTSql && sqlite3_strnicmp(zTSql, "CREATE VIRTUAL", 14)==0 ){
      rc = migAlterErr(p, SQLITE_ERROR, "cannot alter virtual table %s", zName);
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** A lone DROP COLUMN in autocommit mode runs as SQLite's own statement,
** atomic by itself, with no transaction around it: one inside BEGIN
** would make SQLite journal every page the drop rewrites a second time.
** Taken only when nothing the other path checks can be at stake: no
** view or trigger that mentions the table names the column (SQLite
** 3.40 lets some through), and SQLite refuses the drop of a key column.
** Returns SQLITE_OK when done, MIG_NEED_REBUILD to take the other path.
*/
static int alterFast(MigAlter *p){
  MigOp *pOp = &p->aOp[0];
  sqlite3_int64 nUser = 1;
  int rc;
  if( p->nOp!=1 || pOp->eOp!=MIG_OP_DROP_COLUMN || pOp->bIf
   || !sqlite3_get_autocommit(p->db) ){
    return MIG_NEED_REBUILD;
  }
  {
    sqlite3_stmt *pStmt = 0;
    nUser = 0;
    rc = migPrepare(p->db, &pStmt, "SELECT sql FROM \"%w\".sqlite_master "
        "WHERE type IN ('view','trigger') UNION ALL SELECT sql FROM "
        "temp.sqlite_master WHERE type='trigger'", p->zSchema);
    while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      const char *z = (const char*)sqlite3_column_text(pStmt, 0);
      int n = z ? (int)strlen(z) : 0;
      if( z==0 || (migTokUsesName(z, 0, n, p->zTable)
                   && migTokUsesName(z, 0, n, pOp->zCol)) ){
        nUser++;
      }
    }
    if( sqlite3_finalize(pStmt)!=SQLITE_OK || rc!=SQLITE_OK ) nUser = 1;
  }
  if( nUser>0 ) return MIG_NEED_REBUILD;
  rc = migExecPrintf(p->db, 0, "ALTER TABLE \"%w\".\"%w\" DROP COLUMN "
                     "\"%w\"", p->zSchema, p->zTable, pOp->zCol);
  if( rc!=SQLITE_OK ) return MIG_NEED_REBUILD;
  p->eHow = MIG_LEVEL_NATIVE;
  return SQLITE_OK;
}

/* Run the request inside a transaction (autocommit mode) or a savepoint,
** rolling back on any error; foreign keys checked before and after
** (alter_fk.c), unless the request is neutral to them (migFkNeutral)
** and needs no rebuild. */
static int alterTransaction(MigAlter *p){
  int bAuto = sqlite3_get_autocommit(p->db);
  int bFkWas = migFkOn(p->db);
  MigFkState fk;
  int rc;
  memset(&fk, 0, sizeof(fk));
  p->bFkOn = bFkWas;
  if( bAuto ){
    if( bFkWas ) migExecPrintf(p->db, 0, "PRAGMA foreign_keys=OFF");
    p->bFkOn = migFkOn(p->db);
    rc = migAlterExec(p, "BEGIN IMMEDIATE");
  }else{
    rc = migAlterExec(p, "SAVEPOINT migrate_alter");
  }
  p->bFkLazy = migFkNeutral(p);
  if( rc==SQLITE_OK && !p->bFkLazy ) rc = migFkBefore(p, &fk);
  if( rc==SQLITE_OK ){
    rc = migAlterRun(p);
    if( rc==MIG_NEED_REBUILD ){
      p->bRebuild = 1;
      p->bRowsFull = 0;
      p->eHow = MIG_LEVEL_NATIVE;
      p->iFail = -1;
      sqlite3_free(p->zErr);
      p->zErr = 0;
      rc = migAlterExec(p, bAuto ? "ROLLBACK; BEGIN IMMEDIATE"
                                 : "ROLLBACK TO migrate_alter");
      if( rc==SQLITE_OK && p->bFkLazy ){
        p->bFkLazy = 0;
        rc = migFkBefore(p, &fk);
      }
      if( rc==SQLITE_OK ) rc = migAlterRun(p);
    }
    if( rc==SQLITE_OK && !p->bFkLazy ) rc = migFkAfter(p, &fk);
    if( rc==SQLITE_OK ){
      rc = migAlterExec(p, bAuto ? "COMMIT" : "RELEASE migrate_alter");
    }
    if( rc!=SQLITE_OK ){
      migExecPrintf(p->db, 0, bAuto ? "ROLLBACK"
                    : "ROLLBACK TO migrate_alter; RELEASE migrate_alter");
    }
  }
  if( bAuto && bFkWas ) migExecPrintf(p->db, 0, "PRAGMA foreign_keys=ON");
  migFkFree(&fk);
  return rc;
}

/* Parse the clauses and run the request described by p. */
static int alterDo(MigAlter *p, const char *zTable, int nClause,
                   const char **azClause){
  int i, rc = SQLITE_OK;
  int bDef = 0;
  for(i=0; rc==SQLITE_OK && i<nClause; i++){
    char *zErr = 0;
    int k = p->nOp;
    rc = migClauseParse(azClause[i] ? azClause[i] : "", &p->aOp, &p->nOp,
                        &zErr);
    for(; k<p->nOp; k++) p->aOp[k].iClause = i;
    if( rc!=SQLITE_OK ){
      migAlterErr(p, rc, "%s", zErr);
      migBlame(p, i);
    }
    sqlite3_free(zErr);
  }
  if( rc==SQLITE_OK && p->nOp==0 ){
    rc = migAlterErr(p, SQLITE_ERROR, "no clauses for table %s", zTable);
  }
  sqlite3_db_config(p->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &bDef);
  p->bDefensive = bDef;
  if( rc==SQLITE_OK ) rc = alterFindTable(p, zTable);
  if( rc==SQLITE_OK ){
    rc = alterFast(p);
    if( rc==MIG_NEED_REBUILD ) rc = alterTransaction(p);
  }
  return rc;
}

/* Free what a request owns (not the error message). */
static void alterClear(MigAlter *p){
  migOpFree(p->aOp, p->nOp);
  sqlite3_free(p->zTable);
}

/* Run one request; *peHow gets the strategy used, *pzErr the error and
** *piClause the clause it is about (-1: the request as a whole). */
static int alterOne(sqlite3 *db, const char *zSchema, const char *zTable,
                    int nClause, const char **azClause, int *peHow,
                    char **pzErr, int *piClause){
  MigAlter a;
  int rc;
  memset(&a, 0, sizeof(a));
  a.iFail = -1;
  a.db = db;
  a.pConn = migConnGet(db);
  a.zSchema = zSchema ? zSchema : "main";
  rc = alterDo(&a, zTable, nClause, azClause);
  if( rc!=SQLITE_OK && a.zErr==0 ){
    a.zErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }
  *pzErr = rc==SQLITE_OK ? 0 : a.zErr;
  if( rc==SQLITE_OK ) sqlite3_free(a.zErr);
  *peHow = a.eHow;
  *piClause = rc==SQLITE_OK ? -1 : a.iFail;
  alterClear(&a);
  return rc;
}

/* Strategy names for migrate_alter_table()'s result (MIG_LEVEL_*). */
static const char *azHow[] = { "native", "edit", "validate", "rebuild" };

/* Split "schema.table" (unquoted, as SQL functions receive names). Sets
** *pzSchema (static "main" or sqlite3_malloc'd) when zArg has a dot
** and the part before it is an attached schema. */
static const char *alterSplitName(sqlite3 *db, const char *zArg,
                                  char **pzSchema){
  const char *zDot = strchr(zArg, '.');
  *pzSchema = 0;
  if( zDot ){
    char *zS = sqlite3_mprintf("%.*s", (int)(zDot-zArg), zArg);
    if( zS && sqlite3_db_filename(db, zS)!=0 ){
      *pzSchema = zS;
      return zDot+1;
    }
    sqlite3_free(zS);
  }
  return zArg;
}

/*
** Apply nClause clauses to zSchema.zTable (see mig_int.h). Without a
** schema, zTable may be "schema.table" (as migAlterRoute() gives it for
** a table of an attached or the temp schema). On error returns an SQLite
** code with *pzErr set, and *piClause (if not NULL) the index of the
** clause the error is about, or -1 when it is about no one clause; the
** database is unchanged.
*/
int migAlterApplyAt(sqlite3 *db, const char *zSchema, const char *zTable,
                    int nClause, const char **azClause, char **pzErr,
                    int *piClause){
  char *zSplit = 0;
  int eHow, rc, iClause = -1;
  if( zSchema==0 ) zTable = alterSplitName(db, zTable, &zSplit);
  rc = alterOne(db, zSplit ? zSplit : zSchema, zTable, nClause, azClause,
                &eHow, pzErr, &iClause);
  if( piClause ) *piClause = iClause;
  sqlite3_free(zSplit);
  return rc;
}

/* migAlterApplyAt() without the clause index. */
int migAlterApply(sqlite3 *db, const char *zSchema, const char *zTable,
                  int nClause, const char **azClause, char **pzErr){
  return migAlterApplyAt(db, zSchema, zTable, nClause, azClause, pzErr, 0);
}

/* See mig_int.h. */
int migAlterCall(sqlite3 *db, const char *zTable, int nClause,
                const char **azClause, const MigCallOpts *pOpts,
                const char **pzHow, char **pzErr){
  MigConn *pConn = migConnGet(db);
  const MigCallOpts *pPrev = migConnCallBegin(pConn, pOpts);
  char *zSchema = 0;
  int rc, eHow = 0, iClause;
  *pzHow = 0;
  zTable = alterSplitName(db, zTable, &zSchema);
  rc = alterOne(db, zSchema, zTable, nClause, azClause, &eHow, pzErr,
                &iClause);
  migConnCallEnd(pConn, pPrev);
  if( rc==SQLITE_OK ) *pzHow = azHow[eHow];
  sqlite3_free(zSchema);
  return rc;
}

/*
** migrate_alter_table(table, clause, ...): see the header comment.
*/
static void alterFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char **azClause;
  const char *zArg = (const char*)sqlite3_value_text(argv[0]);
  const char *zTable;
  char *zSchema = 0, *zErr = 0;
  int i, rc, eHow = 0;
  if( argc<2 || zArg==0 ){
    sqlite3_result_error(ctx, "usage: migrate_alter_table(table, clause, "
                         "...)", -1);
    return;
  }
  if( migDirectOnly(ctx, "migrate_alter_table") ) return;
  azClause = sqlite3_malloc64(sizeof(char*)*argc);
  if( azClause==0 ){ sqlite3_result_error_nomem(ctx); return; }
  for(i=1; i<argc; i++){
    azClause[i-1] = (const char*)sqlite3_value_text(argv[i]);
  }
  zTable = alterSplitName(db, zArg, &zSchema);
  rc = alterOne(db, zSchema, zTable, argc-1, azClause, &eHow, &zErr,
                &i);
  if( (rc&0xff)==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else if( rc!=SQLITE_OK ){
    sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
    sqlite3_result_error_code(ctx, rc);
  }else{
    sqlite3_result_text(ctx, azHow[eHow], -1, SQLITE_STATIC);
  }
  sqlite3_free(zErr);
  sqlite3_free(zSchema);
  sqlite3_free(azClause);
}

int migAlterInit(sqlite3 *db){
  MigConn *pConn = migConnGet(db);
  /* migrate_alter_table() rewrites the schema and commits: it must only
  ** run from top-level SQL, never from a view, trigger or schema, hence
  ** SQLITE_DIRECTONLY. */
  int rc = sqlite3_create_function(db, "migrate_alter_table", -1,
      SQLITE_UTF8|SQLITE_DIRECTONLY, 0, alterFunc, 0, 0);
  /* migrate_alter_progress() calls back into the application: also
  ** SQLITE_DIRECTONLY. */
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "migrate_alter_progress", 1,
        SQLITE_UTF8|SQLITE_DIRECTONLY, pConn, alterProgressFunc, 0, 0);
  }
  if( rc==SQLITE_OK ) pConn->xAlterApply = migAlterApplyAt;
  return rc;
}
