/*
** diff_sql.c: the SQL functions of autogenerate.
**
**   migrate_schema_diff(schema1, schema2)  NULL when two attached schemas
**       of this connection are the same by the model of model.h, else
**       one line per difference naming the object.
**   migrate_diff(desired_sql [, 'up'|'down'])  the proven SQL taking this
**       database's main schema to desired_sql (or back); '' when the
**       same. Data-loss lines are comments in it.
**   migrate_apply(desired_sql [, allow_data_loss])  the same SQL run, with
**       a history row; the number of statements run. Refused while it
**       would lose data unless allow_data_loss is true.
** and the C API of migrate.h, sqlite3_migrate_diff() and
** sqlite3_migrate_apply(), over the same code (diff_run.c, diff_apply.c).
**
** migrate_schema_diff() only reads: deterministic would be wrong (the
** schemas change), but it is innocuous. The other two open scratch
** databases and, for migrate_apply, rewrite the schema: SQLITE_DIRECTONLY.
*/
#include "diff_int.h"

/* migrate_schema_diff(schema1, schema2) */
static void diffSchemaFunc(sqlite3_context *ctx, int argc,
                           sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zA = (const char*)sqlite3_value_text(argv[0]);
  const char *zB = (const char*)sqlite3_value_text(argv[1]);
  char *zDiff = 0, *zErr = 0;
  int rc;
  UNUSED(argc);
  if( zA==0 || zB==0 ){
    sqlite3_result_error(ctx, "migrate_schema_diff: two schema names", -1);
    return;
  }
  rc = migModelDiffDb(db, zA, db, zB, 1, &zDiff, &zErr);
  if( rc!=SQLITE_OK ){
    sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
  }else if( zDiff ){
    sqlite3_result_text(ctx, zDiff, -1, sqlite3_free);
    zDiff = 0;
  }
  sqlite3_free(zDiff);
  sqlite3_free(zErr);
}

/*
** The upgrade (eWhat 0), downgrade (1) or the notes of rebuilds taken
** after ALTER TABLE clauses failed the proof (2, NULL when none) of the
** migration from db's main schema to zDesired, in *pzOut.
*/
static int diffText(sqlite3 *db, const char *zDesired, int eWhat,
                    char **pzOut, char **pzErr){
  MigDiff d;
  char **pz;
  int rc;
  *pzOut = 0;
  if( pzErr ) *pzErr = 0;
  rc = migDiffCompute(db, zDesired, 0, MIG_DIFF_DB, &d, pzErr);
  if( rc==SQLITE_OK ){
    pz = eWhat==0 ? &d.zUp : eWhat==1 ? &d.zDown : &d.zNote;
    *pzOut = *pz;
    *pz = 0;
    if( *pzOut==0 && eWhat!=2 ) rc = SQLITE_NOMEM;
  }
  migDiffClear(&d);
  return rc;
}

/* migrate_diff(desired_sql [, 'up'|'down']) */
static void diffFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zSql = (const char*)sqlite3_value_text(argv[0]);
  const char *zDir = argc>1 ? (const char*)sqlite3_value_text(argv[1]) : "up";
  char *zOut = 0, *zErr = 0;
  int bDown;
  if( migDirectOnly(ctx, "migrate_diff") ) return;
  if( zSql==0 ){
    sqlite3_result_error(ctx, "migrate_diff: the desired schema is NULL", -1);
    return;
  }
  if( zDir==0 || (!migNameEq(zDir, "up") && !migNameEq(zDir, "down")
                   && !migNameEq(zDir, "notes")) ){
    sqlite3_result_error(ctx, "migrate_diff: direction must be 'up', "
                         "'down' or 'notes'", -1);
    return;
  }
  bDown = migNameEq(zDir, "down") ? 1 : migNameEq(zDir, "notes") ? 2 : 0;
  if( diffText(db, zSql, bDown, &zOut, &zErr)==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
    zOut = 0;
  }else{
    sqlite3_result_error(ctx, zErr ? zErr : "out of memory", -1);
  }
  sqlite3_free(zOut);
  sqlite3_free(zErr);
}

/* migrate_apply(desired_sql [, allow_data_loss]) */
static void applyFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zSql = (const char*)sqlite3_value_text(argv[0]);
  int bAllow = argc>1 ? sqlite3_value_int(argv[1]) : 0;
  int nStmt = 0;
  char *zErr = 0;
  if( migDirectOnly(ctx, "migrate_apply") ) return;
  if( zSql==0 ){
    sqlite3_result_error(ctx, "migrate_apply: the desired schema is NULL", -1);
    return;
  }
  if( !sqlite3_get_autocommit(db) ){
    sqlite3_result_error(ctx, "migrate_apply: cannot run inside a "
                         "transaction", -1);
    return;
  }
  if( sqlite3_migrate_apply(db, zSql, bAllow, &nStmt, &zErr)==SQLITE_OK ){
    sqlite3_result_int(ctx, nStmt);
  }else{
    sqlite3_result_error(ctx, zErr ? zErr : "out of memory", -1);
  }
  sqlite3_free(zErr);
}

/* True (with *pzErr set) when the extension is not registered on db. */
static int diffMisuse(sqlite3 *db, char **pzErr){
  if( db && migConnGet(db) ) return 0;
  if( pzErr ) *pzErr = sqlite3_mprintf("the migrate extension is not "
                                       "registered on this connection");
  return 1;
}

/*
** C API: the SQL taking db's main schema to zDesired (bDown: back).
*/
int sqlite3_migrate_diff(sqlite3 *db, const char *zDesired, int bDown,
                         char **pzSql, char **pzErr){
  if( diffMisuse(db, pzErr) ){
    *pzSql = 0;
    return SQLITE_MISUSE;
  }
  return diffText(db, zDesired, bDown ? 1 : 0, pzSql, pzErr);
}

/*
** C API: bring db's main schema to zDesired; *pnStmt statements run.
*/
int sqlite3_migrate_apply(sqlite3 *db, const char *zDesired,
                          int bAllowDataLoss, int *pnStmt, char **pzErr){
  MigDiff d;
  int rc;
  if( pnStmt ) *pnStmt = 0;
  if( diffMisuse(db, pzErr) ) return SQLITE_MISUSE;
  if( pzErr ) *pzErr = 0;
  rc = migDiffApply(db, zDesired, 0, bAllowDataLoss, 0, &d, pzErr);
  if( pnStmt ) *pnStmt = rc==SQLITE_OK ? d.nStmt : 0;
  migDiffClear(&d);
  return rc;
}

#define DIFF_SIDE_EFFECTS (SQLITE_UTF8|SQLITE_DIRECTONLY)
#define DIFF_READ (SQLITE_UTF8|SQLITE_INNOCUOUS)

/* One SQL function: name, number of arguments, flags, implementation. */
static const struct DiffFunc {
  const char *zName;           /* SQL name */
  int nArg;                    /* Number of arguments */
  int eFlags;                  /* DIFF_SIDE_EFFECTS or DIFF_READ */
  void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
} aFunc[] = {
  { "migrate_schema_diff", 2, DIFF_READ, diffSchemaFunc },
  { "migrate_diff", 1, DIFF_SIDE_EFFECTS, diffFunc },
  { "migrate_diff", 2, DIFF_SIDE_EFFECTS, diffFunc },
  { "migrate_apply", 1, DIFF_SIDE_EFFECTS, applyFunc },
  { "migrate_apply", 2, DIFF_SIDE_EFFECTS, applyFunc },
};

/* Register the functions of autogenerate on db. */
int migDiffInit(sqlite3 *db){
  MigConn *p = migConnGet(db);
  size_t i;
  int rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<sizeof(aFunc)/sizeof(aFunc[0]); i++){
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg,
        aFunc[i].eFlags, p, aFunc[i].xFunc, 0, 0);
  }
  return rc;
}
