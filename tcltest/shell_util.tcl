# shell_util.tcl: running sqlite3-migrate as users do (sourced after
# tester.tcl), for the tests of everyday use.
#
#   run_merged DB CMDS ?ENV?   {exitcode output}: stdout and stderr on one
#                              pipe (2>&1, as every CI log), in order
#   run_env ENV DB ARGS        run_shell with environment variables set
#                              (ENV: a dict of NAME VALUE)
#   run_pty DB INPUT ?ARGS?    {exitcode output}: the shell on a
#                              pseudo-terminal (util-linux script), INPUT
#                              typed in; output with \r removed

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
# and stdout, so it runs interactive (prompts, confirmations). INPUT is
# what the user types; the terminal echoes it back.
proc run_pty {db input {args {}}} {
  set in [file join $::workdir pty.in]
  set out [file join $::workdir pty.out]
  writefile $in $input
  set cmd [list $::MIGRATE_SHELL $db {*}$args]
  set code 0
  if {[catch {exec script -qefc [join [lmap w $cmd {shell_quote $w}] " "] \
                /dev/null <$in >$out 2>@1}]} {
    set code [lindex $::errorCode 2]
    if {[lindex $::errorCode 0] ne "CHILDSTATUS"} { set code -1 }
  }
  return [list $code [string map [list "\r" ""] [readfile $out]]]
}

# Quote one word for sh -c.
proc shell_quote {w} {
  return "'[string map [list ' '\\''] $w]'"
}
