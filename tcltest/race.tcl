# race.tcl: helpers for tcltest/concurrency.test and its pending variant:
# concurrent ".migrate upgrade" runs of sqlite3-migrate on one database.
# Source after tester.tcl.
#
#   write_migrations          migrations/ with a log table and five more
#   run_parallel N DB ARGS..  N shells at once; {exitcode output} each
#   upgrade_round MODE TIMEOUT
#                             fresh race.db in journal MODE, 8 concurrent
#                             upgrades (with ".timeout 30000" if TIMEOUT);
#                             returns a summary of what happened

# Migrations: a log table, then five that each create a table and log
# themselves; one is slow (300,000 rows) so that the runners overlap.
proc write_migrations {} {
  file delete -force migrations
  writefile migrations/0000_log.sql \
    "-- migrate:up\nCREATE TABLE log(rev, pid);\n-- migrate:down\n\
     DROP TABLE log;\n"
  foreach i {1 2 3 4 5} {
    set body "CREATE TABLE t$i\(x);\nINSERT INTO log(rev) VALUES($i);\n"
    if {$i == 3} {
      append body "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1\
        FROM c WHERE n<300000) INSERT INTO t3 SELECT n FROM c;\n"
    }
    writefile migrations/000${i}_m$i.sql \
      "-- migrate:up\n$body-- migrate:down\nDROP TABLE t$i;\n"
  }
}

# Start N shells on DB with ARGS at once; wait for all. Returns a list of
# {exitcode output} per process.
proc run_parallel {n db args} {
  set chans {}
  for {set i 0} {$i < $n} {incr i} {
    lappend chans [open [list | timeout -s KILL 120 $::MIGRATE_SHELL \
        -batch $db {*}$args 2>@1] r]
  }
  set res {}
  foreach ch $chans {
    set out [read $ch]
    set code 0
    if {[catch {close $ch}]} {
      set code [lindex $::errorCode 2]
      if {[lindex $::errorCode 0] ne "CHILDSTATUS"} { set code -1 }
    }
    lappend res [list $code [string trim $out]]
  }
  return $res
}

# One round: fresh database in MODE, 8 concurrent upgrades. Returns a
# summary that is the same in every passing round.
proc upgrade_round {mode timeout} {
  foreach f [glob -nocomplain race.db*] { file delete $f }
  sqlite3 r race.db
  r eval "PRAGMA journal_mode=$mode"
  r close
  set args [list {.migrate upgrade}]
  if {$timeout} { set args [list ".timeout 30000" {.migrate upgrade}] }
  set nFail 0
  set nRun 0
  foreach r [run_parallel 8 race.db {*}$args] {
    lassign $r code out
    if {$code != 0} { incr nFail; puts "   exit $code: $out" }
    incr nRun [regexp -all -line {^Running upgrade} $out]
  }
  sqlite3 r race.db
  set log [r eval {SELECT rev, count(*) FROM log GROUP BY rev ORDER BY rev}]
  set cur [r eval {SELECT version_num FROM migrate_version}]
  set hist [r eval {SELECT count(*) FROM migrate_history}]
  set ok [r eval {PRAGMA integrity_check}]
  set n3 [r eval {SELECT count(*) FROM t3}]
  r close
  return [list failed $nFail ran $nRun log $log current $cur history $hist \
              integrity $ok t3 $n3]
}
