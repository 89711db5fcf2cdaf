/*
** engine_capi_test.c: the engine's C API from a program that links
** libsqlite3migrate.a statically (-DSQLITE_CORE) and has no migration
** files: every function of migrate.h. Prints one line per check, "ok"
** or what went wrong, and exits non-zero on any failure. Run by
** engine_capi.test in a directory holding migrations/0001_file.sql (a
** file that registered revisions must not pick up by default).
**
** Usage: engine_capi_test DB DB2
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

/* Second database: registration, callbacks, the other operations. */
static const sqlite3_migration aHalf[] = {
  { "a1", 0, "create t1", "CREATE TABLE t1(x);", "DROP TABLE t1;" },
  { "a2", "a1", "no up", 0, 0 },
};
static const sqlite3_migration aMig2[] = {
  { "a1", 0, "create t1", "CREATE TABLE t1(x);\nINSERT INTO t1 VALUES(7);",
    "DROP TABLE t1;" },
  { "a2", "a1", "create t2", "CREATE TABLE t2(y);", "DROP TABLE t2;" },
  { "a3", "a2", "drop t1", "DROP TABLE t1;", "CREATE TABLE t1(x);" },
};

static char zLog[2000];        /* What xLog and xProgress were told */
static char zLoss[200];        /* What xConfirm was shown */
static int bRefuse = 1;        /* xConfirm's answer */

/* xLog: append the line to zLog. */
static void logLine(void *pArg, const char *zLine){
  size_t n = strlen(zLog);
  (void)pArg;
  snprintf(zLog+n, sizeof(zLog)-n, "%s|", zLine);
}

/* xProgress: append "done/total" to zLog. */
static void logProgress(void *pArg, sqlite3_int64 nDone, sqlite3_int64 nAll){
  size_t n = strlen(zLog);
  (void)pArg;
  snprintf(zLog+n, sizeof(zLog)-n, "%lld/%lld|", nDone, nAll);
}

/* xConfirm: remember the lines, answer bRefuse. */
static int confirmLoss(void *pArg, const char *zLines){
  (void)pArg;
  snprintf(zLoss, sizeof(zLoss), "%s", zLines);
  return bRefuse;
}

/* Format "rc n err" for a check, freeing zErr. */
static const char *res(int rc, int n, char *zErr){
  static char zBuf[300];
  snprintf(zBuf, sizeof(zBuf), "%d %d %s", rc, n, zErr ? zErr : "-");
  sqlite3_free(zErr);
  return zBuf;
}

/* Checks of the functions beyond register/upgrade/current, on zDb. */
static void testMore(const char *zDb){
  sqlite3 *db = 0;
  char *zErr = 0, *zOut = 0;
  int rc, n = -1;
  sqlite3_open(zDb, &db);
  rc = sqlite3_migrate_register(db, aHalf, 2, &zErr);
  check("register-bad", res(rc, 0, zErr),
        "1 0 revision a2: the up SQL is missing");
  rc = sqlite3_migrate_register(db, aMig2, 3, &zErr);
  check("register-none-kept", res(rc, 0, zErr), "0 0 -");
  rc = sqlite3_migrate_check(db, &n, &zErr);
  check("files-ignored", res(rc, n, zErr), "0 3 -");

  sqlite3_migrate_log(db, logLine, 0);
  sqlite3_migrate_progress(db, logProgress, 0);
  rc = sqlite3_migrate_upgrade(db, "a2", &n, &zErr);
  check("upgrade-a2", res(rc, n, zErr), "0 2 -");
  check("log", zLog, "Running upgrade  -> a1, create t1|1/2|"
        "Running upgrade a1 -> a2, create t2|2/2|");
  sqlite3_migrate_log(db, 0, 0);
  sqlite3_migrate_progress(db, 0, 0);
  rc = sqlite3_migrate_check(db, &n, &zErr);
  check("check", res(rc, n, zErr), "0 1 -");

  rc = sqlite3_migrate_sql(db, 0, 0, &zOut, &zErr);
  check("sql", res(rc, zOut && strstr(zOut, "\nDROP TABLE t1;\n")!=0, zErr),
        "0 1 -");
  check("sql-offline", query(db, "SELECT count(*) FROM t1"), "1");
  sqlite3_free(zOut);

  sqlite3_migrate_confirm(db, confirmLoss, 0);
  rc = sqlite3_migrate_upgrade(db, 0, &n, &zErr);
  check("confirm-refused", res(rc, n, zErr), "4 0 cancelled: the upgrade "
        "would lose data, nothing was changed");
  check("confirm-lines", zLoss, "data loss: drops table t1\n");
  check("confirm-unchanged", query(db, "SELECT count(*) FROM t1"), "1");
  bRefuse = 0;
  rc = sqlite3_migrate_upgrade(db, 0, &n, &zErr);
  check("confirm-accepted", res(rc, n, zErr), "0 1 -");
  check("t1-dropped", query(db, "SELECT count(*) FROM sqlite_schema "
        "WHERE name='t1'"), "0");

  rc = sqlite3_migrate_downgrade(db, 0, &n, &zErr);
  check("downgrade-no-target", res(rc, n, zErr),
        "21 0 sqlite3_migrate_downgrade: the target is required");
  rc = sqlite3_migrate_downgrade(db, "a1", &n, &zErr);
  check("downgrade", res(rc, n, zErr), "0 2 -");
  sqlite3_migrate_current(db, &zOut, 0);
  check("downgrade-current", zOut, "a1");
  sqlite3_free(zOut);
  check("downgrade-schema", query(db, "SELECT group_concat(name) FROM "
        "sqlite_schema WHERE name LIKE 't_'"), "t1");

  rc = sqlite3_migrate_stamp(db, "a3", &zErr);
  check("stamp", res(rc, 0, zErr), "0 0 -");
  sqlite3_migrate_current(db, &zOut, 0);
  check("stamp-current", zOut, "a3");
  sqlite3_free(zOut);
  rc = sqlite3_migrate_verify(db, &zOut, &zErr);
  check("verify", res(rc, 0, zErr), "0 0 -");
  check("verify-report", zOut, "ok");
  sqlite3_free(zOut);

  rc = sqlite3_migrate_dir(db, "migrations");
  rc = sqlite3_migrate_check(db, &n, &zErr);
  check("dir-explicit", res(rc, n, zErr), "0 1 -");
  check("dir-empty", res(sqlite3_migrate_dir(db, ""), 0, 0), "21 0 -");
  sqlite3_close(db);
}

int main(int argc, char **argv){
  sqlite3 *db = 0;
  char *zErr = 0, *zCur = 0;
  int rc, n = -1;
  char zBuf[100];
  if( argc!=3 ){ fprintf(stderr, "usage: %s DB DB2\n", argv[0]); return 2; }
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
  testMore(argv[2]);
  return nFail ? 1 : 0;
}
