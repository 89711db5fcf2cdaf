/*
** oom_ops.h: the operations oom_test.c injects faults into, one entry of
** aOp[] each: {name, fixture files, setup SQL, prep SQL, operation SQL,
** flags}. Included once, by oom_test.c. Add an entry for every new SQL
** function or write path; a name is also the directory it runs in.
*/

/* A schema with one of everything, for the read-only functions. */
#define OOM_SCHEMA \
  "CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT NOT NULL DEFAULT 'x'," \
  " \"c d\" REAL COLLATE nocase, e AS (a*2));" \
  "CREATE INDEX i1 ON t1(b);" \
  "CREATE VIEW v1 AS SELECT a, b FROM t1;" \
  "CREATE TRIGGER tr1 AFTER INSERT ON t1 BEGIN SELECT 1; END;" \
  "CREATE TABLE t2(x, y, PRIMARY KEY(x, y)) WITHOUT ROWID;" \
  "INSERT INTO t1(a, b, \"c d\") VALUES(1, 'one', 1.5), (2, 'two', NULL);"

/*
** Known bugs (OP_PENDING, run by tcltest/pending/oom.test):
**  introspect: when an allocation inside has_table() and friends fails
**    (sqlite3_mprintf in introCountIn), introError() reports the
**    connection's error, which is SQLITE_OK: the call "succeeds" with the
**    text 'not an error' instead of 1 or 0.
**  schema_columns: a failed sqlite3_step() of the pragma_table_xinfo
**    query is taken for "no columns" and the table skipped: the query
**    succeeds with rows missing.
*/
static const Op aOp[] = {
  { "open", 0, OOM_SCHEMA, 0,
    "SELECT migrate_dir(), count(*) FROM t1", OP_OPEN },
  { "introspect", 0, OOM_SCHEMA, 0,
    "SELECT has_table('t1'), has_table('nope'), column_exists('t1', 'C D'),"
    " has_index('i1'), has_view('v1'), has_trigger('tr1'),"
    " column_exists('v1', 'b'), has_table('t1', 'main')", OP_PENDING },
  { "schema_columns", 0, OOM_SCHEMA, 0,
    "SELECT * FROM schema_columns", OP_PENDING },
  { "schema_columns_one", 0, OOM_SCHEMA, 0,
    "SELECT column_name, data_type, is_nullable, column_default"
    " FROM schema_columns WHERE table_name='t1'", OP_PENDING },
  { "migrate_dir", 0, 0, 0,
    "SELECT migrate_dir('some/where'), migrate_dir()", 0 },
};
