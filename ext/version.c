/*
** version.c: migrate_version(), the version of this extension with the
** version of the SQLite library it runs on beside it:
**
**   SELECT migrate_version();      -- '0.1.0 (SQLite 3.40.1)'
**
** The number is configure's PACKAGE_VERSION (MIG_VERSION in mig_int.h).
** The function is deterministic within a process and touches nothing,
** so it may be used anywhere (views, CHECKs) like sqlite_version().
*/
#include "mig_int.h"

/* migrate_version(): "MIG_VERSION (SQLite X.Y.Z)". */
static void versionFunc(sqlite3_context *ctx, int argc,
                        sqlite3_value **argv){
  char *z = sqlite3_mprintf("%s (SQLite %s)", MIG_VERSION,
                            sqlite3_libversion());
  UNUSED(argc); UNUSED(argv);
  if( z==0 ){ sqlite3_result_error_nomem(ctx); return; }
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
}

int migVersionInit(sqlite3 *db){
  return sqlite3_create_function(db, "migrate_version", 0,
      SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS, 0, versionFunc,
      0, 0);
}
