# fleet_util.tcl: helpers for the fleet tests (sourced after tester.tcl and
# engine_util.tcl).
#
#   fleet_scripts            migrations/: r1 users, r2 adds a column, r3 a
#                            UNIQUE index on email, r4 an audit table
#   fleet_make N ?REV?       tenants t/t1.db .. t/tN.db at REV (r1)
#   fleet_rev FILE           migrate_version of FILE, read by plain SQLite
#   fleet_hashes GLOB        {file md5 ...} of the files matching GLOB
#   fleet_changed H1 H2      the files whose hash differs between H1 and H2
#   fleet_report FILE        the JSON report parsed by python3's json module,
#                            as {path status before after error} per object
#   fleet_run ARGS...        run ".migrate fleet ARGS" in the shell; the
#                            time in the summary line reads "T s"

proc fleet_scripts {} {
  file delete -force migrations
  file mkdir migrations
  mig_file r1_users.sql r1 "" \
    "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);" \
    "DROP TABLE users;"
  mig_file r2_name.sql r2 r1 "ALTER TABLE users ADD COLUMN name TEXT;" \
    "ALTER TABLE users DROP COLUMN name;"
  mig_file r3_unique.sql r3 r2 \
    "CREATE UNIQUE INDEX users_email ON users(email);" \
    "DROP INDEX users_email;"
  mig_file r4_audit.sql r4 r3 \
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, what TEXT);" \
    "DROP TABLE audit;"
}

proc fleet_make {n {rev r1}} {
  file delete -force t
  file mkdir t
  set r [run_shell t/t1.db [list ".migrate upgrade $rev"]]
  if {[lindex $r 0] != 0} { error "fleet_make: $r" }
  sqlite3 fm t/t1.db
  fm eval {INSERT INTO users(email) VALUES('a@x'), ('b@x')}
  fm close
  for {set i 2} {$i <= $n} {incr i} { file copy t/t1.db t/t$i.db }
}

proc fleet_rev {file} {
  sqlite3 fr $file
  set r [fr eval {SELECT group_concat(version_num) FROM migrate_version}]
  fr close
  return $r
}

proc fleet_hashes {pattern} {
  set res {}
  foreach f [lsort -dictionary [glob -nocomplain $pattern]] {
    lappend res $f [lindex [exec md5sum $f] 0]
  }
  return $res
}

proc fleet_changed {h1 h2} {
  set res {}
  foreach {f h} $h2 {
    if {![dict exists $h1 $f] || [dict get $h1 $f] ne $h} { lappend res $f }
  }
  return $res
}

proc fleet_report {file} {
  set py {
import json, sys
for o in json.load(open(sys.argv[1])):
    assert set(o) == {"path", "before", "after", "status", "error",
                      "seconds"}, o
    assert isinstance(o["seconds"], (int, float)), o
    e = o["error"] or ""
    print("{%s} %s {%s} {%s} {%s}" % (o["path"], o["status"],
          o["before"] or "", o["after"] or "", e.replace(chr(123), "(")))
  }
  split [exec python3 -c $py $file] \n
}

proc fleet_run {args} {
  set r [run_shell :memory: [list [join [concat .migrate fleet $args]]]]
  regsub -all {in [0-9.]+ s} $r {in T s} r
  return $r
}
