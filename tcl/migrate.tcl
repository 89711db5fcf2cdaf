# migrate.tcl: the Tcl package "migrate", for application test suites.
#
#   package require sqlite3
#   package require migrate
#   sqlite3 db test.db
#   migrate::load db -dir db/migrations    ;# the extension, on this handle
#   migrate::upgrade db head               ;# number of migrations applied
#   migrate::assert_column db users phone  ;# an error unless it exists
#   migrate::stairway db                   ;# {} or the list of problems
#
# Every command takes the name of a handle made by Tcl's sqlite3 command.
# Errors are Tcl errors with the extension's own message. The extension
# is found at $::migrate::library (set by pkgIndex.tcl: the installed
# migrate.so, or the one at the top of a build tree); the environment
# variable MIGRATE_EXTENSION overrides it.

namespace eval ::migrate {
  variable version 1.0
  if {![info exists library]} { variable library migrate }
  namespace export load upgrade downgrade current stairway \
      assert_column assert_no_column assert_table
}

# migrate::load DB ?-dir DIR?: load the extension into handle DB; with
# -dir, read migrations from DIR. Returns DB.
proc ::migrate::load {db args} {
  variable library
  set ext $library
  if {[info exists ::env(MIGRATE_EXTENSION)]} { set ext $::env(MIGRATE_EXTENSION) }
  set dir ""
  foreach {opt val} $args {
    switch -- $opt {
      -dir { set dir $val }
      default { error "migrate::load: unknown option $opt (use -dir DIR)" }
    }
  }
  if {[llength $args] % 2} { error "migrate::load: -dir needs a value" }
  $db enable_load_extension 1
  try {
    $db eval {SELECT load_extension($ext)}
  } finally {
    $db enable_load_extension 0
  }
  if {$dir ne ""} { $db eval {SELECT migrate_dir($dir)} }
  return $db
}

# migrate::upgrade DB ?TARGET?: apply migrations up to TARGET (head).
# Returns the number applied.
proc ::migrate::upgrade {db {target head}} {
  $db eval {SELECT migrate_upgrade($target)}
}

# migrate::downgrade DB TARGET: revert down to TARGET. Returns the number.
proc ::migrate::downgrade {db target} {
  $db eval {SELECT migrate_downgrade($target)}
}

# migrate::current DB: the current revision(s), a list ({} at base).
proc ::migrate::current {db} {
  set cur [$db onecolumn {SELECT migrate_current()}]
  if {$cur eq ""} { return {} }
  split $cur ,
}

# migrate::stairway DB ?TARGET? ?-with-data? ?-strict?: test every
# revision up to TARGET (head) on a scratch copy: upgrade, downgrade,
# upgrade again (.migrate test). Returns {} when all is well, else one
# list element per problem, e.g. "r02 downgrade: index ix_x left behind".
proc ::migrate::stairway {db args} {
  set target ""
  set opts {}
  foreach a $args {
    switch -- $a {
      -with-data { lappend opts with-data }
      -strict { lappend opts strict }
      default {
        if {$target ne "" || [string match -* $a]} {
          error "migrate::stairway: usage: migrate::stairway DB ?TARGET? ?-with-data? ?-strict?"
        }
        set target $a
      }
    }
  }
  if {$target eq ""} { set target head }
  set o [join $opts ,]
  set r [$db onecolumn {SELECT migrate_test($target, $o)}]
  if {$r eq "ok"} { return {} }
  split $r \n
}

# migrate::assert_column DB TABLE COLUMN: an error unless TABLE has
# COLUMN. Returns 1.
proc ::migrate::assert_column {db table column} {
  if {![$db onecolumn {SELECT column_exists($table, $column)}]} {
    error "expected column $table.$column, but there is none"
  }
  return 1
}

# migrate::assert_no_column DB TABLE COLUMN: an error if TABLE has COLUMN.
proc ::migrate::assert_no_column {db table column} {
  if {[$db onecolumn {SELECT column_exists($table, $column)}]} {
    error "expected no column $table.$column, but there is one"
  }
  return 1
}

# migrate::assert_table DB TABLE: an error unless table TABLE exists.
proc ::migrate::assert_table {db table} {
  if {![$db onecolumn {SELECT has_table($table)}]} {
    error "expected table $table, but there is none"
  }
  return 1
}

package provide migrate $::migrate::version
