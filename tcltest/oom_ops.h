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
**  backup_table (ioerr): migBtCopy() ignores the result of "RELEASE
**    migrate_backup_table", which in autocommit mode is the commit; when
**    the commit fails (I/O error at points 19-23) SQLite rolls the
**    transaction back, yet migrate_backup_table() returns the name of a
**    copy that does not exist.
*/
/* An existing file at a backup's path, kept as it is when a backup fails. */
static const Fixture aOld[] = {
  { "b.db", "an old backup\n" },
  { "sub dir/b.db.gz", "an old gzip backup\n" },
  { 0, 0 }
};

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

  /* The backup module: table copies, snapshots and restore. */
  { "backup_table", 0, OOM_SCHEMA, 0,
    "SELECT migrate_backup_table('t1')", OP_PEND_IO },
  { "backup_table_suffix", 0, OOM_SCHEMA, 0,
    "SELECT migrate_backup_table('t2', 'b''4 \"x\"; \xc3\xa9')",
    OP_PEND_IO },
  { "backup_plain", aOld, OOM_SCHEMA, 0,
    "SELECT migrate_backup('b.db')", 0 },
  { "backup_gz", aOld, OOM_SCHEMA, 0,
    "SELECT migrate_backup('sub dir/b.db.gz')", 0 },
  { "backup_wal", 0, "PRAGMA journal_mode=WAL;" OOM_SCHEMA, 0,
    "SELECT migrate_backup('b.db')", 0 },
  { "restore_plain", 0, OOM_SCHEMA "SELECT migrate_backup('b.db');"
    "DROP TABLE t2; INSERT INTO t1(b) VALUES('new');", 0,
    "SELECT migrate_restore('b.db')", 0 },
  { "restore_gz", 0, OOM_SCHEMA "SELECT migrate_backup('b.db.gz');"
    "DROP VIEW v1; CREATE TABLE t3(z);", 0,
    "SELECT migrate_restore('b.db.gz')", 0 },
  { "restore_wal", 0, "PRAGMA journal_mode=WAL;" OOM_SCHEMA
    "SELECT migrate_backup('b.db'); DELETE FROM t1;", 0,
    "SELECT migrate_restore('b.db')", 0 },
};
