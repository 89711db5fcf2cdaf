/*
** fuzz_alter.c: libFuzzer target for ALTER clauses: the clause parser
** (migClauseParse) on the raw input, then the whole engine through SQL:
** migrate_alter_table() on an in-memory database holding tables of
** several shapes, the input split at newlines into the table name and up
** to three clauses. Afterwards the database must pass integrity_check
** (a failed request leaves it as it was; a successful one leaves it
** consistent), or the target aborts.
**
**   tcltest/fuzz/fuzz_alter [-max_total_time=N] CORPUS_DIR...
**
** Seeds: tcltest/fuzz/seed_alter/ (first line: table, then clauses).
*/
#include "alter_int.h"
#include <stdlib.h>
#include <string.h>

static const char zSchema[] =
  "CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
  "CREATE TABLE t(id INTEGER PRIMARY KEY, pid INT REFERENCES p(id)"
  " ON DELETE CASCADE, v TEXT DEFAULT 'x' CHECK (v<>'bad'), w REAL,"
  " \"odd \"\"name\" BLOB, CONSTRAINT u UNIQUE (v, w));"
  "CREATE INDEX t_v ON t(v);"
  "CREATE VIEW tv AS SELECT id, v FROM t;"
  "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN SELECT new.v; END;"
  "CREATE TABLE wr(a, b, c, PRIMARY KEY(a, b)) WITHOUT ROWID;"
  "CREATE TABLE s(a INT, b TEXT, g INT AS (a*2)) STRICT;"
  "INSERT INTO p VALUES(1, 'a'), (2, 'b');"
  "INSERT INTO t(pid, v, w) VALUES(1, 'a', 1.5), (2, NULL, 2), (1, 'c', 3);"
  "INSERT INTO wr VALUES(1, 2, 3), ('x', 'y', NULL);"
  "INSERT INTO s(a, b) VALUES(1, 'one');";

static sqlite3 *pDb = 0;

/* The connection, made once: the extension is linked in statically. */
static sqlite3 *fuzzDb(void){
  if( pDb==0 ){
    sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
    if( sqlite3_open(":memory:", &pDb) ) abort();
  }
  return pDb;
}

/* Run the request on a fresh copy of the schema, then check it. */
static void fuzzSql(char **azPart, int nPart){
  sqlite3 *db = fuzzDb();
  sqlite3_stmt *pStmt = 0;
  char *zSql;
  int i;
  if( sqlite3_exec(db, zSchema, 0, 0, 0) ) abort();
  zSql = sqlite3_mprintf("SELECT migrate_alter_table(?1%s%s%s)",
      nPart>1 ? ", ?2" : "", nPart>2 ? ", ?3" : "", nPart>3 ? ", ?4" : "");
  if( zSql && sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)==SQLITE_OK ){
    for(i=0; i<nPart; i++){
      sqlite3_bind_text(pStmt, i+1, azPart[i], -1, SQLITE_STATIC);
    }
    sqlite3_step(pStmt);
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  if( !sqlite3_get_autocommit(db) ) abort();   /* Left a transaction */
  if( sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &pStmt, 0) ){
    abort();
  }
  if( sqlite3_step(pStmt)!=SQLITE_ROW
   || strcmp((const char*)sqlite3_column_text(pStmt, 0), "ok")!=0 ){
    abort();
  }
  sqlite3_finalize(pStmt);
}

/* Drop every table and view (whatever the last request renamed them to),
** so that each input starts from the same schema. */
static void fuzzReset(void){
  sqlite3 *db = fuzzDb();
  sqlite3_stmt *pStmt = 0;
  char *zSql = 0;
  sqlite3_str *pStr = sqlite3_str_new(0);
  sqlite3_str_appendall(pStr, "PRAGMA foreign_keys=OFF;");
  if( sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_schema"
        " WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%'",
        -1, &pStmt, 0)==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      sqlite3_str_appendf(pStr, "DROP %s IF EXISTS \"%w\";",
          sqlite3_column_text(pStmt, 0), sqlite3_column_text(pStmt, 1));
    }
  }
  sqlite3_finalize(pStmt);
  zSql = sqlite3_str_finish(pStr);
  if( zSql ) sqlite3_exec(db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
}

int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  char *zIn = sqlite3_malloc64(nData+1);
  char *azPart[4];
  MigOp *aOp = 0;
  char *zErr = 0, *z;
  int nOp = 0, nPart = 0;
  if( zIn==0 ) return 0;
  memcpy(zIn, aData, nData);
  zIn[nData] = 0;
  migClauseParse(zIn, &aOp, &nOp, &zErr);
  migOpFree(aOp, nOp);              /* What was parsed, even on error */
  sqlite3_free(zErr);
  for(z=zIn; z && nPart<4; nPart++){
    azPart[nPart] = z;
    z = strchr(z, '\n');
    if( z ) *(z++) = 0;
  }
  if( nPart>=2 ){
    fuzzReset();
    fuzzSql(azPart, nPart);
  }
  sqlite3_free(zIn);
  return 0;
}
