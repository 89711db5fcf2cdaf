# format_util.tcl: helpers for the tests of other tools' directories
# (sourced after tester.tcl and engine_util.tcl).
#
#   fmt_files FILES        write {path text ...} under migrations/ (fresh)
#   fmt_hand DB UPS        run each SQL of UPS on DB in order with the
#                          plain sqlite3 shell (no extension): the oracle
#   fmt_schema ?DB?        user schema of a connection: type, name, sql of
#                          everything but sqlite_*, migrate_* and peer tables
#   fmt_run NAME SPEC      the standard checks of one format (see below)
#
# SPEC is a dict: format (what migrate_format() must say), files, order
# (revision ids in the tool's order), ups (the up SQL of each, in order,
# as the tool runs it), peer (table) and peer_sql (a query of it as its
# tool reads it), peer_done (what peer_sql gives after the full upgrade),
# peer_k (SQL in the tool's own DDL saying the first K are applied), k,
# irreversible (the file a downgrade to base stops at, or ""), and
# drop_for_base (files to remove so that a downgrade to base works).

set ::fmt_peers {schema_migrations goose_db_version _sqlx_migrations
  __diesel_schema_migrations flyway_schema_history gorp_migrations
  flyway_schema_history_s_idx version_unique sqlite_sequence}

proc fmt_files {files} {
  file delete -force migrations
  file mkdir migrations
  foreach {path text} $files { writefile migrations/$path $text }
}

proc fmt_hand {file ups} {
  foreach f [glob -nocomplain $file*] { file delete -force $f }
  foreach sql $ups {
    exec sqlite3 -bail $file << $sql
  }
}

proc fmt_schema {{db db}} {
  set res {}
  $db eval {SELECT type, name, sql FROM sqlite_schema
            WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'migrate_%'
            ORDER BY type, name} r {
    if {[lsearch -exact $::fmt_peers $r(name)] >= 0} continue
    lappend res $r(type) $r(name) $r(sql)
  }
  return $res
}

# The schema of file FILE, through a plain connection.
proc fmt_file_schema {file} {
  sqlite3 fmt_h $file
  set s [fmt_schema fmt_h]
  fmt_h close
  return $s
}

proc fmt_run {name spec} {
  set order [dict get $spec order]
  set n [llength $order]
  set k [dict get $spec k]
  set ::fmt_peer_sql [dict get $spec peer_sql]
  # 1. Detection, revision count and order as the tool counts them.
  mig_reset
  fmt_files [dict get $spec files]
  if {[dict exists $spec setup]} { db eval [dict get $spec setup] }
  do_execsql_test $name.1.0 {SELECT migrate_format()} [dict get $spec format]
  do_execsql_test $name.1.1 {
    SELECT count(*) FROM migrations
  } $n
  do_test $name.1.2 {db eval {SELECT revision FROM migrations}} $order
  # 2. Upgrade: every migration, the schema plain sqlite3 gives for the
  # same SQL in the same order, and the peer table as its tool reads it.
  do_execsql_test $name.2.0 {SELECT migrate_upgrade(), migrate_current()} \
    [list $n [lindex $order end]]
  fmt_hand hand.db [dict get $spec ups]
  do_test $name.2.1 {expr {[fmt_schema] eq [fmt_file_schema hand.db]}} 1
  do_test $name.2.2 {db eval $::fmt_peer_sql} [dict get $spec peer_done]
  do_execsql_test $name.2.3 {SELECT migrate_check()} 0
  # 3. A downgrade to base stops at the irreversible migration, before
  # changing anything.
  set irr [dict get $spec irreversible]
  if {$irr ne ""} {
    do_refused_test $name.3.0 {SELECT migrate_downgrade('base')} \
      "migrations/$irr: revision [lindex $order end] is irreversible (no down migration)"
  }
  # 4. Adoption: a database that the tool brought to its K-th migration
  # (its own DDL and rows, the SQL run by hand): only the rest run.
  if {$k == 0} return
  db close
  fmt_hand test.db [lrange [dict get $spec ups] 0 [expr {$k-1}]]
  exec sqlite3 -bail test.db << [dict get $spec peer_k]
  sqlite3_mig db test.db
  if {[dict exists $spec setup]} { db eval [dict get $spec setup] }
  do_execsql_test $name.4.0 {SELECT migrate_current()} \
    [list [lindex $order [expr {$k-1}]]]
  do_execsql_test $name.4.1 {SELECT migrate_upgrade(), migrate_current()} \
    [list [expr {$n-$k}] [lindex $order end]]
  do_test $name.4.2 {expr {[fmt_schema] eq [fmt_file_schema hand.db]}} 1
  do_test $name.4.3 {db eval $::fmt_peer_sql} [dict get $spec peer_done]
  do_execsql_test $name.4.4 {
    SELECT message FROM migrate_history WHERE direction='stamp'
  } [list "adopted from [dict get $spec peer]"]
  # 5. Downgrade to base where downs exist: nothing of the user's is
  # left, and the peer table says base.
  if {[dict get $spec drop_for_base] eq "-"} return
  foreach f [dict get $spec drop_for_base] { file delete -force migrations/$f }
  reset_db
  if {[dict exists $spec setup]} { db eval [dict get $spec setup] }
  set m [db onecolumn {SELECT count(*) FROM migrations}]
  do_test $name.5.0 {
    db eval {SELECT migrate_upgrade(), migrate_downgrade('base')}
  } [list $m $m]
  do_test $name.5.1 {fmt_schema} {}
  do_test $name.5.2 {db eval $::fmt_peer_sql} [dict get $spec peer_base]
  do_execsql_test $name.5.3 {SELECT migrate_current()} {{}}
}

# The common migrations every format's directory is written around.
set ::fmt_sql {
  users.up   "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
  users.down "DROP TABLE users;"
  posts.up   "CREATE TABLE posts(id INTEGER PRIMARY KEY,\n  uid INTEGER REFERENCES users(id) ON DELETE CASCADE, body TEXT);"
  posts.down "DROP TABLE posts;"
  log.up     "CREATE TABLE log(uid INTEGER);\nCREATE TRIGGER users_ai AFTER INSERT ON users BEGIN\n  INSERT INTO log VALUES(new.id);\nEND;"
  log.down   "DROP TRIGGER users_ai;\nDROP TABLE log;"
  tags.up    "BEGIN;\nCREATE TABLE tags(t TEXT);\nINSERT INTO tags VALUES('a');\nCOMMIT;"
  tags.down  "DROP TABLE tags;"
  data.up    "INSERT INTO users VALUES(1, 'ann');\nINSERT INTO posts VALUES(1, 1, 'hi');"
  data.down  "DELETE FROM posts WHERE uid=1;\nDELETE FROM users WHERE id=1;"
  index.up   "CREATE INDEX posts_uid ON posts(uid);"
  index.down "DROP INDEX posts_uid;"
  email.up   "ALTER TABLE users ADD COLUMN email TEXT;"
}
proc fmt_sql {key} { dict get $::fmt_sql $key }
# The up SQL of the steps, in the order given.
proc fmt_ups {args} {
  set res {}
  foreach s $args { lappend res [fmt_sql $s.up] }
  return $res
}

# sha384sum of TEXT, as upper-case hex (sqlx's checksum; the oracle is
# coreutils' sha384sum).
proc fmt_sha384 {text} {
  writefile sha.tmp $text
  set h [lindex [exec sha384sum sha.tmp] 0]
  file delete sha.tmp
  string toupper $h
}

# Flyway's checksum of TEXT: CRC32 of its lines without line ends, as a
# signed 32-bit number (Tcl's zlib crc32).
proc fmt_flyway_crc {text} {
  set t [string map {"\r\n" "\n"} $text]
  if {[string index $t end] eq "\n"} { set t [string range $t 0 end-1] }
  set crc [zlib crc32 [encoding convertto utf-8 [string map {"\n" ""} $t]]]
  if {$crc >= 0x80000000} { set crc [expr {$crc - 0x100000000}] }
  return $crc
}
