# tester.tcl: a small test harness in the shape of SQLite's own tester.tcl
# (which needs SQLite's testfixture), for tclsh with Debian's sqlite3 Tcl
# package. Each *.test file sources this, runs numbered cases, and calls
# finish_test, which reports "## counts PASSED FAILED" to all.tcl.
#
#   do_test NAME SCRIPT EXPECTED        result of SCRIPT equals EXPECTED
#   do_execsql_test NAME SQL EXPECTED   rows of SQL on [db] equal EXPECTED
#   do_catchsql_test NAME SQL EXPECTED  {0 rows} or {1 "exact error text"}
#   do_shell_test NAME DB ARGS EXPECTED {exitcode stdout stderr} of the shell
#
# Environment: MIGRATE_BUILD (where migrate.so and sqlite3-migrate are)
# and MIGRATE_SRC (the source tree); both default to the tree above here.

package require sqlite3

set ::testdir [file dirname [file normalize [info script]]]
set ::MIGRATE_SRC [expr {[info exists env(MIGRATE_SRC)] ? $env(MIGRATE_SRC)
                         : [file dirname $::testdir]}]
set ::MIGRATE_BUILD [expr {[info exists env(MIGRATE_BUILD)] ? $env(MIGRATE_BUILD)
                           : $::MIGRATE_SRC}]
# A developer's MIGRATE_DIR must not redirect the tests' directories.
unset -nocomplain env(MIGRATE_DIR)
set ::MIGRATE_SO [file join $::MIGRATE_BUILD migrate]
set ::MIGRATE_SHELL [file join $::MIGRATE_BUILD sqlite3-migrate]
set ::nPass 0
set ::nFail 0
set ::nSkip 0

# Each test file works in a fresh directory of its own, tcltest/testdir/NAME.
set ::testname [file rootname [file tail $::argv0]]
if {[info exists ::argv] && [llength $::argv]} { set ::testname [lindex $::argv 0] }
set ::workdir [file join $::MIGRATE_BUILD tcltest testdir $::testname]
file delete -force $::workdir
file mkdir $::workdir
cd $::workdir

# Open connection NAME on FILE with the extension loaded.
proc sqlite3_mig {name file} {
  sqlite3 $name $file
  $name enable_load_extension 1
  $name eval {SELECT load_extension($::MIGRATE_SO)}
  $name enable_load_extension 0
  return $name
}

# Close db, delete test.db and reopen it with the extension as [db].
proc reset_db {} {
  catch {db close}
  foreach f [glob -nocomplain test.db*] { file delete -force $f }
  sqlite3_mig db test.db
}

proc do_test {name script expected} {
  if {[catch {uplevel #0 $script} result opts]} {
    set result "ERROR: $result"
  }
  if {$result eq $expected} {
    incr ::nPass
  } else {
    incr ::nFail
    puts "! $::testname $name"
    puts "!   expected: \[$expected\]"
    puts "!   got:      \[$result\]"
  }
}

proc do_execsql_test {name sql expected} {
  do_test $name [list db eval $sql] [lrange $expected 0 end]
}

proc do_catchsql_test {name sql expected} {
  do_test $name [list catch_sql db $sql] $expected
}

# {0 ROWS} on success, {1 MESSAGE} on error.
proc catch_sql {db sql} {
  set rc [catch {$db eval $sql} res]
  return [list $rc $res]
}

# Run the patched shell on DB with ARGS (a list: one element per shell
# argument, e.g. [list {.migrate dir}]); STDIN is fed to it.
# Returns {exitcode stdout stderr} with trailing newlines trimmed.
proc run_shell {db args {stdin ""}} {
  set out [file join $::workdir shell.out]
  set err [file join $::workdir shell.err]
  set in  [file join $::workdir shell.in]
  set f [open $in w]; puts -nonewline $f $stdin; close $f
  set code 0
  if {[catch {exec $::MIGRATE_SHELL -batch $db {*}$args <$in >$out 2>$err}]} {
    set code [lindex $::errorCode 2]
    if {[lindex $::errorCode 0] ne "CHILDSTATUS"} { set code -1 }
  }
  return [list $code [string trimright [readfile $out]] \
                     [string trimright [readfile $err]]]
}

proc do_shell_test {name db args expected {stdin ""}} {
  do_test $name [list run_shell $db $args $stdin] $expected
}

proc readfile {path} {
  set f [open $path rb]; set d [read $f]; close $f; return $d
}
proc writefile {path data} {
  file mkdir [file dirname $path]
  set f [open $path wb]; puts -nonewline $f $data; close $f
}

# A dump of a database's schema and every row, for before/after checks.
proc db_state {{db db}} {
  set res {}
  $db eval {SELECT type, name, tbl_name, sql FROM sqlite_schema
            ORDER BY type, name} r {
    lappend res $r(type) $r(name) $r(sql)
    if {$r(type) eq "table" && ![string match sqlite_* $r(name)]
        && ![string match "CREATE VIRTUAL*" $r(sql)]} {
      lappend res [$db eval "SELECT * FROM \"[string map {\" \"\"} $r(name)]\""]
    }
  }
  return $res
}

# Skip the rest of a file unless the shell was built.
proc require_shell {} {
  if {![file executable $::MIGRATE_SHELL]} {
    puts "-- $::testname: sqlite3-migrate not built, shell tests skipped"
    incr ::nSkip
    finish_test
  }
}

# Report the counts and exit: status 1 when a case failed (automake's
# harness reads the status, tools/test-summary.sh the counts).
proc finish_test {} {
  catch {db close}
  puts "## counts $::nPass $::nFail"
  exit [expr {$::nFail ? 1 : 0}]
}
