/*
** alter_rebuild.c: SQLite's 12-step generalized ALTER TABLE procedure
** (lang_altertable.html, section 7) for one request: migRebuild().
**
** The caller (alter.c) has already done steps 1, 2 and 11-12: foreign
** keys off outside the transaction when it was in autocommit mode, the
** transaction or savepoint open, commit or rollback. Here:
**   3. remember the SQL of the table's indexes and triggers, and its
**      sqlite_sequence value;
**   4. CREATE TABLE migrate_alter_<t> with the new definition (the text
**      MigSim produced: every untouched part as the user wrote it);
**   5. INSERT INTO it SELECT the mapped expressions FROM t, rowids kept
**      for rowid tables, generated columns left to compute themselves;
**   6. DROP TABLE t;
**   7. ALTER TABLE migrate_alter_<t> RENAME TO t, with legacy_alter_table
**      on so SQLite rewrites nothing else in the schema (views, triggers
**      and foreign keys of other tables name "t", which is right again
**      once the rename is done); then the stored text is set back to
**      exactly the new definition (the rename may requote the name);
**   8. recreate the indexes and triggers from their saved SQL;
**   9. check that every view and trigger that mentions t still compiles
**      (preparing, never running, statements that use them);
**  10. new foreign keys, and all of t's when foreign keys were on, are
**      checked with PRAGMA foreign_key_check; sqlite_sequence restored.
** A failure at any step returns an error naming the culprit; the caller
** rolls back, so no migrate_alter_* table is ever left behind.
*/
#include "alter_int.h"
#include <string.h>

/* A saved index or trigger of the table. */
typedef struct MigSaved MigSaved;
struct MigSaved {
  char *zType;                 /* "index" or "trigger" */
  char *zName;                 /* Its name */
  char *zSql;                  /* Its CREATE statement */
  int bTemp;                   /* A TEMP trigger (stored without TEMP) */
};

/* State of one rebuild. */
typedef struct MigRebuild MigRebuild;
struct MigRebuild {
  MigAlter *p;                 /* The request */
  MigSim *s;                   /* The new definition and column map */
  MigTab *pOld;                /* The old definition */
  char *zTmp;                  /* Name of the new table until renamed */
  int nSaved;                  /* Saved indexes and triggers */
  MigSaved *aSaved;
  char *zAlias;                /* Rowid alias of the new table, or NULL */
  int nStat;                   /* Saved sqlite_stat1 rows of t */
  char **azStat;               /* Each: idx (or NULL), stat, index columns */
  int bSeq;                    /* t had a sqlite_sequence row */
  sqlite3_int64 iSeq;          /* Its value */
};

/* Free what r owns. */
static void rebuildFree(MigRebuild *r){
  int i;
  for(i=0; i<r->nSaved; i++){
    sqlite3_free(r->aSaved[i].zType);
    sqlite3_free(r->aSaved[i].zName);
    sqlite3_free(r->aSaved[i].zSql);
  }
  sqlite3_free(r->aSaved);
  for(i=0; i<r->nStat*3; i++) sqlite3_free(r->azStat[i]);
  sqlite3_free(r->azStat);
  sqlite3_free(r->zTmp);
  sqlite3_free(r->zAlias);
  migTabFree(r->pOld);
}

/* Refuse when foreign keys cannot be switched off (inside a transaction)
** and another table references t: dropping t would cascade or fail. */
static int rebuildCheckNoChildren(MigRebuild *r){
  MigAlter *p = r->p;
  sqlite3_stmt *pStmt = 0;
  int rc;
  if( !p->bFkOn ) return SQLITE_OK;
  rc = migAlterPrepare(p, &pStmt, "SELECT m.name FROM \"%w\".sqlite_master m, "
      "pragma_foreign_key_list(m.name, %Q) f WHERE m.type='table' "
      "AND f.\"table\"=%Q COLLATE nocase AND m.name<>%Q",
      p->zSchema, p->zSchema, p->zTable, p->zTable);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    rc = migAlterErr(p, SQLITE_ERROR, "cannot rebuild %s inside a "
        "transaction with PRAGMA foreign_keys on: table %s references it",
        p->zTable, sqlite3_column_text(pStmt, 0));
  }
  return migAlterFinish(p, pStmt, rc);
}

/* Append to r->aSaved the objects of t that query zSql (type, name, sql)
** returns; bTemp: they are TEMP triggers. */
static int rebuildSaveFrom(MigRebuild *r, int bTemp, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  int rc = migAlterPrepare(r->p, &pStmt, "%s", zSql);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    MigSaved *aNew = sqlite3_realloc64(r->aSaved,
                                       (r->nSaved+1)*sizeof(MigSaved));
    if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
    r->aSaved = aNew;
    aNew[r->nSaved].zType = sqlite3_mprintf("%s", sqlite3_column_text(pStmt,0));
    aNew[r->nSaved].zName = sqlite3_mprintf("%s", sqlite3_column_text(pStmt,1));
    aNew[r->nSaved].zSql = sqlite3_mprintf("%s", sqlite3_column_text(pStmt,2));
    aNew[r->nSaved].bTemp = bTemp;
    r->nSaved++;
    if( aNew[r->nSaved-1].zType==0 || aNew[r->nSaved-1].zName==0
     || aNew[r->nSaved-1].zSql==0 ){
      rc = SQLITE_NOMEM;
    }
  }
  return migAlterFinish(r->p, pStmt, rc);
}

/* Step 3: save the SQL of t's indexes and triggers (TEMP triggers on t
** too: DROP TABLE drops them), and its sqlite_sequence value. */
static int rebuildSaveObjects(MigRebuild *r){
  MigAlter *p = r->p;
  char *zSql = sqlite3_mprintf("SELECT type, name, sql FROM \"%w\"."
      "sqlite_master WHERE tbl_name=%Q AND type IN ('index','trigger') "
      "AND sql IS NOT NULL ORDER BY rowid", p->zSchema, p->zTable);
  int rc = zSql ? rebuildSaveFrom(r, 0, zSql) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc==SQLITE_OK && !migNameEq(p->zSchema, "temp") ){
    zSql = sqlite3_mprintf("SELECT type, name, sql FROM temp.sqlite_master "
        "WHERE tbl_name=%Q AND type='trigger' ORDER BY rowid", p->zTable);
    rc = zSql ? rebuildSaveFrom(r, 1, zSql) : SQLITE_NOMEM;
    sqlite3_free(zSql);
  }
  if( rc==SQLITE_OK ){
    sqlite3_int64 bSeqTab = 0;
    rc = migAlterInt(p, &bSeqTab, "SELECT count(*) FROM \"%w\".sqlite_master "
                     "WHERE name='sqlite_sequence'", p->zSchema);
    if( rc==SQLITE_OK && bSeqTab ){
      sqlite3_int64 n = 0;
      rc = migAlterInt(p, &r->iSeq, "SELECT seq FROM \"%w\".sqlite_sequence "
                       "WHERE name=%Q", p->zSchema, p->zTable);
      if( rc==SQLITE_OK ){
        rc = migAlterInt(p, &n, "SELECT count(*) FROM \"%w\".sqlite_sequence "
                         "WHERE name=%Q", p->zSchema, p->zTable);
      }
      r->bSeq = n>0;
    }
  }
  return rc;
}

/* The columns of index zIdx, or NULL for the table's own row. */
#define MIG_IDXCOLS "(SELECT group_concat(name, ',') FROM " \
    "pragma_index_info(s.idx, %Q))"

/* Step 3: save t's sqlite_stat1 rows (DROP TABLE deletes them), each
** with the columns of its index, so a rebuild does not leave the query
** planner without its statistics. */
static int rebuildSaveStats(MigRebuild *r){
  MigAlter *p = r->p;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 bStat = 0;
  int rc = migAlterInt(p, &bStat, "SELECT count(*) FROM \"%w\".sqlite_master "
                       "WHERE name='sqlite_stat1'", p->zSchema);
  if( rc!=SQLITE_OK || !bStat ) return rc;
  rc = migAlterPrepare(p, &pStmt, "SELECT s.idx, s.stat, " MIG_IDXCOLS
      " FROM \"%w\".sqlite_stat1 s WHERE s.tbl=%Q", p->zSchema, p->zSchema,
      p->zTable);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    char **azNew = sqlite3_realloc64(r->azStat, sizeof(char*)*3*(r->nStat+1));
    int k;
    if( azNew==0 ){ rc = SQLITE_NOMEM; break; }
    r->azStat = azNew;
    for(k=0; k<3; k++){
      const char *z = (const char*)sqlite3_column_text(pStmt, k);
      azNew[r->nStat*3+k] = z ? sqlite3_mprintf("%s", z) : 0;
      if( z && azNew[r->nStat*3+k]==0 ) rc = SQLITE_NOMEM;
    }
    r->nStat++;
  }
  return migAlterFinish(p, pStmt, rc);
}

/* Step 8, end: put back the saved statistics of the table and of each
** index that still has the same columns (a WITHOUT ROWID table's own
** row names the table: its primary key). */
static int rebuildRestoreStats(MigRebuild *r){
  MigAlter *p = r->p;
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<r->nStat; i++){
    char **az = &r->azStat[i*3];
    if( az[0] && sqlite3_strnicmp(az[0], "sqlite_autoindex_", 17)==0 ){
      /* Automatic indexes are numbered in column order: found by what
      ** they index. */
      rc = migAlterExec(p, "INSERT INTO \"%w\".sqlite_stat1(tbl, idx, stat) "
          "SELECT %Q, s.idx, %Q FROM (SELECT m.name AS idx FROM \"%w\"."
          "sqlite_master m WHERE m.type='index' AND m.tbl_name=%Q AND m.name "
          "LIKE 'sqlite_autoindex_%%' AND (SELECT group_concat(name, ',') "
          "FROM pragma_index_info(m.name, %Q)) IS %Q LIMIT 1) s",
          p->zSchema, p->zTable, az[1], p->zSchema, p->zTable, p->zSchema,
          az[2]);
      continue;
    }
    rc = migAlterExec(p, "INSERT INTO \"%w\".sqlite_stat1(tbl, idx, stat) "
        "SELECT %Q, s.idx, %Q FROM (SELECT %Q AS idx) s WHERE s.idx IS NULL "
        "OR (" MIG_IDXCOLS " IS %Q AND (s.idx=%Q COLLATE nocase OR EXISTS "
        "(SELECT 1 FROM \"%w\".sqlite_master WHERE type='index' "
        "AND name=s.idx AND tbl_name=%Q)))",
        p->zSchema, p->zTable, az[1], az[0], p->zSchema, az[2], p->zTable,
        p->zSchema, p->zTable);
  }
  return rc;
}

/* A name for the rowid of t that no column of either table shadows. */
static const char *rebuildRowidName(MigRebuild *r){
  static const char *az[] = { "rowid", "_rowid_", "oid" };
  size_t k;
  for(k=0; k<sizeof(az)/sizeof(az[0]); k++){
    if( migTabFindCol(r->pOld, az[k])<0
     && migTabFindCol(r->s->pTab, az[k])<0 ) return az[k];
  }
  return 0;
}

/* The rowid alias (INTEGER PRIMARY KEY column) of table zTab, or NULL
** (sqlite3_malloc'd; *pzAlias NULL too on error, with rc set). */
static int rebuildAliasOf(MigAlter *p, const char *zTab, char **pzAlias){
  sqlite3_stmt *pStmt = 0;
  int rc = migAlterPrepare(p, &pStmt, "SELECT name, upper(type)='INTEGER' "
      "AND count(*) OVER ()=1 FROM pragma_table_info(%Q, %Q) WHERE pk>0",
      zTab, p->zSchema);
  *pzAlias = 0;
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW
   && sqlite3_column_int(pStmt, 1) ){
    *pzAlias = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    if( *pzAlias==0 ) rc = SQLITE_NOMEM;
  }
  return migAlterFinish(p, pStmt, rc);
}

/* The map entry of the new table's column zName, or NULL. */
static MigMap *rebuildMapOf(MigSim *s, const char *zName){
  int i;
  for(i=0; i<s->nMap; i++){
    if( migNameEq(s->aMap[i].zName, zName) ) return &s->aMap[i];
  }
  return 0;
}

/* Build "INSERT INTO tmp(cols) SELECT srcs FROM t" for step 5; with
** bProgress, every row also passes migrate_alter_progress(nTotal). */
static int rebuildCopySql(MigRebuild *r, sqlite3_int64 nTotal, char **pzSql){
  MigAlter *p = r->p;
  sqlite3_str *pCols = sqlite3_str_new(p->db);
  sqlite3_str *pSrcs = sqlite3_str_new(p->db);
  sqlite3_stmt *pStmt = 0;
  const char *zRowid = r->pOld->bWithoutRowid ? 0 : rebuildRowidName(r);
  int rc = migAlterPrepare(p, &pStmt, "SELECT name FROM "
      "pragma_table_xinfo(%Q, %Q) WHERE hidden=0", r->zTmp, p->zSchema);
  char *zCols, *zSrcs;
  const char *zSep = "";
  if( rc==SQLITE_OK && zRowid && !r->s->pTab->bWithoutRowid
   && r->zAlias==0 ){
    sqlite3_str_appendf(pCols, "%s", zRowid);
    sqlite3_str_appendf(pSrcs, "%s", zRowid);
    zSep = ", ";
  }
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    MigMap *pMap = rebuildMapOf(r->s,
                                (const char*)sqlite3_column_text(pStmt, 0));
    const char *zSrc;
    if( pMap==0 || pMap->zSrc==0 ) continue;
    zSrc = pMap->zSrc;
    /* A new INTEGER PRIMARY KEY column takes the rowids the rows have. */
    if( pMap->bNew && zRowid && r->zAlias
     && migNameEq(r->zAlias, pMap->zName) ){
      zSrc = zRowid;
    }
    sqlite3_str_appendf(pCols, "%s\"%w\"", zSep, pMap->zName);
    sqlite3_str_appendf(pSrcs, "%s%s", zSep, zSrc);
    zSep = ", ";
  }
  sqlite3_finalize(pStmt);
  zCols = sqlite3_str_finish(pCols);
  zSrcs = sqlite3_str_finish(pSrcs);
  *pzSql = 0;
  if( rc==SQLITE_OK ){
    *pzSql = sqlite3_mprintf("INSERT INTO \"%w\".\"%w\"(%s) SELECT %s FROM "
        "\"%w\".\"%w\"%z", p->zSchema, r->zTmp, zCols ? zCols : "",
        zSrcs ? zSrcs : "", p->zSchema, p->zTable,
        nTotal>=0 ? sqlite3_mprintf(" WHERE migrate_alter_progress(%lld)",
                                    nTotal) : 0);
    if( *pzSql==0 || zCols==0 || zSrcs==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_free(zCols);
  sqlite3_free(zSrcs);
  return rc;
}

/* Append to pStr the value a new column without a source gets: its
** DEFAULT, or NULL. */
static void rebuildAppendDefault(sqlite3_str *pStr, MigTab *pTab,
                                 const char *zCol){
  int iCol = migTabFindCol(pTab, zCol);
  MigCons *pDef = iCol<0 ? 0 : migColFindLast(&pTab->aCol[iCol],
                                               MIG_CONS_DEFAULT);
  if( pDef ){
    sqlite3_str_appendf(pStr, "(%.*s)", pDef->iArgEnd-pDef->iArg,
                        &pTab->zSql[pDef->iArg]);
  }else{
    sqlite3_str_appendall(pStr, "NULL");
  }
}

/* A subquery giving the rows of t as the new table would see them:
** "(SELECT src AS name, ... FROM t)". */
static char *rebuildNewRowsSql(MigRebuild *r){
  sqlite3_str *pStr = sqlite3_str_new(r->p->db);
  int i;
  sqlite3_str_appendall(pStr, "(SELECT ");
  for(i=0; i<r->s->nMap; i++){
    MigMap *pMap = &r->s->aMap[i];
    if( i ) sqlite3_str_appendall(pStr, ", ");
    if( pMap->zSrc ){
      sqlite3_str_appendall(pStr, pMap->zSrc);
    }else{
      rebuildAppendDefault(pStr, r->s->pTab, pMap->zName);
    }
    sqlite3_str_appendf(pStr, " AS \"%w\"", pMap->zName);
  }
  sqlite3_str_appendf(pStr, " FROM \"%w\".\"%w\")", r->p->zSchema,
                      r->p->zTable);
  return sqlite3_str_finish(pStr);
}

/* The expression of the CHECK named or saying zWhat in the new table. */
static char *rebuildCheckExpr(MigTab *pTab, const char *zWhat){
  int i, j;
  for(i=-1; i<pTab->nCol; i++){
    int nCons = i<0 ? pTab->nCons : pTab->aCol[i].nCons;
    MigCons *aCons = i<0 ? pTab->aCons : pTab->aCol[i].aCons;
    for(j=0; j<nCons; j++){
      if( aCons[j].eKind==MIG_CONS_CHECK && aCons[j].zName
       && migNameEq(aCons[j].zName, zWhat) ){
        return sqlite3_mprintf("%.*s", aCons[j].iArgEnd-aCons[j].iArg,
                               &pTab->zSql[aCons[j].iArg]);
      }
    }
  }
  return sqlite3_mprintf("%s", zWhat);
}

/* SQL counting rows of zRows that share their values of the columns
** in zList ("a, b", as SQLite's UNIQUE message lists them) with another
** row, NULLs being distinct. */
static char *rebuildDupCountSql(const char *zRows, const char *zList){
  sqlite3_str *pCols = sqlite3_str_new(0);
  sqlite3_str *pCond = sqlite3_str_new(0);
  char *zCols, *zCond, *zSql = 0;
  const char *z = zList;
  while( z ){
    const char *zNext = strstr(z, ", ");
    int n = zNext ? (int)(zNext-z) : (int)strlen(z);
    sqlite3_str_appendf(pCols, "%s\"%.*w\"", z==zList ? "" : ", ", n, z);
    sqlite3_str_appendf(pCond, "%s\"%.*w\" IS NOT NULL", z==zList ? "" :
                        " AND ", n, z);
    z = zNext ? zNext+2 : 0;
  }
  zCols = sqlite3_str_finish(pCols);
  zCond = sqlite3_str_finish(pCond);
  if( zCols && zCond ){
    zSql = sqlite3_mprintf("SELECT coalesce(sum(n),0) FROM (SELECT count(*) "
        "AS n FROM %s WHERE %s GROUP BY %s HAVING n>1)", zRows, zCond, zCols);
  }
  sqlite3_free(zCols);
  sqlite3_free(zCond);
  return zSql;
}

/* SQL counting the rows that break the constraint a copy failed on,
** described by SQLite's message zMsg; *pzLabel names it. */
static char *rebuildViolationSql(MigRebuild *r, const char *zMsg,
                                 char **pzLabel){
  const char *zWhat = strstr(zMsg, ": ");
  char *zRows = rebuildNewRowsSql(r), *zSql = 0, *zList;
  size_t nPre = strlen(r->zTmp)+1;
  if( zWhat==0 || zRows==0 ){ sqlite3_free(zRows); return 0; }
  zWhat += 2;
  if( strncmp(zWhat, r->zTmp, nPre-1)==0 && zWhat[nPre-1]=='.' ) zWhat += nPre;
  if( strncmp(zMsg, "NOT NULL", 8)==0 ){
    *pzLabel = sqlite3_mprintf("NOT NULL constraint on %s", zWhat);
    zSql = sqlite3_mprintf("SELECT count(*) FROM %s WHERE \"%w\" IS NULL",
                           zRows, zWhat);
  }else if( strncmp(zMsg, "CHECK", 5)==0 ){
    char *zExpr = rebuildCheckExpr(r->s->pTab, zWhat);
    int bNamed = zExpr && strcmp(zExpr, zWhat)!=0;
    *pzLabel = sqlite3_mprintf(bNamed ? "CHECK constraint %s" : "CHECK (%s)",
                               zWhat);
    zSql = sqlite3_mprintf("SELECT count(*) FROM %s WHERE NOT (%s)",
                           zRows, zExpr);
    sqlite3_free(zExpr);
  }else if( strncmp(zMsg, "UNIQUE", 6)==0 ){
    zList = sqlite3_mprintf("%s", zWhat);
    while( zList && strstr(zList, r->zTmp) ){
      char *z = strstr(zList, r->zTmp);
      memmove(z, z+nPre, strlen(z+nPre)+1);
    }
    *pzLabel = sqlite3_mprintf("UNIQUE constraint on (%s)", zList);
    zSql = rebuildDupCountSql(zRows, zList);
    sqlite3_free(zList);
  }
  sqlite3_free(zRows);
  return zSql;
}

/* Step 5 failed on a constraint with message zMsg: name the constraint
** and count the rows that break it. */
static int rebuildExplainCopy(MigRebuild *r, int rc, const char *zMsg){
  MigAlter *p = r->p;
  char *zLabel = 0;
  char *zSql = rebuildViolationSql(r, zMsg, &zLabel);
  sqlite3_int64 n = 0;
  migBlameCol(p, zLabel ? zLabel : zMsg);
  if( zSql && zLabel && migAlterInt(p, &n, "%s", zSql)==SQLITE_OK && n>0 ){
    rc = migRowsFail(p, zLabel, n);
  }else{
    sqlite3_free(p->zErr);
    p->zErr = 0;
    rc = migAlterErr(p, rc, "cannot alter %s: %s", p->zTable, zMsg);
  }
  sqlite3_free(zSql);
  sqlite3_free(zLabel);
  return rc;
}

/*
** Before step 5: a column that becomes the rowid (INTEGER PRIMARY KEY)
** from an existing column must hold no NULL, which SQLite would replace
** by a new number. Not checked when it was the rowid already.
*/
static int rebuildCheckAlias(MigRebuild *r){
  MigAlter *p = r->p;
  MigMap *pMap;
  char *zOld = 0;
  sqlite3_int64 n = 0;
  int rc = rebuildAliasOf(p, r->zTmp, &r->zAlias);
  if( rc!=SQLITE_OK || r->zAlias==0 ) return rc;
  pMap = rebuildMapOf(r->s, r->zAlias);
  if( pMap==0 || pMap->bNew || pMap->zSrc==0 ) return SQLITE_OK;
  rc = rebuildAliasOf(p, p->zTable, &zOld);
  if( rc==SQLITE_OK && zOld ){
    char *zQ = migQuoteId(zOld);
    int bSame = zQ && strcmp(zQ, pMap->zSrc)==0;
    sqlite3_free(zQ);
    if( bSame ){ sqlite3_free(zOld); return SQLITE_OK; }
  }
  sqlite3_free(zOld);
  if( rc==SQLITE_OK ){
    rc = migAlterInt(p, &n, "SELECT count(*) FROM \"%w\".\"%w\" WHERE (%s) "
                     "IS NULL", p->zSchema, p->zTable, pMap->zSrc);
  }
  if( rc==SQLITE_OK && n>0 ){
    migBlameCol(p, r->zAlias);
    rc = migAlterErr(p, SQLITE_CONSTRAINT, "cannot alter %s: %s becomes the "
        "INTEGER PRIMARY KEY (the rowid) and is NULL in %lld row%s",
        p->zTable, r->zAlias, n, n==1 ? "" : "s");
  }
  return rc;
}

/* Step 5: copy the rows, reporting progress when someone listens. */
static int rebuildCopyRows(MigRebuild *r){
  MigAlter *p = r->p;
  sqlite3_int64 nTotal = -1;
  char *zSql = 0, *zErr = 0;
  int bProgress = migProgressOn(p->pConn);
  int rc = SQLITE_OK;
  if( bProgress ){
    rc = migAlterInt(p, &nTotal, "SELECT count(*) FROM \"%w\".\"%w\"",
                     p->zSchema, p->zTable);
    migProgress(p->pConn, 0, nTotal);
  }
  if( rc==SQLITE_OK ){
    /* An empty table: nothing to copy, and nothing to compile (a CHECK
    ** may use a collation or function this connection lacks). */
    sqlite3_int64 bAny = 0;
    rc = migAlterInt(p, &bAny, "SELECT EXISTS (SELECT 1 FROM \"%w\".\"%w\")",
                     p->zSchema, p->zTable);
    if( rc==SQLITE_OK && !bAny ){
      p->nRow = 0;
      return SQLITE_OK;
    }
  }
  if( rc==SQLITE_OK ) rc = rebuildCopySql(r, nTotal, &zSql);
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(p->db, zSql, 0, 0, &zErr);
    if( (rc&0xff)==SQLITE_CONSTRAINT ) rc = rebuildExplainCopy(r, rc, zErr);
    else if( rc!=SQLITE_OK ) migAlterErr(p, rc, "%s", zErr);
    p->nRow = sqlite3_changes(p->db);
  }
  if( rc==SQLITE_OK && bProgress ) migProgress(p->pConn, nTotal, nTotal);
  sqlite3_free(zErr);
  sqlite3_free(zSql);
  return rc;
}

/* Step 7: rename the new table to t without touching other objects. */
static int rebuildRenameInto(MigRebuild *r){
  MigAlter *p = r->p;
  sqlite3_int64 bLegacy = 0;
  int rc2, rc = migAlterInt(p, &bLegacy, "PRAGMA legacy_alter_table");
  if( rc==SQLITE_OK ) rc = migAlterExec(p, "PRAGMA legacy_alter_table=ON");
  if( rc==SQLITE_OK ){
    rc = migAlterExec(p, "ALTER TABLE \"%w\".\"%w\" RENAME TO \"%w\"",
                      p->zSchema, r->zTmp, p->zTable);
  }
  rc2 = migAlterExec(p, "PRAGMA legacy_alter_table=%d", (int)bLegacy);
  return rc==SQLITE_OK ? rc2 : rc;
}

/* True if an ADD COLUMN after clause iOp of the request adds zCol back. */
static int rebuildAddedAfter(MigAlter *p, int iOp, const char *zCol){
  int i;
  for(i=iOp+1; i<p->nOp; i++){
    if( p->aOp[i].eOp==MIG_OP_ADD_COLUMN && migNameEq(p->aOp[i].zCol, zCol) ){
      return 1;
    }
  }
  return 0;
}

/* The first column the request drops (and does not add back) that zSql
** mentions, or NULL. */
static const char *rebuildDroppedIn(MigAlter *p, const char *zSql){
  int i;
  for(i=0; i<p->nOp; i++){
    MigOp *pOp = &p->aOp[i];
    if( pOp->eOp==MIG_OP_DROP_COLUMN
     && migTokUsesName(zSql, 0, (int)strlen(zSql), pOp->zCol)
     && !rebuildAddedAfter(p, i, pOp->zCol) ){
      return pOp->zCol;
    }
  }
  return 0;
}

/* An object zType zName (SQL zSql) failed with zMsg after the rebuild. */
static int rebuildObjectFail(MigAlter *p, int rc, const char *zType,
                             const char *zName, const char *zSql,
                             const char *zMsg){
  const char *zCol = rebuildDroppedIn(p, zSql);
  sqlite3_free(p->zErr);
  p->zErr = 0;
  if( zCol ){
    return migAlterErr(p, rc, "cannot drop column %s: %s %s uses it",
                       zCol, zType, zName);
  }
  return migAlterErr(p, rc, "cannot alter %s: %s %s: %s", p->zTable, zType,
                     zName, zMsg);
}

/* zSql (CREATE TRIGGER as stored for a TEMP trigger, which drops the
** word) with TEMP put back before TRIGGER. */
static char *rebuildTempTrigger(const char *zSql){
  MigToken *aTok = 0;
  int nTok = 0, i;
  char *zRet = 0;
  if( migTokenize(zSql, &aTok, &nTok)!=SQLITE_OK ) return 0;
  for(i=0; i<nTok && !migTokIsWord(zSql, &aTok[i], "TRIGGER"); i++){}
  if( i<nTok ) zRet = migSplice(zSql, aTok[i].iOff, aTok[i].iOff, "TEMP ");
  sqlite3_free(aTok);
  return zRet;
}

/* zSql (CREATE INDEX or CREATE TRIGGER as stored) with its object name
** qualified by the schema, so it is created next to the table. */
static char *rebuildQualify(const char *zSql, const char *zSchema){
  MigToken *aTok = 0;
  int nTok = 0, i;
  char *zRet = 0;
  if( migTokenize(zSql, &aTok, &nTok)!=SQLITE_OK ) return 0;
  for(i=0; i<nTok; i++){
    if( migTokIsWord(zSql, &aTok[i], "INDEX")
     || migTokIsWord(zSql, &aTok[i], "TRIGGER") ) break;
  }
  if( i+1<nTok && migTokIsWord(zSql, &aTok[i+1], "IF") ) i += 3;
  i++;
  if( i<nTok && (i+1>=nTok || aTok[i+1].eType!=MIG_TK_DOT) ){
    char *zIns = sqlite3_mprintf("\"%w\".", zSchema);
    if( zIns ) zRet = migSplice(zSql, aTok[i].iOff, aTok[i].iOff, zIns);
    sqlite3_free(zIns);
  }else{
    zRet = sqlite3_mprintf("%s", zSql);
  }
  sqlite3_free(aTok);
  return zRet;
}

/* Step 8: recreate the saved indexes and triggers. */
static int rebuildRecreate(MigRebuild *r){
  MigAlter *p = r->p;
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<r->nSaved; i++){
    MigSaved *pS = &r->aSaved[i];
    char *zErr = 0;
    char *zSql;
    if( rebuildDroppedIn(p, pS->zSql) ){
      /* Recreated, it could take a dropped "name" for a string. */
      rc = rebuildObjectFail(p, SQLITE_ERROR, pS->zType, pS->zName,
                             pS->zSql, "");
      break;
    }
    if( pS->bTemp ) zSql = rebuildTempTrigger(pS->zSql);
    else if( migNameEq(p->zSchema, "main") ) zSql = sqlite3_mprintf("%s",
                                                              pS->zSql);
    else zSql = rebuildQualify(pS->zSql, p->zSchema);
    rc = zSql ? sqlite3_exec(p->db, zSql, 0, 0, &zErr) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    if( rc!=SQLITE_OK ){
      rc = rebuildObjectFail(p, rc, pS->zType, pS->zName, pS->zSql,
                             zErr ? zErr : sqlite3_errstr(rc));
    }
    sqlite3_free(zErr);
  }
  return rc;
}

/* SQL that, prepared, compiles the triggers of table zTbl for the event
** of trigger zSql (sqlite3_malloc'd). */
static char *rebuildFireSql(MigAlter *p, const char *zTbl, const char *zSql){
  MigToken *aTok = 0;
  int nTok = 0, i;
  char *zRet = 0;
  if( migTokenize(zSql, &aTok, &nTok)!=SQLITE_OK ) return 0;
  for(i=0; i<nTok && zRet==0; i++){
    if( migTokIsWord(zSql, &aTok[i], "DELETE") ){
      zRet = sqlite3_mprintf("DELETE FROM \"%w\".\"%w\"", p->zSchema, zTbl);
    }else if( migTokIsWord(zSql, &aTok[i], "INSERT") ){
      zRet = sqlite3_mprintf("INSERT INTO \"%w\".\"%w\" DEFAULT VALUES",
                             p->zSchema, zTbl);
    }else if( migTokIsWord(zSql, &aTok[i], "UPDATE") ){
      zRet = sqlite3_mprintf("SELECT 'UPDATE \"%w\".\"%w\" SET ' || "
          "group_concat(format('\"%%w\"=\"%%w\"', name, name), ', ') "
          "FROM pragma_table_info(%Q, %Q)", p->zSchema, zTbl, zTbl,
          p->zSchema);
    }
  }
  sqlite3_free(aTok);
  return zRet;
}

/* Prepare (never step) zSql; for a query starting "SELECT 'UPDATE",
** prepare the statement it returns. Returns the prepare result. */
static int rebuildCompiles(MigAlter *p, const char *zSql, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  if( rc==SQLITE_OK && strncmp(zSql, "SELECT 'UPDATE", 14)==0 ){
    char *zUpd = 0;
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      zUpd = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    }
    sqlite3_finalize(pStmt);
    pStmt = 0;
    rc = zUpd ? sqlite3_prepare_v2(p->db, zUpd, -1, &pStmt, 0) : SQLITE_NOMEM;
    sqlite3_free(zUpd);
  }
  if( rc!=SQLITE_OK ) *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(p->db));
  sqlite3_finalize(pStmt);
  return rc;
}

/* For a trigger on t (text zSql) with "UPDATE OF cols": the first of
** those columns t no longer has (sqlite3_malloc'd), else NULL. SQLite
** only notices them when a later ALTER TABLE reparses the schema. */
static char *rebuildTriggerGoneCol(MigAlter *p, const char *zSql, int *pRc){
  MigToken *aTok = 0;
  int nTok = 0, i;
  char *zGone = 0;
  if( migTokenize(zSql, &aTok, &nTok)!=SQLITE_OK ){
    *pRc = SQLITE_NOMEM;
    return 0;
  }
  for(i=0; i+1<nTok; i++){
    if( migTokIsWord(zSql, &aTok[i], "ON") ) break;
    if( migTokIsWord(zSql, &aTok[i], "UPDATE")
     && migTokIsWord(zSql, &aTok[i+1], "OF") ){
      for(i+=2; i<nTok && zGone==0 && !migTokIsWord(zSql, &aTok[i], "ON");
          i++){
        char *zCol;
        sqlite3_int64 n = 1;
        if( !migTokIsName(aTok[i].eType) ) continue;
        zCol = migTokName(zSql, &aTok[i]);
        if( zCol==0 ) *pRc = SQLITE_NOMEM;
        if( zCol && *pRc==SQLITE_OK ){
          *pRc = migAlterInt(p, &n, "SELECT count(*) FROM "
              "pragma_table_xinfo(%Q, %Q) WHERE name=%Q COLLATE nocase",
              p->zTable, p->zSchema, zCol);
        }
        if( n==0 ){ zGone = zCol; zCol = 0; }
        sqlite3_free(zCol);
      }
      break;
    }
  }
  sqlite3_free(aTok);
  return zGone;
}

/*
** Every trigger on t whose "UPDATE OF" list names a column t no longer
** has is an error naming it (run after a native DROP COLUMN too: SQLite
** 3.40 accepts that drop, and every later ALTER TABLE then fails).
*/
int migCheckTriggers(MigAlter *p){
  sqlite3_stmt *pStmt = 0;
  int rc = migAlterPrepare(p, &pStmt, "SELECT name, sql FROM \"%w\"."
      "sqlite_master WHERE type='trigger' AND tbl_name=%Q COLLATE nocase "
      "UNION ALL SELECT name, sql FROM temp.sqlite_master WHERE "
      "type='trigger' AND tbl_name=%Q COLLATE nocase", p->zSchema,
      p->zTable, p->zTable);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zObj = (const char*)sqlite3_column_text(pStmt, 1);
    char *zGone = zObj ? rebuildTriggerGoneCol(p, zObj, &rc) : 0;
    if( zGone && rc==SQLITE_OK ){
      char *zMsg = sqlite3_mprintf("no such column: %s", zGone);
      rc = rebuildObjectFail(p, SQLITE_ERROR, "trigger", zName, zObj,
                             zMsg ? zMsg : "");
      sqlite3_free(zMsg);
    }
    sqlite3_free(zGone);
  }
  return migAlterFinish(p, pStmt, rc);
}

/*
** After a native DROP COLUMN: no view or trigger that mentions t may
** name a dropped column (SQLite 3.40 lets a view keep "c" as a string).
*/
int migCheckDropUsers(MigAlter *p){
  sqlite3_stmt *pStmt = 0;
  int rc = migAlterPrepare(p, &pStmt, "SELECT type, name, sql FROM \"%w\"."
      "sqlite_master WHERE type IN ('view','trigger') UNION ALL SELECT type, "
      "name, sql FROM temp.sqlite_master WHERE type='trigger'", p->zSchema);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zName = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zObj = (const char*)sqlite3_column_text(pStmt, 2);
    if( zObj && migTokUsesName(zObj, 0, (int)strlen(zObj), p->zTable)
     && rebuildDroppedIn(p, zObj) ){
      rc = rebuildObjectFail(p, SQLITE_ERROR, zType, zName, zObj, "");
    }
  }
  return migAlterFinish(p, pStmt, rc);
}

/* Step 9: every view and trigger that mentions t must still compile. */
static int rebuildVerifyUsers(MigRebuild *r){
  MigAlter *p = r->p;
  sqlite3_stmt *pStmt = 0;
  int rc = migAlterPrepare(p, &pStmt, "SELECT type, name, tbl_name, sql "
      "FROM \"%w\".sqlite_master WHERE type IN ('view','trigger')",
      p->zSchema);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zName = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zTbl = (const char*)sqlite3_column_text(pStmt, 2);
    const char *zObj = (const char*)sqlite3_column_text(pStmt, 3);
    char *zTry, *zErr = 0;
    if( zType==0 || zName==0 || zTbl==0 ){ rc = SQLITE_NOMEM; break; }
    if( zObj==0 || !migTokUsesName(zObj, 0, (int)strlen(zObj), p->zTable) ){
      continue;
    }
    if( rebuildDroppedIn(p, zObj) ){
      rc = rebuildObjectFail(p, SQLITE_ERROR, zType, zName, zObj, "");
      break;
    }
    zTry = zType[0]=='v'
         ? sqlite3_mprintf("SELECT * FROM \"%w\".\"%w\"", p->zSchema, zName)
         : rebuildFireSql(p, zTbl, zObj);
    if( zTry && rebuildCompiles(p, zTry, &zErr)!=SQLITE_OK ){
      rc = rebuildObjectFail(p, SQLITE_ERROR, zType, zName, zObj,
                             zErr ? zErr : "");
    }
    sqlite3_free(zErr);
    sqlite3_free(zTry);
  }
  return migAlterFinish(p, pStmt, rc);
}

/* Step 10: sqlite_sequence back to at least its old value; no row when
** there was none (the copy into an AUTOINCREMENT table makes one). */
static int rebuildRestoreSeq(MigRebuild *r){
  MigAlter *p = r->p;
  int rc;
  if( !r->bSeq ){
    sqlite3_int64 n = 0;
    rc = migAlterInt(p, &n, "SELECT count(*) FROM \"%w\".sqlite_master "
                     "WHERE name='sqlite_sequence'", p->zSchema);
    if( rc==SQLITE_OK && n>0 ){
      rc = migAlterExec(p, "DELETE FROM \"%w\".sqlite_sequence WHERE name=%Q",
                        p->zSchema, p->zTable);
    }
    return rc;
  }
  if( !migTokUsesName(r->s->pTab->zSql, 0, (int)strlen(r->s->pTab->zSql),
                      "AUTOINCREMENT") ){
    return SQLITE_OK;
  }
  rc = migAlterExec(p, "UPDATE \"%w\".sqlite_sequence SET seq=max(seq, %lld) "
                    "WHERE name=%Q", p->zSchema, r->iSeq, p->zTable);
  if( rc==SQLITE_OK && sqlite3_changes(p->db)==0 ){
    rc = migAlterExec(p, "INSERT INTO \"%w\".sqlite_sequence(name, seq) "
                      "VALUES(%Q, %lld)", p->zSchema, p->zTable, r->iSeq);
  }
  return rc;
}

/* Step 10: new foreign keys must hold (alter_fk.c then checks that no
** other key is broken). */
static int rebuildCheckKeys(MigRebuild *r){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<r->s->nCheck; i++){
    if( r->s->aCheck[i].eKind==MIG_CHK_FK ){
      rc = migCheckFk(r->p, &r->s->aCheck[i]);
    }
  }
  return rc;
}

/* Step 7, end: store exactly the new definition if the rename requoted
** the name (not possible in defensive mode, where SQLite's text stays). */
static int rebuildExactText(MigRebuild *r){
  MigAlter *p = r->p;
  char *zNow = 0;
  int rc = SQLITE_OK;
  if( p->bDefensive ) return SQLITE_OK;
  rc = migTableSql(p, &zNow);
  if( rc==SQLITE_OK && strcmp(zNow, r->s->pTab->zSql)!=0 ){
    rc = migWriteSchema(p, r->s->pTab->zSql);
  }
  sqlite3_free(zNow);
  return rc;
}

/* Error messages name the table, never its copy r->zTmp. */
static void rebuildErrUntmp(MigRebuild *r){
  MigAlter *p = r->p;
  char *z;
  if( p->zErr==0 || r->zTmp==0 ) return;
  while( (z = strstr(p->zErr, r->zTmp))!=0 ){
    char *zNew = sqlite3_mprintf("%.*s%s%s", (int)(z-p->zErr), p->zErr,
                                 p->zTable, z+strlen(r->zTmp));
    if( zNew==0 ) return;
    sqlite3_free(p->zErr);
    p->zErr = zNew;
  }
}

/* A step of the copy that SQLite refused with an error of its own (the
** table's text does not survive being copied under another name: a
** generated column that loops, or that reads the table by name in a
** subquery, ...): the message says which table cannot be rebuilt. */
static int rebuildRefused(MigRebuild *r, int rc){
  MigAlter *p = r->p;
  if( rc==SQLITE_ERROR && p->zErr && strncmp(p->zErr, "cannot ", 7)!=0 ){
    char *z = sqlite3_mprintf("cannot rebuild %s: %s", p->zTable, p->zErr);
    if( z==0 ) return SQLITE_NOMEM;
    sqlite3_free(p->zErr);
    p->zErr = z;
  }
  return rc;
}

/* Steps 3 to 10 for request p, whose new definition and column map are
** in s. Returns SQLITE_OK or an error with p->zErr set. */
int migRebuild(MigAlter *p, MigSim *s){
  MigRebuild r;
  char *zOld = 0, *zErr = 0, *zCreate = 0;
  int rc;
  memset(&r, 0, sizeof(r));
  r.p = p;
  r.s = s;
  rc = migTableSql(p, &zOld);
  if( rc==SQLITE_OK ) rc = migTabParse(zOld, &r.pOld, &zErr);
  if( rc==SQLITE_OK ) rc = rebuildCheckNoChildren(&r);
  if( rc==SQLITE_OK ) rc = migCheckCreate(p, s->pTab->zSql);
  if( rc==SQLITE_OK ) rc = rebuildSaveObjects(&r);
  if( rc==SQLITE_OK ) rc = rebuildSaveStats(&r);
  if( rc==SQLITE_OK ) rc = migFreshName(p, &r.zTmp);
  /* An I/O error above may have made SQLite roll the transaction back:
  ** the copy must not then be made, and committed, in autocommit mode. */
  if( rc==SQLITE_OK ) rc = migTxnAlive(p);
  if( rc==SQLITE_OK ){
    zCreate = migTabWithName(s->pTab, p->zSchema, r.zTmp);
    rc = zCreate ? migAlterExec(p, "%s", zCreate) : SQLITE_NOMEM;
    rc = rebuildRefused(&r, rc);
  }
  if( rc==SQLITE_OK ) rc = rebuildCheckAlias(&r);
  if( rc==SQLITE_OK ) rc = rebuildRefused(&r, rebuildCopyRows(&r));
  if( rc==SQLITE_OK ) rc = migTxnAlive(p);
  if( rc==SQLITE_OK ){
    rc = migAlterExec(p, "DROP TABLE \"%w\".\"%w\"", p->zSchema, p->zTable);
  }
  if( rc==SQLITE_OK ) rc = rebuildRefused(&r, rebuildRenameInto(&r));
  if( rc==SQLITE_OK ) rc = rebuildRefused(&r, rebuildExactText(&r));
  if( rc==SQLITE_OK ) rc = rebuildRecreate(&r);
  if( rc==SQLITE_OK ) rc = rebuildRestoreStats(&r);
  if( rc==SQLITE_OK ) rc = migCheckTriggers(p);
  if( rc==SQLITE_OK ) rc = rebuildVerifyUsers(&r);
  if( rc==SQLITE_OK ) rc = rebuildRestoreSeq(&r);
  if( rc==SQLITE_OK ) rc = rebuildCheckKeys(&r);
  if( rc==SQLITE_OK ) rc = migTxnAlive(p);
  if( rc!=SQLITE_OK && zErr ) migAlterErr(p, rc, "%s", zErr);
  rebuildErrUntmp(&r);
  migHow(p, MIG_LEVEL_REBUILD);
  sqlite3_free(zCreate);
  sqlite3_free(zErr);
  sqlite3_free(zOld);
  rebuildFree(&r);
  return rc;
}
