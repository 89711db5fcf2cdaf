/*
** diff_subset.c: the part of a schema a migration can affect, so that the
** proof runs on a small scratch database instead of a copy of all of it.
**
** Objects are linked when the SQL of one names the other (a view and its
** tables, a trigger and the tables it reads, a table and the tables its
** foreign keys name) or when an index or trigger belongs to a table.
** migSubsetMark() marks, in two models at once, every object connected
** to a name the migration's SQL mentions; what is not marked is not
** touched by that SQL and must already be the same on both sides
** (diff_run.c checks that on the models). migSubsetOpen() creates the
** marked objects of a database in a new scratch database.
*/
#include "diff_int.h"
#include "alter_int.h"
#include <string.h>
#include <stdlib.h>

/* Names -> object index, open addressing, lowercase FNV-1a. */
typedef struct SubHash SubHash;
struct SubHash {
  int nSlot;                   /* Power of two */
  int *aSlot;                  /* Object index + 1, 0 empty */
  const MigModel *pM;          /* The model */
};

/* Hash of a name, ASCII case folded. */
static unsigned subHashName(const char *z, int n){
  unsigned h = 2166136261u;
  int i;
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    if( c>='A' && c<='Z' ) c += 32;
    h = (h ^ c) * 16777619u;
  }
  return h;
}

/* Build the hash of pM's object names. SQLITE_OK or SQLITE_NOMEM. */
static int subHashInit(SubHash *h, const MigModel *pM){
  int i;
  h->pM = pM;
  h->nSlot = 16;
  while( h->nSlot < pM->nObj*2 ) h->nSlot *= 2;
  h->aSlot = sqlite3_malloc64(sizeof(int)*h->nSlot);
  if( h->aSlot==0 ) return SQLITE_NOMEM;
  memset(h->aSlot, 0, sizeof(int)*h->nSlot);
  for(i=0; i<pM->nObj; i++){
    const char *z = pM->aObj[i].zName;
    unsigned k = subHashName(z, (int)strlen(z)) & (h->nSlot-1);
    while( h->aSlot[k] ) k = (k+1) & (h->nSlot-1);
    h->aSlot[k] = i+1;
  }
  return SQLITE_OK;
}

/* Mark in aMark every object of h named z[0..n) (names are unique per
** type, so there may be a table and a trigger of one name). Returns the
** number newly marked. */
static int subHashMark(SubHash *h, const char *z, int n, char *aMark){
  unsigned k = subHashName(z, n) & (h->nSlot-1);
  int nNew = 0;
  while( h->aSlot[k] ){
    int i = h->aSlot[k]-1;
    const char *zName = h->pM->aObj[i].zName;
    if( (int)strlen(zName)==n && sqlite3_strnicmp(zName, z, n)==0
     && !aMark[i] ){
      aMark[i] = 1;
      nNew++;
    }
    k = (k+1) & (h->nSlot-1);
  }
  return nNew;
}

/* Mark the objects of h named by an identifier of zSql. */
static int subMarkSql(SubHash *h, const char *zSql, char *aMark){
  MigToken *aTok = 0;
  int nTok = 0, i, nNew = 0;
  if( migTokenize(zSql, &aTok, &nTok) ) return -1;
  for(i=0; i<nTok; i++){
    if( aTok[i].eType==MIG_TK_ID || aTok[i].eType==MIG_TK_QID ){
      char *z = migTokName(zSql, &aTok[i]);
      if( z==0 ){ nNew = -1; break; }
      nNew += subHashMark(h, z, (int)strlen(z), aMark);
      sqlite3_free(z);
    }
  }
  sqlite3_free(aTok);
  return nNew;
}

/* True if the SQL of o names an object marked in aMark (hash h). */
static int subNamesMarked(SubHash *h, const MigMObj *o, const char *aMark,
                          int *pRc){
  MigToken *aTok = 0;
  int nTok = 0, i, bYes = 0;
  if( migTokenize(o->zSql, &aTok, &nTok) ){ *pRc = SQLITE_NOMEM; return 0; }
  for(i=0; i<nTok && !bYes; i++){
    if( aTok[i].eType==MIG_TK_ID || aTok[i].eType==MIG_TK_QID ){
      char *z = migTokName(o->zSql, &aTok[i]);
      unsigned k;
      int n;
      if( z==0 ){ *pRc = SQLITE_NOMEM; break; }
      n = (int)strlen(z);
      k = subHashName(z, n) & (h->nSlot-1);
      while( h->aSlot[k] && !bYes ){
        int j = h->aSlot[k]-1;
        const char *zName = h->pM->aObj[j].zName;
        bYes = aMark[j] && (int)strlen(zName)==n
            && sqlite3_strnicmp(zName, z, n)==0;
        k = (k+1) & (h->nSlot-1);
      }
      sqlite3_free(z);
    }
  }
  sqlite3_free(aTok);
  return bYes;
}

/* Mark, in h's model, the objects whose names are marked by name in the
** other model (aOther over pOther). Returns the number newly marked. */
static int subByName(SubHash *h, char *aMark, const MigModel *pOther,
                     const char *aOther){
  int i, nNew = 0;
  for(i=0; i<pOther->nObj; i++){
    if( aOther[i] ){
      const char *z = pOther->aObj[i].zName;
      nNew += subHashMark(h, z, (int)strlen(z), aMark);
    }
  }
  return nNew;
}

/* Grow aMark over h's model to a fixed point of the links. */
static int subClose(SubHash *h, char *aMark){
  const MigModel *pM = h->pM;
  int rc = SQLITE_OK, bMore = 1, i;
  while( bMore && rc==SQLITE_OK ){
    bMore = 0;
    for(i=0; i<pM->nObj && rc==SQLITE_OK; i++){
      const MigMObj *o = &pM->aObj[i];
      if( aMark[i] ){
        int n = subMarkSql(h, o->zSql, aMark);
        if( n<0 ) rc = SQLITE_NOMEM;
        if( n>0 ) bMore = 1;
      }else{
        MigMObj *pTab = migModelFind(pM, MIG_OBJ_TABLE, o->zTbl);
        if( (pTab && aMark[pTab-pM->aObj])
         || subNamesMarked(h, o, aMark, &rc) ){
          aMark[i] = 1;
          bMore = 1;
        }
      }
    }
  }
  return rc;
}

/*
** Mark in aA (over pA) and aB (over pB), both zeroed by the caller, the
** objects linked to a name mentioned by zSql, on either side, closed
** under the links of both models. Returns SQLITE_OK or SQLITE_NOMEM.
*/
int migSubsetMark(const MigModel *pA, const MigModel *pB, const char *zSql,
                  char *aA, char *aB){
  SubHash hA, hB;
  int rc = subHashInit(&hA, pA), nA = -1, nB = -1;
  memset(&hB, 0, sizeof(hB));
  if( rc==SQLITE_OK ) rc = subHashInit(&hB, pB);
  if( rc==SQLITE_OK && (subMarkSql(&hA, zSql, aA)<0
                        || subMarkSql(&hB, zSql, aB)<0) ) rc = SQLITE_NOMEM;
  while( rc==SQLITE_OK ){
    int mA = 0, mB = 0;
    rc = subClose(&hA, aA);
    if( rc==SQLITE_OK ) rc = subClose(&hB, aB);
    if( rc==SQLITE_OK ){
      subByName(&hA, aA, pB, aB);
      subByName(&hB, aB, pA, aA);
      for(mA=0, nA=0; mA<pA->nObj; mA++) nA += aA[mA];
      for(mB=0, nB=0; mB<pB->nObj; mB++) nB += aB[mB];
      if( subClose(&hA, aA) || subClose(&hB, aB) ) rc = SQLITE_NOMEM;
      for(mA=0; mA<pA->nObj; mA++) nA -= aA[mA];
      for(mB=0; mB<pB->nObj; mB++) nB -= aB[mB];
      if( nA==0 && nB==0 ) break;
    }
  }
  sqlite3_free(hA.aSlot);
  sqlite3_free(hB.aSlot);
  return rc;
}

/*
** A model holding the objects of pM marked (bIn) or not marked (!bIn) in
** aMark: shallow copies, valid while pM is; free with sqlite3_free() of
** the aObj array and of the model. NULL on OOM.
*/
MigModel *migSubsetModel(const MigModel *pM, const char *aMark, int bIn){
  MigModel *p = sqlite3_malloc64(sizeof(MigModel));
  int i;
  if( p==0 ) return 0;
  p->nObj = 0;
  p->aObj = sqlite3_malloc64(sizeof(MigMObj)*(pM->nObj+1));
  if( p->aObj==0 ){ sqlite3_free(p); return 0; }
  for(i=0; i<pM->nObj; i++){
    if( (aMark[i]!=0)==(bIn!=0) ) p->aObj[p->nObj++] = pM->aObj[i];
  }
  return p;
}

/* Free a model from migSubsetModel(). */
void migSubsetModelFree(MigModel *p){
  if( p ){
    sqlite3_free(p->aObj);
    sqlite3_free(p);
  }
}

/* Order of creation: tables, indexes, views, triggers, each as stored. */
static int subCmpCreate(const void *a, const void *b){
  const MigMObj *pA = *(const MigMObj**)a, *pB = *(const MigMObj**)b;
  if( pA->eType!=pB->eType ) return pA->eType - pB->eType;
  return pA->iOrder - pB->iOrder;
}

/*
** Create the objects of pM marked in aMark (their SQL) in a new scratch
** database *pDb opened by xOpen. Returns SQLITE_OK, or an error with
** *pzErr naming the object that could not be created.
*/
int migSubsetOpen(const MigModel *pM, const char *aMark,
                  int (*xOpen)(sqlite3**, char**), sqlite3 **pDb,
                  char **pzErr){
  const MigMObj **ap = sqlite3_malloc64(sizeof(MigMObj*)*(pM->nObj+1));
  int i, n = 0, rc;
  *pDb = 0;
  if( ap==0 ) return SQLITE_NOMEM;
  for(i=0; i<pM->nObj; i++){
    if( aMark[i] ) ap[n++] = &pM->aObj[i];
  }
  if( n>1 ) qsort(ap, n, sizeof(ap[0]), subCmpCreate);
  rc = xOpen(pDb, pzErr);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(*pDb, "BEGIN", 0, 0, 0);
  for(i=0; rc==SQLITE_OK && i<n; i++){
    rc = sqlite3_exec(*pDb, ap[i]->zSql, 0, 0, 0);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("cannot copy %s: %s", ap[i]->zName,
                               sqlite3_errmsg(*pDb));
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_exec(*pDb, "COMMIT", 0, 0, 0);
  sqlite3_free(ap);
  if( rc!=SQLITE_OK ){
    sqlite3_close(*pDb);
    *pDb = 0;
  }
  return rc;
}
