/*
** alter_exec.c: running SQL on behalf of one ALTER request (MigAlter).
**
** Every helper here reports failure by setting p->zErr (once: the first
** error wins) and returning an SQLite code, so the callers in
** alter_plan.c and alter_rebuild.c can chain them:
**     if( rc==SQLITE_OK ) rc = migAlterExec(p, "DROP TABLE %s", zQ);
** It also owns the in-place schema edit (migWriteSchema: writable_schema,
** schema_version bump, reload check), the check that a new CREATE TABLE
** text is valid before anything is written (migCheckCreate), and the
** count of rows breaking a new FOREIGN KEY (migCheckFk).
*/
#include "alter_int.h"
#include <stdarg.h>
#include <string.h>

/* Set p->zErr (unless already set) from a format; returns rc. */
int migAlterErr(MigAlter *p, int rc, const char *zFmt, ...){
  va_list ap;
  if( p->zErr==0 ){
    va_start(ap, zFmt);
    p->zErr = sqlite3_vmprintf(zFmt, ap);
    va_end(ap);
  }
  return rc;
}

/* Run SQL built from zFmt; on error p->zErr gets SQLite's message. */
int migAlterExec(MigAlter *p, const char *zFmt, ...){
  va_list ap;
  char *zSql, *zErr = 0;
  int rc;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = migExecPrintf(p->db, &zErr, "%s", zSql);
  if( rc!=SQLITE_OK ){
    migAlterErr(p, rc, "%s", zErr ? zErr : sqlite3_errstr(rc));
  }
  sqlite3_free(zErr);
  sqlite3_free(zSql);
  return rc;
}

/* Record error rc from p->db (out of memory as such; the connection's
** message is not set when sqlite3_mprintf() fails); returns rc. */
static int execDbErr(MigAlter *p, int rc){
  if( rc==SQLITE_OK ) return rc;
  return migAlterErr(p, rc, "%s", rc==SQLITE_NOMEM ? sqlite3_errstr(rc)
                                                    : sqlite3_errmsg(p->db));
}

/* Finalize pStmt, the end of a loop over its rows: an error that ended
** the loop early (out of memory, I/O) is recorded and returned unless
** rc already holds one. */
int migAlterFinish(MigAlter *p, sqlite3_stmt *pStmt, int rc){
  int rc2 = sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK && rc2!=SQLITE_OK ) rc = execDbErr(p, rc2);
  return rc;
}

/* First column of the first row of a query into *piOut (0: no row). */
int migAlterInt(MigAlter *p, sqlite3_int64 *piOut, const char *zFmt, ...){
  va_list ap;
  int rc;
  va_start(ap, zFmt);
  rc = migQueryIntV(p->db, piOut, zFmt, ap);
  va_end(ap);
  return execDbErr(p, rc);
}

/* Prepare the statement built from zFmt into *ppStmt (caller finalizes;
** NULL on error, with p->zErr set). */
int migAlterPrepare(MigAlter *p, sqlite3_stmt **ppStmt, const char *zFmt,
                    ...){
  va_list ap;
  int rc;
  va_start(ap, zFmt);
  rc = migPrepareV(p->db, ppStmt, zFmt, ap);
  va_end(ap);
  return execDbErr(p, rc);
}

/* True if PRAGMA foreign_keys is on for db. */
int migFkOn(sqlite3 *db){
  sqlite3_int64 b = 0;
  migQueryInt(db, &b, "PRAGMA foreign_keys");
  return b!=0;
}

/* The CREATE TABLE text of p->zTable as stored (sqlite3_malloc'd). */
int migTableSql(MigAlter *p, char **pzSql){
  sqlite3_stmt *pStmt = 0;
  int rc = migAlterPrepare(p, &pStmt, "SELECT sql FROM \"%w\".sqlite_master "
                           "WHERE type='table' AND name=?1", p->zSchema);
  *pzSql = 0;
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, p->zTable, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      *pzSql = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
      if( *pzSql==0 ) rc = SQLITE_NOMEM;
    }
    if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
      rc = sqlite3_errcode(p->db);
      sqlite3_free(*pzSql);
      *pzSql = 0;
    }
  }
  if( rc==SQLITE_OK && *pzSql==0 ){
    rc = migAlterErr(p, SQLITE_ERROR, "no such table: %s", p->zTable);
  }
  if( rc!=SQLITE_OK ) migAlterErr(p, rc, "%s", sqlite3_errmsg(p->db));
  return rc;
}

/* A name no table, index, view or trigger of the schema has yet:
** migrate_alter_<table>[_N]. */
int migFreshName(MigAlter *p, char **pzName){
  int i, rc = SQLITE_OK;
  *pzName = 0;
  for(i=0; rc==SQLITE_OK; i++){
    sqlite3_int64 n = 0;
    char *z = i ? sqlite3_mprintf("migrate_alter_%s_%d", p->zTable, i)
                : sqlite3_mprintf("migrate_alter_%s", p->zTable);
    if( z==0 ) return SQLITE_NOMEM;
    rc = migAlterInt(p, &n, "SELECT count(*) FROM \"%w\".sqlite_master "
                     "WHERE name=%Q COLLATE nocase", p->zSchema, z);
    if( rc==SQLITE_OK && n==0 ){ *pzName = z; break; }
    sqlite3_free(z);
  }
  return rc;
}

/* True if token pTok of z is a bare TRUE or FALSE. */
static int execTokIsTrueFalse(const char *z, const MigToken *pTok){
  return (pTok->n==4 && sqlite3_strnicmp(&z[pTok->iOff], "true", 4)==0)
      || (pTok->n==5 && sqlite3_strnicmp(&z[pTok->iOff], "false", 5)==0);
}

/* The CREATE TABLE text of pTab with its name replaced by
** "zSchema"."zName", and the qualifiers "[schema.]t." of column names
** in its CHECK expressions (which can only name the table itself)
** removed, as SQLite would not resolve them under another name
** (sqlite3_malloc'd). A bare TRUE or FALSE left alone by the removal
** is a column and is quoted: alone, SQLite reads the keyword. */
char *migTabWithName(MigTab *pTab, const char *zSchema, const char *zName){
  sqlite3_str *pStr = sqlite3_str_new(0);
  const char *z = pTab->zSql;
  MigToken *aTok = 0;
  int nTok = 0, i, iDone;
  if( migTokenize(z, &aTok, &nTok)!=SQLITE_OK ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return 0;
  }
  sqlite3_str_appendf(pStr, "%.*s\"%w\".\"%w\"", pTab->iName, z, zSchema,
                      zName);
  iDone = pTab->iNameEnd;
  for(i=0; i+1<nTok; i++){
    char *zTok;
    if( aTok[i].iOff<=pTab->iOpen || !migTokIsName(aTok[i].eType)
     || aTok[i+1].eType!=MIG_TK_DOT ) continue;
    zTok = migTokName(z, &aTok[i]);
    if( zTok && migNameEq(zTok, pTab->zName) ){
      int iFrom = aTok[i].iOff;
      if( i>=2 && aTok[i-1].eType==MIG_TK_DOT && aTok[i-2].iOff>=iDone ){
        iFrom = aTok[i-2].iOff;
      }
      sqlite3_str_appendf(pStr, "%.*s", iFrom-iDone, &z[iDone]);
      iDone = aTok[i+1].iOff + aTok[i+1].n;
      if( i+2<nTok && aTok[i+2].eType==MIG_TK_ID
       && execTokIsTrueFalse(z, &aTok[i+2]) ){
        sqlite3_str_appendf(pStr, "%.*s\"%.*s\"", aTok[i+2].iOff-iDone,
                            &z[iDone], aTok[i+2].n, &z[aTok[i+2].iOff]);
        iDone = aTok[i+2].iOff + aTok[i+2].n;
      }
    }
    sqlite3_free(zTok);
  }
  sqlite3_str_appendall(pStr, &z[iDone]);
  sqlite3_free(aTok);
  return sqlite3_str_finish(pStr);
}

/*
** Check that zSql is a CREATE TABLE statement SQLite accepts, by
** preparing (never running) it under a fresh name: syntax, duplicate
** columns, CHECK expressions naming unknown columns, a DEFAULT on a
** generated column and the like fail here, before anything is written.
*/
int migCheckCreate(MigAlter *p, const char *zSql){
  MigTab *pTab = 0;
  char *zName = 0, *zTry = 0, *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  int rc = migTabParse(zSql, &pTab, &zErr);
  if( rc==SQLITE_ERROR ) migAlterErr(p, rc, "%s", zErr);
  if( rc==SQLITE_OK ) rc = migFreshName(p, &zName);
  if( rc==SQLITE_OK ){
    zTry = migTabWithName(pTab, p->zSchema, zName);
    if( zTry==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    rc = migAlterPrepare(p, &pStmt, "%s", zTry);
    sqlite3_finalize(pStmt);
  }
  sqlite3_free(zErr);
  sqlite3_free(zTry);
  sqlite3_free(zName);
  migTabFree(pTab);
  return rc;
}

/*
** Replace the stored CREATE TABLE text of p->zTable by zSql, the way
** SQLite's documentation describes for changes that leave the on-disk
** content valid: writable_schema on, UPDATE sqlite_schema, bump
** schema_version (so every connection reloads), writable_schema back.
** Then make this connection reload the schema and read the table, so a
** text SQLite cannot load fails here, inside the caller's savepoint.
*/
int migWriteSchema(MigAlter *p, const char *zSql){
  sqlite3_int64 iVersion = 0, bWritable = 0;
  sqlite3_stmt *pStmt = 0;
  int rc2;
  int rc = migAlterInt(p, &iVersion, "PRAGMA \"%w\".schema_version",
                       p->zSchema);
  if( rc==SQLITE_OK ) rc = migAlterInt(p, &bWritable, "PRAGMA writable_schema");
  if( rc==SQLITE_OK ) rc = migAlterExec(p, "PRAGMA writable_schema=ON");
  if( rc==SQLITE_OK ){
    rc = migAlterExec(p, "UPDATE \"%w\".sqlite_master SET sql=%Q "
                      "WHERE type='table' AND name=%Q",
                      p->zSchema, zSql, p->zTable);
  }
  if( rc==SQLITE_OK ){
    rc = migAlterExec(p, "PRAGMA \"%w\".schema_version=%lld",
                      p->zSchema, iVersion+1);
  }
  rc2 = migAlterExec(p, "PRAGMA writable_schema=%d", (int)bWritable);
  if( rc==SQLITE_OK ) rc = rc2;
  if( rc==SQLITE_OK ){
    rc = migAlterPrepare(p, &pStmt, "SELECT * FROM \"%w\".\"%w\" LIMIT 0",
                         p->zSchema, p->zTable);
    sqlite3_finalize(pStmt);
  }
  return rc;
}

/*
** SQLITE_OK while the transaction the request runs in is still open. An
** out-of-memory or I/O error can make SQLite roll the whole transaction
** back; nothing may then run on in autocommit mode.
*/
int migTxnAlive(MigAlter *p){
  if( !sqlite3_get_autocommit(p->db) ) return SQLITE_OK;
  return migAlterErr(p, SQLITE_ABORT, "cannot alter %s: the transaction "
                     "was rolled back", p->zTable);
}

/* "cannot alter T: LABEL fails for N rows"; returns SQLITE_CONSTRAINT. */
int migRowsFail(MigAlter *p, const char *zLabel, sqlite3_int64 nRow){
  return migAlterErr(p, SQLITE_CONSTRAINT, "cannot alter %s: %s fails for "
                     "%lld row%s", p->zTable, zLabel, nRow, nRow==1 ? "" : "s");
}

/*
** Count the rows of p->zTable that break the new FOREIGN KEY pChk (child
** column zCol to parent zCond), with PRAGMA foreign_key_check, and fail
** naming it if there are any. The table must already carry the key: as
** the last one declared, it has the lowest id of the keys that match.
*/
int migCheckFk(MigAlter *p, MigCheck *pChk){
  sqlite3_int64 n = 0;
  migBlame(p, pChk->iClause);
  int rc = migAlterInt(p, &n,
      "SELECT count(*) FROM pragma_foreign_key_check(%Q, %Q) "
      "WHERE fkid=(SELECT min(id) FROM pragma_foreign_key_list(%Q, %Q) "
      "WHERE \"table\"=%Q COLLATE nocase AND \"from\"=%Q COLLATE nocase "
      "AND seq=0)", p->zTable, p->zSchema, p->zTable, p->zSchema,
      pChk->zCond, pChk->zCol);
  if( rc==SQLITE_OK && n>0 ) rc = migRowsFail(p, pChk->zLabel, n);
  if( rc==SQLITE_OK ) p->iFail = -1;
  return rc;
}
