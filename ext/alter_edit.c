/*
** alter_edit.c: apply ALTER operations to the text of a CREATE TABLE.
**
** A MigSim starts from the table's CREATE TABLE text (migSimInit) and
** applies one MigOp at a time (migSimApply): each edit splices new text
** into the spans found by alter_parse.c and parses the result again, so
** every later operation sees the table as the earlier ones left it.
** Along the way it records
**   - aMap: for each column of the new table, the expression over the
**     old table its values come from (NULL: a new column, its default);
**   - eLevel: the cheapest strategy that can apply the edits so far
**     (MIG_LEVEL_* in alter_int.h);
**   - aCheck: the rules existing rows must pass (a new NOT NULL, CHECK
**     or FOREIGN KEY) and the columns whose DEFAULT changes.
** Errors (no such column, no such constraint, ...) go to s->zErr.
*/
#include "alter_int.h"
#include <string.h>

/*
** Return a copy of z with bytes [iStart, iEnd) replaced by zIns (which
** may be empty). sqlite3_malloc'd; NULL on OOM.
*/
char *migSplice(const char *z, int iStart, int iEnd, const char *zIns){
  return sqlite3_mprintf("%.*s%s%s", iStart, z, zIns, &z[iEnd]);
}

/* Set s->zErr from a format; returns SQLITE_ERROR. */
static int editSimError(MigSim *s, const char *zFmt, const char *zArg){
  sqlite3_free(s->zErr);
  s->zErr = sqlite3_mprintf(zFmt, zArg);
  return s->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* Replace the current text by zNew (owned, may be NULL on OOM) and parse
** it again. */
static int editSimReplace(MigSim *s, char *zNew){
  MigTab *pNew = 0;
  int rc;
  if( zNew==0 ) return SQLITE_NOMEM;
  rc = migTabParse(zNew, &pNew, &s->zErr);
  sqlite3_free(zNew);
  if( rc==SQLITE_OK ){
    migTabFree(s->pTab);
    s->pTab = pNew;
  }
  return rc;
}

/* Splice zIns over [iStart, iEnd) of the current text and reparse. */
static int editSimSplice(MigSim *s, int iStart, int iEnd, const char *zIns){
  return editSimReplace(s, migSplice(s->pTab->zSql, iStart, iEnd, zIns));
}

/* Raise the strategy level to at least eLevel. */
static void editSimLevel(MigSim *s, int eLevel){
  if( s->eLevel<eLevel ) s->eLevel = eLevel;
}

/* Record a rule (MIG_CHK_*); zLabel, zCond and zCol are copied. */
static int editSimCheck(MigSim *s, int eKind, char *zLabel, const char *zCond,
                        const char *zCol){
  MigCheck *aNew;
  MigCheck *pChk;
  aNew = sqlite3_realloc64(s->aCheck, (s->nCheck+1)*sizeof(MigCheck));
  if( aNew==0 ){ sqlite3_free(zLabel); return SQLITE_NOMEM; }
  s->aCheck = aNew;
  pChk = &aNew[s->nCheck++];
  pChk->eKind = eKind;
  pChk->iClause = s->iClause;
  pChk->zLabel = zLabel;
  pChk->zCond = sqlite3_mprintf("%s", zCond ? zCond : "");
  pChk->zCol = sqlite3_mprintf("%s", zCol ? zCol : "");
  if( zLabel==0 || pChk->zCond==0 || pChk->zCol==0 ) return SQLITE_NOMEM;
  return SQLITE_OK;
}

/* Start a simulation from the CREATE TABLE text zSql. */
int migSimInit(MigSim *s, const char *zSql){
  int rc, i;
  memset(s, 0, sizeof(*s));
  rc = migTabParse(zSql, &s->pTab, &s->zErr);
  if( rc!=SQLITE_OK ) return rc;
  s->aMap = sqlite3_malloc64((s->pTab->nCol+1)*sizeof(MigMap));
  if( s->aMap==0 ) return SQLITE_NOMEM;
  memset(s->aMap, 0, (s->pTab->nCol+1)*sizeof(MigMap));
  for(i=0; i<s->pTab->nCol; i++){
    s->aMap[i].zName = sqlite3_mprintf("%s", s->pTab->aCol[i].zName);
    s->aMap[i].zSrc = migQuoteId(s->pTab->aCol[i].zName);
    s->nMap++;
    if( s->aMap[i].zName==0 || s->aMap[i].zSrc==0 ) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* Free what a simulation owns. */
void migSimFree(MigSim *s){
  int i;
  for(i=0; i<s->nMap; i++){
    sqlite3_free(s->aMap[i].zName);
    sqlite3_free(s->aMap[i].zSrc);
  }
  for(i=0; i<s->nCheck; i++){
    sqlite3_free(s->aCheck[i].zLabel);
    sqlite3_free(s->aCheck[i].zCond);
    sqlite3_free(s->aCheck[i].zCol);
  }
  sqlite3_free(s->aMap);
  sqlite3_free(s->aCheck);
  migTabFree(s->pTab);
  sqlite3_free(s->zErr);
  memset(s, 0, sizeof(*s));
}

/* Index of zName in aMap, or -1. */
static int editSimMapFind(MigSim *s, const char *zName){
  int i;
  for(i=0; i<s->nMap; i++){
    if( migNameEq(s->aMap[i].zName, zName) ) return i;
  }
  return -1;
}

/* The column an operation names, or NULL with s->zErr set. */
static MigCol *editSimCol(MigSim *s, const char *zName){
  int i = migTabFindCol(s->pTab, zName);
  if( i<0 ){
    editSimError(s, "no such column: %s", zName);
    return 0;
  }
  return &s->pTab->aCol[i];
}

/* Offset just past the first "," at or after iFrom (comments and
** space skipped), or -1 if the next token is not a comma. */
static int editCommaAfter(const char *z, int iFrom){
  while( z[iFrom] ){
    int eType, n = migTokenLen(&z[iFrom], &eType);
    if( eType==MIG_TK_COMMA ) return iFrom+1;
    if( eType!=MIG_TK_SPACE ) break;
    iFrom += n;
  }
  return -1;
}

/* Remove the body item (column or table constraint) [iStart, iEnd) and
** one comma next to it, keeping the comments around it; a constraint
** sharing an item loses the space before it. */
static int editSimRemove(MigSim *s, int iStart, int iEnd){
  MigTab *pTab = s->pTab;
  const char *z = pTab->zSql;
  int k, iComma;
  for(k=0; k<pTab->nItem; k++){
    if( pTab->aItem[k].iStart!=iStart || pTab->aItem[k].iEnd!=iEnd ) continue;
    if( k+1<pTab->nItem ){
      int a = iStart, b = editCommaAfter(z, iEnd);
      while( a>0 && (z[a-1]==' ' || z[a-1]=='\t') ) a--;
      while( z[b]==' ' || z[b]=='\t' ) b++;
      if( (a==0 || z[a-1]=='\n') && z[b]=='\n' ){
        return editSimSplice(s, a, b+1, "");
      }
      return editSimSplice(s, z[b]=='\n' ? a : iStart, b, "");
    }
    if( k>0 ){
      iComma = editCommaAfter(z, pTab->aItem[k-1].iEnd) - 1;
      while( z[iStart-1]==' ' || z[iStart-1]=='\t' ) iStart--;
      if( z[iStart-1]=='\n' && iStart-1>iComma
       && (z[iEnd]=='\n' || z[iEnd]=='\r') ){
        iStart--;
      }
      return editSimReplace(s, sqlite3_mprintf("%.*s%.*s%s", iComma, z,
                            iStart-iComma-1, &z[iComma+1], &z[iEnd]));
    }
  }
  while( iStart>0 && (z[iStart-1]==' ' || z[iStart-1]=='\n'
                      || z[iStart-1]=='\t') ){
    iStart--;
  }
  return editSimSplice(s, iStart, iEnd, "");
}

/* Append ", zDef" after the last column (bColumn) or the last item. */
static int editSimAddItem(MigSim *s, int bColumn, const char *zDef){
  MigTab *pTab = s->pTab;
  int iAt = bColumn ? pTab->aCol[pTab->nCol-1].iEnd
                    : pTab->aItem[pTab->nItem-1].iEnd;
  char *zIns = sqlite3_mprintf(", %s", zDef);
  int rc;
  if( zIns==0 ) return SQLITE_NOMEM;
  rc = editSimSplice(s, iAt, iAt, zIns);
  sqlite3_free(zIns);
  return rc;
}

/* The value existing rows get in a column added now: its DEFAULT as it
** is at this point of the request (a later SET DEFAULT does not change
** them, as in PostgreSQL), or NULL. */
static char *editAddedValue(MigSim *s, const char *zCol){
  MigCol *pCol = &s->pTab->aCol[migTabFindCol(s->pTab, zCol)];
  MigCons *pDef = migColFindLast(pCol, MIG_CONS_DEFAULT);
  if( pDef==0 ) return sqlite3_mprintf("NULL");
  return sqlite3_mprintf("(%.*s)", pDef->iArgEnd-pDef->iArg,
                         &s->pTab->zSql[pDef->iArg]);
}

/* ADD COLUMN: native where SQLite can (alter_plan.c falls back to a
** rebuild when it refuses). */
static int editOpAddColumn(MigSim *s, MigOp *pOp){
  MigMap *pMap;
  int rc;
  if( migTabFindCol(s->pTab, pOp->zCol)>=0 ){
    if( pOp->bIf ) return SQLITE_OK;
    return editSimError(s, "duplicate column name: %s", pOp->zCol);
  }
  rc = editSimAddItem(s, 1, pOp->zArg);
  if( rc!=SQLITE_OK ) return rc;
  pMap = &s->aMap[s->nMap];
  pMap->zName = sqlite3_mprintf("%s", pOp->zCol);
  pMap->zSrc = editAddedValue(s, pOp->zCol);
  pMap->bNew = 1;
  s->nMap++;
  if( pMap->zName==0 || pMap->zSrc==0 ) return SQLITE_NOMEM;
  pMap = sqlite3_realloc64(s->aMap, (s->nMap+1)*sizeof(MigMap));
  if( pMap==0 ) return SQLITE_NOMEM;
  s->aMap = pMap;
  return SQLITE_OK;
}

/* Set *pbUses if expression zExpr reads column zCol, judged lexically:
** a name that is neither a function (before "(") nor a qualifier
** (before "."). Returns SQLITE_OK or SQLITE_NOMEM. */
static int editExprUsesText(const char *zExpr, const char *zCol, int *pbUses){
  MigToken *aTok = 0;
  int nTok = 0, i, rc = migTokenize(zExpr, &aTok, &nTok);
  *pbUses = 0;
  for(i=0; rc==SQLITE_OK && i<nTok && !*pbUses; i++){
    if( aTok[i].eType==MIG_TK_ID || aTok[i].eType==MIG_TK_QID ){
      int eNext = i+1<nTok ? aTok[i+1].eType : 0;
      if( eNext!=MIG_TK_LP && eNext!=MIG_TK_DOT ){
        char *z = migTokName(zExpr, &aTok[i]);
        if( z==0 ) rc = SQLITE_NOMEM;
        else *pbUses = migNameEq(z, zCol);
        sqlite3_free(z);
      }
    }
  }
  sqlite3_free(aTok);
  return rc;
}

/* SQL selecting zExpr from a row of the columns of pTab but zSkip (NULL:
** all), under the table's name so qualified names resolve. */
static char *editExprProbe(MigTab *pTab, const char *zExpr,
                           const char *zSkip){
  sqlite3_str *pStr = sqlite3_str_new(0);
  const char *zSep = "";
  int i;
  sqlite3_str_appendf(pStr, "SELECT (%s) FROM (SELECT ", zExpr);
  for(i=0; i<pTab->nCol; i++){
    if( zSkip && migNameEq(pTab->aCol[i].zName, zSkip) ) continue;
    sqlite3_str_appendf(pStr, "%sNULL AS \"%w\"", zSep, pTab->aCol[i].zName);
    zSep = ", ";
  }
  sqlite3_str_appendf(pStr, "%s) AS \"%w\"", zSep[0] ? "" : "NULL",
                      pTab->zName);
  return sqlite3_str_finish(pStr);
}

/* Prepare (never run) zSql on db with double-quoted strings off, so a
** "name" that names no column cannot pass for a string. Returns
** SQLITE_OK, SQLITE_ERROR (it does not compile) or SQLITE_NOMEM. */
static int editCompilesOn(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  int bDqs = 0, rc;
  if( zSql==0 ) return SQLITE_NOMEM;
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, -1, &bDqs);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int*)0);
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_finalize(pStmt);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, bDqs, (int*)0);
  if( (rc&0xff)==SQLITE_NOMEM ) return SQLITE_NOMEM;
  return rc==SQLITE_OK ? SQLITE_OK : SQLITE_ERROR;
}

/*
** Set *pbUses if the expression of constraint pCons (CHECK, generated
** column) reads column zCol. With a connection, SQLite decides: the
** expression is compiled over the columns without zCol (keywords used as
** names, strings, functions and qualified names all resolved as SQLite
** does); without one, or if it does not compile even over every column,
** the text decides. Returns SQLITE_OK or SQLITE_NOMEM.
*/
static int editConsUses(MigSim *s, MigCons *pCons, const char *zCol,
                        int *pbUses){
  MigTab *pTab = s->pTab;
  char *zExpr = sqlite3_mprintf("%.*s", pCons->iArgEnd-pCons->iArg,
                                &pTab->zSql[pCons->iArg]);
  int rc = zExpr ? SQLITE_OK : SQLITE_NOMEM;
  int rcAll = SQLITE_ERROR;
  *pbUses = 1;
  if( rc==SQLITE_OK && s->db ){
    char *zAll = editExprProbe(pTab, zExpr, 0);
    rcAll = editCompilesOn(s->db, zAll);
    sqlite3_free(zAll);
    if( rcAll==SQLITE_NOMEM ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK && rcAll==SQLITE_OK ){
    char *zWithout = editExprProbe(pTab, zExpr, zCol);
    int rc2 = editCompilesOn(s->db, zWithout);
    sqlite3_free(zWithout);
    if( rc2==SQLITE_NOMEM ) rc = SQLITE_NOMEM;
    *pbUses = rc2!=SQLITE_OK;
  }else if( rc==SQLITE_OK ){
    rc = editExprUsesText(zExpr, zCol, pbUses);
  }
  sqlite3_free(zExpr);
  return rc;
}

/* Set *pbGoes if table constraint pCons goes with column zCol: its
** column list names it (PRIMARY KEY, UNIQUE, FOREIGN KEY) or its CHECK
** reads it. */
static int editConsGoes(MigSim *s, MigCons *pCons, const char *zCol,
                        int *pbGoes){
  *pbGoes = 0;
  switch( pCons->eKind ){
    case MIG_CONS_PK: case MIG_CONS_UNIQUE: case MIG_CONS_FK:
      *pbGoes = migConsListHas(s->pTab, pCons, zCol);
      return SQLITE_OK;
    case MIG_CONS_CHECK:
      return editConsUses(s, pCons, zCol, pbGoes);
  }
  return SQLITE_OK;
}

/* Drop every table constraint on column zCol, as PostgreSQL does when a
** column goes; a CHECK or generated expression of another column that
** reads zCol is an error naming it. */
static int editSimDropTableCons(MigSim *s, const char *zCol){
  int i, j, bUses = 0, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<s->pTab->nCol; i++){
    MigCol *pCol = &s->pTab->aCol[i];
    if( migNameEq(pCol->zName, zCol) ) continue;
    for(j=0; rc==SQLITE_OK && j<pCol->nCons; j++){
      MigCons *p = &pCol->aCons[j];
      if( p->eKind!=MIG_CONS_CHECK && p->eKind!=MIG_CONS_GENERATED ) continue;
      rc = editConsUses(s, p, zCol, &bUses);
      if( rc==SQLITE_OK && bUses ){
        char *zMsg = sqlite3_mprintf("cannot drop column %%s: %s (%.*s) on "
            "column %s uses it", p->eKind==MIG_CONS_CHECK ? "CHECK"
            : "generated column expression", p->iArgEnd-p->iArg,
            &s->pTab->zSql[p->iArg], pCol->zName);
        rc = zMsg ? editSimError(s, zMsg, zCol) : SQLITE_NOMEM;
        sqlite3_free(zMsg);
      }
    }
  }
  for(i=s->pTab->nCons-1; rc==SQLITE_OK && i>=0; i--){
    MigCons *pCons = &s->pTab->aCons[i];
    rc = editConsGoes(s, pCons, zCol, &bUses);
    if( rc==SQLITE_OK && bUses ){
      rc = editSimRemove(s, pCons->iStart, pCons->iEnd);
    }
  }
  return rc;
}

/* DROP COLUMN. */
static int editOpDropColumn(MigSim *s, MigOp *pOp){
  int iCol = migTabFindCol(s->pTab, pOp->zCol);
  int iMap, rc;
  MigCol *pCol;
  if( iCol<0 ){
    if( pOp->bIf ) return SQLITE_OK;
    return editSimError(s, "no such column: %s", pOp->zCol);
  }
  if( s->pTab->nCol==1 ){
    return editSimError(s, "cannot drop column %s: no other columns exist",
                        pOp->zCol);
  }
  rc = editSimDropTableCons(s, pOp->zCol);
  if( rc!=SQLITE_OK ) return rc;
  pCol = &s->pTab->aCol[migTabFindCol(s->pTab, pOp->zCol)];
  rc = editSimRemove(s, pCol->iStart, pCol->iEnd);
  iMap = editSimMapFind(s, pOp->zCol);
  if( rc==SQLITE_OK && iMap>=0 ){
    sqlite3_free(s->aMap[iMap].zName);
    sqlite3_free(s->aMap[iMap].zSrc);
    memmove(&s->aMap[iMap], &s->aMap[iMap+1], (s->nMap-iMap-1)*sizeof(MigMap));
    s->nMap--;
  }
  return rc;
}

/* True if column pCol is (part of) the PRIMARY KEY. */
static int editSimIsPk(MigSim *s, MigCol *pCol){
  int i;
  if( migColFindCons(pCol, MIG_CONS_PK) ) return 1;
  for(i=0; i<s->pTab->nCons; i++){
    MigCons *p = &s->pTab->aCons[i];
    if( p->eKind==MIG_CONS_PK && migConsListHas(s->pTab, p, pCol->zName) ){
      return 1;
    }
  }
  return 0;
}

/* Remove every constraint of kind eKind from column zCol. */
static int editSimDropColCons(MigSim *s, const char *zCol, int eKind){
  int rc = SQLITE_OK;
  MigCons *pCons;
  while( rc==SQLITE_OK ){
    MigCol *pCol = &s->pTab->aCol[migTabFindCol(s->pTab, zCol)];
    pCons = migColFindCons(pCol, eKind);
    if( pCons==0 ) break;
    rc = editSimRemove(s, pCons->iStart, pCons->iEnd);
  }
  return rc;
}

/* ALTER COLUMN c TYPE t [COLLATE k] [USING e]: an in-place edit when
** neither the stored values nor their order can change, else a rebuild.
** A COLLATE in the new type replaces the column's own COLLATE clauses
** (SQLite would take the last one written). */
static int editOpType(MigSim *s, MigOp *pOp){
  MigCol *pCol = editSimCol(s, pOp->zCol);
  char *zOld, *zIns;
  int bSame, rc, iMap, bColl;
  if( pCol==0 ) return SQLITE_ERROR;
  bColl = migTokUsesName(pOp->zArg, 0, (int)strlen(pOp->zArg), "COLLATE");
  if( bColl ){
    rc = editSimDropColCons(s, pOp->zCol, MIG_CONS_COLLATE);
    if( rc!=SQLITE_OK ) return rc;
    pCol = editSimCol(s, pOp->zCol);
  }
  iMap = editSimMapFind(s, pOp->zCol);
  if( iMap>=0 && s->aMap[iMap].bRetyped ){
    /* The values would be converted once, not twice: refused, as in
    ** PostgreSQL. */
    return editSimError(s, "cannot change the type of column %s twice in one "
                        "request", pOp->zCol);
  }
  if( iMap>=0 ) s->aMap[iMap].bRetyped = 1;
  zOld = sqlite3_mprintf("%.*s", pCol->iTypeEnd-pCol->iType,
                         &s->pTab->zSql[pCol->iType]);
  if( zOld==0 ) return SQLITE_NOMEM;
  bSame = migAffinity(zOld)==migAffinity(pOp->zArg) && pOp->zUsing==0
       && !s->pTab->bStrict && !editSimIsPk(s, pCol) && !bColl;
  editSimLevel(s, bSame ? MIG_LEVEL_EDIT : MIG_LEVEL_REBUILD);
  zIns = sqlite3_mprintf("%s%s", pCol->iType==pCol->iTypeEnd ? " " : "",
                         pOp->zArg);
  rc = zIns ? editSimSplice(s, pCol->iType, pCol->iTypeEnd, zIns)
            : SQLITE_NOMEM;
  sqlite3_free(zIns);
  sqlite3_free(zOld);
  iMap = editSimMapFind(s, pOp->zCol);
  if( rc==SQLITE_OK && pOp->zUsing && iMap>=0 ){
    sqlite3_free(s->aMap[iMap].zSrc);
    s->aMap[iMap].zSrc = sqlite3_mprintf("(%s)", pOp->zUsing);
    if( s->aMap[iMap].zSrc==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/* Append " zText" to the definition of column zCol. */
static int editSimColAppend(MigSim *s, const char *zCol, const char *zText){
  MigCol *pCol = &s->pTab->aCol[migTabFindCol(s->pTab, zCol)];
  char *zIns = sqlite3_mprintf(" %s", zText);
  int rc;
  if( zIns==0 ) return SQLITE_NOMEM;
  rc = editSimSplice(s, pCol->iEnd, pCol->iEnd, zIns);
  sqlite3_free(zIns);
  return rc;
}

/* ALTER COLUMN c SET NOT NULL: validate, then edit. */
static int editOpSetNotNull(MigSim *s, MigOp *pOp){
  MigCol *pCol = editSimCol(s, pOp->zCol);
  char *zCond;
  int rc;
  if( pCol==0 ) return SQLITE_ERROR;
  if( migColFindCons(pCol, MIG_CONS_NOTNULL) ) return SQLITE_OK;
  rc = editSimDropColCons(s, pOp->zCol, MIG_CONS_NULL);
  if( rc==SQLITE_OK ) rc = editSimColAppend(s, pOp->zCol, "NOT NULL");
  zCond = sqlite3_mprintf("\"%w\" IS NULL", pOp->zCol);
  if( rc==SQLITE_OK && zCond ){
    rc = editSimCheck(s, MIG_CHK_COND,
        sqlite3_mprintf("NOT NULL constraint on %s", pOp->zCol), zCond, 0);
  }
  if( zCond==0 ) rc = SQLITE_NOMEM;
  sqlite3_free(zCond);
  editSimLevel(s, MIG_LEVEL_VALIDATE);
  return rc;
}

/* ALTER COLUMN c DROP NOT NULL: an in-place edit. */
static int editOpDropNotNull(MigSim *s, MigOp *pOp){
  if( editSimCol(s, pOp->zCol)==0 ) return SQLITE_ERROR;
  editSimLevel(s, MIG_LEVEL_EDIT);
  return editSimDropColCons(s, pOp->zCol, MIG_CONS_NOTNULL);
}

/* The text of a DEFAULT clause for expression zExpr: literals and signed
** numbers as they are, anything else in parentheses. */
static char *editDefaultClause(const char *zExpr){
  MigToken *aTok = 0;
  int nTok = 0, bBare;
  if( migTokenize(zExpr, &aTok, &nTok)!=SQLITE_OK ) return 0;
  bBare = (nTok==1 && aTok[0].eType!=MIG_TK_OP)
       || (nTok==2 && aTok[0].eType==MIG_TK_OP && aTok[1].eType==MIG_TK_NUMBER)
       || (nTok>0 && aTok[0].eType==MIG_TK_LP
           && migTokMatchParen(aTok, nTok, 0)==nTok-1);
  sqlite3_free(aTok);
  return sqlite3_mprintf(bBare ? "DEFAULT %s" : "DEFAULT (%s)", zExpr);
}

/* Record that the DEFAULT of zCol changes (alter_plan.c checks that no
** row still takes its value from the old default). */
static int editSimDefaultChanges(MigSim *s, const char *zCol){
  editSimLevel(s, MIG_LEVEL_EDIT);
  return editSimCheck(s, MIG_CHK_DEFAULT, sqlite3_mprintf("%s", zCol), 0, zCol);
}

/* ALTER COLUMN c SET DEFAULT e / DROP DEFAULT (zExpr NULL). */
static int editOpDefault(MigSim *s, MigOp *pOp, const char *zExpr){
  MigCol *pCol = editSimCol(s, pOp->zCol);
  MigCons *pCons;
  char *zNew = 0;
  int rc = SQLITE_OK;
  if( pCol==0 ) return SQLITE_ERROR;
  pCons = migColFindLast(pCol, MIG_CONS_DEFAULT);
  if( zExpr ){
    zNew = editDefaultClause(zExpr);
    if( zNew==0 ) return SQLITE_NOMEM;
    if( pCons ){
      rc = editSimSplice(s, pCons->iStart, pCons->iEnd, zNew);
    }else{
      rc = editSimColAppend(s, pOp->zCol, zNew);
    }
    sqlite3_free(zNew);
  }else if( pCons ){
    rc = editSimDropColCons(s, pOp->zCol, MIG_CONS_DEFAULT);
  }
  if( rc==SQLITE_OK && (pCons || zExpr) ){
    rc = editSimDefaultChanges(s, pOp->zCol);
  }
  return rc;
}

/* A named constraint (column or table) called zName, or NULL. Sets
** *ppCol to its column (NULL for a table constraint). */
static MigCons *editSimFindNamed(MigSim *s, const char *zName, MigCol **ppCol){
  int i, j;
  *ppCol = 0;
  for(i=0; i<s->pTab->nCons; i++){
    MigCons *p = &s->pTab->aCons[i];
    if( p->zName && migNameEq(p->zName, zName) ) return p;
  }
  for(i=0; i<s->pTab->nCol; i++){
    for(j=0; j<s->pTab->aCol[i].nCons; j++){
      MigCons *p = &s->pTab->aCol[i].aCons[j];
      if( p->zName && migNameEq(p->zName, zName) ){
        *ppCol = &s->pTab->aCol[i];
        return p;
      }
    }
  }
  return 0;
}

/* The label of a constraint in messages: its name, or what it says. */
static char *editConsLabel(MigTab *pTab, MigCons *p, const char *zKind){
  if( p->zName ) return sqlite3_mprintf("%s constraint %s", zKind, p->zName);
  return sqlite3_mprintf("%s (%.*s)", zKind, p->iArgEnd-p->iArg,
                         &pTab->zSql[p->iArg]);
}

/* The table name after REFERENCES in constraint p (sqlite3_malloc'd). */
static char *editFkParent(MigTab *pTab, MigCons *p){
  MigToken *aTok = 0;
  int nTok = 0, i;
  char *zPart = sqlite3_mprintf("%.*s", p->iEnd-p->iStart,
                                &pTab->zSql[p->iStart]);
  char *zRet = 0;
  if( zPart && migTokenize(zPart, &aTok, &nTok)==SQLITE_OK ){
    for(i=0; i+1<nTok; i++){
      if( migTokIsWord(zPart, &aTok[i], "REFERENCES") ){
        zRet = migTokName(zPart, &aTok[i+1]);
        break;
      }
    }
  }
  sqlite3_free(aTok);
  sqlite3_free(zPart);
  return zRet;
}

/* The first name in the column list of table constraint p. */
static char *editFkChild(MigTab *pTab, MigCons *p){
  char *zList = sqlite3_mprintf("%.*s", p->iArgEnd-p->iArg,
                                &pTab->zSql[p->iArg]);
  MigToken *aTok = 0;
  int nTok = 0;
  char *zRet = 0;
  if( zList && migTokenize(zList, &aTok, &nTok)==SQLITE_OK && nTok>0 ){
    zRet = migTokName(zList, &aTok[0]);
  }
  sqlite3_free(aTok);
  sqlite3_free(zList);
  return zRet;
}

/* Record the rule a newly added table constraint p imposes. */
static int editSimNewRule(MigSim *s, MigCons *p){
  MigTab *pTab = s->pTab;
  int rc = SQLITE_OK;
  if( p->eKind==MIG_CONS_CHECK ){
    char *zCond = sqlite3_mprintf("NOT (%.*s)", p->iArgEnd-p->iArg,
                                  &pTab->zSql[p->iArg]);
    rc = zCond ? editSimCheck(s, MIG_CHK_COND,
                              editConsLabel(pTab, p, "CHECK"), zCond, 0)
               : SQLITE_NOMEM;
    sqlite3_free(zCond);
    editSimLevel(s, MIG_LEVEL_VALIDATE);
  }else if( p->eKind==MIG_CONS_FK ){
    char *zParent = editFkParent(pTab, p);
    char *zChild = editFkChild(pTab, p);
    rc = (zParent && zChild) ? editSimCheck(s, MIG_CHK_FK,
             editConsLabel(pTab, p, "FOREIGN KEY"), zParent, zChild)
         : SQLITE_NOMEM;
    sqlite3_free(zParent);
    sqlite3_free(zChild);
    editSimLevel(s, MIG_LEVEL_VALIDATE);
  }else{
    editSimLevel(s, MIG_LEVEL_REBUILD);   /* UNIQUE, PRIMARY KEY */
  }
  return rc;
}

/* True if the table has a PRIMARY KEY (column or table constraint). */
static int editSimHasPk(MigSim *s){
  int i;
  for(i=0; i<s->pTab->nCons; i++){
    if( s->pTab->aCons[i].eKind==MIG_CONS_PK ) return 1;
  }
  for(i=0; i<s->pTab->nCol; i++){
    if( migColFindCons(&s->pTab->aCol[i], MIG_CONS_PK) ) return 1;
  }
  return 0;
}

/* ADD [CONSTRAINT n] CHECK (...) | UNIQUE (...) | FOREIGN KEY ... |
** PRIMARY KEY (...). */
static int editOpAddCons(MigSim *s, MigOp *pOp){
  MigCol *pCol;
  MigCons *pNew;
  int bHadPk = editSimHasPk(s);
  int rc;
  if( pOp->zCol && editSimFindNamed(s, pOp->zCol, &pCol) ){
    return editSimError(s, "constraint %s already exists", pOp->zCol);
  }
  rc = editSimAddItem(s, 0, pOp->zArg);
  if( rc!=SQLITE_OK ) return rc;
  if( s->pTab->nCons==0 ){
    return editSimError(s, "not a table constraint: %s", pOp->zArg);
  }
  pNew = &s->pTab->aCons[s->pTab->nCons-1];
  if( pNew->eKind==MIG_CONS_PK && bHadPk ){
    return editSimError(s, "multiple primary keys are not allowed: %s",
                        pOp->zArg);
  }
  return editSimNewRule(s, pNew);
}

/* The level needed to drop a constraint of kind eKind. */
static int editDropLevel(int eKind){
  switch( eKind ){
    case MIG_CONS_CHECK: case MIG_CONS_FK: case MIG_CONS_NOTNULL:
    case MIG_CONS_NULL: case MIG_CONS_DEFAULT:
      return MIG_LEVEL_EDIT;
  }
  return MIG_LEVEL_REBUILD;
}

/* DROP CONSTRAINT [IF EXISTS] n. */
static int editOpDropCons(MigSim *s, MigOp *pOp){
  MigCol *pCol = 0;
  MigCons *pCons = editSimFindNamed(s, pOp->zArg, &pCol);
  char *zCol;
  int rc, eKind;
  if( pCons==0 ){
    if( pOp->bIf ) return SQLITE_OK;
    return editSimError(s, "no such constraint: %s", pOp->zArg);
  }
  eKind = pCons->eKind;
  editSimLevel(s, editDropLevel(eKind));
  zCol = pCol ? sqlite3_mprintf("%s", pCol->zName) : 0;
  rc = editSimRemove(s, pCons->iStart, pCons->iEnd);
  if( rc==SQLITE_OK && eKind==MIG_CONS_DEFAULT && zCol ){
    rc = editSimDefaultChanges(s, zCol);
  }
  sqlite3_free(zCol);
  return rc;
}

/* DROP CHECK (expr): the first CHECK, table or column, saying expr. */
static int editOpDropCheck(MigSim *s, MigOp *pOp){
  MigTab *pTab = s->pTab;
  int i, j;
  for(i=-1; i<pTab->nCol; i++){
    int nCons = i<0 ? pTab->nCons : pTab->aCol[i].nCons;
    MigCons *aCons = i<0 ? pTab->aCons : pTab->aCol[i].aCons;
    for(j=0; j<nCons; j++){
      char *zExpr;
      int bSame;
      if( aCons[j].eKind!=MIG_CONS_CHECK ) continue;
      zExpr = sqlite3_mprintf("%.*s", aCons[j].iArgEnd-aCons[j].iArg,
                              &pTab->zSql[aCons[j].iArg]);
      if( zExpr==0 ) return SQLITE_NOMEM;
      bSame = migTokSameText(zExpr, pOp->zArg);
      sqlite3_free(zExpr);
      if( bSame ){
        editSimLevel(s, MIG_LEVEL_EDIT);
        return editSimRemove(s, aCons[j].iStart, aCons[j].iEnd);
      }
    }
  }
  return editSimError(s, "no such constraint: CHECK (%s)", pOp->zArg);
}

/* Move aMap entry iFrom to position iTo. */
static void editSimMapMove(MigSim *s, int iFrom, int iTo){
  MigMap tmp = s->aMap[iFrom];
  if( iFrom<iTo ){
    memmove(&s->aMap[iFrom], &s->aMap[iFrom+1], (iTo-iFrom)*sizeof(MigMap));
  }else{
    memmove(&s->aMap[iTo+1], &s->aMap[iTo], (iFrom-iTo)*sizeof(MigMap));
  }
  s->aMap[iTo] = tmp;
}

/*
** How the text around body item k is laid out, for moving items:
**   [iLead, iOwn)   whitespace before it (belongs to the position);
**   [iOwn, iCore)   comments on the lines before it (belong to it);
**   [iCore, iEnd)   the item itself, then what precedes its comma;
**   [iTrail, iNext) comments after the comma on the same line (belong
**                   to it); the last item: those after the item.
** The text after the last item's trail, up to ")", is the close.
*/
typedef struct MigLayout MigLayout;
struct MigLayout {
  int iLead, iOwn, iCore, iEnd, iTrail, iNext;
  int bLine;                   /* Trail ends with a -- comment */
};

/* Fill aL[0..nItem) for the current text; returns the offset of the
** close (what follows the last item's trail). */
static int editLayoutOf(MigTab *pTab, MigLayout *aL){
  const char *z = pTab->zSql;
  int k, i = pTab->iOpen+1;
  for(k=0; k<pTab->nItem; k++){
    MigLayout *pL = &aL[k];
    int eType, n, bLast = k==pTab->nItem-1;
    pL->iLead = i;
    while( i<pTab->aItem[k].iStart ){
      n = migTokenLen(&z[i], &eType);
      if( z[i]=='-' || z[i]=='/' ) break;
      i += n;
    }
    pL->iOwn = i;
    pL->iCore = pTab->aItem[k].iStart;
    i = pTab->aItem[k].iEnd;
    if( !bLast ){
      i = editCommaAfter(z, i) - 1;
      if( i<0 ) i = pTab->aItem[k].iEnd;
    }
    pL->iEnd = i;
    if( !bLast ) i++;
    pL->iTrail = i;
    pL->bLine = 0;
    pL->iNext = i;
    for(;;){
      int j = i;
      while( z[j]==' ' || z[j]=='\t' ) j++;
      if( !(z[j]=='-' && z[j+1]=='-') && !(z[j]=='/' && z[j+1]=='*') ) break;
      n = migTokenLen(&z[j], &eType);
      pL->bLine = z[j]=='-';
      if( pL->bLine && z[j+n-1]=='\n' ) n--;
      i = pL->iNext = j+n;
    }
    if( pL->iNext<pL->iTrail ) pL->iNext = pL->iTrail;
    i = pL->iNext;
  }
  return i;
}

/* Append the text [iFrom, iTo) of z to pStr. */
static void editAppendRange(sqlite3_str *pStr, const char *z, int iFrom,
                            int iTo){
  if( iTo>iFrom ) sqlite3_str_append(pStr, &z[iFrom], iTo-iFrom);
}

/*
** Rewrite the body with its items in the order aOrder[0..nItem): each
** position keeps its own whitespace and comma, each item carries its
** text and the comments that belong to it (MigLayout).
*/
static int editSimReorder(MigSim *s, const int *aOrder){
  MigTab *pTab = s->pTab;
  const char *z = pTab->zSql;
  MigLayout *aL = sqlite3_malloc64(sizeof(MigLayout)*pTab->nItem);
  sqlite3_str *pStr;
  int p, n = pTab->nItem, iClose;
  if( aL==0 ) return SQLITE_NOMEM;
  memset(aL, 0, sizeof(MigLayout)*n);
  iClose = editLayoutOf(pTab, aL);
  pStr = sqlite3_str_new(0);
  editAppendRange(pStr, z, 0, pTab->iOpen+1);
  for(p=0; p<n; p++){
    MigLayout *pL = &aL[aOrder[p]];
    int bLast = p==n-1;
    int iWs = aL[p].iLead, iWsEnd = aL[p].iOwn;
    if( p>0 && aL[aOrder[p-1]].bLine && (iWs==iWsEnd || z[iWs]!='\n') ){
      sqlite3_str_appendchar(pStr, 1, '\n');
    }
    editAppendRange(pStr, z, iWs, iWsEnd);
    editAppendRange(pStr, z, pL->iOwn, pL->iEnd);
    if( !bLast ) sqlite3_str_appendchar(pStr, 1, ',');
    editAppendRange(pStr, z, pL->iTrail, pL->iNext);
    if( bLast && pL->bLine && z[iClose]!='\n' ){
      sqlite3_str_appendchar(pStr, 1, '\n');
    }
  }
  sqlite3_str_appendall(pStr, &z[iClose]);
  sqlite3_free(aL);
  return editSimReplace(s, sqlite3_str_finish(pStr));
}

/* MOVE COLUMN c FIRST | AFTER d: the columns in their new order, the
** table constraints where they are (editSimReorder). */
static int editOpMove(MigSim *s, MigOp *pOp){
  MigCol *pCol = editSimCol(s, pOp->zCol);
  int *aOrder;
  int i, j, iFrom, iTo, rc;
  if( pCol==0 ) return SQLITE_ERROR;
  if( pOp->zArg && editSimCol(s, pOp->zArg)==0 ) return SQLITE_ERROR;
  if( pOp->zArg && migNameEq(pOp->zArg, pOp->zCol) ){
    return editSimError(s, "cannot move column %s after itself", pOp->zCol);
  }
  editSimLevel(s, MIG_LEVEL_REBUILD);
  iFrom = migTabFindCol(s->pTab, pOp->zCol);
  iTo = pOp->zArg ? migTabFindCol(s->pTab, pOp->zArg) + 1 : 0;
  if( iTo>iFrom ) iTo--;
  aOrder = sqlite3_malloc64(sizeof(int)*s->pTab->nItem);
  if( aOrder==0 ) return SQLITE_NOMEM;
  for(i=0, j=0; i<s->pTab->nCol; i++){
    if( i==iFrom ) continue;
    if( j==iTo ) aOrder[j++] = iFrom;
    aOrder[j++] = i;
  }
  if( j==iTo ) aOrder[j++] = iFrom;
  for(i=s->pTab->nCol; i<s->pTab->nItem; i++) aOrder[i] = i;
  rc = iFrom==iTo ? SQLITE_OK : editSimReorder(s, aOrder);
  sqlite3_free(aOrder);
  if( rc==SQLITE_OK ){
    int iMap = editSimMapFind(s, pOp->zCol);
    if( iMap>=0 ) editSimMapMove(s, iMap, iTo);
  }
  return rc;
}

/*
** Apply one operation to the simulation. Renames of columns and of the
** table are not text edits (alter_plan.c runs them natively) and must
** not be passed here. Returns SQLITE_OK, or an error with s->zErr set.
*/
int migSimApply(MigSim *s, MigOp *pOp){
  switch( pOp->eOp ){
    case MIG_OP_ADD_COLUMN:    return editOpAddColumn(s, pOp);
    case MIG_OP_DROP_COLUMN:   return editOpDropColumn(s, pOp);
    case MIG_OP_TYPE:          return editOpType(s, pOp);
    case MIG_OP_SET_NOT_NULL:  return editOpSetNotNull(s, pOp);
    case MIG_OP_DROP_NOT_NULL: return editOpDropNotNull(s, pOp);
    case MIG_OP_SET_DEFAULT:   return editOpDefault(s, pOp, pOp->zArg);
    case MIG_OP_DROP_DEFAULT:  return editOpDefault(s, pOp, 0);
    case MIG_OP_ADD_CONS:      return editOpAddCons(s, pOp);
    case MIG_OP_DROP_CONS:     return editOpDropCons(s, pOp);
    case MIG_OP_DROP_CHECK:    return editOpDropCheck(s, pOp);
    case MIG_OP_MOVE:          return editOpMove(s, pOp);
  }
  return editSimError(s, "cannot apply clause: %s", pOp->zText);
}
