/*
** engine_capi_test.c: the engine's C API from a program that links
** libsqlite3migrate.a statically (-DSQLITE_CORE) and has no migration
** files: sqlite3_migrate_register(), sqlite3_migrate_upgrade() and
** sqlite3_migrate_current(). Prints one line per check, "ok" or what
** went wrong, and exits non-zero on any failure. Run by engine_capi.test
** in an empty directory.
**
** Usage: engine_capi_test DB
*/
#include <stdio.h>
#include <string.h>
#include "migrate.h"

static int nFail = 0;

/* Report check zName: ok when zGot equals zWant. */
static void check(const char *zName, const char *zGot, const char *zWant){
  int bOk = (zGot==0 && zWant==0)
         || (zGot && zWant && strcmp(zGot, zWant)==0);
  if( bOk ){
    printf("%s ok\n", zName);
  }else{
    printf("%s FAILED: got [%s] want [%s]\n", zName,
           zGot ? zGot : "NULL", zWant ? zWant : "NULL");
    nFail++;
  }
}

/* The first column of the first row of zSql, as text (static buffer). */
static const char *query(sqlite3 *db, const char *zSql){
  static char zBuf[200];
  sqlite3_stmt *pStmt = 0;
  zBuf[0] = 0;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW && sqlite3_column_text(pStmt, 0) ){
    snprintf(zBuf, sizeof(zBuf), "%s", sqlite3_column_text(pStmt, 0));
  }
  sqlite3_finalize(pStmt);
  return zBuf;
}

static const sqlite3_migration aMig[] = {
  { "0001", 0, "create users",
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);",
    "DROP TABLE users;" },
  { "0002", "0001", "add email",
    "ALTER TABLE users ADD COLUMN email TEXT;\n"
    "INSERT INTO users(name, email) VALUES('ann', 'ann@example.com');", 0 },
};

static const sqlite3_migration aBad[] = {
  { "0003", "0002", "broken",
    "CREATE TABLE ok(x);\nINSERT INTO missing VALUES(1);", 0 },
};

int main(int argc, char **argv){
  sqlite3 *db = 0;
  char *zErr = 0, *zCur = 0;
  int rc, n = -1;
  char zBuf[100];
  if( argc!=2 ){ fprintf(stderr, "usage: %s DB\n", argv[0]); return 2; }
  sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
  rc = sqlite3_open(argv[1], &db);
  check("open", sqlite3_errstr(rc), "not an error");

  rc = sqlite3_migrate_current(db, &zCur, &zErr);
  check("current-at-base", zCur, 0);

  rc = sqlite3_migrate_register(db, aMig, 2, &zErr);
  check("register", zErr, 0);
  rc = sqlite3_migrate_upgrade(db, 0, &n, &zErr);
  snprintf(zBuf, sizeof(zBuf), "%d %d", rc, n);
  check("upgrade", zBuf, "0 2");
  check("upgrade-err", zErr, 0);
  rc = sqlite3_migrate_current(db, &zCur, &zErr);
  check("current", zCur, "0002");
  sqlite3_free(zCur);
  check("data", query(db, "SELECT name||' '||email FROM users"),
        "ann ann@example.com");

  rc = sqlite3_migrate_upgrade(db, "head", &n, &zErr);
  snprintf(zBuf, sizeof(zBuf), "%d %d", rc, n);
  check("upgrade-again", zBuf, "0 0");

  rc = sqlite3_migrate_register(db, aMig, 1, &zErr);
  check("register-duplicate", zErr, "revision 0001 is already registered");
  sqlite3_free(zErr);
  zErr = 0;

  rc = sqlite3_migrate_register(db, aBad, 1, &zErr);
  rc = sqlite3_migrate_upgrade(db, 0, &n, &zErr);
  snprintf(zBuf, sizeof(zBuf), "%d %d", rc, n);
  check("upgrade-fails", zBuf, "1 0");
  check("upgrade-fails-err", zErr, "revision 0003:2: no such table: missing");
  sqlite3_free(zErr);
  zErr = 0;
  check("nothing-applied", query(db, "SELECT count(*) FROM sqlite_schema "
        "WHERE name='ok'"), "0");

  rc = sqlite3_migrate_upgrade(db, "nope", &n, &zErr);
  check("unknown-target", zErr, "Can't locate revision identified by 'nope'");
  sqlite3_free(zErr);
  zErr = 0;
  check("history", query(db, "SELECT group_concat(revision||':'||direction)"
        " FROM migrate_history"), "0001:upgrade,0002:upgrade");
  sqlite3_close(db);
  return nFail ? 1 : 0;
}
