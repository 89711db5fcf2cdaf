# crash.tcl: helpers for tcltest/crash.test (and make check-long): kill -9
# a sqlite3-migrate process at spread-out moments of an upgrade that
# rewrites a big table, of a backup and of a restore, and check what it
# leaves. Source after tester.tcl.
#
#   crash_setup MODE        crash.db at revision 0001 (NROWS rows) in
#                           journal MODE, saved as pristine.db
#   crash_trials WHAT N     N kills during WHAT (upgrade, backup or
#                           restore); returns the outcome counts

set ::NROWS 200000

# Migrations: 0001 makes the big table, 0002 rewrites it (the alter
# engine's rebuild: SET NOT NULL and a type change are not native).
proc crash_migrations {} {
  file delete -force migrations
  writefile migrations/0001_big.sql "-- migrate:up
CREATE TABLE big(id INTEGER PRIMARY KEY, v TEXT, legacy INT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<$::NROWS)
INSERT INTO big SELECT i, printf('row %d', i), i%7 FROM c;
CREATE INDEX big_v ON big(v);
-- migrate:down
DROP TABLE big;
"
  writefile migrations/0002_rewrite.sql {-- migrate:up
ALTER TABLE big ALTER COLUMN v SET NOT NULL;
ALTER TABLE big ALTER COLUMN legacy TYPE TEXT;
-- migrate:down
ALTER TABLE big ALTER COLUMN legacy TYPE INT;
ALTER TABLE big ALTER COLUMN v DROP NOT NULL;
}
}

proc crash_clean {} {
  foreach f [glob -nocomplain crash.db* bk.db* bk.*tmp* .bk* restore.db*] {
    file delete -force $f
  }
}

proc crash_setup {mode} {
  crash_clean
  crash_migrations
  sqlite3 s crash.db
  s eval "PRAGMA journal_mode=$mode"
  s close
  run_shell crash.db [list {.migrate upgrade 0001}]
  file copy -force crash.db pristine.db
}

# Content summary of crash.db: {revision schema-of-big rows checksums
# other-tables integrity}. Opened with the extension, as a user would.
proc crash_state {{file crash.db}} {
  sqlite3_mig c $file
  set ok [c eval {PRAGMA integrity_check}]
  set rev [c eval {SELECT version_num FROM migrate_version}]
  set sql [c eval {SELECT sql FROM sqlite_schema WHERE name='big'}]
  set sums [c eval {SELECT count(*), sum(id), sum(length(v)),
                           sum(CAST(legacy AS INT)) FROM big}]
  set other [c eval {SELECT name FROM sqlite_schema WHERE type='table'
      AND name NOT IN ('big','migrate_version','migrate_history')
      ORDER BY name}]
  c close
  return [list $rev $sql $sums $other $ok]
}

# Run the shell with ARGS on crash.db; kill -9 it after MS milliseconds
# unless it finished (closed its output) by then. Returns 1 if killed.
proc crash_run_kill {ms args} {
  set ch [open [list | $::MIGRATE_SHELL -batch crash.db {*}$args 2>@1] r]
  fconfigure $ch -blocking 0
  after $ms
  read $ch
  read $ch                    ;# the first read may stop short of EOF
  set killed [expr {![eof $ch]}]
  if {$killed} { catch {exec kill -9 [pid $ch]} }
  fconfigure $ch -blocking 1
  catch {close $ch}
  return $killed
}

# The moment of kill I of N: spread evenly over 1.5 times the length T of
# an undisturbed run (a run under kill trials is slower than the one
# timed), so that the last few let the process finish.
proc crash_moment {t i n} {
  return [expr {int($t * 1.5 * $i / $n)}]
}

# How long an undisturbed run of ARGS takes, in ms, from pristine.db.
proc crash_time {args} {
  file copy -force pristine.db crash.db
  set t [clock milliseconds]
  exec $::MIGRATE_SHELL -batch crash.db {*}$args
  return [expr {[clock milliseconds] - $t}]
}

# Kill N runs of the shell command CMD on copies of pristine.db, at
# moments spread over the length of an undisturbed run; after each, the
# state of crash.db must be OLD or NEW. Returns the outcome counts.
proc crash_states {n cmd old new} {
  set t [crash_time $cmd]
  array set out {old 0 new 0 finished 0 bad 0}
  for {set i 0} {$i < $n} {incr i} {
    foreach f [glob -nocomplain crash.db*] { file delete $f }
    file copy -force pristine.db crash.db
    if {![crash_run_kill [crash_moment $t $i $n] $cmd]} { incr out(finished) }
    set s [crash_state]
    if {$s eq $old} { incr out(old)
    } elseif {$s eq $new} { incr out(new)
    } else { incr out(bad); puts "   trial $i: $s" }
  }
  return [array get out]
}

# Upgrades: "old" is revision 0001 with the old schema and every row,
# "new" revision 0002 with the new schema and every row.
proc crash_upgrade {n} {
  set old [crash_state pristine.db]
  file copy -force pristine.db crash.db
  run_shell crash.db [list {.migrate upgrade}]
  return [crash_states $n {.migrate upgrade} $old [crash_state]]
}

# Kill N backups to bk.db.gz (an older backup is there). Outcomes: the
# old file untouched ("old") or a complete backup equal to the database
# ("new"); the database itself must be unchanged either way.
proc crash_backup {n} {
  set state [crash_state pristine.db]
  file copy -force pristine.db crash.db
  set t [crash_time {.migrate backup bk.db.gz}]
  array set out {old 0 new 0 finished 0 bad 0}
  for {set i 0} {$i < $n} {incr i} {
    crash_clean
    file copy -force pristine.db crash.db
    writefile bk.db.gz "an older backup"
    if {![crash_run_kill [crash_moment $t $i $n] {.migrate backup bk.db.gz}]} {
      incr out(finished)
    }
    set db [crash_state]
    set bk [readfile bk.db.gz]
    if {$db ne $state} {
      incr out(bad); puts "   trial $i: database changed: $db"
    } elseif {$bk eq "an older backup"} {
      incr out(old)
    } else {
      exec gzip -dc bk.db.gz > bk.db
      if {[crash_state bk.db] eq $state} { incr out(new)
      } else { incr out(bad); puts "   trial $i: bad backup" }
    }
  }
  return [array get out]
}

# Restores of bk.db (the 0002 state) over the 0001 database: wholly the
# old database or wholly the backup.
proc crash_restore {n} {
  set old [crash_state pristine.db]
  file copy -force pristine.db crash.db
  run_shell crash.db [list {.migrate upgrade}]
  run_shell crash.db [list {.migrate backup bk.db}]
  file copy -force bk.db restore.db
  return [crash_states $n {.migrate restore restore.db} $old [crash_state]]
}

# N trials of WHAT; returns "bad 0" when every outcome was acceptable and
# prints the outcome counts (the figures of docs/reliability.md).
proc crash_trials {what mode n} {
  crash_setup $mode
  set r [crash_$what $n]
  puts "   crash $what ($mode): $n kills: $r"
  return [list bad [dict get $r bad]]
}
