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
** Known bugs (OP_PEND_*: run by tcltest/pending/oom.test), reproduced by
** "oom_test -v -pending MODE NAME" (the point number is where it shows):
**  alter_in_migration (oom): when an allocation failure makes SQLite
**    roll the runner's transaction back inside the first ALTER of a
**    migration, the next one (DROP COLUMN legacy) still runs, in
**    autocommit mode, and stays: the upgrade fails with "cannot alter
**    child: the transaction was rolled back" but the column is gone and
**    the revision not recorded, an in-between state (point 1784).
**  engine_sql (oom): an allocation failure in the offline SQL drops the
**    "from" revision: "-- Running upgrade  -> aaaa00000002" (point 376).
**  engine_verify (ioerr): migrate_verify() returns PRAGMA integrity_check's
**    "unable to get the page. error code=266" as a problem line instead
**    of failing with the I/O error (point 17 read).
** Found here and fixed since by the modules' owners (they were pending):
**  introspect, schema_columns: 'not an error' and missing rows under OOM
**  (6a0d7ff); backup_table: success reported after a failed commit
**  (91ba58e); data_loss: lines dropped under OOM (e7e2884); the engine's
**  parser, commit and bookkeeping bugs (321c245, c21b1db); the alter
**  module's free of an uninitialised MigSim, a crash in every alter_*
**  operation (6295a5d).
*/
/* An existing file at a backup's path, kept as it is when a backup fails. */
static const Fixture aOld[] = {
  { "b.db", "an old backup\n" },
  { "sub dir/b.db.gz", "an old gzip backup\n" },
  { 0, 0 }
};

/* Migration files: a history of four revisions with Alembic headers. */
#define MIG_HDR(msg, id, revises) \
  "-- " msg "\n--\n-- Revision ID: " id "\n-- Revises: " revises \
  "\n-- Create Date: 2024-01-01 00:00:00\n\n"
static const Fixture aMig[] = {
  { "migrations/2024_01_01_000001_users.sql",
    MIG_HDR("Create users", "aaaa00000001", "")
    "-- migrate:up\n"
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "INSERT INTO users(name) VALUES('ann'), ('bob'), ('cy; \"x\"');\n"
    "-- migrate:down\nDROP TABLE users;\n" },
  { "migrations/2024_01_01_000002_email.sql",
    MIG_HDR("Add email", "aaaa00000002", "aaaa00000001")
    "-- migrate:up\n"
    "ALTER TABLE users ADD COLUMN email TEXT;\n"
    "UPDATE users SET email = name || '@example.com';\n"
    "CREATE UNIQUE INDEX users_email ON users(email);\n"
    "-- migrate:down\n"
    "DROP INDEX users_email;\nALTER TABLE users DROP COLUMN email;\n" },
  { "migrations/2024_01_01_000003_posts.sql",
    MIG_HDR("Posts", "aaaa00000003", "aaaa00000002")
    "-- migrate:up\n"
    "CREATE TABLE posts(id INTEGER PRIMARY KEY,\n"
    "  user_id INTEGER NOT NULL REFERENCES users(id), body TEXT);\n"
    "CREATE TRIGGER posts_ai AFTER INSERT ON posts BEGIN\n"
    "  UPDATE users SET name = name WHERE id = new.user_id;\nEND;\n"
    "INSERT INTO posts(user_id, body) SELECT id, 'hi ' || name FROM users;\n"
    "-- migrate:down\nDROP TABLE posts;\n" },
  { "migrations/2024_01_01_000004_rename.sql",
    MIG_HDR("Rename body", "aaaa00000004", "aaaa00000003")
    "-- migrate:up\n"
    "ALTER TABLE posts RENAME COLUMN body TO content;\n"
    "CREATE VIEW v_posts AS SELECT p.id, u.name, p.content\n"
    "  FROM posts p JOIN users u ON u.id = p.user_id;\n"
    "-- migrate:down\n"
    "DROP VIEW v_posts;\nALTER TABLE posts RENAME COLUMN content TO body;\n" },
  { 0, 0 }
};

/* A dbmate directory (no headers, CRLF line ends in one file), and a
** transaction:false migration (not atomic by design: see aNoTxn). */
static const Fixture aDbmate[] = {
  { "migrations/20240101000000_init.sql",
    "-- migrate:up\r\nCREATE TABLE a(x, y DEFAULT 'a;b');\r\n"
    "INSERT INTO a(x) VALUES(1),(2);\r\n"
    "-- migrate:down\r\nDROP TABLE a;\r\n" },
  { "migrations/20240102000000_index.sql",
    "-- migrate:up\nCREATE INDEX a_x ON a(x);\n"
    "-- migrate:down\nDROP INDEX a_x;\n" },
  { "migrations/20240103000000_more.sql",
    "-- migrate:up\n/* a comment; with a semicolon */\n"
    "CREATE TABLE b(z TEXT DEFAULT '--not a comment');\n"
    "CREATE TRIGGER b_ai AFTER INSERT ON b BEGIN\n"
    "  INSERT INTO a(x) VALUES(new.z); SELECT 'x;y';\nEND;\n"
    "INSERT INTO b VALUES('row');\n"
    "-- migrate:down\nDROP TABLE b;\nDELETE FROM a WHERE x='row';\n" },
  { 0, 0 }
};
static const Fixture aNoTxn[] = {
  { "migrations/20240101000000_init.sql",
    "-- migrate:up\nCREATE TABLE a(x);\n-- migrate:down\nDROP TABLE a;\n" },
  { "migrations/20240102000000_notxn.sql",
    "-- migrate:up transaction:false\nCREATE INDEX a_x ON a(x);\n"
    "-- migrate:down transaction:false\nDROP INDEX a_x;\n" },
  { 0, 0 }
};
/* Directories of other tools (format.c) with their bookkeeping tables
** (peer.c): goose markers, golang-migrate pairs, Flyway V/U/R files. */
static const Fixture aGoose[] = {
  { "migrations/00001_users.sql",
    "-- +goose Up\nCREATE TABLE u(id INTEGER PRIMARY KEY, n TEXT);\n"
    "-- +goose Down\nDROP TABLE u;\n" },
  { "migrations/10_trig.sql",
    "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE l(x);\n"
    "CREATE TRIGGER t AFTER INSERT ON u BEGIN INSERT INTO l VALUES(1); END;\n"
    "-- +goose StatementEnd\n-- +goose Down\nDROP TABLE l;\n" },
  { "migrations/9_data.sql",
    "-- +goose Up\nINSERT INTO u(n) VALUES('a');\n" },
  { 0, 0 }
};
static const Fixture aGolang[] = {
  { "migrations/1_a.up.sql", "CREATE TABLE a(x);\n" },
  { "migrations/1_a.down.sql", "DROP TABLE a;\n" },
  { "migrations/2_b.up.sql", "CREATE TABLE b(y);\n" },
  { "migrations/2_b.down.sql", "DROP TABLE b;\n" },
  { "migrations/10_c.up.sql", "CREATE INDEX b_y ON b(y);\n" },
  { 0, 0 }
};
static const Fixture aFlyway[] = {
  { "migrations/V1__a.sql", "CREATE TABLE a(x);\r\nINSERT INTO a VALUES(1);" },
  { "migrations/U1__a.sql", "DROP TABLE a;\n" },
  { "migrations/V1.10__b.sql", "CREATE TABLE b(y DEFAULT '${flyway:table}');\n" },
  { "migrations/U1.10__b.sql", "DROP TABLE b;\n" },
  { "migrations/R__v.sql", "CREATE VIEW IF NOT EXISTS v AS SELECT * FROM a;\n" },
  { 0, 0 }
};
static const Fixture aBranch[] = {
  { "migrations/2024_01_01_000001_root.sql",
    MIG_HDR("Root", "bbbb00000001", "")
    "-- migrate:up\nCREATE TABLE r(x);\n-- migrate:down\nDROP TABLE r;\n" },
  { "migrations/2024_01_01_000002_left.sql",
    MIG_HDR("Left", "bbbb00000002", "bbbb00000001")
    "-- migrate:up\nCREATE TABLE l(x);\n-- migrate:down\nDROP TABLE l;\n" },
  { "migrations/2024_01_01_000003_right.sql",
    MIG_HDR("Right", "bbbb00000003", "bbbb00000001")
    "-- migrate:up\nCREATE TABLE r2(x);\n-- migrate:down\nDROP TABLE r2;\n" },
  { "migrations/2024_01_01_000004_merge.sql",
    MIG_HDR("Merge", "bbbb00000004", "bbbb00000002, bbbb00000003")
    "-- migrate:up\nINSERT INTO r VALUES('merged');\n"
    "-- migrate:down\nDELETE FROM r;\n" },
  { 0, 0 }
};
/* A history whose third migration fails half-way. */
static const Fixture aBad[] = {
  { "migrations/0001_one.sql",
    "-- migrate:up\nCREATE TABLE one(x);\nINSERT INTO one VALUES(1);\n"
    "-- migrate:down\nDROP TABLE one;\n" },
  { "migrations/0002_two.sql",
    "-- migrate:up\nCREATE TABLE two(x UNIQUE);\n"
    "-- migrate:down\nDROP TABLE two;\n" },
  { "migrations/0003_three.sql",
    "-- migrate:up\nINSERT INTO two VALUES(1);\nCREATE TABLE three(y);\n"
    "INSERT INTO two VALUES(1);\n"
    "-- migrate:down\nDROP TABLE three;\n" },
  { 0, 0 }
};

/* Tables for the alter engine: a parent, a child with every kind of
** dependent object, and names that need quoting. */
#define ALTER_SCHEMA \
  "CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT UNIQUE);" \
  "CREATE TABLE child(id INTEGER PRIMARY KEY," \
  " pid INTEGER REFERENCES parent(id) ON DELETE CASCADE, v TEXT," \
  " legacy INT DEFAULT 7, CHECK (v <> 'bad'));" \
  "CREATE INDEX child_pid ON child(pid);" \
  "CREATE TRIGGER child_ai AFTER INSERT ON child BEGIN" \
  " UPDATE parent SET name = name WHERE id = new.pid; END;" \
  "CREATE VIEW v_child AS SELECT v, pid FROM child;" \
  "INSERT INTO parent VALUES(1, 'p1'), (2, 'p2');" \
  "INSERT INTO child(pid, v) VALUES(1, 'a'), (2, 'b'), (1, 'c');" \
  "CREATE TABLE \"we\"\"ird; t\xc3\xa9\"(\"c\"\"ol;\" TEXT, [x y] INT," \
  " `z` REAL);" \
  "INSERT INTO \"we\"\"ird; t\xc3\xa9\" VALUES('q\"', 1, 2.5);"

/* A migration whose ALTER TABLE statements SQLite cannot run natively. */
static const Fixture aAlterMig[] = {
  { "migrations/0001_alter.sql",
    "-- migrate:up\n"
    "ALTER TABLE child ALTER COLUMN v SET NOT NULL;\n"
    "ALTER TABLE child DROP COLUMN legacy;\n"
    "-- migrate:down\n"
    "ALTER TABLE child ALTER COLUMN v DROP NOT NULL;\n"
    "ALTER TABLE child ADD COLUMN legacy INT DEFAULT 7;\n" },
  { 0, 0 }
};

/* Files the parser and the graph refuse: the database must not change. */
/* A short history for the migration tester: rows, an index, a column. */
static const Fixture aStw[] = {
  { "migrations/2024_01_01_000001_s.sql",
    MIG_HDR("Create s", "dddd00000001", "")
    "-- migrate:up\n"
    "CREATE TABLE s(a INTEGER PRIMARY KEY, b TEXT);\n"
    "CREATE INDEX s_b ON s(b);\nINSERT INTO s(b) VALUES('x'), ('y');\n"
    "-- migrate:down\nDROP TABLE s;\n" },
  { "migrations/2024_01_01_000002_c.sql",
    MIG_HDR("Add c", "dddd00000002", "dddd00000001")
    "-- migrate:up\nALTER TABLE s ADD COLUMN c INTEGER;\nUPDATE s SET c = a;\n"
    "-- migrate:down\nALTER TABLE s DROP COLUMN c;\n" },
  { 0, 0 }
};
static const Fixture aBadFile[] = {
  { "migrations/0001_ok.sql",
    "-- migrate:up\nCREATE TABLE ok(x);\n-- migrate:down\nDROP TABLE ok;\n" },
  { "migrations/0002_bad.sql",
    "-- Bad\n--\n-- Revision ID: 0002\n-- Revises: 0001\n"
    "CREATE TABLE outside(x);\n-- migrate:up\nSELECT 1;\n" },
  { 0, 0 }
};
static const Fixture aBadGraph[] = {
  { "migrations/0001_a.sql",
    "-- A\n--\n-- Revision ID: dddd00000001\n-- Revises: dddd00000002\n\n"
    "-- migrate:up\nCREATE TABLE a(x);\n" },
  { "migrations/0002_b.sql",
    "-- B\n--\n-- Revision ID: dddd00000002\n-- Revises: dddd00000001\n\n"
    "-- migrate:up\nCREATE TABLE b(x);\n" },
  { 0, 0 }
};

static const Op aOp[] = {
  /* Control: plain SQL, no extension function; must always pass. */
  { "control_sql", 0, OOM_SCHEMA, 0,
    "BEGIN; CREATE TABLE c(x); INSERT INTO c SELECT b FROM t1;"
    " UPDATE t1 SET b = b || '!'; COMMIT", 0, 0, 0 },
  { "control_savepoint", 0, OOM_SCHEMA, 0,
    "SAVEPOINT s; CREATE TABLE c(x); INSERT INTO c SELECT b FROM t1;"
    " RELEASE s", 0, 0, 0 },
  { "open", 0, OOM_SCHEMA, 0,
    "SELECT migrate_dir(), count(*) FROM t1", OP_OPEN, 0, 0 },
  { "introspect", 0, OOM_SCHEMA, 0,
    "SELECT has_table('t1'), has_table('nope'), column_exists('t1', 'C D'),"
    " has_index('i1'), has_view('v1'), has_trigger('tr1'),"
    " column_exists('v1', 'b'), has_table('t1', 'main')", 0, 0, 0 },
  { "schema_columns", 0, OOM_SCHEMA, 0,
    "SELECT * FROM schema_columns", 0, 0, 0 },
  { "schema_columns_one", 0, OOM_SCHEMA, 0,
    "SELECT column_name, data_type, is_nullable, column_default"
    " FROM schema_columns WHERE table_name='t1'", 0, 0, 0 },
  { "migrate_dir", 0, 0, 0,
    "SELECT migrate_dir('some/where'), migrate_dir()", 0, 0, 0 },

  /* The backup module: table copies, snapshots and restore. */
  { "backup_table", 0, OOM_SCHEMA, 0,
    "SELECT migrate_backup_table('t1')", 0, 0, 0 },
  { "backup_table_suffix", 0, OOM_SCHEMA, 0,
    "SELECT migrate_backup_table('t2', 'b''4 \"x\"; \xc3\xa9')",
    0, 0, 0 },
  { "backup_plain", aOld, OOM_SCHEMA, 0,
    "SELECT migrate_backup('b.db')", 0, 0, 0 },
  { "backup_gz", aOld, OOM_SCHEMA, 0,
    "SELECT migrate_backup('sub dir/b.db.gz')", 0, 0, 0 },
  { "backup_wal", 0, "PRAGMA journal_mode=WAL;" OOM_SCHEMA, 0,
    "SELECT migrate_backup('b.db')", 0, 0, 0 },
  { "restore_plain", 0, OOM_SCHEMA "SELECT migrate_backup('b.db');"
    "DROP TABLE t2; INSERT INTO t1(b) VALUES('new');", 0,
    "SELECT migrate_restore('b.db')", 0, 0, 0 },
  { "restore_gz", 0, OOM_SCHEMA "SELECT migrate_backup('b.db.gz');"
    "DROP VIEW v1; CREATE TABLE t3(z);", 0,
    "SELECT migrate_restore('b.db.gz')", 0, 0, 0 },
  { "restore_wal", 0, "PRAGMA journal_mode=WAL;" OOM_SCHEMA
    "SELECT migrate_backup('b.db'); DELETE FROM t1;", 0,
    "SELECT migrate_restore('b.db')", 0, 0, 0 },

  /* The migration engine: files, graph, runner, bookkeeping. */
  { "upgrade", aMig, 0, 0, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_upgrade('+1')", 4 },
  { "upgrade_fk", aMig, 0, "PRAGMA foreign_keys=ON",
    "SELECT migrate_upgrade('aaaa00000003')", 0,
    "SELECT migrate_upgrade('+1')", 3 },
  { "upgrade_wal", aMig, "PRAGMA journal_mode=WAL", 0,
    "SELECT migrate_upgrade()", 0,
    "SELECT migrate_upgrade('+1')", 4 },
  { "upgrade_dbmate", aDbmate, 0, 0, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_upgrade('+1')", 3 },
  { "upgrade_merge", aBranch, 0, 0, "SELECT migrate_upgrade('heads')",
    0,
    "SELECT migrate_upgrade('bbbb00000001')\v"
    "SELECT migrate_upgrade('bbbb00000002')\v"
    "SELECT migrate_upgrade('bbbb00000003')", 4 },
  { "upgrade_in_txn", aMig, 0, 0,
    "BEGIN; SELECT migrate_upgrade(); COMMIT", 0, 0, 0 },
  { "upgrade_fails", aBad, 0, 0, "SELECT migrate_upgrade()", OP_FAILS,
    "SELECT migrate_upgrade('+1')", 3 },
  { "upgrade_bad_file", aBadFile, 0, 0, "SELECT migrate_upgrade()",
    OP_FAILS, 0, 0 },
  { "upgrade_bad_graph", aBadGraph, 0, 0, "SELECT migrate_upgrade()",
    OP_FAILS, 0, 0 },
  { "upgrade_registered", 0, 0,
    "INSERT INTO migrations(revision, down_revision, message, up_sql,"
    " down_sql) VALUES('cccc00000001', NULL, 'app', 'CREATE TABLE c(x);',"
    " 'DROP TABLE c;'), ('cccc00000002', 'cccc00000001', 'app2',"
    " 'INSERT INTO c VALUES(1);', 'DELETE FROM c;')",
    "SELECT migrate_upgrade()", 0,
    "SELECT migrate_upgrade('+1')", 2 },
  { "upgrade_notxn", aNoTxn, 0, 0, "SELECT migrate_upgrade()",
    OP_NONATOMIC, 0, 0 },
  { "downgrade", aMig, "SELECT migrate_dir('migrations');"
    "SELECT migrate_upgrade()", 0, "SELECT migrate_downgrade('base')",
    0, "SELECT migrate_downgrade('-1')", 4 },
  { "upgrade_goose", aGoose, 0, 0, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_upgrade('+1')", 3 },
  { "downgrade_goose", aGoose, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_downgrade('base')", 0,
    "SELECT migrate_downgrade('-1')", 3 },
  { "upgrade_golang_adopt", aGolang,
    "CREATE TABLE a(x);"
    "CREATE TABLE schema_migrations (version uint64,dirty bool);"
    "INSERT INTO schema_migrations VALUES(1, 0);", 0,
    "SELECT migrate_upgrade()", 0, "SELECT migrate_upgrade('+1')", 2 },
  { "upgrade_flyway", aFlyway, 0, 0, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_upgrade('+1')", 3 },
  { "stamp_flyway", aFlyway, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_stamp('1')", 0, 0, 0 },
  { "stamp_goose", aGoose, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_stamp('1')", 0, 0, 0 },
  { "stamp_peer_off", aGoose, "SELECT migrate_upgrade()",
    "SELECT migrate_config('peer_table', 'off')",
    "SELECT migrate_stamp('1')", 0, 0, 0 },
  { "current_goose", aGoose, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_current()", 0, 0, 0 },
  { "format_config", aFlyway, 0, 0,
    "SELECT migrate_format(), migrate_config('format', 'flyway'),"
    " migrate_config('placeholder.x', 'y'), migrate_config('placeholder.x'),"
    " migrate_config('peer_table')", 0, 0, 0 },
  { "downgrade_1", aMig, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_downgrade('-1')", 0, 0, 0 },
  { "downgrade_dbmate", aDbmate, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_downgrade('base')", 0,
    "SELECT migrate_downgrade('-1')", 3 },
  { "downgrade_notxn", aNoTxn, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_downgrade('base')", OP_NONATOMIC, 0, 0 },
  { "stamp", aMig, 0, 0, "SELECT migrate_stamp('aaaa00000003')",
    0, 0, 0 },
  { "stamp_down", aMig, "SELECT migrate_upgrade()", 0,
    "SELECT migrate_stamp('base')", 0, 0, 0 },
  { "engine_read", aBranch, "SELECT migrate_upgrade('bbbb00000002')", 0,
    "SELECT migrate_current(), migrate_heads(), migrate_check()", 0, 0, 0 },
  { "engine_verify", aBranch, "SELECT migrate_upgrade('bbbb00000002')", 0,
    "SELECT migrate_verify()", OP_PEND_IO, 0, 0 },
  { "engine_sql", aMig, "SELECT migrate_upgrade('aaaa00000001')", 0,
    "SELECT migrate_sql('upgrade', 'head'),"
    " migrate_sql('downgrade', 'base')", OP_PEND_OOM, 0, 0 },
  /* The migration tester: the stairway on a scratch copy (fresh), and on
  ** a copy of this database's rows (with-data); the database only read. */
  { "migrate_test", aStw, 0, 0, "SELECT migrate_test('dddd00000001')", 0,
    0, 0 },
  { "migrate_test_data", aStw, "SELECT migrate_upgrade('dddd00000001')", 0,
    "SELECT migrate_test(NULL, 'with-data')", 0, 0, 0 },
  { "migrations_vtab", aBranch, "SELECT migrate_upgrade('bbbb00000003')", 0,
    "SELECT * FROM migrations", 0, 0, 0 },
  { "migrations_insert", 0, 0, 0,
    "INSERT INTO migrations(revision, down_revision, message, up_sql,"
    " down_sql) VALUES('cccc00000001', NULL, 'app', 'CREATE TABLE c(x);',"
    " 'DROP TABLE c;')", 0, 0, 0 },
  /* The alter engine: native, in-place edit, validate, rebuild. */
  { "alter_native", 0, ALTER_SCHEMA, 0,
    "SELECT migrate_alter_table('child', 'ADD COLUMN w TEXT DEFAULT ''z''')",
    0, 0, 0 },
  { "alter_edit", 0, ALTER_SCHEMA, 0,
    "SELECT migrate_alter_table('child', 'ALTER COLUMN v SET DEFAULT ''d''')",
    0, 0, 0 },
  { "alter_validate", 0, ALTER_SCHEMA, 0,
    "SELECT migrate_alter_table('child', 'ALTER COLUMN v SET NOT NULL')",
    0, 0, 0 },
  { "alter_rebuild", 0, ALTER_SCHEMA, 0,
    "SELECT migrate_alter_table('child', 'ALTER COLUMN v SET NOT NULL',"
    " 'DROP COLUMN legacy', 'ALTER COLUMN pid TYPE TEXT')", 0,
    0, 0 },
  { "alter_rebuild_fk", 0, ALTER_SCHEMA, "PRAGMA foreign_keys=ON",
    "SELECT migrate_alter_table('parent', 'ALTER COLUMN name TYPE TEXT',"
    " 'ALTER COLUMN name SET NOT NULL')", 0, 0, 0 },
  { "alter_add_fk", 0, ALTER_SCHEMA, 0,
    "SELECT migrate_alter_table('child', 'ADD CONSTRAINT fk_p FOREIGN KEY"
    " (pid) REFERENCES parent(id)')", 0, 0, 0 },
  { "alter_quoted", 0, ALTER_SCHEMA, 0,
    "SELECT migrate_alter_table('we\"ird; t\xc3\xa9',"
    " 'RENAME COLUMN \"c\"\"ol;\" TO \"n\xc3\xa9w\"\"; x\"',"
    " 'ALTER COLUMN \"x y\" SET NOT NULL', 'ALTER COLUMN z TYPE TEXT')",
    0, 0, 0 },
  { "alter_fails", 0, ALTER_SCHEMA "UPDATE child SET v = NULL WHERE id = 2;",
    0, "SELECT migrate_alter_table('child', 'ALTER COLUMN v SET NOT NULL',"
    " 'DROP COLUMN legacy')", OP_FAILS, 0, 0 },
  { "alter_in_migration", aAlterMig, ALTER_SCHEMA, 0,
    "SELECT migrate_upgrade()", OP_PEND_OOM, 0, 0 },
  /* The same with a two-page cache: the cache spills inside the
  ** transaction, so reads, writes and syncs happen mid-operation. */
  { "upgrade_spill", aMig, 0, "PRAGMA cache_size=2",
    "SELECT migrate_upgrade()", 0, "SELECT migrate_upgrade('+1')", 4 },
  { "downgrade_spill", aDbmate, "SELECT migrate_upgrade()",
    "PRAGMA cache_size=2", "SELECT migrate_downgrade('base')", 0,
    "SELECT migrate_downgrade('-1')", 3 },
  { "alter_rebuild_spill", 0, ALTER_SCHEMA, "PRAGMA cache_size=2",
    "SELECT migrate_alter_table('child', 'ALTER COLUMN v SET NOT NULL',"
    " 'DROP COLUMN legacy', 'ALTER COLUMN pid TYPE TEXT')", 0,
    0, 0 },
  { "restore_spill", 0, OOM_SCHEMA "SELECT migrate_backup('b.db');"
    "DROP TABLE t2; INSERT INTO t1(b) VALUES('new');", "PRAGMA cache_size=2",
    "SELECT migrate_restore('b.db')", 0, 0, 0 },
  /* Settings and the data-loss scan. */
  { "config", 0, 0, 0,
    "SELECT migrate_config('backup', 'auto'), migrate_config('backup')",
    0, 0, 0 },
  { "data_loss", 0, 0, 0,
    "SELECT migrate_data_loss('DROP TABLE a; ALTER TABLE t DROP COLUMN c;"
    " SELECT migrate_alter_table(''t'', ''DROP COLUMN d'')')", 0, 0, 0 },
};
