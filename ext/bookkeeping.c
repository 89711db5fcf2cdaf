/*
** bookkeeping.c: the tables in which a database records its migrations.
**
** Created on first use in the main schema, all named migrate_*:
**
**   migrate_version(version_num)   one row per current head, as Alembic's
**                                  alembic_version; empty at base
**   migrate_history(id, revision, down_revision, direction, message,
**                   filename, at, duration, checksum, up_sql, down_sql)
**                                  one row per upgrade, downgrade and
**                                  stamp; direction is 'upgrade',
**                                  'downgrade' or 'stamp'; at is UTC
**                                  text; duration in seconds; the SQL as
**                                  applied, so a revision whose file is
**                                  gone can still be downgraded
**
** A database that Alembic managed (alembic_version, no migrate_version)
** is adopted: its rows are read as the current revisions when they are
** in the graph, and copied into migrate_version on the first write.
**
** The writers return SQL text (run by the runner, or printed by offline
** mode), so both paths record exactly the same rows.
*/
#include "engine_int.h"
#include <string.h>

static const char zBookDdl[] =
  "CREATE TABLE IF NOT EXISTS migrate_version(\n"
  "  version_num TEXT PRIMARY KEY NOT NULL\n"
  ");\n"
  "CREATE TABLE IF NOT EXISTS migrate_history(\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  revision TEXT NOT NULL,\n"
  "  down_revision TEXT,\n"
  "  direction TEXT NOT NULL\n"
  "    CHECK (direction IN ('upgrade','downgrade','stamp')),\n"
  "  message TEXT,\n"
  "  filename TEXT,\n"
  "  at TEXT NOT NULL,\n"
  "  duration REAL,\n"
  "  checksum TEXT,\n"
  "  up_sql TEXT,\n"
  "  down_sql TEXT\n"
  ");\n";

/* The CREATE TABLE statements of the bookkeeping tables. */
const char *migBookDdl(void){
  return zBookDdl;
}

/* Set *pbHas to whether table zName exists in main. SQLite code. */
static int bookHasTable(sqlite3 *db, const char *zName, int *pbHas){
  sqlite3_int64 n = 0;
  int rc = migQueryInt(db, &n, "SELECT count(*) FROM main.sqlite_schema "
                       "WHERE type='table' AND name=%Q", zName);
  *pbHas = n>0;
  return rc;
}

/* Free a list from migBookHeads(). */
void migBookFreeList(char **azId, int nId){
  int i;
  for(i=0; i<nId; i++) sqlite3_free(azId[i]);
  sqlite3_free(azId);
}

/* Append a copy of z[0..n-1] (n<0: all of z) to the list *paz. */
static int bookPush(char ***paz, int *pn, const char *z, int n){
  char **azNew = sqlite3_realloc64(*paz, sizeof(char*)*(*pn+1));
  if( azNew==0 ) return SQLITE_NOMEM;
  *paz = azNew;
  azNew[*pn] = n<0 ? sqlite3_mprintf("%s", z) : sqlite3_mprintf("%.*s", n, z);
  if( azNew[*pn]==0 ) return SQLITE_NOMEM;
  (*pn)++;
  return SQLITE_OK;
}

/* Append the first column of every row of zSql to *pazId. */
static int bookReadList(sqlite3 *db, const char *zSql, char ***pazId,
                        int *pnId){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( z ) rc = bookPush(pazId, pnId, z, -1);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  return rc;
}

/*
** The current revisions: rows of migrate_version, or of alembic_version
** (*pbAlembic set) when only that exists. *pazId: free with
** migBookFreeList().
*/
int migBookHeads(sqlite3 *db, char ***pazId, int *pnId, int *pbAlembic){
  int rc, bHas = 0;
  *pazId = 0;
  *pnId = 0;
  *pbAlembic = 0;
  rc = bookHasTable(db, "migrate_version", &bHas);
  if( rc!=SQLITE_OK ) return rc;
  if( bHas ){
    return bookReadList(db, "SELECT version_num FROM main.migrate_version "
                        "ORDER BY version_num", pazId, pnId);
  }
  rc = bookHasTable(db, "alembic_version", &bHas);
  if( rc!=SQLITE_OK ) return rc;
  if( bHas ){
    *pbAlembic = 1;
    return bookReadList(db, "SELECT version_num FROM main.alembic_version "
                        "ORDER BY version_num", pazId, pnId);
  }
  return SQLITE_OK;
}

/*
** Create the tables if needed. If migrate_version is created here and
** aCur (revisions of g read from alembic_version, or from the peer table
** zFrom when not NULL) is not empty, copy them in and record a stamp;
** *pbAdopted is then 1.
*/
int migBookEnsure(sqlite3 *db, MigGraph *g, const int *aCur, int nCur,
                  const char *zFrom, int *pbAdopted, char **pzErr){
  int bHas = 0, i;
  int rc = bookHasTable(db, "migrate_version", &bHas);
  int bNew = !bHas;
  *pbAdopted = 0;
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, zBookDdl, 0, 0, pzErr);
  if( rc!=SQLITE_OK || !bNew || nCur==0 ) return rc;
  for(i=0; rc==SQLITE_OK && i<nCur; i++){
    rc = migExecPrintf(db, pzErr, "INSERT INTO main.migrate_version "
                       "VALUES(%Q)", g->aRev[aCur[i]].zId);
    if( rc==SQLITE_OK ){
      rc = migExecPrintf(db, pzErr, "INSERT INTO main.migrate_history"
          "(revision, direction, message, at) VALUES(%Q, 'stamp', "
          "'adopted from %q', strftime('%%Y-%%m-%%d %%H:%%M:%%f','now'))",
          g->aRev[aCur[i]].zId, zFrom ? zFrom : "alembic_version");
    }
  }
  *pbAdopted = 1;
  return rc;
}

/* True if zId is the id of one of the nRev revisions of aRev. */
static int bookKnown(const MigRev *aRev, int nRev, const char *zId){
  int i;
  for(i=0; i<nRev; i++) if( strcmp(aRev[i].zId, zId)==0 ) return 1;
  return 0;
}

/* Copy column iCol of pStmt, or NULL. */
static char *bookCol(sqlite3_stmt *pStmt, int iCol, int *pRc){
  const char *z = (const char*)sqlite3_column_text(pStmt, iCol);
  char *zNew;
  if( z==0 ) return 0;
  zNew = sqlite3_mprintf("%s", z);
  if( zNew==0 ) *pRc = SQLITE_NOMEM;
  return zNew;
}

/* Fill pRev from the last upgrade row of zId. 1 found, 0 not, <0 error */
static int bookGhost(sqlite3 *db, const char *zId, MigRev *pRev){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db,
      "SELECT down_revision, message, up_sql, down_sql, checksum "
      "FROM main.migrate_history WHERE revision=?1 AND direction='upgrade' "
      "ORDER BY id DESC LIMIT 1", -1, &pStmt, 0);
  int bFound = 0;
  if( rc==SQLITE_OK ) sqlite3_bind_text(pStmt, 1, zId, -1, SQLITE_STATIC);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    memset(pRev, 0, sizeof(*pRev));
    pRev->zId = sqlite3_mprintf("%s", zId);
    if( pRev->zId==0 ) rc = SQLITE_NOMEM;
    pRev->zRevises = bookCol(pStmt, 0, &rc);
    pRev->zMessage = bookCol(pStmt, 1, &rc);
    pRev->zUp = bookCol(pStmt, 2, &rc);
    pRev->zDown = bookCol(pStmt, 3, &rc);
    pRev->zChecksum = bookCol(pStmt, 4, &rc);
    pRev->iUpLine = pRev->iDownLine = 1;
    pRev->eSource = MIG_SRC_HISTORY;
    if( pRev->zUp==0 && rc==SQLITE_OK ) pRev->zUp = sqlite3_mprintf("");
    bFound = 1;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){
    if( bFound ) migRevClear(pRev);
    return -1;
  }
  return bFound;
}

/*
** Applied revisions whose file is gone: for each current revision (and,
** in turn, each parent) missing from *paRev, append a revision rebuilt
** from its last upgrade row in migrate_history.
*/
int migBookGhosts(sqlite3 *db, char **azCur, int nCur,
                  MigRev **paRev, int *pnRev){
  char **azTodo = 0;
  int nTodo = 0, i, bHas = 0, rc = SQLITE_OK;
  if( nCur==0 ) return SQLITE_OK;
  rc = bookHasTable(db, "migrate_history", &bHas);
  if( rc!=SQLITE_OK || !bHas ) return rc;
  for(i=0; rc==SQLITE_OK && i<nCur; i++){
    rc = bookPush(&azTodo, &nTodo, azCur[i], -1);
  }
  for(i=0; rc==SQLITE_OK && i<nTodo; i++){
    MigRev g;
    MigRev *aNew;
    int bFound;
    if( bookKnown(*paRev, *pnRev, azTodo[i]) ) continue;
    bFound = bookGhost(db, azTodo[i], &g);
    if( bFound<0 ){ rc = SQLITE_NOMEM; break; }
    if( bFound==0 ) continue;
    aNew = sqlite3_realloc64(*paRev, sizeof(MigRev)*(*pnRev+1));
    if( aNew==0 ){ migRevClear(&g); rc = SQLITE_NOMEM; break; }
    aNew[(*pnRev)++] = g;
    *paRev = aNew;
    if( g.zRevises ){
      const char *z = g.zRevises, *zItem;
      int n;
      while( rc==SQLITE_OK && (zItem = migListNext(&z, &n))!=0 ){
        rc = bookPush(&azTodo, &nTodo, zItem, n);
      }
    }
  }
  migBookFreeList(azTodo, nTodo);
  return rc;
}

/* True if revision i is applied and no applied revision revises or
** depends on it (a head of the applied set). */
static int bookIsHead(MigGraph *g, const char *aApplied, int i){
  MigRev *r = &g->aRev[i];
  int k;
  if( !aApplied[i] ) return 0;
  for(k=0; k<r->nChild; k++) if( aApplied[r->aChild[k]] ) return 0;
  for(k=0; k<r->nDepChild; k++) if( aApplied[r->aDepChild[k]] ) return 0;
  return 1;
}

/*
** SQL that makes migrate_version hold the heads of the applied set
** aApplied (applied revisions that no applied revision revises or
** depends on).
*/
char *migBookHeadsSql(MigGraph *g, const char *aApplied){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, n = 0;
  sqlite3_str_appendall(pStr, "DELETE FROM main.migrate_version;");
  for(i=0; i<g->nRev; i++){
    MigRev *r = &g->aRev[g->aOrder[i]];
    if( !bookIsHead(g, aApplied, g->aOrder[i]) ) continue;
    sqlite3_str_appendf(pStr, "%s(%Q)",
        n++ ? "," : "\nINSERT INTO main.migrate_version VALUES", r->zId);
  }
  if( n ) sqlite3_str_appendall(pStr, ";");
  return sqlite3_str_finish(pStr);
}

/*
** SQL that moves migrate_version across one step: revision iRev of g has
** just been applied (bDown==0) or reverted, and aApplied says so. Only
** the rows of iRev, its parents and its dependencies change, so a long
** chain of steps costs time linear in its length.
*/
char *migBookStepSql(MigGraph *g, const char *aApplied, int iRev, int bDown){
  MigRev *r = &g->aRev[iRev];
  sqlite3_str *pStr = sqlite3_str_new(0);
  int k;
  if( !bDown ){
    sqlite3_str_appendall(pStr, "DELETE FROM main.migrate_version "
                          "WHERE version_num IN (");
    for(k=0; k<r->nParent+r->nDep; k++){
      int j = k<r->nParent ? r->aParent[k] : r->aDep[k-r->nParent];
      sqlite3_str_appendf(pStr, "%s%Q", k ? "," : "", g->aRev[j].zId);
    }
    sqlite3_str_appendf(pStr, ");\nINSERT OR IGNORE INTO main.migrate_version"
                        " VALUES(%Q);", r->zId);
  }else{
    sqlite3_str_appendf(pStr, "DELETE FROM main.migrate_version "
                        "WHERE version_num=%Q;", r->zId);
    for(k=0; k<r->nParent+r->nDep; k++){
      int j = k<r->nParent ? r->aParent[k] : r->aDep[k-r->nParent];
      if( bookIsHead(g, aApplied, j) ){
        sqlite3_str_appendf(pStr, "\nINSERT OR IGNORE INTO "
                            "main.migrate_version VALUES(%Q);", g->aRev[j].zId);
      }
    }
  }
  return sqlite3_str_finish(pStr);
}

/*
** SQL recording that pRev was applied in direction zVerb ('upgrade' or
** 'downgrade') in rSec seconds (NULL when rSec<0).
*/
char *migBookHistorySql(const MigRev *pRev, const char *zVerb, double rSec){
  char zDur[40];
  if( rSec<0 ) sqlite3_snprintf(sizeof(zDur), zDur, "NULL");
  else sqlite3_snprintf(sizeof(zDur), zDur, "%.6f", rSec);
  return sqlite3_mprintf("INSERT INTO main.migrate_history(revision, "
      "down_revision, direction, message, filename, at, duration, checksum, "
      "up_sql, down_sql) VALUES(%Q, %Q, %Q, %Q, %Q, "
      "strftime('%%Y-%%m-%%d %%H:%%M:%%f','now'), %s, %Q, %Q, %Q);",
      pRev->zId, pRev->zRevises, zVerb, pRev->zMessage, pRev->zFile, zDur,
      pRev->zChecksum, pRev->zUp, pRev->zDown);
}

/*
** Insert the migrate_history row of pRev applied in direction zVerb at
** iAt (the VFS clock: milliseconds since the julian epoch) in rSec
** seconds, as migBookHistorySql() words it, through statement *ppStmt:
** prepared by the first call and reused by the next ones (the caller
** finalizes it). The runner writes the rows of a run this way, at once
** before it commits. Returns an SQLite code.
*/
int migBookHistoryRow(sqlite3 *db, sqlite3_stmt **ppStmt, const MigRev *pRev,
                      const char *zVerb, double rSec, sqlite3_int64 iAt){
  int rc = SQLITE_OK;
  if( *ppStmt==0 ){
    rc = sqlite3_prepare_v2(db, "INSERT INTO main.migrate_history(revision, "
        "down_revision, direction, message, filename, at, duration, "
        "checksum, up_sql, down_sql) VALUES(?1, ?2, ?3, ?4, ?5, "
        "strftime('%Y-%m-%d %H:%M:%f', ?6/86400000.0), ?7, ?8, ?9, ?10)",
        -1, ppStmt, 0);
  }
  if( rc==SQLITE_OK ){
    sqlite3_stmt *p = *ppStmt;
    sqlite3_bind_text(p, 1, pRev->zId, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 2, pRev->zRevises, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 3, zVerb, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 4, pRev->zMessage, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 5, pRev->zFile, -1, SQLITE_STATIC);
    sqlite3_bind_double(p, 6, (double)iAt);
    sqlite3_bind_double(p, 7, rSec);
    sqlite3_bind_text(p, 8, pRev->zChecksum, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 9, pRev->zUp, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 10, pRev->zDown, -1, SQLITE_STATIC);
    sqlite3_step(p);
    rc = sqlite3_reset(p);
  }
  return rc;
}

/* SQL recording a stamp from zFrom to zTo (comma lists; NULL: base). */
char *migBookStampSql(const char *zFrom, const char *zTo){
  return sqlite3_mprintf("INSERT INTO main.migrate_history(revision, "
      "down_revision, direction, at) VALUES(%Q, %Q, 'stamp', "
      "strftime('%%Y-%%m-%%d %%H:%%M:%%f','now'));",
      zTo ? zTo : "base", zFrom);
}

/*
** Column zCol of the last upgrade row of revision zRev (sqlite3_free),
** or NULL when there is none. *pRc (if not NULL) gets the SQLite code:
** a NULL with an error is not "no row".
*/
char *migBookLast(sqlite3 *db, const char *zRev, const char *zCol, int *pRc){
  sqlite3_stmt *pStmt = 0;
  char *zRet = 0;
  char *zSql = sqlite3_mprintf("SELECT \"%w\" FROM main.migrate_history "
      "WHERE revision=?1 AND direction='upgrade' ORDER BY id DESC LIMIT 1",
      zCol);
  int rc = zSql ? sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zRev, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ) zRet = bookCol(pStmt, 0, &rc);
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
    else sqlite3_finalize(pStmt);
  }
  if( pRc ) *pRc = rc;
  if( rc!=SQLITE_OK ){ sqlite3_free(zRet); zRet = 0; }
  return zRet;
}
