# poison.tcl: a hostile database file for tcltest/security.test and
# tcltest/pending/security.test. Source after tester.tcl.
#
#   $unsafe              calls of every function with side effects (or
#                        that reads migration files), with arguments that
#                        would work at top level
#   poison KIND CALL     poisoned.db whose view, trigger, check or index
#                        (KIND) calls CALL; returns the SQL that fires it
#   fire KIND CALL       fire it through a connection with the extension:
#                        {error-message file-unchanged files-created}

# Functions that must never run from the schema, with arguments that
# would work at top level.
set unsafe {
  {migrate_dir('elsewhere')}  {migrate_upgrade()}
  {migrate_downgrade('base')}  {migrate_stamp('head')}
  {migrate_current()}  {migrate_heads()}  {migrate_check()}
  {migrate_verify()}  {migrate_sql('upgrade','head')}  {migrate_new('evil')}
  {migrate_alter_table('t','DROP COLUMN y')}  {migrate_backup_table('t')}
  {migrate_backup('evil.db')}  {migrate_restore('good.db')}
  {migrate_config('backup','auto')}
}

writefile migrations/0001_a.sql \
  "-- migrate:up\nCREATE TABLE a(x);\n-- migrate:down\nDROP TABLE a;\n"

# Rewrite the SQL of schema object NAME of [p] behind SQLite's back, as a
# hostile file would have it (CHECK and index expressions are checked
# when created, not when a file is opened).
proc plant {name sql} {
  p eval {PRAGMA writable_schema=ON}
  p eval {UPDATE sqlite_schema SET sql=$sql WHERE name=$name}
  p eval {PRAGMA writable_schema=OFF}
}

# Make poisoned.db with a plain connection (no extension): a table t, and
# the object of kind KIND that calls CALL. Returns the SQL that fires it.
proc poison {kind call} {
  foreach f [glob -nocomplain poisoned.db* evil.db* migrations/*evil*] {
    file delete $f
  }
  sqlite3 p poisoned.db
  p eval {CREATE TABLE t(x, y); INSERT INTO t VALUES(1, 2);}
  switch $kind {
    view    { p eval "CREATE VIEW v AS SELECT $call AS r"
              set fire {SELECT * FROM v} }
    trigger { p eval "CREATE TRIGGER tr AFTER INSERT ON t BEGIN
                        SELECT $call; END"
              set fire {INSERT INTO t VALUES(3, 4)} }
    check   { p eval {CREATE TABLE c(z CHECK (z IS NULL OR 1))}
              plant c "CREATE TABLE c(z CHECK (length(quote($call)) > 0))"
              set fire {INSERT INTO c VALUES(1)} }
    index   { p eval {CREATE INDEX i ON t(x) WHERE x IS NOT NULL}
              plant i "CREATE INDEX i ON t(x) WHERE $call IS NOT NULL"
              set fire {INSERT INTO t VALUES(5, 6)} }
  }
  p close
  return $fire
}

# Fire the poisoned object through a connection with the extension.
# Returns {error-message state-unchanged files-created}.
proc fire {kind call} {
  set sql [poison $kind $call]
  set before [readfile poisoned.db]
  sqlite3_mig p poisoned.db
  set r [catch_sql p $sql]
  p close
  set after [readfile poisoned.db]
  set files [glob -nocomplain evil.db* migrations/*evil* elsewhere]
  return [list [lindex $r 1] [expr {$before eq $after}] $files]
}
