/*
** alter_plan.c: choose and run the cheapest correct strategy for one
** ALTER request (migAlterRun), inside the transaction or savepoint that
** alter.c opened.
**
**   1. RENAME COLUMN clauses run first, natively (SQLite carries the new
**      name, written as the clause writes it, through indexes, CHECKs,
**      foreign keys, views and triggers);
**      clauses written before a rename that name the old column are
**      pointed at the new name.
**   2. The other clauses are applied to the CREATE TABLE text (MigSim,
**      alter_edit.c), which tells the strategy they need.
**   3. If any clause changes rows (MIG_LEVEL_REBUILD), or the connection
**      is in defensive mode and a schema edit would be needed, the whole
**      request is one rebuild (alter_rebuild.c).
**   4. Otherwise the clauses run in order: ADD COLUMN and DROP COLUMN
**      through SQLite's ALTER TABLE, runs of the other clauses as one
**      in-place schema edit each, after one read-only pass over the rows
**      that checks every new rule at once. If SQLite refuses a native
**      clause, or rows still read a DEFAULT that changes, alter.c rolls
**      everything back and runs the request again as one rebuild.
**   5. RENAME TO runs last, natively.
**
** The read-only pass, and why a DEFAULT change may need one, are in
** alter_scan.c.
*/
#include "alter_int.h"
#include <string.h>

/* Set *pbHas if the table has a column zCol (as SQLite compares
** names). Returns SQLITE_OK or an error, recorded in p. */
static int planHasColumn(MigAlter *p, const char *zCol, int *pbHas){
  sqlite3_int64 n = 0;
  int rc = migAlterInt(p, &n, "SELECT count(*) FROM pragma_table_xinfo(%Q, "
                       "%Q) WHERE name=%Q COLLATE nocase", p->zTable,
                       p->zSchema, zCol);
  *pbHas = n>0;
  return rc;
}

/* *pz (an expression or a constraint, sqlite3_malloc'd) with every name
** token zOld that is not a function replaced by zRaw. */
static int planRenameIn(char **pz, const char *zOld, const char *zRaw){
  MigToken *aTok = 0;
  sqlite3_str *pStr;
  int nTok = 0, i, iDone = 0;
  const char *z = *pz;
  if( z==0 ) return SQLITE_OK;
  if( migTokenize(z, &aTok, &nTok)!=SQLITE_OK ) return SQLITE_NOMEM;
  pStr = sqlite3_str_new(0);
  for(i=0; i<nTok; i++){
    char *zName;
    if( aTok[i].eType!=MIG_TK_ID && aTok[i].eType!=MIG_TK_QID ) continue;
    if( i+1<nTok && aTok[i+1].eType==MIG_TK_LP ) continue;
    zName = migTokName(z, &aTok[i]);
    if( zName && migNameEq(zName, zOld) ){
      sqlite3_str_appendf(pStr, "%.*s%s", aTok[i].iOff-iDone, &z[iDone], zRaw);
      iDone = aTok[i].iOff + aTok[i].n;
    }
    sqlite3_free(zName);
  }
  sqlite3_str_appendall(pStr, &z[iDone]);
  sqlite3_free(aTok);
  z = sqlite3_str_finish(pStr);
  if( z==0 ) return SQLITE_NOMEM;
  sqlite3_free(*pz);
  *pz = (char*)z;
  return SQLITE_OK;
}

/* Point clauses before aOp[iRename] that name column zOld at zNew: the
** column they are about, and the names in their expressions. */
static int planRetarget(MigAlter *p, int iRename){
  const char *zOld = p->aOp[iRename].zCol;
  const char *zNew = p->aOp[iRename].zArg;
  const char *zRaw = p->aOp[iRename].zRaw;
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<iRename; i++){
    MigOp *pOp = &p->aOp[i];
    if( pOp->eOp==MIG_OP_RENAME_COLUMN ) continue;
    if( pOp->eOp==MIG_OP_ADD_CONS || pOp->eOp==MIG_OP_DROP_CHECK ){
      rc = planRenameIn(&pOp->zArg, zOld, zRaw);
      continue;
    }
    if( pOp->eOp==MIG_OP_MOVE && pOp->zArg && migNameEq(pOp->zArg, zOld) ){
      char *z = sqlite3_mprintf("%s", zNew);
      if( z==0 ) return SQLITE_NOMEM;
      sqlite3_free(pOp->zArg);
      pOp->zArg = z;
    }
    if( pOp->eOp==MIG_OP_TYPE ) rc = planRenameIn(&pOp->zUsing, zOld, zRaw);
    if( pOp->zCol && migNameEq(pOp->zCol, zOld) ){
      char *z = sqlite3_mprintf("%s", zNew);
      if( z==0 ) return SQLITE_NOMEM;
      sqlite3_free(pOp->zCol);
      pOp->zCol = z;
    }
  }
  return rc;
}

/* If aOp[iRename] renames a column an earlier ADD COLUMN of the request
** adds (or added, on a second run), set *piAdd to the index of that ADD,
** else to -1. Returns SQLITE_OK or an error. */
static int planAddedBefore(MigAlter *p, int iRename, int *piAdd){
  MigOp *pRen = &p->aOp[iRename];
  int i, bHas = 0;
  int rc = planHasColumn(p, pRen->zCol, &bHas);
  *piAdd = -1;
  if( rc!=SQLITE_OK || bHas ) return rc;
  for(i=0; i<iRename; i++){
    MigOp *pOp = &p->aOp[i];
    if( pOp->eOp==MIG_OP_ADD_COLUMN && (migNameEq(pOp->zCol, pRen->zCol)
                                     || migNameEq(pOp->zCol, pRen->zArg)) ){
      *piAdd = i;
      break;
    }
  }
  return SQLITE_OK;
}

/* Rename, in the request, the column aOp[iAdd] adds: its definition
** takes the new name (as the RENAME writes it), and so do the clauses
** between. */
static int planRenameAdded(MigAlter *p, int iAdd, int iRename){
  MigOp *pAdd = &p->aOp[iAdd];
  MigOp *pRen = &p->aOp[iRename];
  MigToken *aTok = 0;
  int nTok = 0, rc, i;
  char *zDef, *zCol;
  if( migNameEq(pAdd->zCol, pRen->zArg) ) return SQLITE_OK;  /* done */
  rc = migTokenize(pAdd->zArg, &aTok, &nTok);
  if( rc!=SQLITE_OK ) return rc;
  zDef = nTok ? sqlite3_mprintf("%s%s", pRen->zRaw,
                                &pAdd->zArg[aTok[0].iOff+aTok[0].n]) : 0;
  zCol = sqlite3_mprintf("%s", pRen->zArg);
  sqlite3_free(aTok);
  if( zDef==0 || zCol==0 ){
    sqlite3_free(zDef);
    sqlite3_free(zCol);
    return SQLITE_NOMEM;
  }
  sqlite3_free(pAdd->zArg);
  sqlite3_free(pAdd->zCol);
  pAdd->zArg = zDef;
  pAdd->zCol = zCol;
  for(i=iAdd+1, rc=SQLITE_OK; rc==SQLITE_OK && i<iRename; i++){
    MigOp *pOp = &p->aOp[i];
    if( pOp->zCol && migNameEq(pOp->zCol, pRen->zCol)
     && pOp->eOp!=MIG_OP_RENAME_COLUMN ){
      char *z = sqlite3_mprintf("%s", pRen->zArg);
      if( z==0 ) return SQLITE_NOMEM;
      sqlite3_free(pOp->zCol);
      pOp->zCol = z;
    }
  }
  return rc;
}

/* Step 1: the RENAME COLUMN clauses, natively, in the order given. */
static int planRunRenames(MigAlter *p){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<p->nOp; i++){
    MigOp *pOp = &p->aOp[i];
    int iAdd;
    if( pOp->eOp!=MIG_OP_RENAME_COLUMN ) continue;
    rc = planAddedBefore(p, i, &iAdd);
    if( rc!=SQLITE_OK ) break;
    if( iAdd>=0 ){
      rc = planRenameAdded(p, iAdd, i);
      continue;
    }
    rc = migAlterExec(p, "ALTER TABLE \"%w\".\"%w\" RENAME COLUMN \"%w\" "
                      "TO %s", p->zSchema, p->zTable, pOp->zCol, pOp->zRaw);
    if( rc!=SQLITE_OK ) migBlame(p, pOp->iClause);
    if( rc==SQLITE_OK ) rc = planRetarget(p, i);
  }
  return rc;
}

/* The error being reported is about clause string iClause (the first
** blame counts). */
void migBlame(MigAlter *p, int iClause){
  if( p->iFail<0 ) p->iFail = iClause;
}

/* The error zMsg, from a copy of the rows, is about the first clause
** that names the column zMsg ends with ("... on col", "... t.col"). */
void migBlameCol(MigAlter *p, const char *zMsg){
  const char *zCol = zMsg ? zMsg+strlen(zMsg) : 0;
  int i;
  if( zCol==0 ) return;
  while( zCol>zMsg && zCol[-1]!=' ' && zCol[-1]!='.' && zCol[-1]!='(' ){
    zCol--;
  }
  for(i=0; i<p->nOp && p->iFail<0; i++){
    char *z = sqlite3_mprintf("%.*s", (int)strcspn(zCol, ",)"), zCol);
    if( z && p->aOp[i].zText
     && migTokUsesName(p->aOp[i].zText, 0, (int)strlen(p->aOp[i].zText), z) ){
      p->iFail = p->aOp[i].iClause;
    }
    sqlite3_free(z);
  }
}

/* Note that strategy eLevel was used (p->eHow keeps the highest). */
void migHow(MigAlter *p, int eLevel){
  if( p->eHow<eLevel ) p->eHow = eLevel;
}

/* True for the clauses step 2 does not apply to the text. */
static int planIsRename(MigOp *pOp){
  return pOp->eOp==MIG_OP_RENAME_COLUMN || pOp->eOp==MIG_OP_RENAME_TABLE;
}

/* True for the clauses step 4 runs through SQLite's ALTER TABLE. */
static int planIsNative(MigOp *pOp){
  return pOp->eOp==MIG_OP_ADD_COLUMN || pOp->eOp==MIG_OP_DROP_COLUMN;
}

/* Apply aOp[iFrom..iTo) (renames skipped) to the current table text.
** *s is always initialised: the caller frees it with migSimFree(). */
int migSimulate(MigAlter *p, int iFrom, int iTo, MigSim *s){
  char *zSql = 0;
  int i, rc;
  memset(s, 0, sizeof(*s));
  rc = migTableSql(p, &zSql);
  if( rc==SQLITE_OK ){
    rc = migSimInit(s, zSql);
    s->db = p->db;
    for(i=iFrom; rc==SQLITE_OK && i<iTo; i++){
      s->iClause = p->aOp[i].iClause;
      if( !planIsRename(&p->aOp[i]) ) rc = migSimApply(s, &p->aOp[i]);
      if( rc!=SQLITE_OK ) migBlame(p, p->aOp[i].iClause);
    }
    if( rc!=SQLITE_OK ) migAlterErr(p, rc, "%s", s->zErr);
  }
  sqlite3_free(zSql);
  return rc;
}

/* Step 4, a native clause. SQLite refusing it means: rebuild. */
static int planRunNative(MigAlter *p, MigOp *pOp){
  char *zErr = 0;
  int rc;
  migBlame(p, pOp->iClause);
  if( pOp->bIf ){
    int bHas = 0;
    rc = planHasColumn(p, pOp->zCol, &bHas);
    if( rc!=SQLITE_OK || bHas==(pOp->eOp==MIG_OP_ADD_COLUMN) ) return rc;
  }
  if( pOp->eOp==MIG_OP_ADD_COLUMN ){
    rc = migExecPrintf(p->db, &zErr, "ALTER TABLE \"%w\".\"%w\" ADD COLUMN %s",
                       p->zSchema, p->zTable, pOp->zArg);
    if( rc!=SQLITE_OK && zErr && sqlite3_strnicmp(zErr, "cannot add a ", 13) ){
      migAlterErr(p, rc, "%s", zErr);
    }else if( rc!=SQLITE_OK && (rc&0xff)!=SQLITE_NOMEM ){
      rc = MIG_NEED_REBUILD;
    }
    p->bRowsFull = 0;
  }else{
    rc = migExecPrintf(p->db, &zErr, "ALTER TABLE \"%w\".\"%w\" DROP COLUMN "
                       "\"%w\"", p->zSchema, p->zTable, pOp->zCol);
    if( rc!=SQLITE_OK && (rc&0xff)!=SQLITE_NOMEM ) rc = MIG_NEED_REBUILD;
    p->bRowsFull = rc==SQLITE_OK;
    if( rc==SQLITE_OK ) rc = migCheckTriggers(p);
    if( rc==SQLITE_OK ) rc = migCheckDropUsers(p);
    if( rc==SQLITE_OK ) rc = migTxnAlive(p);
  }
  sqlite3_free(zErr);
  if( rc==SQLITE_OK ) p->iFail = -1;
  return rc;
}

/* Step 4, a run of non-native clauses aOp[iFrom..iTo): one schema edit,
** after one pass over the rows if a rule or a default needs it. */
static int planEditRun(MigAlter *p, int iFrom, int iTo){
  MigSim s;
  char *zOld = 0;
  int i, rc = migSimulate(p, iFrom, iTo, &s);
  if( rc==SQLITE_OK ) rc = migTableSql(p, &zOld);
  if( rc==SQLITE_OK && strcmp(zOld, s.pTab->zSql)!=0 ){
    rc = migCheckCreate(p, s.pTab->zSql);
    if( rc==SQLITE_OK ) rc = migValidate(p, &s, zOld);
    if( rc==SQLITE_OK ) rc = migWriteSchema(p, s.pTab->zSql);
    for(i=0; rc==SQLITE_OK && i<s.nCheck; i++){
      if( s.aCheck[i].eKind==MIG_CHK_FK ){
        rc = migCheckFk(p, &s.aCheck[i]);
        migHow(p, MIG_LEVEL_VALIDATE);
      }
    }
    migHow(p, MIG_LEVEL_EDIT);
  }
  sqlite3_free(zOld);
  migSimFree(&s);
  return rc;
}

/* Step 4: the clauses in order, native ones natively, the runs between
** them as in-place edits. */
static int planRunInOrder(MigAlter *p){
  int i = 0, rc = SQLITE_OK;
  while( rc==SQLITE_OK && i<p->nOp ){
    rc = migTxnAlive(p);
    if( rc!=SQLITE_OK ) break;
    if( planIsRename(&p->aOp[i]) ){
      i++;
    }else if( planIsNative(&p->aOp[i]) ){
      rc = planRunNative(p, &p->aOp[i++]);
    }else{
      int j = i;
      while( j<p->nOp && !planIsNative(&p->aOp[j]) ) j++;
      rc = planEditRun(p, i, j);
      i = j;
    }
  }
  return rc;
}

/* Steps 2 to 4 for every clause but the renames. */
static int planRunClauses(MigAlter *p){
  MigSim s;
  int rc = migSimulate(p, 0, p->nOp, &s);
  if( rc==SQLITE_OK ){
    if( s.eLevel==MIG_LEVEL_REBUILD || p->bRebuild
     || (p->bDefensive && s.eLevel>=MIG_LEVEL_EDIT) ){
      /* Foreign keys not checked yet: start again, checking them. */
      rc = p->bFkLazy ? MIG_NEED_REBUILD : migRebuild(p, &s);
    }else{
      rc = planRunInOrder(p);
    }
  }
  if( rc==SQLITE_OK ) rc = migTxnAlive(p);
  migSimFree(&s);
  return rc;
}

/*
** Run request p: every clause, all or nothing (the caller rolls back on
** error). Sets p->eHow to the most expensive strategy used. Returns
** MIG_NEED_REBUILD if SQLite refused a native clause, rows read a
** default that changes, or a rebuild is needed while foreign keys were
** left unchecked (p->bFkLazy): the caller rolls back and runs the
** request again with p->bRebuild set (no savepoint is kept open
** meanwhile, because one would make SQLite journal every page a native
** DROP COLUMN writes).
*/
int migAlterRun(MigAlter *p){
  int i, rc = planRunRenames(p);
  int bOther = 0;
  for(i=0; i<p->nOp; i++) bOther |= !planIsRename(&p->aOp[i]);
  if( rc==SQLITE_OK && bOther ) rc = planRunClauses(p);
  for(i=0; rc==SQLITE_OK && i<p->nOp; i++){
    if( p->aOp[i].eOp!=MIG_OP_RENAME_TABLE ) continue;
    rc = migAlterExec(p, "ALTER TABLE \"%w\".\"%w\" RENAME TO \"%w\"",
                      p->zSchema, p->zTable, p->aOp[i].zArg);
  }
  return rc;
}
