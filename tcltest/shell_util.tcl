# shell_util.tcl: running sqlite3-migrate as users do (sourced after
# tester.tcl), for the tests of everyday use.
#
#   run_merged DB CMDS ?ENV?   {exitcode output}: stdout and stderr on one
#                              pipe (2>&1, as every CI log), in order
#   run_env ENV DB ARGS        run_shell with environment variables set
#                              (ENV: a dict of NAME VALUE)
#   run_pty DB DIALOGUE ?ARGS? {exitcode output}: the shell on a
#                              pseudo-terminal (util-linux script), the
#                              user's answers typed when prompted

# Apply dict ENV to ::env for the length of SCRIPT, then restore it.
proc with_env {envd script} {
  set saved {}
  dict for {k v} $envd {
    if {[info exists ::env($k)]} { lappend saved $k $::env($k) } else { lappend saved $k {} }
    set ::env($k) $v
  }
  set rc [catch {uplevel 1 $script} res opts]
  foreach {k v} $saved {
    if {$v eq ""} { unset -nocomplain ::env($k) } else { set ::env($k) $v }
  }
  return -options $opts $res
}

proc run_merged {db cmds {envd {}}} {
  set out [file join $::workdir shell.out]
  with_env $envd {
    set code 0
    if {[catch {exec $::MIGRATE_SHELL -batch $db {*}$cmds </dev/null >& $out}]} {
      set code [lindex $::errorCode 2]
      if {[lindex $::errorCode 0] ne "CHILDSTATUS"} { set code -1 }
    }
  }
  return [list $code [string trimright [readfile $out]]]
}

proc run_env {envd db args} {
  with_env $envd { set r [run_shell $db $args] }
  return $r
}

# The shell on a terminal: "script" gives it a pseudo-terminal as stdin
# and stdout, so it runs interactive (prompts, confirmations). DIALOGUE
# is a list of pairs {WAIT TYPE}: wait until the output so far contains
# WAIT (10 s at most), then type TYPE. After the last pair, ".quit" is
# typed. Returns {exitcode output} with \r and terminal escapes removed.
proc run_pty {db dialogue {args {}}} {
  set cmd [join [lmap w [list $::MIGRATE_SHELL $db {*}$args] {shell_quote $w}] " "]
  set f [open [list | script -qefc $cmd /dev/null 2>@1] r+]
  fconfigure $f -blocking 0 -buffering none -translation binary
  set out ""
  set shown ""
  foreach {wait type} [concat $dialogue [list "sqlite> " ".quit\n"]] {
    set t0 [clock milliseconds]
    while {[string first $wait [pty_clean $out]] < 0} {
      if {[clock milliseconds]-$t0 > 10000} { break }
      append out [read $f]
      after 20
    }
    # What is typed once WAIT showed up; later waits look past it.
    set out [pty_clean $out]
    set mark [expr {[string first $wait $out]+[string length $wait]}]
    set done [string range $out 0 [expr {$mark-1}]]
    set out [string range $out $mark end]
    append shown $done
    puts -nonewline $f $type
  }
  fconfigure $f -blocking 1
  append out [read $f]
  append shown [pty_clean $out]
  set code 0
  if {[catch {close $f}]} {
    set code [lindex $::errorCode 2]
    if {[lindex $::errorCode 0] ne "CHILDSTATUS"} { set code -1 }
  }
  return [list $code $shown]
}

# Output of a terminal without \r and bracketed-paste escapes.
proc pty_clean {s} {
  regsub -all {\x1b\[\?2004[hl]} [string map [list "\r" ""] $s] {} s
  return $s
}

# Quote one word for sh -c.
proc shell_quote {w} {
  return "'[string map [list ' '\\''] $w]'"
}
