/*
** remote.c: a dqlite cluster's database as a local shadow the engine
** runs on (see remote.h for the whole picture).
**
** migRemoteOpen() connects to the leader (dqlite.c, behind the
** MigRemoteIo seam of remote_int.h), then copies, inside one read
** transaction on the leader:
**   1. the tables, in the order of the cluster's sqlite_master, with
**      their CREATE text as stored (so the texts the engine reads, edits
**      and rebuilds are the cluster's own);
**   2. their rows, each value through quote() (exact: integers, reals
**      that read back the same, text, blobs, NULL), rowids kept;
**      sqlite_sequence and sqlite_stat1 too;
**   3. the indexes, views and triggers (triggers after the rows, so the
**      copy fires none), user_version, application_id, and last
**      schema_version (the engine's in-place schema edits write
**      schema_version+1, which must be the cluster's number plus one).
** A report (current, heads, history, check, verify) copies the rows of
** the bookkeeping tables only. Then remote_send.c captures what the
** engine does.
*/
#include "remote_int.h"
#include "dqlite.h"
#include <stdlib.h>
#include <string.h>

/* How long connecting to the cluster may take, in ms. */
#define REM_CONNECT_MS 10000

/* Rows inserted into the shadow by one INSERT statement. */
#define REM_BATCH 256

/* The page cache of the leader's connection, in KiB (negative: KiB). A
** dqlite 1.11 transaction larger than the cache fails with "disk I/O
** error" when it follows a checkpoint; a large cache avoids it. */
#define REM_CACHE_SQL "PRAGMA cache_size=-1048576"

/****************************** The dqlite seam ****************************/

/* MigRemoteIo.pCtx of a dqlite cluster. */
typedef struct RemDq RemDq;
struct RemDq {
  MigDq *pDq;                  /* Connection to the leader, or NULL */
  char *zAddrs;                /* The nodes of the URL (owned) */
  char *zDb;                   /* The database name (owned) */
};

/* The error of a request made without a connection. */
static int remDqNone(char **pzErr){
  return migErrorf(pzErr, SQLITE_IOERR, "not connected to the cluster");
}

static int remDqExec(void *pCtx, const char *zSql, char **pzErr){
  RemDq *d = (RemDq*)pCtx;
  return d->pDq ? migDqExec(d->pDq, zSql, pzErr) : remDqNone(pzErr);
}

static int remDqQuery(void *pCtx, const char *zSql,
                      int (*xRow)(void*,int,char**,char**), void *pArg,
                      char **pzErr){
  RemDq *d = (RemDq*)pCtx;
  return d->pDq ? migDqQuery(d->pDq, zSql, xRow, pArg, pzErr)
                : remDqNone(pzErr);
}

/* Connect (again) to the leader, giving its connection a large cache. */
static int remDqReconnect(void *pCtx, int msTimeout, char **pzErr){
  RemDq *d = (RemDq*)pCtx;
  int rc;
  migDqClose(d->pDq);
  d->pDq = 0;
  rc = migDqConnect(d->zAddrs, d->zDb, msTimeout, &d->pDq, pzErr);
  if( rc==SQLITE_OK ) rc = migDqExec(d->pDq, REM_CACHE_SQL, pzErr);
  return rc;
}

static const char *remDqLeader(void *pCtx){
  RemDq *d = (RemDq*)pCtx;
  return d->pDq ? migDqLeader(d->pDq) : "none";
}

static void remDqClose(void *pCtx){
  RemDq *d = (RemDq*)pCtx;
  if( d==0 ) return;
  migDqClose(d->pDq);
  sqlite3_free(d->zAddrs);
  sqlite3_free(d->zDb);
  sqlite3_free(d);
}

/* Fill in pIo for the cluster of zUrl, connected. SQLite code. */
static int remDqOpen(const char *zUrl, MigRemoteIo *pIo, char **pzErr){
  RemDq *d = sqlite3_malloc64(sizeof(*d));
  int rc;
  if( d==0 ) return SQLITE_NOMEM;
  memset(d, 0, sizeof(*d));
  pIo->pCtx = d;
  pIo->xExec = remDqExec;
  pIo->xQuery = remDqQuery;
  pIo->xReconnect = remDqReconnect;
  pIo->xLeader = remDqLeader;
  pIo->xClose = remDqClose;
  rc = migDqParseUrl(zUrl, &d->zAddrs, &d->zDb, pzErr);
  if( rc==SQLITE_OK ){
    char *zWhy = 0;
    rc = remDqReconnect(d, REM_CONNECT_MS, &zWhy);
    if( rc!=SQLITE_OK ){
      migErrorf(pzErr, rc, "cannot reach %s: %s", zUrl,
                zWhy ? zWhy : sqlite3_errstr(rc));
    }
    sqlite3_free(zWhy);
  }
  return rc;
}

/**************************** Reading the cluster **************************/

/* Rows of a query, nCol text values each (NULL for SQL NULL). */
typedef struct RemRows RemRows;
struct RemRows {
  int nCol;                    /* Columns per row */
  int nRow;                    /* Rows */
  int nAlloc;                  /* Values allocated in az */
  char **az;                   /* nRow*nCol values (each owned) */
  int rc;                      /* SQLITE_NOMEM once out of memory */
};

/* Query callback: append one row to the RemRows pArg. */
static int remRowsAdd(void *pArg, int nCol, char **azVal, char **azCol){
  RemRows *p = (RemRows*)pArg;
  int i;
  UNUSED(azCol);
  if( p->nCol==0 ) p->nCol = nCol;
  if( nCol!=p->nCol ){ p->rc = SQLITE_ERROR; return 1; }
  if( (p->nRow+1)*nCol > p->nAlloc ){
    int nNew = p->nAlloc ? 2*p->nAlloc : 64*nCol;
    char **azNew = sqlite3_realloc64(p->az, sizeof(char*)*nNew);
    if( azNew==0 ){ p->rc = SQLITE_NOMEM; return 1; }
    p->az = azNew;
    p->nAlloc = nNew;
  }
  for(i=0; i<nCol; i++){
    char *z = azVal[i] ? sqlite3_mprintf("%s", azVal[i]) : 0;
    if( azVal[i] && z==0 ){ p->rc = SQLITE_NOMEM; return 1; }
    p->az[p->nRow*nCol+i] = z;
  }
  p->nRow++;
  return 0;
}

/* Free what p holds. */
static void remRowsFree(RemRows *p){
  int i;
  for(i=0; i<p->nRow*p->nCol; i++) sqlite3_free(p->az[i]);
  sqlite3_free(p->az);
  memset(p, 0, sizeof(*p));
}

/* Run query zSql on the cluster into *pRows. An error names the URL. */
static int remFetch(MigRemote *pR, const char *zSql, RemRows *pRows,
                    char **pzErr){
  char *zWhy = 0;
  int rc = pR->io.xQuery(pR->io.pCtx, zSql, remRowsAdd, pRows, &zWhy);
  if( pRows->rc ) rc = pRows->rc;
  if( rc!=SQLITE_OK ){
    migErrorf(pzErr, rc, "cannot read %s: %s", pR->zUrl,
              zWhy ? zWhy : sqlite3_errstr(rc));
  }
  sqlite3_free(zWhy);
  return rc;
}

/***************************** Building the shadow *************************/

/* Run zSql on the shadow; an error names it. */
static int remShadowExec(MigRemote *pR, const char *zSql, char **pzErr){
  int rc = sqlite3_exec(pR->shadow.db, zSql, 0, 0, 0);
  if( rc!=SQLITE_OK ){
    migErrorf(pzErr, rc, "cannot copy %s: %s: %s", pR->zUrl, zSql,
              sqlite3_errmsg(pR->shadow.db));
  }
  return rc;
}

/* True if zName is a bookkeeping table: this extension's, Alembic's or
** one of the peer tools' (peer.c), whose rows a report reads. */
static int remIsBook(const char *zName){
  static const char *azBook[] = {
    "migrate_version", "migrate_history", "alembic_version",
    "schema_migrations", "goose_db_version", "_sqlx_migrations",
    "__diesel_schema_migrations", "flyway_schema_history", "gorp_migrations"
  };
  size_t i;
  for(i=0; i<sizeof(azBook)/sizeof(azBook[0]); i++){
    if( sqlite3_stricmp(zName, azBook[i])==0 ) return 1;
  }
  return 0;
}

/* The rowid's name for table zTab of the shadow ("rowid", "_rowid_",
** "oid": the first no column is called), or NULL (WITHOUT ROWID). */
static const char *remRowidName(sqlite3 *db, const char *zTab){
  static const char *azName[] = { "rowid", "_rowid_", "oid" };
  size_t i;
  for(i=0; i<sizeof(azName)/sizeof(azName[0]); i++){
    sqlite3_int64 n = 1;
    sqlite3_stmt *pStmt = 0;
    migQueryInt(db, &n, "SELECT count(*) FROM pragma_table_xinfo(%Q) "
                "WHERE name=%Q COLLATE nocase", zTab, azName[i]);
    if( n ) continue;
    if( migPrepare(db, &pStmt, "SELECT %s FROM main.\"%w\"", azName[i],
                   zTab)==SQLITE_OK ){
      sqlite3_finalize(pStmt);
      return azName[i];
    }
    return 0;
  }
  return 0;
}

/*
** For table zTab of the shadow: *pzCols gets its column list ("rowid",
** then every stored column, in double quotes) and *pzSel the select
** list that reads them from the cluster as one text of SQL literals
** ("quote(rowid)||','||quote("a")"). SQLite code.
*/
static int remColumns(sqlite3 *db, const char *zTab, char **pzCols,
                      char **pzSel){
  sqlite3_str *pCols = sqlite3_str_new(0);
  sqlite3_str *pSel = sqlite3_str_new(0);
  sqlite3_stmt *pStmt = 0;
  const char *zRowid = remRowidName(db, zTab);
  int rc;
  if( zRowid ){
    sqlite3_str_appendf(pCols, "%s", zRowid);
    sqlite3_str_appendf(pSel, "quote(%s)", zRowid);
  }
  rc = migPrepare(db, &pStmt, "SELECT name FROM pragma_table_xinfo(%Q) "
                  "WHERE hidden=0 ORDER BY cid", zTab);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zCol = (const char*)sqlite3_column_text(pStmt, 0);
    int bFirst = sqlite3_str_length(pCols)==0;
    sqlite3_str_appendf(pCols, "%s\"%w\"", bFirst ? "" : ",", zCol);
    sqlite3_str_appendf(pSel, "%squote(\"%w\")", bFirst ? "" : "||','||",
                        zCol);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pCols);
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pSel);
  *pzCols = sqlite3_str_finish(pCols);
  *pzSel = sqlite3_str_finish(pSel);
  return rc;
}

/* State of copying the rows of one table. */
typedef struct RemCopy RemCopy;
struct RemCopy {
  MigRemote *pR;
  const char *zInsert;         /* "INSERT INTO main."t"(cols) VALUES" */
  sqlite3_str *pBatch;         /* The statement being built */
  int nBatch;                  /* Rows in it */
  int rc;                      /* First error */
  char *zErr;                  /* Its message (owned) */
};

/* Insert the rows collected so far into the shadow. */
static void remCopyFlush(RemCopy *c){
  char *zSql;
  if( c->nBatch==0 ) return;
  zSql = sqlite3_str_finish(c->pBatch);
  c->pBatch = 0;
  c->nBatch = 0;
  if( zSql==0 ){
    c->rc = SQLITE_NOMEM;
  }else if( c->rc==SQLITE_OK ){
    c->rc = remShadowExec(c->pR, zSql, &c->zErr);
  }
  sqlite3_free(zSql);
}

/* Query callback: one row of literals joined by commas. */
static int remCopyRow(void *pArg, int nCol, char **azVal, char **azCol){
  RemCopy *c = (RemCopy*)pArg;
  UNUSED(nCol); UNUSED(azCol);
  if( c->rc!=SQLITE_OK ) return 1;
  if( c->pBatch==0 ){
    c->pBatch = sqlite3_str_new(0);
    sqlite3_str_appendall(c->pBatch, c->zInsert);
  }
  sqlite3_str_appendf(c->pBatch, "%s(%s)", c->nBatch ? "," : "",
                      azVal[0] ? azVal[0] : "NULL");
  if( ++c->nBatch>=REM_BATCH ) remCopyFlush(c);
  return c->rc!=SQLITE_OK;
}

/* Copy the rows of table zTab from the cluster into the shadow. */
static int remCopyRows(MigRemote *pR, const char *zTab, char **pzErr){
  RemCopy c;
  char *zCols = 0, *zSel = 0, *zInsert = 0, *zQuery = 0, *zWhy = 0;
  int rc = remColumns(pR->shadow.db, zTab, &zCols, &zSel);
  memset(&c, 0, sizeof(c));
  if( rc==SQLITE_OK && zCols[0]==0 ){
    goto copy_done;                      /* Nothing stored to copy */
  }
  if( rc==SQLITE_OK ){
    zInsert = sqlite3_mprintf("INSERT INTO main.\"%w\"(%s) VALUES", zTab,
                              zCols);
    zQuery = sqlite3_mprintf("SELECT %s FROM \"%w\"", zSel, zTab);
    if( zInsert==0 || zQuery==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    c.pR = pR;
    c.zInsert = zInsert;
    rc = pR->io.xQuery(pR->io.pCtx, zQuery, remCopyRow, &c, &zWhy);
    if( c.rc==SQLITE_OK ) remCopyFlush(&c);
    if( c.rc!=SQLITE_OK ){
      rc = c.rc;
      if( c.zErr ){ *pzErr = c.zErr; c.zErr = 0; }
    }else if( rc!=SQLITE_OK ){
      migErrorf(pzErr, rc, "cannot read %s: table %s: %s", pR->zUrl, zTab,
                zWhy ? zWhy : sqlite3_errstr(rc));
    }
  }
copy_done:
  sqlite3_free(sqlite3_str_finish(c.pBatch));
  sqlite3_free(c.zErr);
  sqlite3_free(zWhy);
  sqlite3_free(zCols);
  sqlite3_free(zSel);
  sqlite3_free(zInsert);
  sqlite3_free(zQuery);
  return rc;
}

/* True if the shadow has a table or view called zName already. */
static int remShadowHas(MigRemote *pR, const char *zName){
  sqlite3_int64 n = 0;
  migQueryInt(pR->shadow.db, &n, "SELECT count(*) FROM main.sqlite_master "
              "WHERE name=%Q COLLATE nocase", zName);
  return n>0;
}

/* Create table zName (CREATE text zSql) on the shadow, as the cluster
** has it. */
static int remCreateTable(MigRemote *pR, const char *zName, const char *zSql,
                          char **pzErr){
  if( sqlite3_stricmp(zName, "sqlite_sequence")==0 ){
    /* Made with the first AUTOINCREMENT table, kept when it goes */
    if( remShadowHas(pR, zName) ) return SQLITE_OK;
    return remShadowExec(pR, "CREATE TABLE migrate_remote_seq(x INTEGER "
        "PRIMARY KEY AUTOINCREMENT); DROP TABLE migrate_remote_seq", pzErr);
  }
  if( sqlite3_strnicmp(zName, "sqlite_stat", 11)==0 ){
    /* ANALYZE makes SQLite's own statistics table; rows follow */
    return remShadowExec(pR, "ANALYZE sqlite_schema", pzErr);
  }
  if( remShadowHas(pR, zName) ) return SQLITE_OK;  /* A virtual table's */
  return remShadowExec(pR, zSql, pzErr);
}

/* Copy the cluster's integer PRAGMA zName (user_version, ...) into the
** shadow. */
static int remCopyPragma(MigRemote *pR, const char *zName, char **pzErr){
  RemRows v;
  char *zSql = sqlite3_mprintf("SELECT * FROM pragma_%s", zName);
  int rc = zSql ? SQLITE_OK : SQLITE_NOMEM;
  memset(&v, 0, sizeof(v));
  if( rc==SQLITE_OK ) rc = remFetch(pR, zSql, &v, pzErr);
  sqlite3_free(zSql);
  if( rc==SQLITE_OK && v.nRow==1 && v.az[0] ){
    zSql = sqlite3_mprintf("PRAGMA main.%s=%lld", zName,
                           (sqlite3_int64)strtoll(v.az[0], 0, 10));
    rc = zSql ? remShadowExec(pR, zSql, pzErr) : SQLITE_NOMEM;
    sqlite3_free(zSql);
  }
  remRowsFree(&v);
  return rc;
}

/* The whole copy (see the header comment), on the shadow's own
** transaction, with foreign keys off. */
static int remCopyAll(MigRemote *pR, int bAllRows, char **pzErr){
  static const char *azPragma[] = {
    "user_version", "application_id", "schema_version"
  };
  RemRows s;
  int rc, i, iPass;
  size_t k;
  memset(&s, 0, sizeof(s));
  rc = remFetch(pR, "SELECT type, name, sql FROM sqlite_master "
                "WHERE sql IS NOT NULL ORDER BY rowid", &s, pzErr);
  if( rc==SQLITE_OK ) rc = remShadowExec(pR, "BEGIN", pzErr);
  for(iPass=0; rc==SQLITE_OK && iPass<3; iPass++){
    for(i=0; rc==SQLITE_OK && i<s.nRow; i++){
      const char *zType = s.az[i*3], *zName = s.az[i*3+1];
      const char *zSql = s.az[i*3+2];
      int bTable = strcmp(zType, "table")==0;
      if( iPass==0 && bTable ){
        rc = remCreateTable(pR, zName, zSql, pzErr);
      }else if( iPass==1 && bTable
             && sqlite3_strnicmp(zSql, "CREATE VIRTUAL", 14)!=0
             && (bAllRows || remIsBook(zName)
                 || sqlite3_strnicmp(zName, "sqlite_", 7)==0) ){
        if( sqlite3_strnicmp(zName, "sqlite_", 7)==0 ){
          char *zDel = sqlite3_mprintf("DELETE FROM main.\"%w\"", zName);
          rc = zDel ? remShadowExec(pR, zDel, pzErr) : SQLITE_NOMEM;
          sqlite3_free(zDel);
        }
        if( rc==SQLITE_OK ) rc = remCopyRows(pR, zName, pzErr);
      }else if( iPass==2 && !bTable ){
        rc = remShadowExec(pR, zSql, pzErr);
      }
    }
  }
  for(k=0; rc==SQLITE_OK && k<sizeof(azPragma)/sizeof(azPragma[0]); k++){
    rc = remCopyPragma(pR, azPragma[k], pzErr);
  }
  if( rc==SQLITE_OK ) rc = remShadowExec(pR, "COMMIT", pzErr);
  if( rc!=SQLITE_OK ) sqlite3_exec(pR->shadow.db, "ROLLBACK", 0, 0, 0);
  remRowsFree(&s);
  return rc;
}

/* Copy the cluster into the shadow inside one read transaction on the
** leader (so the copy is of one state), and note that state. */
static int remCopy(MigRemote *pR, int bAllRows, char **pzErr){
  int bFk = 0, rc;
  char *zWhy = 0;
  sqlite3_db_config(pR->shadow.db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bFk);
  sqlite3_db_config(pR->shadow.db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, 0);
  rc = pR->io.xExec(pR->io.pCtx, "BEGIN", &zWhy);
  if( rc!=SQLITE_OK ){
    migErrorf(pzErr, rc, "cannot read %s: %s", pR->zUrl,
              zWhy ? zWhy : sqlite3_errstr(rc));
  }
  sqlite3_free(zWhy);
  if( rc==SQLITE_OK ) rc = remCopyAll(pR, bAllRows, pzErr);
  if( rc==SQLITE_OK ) rc = migRemoteState(pR, 0, &pR->zState, pzErr);
  pR->io.xExec(pR->io.pCtx, "ROLLBACK", 0);
  sqlite3_db_config(pR->shadow.db, SQLITE_DBCONFIG_ENABLE_FKEY, bFk, 0);
  return rc;
}

/******************************** Interface ********************************/

/* Public within the extension: see remote_int.h. */
int migRemoteOpenIo(sqlite3 *dbLive, const char *zUrl, MigRemoteIo *pIo,
                    int bAllRows, MigRemote **ppR, char **pzErr){
  MigConn *pLive = migConnGet(dbLive);
  MigRemote *pR;
  int rc;
  *ppR = 0;
  *pzErr = 0;
  if( pLive==0 ){
    if( pIo->xClose ) pIo->xClose(pIo->pCtx);
    return migErrorf(pzErr, SQLITE_MISUSE, "the migrate extension is not "
                     "registered on this connection");
  }
  pR = sqlite3_malloc64(sizeof(*pR));
  if( pR==0 ){
    if( pIo->xClose ) pIo->xClose(pIo->pCtx);
    return SQLITE_NOMEM;
  }
  memset(pR, 0, sizeof(*pR));
  pR->io = *pIo;
  pR->zUrl = sqlite3_mprintf("%s", zUrl);
  rc = pR->zUrl ? SQLITE_OK : SQLITE_NOMEM;
  if( rc==SQLITE_OK ) rc = migTestScratch(pLive, 0, &pR->shadow, pzErr);
  if( rc==SQLITE_OK ) rc = remCopy(pR, bAllRows, pzErr);
  if( rc==SQLITE_OK ) rc = migRemoteCaptureStart(pR);
  if( rc!=SQLITE_OK ){
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
    migRemoteClose(pR);
    return rc;
  }
  *ppR = pR;
  return SQLITE_OK;
}

/* Public within the extension: see remote.h. */
int migRemoteOpen(sqlite3 *dbLive, const char *zUrl, int bAllRows,
                  MigRemote **ppR, char **pzErr){
  MigRemoteIo io;
  int rc;
  *ppR = 0;
  *pzErr = 0;
  memset(&io, 0, sizeof(io));
  rc = remDqOpen(zUrl, &io, pzErr);
  if( rc!=SQLITE_OK ){
    if( io.xClose ) io.xClose(io.pCtx);
    return rc;
  }
  return migRemoteOpenIo(dbLive, zUrl, &io, bAllRows, ppR, pzErr);
}

sqlite3 *migRemoteDb(MigRemote *pR){
  return pR->shadow.db;
}

void migRemoteSetLog(MigRemote *pR, void (*xLog)(void*, const char*),
                     void *pArg){
  pR->xLog = xLog;
  pR->pLogArg = pArg;
}

/* Bytes of the "FILE:LINE: " an engine error starts with, or 0. */
static int remWhereLen(const char *zErr){
  const char *z = zErr ? strstr(zErr, ": ") : 0;
  const char *zDigit = z;
  while( zDigit && zDigit>zErr && zDigit[-1]>='0' && zDigit[-1]<='9' ){
    zDigit--;
  }
  if( z==0 || zDigit==z || zDigit==zErr || zDigit[-1]!=':' ) return 0;
  return (int)(z-zErr)+2;
}

/* Public within the extension: see remote.h. */
char *migRemoteErr(MigRemote *pR, char *zErr){
  char *zRet;
  const char *zTail = " not authorized";
  int n = zErr ? (int)strlen(zErr) : 0, nTail = (int)strlen(zTail);
  if( pR->zErr ){
    /* The cluster's or the capture's error, where the engine was */
    zRet = sqlite3_mprintf("%.*s%s", remWhereLen(zErr), zErr, pR->zErr);
  }else if( pR->zRefused && n>nTail && strcmp(zErr+n-nTail, zTail)==0 ){
    /* "FILE:LINE: not authorized": the authorizer said why */
    zRet = sqlite3_mprintf("%.*s %s", n-nTail, zErr, pR->zRefused);
  }else{
    return zErr;
  }
  sqlite3_free(zErr);
  return zRet;
}

/* Public within the extension: see remote.h. */
void migRemoteClose(MigRemote *pR){
  if( pR==0 ) return;
  migRemoteCaptureFree(pR);
  if( pR->shadow.db ) migTestScratchClose(&pR->shadow);
  if( pR->io.xClose ) pR->io.xClose(pR->io.pCtx);
  sqlite3_free(pR->zUrl);
  sqlite3_free(pR->zState);
  sqlite3_free(pR->zErr);
  sqlite3_free(pR->zRefused);
  sqlite3_free(pR);
}
