/*
** static_test.c: links libsqlite3migrate.a (built with -DSQLITE_CORE),
** registers the extension through sqlite3_auto_extension() and checks that
** a new connection answers has_table(). Exit status 0 on success.
**
** Usage: static_test [DB]      (default: an in-memory database)
*/
#include <stdio.h>
#include "migrate.h"

int main(int argc, char **argv){
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  int rc, nFail = 0;
  rc = sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
  if( rc==SQLITE_OK ) rc = sqlite3_open(argc>1 ? argv[1] : ":memory:", &db);
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS t1(a, b)", 0, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db,
        "SELECT has_table('t1'), has_table('nope'), column_exists('t1','B')",
        -1, &pStmt, 0);
  }
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    printf("%d %d %d\n", sqlite3_column_int(pStmt, 0),
           sqlite3_column_int(pStmt, 1), sqlite3_column_int(pStmt, 2));
    nFail = !(sqlite3_column_int(pStmt, 0)==1
           && sqlite3_column_int(pStmt, 1)==0
           && sqlite3_column_int(pStmt, 2)==1);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){
    fprintf(stderr, "static_test: %s\n", db ? sqlite3_errmsg(db) : "no db");
    nFail++;
  }
  sqlite3_close(db);
  return nFail ? 1 : 0;
}
