# autogen_util.tcl: the round trip every autogenerate case goes through
# (sourced after tester.tcl by autogen_corpus.test and autogen_prop.test).
#
#   ag_roundtrip NAME BEFORE AFTER ROWS
#       BEFORE is created in a fresh test.db and ROWS inserted; then
#       migrate_diff(AFTER) (up and down) must be proven and non-empty;
#       the up/down pair is registered as a migration and run by the real
#       runner (migrate_upgrade / migrate_downgrade); after the upgrade the
#       schema must equal a fresh load of AFTER (migrate_schema_diff
#       against it, attached), the rows of every column both sides define
#       the same way must be unchanged, integrity_check and
#       foreign_key_check clean, and a second diff empty; after the
#       downgrade the schema must equal BEFORE, with those rows again.
#       Each check is one do_test NAME.x; returns the up SQL.
#   ag_load FILE SQL      a database file holding SQL (the reference)
#   ag_kept DB            "table.column" of columns kept unchanged

proc ag_load {file sql} {
  foreach f [glob -nocomplain $file*] { file delete -force $f }
  sqlite3 ag_ref $file
  ag_ref eval {PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY}
  ag_ref eval $sql
  ag_ref close
}

# Column definitions of a database as a dict "table.col" -> definition.
proc ag_columns {dbh} {
  set res {}
  foreach t [$dbh eval {SELECT name FROM sqlite_schema WHERE type='table'
                        AND name NOT LIKE 'sqlite_%'
                        AND name NOT LIKE 'migrate_%'}] {
    $dbh eval "SELECT name, type, \"notnull\", dflt_value, pk, hidden
               FROM pragma_table_xinfo('[string map {' ''} $t]')" r {
      dict set res [string tolower "$t.$r(name)"] \
        [list [string tolower $r(type)] $r(notnull) $r(dflt_value) $r(pk) \
              $r(hidden)]
    }
  }
  return $res
}

# The rows of the columns in KEPT (list of table.col), table by table,
# each table's rows sorted.
proc ag_rows {dbh kept} {
  set byTab {}
  foreach tc $kept {
    lassign [split $tc .] t c
    dict lappend byTab $t $c
  }
  set res {}
  foreach t [lsort [dict keys $byTab]] {
    set cols [lmap c [dict get $byTab $t] {
      format {quote("%s")} [string map {\" \"\"} $c]
    }]
    set sql "SELECT [join $cols ||'|'||] FROM \"[string map {\" \"\"} $t]\""
    lappend res $t [lsort [$dbh eval $sql]]
  }
  return $res
}

# Columns defined the same way before and after: a list of table.col.
proc ag_kept {beforeFile afterFile} {
  sqlite3 ag_a $beforeFile
  sqlite3 ag_b $afterFile
  set a [ag_columns ag_a]
  set b [ag_columns ag_b]
  ag_a close
  ag_b close
  set kept {}
  dict for {k v} $a {
    # generated columns (hidden 2 or 3) hold what their expression says
    if {[lindex $v 4] >= 2} continue
    if {[dict exists $b $k] && [dict get $b $k] eq $v} { lappend kept $k }
  }
  return [lsort $kept]
}

# Result of SCRIPT in the caller, or "ERROR: message".
proc ag_try {script} {
  if {[catch {uplevel 1 $script} res]} { return "ERROR: $res" }
  return $res
}

# do_test on a value already computed.
proc ag_is {name value expected} {
  do_test $name [list lindex $value] $expected
}

proc ag_roundtrip {name before after rows} {
  reset_db
  db eval {PRAGMA synchronous=OFF}
  ag_load ag_before.db $before
  ag_load ag_after.db $after
  set kept [ag_kept ag_before.db ag_after.db]
  db eval $before
  db eval $rows
  set rows0 [ag_rows db $kept]
  set up [ag_try {db one {SELECT migrate_diff($after)}}]
  set down [ag_try {db one {SELECT migrate_diff($after, 'down')}}]
  set notes [ag_try {db one {SELECT migrate_diff($after, 'notes')}}]
  if {$notes ne "" && [info exists ::env(AG_NOTES)]} {
    puts "NOTE $name: $notes"
  }
  if {[string match ERROR:* $up] || [string match ERROR:* $down]
      || $up eq "" || $down eq ""} {
    ag_is $name.diff [list $up $down] {non-empty up and down}
    return
  }
  db eval {INSERT INTO migrations(revision, down_revision, message,
           up_sql, down_sql) VALUES('r1', NULL, $name, $up, $down)}
  ag_is $name.up [ag_try {db one {SELECT migrate_upgrade()}}] 1
  db eval {ATTACH 'ag_after.db' AS ag_ref}
  ag_is $name.schema [ag_try {
    db one {SELECT migrate_schema_diff('main', 'ag_ref')}}] {}
  db eval {DETACH ag_ref}
  ag_is $name.rows [ag_rows db $kept] $rows0
  ag_is $name.check [list [db one {PRAGMA integrity_check}] \
                          [db eval {PRAGMA foreign_key_check}]] {ok {}}
  ag_is $name.again [ag_try {db one {SELECT migrate_diff($after)}}] {}
  ag_is $name.down [ag_try {db one {SELECT migrate_downgrade('base')}}] 1
  db eval {ATTACH 'ag_before.db' AS ag_ref}
  ag_is $name.back [ag_try {
    db one {SELECT migrate_schema_diff('main', 'ag_ref')}}] {}
  db eval {DETACH ag_ref}
  ag_is $name.rowsback [ag_rows db $kept] $rows0
  return $up
}
