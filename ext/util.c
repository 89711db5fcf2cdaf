/*
** util.c: small helpers shared by the modules of the migrate extension.
*/
#include "mig_int.h"
#include <stdarg.h>
#include <string.h>

/* True if zA and zB are equal ignoring ASCII case, as SQLite compares names. */
int migNameEq(const char *zA, const char *zB){
  return sqlite3_stricmp(zA, zB)==0;
}

/* Return zId as a quoted SQL identifier ("a""b"); free with sqlite3_free. */
char *migQuoteId(const char *zId){
  return sqlite3_mprintf("\"%w\"", zId);
}

/*
** Run the SQL built from zFmt (sqlite3_mprintf conventions: %Q, %w, ...).
** On error returns the SQLite code and, if pzErr is not NULL, sets *pzErr
** to a copy of the message (sqlite3_malloc'd).
*/
int migExecPrintf(sqlite3 *db, char **pzErr, const char *zFmt, ...){
  va_list ap;
  char *zSql;
  int rc;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(db, zSql, 0, 0, pzErr);
  sqlite3_free(zSql);
  return rc;
}

/* migPrepare() with a va_list. */
int migPrepareV(
  sqlite3 *db, sqlite3_stmt **ppStmt, const char *zFmt, va_list ap
){
  char *zSql = sqlite3_vmprintf(zFmt, ap);
  int rc;
  *ppStmt = 0;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, ppStmt, 0);
  sqlite3_free(zSql);
  return rc;
}

/*
** Prepare the statement built from zFmt (sqlite3_mprintf conventions) into
** *ppStmt, which the caller finalizes; *ppStmt is NULL on error. Returns an
** SQLite code.
*/
int migPrepare(sqlite3 *db, sqlite3_stmt **ppStmt, const char *zFmt, ...){
  va_list ap;
  int rc;
  va_start(ap, zFmt);
  rc = migPrepareV(db, ppStmt, zFmt, ap);
  va_end(ap);
  return rc;
}

/*
** Run the query built from zFmt and store the first column of its first
** row in *piOut (0 when there is no row). Returns an SQLite code.
*/
int migQueryInt(sqlite3 *db, sqlite3_int64 *piOut, const char *zFmt, ...){
  va_list ap;
  int rc;
  va_start(ap, zFmt);
  rc = migQueryIntV(db, piOut, zFmt, ap);
  va_end(ap);
  return rc;
}

/* migQueryInt() with a va_list. */
int migQueryIntV(sqlite3 *db, sqlite3_int64 *piOut, const char *zFmt,
                 va_list ap){
  sqlite3_stmt *pStmt = 0;
  int rc = migPrepareV(db, &pStmt, zFmt, ap);
  *piOut = 0;
  if( rc==SQLITE_OK ){
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      *piOut = sqlite3_column_int64(pStmt, 0);
    }
    rc = sqlite3_finalize(pStmt);
  }
  return rc;
}

/* True if zType contains zSub, ignoring ASCII case. */
static int utilTypeHas(const char *zType, const char *zSub){
  int n = (int)strlen(zSub);
  for(; *zType; zType++){
    if( sqlite3_strnicmp(zType, zSub, n)==0 ) return 1;
  }
  return 0;
}

/* SQLite's type affinity of a declared type (section 3.1 of datatype3):
** 'D' INTEGER, 'B' TEXT, 'A' BLOB, 'E' REAL, 'C' NUMERIC (SQLite's own
** codes). */
int migAffinity(const char *zType){
  if( zType==0 ) zType = "";
  if( utilTypeHas(zType, "INT") ) return 'D';
  if( utilTypeHas(zType, "CHAR") || utilTypeHas(zType, "CLOB")
   || utilTypeHas(zType, "TEXT") ) return 'B';
  if( utilTypeHas(zType, "BLOB") || zType[0]==0 ) return 'A';
  if( utilTypeHas(zType, "REAL") || utilTypeHas(zType, "FLOA")
   || utilTypeHas(zType, "DOUB") ) return 'E';
  return 'C';
}

/* Milliseconds since the epoch, from the default VFS (0 if it cannot
** tell). */
sqlite3_int64 migNowMs(void){
  sqlite3_vfs *pVfs = sqlite3_vfs_find(0);
  sqlite3_int64 t = 0;
  if( pVfs && pVfs->iVersion>=2 && pVfs->xCurrentTimeInt64 ){
    pVfs->xCurrentTimeInt64(pVfs, &t);
  }
  return t;
}

/*
** The one error formatter: set *pzErr (when pzErr is not NULL) to the
** message built from zFmt (sqlite3_mprintf conventions), freeing the one
** it held. Returns rc, so that `return migErrorf(pzErr, SQLITE_ERROR,
** "no such revision: %s", zId);` reports and fails in one line. When the
** message cannot be allocated *pzErr is NULL and callers fall back to
** sqlite3_errstr(rc).
*/
int migErrorf(char **pzErr, int rc, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  rc = migErrorV(pzErr, rc, zFmt, ap);
  va_end(ap);
  return rc;
}

/* migErrorf() with a va_list. */
int migErrorV(char **pzErr, int rc, const char *zFmt, va_list ap){
  if( pzErr ){
    sqlite3_free(*pzErr);
    *pzErr = sqlite3_vmprintf(zFmt, ap);
  }
  return rc;
}

/*
** The one comma-list scanner, for "a, b,c" lists of revisions, labels
** and dependencies (commas and blanks separate items). Skips separators
** at *pz; returns the next item, its length in *pn, and moves *pz past
** it; returns NULL at the end of the list.
*/
const char *migListNext(const char **pz, int *pn){
  const char *z = *pz;
  int n;
  while( *z==' ' || *z==',' ) z++;
  for(n=0; z[n] && z[n]!=',' && z[n]!=' '; n++){}
  *pz = z+n;
  *pn = n;
  return n ? z : 0;
}
