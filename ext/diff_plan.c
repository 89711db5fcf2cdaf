/*
** diff_plan.c: the planner, statements taking model pFrom to pTo in a
** safe order.
**
**  1. views and triggers that change, go, or read a table that goes or
**     is rebuilt by a written-out rebuild (and views over those,
**     transitively) are dropped first; the alter engine keeps those over
**     a table it changes;
**  2. indexes that change or go are dropped;
**  3. new tables are created, a referenced table before the tables that
**     reference it;
**  4. each changed table gets its statements, grouped (diff.c);
**  5. tables that go are dropped, each with a data-loss line;
**  6. indexes are created: new, changed, and those of rebuilt tables;
**  7. views and triggers are created in the order of the desired schema.
** Renames come before all this (diff_rename.c), so the models given here
** already agree on names.
*/
#include "diff_int.h"
#include "alter_int.h"
#include <string.h>
#include <stdlib.h>

/* Start an empty plan. */
int migPlanInit(MigPlan *p){
  memset(p, 0, sizeof(*p));
  p->pSql = sqlite3_str_new(0);
  p->pLoss = sqlite3_str_new(0);
  return SQLITE_OK;
}

/* Free what a plan holds. */
void migPlanClear(MigPlan *p){
  sqlite3_free(sqlite3_str_finish(p->pSql));
  sqlite3_free(sqlite3_str_finish(p->pLoss));
  p->pSql = p->pLoss = 0;
}

/* Append one statement (a line) built from zFmt. */
void migPlanStmt(MigPlan *p, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  sqlite3_str_vappendf(p->pSql, zFmt, ap);
  va_end(ap);
  sqlite3_str_appendchar(p->pSql, 1, '\n');
  p->nStmt++;
}

/* Append a data-loss line, as a comment and to the list. */
void migPlanLoss(MigPlan *p, const char *zFmt, ...){
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( z==0 ){ p->rc = SQLITE_NOMEM; return; }
  sqlite3_str_appendf(p->pSql, "-- data loss: %s\n", z);
  sqlite3_str_appendf(p->pLoss, "data loss: %s\n", z);
  p->nLoss++;
  sqlite3_free(z);
}

/* A blank line between groups of statements. */
static void planGroup(MigPlan *p){
  int n = sqlite3_str_length(p->pSql);
  const char *z = sqlite3_str_value(p->pSql);
  if( n>1 && !(z[n-1]=='\n' && z[n-2]=='\n') ){
    sqlite3_str_appendchar(p->pSql, 1, '\n');
  }
}

/* zName as an SQL identifier: bare when that is safe, else quoted. */
char *migDiffId(const char *zName){
  int i, bBare = zName[0]!=0 && !(zName[0]>='0' && zName[0]<='9');
  for(i=0; bBare && zName[i]; i++){
    char c = zName[i];
    bBare = (c>='a' && c<='z') || (c>='A' && c<='Z') || c=='_'
         || (c>='0' && c<='9');
  }
  if( bBare && sqlite3_keyword_check(zName, i) ) bBare = 0;
  return bBare ? sqlite3_mprintf("%s", zName)
               : sqlite3_mprintf("\"%w\"", zName);
}

/* State of one plan. */
typedef struct Plan Plan;
struct Plan {
  const MigModel *pF;          /* From */
  const MigModel *pT;          /* To */
  MigPlan *p;                  /* Output */
  char *aTouched;              /* Per from object: 1 changed in place,
                               ** 2 dropped, 3 rebuilt */
  char *aGone;                 /* Per from object: dropped or rebuilt */
  char *aDropVT;               /* Per from object: view/trigger dropped */
  char *aRebuilt;              /* Per to object: table rebuilt or new */
};

/* The counterpart in pOther of object pObj, or NULL. */
static MigMObj *planOther(const MigModel *pOther, const MigMObj *pObj){
  return migModelFind(pOther, pObj->eType, pObj->zName);
}

/* The names of the from objects marked in aMark, in *pazName (free
** the array only); their number, or -1 on OOM. */
static int planMarked(Plan *s, const char *aMark, const char ***pazName){
  int i, n = 0;
  const char **az = sqlite3_malloc64(sizeof(char*)*(s->pF->nObj+1));
  *pazName = az;
  if( az==0 ){ s->p->rc = SQLITE_NOMEM; return -1; }
  for(i=0; i<s->pF->nObj; i++){
    if( aMark[i] ) az[n++] = s->pF->aObj[i].zName;
  }
  return n;
}

/* True if the SQL of pObj names one of the nName names azName (other
** than its own). */
static int planMentions(Plan *s, const MigMObj *pObj, const char **azName,
                        int nName){
  MigToken *aTok = 0;
  int nTok = 0, i, k, bYes = 0;
  if( nName<=0 ) return 0;
  if( migTokenize(pObj->zSql, &aTok, &nTok) ){
    s->p->rc = SQLITE_NOMEM;
    return 0;
  }
  for(i=0; i<nTok && !bYes; i++){
    if( aTok[i].eType==MIG_TK_ID || aTok[i].eType==MIG_TK_QID ){
      char *z = migTokName(pObj->zSql, &aTok[i]);
      for(k=0; z && k<nName && !bYes; k++){
        bYes = sqlite3_stricmp(azName[k], z)==0
            && sqlite3_stricmp(azName[k], pObj->zName)!=0;
      }
      sqlite3_free(z);
    }
  }
  sqlite3_free(aTok);
  return bYes;
}

/* Steps 1 and 2: mark and drop views, triggers and indexes. */
static void planDrops(Plan *s){
  const MigModel *pF = s->pF;
  const char **azName = 0;
  int i, nName, bMore = 1;
  for(i=0; i<pF->nObj; i++){
    const MigMObj *o = &pF->aObj[i];
    MigMObj *pOther = planOther(s->pT, o);
    if( o->eType==MIG_OBJ_TABLE ){
      if( pOther==0 ) s->aTouched[i] = 2;
      else if( !migModelObjSame(o, pOther) ){
        s->aTouched[i] = migDiffWillRebuild(o, pOther, s->p) ? 3 : 1;
      }
      s->aGone[i] = s->aTouched[i]>=2;
    }
  }
  nName = planMarked(s, s->aGone, &azName);
  for(i=0; i<pF->nObj; i++){
    const MigMObj *o = &pF->aObj[i];
    MigMObj *pOther = planOther(s->pT, o);
    if( o->eType!=MIG_OBJ_VIEW && o->eType!=MIG_OBJ_TRIGGER ) continue;
    s->aDropVT[i] = pOther==0 || !migModelObjSame(o, pOther)
                 || planMentions(s, o, azName, nName);
  }
  while( bMore && s->p->rc==SQLITE_OK ){
    bMore = 0;
    sqlite3_free(azName);
    nName = planMarked(s, s->aDropVT, &azName);
    for(i=0; i<pF->nObj && nName>0; i++){
      const MigMObj *o = &pF->aObj[i];
      if( (o->eType==MIG_OBJ_VIEW || o->eType==MIG_OBJ_TRIGGER)
       && !s->aDropVT[i] && planMentions(s, o, azName, nName) ){
        s->aDropVT[i] = bMore = 1;
      }
    }
  }
  sqlite3_free(azName);
  for(i=pF->nObj-1; i>=0; i--){
    const MigMObj *o = &pF->aObj[i];
    if( s->aDropVT[i] ){
      char *zId = migDiffId(o->zName);
      migPlanStmt(s->p, "DROP %s %s;",
                  o->eType==MIG_OBJ_VIEW ? "VIEW" : "TRIGGER", zId);
      sqlite3_free(zId);
    }
  }
  planGroup(s->p);
  for(i=0; i<pF->nObj; i++){
    const MigMObj *o = &pF->aObj[i];
    MigMObj *pOther = planOther(s->pT, o);
    MigMObj *pTab = migModelFind(pF, MIG_OBJ_TABLE, o->zTbl);
    if( o->eType!=MIG_OBJ_INDEX ) continue;
    if( pTab && s->aTouched[pTab-pF->aObj]==2 ) continue;
    if( pOther==0 || !migModelObjSame(o, pOther) ){
      char *zId = migDiffId(o->zName);
      migPlanStmt(s->p, "DROP INDEX %s;", zId);
      sqlite3_free(zId);
    }
  }
  planGroup(s->p);
}

/* Name of the table a foreign key constraint refers to (normalised text
** "... references NAME ..."), copied into zBuf. */
static void planParent(const MigMCons *c, char *zBuf, int nBuf){
  const char *z = strstr(c->zNorm, " references ");
  int n = 0;
  zBuf[0] = 0;
  if( z==0 ) return;
  z += 12;
  if( *z=='"' ){
    z++;
    while( z[n] && z[n]!='"' ) n++;
  }else{
    while( z[n] && z[n]!=' ' && z[n]!='(' ) n++;
  }
  if( n>=nBuf ) n = nBuf-1;
  memcpy(zBuf, z, n);
  zBuf[n] = 0;
}

/* Step 3 for to-object i and, first, the new tables it references.
** aDone: 0 not yet, 1 in progress (a cycle: created as it is), 2 done. */
static void planCreate(Plan *s, int i, char *aDone){
  const MigMObj *o = &s->pT->aObj[i];
  int k;
  if( aDone[i] ) return;
  aDone[i] = 1;
  for(k=0; k<o->nCons; k++){
    char zParent[200];
    MigMObj *pParent;
    if( o->aCons[k].eKind!=MIG_MC_FK ) continue;
    planParent(&o->aCons[k], zParent, sizeof(zParent));
    pParent = migModelFind(s->pT, MIG_OBJ_TABLE, zParent);
    if( pParent && planOther(s->pF, pParent)==0 ){
      planCreate(s, (int)(pParent - s->pT->aObj), aDone);
    }
  }
  migPlanStmt(s->p, "%s;", o->zSql);
  s->aRebuilt[i] = 1;
  aDone[i] = 2;
}

/* Steps 3 to 5: the tables. */
static void planTables(Plan *s){
  const MigModel *pF = s->pF, *pT = s->pT;
  char *aDone = sqlite3_malloc64(pT->nObj+1);
  int i;
  if( aDone==0 ){ s->p->rc = SQLITE_NOMEM; return; }
  memset(aDone, 0, pT->nObj+1);
  for(i=0; i<pT->nObj; i++){
    const MigMObj *o = &pT->aObj[i];
    if( o->eType==MIG_OBJ_TABLE && planOther(pF, o)==0 ){
      planCreate(s, i, aDone);
    }
  }
  sqlite3_free(aDone);
  planGroup(s->p);
  for(i=0; i<pT->nObj && s->p->rc==SQLITE_OK; i++){
    const MigMObj *o = &pT->aObj[i];
    MigMObj *pOld = planOther(pF, o);
    int bRebuilt = 0;
    if( o->eType!=MIG_OBJ_TABLE || pOld==0 ) continue;
    if( s->aTouched[pOld-pF->aObj]!=1 && s->aTouched[pOld-pF->aObj]!=3 ){
      continue;
    }
    migDiffTable(pOld, o, s->p, &bRebuilt);
    s->aRebuilt[i] = (char)bRebuilt;
    planGroup(s->p);
  }
  for(i=0; i<pF->nObj; i++){
    if( s->aTouched[i]==2 ){
      char *zId = migDiffId(pF->aObj[i].zName);
      migPlanLoss(s->p, "drops table %s", pF->aObj[i].zName);
      migPlanStmt(s->p, "DROP TABLE %s;", zId);
      sqlite3_free(zId);
    }
  }
  planGroup(s->p);
}

/* Order of two to-objects by their place in the desired schema. */
static int planCmpOrder(const void *a, const void *b){
  return (*(const MigMObj**)a)->iOrder - (*(const MigMObj**)b)->iOrder;
}

/* Steps 6 and 7: indexes, then views and triggers. */
static void planCreates(Plan *s){
  const MigModel *pF = s->pF, *pT = s->pT;
  const MigMObj **ap = sqlite3_malloc64(sizeof(MigMObj*)*(pT->nObj+1));
  int i, n = 0;
  if( ap==0 ){ s->p->rc = SQLITE_NOMEM; return; }
  for(i=0; i<pT->nObj; i++){
    const MigMObj *o = &pT->aObj[i];
    MigMObj *pOld = planOther(pF, o);
    MigMObj *pTab = migModelFind(pT, MIG_OBJ_TABLE, o->zTbl);
    int bTabNew = pTab && s->aRebuilt[pTab-pT->aObj];
    if( o->eType==MIG_OBJ_TABLE ) continue;
    if( pOld==0 || bTabNew || s->aDropVT[pOld-pF->aObj]
     || (o->eType==MIG_OBJ_INDEX && !migModelObjSame(pOld, o)) ){
      ap[n++] = o;
    }
  }
  if( n>1 ) qsort(ap, n, sizeof(ap[0]), planCmpOrder);
  for(i=0; i<n; i++){
    if( ap[i]->eType==MIG_OBJ_INDEX ) migPlanStmt(s->p, "%s;", ap[i]->zSql);
  }
  planGroup(s->p);
  for(i=0; i<n; i++){
    if( ap[i]->eType!=MIG_OBJ_INDEX ) migPlanStmt(s->p, "%s;", ap[i]->zSql);
  }
  sqlite3_free(ap);
}

/*
** Write the statements that take pFrom to pTo into p (see the header).
** Returns SQLITE_OK or SQLITE_NOMEM.
*/
int migDiffPlan(const MigModel *pFrom, const MigModel *pTo, MigPlan *p){
  Plan s;
  memset(&s, 0, sizeof(s));
  s.pF = pFrom;
  s.pT = pTo;
  s.p = p;
  s.aTouched = sqlite3_malloc64(pFrom->nObj+1);
  s.aGone = sqlite3_malloc64(pFrom->nObj+1);
  s.aDropVT = sqlite3_malloc64(pFrom->nObj+1);
  s.aRebuilt = sqlite3_malloc64(pTo->nObj+1);
  if( !s.aTouched || !s.aGone || !s.aDropVT || !s.aRebuilt ){
    p->rc = SQLITE_NOMEM;
  }else{
    memset(s.aTouched, 0, pFrom->nObj+1);
    memset(s.aGone, 0, pFrom->nObj+1);
    memset(s.aDropVT, 0, pFrom->nObj+1);
    memset(s.aRebuilt, 0, pTo->nObj+1);
    planDrops(&s);
    planTables(&s);
    planCreates(&s);
  }
  sqlite3_free(s.aTouched);
  sqlite3_free(s.aGone);
  sqlite3_free(s.aDropVT);
  sqlite3_free(s.aRebuilt);
  if( sqlite3_str_errcode(p->pSql) || sqlite3_str_errcode(p->pLoss) ){
    p->rc = SQLITE_NOMEM;
  }
  return p->rc;
}
