/*
** model_cmp.c: comparing two schema models (see model.h).
**
** migModelDiff() walks both sorted object lists together; for each
** object on both sides it compares what model.c normalised: table flags,
** the column list and order, each column's attributes, the constraints
** as a multiset, and the normalised SQL of everything else. Each
** difference is one line that names the object, "first -> second".
*/
#include "model.h"
#include <string.h>

/* Collects difference lines. */
typedef struct ModelCmp ModelCmp;
struct ModelCmp {
  sqlite3_str *pOut;           /* The lines */
  int nDiff;                   /* Lines written */
  int bAll;                    /* Keep going after the first */
};

static const char *azTypeName[] = { "", "table", "index", "view", "trigger" };

/* Add one line "TYPE NAME: ...". */
static void cmpLine(ModelCmp *c, const MigMObj *pObj, const char *zFmt, ...){
  va_list ap;
  if( c->nDiff>0 && !c->bAll ) return;
  if( c->nDiff>0 ) sqlite3_str_appendchar(c->pOut, 1, '\n');
  sqlite3_str_appendf(c->pOut, "%s %s: ", azTypeName[pObj->eType],
                      pObj->zName);
  va_start(ap, zFmt);
  sqlite3_str_vappendf(c->pOut, zFmt, ap);
  va_end(ap);
  c->nDiff++;
}

/* Same strings, NULL only equal to NULL; nocase when bNoCase. */
static int cmpSame(const char *zA, const char *zB, int bNoCase){
  if( zA==0 || zB==0 ) return zA==zB;
  return bNoCase ? sqlite3_stricmp(zA, zB)==0 : strcmp(zA, zB)==0;
}

/* Yes or no. */
static const char *cmpYes(int b){ return b ? "yes" : "no"; }

/* The column names of pTab as "(a, b, c)" for a message. */
static char *cmpColList(const MigMObj *pTab){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendchar(pStr, 1, '(');
  for(i=0; i<pTab->nCol; i++){
    sqlite3_str_appendf(pStr, "%s%s", i ? ", " : "", pTab->aCol[i].zName);
  }
  sqlite3_str_appendchar(pStr, 1, ')');
  return sqlite3_str_finish(pStr);
}

/* Compare two columns of the same name. */
static void cmpColumn(ModelCmp *c, const MigMObj *pObj, const MigMCol *a,
                      const MigMCol *b){
  if( !cmpSame(a->zTypeNorm, b->zTypeNorm, 0) ){
    cmpLine(c, pObj, "column %s: type: %s -> %s", a->zName,
            a->zType[0] ? a->zType : "(none)",
            b->zType[0] ? b->zType : "(none)");
  }
  if( a->bNotNull!=b->bNotNull ){
    cmpLine(c, pObj, "column %s: NOT NULL: %s -> %s", a->zName,
            cmpYes(a->bNotNull), cmpYes(b->bNotNull));
  }
  if( !cmpSame(a->zDefaultNorm, b->zDefaultNorm, 0) ){
    cmpLine(c, pObj, "column %s: default: %s -> %s", a->zName,
            a->zDefault ? a->zDefault : "(none)",
            b->zDefault ? b->zDefault : "(none)");
  }
  if( !cmpSame(a->zCollate, b->zCollate, 1) ){
    cmpLine(c, pObj, "column %s: collation: %s -> %s", a->zName,
            a->zCollate ? a->zCollate : "BINARY",
            b->zCollate ? b->zCollate : "BINARY");
  }
  if( !cmpSame(a->zGenNorm, b->zGenNorm, 0) ){
    cmpLine(c, pObj, "column %s: generated: %s -> %s", a->zName,
            a->zGenNorm ? a->zGenNorm : "(no)",
            b->zGenNorm ? b->zGenNorm : "(no)");
  }
}

/* True if constraints a and b are the same rule with the same name. */
int migModelSameCons(const MigMCons *a, const MigMCons *b){
  return a->eKind==b->eKind && cmpSame(a->zName, b->zName, 1)
      && strcmp(a->zNorm, b->zNorm)==0;
}

/* Report constraints of pA with no equal one in pB (marks as it goes). */
static void cmpConsOneWay(ModelCmp *c, const MigMObj *pObj,
                          const MigMObj *pA, const MigMObj *pB,
                          const char *zWhere){
  int i, j;
  char *aUsed = sqlite3_malloc64(pB->nCons+1);
  if( aUsed==0 ){ c->nDiff++; return; }
  memset(aUsed, 0, pB->nCons+1);
  for(i=0; i<pA->nCons; i++){
    for(j=0; j<pB->nCons; j++){
      if( !aUsed[j] && migModelSameCons(&pA->aCons[i], &pB->aCons[j]) ) break;
    }
    if( j<pB->nCons ){
      aUsed[j] = 1;
    }else{
      const MigMCons *p = &pA->aCons[i];
      cmpLine(c, pObj, "constraint %s%s%s only in the %s schema",
              p->zName ? p->zName : "", p->zName ? " " : "", p->zBody,
              zWhere);
    }
  }
  sqlite3_free(aUsed);
}

/* Compare two tables of the same name. */
static void cmpTable(ModelCmp *c, const MigMObj *a, const MigMObj *b){
  int i;
  if( a->bVirtual || b->bVirtual ){
    if( a->bVirtual!=b->bVirtual || strcmp(a->zNorm, b->zNorm) ){
      cmpLine(c, a, "definition: %s -> %s", a->zSql, b->zSql);
    }
    return;
  }
  if( a->bStrict!=b->bStrict ){
    cmpLine(c, a, "STRICT: %s -> %s", cmpYes(a->bStrict), cmpYes(b->bStrict));
  }
  if( a->bWithoutRowid!=b->bWithoutRowid ){
    cmpLine(c, a, "WITHOUT ROWID: %s -> %s", cmpYes(a->bWithoutRowid),
            cmpYes(b->bWithoutRowid));
  }
  if( a->bAutoinc!=b->bAutoinc ){
    cmpLine(c, a, "AUTOINCREMENT: %s -> %s", cmpYes(a->bAutoinc),
            cmpYes(b->bAutoinc));
  }
  for(i=0; i<a->nCol && i<b->nCol; i++){
    if( !migNameEq(a->aCol[i].zName, b->aCol[i].zName) ) break;
  }
  if( i<a->nCol || i<b->nCol ){
    char *zA = cmpColList(a), *zB = cmpColList(b);
    cmpLine(c, a, "columns: %s -> %s", zA ? zA : "?", zB ? zB : "?");
    sqlite3_free(zA);
    sqlite3_free(zB);
  }
  for(i=0; i<a->nCol; i++){
    int j = migModelCol(b, a->aCol[i].zName);
    if( j>=0 ) cmpColumn(c, a, &a->aCol[i], &b->aCol[j]);
  }
  cmpConsOneWay(c, a, a, b, "first");
  cmpConsOneWay(c, a, b, a, "second");
}

/* Compare two objects of the same type and name. */
static void cmpObject(ModelCmp *c, const MigMObj *a, const MigMObj *b){
  if( a->eType==MIG_OBJ_TABLE ){
    cmpTable(c, a, b);
  }else if( !migNameEq(a->zTbl, b->zTbl) ){
    cmpLine(c, a, "table: %s -> %s", a->zTbl, b->zTbl);
  }else if( strcmp(a->zNorm, b->zNorm) ){
    cmpLine(c, a, "definition: %s -> %s", a->zSql, b->zSql);
  }
}

/* True if objects a and b (same type and name) are the same. 0 on OOM. */
int migModelObjSame(const MigMObj *a, const MigMObj *b){
  ModelCmp c;
  memset(&c, 0, sizeof(c));
  c.pOut = sqlite3_str_new(0);
  cmpObject(&c, a, b);
  if( sqlite3_str_errcode(c.pOut) ) c.nDiff++;
  sqlite3_free(sqlite3_str_finish(c.pOut));
  return c.nDiff==0;
}

/*
** Compare models pA and pB; see model.h.
*/
int migModelDiff(const MigModel *pA, const MigModel *pB, int bAll,
                 char **pzDiff){
  ModelCmp c;
  int i = 0, j = 0, rc;
  memset(&c, 0, sizeof(c));
  c.pOut = sqlite3_str_new(0);
  c.bAll = bAll;
  while( (i<pA->nObj || j<pB->nObj) && (bAll || c.nDiff==0) ){
    const MigMObj *a = i<pA->nObj ? &pA->aObj[i] : 0;
    const MigMObj *b = j<pB->nObj ? &pB->aObj[j] : 0;
    int cmp;
    if( a==0 ) cmp = 1;
    else if( b==0 ) cmp = -1;
    else if( a->eType!=b->eType ) cmp = a->eType - b->eType;
    else cmp = sqlite3_stricmp(a->zName, b->zName);
    if( cmp<0 ){
      cmpLine(&c, a, "only in the first schema");
      i++;
    }else if( cmp>0 ){
      cmpLine(&c, b, "only in the second schema");
      j++;
    }else{
      cmpObject(&c, a, b);
      i++;
      j++;
    }
  }
  rc = sqlite3_str_errcode(c.pOut);
  if( rc!=SQLITE_OK || c.nDiff==0 ){
    sqlite3_free(sqlite3_str_finish(c.pOut));
    *pzDiff = 0;
    return rc==SQLITE_OK ? SQLITE_OK : SQLITE_NOMEM;
  }
  *pzDiff = sqlite3_str_finish(c.pOut);
  return *pzDiff ? SQLITE_OK : SQLITE_NOMEM;
}

/*
** migModelDiff() of schema zSchemaA of dbA and zSchemaB of dbB.
*/
int migModelDiffDb(sqlite3 *dbA, const char *zSchemaA, sqlite3 *dbB,
                   const char *zSchemaB, int bAll, char **pzDiff,
                   char **pzErr){
  MigModel *pA = 0, *pB = 0;
  int rc = migModelRead(dbA, zSchemaA, &pA, pzErr);
  *pzDiff = 0;
  if( rc==SQLITE_OK ) rc = migModelRead(dbB, zSchemaB, &pB, pzErr);
  if( rc==SQLITE_OK ) rc = migModelDiff(pA, pB, bAll, pzDiff);
  migModelFree(pA);
  migModelFree(pB);
  return rc;
}
