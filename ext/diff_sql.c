/*
** diff_sql.c: the SQL functions of autogenerate.
**
**   migrate_schema_diff(schema1, schema2)  NULL when two attached schemas
**       of this connection are the same by the model of model.h, else
**       one line per difference naming the object.
**   migrate_diff(desired_sql [, 'up'|'down'])  (diff_run.c)
**   migrate_apply(desired_sql [, allow_data_loss])  (diff_run.c)
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
