/*
** alter_fk.c: foreign keys hold after a request, whatever PRAGMA
** foreign_keys says (SQLite's default is off, and then nothing stops a
** change that breaks them).
**
**   MigFkState s;
**   rc = migFkBefore(p, &s);     after BEGIN, before any change
**   ... the request ...
**   rc = migFkAfter(p, &s);      before COMMIT: refuse what is new
**   migFkFree(&s);
**
** Both are skipped for a request migFkNeutral() calls neutral, as long
** as it runs without a rebuild.
**
** Both passes look at every table with foreign keys among: the altered
** table, the tables it references and the tables that reference it. A
** "foreign key mismatch" (a parent key that is not unique, a parent
** column gone) that was not there before, or more rows breaking a key
** than before, fails the request naming the key and the rows. Rows are
** scanned (PRAGMA foreign_key_check) only when the request can change
** what they hold for a key (TYPE, a key added); otherwise only the keys
** that name the table as parent are checked to still find their parent
** key, which needs no scan, so a DROP COLUMN costs what SQLite's does.
** Keys are matched by what they say (child table and
** columns, parent table and columns), with the request's renames
** applied to the first pass, so a rebuild that renumbers them, or a
** RENAME, does not matter. Tables without foreign keys cost one query.
*/
#include "alter_int.h"
#include <string.h>

#define MIG_FK_ROWS 8          /* Rowids remembered per key */

/* One foreign key and the rows breaking it. */
struct MigFkKey {
  char *zSig;                  /* "child(cols) REFERENCES parent(cols)" */
  char *zChild;                /* Child table */
  sqlite3_int64 nBad;          /* Rows breaking it */
  int nRow;                    /* Rowids in aRow */
  sqlite3_int64 aRow[MIG_FK_ROWS];  /* The first rows breaking it */
};

/* A child table whose foreign_key_check fails outright. */
struct MigFkErr {
  char *zChild;                /* The table */
  char *zMsg;                  /* SQLite's message (foreign key mismatch) */
};

/* The final name of column zCol of the altered table (renames applied),
** sqlite3_malloc'd. */
static char *fkColName(MigAlter *p, const char *zCol){
  const char *z = zCol;
  int i;
  for(i=0; i<p->nOp; i++){
    if( p->aOp[i].eOp==MIG_OP_RENAME_COLUMN && migNameEq(p->aOp[i].zCol, z) ){
      z = p->aOp[i].zArg;
    }
  }
  return sqlite3_mprintf("%s", z);
}

/* The final name of the altered table. */
static const char *fkTabName(MigAlter *p){
  const char *z = p->zTable;
  int i;
  for(i=0; i<p->nOp; i++){
    if( p->aOp[i].eOp==MIG_OP_RENAME_TABLE ) z = p->aOp[i].zArg;
  }
  return z;
}

/* Append name zName to pStr: a table or column of the altered table
** zOld is given its final name when bMap. bCol: zName is a column of
** table zOwner. */
static void fkAppendName(MigAlter *p, sqlite3_str *pStr, int bMap,
                         const char *zOwner, const char *zName, int bCol){
  char *z = 0;
  if( bMap && migNameEq(zOwner, p->zTable) ){
    z = bCol ? fkColName(p, zName) : sqlite3_mprintf("%s", fkTabName(p));
  }
  sqlite3_str_appendall(pStr, z ? z : zName);
  sqlite3_free(z);
}

/* Free the keys and errors of s. */
void migFkFree(MigFkState *s){
  int i;
  for(i=0; i<s->nKey; i++){
    sqlite3_free(s->aKey[i].zSig);
    sqlite3_free(s->aKey[i].zChild);
  }
  for(i=0; i<s->nErr; i++){
    sqlite3_free(s->aErr[i].zChild);
    sqlite3_free(s->aErr[i].zMsg);
  }
  sqlite3_free(s->aKey);
  sqlite3_free(s->aErr);
  memset(s, 0, sizeof(*s));
}

/* Add the keys of child table zChild to s; *piFirst gets the index of
** the first one (keys of one table are in fkid order). */
static int fkKeys(MigAlter *p, MigFkState *s, const char *zChild,
                  int bMap, int *piFirst){
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pStr = 0;
  int iLast = -1;
  int rc = migAlterPrepare(p, &pStmt, "SELECT id, seq, \"table\", \"from\", "
      "\"to\" FROM pragma_foreign_key_list(%Q, %Q) ORDER BY id, seq",
      zChild, p->zSchema);
  *piFirst = s->nKey;
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    int iId = sqlite3_column_int(pStmt, 0);
    const char *zParent = (const char*)sqlite3_column_text(pStmt, 2);
    const char *zFrom = (const char*)sqlite3_column_text(pStmt, 3);
    const char *zTo = (const char*)sqlite3_column_text(pStmt, 4);
    struct MigFkKey *pKey;
    if( iId!=iLast ){
      struct MigFkKey *aNew = sqlite3_realloc64(s->aKey,
                                      sizeof(*aNew)*(s->nKey+1));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      s->aKey = aNew;
      pKey = &aNew[s->nKey++];
      memset(pKey, 0, sizeof(*pKey));
      pKey->zChild = sqlite3_mprintf("%s", zChild);
      iLast = iId;
    }
    pKey = &s->aKey[s->nKey-1];
    pStr = sqlite3_str_new(0);
    if( pKey->zSig ){
      sqlite3_str_appendall(pStr, pKey->zSig);
      sqlite3_str_appendchar(pStr, 1, ',');
    }
    fkAppendName(p, pStr, bMap, zChild, zFrom ? zFrom : "", 1);
    sqlite3_str_appendchar(pStr, 1, '\001');
    fkAppendName(p, pStr, bMap, zParent ? zParent : "",
                 zParent ? zParent : "", 0);
    sqlite3_str_appendchar(pStr, 1, '\001');
    if( zTo ) fkAppendName(p, pStr, bMap, zParent ? zParent : "", zTo, 1);
    sqlite3_free(pKey->zSig);
    pKey->zSig = sqlite3_str_finish(pStr);
    if( pKey->zSig==0 || pKey->zChild==0 ) rc = SQLITE_NOMEM;
  }
  return migAlterFinish(p, pStmt, rc);
}

/* Record the rows of zChild breaking its keys (from index iFirst of
** s->aKey), or the error its check fails with. */
static int fkRows(MigAlter *p, MigFkState *s, const char *zChild,
                  int bMap, int iFirst){
  sqlite3_stmt *pStmt = 0;
  int rc = migPrepare(p->db, &pStmt, "SELECT rowid, fkid FROM "
                      "pragma_foreign_key_check(%Q, %Q)", zChild, p->zSchema);
  int nKey = s->nKey - iFirst;
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    int iKey = sqlite3_column_int(pStmt, 1);
    struct MigFkKey *pKey;
    rc = SQLITE_OK;
    if( iKey<0 || iKey>=nKey ) continue;
    pKey = &s->aKey[iFirst+iKey];
    if( pKey->nRow<MIG_FK_ROWS ){
      pKey->aRow[pKey->nRow++] = sqlite3_column_int64(pStmt, 0);
    }
    pKey->nBad++;
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    struct MigFkErr *aNew = sqlite3_realloc64(s->aErr,
                                              sizeof(*aNew)*(s->nErr+1));
    if( aNew==0 ){
      rc = SQLITE_NOMEM;
    }else{
      sqlite3_str *pStr = sqlite3_str_new(0);
      s->aErr = aNew;
      fkAppendName(p, pStr, bMap, zChild, zChild, 0);
      aNew[s->nErr].zChild = sqlite3_str_finish(pStr);
      aNew[s->nErr].zMsg = sqlite3_mprintf("%s", sqlite3_errmsg(p->db));
      s->nErr++;
      rc = (aNew[s->nErr-1].zChild && aNew[s->nErr-1].zMsg) ? SQLITE_OK
                                                          : SQLITE_NOMEM;
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* Record in s (as SQLite words it) that a key of zChild to zParent
** finds no parent key; zParent as it will be named after the request. */
static int fkMismatch(MigAlter *p, MigFkState *s, const char *zChild,
                      const char *zParent, int bMap){
  struct MigFkErr *aNew = sqlite3_realloc64(s->aErr, sizeof(*aNew)*(s->nErr+1));
  sqlite3_str *pC, *pP;
  if( aNew==0 ) return SQLITE_NOMEM;
  s->aErr = aNew;
  pC = sqlite3_str_new(0);
  pP = sqlite3_str_new(0);
  fkAppendName(p, pC, bMap, zChild, zChild, 0);
  fkAppendName(p, pP, bMap, zParent, zParent, 0);
  aNew[s->nErr].zChild = sqlite3_str_finish(pC);
  {
    char *zP = sqlite3_str_finish(pP);
    aNew[s->nErr].zMsg = sqlite3_mprintf("foreign key mismatch - \"%w\" "
        "referencing \"%w\"", aNew[s->nErr].zChild, zP ? zP : "");
    sqlite3_free(zP);
  }
  s->nErr++;
  return (aNew[s->nErr-1].zChild && aNew[s->nErr-1].zMsg) ? SQLITE_OK
                                                          : SQLITE_NOMEM;
}

/*
** Without a scan of the rows: every key of zChild whose parent is zTable
** must find a parent key there, a PRIMARY KEY or a UNIQUE index (not
** partial) on exactly its columns, as SQLite requires; one that does not
** is recorded as SQLite's "foreign key mismatch".
*/
static int fkResolve(MigAlter *p, MigFkState *s, const char *zChild,
                     const char *zTable, int bMap){
  sqlite3_stmt *pStmt = 0;
  int rc = migAlterPrepare(p, &pStmt, "SELECT \"table\", "
      "coalesce(k.cols, ''), CASE WHEN k.cols IS NULL THEN EXISTS (SELECT 1 "
      "FROM pragma_table_info(k.\"table\", %Q) WHERE pk>0) ELSE "
      "(SELECT group_concat(n) FROM (SELECT lower(name) AS n FROM "
      "pragma_table_info(k.\"table\", %Q) WHERE pk>0 ORDER BY 1))=k.cols "
      "OR EXISTS (SELECT 1 FROM pragma_index_list(k.\"table\", %Q) il "
      "WHERE il.\"unique\" AND NOT il.partial AND (SELECT group_concat(n) "
      "FROM (SELECT lower(name) AS n FROM pragma_index_info(il.name, %Q) "
      "ORDER BY 1))=k.cols) END FROM (SELECT \"table\", group_concat(t, ',')"
      " AS cols FROM (SELECT id, \"table\", lower(\"to\") AS t FROM "
      "pragma_foreign_key_list(%Q, %Q) ORDER BY id, 3) GROUP BY id) k "
      "WHERE k.\"table\"=%Q COLLATE nocase",
      p->zSchema, p->zSchema, p->zSchema, p->zSchema, zChild, p->zSchema,
      zTable);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    if( sqlite3_column_int(pStmt, 2)==0 ){
      rc = fkMismatch(p, s, zChild,
                      (const char*)sqlite3_column_text(pStmt, 0), bMap);
      break;
    }
  }
  return migAlterFinish(p, pStmt, rc);
}

/* True if the request can make rows break a foreign key: it changes
** stored values (TYPE) or adds a key. Other requests can only make a
** key lose its parent key, found without scanning rows. */
static int fkNeedScan(MigAlter *p){
  int i;
  for(i=0; i<p->nOp; i++){
    MigOp *pOp = &p->aOp[i];
    if( pOp->eOp==MIG_OP_TYPE ) return 1;
    if( (pOp->eOp==MIG_OP_ADD_CONS || pOp->eOp==MIG_OP_ADD_COLUMN)
     && pOp->zArg
     && migTokUsesName(pOp->zArg, 0, (int)strlen(pOp->zArg), "REFERENCES") ){
      return 1;
    }
  }
  return 0;
}

/*
** True if the request, run without a rebuild, can change neither the
** rows a key reads nor whether a key finds its parent key, so there is
** nothing to check: every clause is a DEFAULT, NOT NULL or CHECK edited
** in the CREATE TABLE text (rows untouched, no key and no index in the
** text changed), a DROP CONSTRAINT (fewer keys, and the UNIQUE or PRIMARY
** KEY a key may need goes only by a rebuild), or SQLite's own DROP
** COLUMN, which refuses a column that is in a PRIMARY KEY, a UNIQUE
** constraint, an index or a foreign key of its table. Not in defensive
** mode, where every edit is a rebuild.
*/
int migFkNeutral(MigAlter *p){
  int i;
  if( p->bDefensive ) return 0;
  for(i=0; i<p->nOp; i++){
    MigOp *pOp = &p->aOp[i];
    switch( pOp->eOp ){
      case MIG_OP_DROP_COLUMN: case MIG_OP_SET_NOT_NULL:
      case MIG_OP_DROP_NOT_NULL: case MIG_OP_SET_DEFAULT:
      case MIG_OP_DROP_DEFAULT: case MIG_OP_DROP_CONS:
      case MIG_OP_DROP_CHECK:
        break;
      case MIG_OP_ADD_CONS:
        if( pOp->zArg==0 || migTokUsesName(pOp->zArg, 0,
                            (int)strlen(pOp->zArg), "REFERENCES") ) return 0;
        break;
      default:
        return 0;
    }
  }
  return 1;
}

/* Check every table with foreign keys related to zTable into s. */
static int fkCollect(MigAlter *p, const char *zTable, int bMap,
                     MigFkState *s){
  sqlite3_stmt *pStmt = 0;
  int rc = migAlterPrepare(p, &pStmt, "SELECT m.name FROM \"%w\".sqlite_master"
      " m WHERE m.type='table' AND EXISTS (SELECT 1 FROM "
      "pragma_foreign_key_list(m.name, %Q) f WHERE m.name=%Q COLLATE nocase "
      "OR f.\"table\"=%Q COLLATE nocase OR m.name IN (SELECT \"table\" FROM "
      "pragma_foreign_key_list(%Q, %Q))) ORDER BY m.name",
      p->zSchema, p->zSchema, zTable, zTable, zTable, p->zSchema);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    char *zChild = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    int iFirst = 0;
    if( zChild==0 ){
      rc = SQLITE_NOMEM;
    }else if( !s->bScan ){
      rc = fkResolve(p, s, zChild, zTable, bMap);
    }else{
      rc = fkKeys(p, s, zChild, bMap, &iFirst);
      if( rc==SQLITE_OK ) rc = fkRows(p, s, zChild, bMap, iFirst);
    }
    sqlite3_free(zChild);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK ) rc = migAlterErr(p, rc, "%s", sqlite3_errmsg(p->db));
  }else{
    sqlite3_finalize(pStmt);
  }
  return rc;
}

/* The state before the request (names as they will be after it). */
int migFkBefore(MigAlter *p, MigFkState *s){
  memset(s, 0, sizeof(*s));
  s->bScan = fkNeedScan(p);
  return fkCollect(p, p->zTable, 1, s);
}

/* The key of s saying zSig, or NULL. */
static struct MigFkKey *fkFind(MigFkState *s, const char *zSig){
  int i;
  for(i=0; i<s->nKey; i++){
    if( sqlite3_stricmp(s->aKey[i].zSig, zSig)==0 ) return &s->aKey[i];
  }
  return 0;
}

/* True if rowid iRow is among the rows remembered for pKey. */
static int fkHasRow(struct MigFkKey *pKey, sqlite3_int64 iRow){
  int i;
  for(i=0; pKey && i<pKey->nRow; i++) if( pKey->aRow[i]==iRow ) return 1;
  return 0;
}

/* "child(a, b) REFERENCES parent(c)" from a signature. */
static char *fkLabel(struct MigFkKey *pKey){
  sqlite3_str *pStr = sqlite3_str_new(0);
  char *zCopy = sqlite3_mprintf("%s", pKey->zSig);
  char *z, *zNext;
  sqlite3_str *pTo = sqlite3_str_new(0);
  sqlite3_str *pFrom = sqlite3_str_new(0);
  char *zParent = 0;
  for(z=zCopy; z && *z; z=zNext){
    char *zA = z, *zB, *zC;
    zNext = strchr(z, ',');
    if( zNext ) *zNext++ = 0; else zNext = z+strlen(z);
    zB = strchr(zA, '\001');
    if( zB==0 ) break;
    *zB++ = 0;
    zC = strchr(zB, '\001');
    if( zC==0 ) break;
    *zC++ = 0;
    if( zParent==0 ) zParent = zB;
    sqlite3_str_appendf(pFrom, "%s%s", sqlite3_str_length(pFrom) ? ", " : "",
                        zA);
    if( zC[0] ){
      sqlite3_str_appendf(pTo, "%s%s", sqlite3_str_length(pTo) ? ", " : "",
                          zC);
    }
  }
  {
    char *zF = sqlite3_str_finish(pFrom);
    char *zT = sqlite3_str_finish(pTo);
    sqlite3_str_appendf(pStr, "FOREIGN KEY %s(%s) REFERENCES %s", pKey->zChild,
                        zF ? zF : "", zParent ? zParent : "");
    if( zT && zT[0] ) sqlite3_str_appendf(pStr, "(%s)", zT);
    sqlite3_free(zF);
    sqlite3_free(zT);
  }
  sqlite3_free(zCopy);
  return sqlite3_str_finish(pStr);
}

/* Fail naming key pKey (state after) and its rows not in pOld. */
static int fkRefuse(MigAlter *p, struct MigFkKey *pKey,
                    struct MigFkKey *pOld){
  sqlite3_str *pRows = sqlite3_str_new(0);
  sqlite3_int64 nNew = pKey->nBad - (pOld ? pOld->nBad : 0);
  char *zLabel = fkLabel(pKey), *zRows;
  int i, rc;
  for(i=0; i<pKey->nRow; i++){
    if( fkHasRow(pOld, pKey->aRow[i]) ) continue;
    sqlite3_str_appendf(pRows, "%s%lld", sqlite3_str_length(pRows) ? ", " : "",
                        pKey->aRow[i]);
  }
  zRows = sqlite3_str_finish(pRows);
  rc = migAlterErr(p, SQLITE_CONSTRAINT, "cannot alter %s: %s fails for "
      "%lld row%s (%s rowid %s%s)", p->zTable, zLabel ? zLabel : "FOREIGN KEY",
      nNew, nNew==1 ? "" : "s", pKey->zChild, zRows ? zRows : "",
      nNew>pKey->nRow ? ", ..." : "");
  sqlite3_free(zLabel);
  sqlite3_free(zRows);
  return rc;
}

/*
** After the request: check again, and fail on anything new compared
** with pBefore: a table whose check fails outright, or a key broken by
** more rows than before.
*/
int migFkAfter(MigAlter *p, MigFkState *pBefore){
  MigFkState s;
  int i, j, rc;
  memset(&s, 0, sizeof(s));
  s.bScan = pBefore->bScan;
  rc = fkCollect(p, fkTabName(p), 0, &s);
  for(i=0; rc==SQLITE_OK && i<s.nErr; i++){
    int bOld = 0;
    for(j=0; j<pBefore->nErr; j++){
      bOld |= migNameEq(pBefore->aErr[j].zChild, s.aErr[i].zChild);
    }
    if( !bOld ){
      rc = migAlterErr(p, SQLITE_CONSTRAINT, "cannot alter %s: %s",
                       p->zTable, s.aErr[i].zMsg);
    }
  }
  for(i=0; rc==SQLITE_OK && i<s.nKey; i++){
    struct MigFkKey *pOld = fkFind(pBefore, s.aKey[i].zSig);
    if( s.aKey[i].nBad > (pOld ? pOld->nBad : 0) ){
      rc = fkRefuse(p, &s.aKey[i], pOld);
    }
  }
  migFkFree(&s);
  return rc;
}
