/*
** diff.c: the statements that take one table from its model pF to pT.
**
** migDiffTable() writes either the lossless ALTER TABLE clauses of the
** alter module, one statement per change, in the order the engine
** applies them best (constraints dropped, columns dropped, added,
** altered, constraints added, columns moved); consecutive statements on
** one table are one batch for the runner, so at most one rebuild; or,
** when no clause can say it (STRICT, WITHOUT ROWID, AUTOINCREMENT, a
** generated column, a primary key, an unnamed UNIQUE or FOREIGN KEY
** dropped) a rebuild written out: the desired CREATE TABLE under a
** scratch name, the rows copied (rowids kept), the old table dropped and
** the new one renamed. Callers drop the views and triggers over a
** rebuilt table first (migDiffWillRebuild() says which) and create its
** indexes after (diff_plan.c); the alter engine keeps those of a table
** it changes itself.
*/
#include "diff_int.h"
#include "alter_int.h"
#include <string.h>

/* Writes the changes of one table. */
typedef struct DiffTab DiffTab;
struct DiffTab {
  const MigMObj *pF;           /* From */
  const MigMObj *pT;           /* To */
  MigPlan *p;                  /* Output */
  char *zTab;                  /* Table name for statements (owned) */
};

/* True if column iCol of pF is dropped (not in pT). */
static int diffDropped(const DiffTab *d, const char *zCol){
  return zCol && migModelCol(d->pF, zCol)>=0 && migModelCol(d->pT, zCol)<0;
}

/* True if constraint pC of the from-side goes away with a dropped
** column: it is written on one or mentions one. */
static int diffConsGoes(const DiffTab *d, const MigMCons *pC){
  int i;
  if( diffDropped(d, pC->zCol) ) return 1;
  for(i=0; i<d->pF->nCol; i++){
    const char *zCol = d->pF->aCol[i].zName;
    if( diffDropped(d, zCol)
     && migTokUsesName(pC->zBody, 0, (int)strlen(pC->zBody), zCol) ) return 1;
  }
  return 0;
}

/* Index in pB of a constraint equal to pA->aCons[i], or -1. */
static int diffConsFind(const MigMObj *pB, const MigMCons *pC){
  int j;
  for(j=0; j<pB->nCons; j++){
    if( migModelSameCons(pC, &pB->aCons[j]) ) return j;
  }
  return -1;
}

/* True if pT has a single INTEGER PRIMARY KEY column (a rowid alias). */
static int diffHasAlias(const MigMObj *pT){
  int i, nPk = 0, bInt = 0;
  if( pT->bWithoutRowid ) return 0;
  for(i=0; i<pT->nCol; i++){
    if( pT->aCol[i].bPk ){
      nPk++;
      bInt = strcmp(pT->aCol[i].zTypeNorm, "integer")==0;
    }
  }
  return nPk==1 && bInt;
}

/* Same strings, NULL only equal to NULL. */
static int diffSame(const char *zA, const char *zB){
  if( zA==0 || zB==0 ) return zA==zB;
  return strcmp(zA, zB)==0;
}

/* True if no ALTER TABLE clause can take pF to pT. */
static int diffNeedsRebuild(const DiffTab *d){
  const MigMObj *pF = d->pF, *pT = d->pT;
  int i, j;
  if( pF->bStrict!=pT->bStrict || pF->bWithoutRowid!=pT->bWithoutRowid
   || pF->bAutoinc!=pT->bAutoinc ) return 1;
  for(i=0; i<pT->nCol; i++){
    const MigMCol *t = &pT->aCol[i];
    j = migModelCol(pF, t->zName);
    if( j<0 ){
      if( t->bPk ) return 1;
      continue;
    }
    if( !diffSame(pF->aCol[j].zGenNorm, t->zGenNorm) ) return 1;
    if( pF->aCol[j].bPk!=t->bPk ) return 1;
    if( t->zType[0]==0 && (strcmp(pF->aCol[j].zTypeNorm, t->zTypeNorm)
        || sqlite3_stricmp(pF->aCol[j].zCollate ? pF->aCol[j].zCollate : "",
                           t->zCollate ? t->zCollate : "")) ) return 1;
  }
  for(i=0; i<pF->nCol; i++){
    if( pF->aCol[i].bPk && migModelCol(pT, pF->aCol[i].zName)<0 ) return 1;
  }
  for(i=0; i<pF->nCons; i++){
    const MigMCons *c = &pF->aCons[i];
    if( diffConsFind(pT, c)>=0 || diffConsGoes(d, c) ) continue;
    if( c->eKind==MIG_MC_PK ) return 1;
    if( c->zName==0 && c->eKind!=MIG_MC_CHECK ) return 1;
  }
  for(i=0; i<pT->nCons; i++){
    if( pT->aCons[i].eKind==MIG_MC_PK && diffConsFind(pF, &pT->aCons[i])<0 ){
      return 1;
    }
  }
  return 0;
}

/* Write "ALTER TABLE t <clause>;" from a format. */
static void diffClause(DiffTab *d, const char *zFmt, ...){
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( z==0 ){
    d->p->rc = SQLITE_NOMEM;
    return;
  }
  migPlanStmt(d->p, "ALTER TABLE %s %s;", d->zTab, z);
  sqlite3_free(z);
}

/* Clauses for the constraints of pF that pT no longer has. */
static void diffDropCons(DiffTab *d){
  int i;
  for(i=0; i<d->pF->nCons; i++){
    const MigMCons *c = &d->pF->aCons[i];
    if( diffConsFind(d->pT, c)>=0 || diffConsGoes(d, c) ) continue;
    if( c->zName ){
      char *zId = migDiffId(c->zName);
      diffClause(d, "DROP CONSTRAINT %s", zId);
      sqlite3_free(zId);
    }else{
      diffClause(d, "DROP CHECK (%s)", c->zArg);
    }
  }
}

/* Clauses for the constraints of pT that pF lacks (those written on a
** new column come with its ADD COLUMN). */
static void diffAddCons(DiffTab *d){
  int i;
  for(i=0; i<d->pT->nCons; i++){
    const MigMCons *c = &d->pT->aCons[i];
    if( diffConsFind(d->pF, c)>=0 ) continue;
    if( c->zCol && migModelCol(d->pF, c->zCol)<0 ) continue;
    if( c->zName ){
      char *zId = migDiffId(c->zName);
      diffClause(d, "ADD CONSTRAINT %s %s", zId, c->zBody);
      sqlite3_free(zId);
    }else{
      diffClause(d, "ADD %s", c->zBody);
    }
  }
}

/* A type change that converts values: a numeric affinity replacing
** another one. */
static int diffConverts(const MigMCol *f, const MigMCol *t){
  int a = migAffinity(f->zType), b = migAffinity(t->zType);
  return a!=b && (b=='C' || b=='D' || b=='E');
}

/* Clauses for a column on both sides. */
static void diffColumn(DiffTab *d, const MigMCol *f, const MigMCol *t){
  char *zId = migDiffId(t->zName);
  int bColl = sqlite3_stricmp(f->zCollate ? f->zCollate : "BINARY",
                              t->zCollate ? t->zCollate : "BINARY")!=0;
  if( zId==0 ) return;
  if( strcmp(f->zTypeNorm, t->zTypeNorm) || bColl ){
    if( diffConverts(f, t) ){
      migPlanLoss(d->p, "may convert values of %s.%s (%s to %s)",
                  d->pT->zName, t->zName, f->zType[0] ? f->zType : "no type",
                  t->zType);
    }
    diffClause(d, "ALTER COLUMN %s TYPE %s%s%s", zId, t->zType,
               bColl ? " COLLATE " : "",
               bColl ? (t->zCollate ? t->zCollate : "BINARY") : "");
  }
  if( f->bNotNull!=t->bNotNull ){
    diffClause(d, "ALTER COLUMN %s %s NOT NULL", zId,
               t->bNotNull ? "SET" : "DROP");
  }
  if( !diffSame(f->zDefaultNorm, t->zDefaultNorm) ){
    if( t->zDefault ){
      diffClause(d, "ALTER COLUMN %s SET DEFAULT %s", zId, t->zDefault);
    }else{
      diffClause(d, "ALTER COLUMN %s DROP DEFAULT", zId);
    }
  }
  sqlite3_free(zId);
}

/* MOVE clauses that put the columns in pT's order, starting from pF's
** order less dropped columns plus added ones at the end. */
static void diffMoves(DiffTab *d){
  const MigMObj *pF = d->pF, *pT = d->pT;
  const char **az = sqlite3_malloc64(sizeof(char*)*(pF->nCol+pT->nCol+1));
  int n = 0, i, j;
  if( az==0 ){ d->p->rc = SQLITE_NOMEM; return; }
  for(i=0; i<pF->nCol; i++){
    if( migModelCol(pT, pF->aCol[i].zName)>=0 ) az[n++] = pF->aCol[i].zName;
  }
  for(i=0; i<pT->nCol; i++){
    if( migModelCol(pF, pT->aCol[i].zName)<0 ) az[n++] = pT->aCol[i].zName;
  }
  for(i=0; i<n && i<pT->nCol; i++){
    char *zId, *zAfter;
    if( migNameEq(az[i], pT->aCol[i].zName) ) continue;
    for(j=i+1; j<n && !migNameEq(az[j], pT->aCol[i].zName); j++){}
    if( j>=n ) break;
    memmove(&az[i+1], &az[i], sizeof(char*)*(j-i));
    az[i] = pT->aCol[i].zName;
    zId = migDiffId(az[i]);
    zAfter = i>0 ? migDiffId(az[i-1]) : 0;
    if( i==0 ) diffClause(d, "MOVE COLUMN %s FIRST", zId);
    else diffClause(d, "MOVE COLUMN %s AFTER %s", zId, zAfter);
    sqlite3_free(zId);
    sqlite3_free(zAfter);
  }
  sqlite3_free(az);
}

/* The changes of d as ALTER TABLE clauses. */
static void diffClauses(DiffTab *d){
  const MigMObj *pF = d->pF, *pT = d->pT;
  int i;
  diffDropCons(d);
  for(i=0; i<pF->nCol; i++){
    if( migModelCol(pT, pF->aCol[i].zName)<0 ){
      char *zId = migDiffId(pF->aCol[i].zName);
      migPlanLoss(d->p, "drops column %s.%s", pF->zName, pF->aCol[i].zName);
      diffClause(d, "DROP COLUMN %s", zId);
      sqlite3_free(zId);
    }
  }
  for(i=0; i<pT->nCol; i++){
    if( migModelCol(pF, pT->aCol[i].zName)<0 ){
      diffClause(d, "ADD COLUMN %s", pT->aCol[i].zDef);
    }
  }
  for(i=0; i<pT->nCol; i++){
    int j = migModelCol(pF, pT->aCol[i].zName);
    if( j>=0 ) diffColumn(d, &pF->aCol[j], &pT->aCol[i]);
  }
  diffAddCons(d);
  diffMoves(d);
}

/* The changes of d as a rebuild of the table. */
static void diffRebuild(DiffTab *d){
  const MigMObj *pF = d->pF, *pT = d->pT;
  MigPlan *p = d->p;
  char *zNew = sqlite3_mprintf("migrate_new_%s", pT->zName);
  char *zNewId = zNew ? migDiffId(zNew) : 0;
  sqlite3_str *pCols = sqlite3_str_new(0);
  int i, bRowid = !pF->bWithoutRowid && !pT->bWithoutRowid
              && !diffHasAlias(pT);
  if( zNewId==0 ){
    p->rc = SQLITE_NOMEM;
  }else{
    if( bRowid ) sqlite3_str_appendall(pCols, "rowid");
    for(i=0; i<pT->nCol; i++){
      char *zId;
      if( pT->aCol[i].zGenNorm || migModelCol(pF, pT->aCol[i].zName)<0 ){
        continue;
      }
      zId = migDiffId(pT->aCol[i].zName);
      sqlite3_str_appendf(pCols, "%s%s",
                          sqlite3_str_length(pCols) ? ", " : "", zId);
      sqlite3_free(zId);
    }
    for(i=0; i<pF->nCol; i++){
      if( migModelCol(pT, pF->aCol[i].zName)<0 ){
        migPlanLoss(d->p, "drops column %s.%s", pF->zName,
                    pF->aCol[i].zName);
      }
    }
    sqlite3_str_appendf(d->p->pSql, "-- %s: rebuilt (no ALTER TABLE clause "
                        "can make this change)\n", pT->zName);
    migPlanStmt(d->p, "CREATE TABLE %s%s;", zNewId, &pT->zSql[pT->iNameEnd]);
    if( sqlite3_str_length(pCols) ){
      char *zCols = sqlite3_str_value(pCols);
      migPlanStmt(d->p, "INSERT INTO %s(%s) SELECT %s FROM %s;", zNewId,
                  zCols, zCols, d->zTab);
    }
    migPlanStmt(d->p, "DROP TABLE %s;", d->zTab);
    migPlanStmt(d->p, "ALTER TABLE %s RENAME TO %s;", zNewId, d->zTab);
  }
  sqlite3_free(sqlite3_str_finish(pCols));
  sqlite3_free(zNewId);
  sqlite3_free(zNew);
}

/*
** True if migDiffTable() will take pF to pT by dropping the table and
** creating it again (a written-out rebuild, or a virtual table): the
** views and triggers over it must then be dropped first.
*/
int migDiffWillRebuild(const MigMObj *pF, const MigMObj *pT, MigPlan *p){
  DiffTab d;
  int i;
  if( pF->bVirtual || pT->bVirtual ) return 1;
  for(i=0; i<p->nRebuild; i++){
    if( migNameEq(p->azRebuild[i], pT->zName) ) return 1;
  }
  memset(&d, 0, sizeof(d));
  d.pF = pF;
  d.pT = pT;
  d.p = p;
  return diffNeedsRebuild(&d);
}

/*
** Write the statements taking table pF to pT (same name) into p. Sets
** *pbRebuilt when the table is rebuilt (its indexes and triggers are
** then gone and the caller creates them again). Returns SQLITE_OK or
** SQLITE_NOMEM.
*/
int migDiffTable(const MigMObj *pF, const MigMObj *pT, MigPlan *p,
                 int *pbRebuilt){
  DiffTab d;
  int bRebuild = migDiffWillRebuild(pF, pT, p);
  memset(&d, 0, sizeof(d));
  d.pF = pF;
  d.pT = pT;
  d.p = p;
  d.zTab = migDiffId(pT->zName);
  if( d.zTab==0 ) return SQLITE_NOMEM;
  *pbRebuilt = 0;
  if( pF->bVirtual || pT->bVirtual ){
    migPlanLoss(p, "drops table %s", pF->zName);
    migPlanStmt(p, "DROP TABLE %s;", d.zTab);
    migPlanStmt(p, "%s;", pT->zSql);
    *pbRebuilt = 1;
  }else if( bRebuild ){
    diffRebuild(&d);
    *pbRebuilt = 1;
  }else{
    diffClauses(&d);
  }
  sqlite3_free(d.zTab);
  if( sqlite3_str_errcode(p->pSql) ) p->rc = SQLITE_NOMEM;
  return p->rc;
}
