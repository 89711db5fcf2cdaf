/*
** backup_table.c: migrate_backup_table(table [, suffix]), a copy of one
** table of the main database inside the same database.
**
**   SELECT migrate_backup_table('users');
**     -> 'migrate_backup_users_20240102_100000'
**   SELECT migrate_backup_table('users', 'before_email_addition');
**     -> 'migrate_backup_users_before_email_addition'
**
** The copy is named MIG_BACKUP_PREFIX || table || '_' || suffix, the
** suffix defaulting to the UTC time as YYYYMMDD_HHMMSS. An existing
** object of that name is an error (a backup is never overwritten).
**
** What is copied: every row (with its rowid, for rowid tables) and the
** column definitions (name, declared type, NOT NULL, DEFAULT, COLLATE);
** not indexes, triggers, keys, CHECK or FOREIGN KEY constraints, so the
** copy never interferes with the live tables. Generated columns become
** plain columns holding their values. The CREATE TABLE carries a comment
** "/ * migrate backup taken YYYY-MM-DD HH:MM:SS UTC * /" (without the
** spaces inside the comment markers) from which ".migrate backups" reads
** the time. All of it happens inside a savepoint: on error nothing is
** left behind.
*/
#include "backup_int.h"

/* Append the definition of column iCol of the table_xinfo row pStmt. */
static void btColumn(sqlite3 *db, const char *zTab, sqlite3_stmt *pStmt,
                     sqlite3_str *pDef, sqlite3_str *pList){
  const char *zCol = (const char*)sqlite3_column_text(pStmt, 1);
  const char *zType = (const char*)sqlite3_column_text(pStmt, 2);
  const char *zDflt = (const char*)sqlite3_column_text(pStmt, 4);
  int bGenerated = sqlite3_column_int(pStmt, 6)>=2;
  const char *zColl = 0;
  const char *zSep = sqlite3_str_length(pList)>0 ? ", " : "";
  sqlite3_str_appendf(pList, "%s\"%w\"", zSep, zCol);
  sqlite3_str_appendf(pDef, "%.1s\n  \"%w\"", zSep, zCol);
  if( zType && zType[0] ) sqlite3_str_appendf(pDef, " %s", zType);
  if( bGenerated ) return;
  if( sqlite3_column_int(pStmt, 3) ) sqlite3_str_appendall(pDef, " NOT NULL");
  if( zDflt ) sqlite3_str_appendf(pDef, " DEFAULT (%s)", zDflt);
  sqlite3_table_column_metadata(db, "main", zTab, zCol, 0, &zColl, 0, 0, 0);
  if( zColl && !migNameEq(zColl, "BINARY") ){
    sqlite3_str_appendf(pDef, " COLLATE \"%w\"", zColl);
  }
}

/*
** Build the CREATE TABLE for backup zName of zTab into *pzCreate and the
** list of copied columns into *pzList (both sqlite3_malloc'd).
*/
static int btDefine(sqlite3 *db, const char *zTab, const char *zName,
                    const char *zTaken, char **pzCreate, char **pzList){
  sqlite3_str *pDef = sqlite3_str_new(db);
  sqlite3_str *pList = sqlite3_str_new(db);
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db,
      "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden"
      " FROM pragma_table_xinfo(?1, 'main') WHERE hidden<>1 ORDER BY cid",
      -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zTab, -1, SQLITE_STATIC);
    sqlite3_str_appendf(pDef,
        "CREATE TABLE main.\"%w\"(/* migrate backup taken %s UTC */",
        zName, zTaken);
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      btColumn(db, zTab, pStmt, pDef, pList);
    }
    rc = sqlite3_finalize(pStmt);
    sqlite3_str_appendall(pDef, "\n)");
  }
  *pzCreate = sqlite3_str_finish(pDef);
  *pzList = sqlite3_str_finish(pList);
  if( rc==SQLITE_OK && (*pzCreate==0 || *pzList==0) ) rc = SQLITE_NOMEM;
  return rc;
}

/* True if zTab has a rowid the copy can keep (not WITHOUT ROWID, and no
** column hides it by being called rowid). */
static int btHasRowid(sqlite3 *db, const char *zTab){
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 n = 1;
  char *zSql = sqlite3_mprintf("SELECT rowid FROM main.\"%w\"", zTab);
  int bOk = zSql && sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)==SQLITE_OK;
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  if( bOk ){
    migQueryInt(db, &n, "SELECT count(*) FROM pragma_table_xinfo(%Q, 'main')"
                " WHERE lower(name) IN ('rowid','_rowid_','oid')", zTab);
  }
  return bOk && n==0;
}

/* Create backup zName of zTab and copy the rows (inside a savepoint). */
static int btCopy(sqlite3 *db, const char *zTab, const char *zName,
                  const char *zTaken, char **pzErr){
  char *zCreate = 0, *zList = 0;
  const char *zRowid = btHasRowid(db, zTab) ? "rowid, " : "";
  int bAuto = sqlite3_get_autocommit(db);   /* RELEASE will commit */
  int rc = btDefine(db, zTab, zName, zTaken, &zCreate, &zList);
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(db, "SAVEPOINT migrate_backup_table", 0, 0, pzErr);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(db, zCreate, 0, 0, pzErr);
    if( rc==SQLITE_OK ){
      rc = migExecPrintf(db, pzErr,
          "INSERT INTO main.\"%w\"(%s%s) SELECT %s%s FROM main.\"%w\"",
          zName, zRowid, zList, zRowid, zList, zTab);
    }
    /* In autocommit mode the RELEASE is the commit: it can fail too. */
    if( rc==SQLITE_OK ){
      rc = sqlite3_exec(db, "RELEASE migrate_backup_table", 0, 0, pzErr);
    }
    if( rc!=SQLITE_OK ){
      sqlite3_exec(db, "ROLLBACK TO migrate_backup_table", 0, 0, 0);
      sqlite3_exec(db, "RELEASE migrate_backup_table", 0, 0, 0);
      if( bAuto && !sqlite3_get_autocommit(db) ){
        sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
      }
    }
  }
  sqlite3_free(zCreate);
  sqlite3_free(zList);
  return rc;
}

/* Check that zTab is an ordinary table of main; else set *pzErr. */
static int btCheckSource(sqlite3 *db, const char *zTab, char **pzErr){
  sqlite3_int64 eKind = 0;
  int rc = migQueryInt(db, &eKind,
      "SELECT CASE WHEN sql LIKE 'CREATE VIRTUAL%%' THEN 2 ELSE 1 END"
      " FROM main.sqlite_schema WHERE type='table' AND name=%Q"
      " COLLATE NOCASE AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'", zTab);
  if( rc==SQLITE_OK && eKind==0 ){
    *pzErr = sqlite3_mprintf("no such table: %s", zTab);
    rc = SQLITE_ERROR;
  }else if( rc==SQLITE_OK && eKind==2 ){
    *pzErr = sqlite3_mprintf("cannot back up virtual table: %s", zTab);
    rc = SQLITE_ERROR;
  }
  return rc;
}

/* Refuse zName when any object of main already has it. */
static int btCheckFree(sqlite3 *db, const char *zName, char **pzErr){
  sqlite3_int64 n = 0;
  int rc = migQueryInt(db, &n, "SELECT count(*) FROM main.sqlite_schema"
                       " WHERE name=%Q COLLATE NOCASE", zName);
  if( rc==SQLITE_OK && n>0 ){
    *pzErr = sqlite3_mprintf("backup table already exists: %s", zName);
    rc = SQLITE_ERROR;
  }
  return rc;
}

/* Text of argument i, or NULL when it is not a non-empty string. */
static const char *btArg(sqlite3_value **argv, int i){
  const char *z = (const char*)sqlite3_value_text(argv[i]);
  if( sqlite3_value_type(argv[i])!=SQLITE_TEXT || z==0 || z[0]==0 ) return 0;
  return z;
}

/* The time now, UTC: *pzTaken "YYYY-MM-DD HH:MM:SS", *pzStamp
** "YYYYMMDD_HHMMSS" (both sqlite3_malloc'd). */
static int btNow(sqlite3 *db, char **pzTaken, char **pzStamp){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db,
      "SELECT strftime('%Y-%m-%d %H:%M:%S','now'),"
      " strftime('%Y%m%d_%H%M%S','now')", -1, &pStmt, 0);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    *pzTaken = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    *pzStamp = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK && (*pzTaken==0 || *pzStamp==0) ) rc = SQLITE_NOMEM;
  return rc;
}

/* migrate_backup_table(table [, suffix]) -> name of the copy. */
void migBackupTableFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zTab = btArg(argv, 0);
  const char *zSuffix = argc>1 ? btArg(argv, 1) : 0;
  char *zTaken = 0, *zStamp = 0, *zName = 0, *zErr = 0;
  int rc;
  if( migDirectOnly(ctx, "migrate_backup_table") ) return;
  if( zTab==0 || (argc>1 && zSuffix==0) ){
    sqlite3_result_error(ctx, "migrate_backup_table: the table and the"
                              " suffix must be non-empty strings", -1);
    return;
  }
  rc = btCheckSource(db, zTab, &zErr);
  if( rc==SQLITE_OK ) rc = btNow(db, &zTaken, &zStamp);
  if( rc==SQLITE_OK ){
    zName = sqlite3_mprintf(MIG_BACKUP_PREFIX "%s_%s", zTab,
                            zSuffix ? zSuffix : zStamp);
    if( zName==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) rc = btCheckFree(db, zName, &zErr);
  if( rc==SQLITE_OK ) rc = btCopy(db, zTab, zName, zTaken, &zErr);
  if( rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zName, -1, SQLITE_TRANSIENT);
  }else if( rc==SQLITE_NOMEM && zErr==0 ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
  }
  sqlite3_free(zTaken);
  sqlite3_free(zStamp);
  sqlite3_free(zName);
  sqlite3_free(zErr);
}
