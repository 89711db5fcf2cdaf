/*
** autogen_capi_test.c: sqlite3_migrate_diff() and sqlite3_migrate_apply()
** from a program that links libsqlite3migrate.a statically, as an app on
** a device that ships only its desired schema would: the first start
** creates the schema, a later version converges to its new one, rows
** kept. Prints one line per check, "ok" or what went wrong; exits
** non-zero on any failure. Run by autogen_capi.test.
**
** Usage: autogen_capi_test DB
*/
#include <stdio.h>
#include <string.h>
#include "migrate.h"

static int nFail = 0;

/* Report check zName: ok when zGot equals zWant. */
static void check(const char *zName, const char *zGot, const char *zWant){
  if( zGot && zWant && strcmp(zGot, zWant)==0 ){
    printf("%s ok\n", zName);
  }else{
    printf("%s FAILED: got [%s] want [%s]\n", zName, zGot ? zGot : "NULL",
           zWant ? zWant : "NULL");
    nFail++;
  }
}

/* sqlite3_exec() callback: keep the first column of the first row. */
static int firstValue(void *pArg, int nCol, char **azVal, char **azCol){
  char *zBuf = (char*)pArg;
  (void)azCol;
  if( zBuf[0]==0 && nCol>0 && azVal[0] ) snprintf(zBuf, 400, "%s", azVal[0]);
  return 0;
}

/* The first value zSql returns, as text (static buffer). */
static const char *query(sqlite3 *db, const char *zSql){
  static char zBuf[400];
  zBuf[0] = 0;
  sqlite3_exec(db, zSql, firstValue, zBuf, 0);
  return zBuf;
}

static const char zV1[] =
  "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL);";
static const char zV2[] =
  "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL,\n"
  "  pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)));\n"
  "CREATE INDEX notes_pinned ON notes(pinned) WHERE pinned;";

int main(int argc, char **argv){
  sqlite3 *db = 0, *dbBare = 0;
  char *zSql = 0, *zErr = 0;
  char zBuf[40];
  int rc, n = -1;
  if( argc!=2 ){ fprintf(stderr, "usage: %s DB\n", argv[0]); return 2; }
  sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
  rc = sqlite3_open(argv[1], &db);
  check("open", rc==SQLITE_OK ? "0" : "1", "0");

  rc = sqlite3_migrate_apply(db, zV1, 0, &n, &zErr);
  snprintf(zBuf, sizeof(zBuf), "%d %d", rc, n);
  check("apply-v1", zBuf, "0 1");
  sqlite3_exec(db, "INSERT INTO notes(body) VALUES('milk')", 0, 0, 0);

  rc = sqlite3_migrate_diff(db, zV2, 0, &zSql, &zErr);
  check("diff-up", rc==SQLITE_OK ? "0" : zErr, "0");
  check("diff-up-has-add", zSql && strstr(zSql, "ALTER TABLE notes ADD "
                                          "COLUMN pinned") ? "y" : "n", "y");
  sqlite3_free(zSql);
  zSql = 0;
  rc = sqlite3_migrate_diff(db, zV2, 1, &zSql, &zErr);
  check("diff-down", zSql && strstr(zSql, "ALTER TABLE notes DROP COLUMN "
                                    "pinned") ? "y" : "n", "y");
  sqlite3_free(zSql);
  zSql = 0;

  rc = sqlite3_migrate_apply(db, zV2, 0, &n, &zErr);
  snprintf(zBuf, sizeof(zBuf), "%d %d", rc, n);
  check("apply-v2", zBuf, "0 2");
  check("rows", query(db, "SELECT id||'|'||body||'|'||pinned FROM notes"),
        "1|milk|0");
  rc = sqlite3_migrate_diff(db, zV2, 0, &zSql, &zErr);
  check("converged", rc==SQLITE_OK && zSql ? zSql : "error", "");
  sqlite3_free(zSql);
  zSql = 0;

  rc = sqlite3_migrate_apply(db, zV1, 0, &n, &zErr);
  check("refuse-loss", zErr ? zErr : "none",
        "refusing to lose data (allow it with --allow-data-loss):\n"
        "data loss: drops column notes.pinned");
  check("refuse-loss-rc", rc==SQLITE_ERROR ? "error" : "other", "error");
  sqlite3_free(zErr);
  zErr = 0;
  check("unchanged", query(db, "SELECT count(*) FROM pragma_table_info("
                               "'notes')"), "3");

  rc = sqlite3_migrate_diff(db, "CREATE TABLE notes(", 0, &zSql, &zErr);
  check("bad-sql", zErr ? zErr : "none", "desired schema: incomplete input");
  sqlite3_free(zErr);
  zErr = 0;

  sqlite3_reset_auto_extension();
  sqlite3_open(":memory:", &dbBare);
  rc = sqlite3_migrate_diff(dbBare, zV1, 0, &zSql, &zErr);
  check("misuse", rc==SQLITE_MISUSE && zErr ? zErr : "no",
        "the migrate extension is not registered on this connection");
  sqlite3_free(zErr);
  sqlite3_close(dbBare);
  sqlite3_close(db);
  return nFail ? 1 : 0;
}
