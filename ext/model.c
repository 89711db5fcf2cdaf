/*
** model.c: reading a schema into a normalised model (see model.h).
**
** Objects come from sqlite_schema in the order SQLite stored them. A
** table is read from its own CREATE TABLE text through the alter
** module's parser (migTabParse), so constraint names, CHECK expressions,
** generated columns and foreign key deferrability, which no PRAGMA
** reports, are all seen; column constraints are turned into their
** table-level form so both spellings compare equal. Everything compared
** goes through migModelNorm(): tokens, lowercase, identifiers dequoted.
** Comparing two models is model_cmp.c.
*/
#include "model.h"
#include "alter_int.h"
#include <string.h>
#include <stdlib.h>

/* Text z[i..j) as a new string (NULL on OOM). */
static char *modelSub(const char *z, int i, int j){
  return sqlite3_mprintf("%.*s", j>i ? j-i : 0, &z[i]);
}

/* Append the normalised form of token pTok of z to pStr. */
static void modelNormTok(sqlite3_str *pStr, const char *z,
                         const MigToken *pTok){
  int i;
  if( pTok->eType==MIG_TK_ID || pTok->eType==MIG_TK_QID ){
    char *zName = migTokName(z, pTok);
    int bBare = zName && zName[0] && !(zName[0]>='0' && zName[0]<='9');
    for(i=0; zName && zName[i]; i++){
      char c = zName[i];
      if( !((c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
            || c=='_' || (c&0x80)) ) bBare = 0;
    }
    if( zName==0 ){
      sqlite3_str_appendf(pStr, "%.*s", pTok->n, &z[pTok->iOff]);
    }else if( bBare ){
      for(i=0; zName[i]; i++){
        char c = zName[i];
        sqlite3_str_appendchar(pStr, 1, (c>='A' && c<='Z') ? c+32 : c);
      }
    }else{
      for(i=0; zName[i]; i++){
        if( zName[i]>='A' && zName[i]<='Z' ) zName[i] += 32;
      }
      sqlite3_str_appendf(pStr, "\"%w\"", zName);
    }
    sqlite3_free(zName);
  }else{
    sqlite3_str_appendf(pStr, "%.*s", pTok->n, &z[pTok->iOff]);
  }
}

/*
** Normalised text of z: its tokens, comments and whitespace dropped,
** one space between tokens, words and identifiers lowercase and
** dequoted (quoted again only when they need it).
*/
char *migModelNorm(const char *z){
  MigToken *aTok = 0;
  int nTok = 0, i;
  sqlite3_str *pStr;
  if( z==0 || migTokenize(z, &aTok, &nTok)!=SQLITE_OK ) return 0;
  pStr = sqlite3_str_new(0);
  for(i=0; i<nTok; i++){
    if( i>0 ) sqlite3_str_appendchar(pStr, 1, ' ');
    modelNormTok(pStr, z, &aTok[i]);
  }
  sqlite3_free(aTok);
  if( sqlite3_str_length(pStr)==0 ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return sqlite3_mprintf("");
  }
  return sqlite3_str_finish(pStr);
}

/* Remove every occurrence of the word sequence zPat (normalised, with
** spaces around) from zNorm, in place. */
static void modelDrop(char *zNorm, const char *zPat){
  char *zAt;
  size_t n = strlen(zPat);
  while( zNorm && (zAt = strstr(zNorm, zPat))!=0 ){
    memmove(zAt+1, zAt+n, strlen(zAt+n)+1);
    zAt[0] = ' ';
  }
}

/*
** Normalised form of a constraint body: for a foreign key the defaults
** (NO ACTION, NOT DEFERRABLE, INITIALLY IMMEDIATE) are dropped, for keys
** the ASC order, so spellings of the same rule compare equal.
*/
static char *modelNormCons(const char *zBody, int eKind){
  char *zNorm = migModelNorm(zBody);
  char *zPad = zNorm ? sqlite3_mprintf(" %s ", zNorm) : 0;
  char *zOut = 0;
  sqlite3_free(zNorm);
  if( zPad==0 ) return 0;
  if( eKind==MIG_MC_FK ){
    modelDrop(zPad, " on delete no action ");
    modelDrop(zPad, " on update no action ");
    modelDrop(zPad, " match simple ");
    modelDrop(zPad, " not deferrable initially deferred ");
    modelDrop(zPad, " not deferrable initially immediate ");
    modelDrop(zPad, " not deferrable ");
    modelDrop(zPad, " deferrable initially immediate ");
  }else{
    modelDrop(zPad, " asc ");
  }
  {
    int n = (int)strlen(zPad);
    while( n>0 && zPad[n-1]==' ' ) zPad[--n] = 0;
    if( eKind==MIG_MC_FK && n>=11 && strcmp(&zPad[n-11], " deferrable")==0 ){
      zPad[n-11] = 0;   /* DEFERRABLE alone is INITIALLY IMMEDIATE */
    }
    zOut = sqlite3_mprintf("%s", zPad+1);
  }
  sqlite3_free(zPad);
  return zOut;
}

/* Append a zeroed constraint to pObj; NULL on OOM. */
static MigMCons *modelNewCons(MigMObj *pObj){
  MigMCons *aNew = sqlite3_realloc64(pObj->aCons,
                                     (pObj->nCons+1)*sizeof(MigMCons));
  if( aNew==0 ) return 0;
  pObj->aCons = aNew;
  memset(&aNew[pObj->nCons], 0, sizeof(MigMCons));
  return &aNew[pObj->nCons++];
}

/* True if tokens of z[i..j) include the word zWord. */
static int modelHasWord(const char *z, int i, int j, const char *zWord){
  char *zPart = modelSub(z, i, j);
  MigToken *aTok = 0;
  int nTok = 0, k, bHas = 0;
  if( zPart && migTokenize(zPart, &aTok, &nTok)==SQLITE_OK ){
    for(k=0; k<nTok && !bHas; k++) bHas = migTokIsWord(zPart, &aTok[k], zWord);
  }
  sqlite3_free(aTok);
  sqlite3_free(zPart);
  return bHas;
}

/* Offset in z of the first word zWord in z[i..j), or j. */
static int modelFindWord(const char *z, int i, int j, const char *zWord){
  int eType, n;
  while( i<j ){
    n = migTokenLen(&z[i], &eType);
    if( eType==MIG_TK_ID && n==(int)strlen(zWord)
     && sqlite3_strnicmp(&z[i], zWord, n)==0 ) return i;
    i += n;
  }
  return j;
}

/* Offset in z of the first token of z[i..j) after a leading
** "CONSTRAINT name", or i when there is none. */
static int modelSkipName(const char *z, int i, int j){
  int eType, n, k = 0;
  if( modelFindWord(z, i, j, "CONSTRAINT")!=i ) return i;
  while( i<j && k<2 ){
    n = migTokenLen(&z[i], &eType);
    if( eType!=MIG_TK_SPACE ) k++;
    i += n;
  }
  while( i<j ){
    n = migTokenLen(&z[i], &eType);
    if( eType!=MIG_TK_SPACE ) break;
    i += n;
  }
  return i;
}

/* Fill pCons from a constraint whose table-level body is zBody (taken
** over). Returns SQLITE_OK or SQLITE_NOMEM. */
static int modelSetCons(MigMCons *pCons, int eKind, const char *zName,
                        char *zBody, const char *zCol){
  pCons->eKind = eKind;
  pCons->zBody = zBody;
  if( zBody==0 ) return SQLITE_NOMEM;
  pCons->zNorm = modelNormCons(zBody, eKind);
  if( zName ) pCons->zName = sqlite3_mprintf("%s", zName);
  if( zCol ) pCons->zCol = sqlite3_mprintf("%s", zCol);
  if( pCons->zNorm==0 || (zName && pCons->zName==0)
   || (zCol && pCons->zCol==0) ) return SQLITE_NOMEM;
  return SQLITE_OK;
}

/* Read one column constraint pC of column pCol (text z) into pMC and
** pObj. Returns SQLITE_OK or SQLITE_NOMEM. */
static int modelColCons(MigMObj *pObj, MigMCol *pMC, const char *z,
                        const MigCons *pC){
  char *zQ = sqlite3_mprintf("\"%w\"", pMC->zName);
  int rc = zQ ? SQLITE_OK : SQLITE_NOMEM;
  MigMCons *pNew;
  char *zBody = 0;
  int eKind = 0;
  switch( pC->eKind ){
    case MIG_CONS_PK:
      pMC->bPk = 1;
      if( modelHasWord(z, pC->iStart, pC->iEnd, "AUTOINCREMENT") ){
        pObj->bAutoinc = 1;
      }
      eKind = MIG_MC_PK;
      zBody = sqlite3_mprintf("PRIMARY KEY (%s%s)", zQ,
          modelHasWord(z, pC->iStart, pC->iEnd, "DESC") ? " DESC" : "");
      break;
    case MIG_CONS_NOTNULL:
      pMC->bNotNull = 1;
      break;
    case MIG_CONS_UNIQUE:
      eKind = MIG_MC_UNIQUE;
      zBody = sqlite3_mprintf("UNIQUE (%s)", zQ);
      break;
    case MIG_CONS_CHECK:
      eKind = MIG_MC_CHECK;
      zBody = sqlite3_mprintf("CHECK (%.*s)", pC->iArgEnd-pC->iArg,
                              &z[pC->iArg]);
      break;
    case MIG_CONS_DEFAULT: {
      char *zNorm;
      int n;
      pMC->zDefault = modelSub(z, pC->iArg, pC->iArgEnd);
      zNorm = migModelNorm(pMC->zDefault);
      n = zNorm ? (int)strlen(zNorm) : 0;
      /* "(1)" is "1": one literal in parentheses */
      if( n>4 && zNorm[0]=='(' && zNorm[n-1]==')'
       && strchr(zNorm+2, ' ')==&zNorm[n-2] ){
        memmove(zNorm, zNorm+2, n-4);
        zNorm[n-4] = 0;
      }
      pMC->zDefaultNorm = zNorm;
      if( zNorm==0 ) rc = SQLITE_NOMEM;
      break;
    }
    case MIG_CONS_COLLATE: {
      MigToken t;
      t.iOff = pC->iArg;
      t.n = pC->iArgEnd-pC->iArg;
      migTokenLen(&z[t.iOff], &t.eType);
      pMC->zCollate = migTokName(z, &t);
      if( pMC->zCollate==0 ){
        rc = SQLITE_NOMEM;
      }else if( sqlite3_stricmp(pMC->zCollate, "BINARY")==0 ){
        sqlite3_free(pMC->zCollate);
        pMC->zCollate = 0;
      }
      break;
    }
    case MIG_CONS_FK: {
      int iRef = modelFindWord(z, pC->iStart, pC->iEnd, "REFERENCES");
      eKind = MIG_MC_FK;
      zBody = sqlite3_mprintf("FOREIGN KEY (%s) %.*s", zQ,
                              pC->iEnd-iRef, &z[iRef]);
      break;
    }
    case MIG_CONS_GENERATED: {
      int bStored = modelHasWord(z, pC->iArgEnd, pC->iEnd, "STORED");
      char *zExpr = modelSub(z, pC->iArg, pC->iArgEnd);
      char *zNorm = migModelNorm(zExpr);
      pMC->zGenNorm = zNorm ? sqlite3_mprintf("as ( %s ) %s", zNorm,
                                  bStored ? "stored" : "virtual") : 0;
      if( pMC->zGenNorm==0 ) rc = SQLITE_NOMEM;
      sqlite3_free(zExpr);
      sqlite3_free(zNorm);
      break;
    }
  }
  if( rc==SQLITE_OK && eKind ){
    pNew = modelNewCons(pObj);
    if( pNew==0 ){
      sqlite3_free(zBody);
      rc = SQLITE_NOMEM;
    }else{
      rc = modelSetCons(pNew, eKind, pC->zName, zBody, pMC->zName);
      if( rc==SQLITE_OK && eKind==MIG_MC_CHECK ){
        pNew->zArg = modelSub(z, pC->iArg, pC->iArgEnd);
        if( pNew->zArg==0 ) rc = SQLITE_NOMEM;
      }
    }
  }
  sqlite3_free(zQ);
  return rc;
}

/* Read table constraint pC (text z) into pObj. */
static int modelTabCons(MigMObj *pObj, const char *z, const MigCons *pC){
  static const int aMap[] = {
    0, MIG_MC_PK, 0, 0, MIG_MC_UNIQUE, MIG_MC_CHECK, 0, 0, MIG_MC_FK, 0
  };
  int eKind = pC->eKind>=0 && pC->eKind<=9 ? aMap[pC->eKind] : 0;
  int iBody = modelSkipName(z, pC->iStart, pC->iEnd);
  MigMCons *pNew;
  int rc, i;
  if( eKind==0 ) return SQLITE_OK;
  pNew = modelNewCons(pObj);
  if( pNew==0 ) return SQLITE_NOMEM;
  rc = modelSetCons(pNew, eKind, pC->zName, modelSub(z, iBody, pC->iEnd), 0);
  if( rc==SQLITE_OK && eKind==MIG_MC_CHECK ){
    pNew->zArg = modelSub(z, pC->iArg, pC->iArgEnd);
    if( pNew->zArg==0 ) rc = SQLITE_NOMEM;
  }
  if( eKind==MIG_MC_PK ){
    for(i=0; i<pObj->nCol; i++){
      if( migTokUsesName(z, pC->iArg, pC->iArgEnd, pObj->aCol[i].zName) ){
        pObj->aCol[i].bPk = 1;
      }
    }
  }
  return rc;
}

/* Read column pCol of parsed table pTab into pObj->aCol[iCol]. */
static int modelColumn(MigMObj *pObj, const MigTab *pTab, int iCol){
  const MigCol *pCol = &pTab->aCol[iCol];
  MigMCol *pMC = &pObj->aCol[iCol];
  const char *z = pTab->zSql;
  int rc = SQLITE_OK, i;
  pMC->zName = sqlite3_mprintf("%s", pCol->zName);
  pMC->zType = modelSub(z, pCol->iType, pCol->iTypeEnd);
  pMC->zTypeNorm = migModelNorm(pMC->zType);
  pMC->zDef = modelSub(z, pCol->iStart, pCol->iEnd);
  if( !pMC->zName || !pMC->zType || !pMC->zTypeNorm || !pMC->zDef ){
    return SQLITE_NOMEM;
  }
  for(i=0; rc==SQLITE_OK && i<pCol->nCons; i++){
    rc = modelColCons(pObj, pMC, z, &pCol->aCons[i]);
  }
  return rc;
}

/* An INTEGER PRIMARY KEY (the rowid) is never NULL: NOT NULL written on
** it or not is the same column. */
static void modelRowidAlias(MigMObj *pObj){
  int i, nPk = 0, iPk = 0;
  if( pObj->bWithoutRowid ) return;
  for(i=0; i<pObj->nCol; i++){
    if( pObj->aCol[i].bPk ){ nPk++; iPk = i; }
  }
  if( nPk==1 && strcmp(pObj->aCol[iPk].zTypeNorm, "integer")==0 ){
    pObj->aCol[iPk].bNotNull = 1;
  }
}

/* Read the CREATE TABLE text of pObj (already holding zSql). */
static int modelTable(MigMObj *pObj, char **pzErr){
  MigTab *pTab = 0;
  char *zErr = 0;
  int rc, i;
  if( sqlite3_strnicmp(pObj->zSql, "CREATE VIRTUAL", 14)==0 ){
    pObj->bVirtual = 1;
    pObj->zNorm = migModelNorm(pObj->zSql);
    return pObj->zNorm ? SQLITE_OK : SQLITE_NOMEM;
  }
  rc = migTabParse(pObj->zSql, &pTab, &zErr);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot read table %s: %s", pObj->zName,
                             zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    return rc;
  }
  pObj->bStrict = pTab->bStrict;
  pObj->bWithoutRowid = pTab->bWithoutRowid;
  pObj->iNameOff = pTab->iName;
  pObj->iNameEnd = pTab->iNameEnd;
  pObj->aCol = sqlite3_malloc64(sizeof(MigMCol)*(pTab->nCol+1));
  if( pObj->aCol==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    memset(pObj->aCol, 0, sizeof(MigMCol)*(pTab->nCol+1));
    pObj->nCol = pTab->nCol;
  }
  for(i=0; rc==SQLITE_OK && i<pTab->nCol; i++) rc = modelColumn(pObj, pTab, i);
  for(i=0; rc==SQLITE_OK && i<pTab->nCons; i++){
    rc = modelTabCons(pObj, pTab->zSql, &pTab->aCons[i]);
  }
  if( rc==SQLITE_OK ) modelRowidAlias(pObj);
  migTabFree(pTab);
  return rc;
}

/* True for objects a model leaves out. */
static int modelSkip(const char *zName, const char *zTbl){
  static const char *azBook[] = { "migrate_version", "migrate_history" };
  size_t i;
  if( sqlite3_strnicmp(zName, "sqlite_", 7)==0 ) return 1;
  for(i=0; i<sizeof(azBook)/sizeof(azBook[0]); i++){
    if( migNameEq(zTbl, azBook[i]) ) return 1;
  }
  return 0;
}

/* Order of two objects: type, then name without case. */
static int modelCmpObj(const void *a, const void *b){
  const MigMObj *pA = (const MigMObj*)a, *pB = (const MigMObj*)b;
  if( pA->eType!=pB->eType ) return pA->eType - pB->eType;
  return sqlite3_stricmp(pA->zName, pB->zName);
}

/* Type code of a sqlite_schema type name. */
static int modelType(const char *zType){
  if( strcmp(zType, "table")==0 ) return MIG_OBJ_TABLE;
  if( strcmp(zType, "index")==0 ) return MIG_OBJ_INDEX;
  if( strcmp(zType, "view")==0 ) return MIG_OBJ_VIEW;
  return MIG_OBJ_TRIGGER;
}

/* Append the object of row pStmt (type, name, tbl_name, sql) to p. */
static int modelAddRow(MigModel *p, sqlite3_stmt *pStmt, char **pzErr){
  MigMObj *aNew, *pObj;
  int rc = SQLITE_OK;
  aNew = sqlite3_realloc64(p->aObj, (p->nObj+1)*sizeof(MigMObj));
  if( aNew==0 ) return SQLITE_NOMEM;
  p->aObj = aNew;
  pObj = &aNew[p->nObj++];
  memset(pObj, 0, sizeof(*pObj));
  pObj->eType = modelType((const char*)sqlite3_column_text(pStmt, 0));
  pObj->zName = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
  pObj->zTbl = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 2));
  pObj->zSql = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
  pObj->iOrder = p->nObj;
  if( !pObj->zName || !pObj->zTbl || !pObj->zSql ) return SQLITE_NOMEM;
  if( pObj->eType==MIG_OBJ_TABLE ){
    rc = modelTable(pObj, pzErr);
  }else{
    pObj->zNorm = migModelNorm(pObj->zSql);
    if( pObj->zNorm==0 ) return SQLITE_NOMEM;
    if( pObj->eType==MIG_OBJ_INDEX ){
      char *zPad = sqlite3_mprintf(" %s ", pObj->zNorm);
      if( zPad==0 ) return SQLITE_NOMEM;
      modelDrop(zPad, " asc ");
      modelDrop(zPad, " collate binary ");
      zPad[strlen(zPad)-1] = 0;
      sqlite3_free(pObj->zNorm);
      pObj->zNorm = sqlite3_mprintf("%s", zPad+1);
      sqlite3_free(zPad);
      if( pObj->zNorm==0 ) return SQLITE_NOMEM;
    }
  }
  return rc;
}

/*
** Read schema zSchema of db into *ppModel. See model.h.
*/
int migModelRead(sqlite3 *db, const char *zSchema, MigModel **ppModel,
                 char **pzErr){
  MigModel *p = sqlite3_malloc64(sizeof(MigModel));
  sqlite3_stmt *pStmt = 0;
  int rc;
  *ppModel = 0;
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  if( zSchema==0 ) zSchema = "main";
  rc = migPrepare(db, &pStmt,
      "SELECT type, name, tbl_name, sql FROM \"%w\".sqlite_schema"
      " WHERE sql IS NOT NULL AND type IN ('table','index','view','trigger')"
      " AND name NOT IN (SELECT name FROM pragma_table_list"
      "   WHERE schema=%Q AND type='shadow')"
      " ORDER BY rowid", zSchema, zSchema);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot read the schema: %s",
                             sqlite3_errmsg(db));
  }
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    if( modelSkip((const char*)sqlite3_column_text(pStmt, 1),
                  (const char*)sqlite3_column_text(pStmt, 2)) ) continue;
    rc = modelAddRow(p, pStmt, pzErr);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("cannot read the schema: %s",
                               sqlite3_errmsg(db));
    }
  }else{
    sqlite3_finalize(pStmt);
  }
  if( rc==SQLITE_OK ){
    if( p->nObj>1 ) qsort(p->aObj, p->nObj, sizeof(MigMObj), modelCmpObj);
    *ppModel = p;
  }else{
    migModelFree(p);
  }
  return rc;
}

/* Sort the objects of p as migModelRead() does (type, then name). */
void migModelSort(MigModel *p){
  if( p->nObj>1 ) qsort(p->aObj, p->nObj, sizeof(MigMObj), modelCmpObj);
}

/* Free a model. */
void migModelFree(MigModel *p){
  int i, j;
  if( p==0 ) return;
  for(i=0; i<p->nObj; i++){
    MigMObj *pObj = &p->aObj[i];
    for(j=0; j<pObj->nCol; j++){
      MigMCol *c = &pObj->aCol[j];
      sqlite3_free(c->zName); sqlite3_free(c->zType);
      sqlite3_free(c->zTypeNorm); sqlite3_free(c->zDefault);
      sqlite3_free(c->zDefaultNorm); sqlite3_free(c->zCollate);
      sqlite3_free(c->zGenNorm); sqlite3_free(c->zDef);
    }
    for(j=0; j<pObj->nCons; j++){
      MigMCons *c = &pObj->aCons[j];
      sqlite3_free(c->zName); sqlite3_free(c->zBody);
      sqlite3_free(c->zNorm); sqlite3_free(c->zArg); sqlite3_free(c->zCol);
    }
    sqlite3_free(pObj->aCol);
    sqlite3_free(pObj->aCons);
    sqlite3_free(pObj->zName); sqlite3_free(pObj->zTbl);
    sqlite3_free(pObj->zSql); sqlite3_free(pObj->zNorm);
  }
  sqlite3_free(p->aObj);
  sqlite3_free(p);
}

/* The object of type eType named zName (binary search), or NULL. */
MigMObj *migModelFind(const MigModel *p, int eType, const char *zName){
  int lo = 0, hi = p->nObj-1;
  while( lo<=hi ){
    int mid = (lo+hi)/2;
    const MigMObj *o = &p->aObj[mid];
    int c = o->eType!=eType ? o->eType-eType : sqlite3_stricmp(o->zName, zName);
    if( c==0 ) return (MigMObj*)o;
    if( c<0 ) lo = mid+1; else hi = mid-1;
  }
  return 0;
}

/* Column zName of table pTab, or -1. */
int migModelCol(const MigMObj *pTab, const char *zName){
  int i;
  for(i=0; i<pTab->nCol; i++){
    if( migNameEq(pTab->aCol[i].zName, zName) ) return i;
  }
  return -1;
}
