# engine_util.tcl: helpers for the engine's tests (sourced after tester.tcl).
#
#   mig_file FILE ID REVISES UP ?DOWN? ?HEADER?
#       write migrations/FILE with a header (message = FILE) and sections;
#       DOWN "-" leaves the down section out; HEADER adds header lines
#   mig_chain N          revisions r01..rNN, each creating table tNN
#   mig_reset            fresh test.db and an empty migrations/ directory

proc mig_file {file id revises up {down ""} {header ""}} {
  set t "-- $file\n--\n"
  if {$id ne ""} { append t "-- Revision ID: $id\n" }
  if {$revises ne "-"} { append t "-- Revises: $revises\n" }
  append t $header
  append t "\n-- migrate:up\n$up\n"
  if {$down ne "-"} { append t "-- migrate:down\n$down\n" }
  writefile migrations/$file $t
}

proc mig_chain {n} {
  set prev ""
  for {set i 1} {$i <= $n} {incr i} {
    set id [format r%02d $i]
    mig_file ${id}_t.sql $id $prev "CREATE TABLE t${id}(x);" \
      "DROP TABLE t${id};"
    set prev $id
  }
}

proc mig_reset {} {
  reset_db
  file delete -force migrations
  file mkdir migrations
}

# The names of the tables of [db] that are not bookkeeping, sorted.
proc user_tables {} {
  db eval {SELECT name FROM sqlite_schema WHERE type='table'
           AND name NOT LIKE 'migrate_%' ORDER BY name}
}

# Run SQL, expect error EXPECTED, and check that db_state is unchanged.
proc do_refused_test {name sql expected} {
  set ::refused_before [db_state]
  do_catchsql_test $name.a $sql [list 1 $expected]
  do_test $name.b {expr {[db_state] eq $::refused_before}} 1
}
