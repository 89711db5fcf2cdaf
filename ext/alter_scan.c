/*
** alter_scan.c: the read-only pass before an in-place schema edit
** (migValidate, called by alter_plan.c).
**
** One query over the table counts, at once, the rows that break each new
** rule of the request (SET NOT NULL, ADD CHECK: MIG_CHK_COND in
** alter_int.h); the first rule broken is named in the error with its
** count. A lone rule is counted with a WHERE clause, so an index can
** answer it.
**
** Changed DEFAULTs (MIG_CHK_DEFAULT) are checked in the same pass. Rows
** written before an ALTER TABLE ... ADD COLUMN do not store that column:
** SQLite reads its value from the DEFAULT in the schema. Editing the
** DEFAULT in place would change them, so such rows must not exist:
**   1. If the old default is a literal (or absent: NULL), such rows read
**      it, so when no row holds the old default's value there are none
**      (counted in the same pass; a default check identical to a rule,
**      as NOT NULL's "c IS NULL", is that rule's count).
**   2. Otherwise, or if some rows hold that value, the old schema gets a
**      sentinel default (a random blob) for one more pass: rows reading
**      it are such rows. If there are any, MIG_NEED_REBUILD: the table
**      is rebuilt, which stores every value.
** Right after a native DROP COLUMN (p->bRowsFull) every row is whole and
** nothing is checked.
*/
#include "alter_int.h"
#include <string.h>

/* A blob literal no stored value will equal (sqlite3_malloc'd). */
static char *scanSentinel(void){
  unsigned char a[16];
  sqlite3_str *pStr = sqlite3_str_new(0);
  size_t i;
  sqlite3_randomness(sizeof(a), a);
  sqlite3_str_appendall(pStr, "x'6d6967726174652d");
  for(i=0; i<sizeof(a); i++) sqlite3_str_appendf(pStr, "%02x", a[i]);
  sqlite3_str_appendall(pStr, "'");
  return sqlite3_str_finish(pStr);
}

/* Set the condition of check pChk (its zCond) to a copy of zCond. */
static int scanSetCond(MigCheck *pChk, char *zCond){
  if( zCond==0 ) return SQLITE_NOMEM;
  sqlite3_free(pChk->zCond);
  pChk->zCond = zCond;
  return SQLITE_OK;
}

/* "c IS <old default>" if the old default of column zCol in pOld is a
** literal, NULL or absent; "" (no cheap check) otherwise. */
static char *scanOldDefaultCond(MigTab *pOld, const char *zCol){
  int iCol = migTabFindCol(pOld, zCol);
  MigCons *pDef = iCol<0 ? 0 : migColFindLast(&pOld->aCol[iCol],
                                              MIG_CONS_DEFAULT);
  MigToken *aTok = 0;
  int nTok = 0, bLit = 0;
  char *zVal, *zRet;
  if( iCol<0 ) return sqlite3_mprintf("");
  if( pDef==0 ) return sqlite3_mprintf("\"%w\" IS NULL", zCol);
  zVal = sqlite3_mprintf("%.*s", pDef->iArgEnd-pDef->iArg,
                         &pOld->zSql[pDef->iArg]);
  if( zVal==0 || migTokenize(zVal, &aTok, &nTok)!=SQLITE_OK ){
    sqlite3_free(zVal);
    return 0;
  }
  if( nTok==1 ){
    int e = aTok[0].eType;
    bLit = e==MIG_TK_STRING || e==MIG_TK_NUMBER || e==MIG_TK_BLOB
        || migTokIsWord(zVal, &aTok[0], "NULL");
  }else if( nTok==2 ){
    bLit = aTok[0].eType==MIG_TK_OP && aTok[1].eType==MIG_TK_NUMBER;
  }
  zRet = bLit ? sqlite3_mprintf("\"%w\" IS %s", zCol, zVal)
              : sqlite3_mprintf("");
  sqlite3_free(aTok);
  sqlite3_free(zVal);
  return zRet;
}

/* True if a MIG_CHK_COND rule of s has exactly the condition zCond. */
static int scanIsRuleCond(MigSim *s, const char *zCond){
  int i;
  for(i=0; i<s->nCheck; i++){
    if( s->aCheck[i].eKind==MIG_CHK_COND
     && strcmp(s->aCheck[i].zCond, zCond)==0 ) return 1;
  }
  return 0;
}

/* Give every default check of s its cheap condition (step 1), or "".
** *pbSentinel: some default has no cheap condition. */
static int scanCheapDefaults(MigSim *s, const char *zOld, int *pbSentinel){
  MigTab *pOld = 0;
  char *zErr = 0;
  int i, rc = migTabParse(zOld, &pOld, &zErr);
  *pbSentinel = 0;
  for(i=0; rc==SQLITE_OK && i<s->nCheck; i++){
    MigCheck *pChk = &s->aCheck[i];
    if( pChk->eKind!=MIG_CHK_DEFAULT ) continue;
    rc = scanSetCond(pChk, scanOldDefaultCond(pOld, pChk->zCol));
    if( rc!=SQLITE_OK ) break;
    if( pChk->zCond[0]==0 ) *pbSentinel = 1;
    else if( scanIsRuleCond(s, pChk->zCond) ) pChk->zCond[0] = 0;
  }
  sqlite3_free(zErr);
  migTabFree(pOld);
  return rc;
}

/* True if check pChk is counted by the pass: bRules selects the rules,
** default checks count when they have a condition. */
static int scanCounted(MigCheck *pChk, int bRules){
  if( pChk->eKind==MIG_CHK_COND ) return bRules;
  return pChk->eKind==MIG_CHK_DEFAULT && pChk->zCond[0]!=0;
}

/* The pass: one count per counted check, in order. */
static char *scanSql(MigAlter *p, MigSim *s, int bRules){
  sqlite3_str *pStr = sqlite3_str_new(p->db);
  MigCheck *pOnly = 0;
  int i, n = 0;
  for(i=0; i<s->nCheck; i++){
    if( scanCounted(&s->aCheck[i], bRules) ){ pOnly = &s->aCheck[i]; n++; }
  }
  if( n==1 ){
    sqlite3_str_appendf(pStr, "SELECT count(*) FROM \"%w\".\"%w\" WHERE %s",
                        p->zSchema, p->zTable, pOnly->zCond);
    return sqlite3_str_finish(pStr);
  }
  sqlite3_str_appendall(pStr, "SELECT ");
  for(i=0, n=0; i<s->nCheck; i++){
    if( !scanCounted(&s->aCheck[i], bRules) ) continue;
    sqlite3_str_appendf(pStr, "%scount(*) FILTER (WHERE %s)",
                        n++ ? ", " : "", s->aCheck[i].zCond);
  }
  sqlite3_str_appendf(pStr, " FROM \"%w\".\"%w\"", p->zSchema, p->zTable);
  return sqlite3_str_finish(pStr);
}

/* Run the pass. Fails naming the first rule rows break; *pbDefault: some
** default check counted rows. */
static int scanRun(MigAlter *p, MigSim *s, int bRules, int *pbDefault){
  sqlite3_stmt *pStmt = 0;
  char *zSql = scanSql(p, s, bRules);
  int i, iCol = 0, iBad = -1;
  sqlite3_int64 nBad = 0;
  int rc = zSql ? migAlterPrepare(p, &pStmt, "%s", zSql) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  *pbDefault = 0;
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    for(i=0; i<s->nCheck; i++){
      sqlite3_int64 n;
      if( !scanCounted(&s->aCheck[i], bRules) ) continue;
      n = sqlite3_column_int64(pStmt, iCol++);
      if( n==0 ) continue;
      if( s->aCheck[i].eKind==MIG_CHK_DEFAULT ) *pbDefault = 1;
      else if( iBad<0 ){ iBad = i; nBad = n; }
    }
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK ) migAlterErr(p, rc, "%s", sqlite3_errmsg(p->db));
  }
  if( rc==SQLITE_OK && iBad>=0 ){
    migBlame(p, s->aCheck[iBad].iClause);
    rc = migRowsFail(p, s->aCheck[iBad].zLabel, nBad);
  }
  return rc;
}

/* Step 2: the old text zOld with a sentinel default on every column
** whose default changes, written; default checks look for it. */
static int scanSentinelPass(MigAlter *p, MigSim *s, int *pbShort){
  char *zSentinel = scanSentinel();
  MigSim t;
  MigOp op;
  int i, rc = zSentinel ? migSimulate(p, 0, 0, &t) : SQLITE_NOMEM;
  if( zSentinel==0 ) memset(&t, 0, sizeof(t));
  memset(&op, 0, sizeof(op));
  op.eOp = MIG_OP_SET_DEFAULT;
  op.zArg = zSentinel;
  for(i=0; rc==SQLITE_OK && i<s->nCheck; i++){
    MigCheck *pChk = &s->aCheck[i];
    if( pChk->eKind!=MIG_CHK_DEFAULT ) continue;
    op.zCol = pChk->zCol;
    rc = migSimApply(&t, &op);
    if( rc==SQLITE_OK ){
      rc = scanSetCond(pChk, sqlite3_mprintf("\"%w\" IS %s", pChk->zCol,
                                             zSentinel));
    }
  }
  if( rc==SQLITE_OK ) rc = migWriteSchema(p, t.pTab->zSql);
  if( rc==SQLITE_OK ) rc = scanRun(p, s, 0, pbShort);
  migHow(p, MIG_LEVEL_VALIDATE);
  migSimFree(&t);
  sqlite3_free(zSentinel);
  return rc;
}

/*
** The read-only pass for the in-place edit of s (the table's text is
** zOld): SQLITE_OK, an error naming the first rule rows break, or
** MIG_NEED_REBUILD when rows read a default that changes.
*/
int migValidate(MigAlter *p, MigSim *s, const char *zOld){
  int i, bDefault = 0, bSentinel = 0, bRules = 0, rc = SQLITE_OK;
  for(i=0; i<s->nCheck; i++){
    if( s->aCheck[i].eKind==MIG_CHK_COND ) bRules = 1;
    if( s->aCheck[i].eKind==MIG_CHK_DEFAULT && !p->bRowsFull ) bDefault = 1;
    if( s->aCheck[i].eKind==MIG_CHK_DEFAULT && p->bRowsFull ){
      s->aCheck[i].zCond[0] = 0;
    }
  }
  if( bDefault ) rc = scanCheapDefaults(s, zOld, &bSentinel);
  if( rc==SQLITE_OK && (bRules || bDefault) ){
    int bHit = 0;
    for(i=0; i<s->nCheck && !bRules && !bHit; i++){
      bHit = scanCounted(&s->aCheck[i], 0);
    }
    if( bRules || bHit ) rc = scanRun(p, s, 1, &bDefault);
    else bDefault = 0;
    migHow(p, MIG_LEVEL_VALIDATE);
  }
  if( rc==SQLITE_OK && (bDefault || bSentinel) ){
    int bShort = 0;
    rc = scanSentinelPass(p, s, &bShort);
    if( rc==SQLITE_OK && bShort ) rc = MIG_NEED_REBUILD;
  }
  return rc;
}
