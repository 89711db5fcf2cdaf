/*
** introspect.c: read-only schema questions for safe, idempotent migrations.
**
**   has_table(name [, schema])             -> 1 or 0
**   has_index(name [, schema])             -> 1 or 0
**   has_view(name [, schema])              -> 1 or 0
**   has_trigger(name [, schema])           -> 1 or 0
**   column_exists(table, column [, schema]) -> 1 or 0
**
** Names compare as SQLite compares identifiers (ASCII case-insensitive)
** and are always bound as data, never pasted into SQL, so a name holding
** quotes or SQL is just a name that does not exist. Without a schema every
** attached schema (main, temp and the rest) is searched. A NULL or
** non-text argument, or a schema that is not attached, is an error.
**
** Flags: SQLITE_INNOCUOUS, since they only read the schema; not
** DETERMINISTIC, since the answer changes with the schema.
*/
#include "mig_int.h"
#include <string.h>

/* One function of this file: name, arguments, sqlite_schema type. */
static const struct IntroFunc {
  const char *zName;           /* SQL name */
  int nArg;                    /* Number of arguments */
  const char *zType;           /* sqlite_schema.type; NULL: column_exists */
} aIntroFunc[] = {
  { "has_table",     1, "table"   },
  { "has_table",     2, "table"   },
  { "has_index",     1, "index"   },
  { "has_index",     2, "index"   },
  { "has_view",      1, "view"    },
  { "has_view",      2, "view"    },
  { "has_trigger",   1, "trigger" },
  { "has_trigger",   2, "trigger" },
  { "column_exists", 2, 0 },
  { "column_exists", 3, 0 },
};

/*
** Return argument iArg as text, or NULL after setting an error on ctx that
** names the function and the argument (zWhat) when it is NULL or not text.
*/
static const char *introArg(
  sqlite3_context *ctx, sqlite3_value **argv, int iArg, const char *zWhat
){
  const char *z;
  const struct IntroFunc *pF = (const struct IntroFunc*)sqlite3_user_data(ctx);
  if( sqlite3_value_type(argv[iArg])!=SQLITE_TEXT ){
    char *zErr = sqlite3_mprintf("%s: %s must be text, not %s", pF->zName,
        zWhat, sqlite3_value_type(argv[iArg])==SQLITE_NULL ? "NULL" :
               sqlite3_value_type(argv[iArg])==SQLITE_BLOB ? "a blob" :
               "a number");
    if( zErr ) sqlite3_result_error(ctx, zErr, -1);
    else sqlite3_result_error_nomem(ctx);
    sqlite3_free(zErr);
    return 0;
  }
  z = (const char*)sqlite3_value_text(argv[iArg]);
  if( z==0 ) sqlite3_result_error_nomem(ctx);
  return z;
}

/*
** Count the rows of the one-row-per-match query zSql, run with ?1..?3
** bound to z1..z3 (NULL pointers stay unbound). Returns an SQLite code.
*/
static int introCount(
  sqlite3 *db, const char *zSql,
  const char *z1, const char *z2, const char *z3, sqlite3_int64 *pn
){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  *pn = 0;
  if( rc==SQLITE_OK ){
    if( z1 ) sqlite3_bind_text(pStmt, 1, z1, -1, SQLITE_STATIC);
    if( z2 ) sqlite3_bind_text(pStmt, 2, z2, -1, SQLITE_STATIC);
    if( z3 ) sqlite3_bind_text(pStmt, 3, z3, -1, SQLITE_STATIC);
    while( sqlite3_step(pStmt)==SQLITE_ROW ) (*pn)++;
    rc = sqlite3_finalize(pStmt);
  }
  return rc;
}

/*
** Report error rc on ctx: out of memory as such (the connection's error
** is not set when sqlite3_mprintf() fails), anything else with the
** connection's message.
*/
static void introError(sqlite3_context *ctx, sqlite3 *db, int rc){
  if( rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
  sqlite3_result_error_code(ctx, rc);
}

/*
** Check that zSchema (not NULL) is an attached schema; if not, set an
** error on ctx and return 0.
*/
static int introSchemaOk(sqlite3_context *ctx, const char *zSchema){
  const struct IntroFunc *pF = (const struct IntroFunc*)sqlite3_user_data(ctx);
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  sqlite3_int64 n = 0;
  char *zErr;
  int rc;
  if( sqlite3_stricmp(zSchema, "temp")==0 ) return 1;  /* Always there */
  rc = introCount(db, "SELECT 1 FROM pragma_database_list WHERE name=?1"
                      " COLLATE NOCASE", zSchema, 0, 0, &n);
  if( rc!=SQLITE_OK ){
    introError(ctx, db, rc);
    return 0;
  }
  if( n>0 ) return 1;
  zErr = sqlite3_mprintf("%s: no such schema: %s", pF->zName, zSchema);
  if( zErr ) sqlite3_result_error(ctx, zErr, -1);
  else sqlite3_result_error_nomem(ctx);
  sqlite3_free(zErr);
  return 0;
}

/*
** Count objects of type zType named zName in schema zSchema, adding to
** *pn. zSchema comes from PRAGMA database_list, so it is safe to quote.
*/
static int introCountIn(
  sqlite3 *db, const char *zSchema, const char *zType, const char *zName,
  sqlite3_int64 *pn
){
  sqlite3_int64 n = 0;
  int rc;
  char *zSql = sqlite3_mprintf("SELECT 1 FROM \"%w\".sqlite_schema"
      " WHERE type=?1 AND name=?2 COLLATE NOCASE", zSchema);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = introCount(db, zSql, zType, zName, 0, &n);
  sqlite3_free(zSql);
  *pn += n;
  return rc;
}

/*
** has_table() and friends: is there a schema object of type pF->zType
** named argv[0], in schema argv[1] or in any attached schema?
*/
static void introHasFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const struct IntroFunc *pF = (const struct IntroFunc*)sqlite3_user_data(ctx);
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zName = introArg(ctx, argv, 0, "name");
  sqlite3_stmt *pList = 0;
  sqlite3_int64 n = 0;
  int rc;
  if( zName==0 ) return;
  if( argc==2 ){
    const char *zSchema = introArg(ctx, argv, 1, "schema");
    if( zSchema==0 || !introSchemaOk(ctx, zSchema) ) return;
    rc = introCountIn(db, zSchema, pF->zType, zName, &n);
  }else{
    rc = sqlite3_prepare_v2(db, "SELECT name FROM pragma_database_list",
                            -1, &pList, 0);
    while( rc==SQLITE_OK && n==0 && sqlite3_step(pList)==SQLITE_ROW ){
      const char *zSchema = (const char*)sqlite3_column_text(pList, 0);
      rc = introCountIn(db, zSchema, pF->zType, zName, &n);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pList);
    else sqlite3_finalize(pList);
  }
  if( rc!=SQLITE_OK ){
    introError(ctx, db, rc);
    return;
  }
  sqlite3_result_int(ctx, n>0);
}

/*
** column_exists(table, column [, schema]): does the table or view have a
** column of that name (hidden and generated columns included)? Without a
** schema the table is found as SQLite would find it (temp, main, others).
*/
static void introColumnFunc(
  sqlite3_context *ctx, int argc, sqlite3_value **argv
){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zTab = introArg(ctx, argv, 0, "table");
  const char *zCol = zTab ? introArg(ctx, argv, 1, "column") : 0;
  const char *zSchema = 0;
  sqlite3_int64 n = 0;
  int rc;
  if( zCol==0 ) return;
  if( argc==3 ){
    zSchema = introArg(ctx, argv, 2, "schema");
    if( zSchema==0 || !introSchemaOk(ctx, zSchema) ) return;
  }
  rc = introCount(db, "SELECT 1 FROM pragma_table_xinfo(?1, ?3)"
                      " WHERE name=?2 COLLATE NOCASE", zTab, zCol, zSchema, &n);
  if( rc!=SQLITE_OK ){
    introError(ctx, db, rc);
    return;
  }
  sqlite3_result_int(ctx, n>0);
}

int migIntrospectInit(sqlite3 *db){
  int rc = SQLITE_OK;
  size_t i;
  for(i=0; rc==SQLITE_OK && i<sizeof(aIntroFunc)/sizeof(aIntroFunc[0]); i++){
    const struct IntroFunc *pF = &aIntroFunc[i];
    rc = sqlite3_create_function(db, pF->zName, pF->nArg,
        SQLITE_UTF8|SQLITE_INNOCUOUS, (void*)pF,
        pF->zType ? introHasFunc : introColumnFunc, 0, 0);
  }
  return rc;
}
