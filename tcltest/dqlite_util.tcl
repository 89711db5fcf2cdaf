# dqlite_util.tcl: a real dqlite cluster on loopback for the tests (sourced
# after tester.tcl). Nodes are go-dqlite's dqlite-demo (a dqlite node with
# a small HTTP API); the go-dqlite "dqlite" shell is the independent
# reader. Every wait is bounded; only the nodes started here are killed,
# and they are killed when the test exits however it exits (a wrapped
# [exit], and a watchdog process that outlives a crashed tclsh).
#
#   dq_require               SKIP the rest of the file (and say so) unless
#                            dqlite-demo and dqlite are installed
#   dq_cluster_start N       start N nodes on 127.0.0.1 (free ports), each
#                            in its own dir under dqlite/, joined into one
#                            cluster; waits (30 s at most) until .cluster
#                            lists all N, 3 of them voters (1 when N<3:
#                            go-dqlite's app then keeps one); returns
#                            the database addresses "A1,A2,..."
#   dq_cluster_addrs         the addresses of the nodes running (and not
#                            paused)
#   dq_cluster_leader ?MS?   the leader's address (waits MS, default 30000,
#                            for one that is a running node), asked of the
#                            nodes in dq_cluster_addrs
#   dq_wait_leader OLD ?MS?  wait for a running leader other than OLD
#   dq_node_kill ADDR        kill -9 the node at ADDR (one started here)
#   dq_node_alive ADDR       1 while the node at ADDR runs
#   dq_node_pause ADDR       SIGSTOP the node (it stops answering: the
#   dq_node_resume ADDR      others elect a leader), SIGCONT it again
#   dq_cluster_stop          kill every node started here (idempotent)
#   dq_sql ADDR DB SQL ?-json?
#                            run SQL through the dqlite shell (which reads
#                            and writes through the leader); SQL goes as
#                            one input line, i.e. one transaction, its
#                            newlines made blanks. Returns the output
#                            lines ("a|b" per row, NULL as <nil>, blobs as
#                            [1 2 3]) joined by newlines; an "Error: ..."
#                            line raises a Tcl error with its text.
#                            dqlite 1.11's shell formats only dot-commands
#                            (.cluster) as JSON under -json.

set ::dq(nodes) {}        ;# {addr pid api dir} per node started
set ::dq(dir) [file join $::workdir dqlite]
set ::dq(watchdog) ""

proc dq_require {} {
  foreach prog {dqlite-demo dqlite} {
    if {[auto_execok $prog] eq ""} {
      puts "SKIP $::testname: $prog not installed (apt-get install go-dqlite)"
      incr ::nSkip
      finish_test
    }
  }
}

# A TCP port on 127.0.0.1 that nothing listens on and this file has not
# handed out yet.
proc dq_free_port {} {
  for {set i 0} {$i < 200} {incr i} {
    set p [expr {20000 + int(rand() * 40000)}]
    if {[info exists ::dq(port,$p)]} continue
    if {[catch {socket -server dq_noop -myaddr 127.0.0.1 $p} s]} continue
    close $s
    set ::dq(port,$p) 1
    return $p
  }
  error "dq_free_port: no free port found"
}
proc dq_noop {args} {}

# Output lines of the dqlite shell fed INPUT (one command per line),
# prompts stripped; a shell that hangs is stopped after SEC seconds.
proc dq_shell {addrs db input {opts {}} {sec 20}} {
  set rc [catch {exec timeout $sec dqlite -s $addrs {*}$opts $db \
                   << "$input\n" 2>@1} out]
  if {$rc && [lindex $::errorCode 0] eq "CHILDSTATUS"
      && [lindex $::errorCode 2] == 124} {
    error "dqlite shell on $addrs timed out"
  }
  set res {}
  foreach line [split $out \n] {
    regsub {^(dqlite> )+} $line {} line
    if {$line ne ""} { lappend res $line }
  }
  return $res
}

proc dq_sql {addr db sql args} {
  set opts {}
  if {$args eq "-json"} { set opts {-f json} }
  set lines [dq_shell $addr $db [string map {\n " " \r " "} $sql] $opts]
  foreach line $lines {
    if {[regexp {^Error: +(.*)$} $line -> msg]} { error $msg }
  }
  return [join $lines \n]
}

# Start one node: database port PDB, API port PAPI, joining JOIN (an
# address, or ""). Returns its pid.
proc dq_node_spawn {i pdb papi join} {
  set dir [file join $::dq(dir) n$i]
  file mkdir $dir
  set cmd [list dqlite-demo -a 127.0.0.1:$papi -d 127.0.0.1:$pdb -D $dir]
  if {$join ne ""} { lappend cmd -j $join }
  set pid [exec {*}$cmd </dev/null >>[file join $::dq(dir) n$i.log] 2>@1 &]
  lappend ::dq(nodes) [list 127.0.0.1:$pdb $pid 127.0.0.1:$papi $dir]
  dq_pidfile
  return $pid
}

# Rewrite the file of pids the watchdog kills when tclsh goes away.
proc dq_pidfile {} {
  set pids {}
  foreach n $::dq(nodes) { lappend pids [lindex $n 1] }
  writefile [file join $::dq(dir) pids] "[join $pids \n]\n"
}

# Start the watchdog (once): when this tclsh has gone, it kill -9s the
# pids listed in the pid file that are still dqlite-demo processes.
proc dq_watchdog {} {
  if {$::dq(watchdog) ne ""} return
  set sh {
    while kill -0 "$1" 2>/dev/null; do sleep 1; done
    for p in $(cat "$2" 2>/dev/null); do
      grep -q dqlite-demo "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p"
    done
  }
  set ::dq(watchdog) [exec sh -c $sh dq_watchdog [pid] \
      [file join $::dq(dir) pids] </dev/null >/dev/null 2>@1 &]
  if {[info commands ::dq_exit_orig] eq ""} {
    rename ::exit ::dq_exit_orig
    proc ::exit {{code 0}} {
      catch dq_cluster_stop
      ::dq_exit_orig $code
    }
  }
}

proc dq_node_alive {addr} {
  foreach n $::dq(nodes) {
    if {[lindex $n 0] eq $addr} {
      set pid [lindex $n 1]
      if {[catch {readfile /proc/$pid/cmdline} c]} { return 0 }
      return [string match *dqlite-demo* $c]
    }
  }
  return 0
}

proc dq_cluster_addrs {} {
  set res {}
  foreach n $::dq(nodes) {
    set a [lindex $n 0]
    if {[dq_node_alive $a] && ![info exists ::dq(paused,$a)]} {
      lappend res $a
    }
  }
  return [join $res ,]
}

# The last lines of node I's log, for error messages.
proc dq_node_log {i} {
  set f [file join $::dq(dir) n$i.log]
  if {[catch {readfile $f} d]} { return "" }
  return [join [lrange [split [string trim $d] \n] end-5 end] "\n  "]
}

proc dq_cluster_start {n} {
  dq_require
  file mkdir $::dq(dir)
  dq_watchdog
  set first ""
  for {set i 1} {$i <= $n} {incr i} {
    set pdb [dq_free_port]
    dq_node_spawn $i $pdb [dq_free_port] $first
    if {$first eq ""} {
      set first 127.0.0.1:$pdb
      # The first node must lead before the others can join it.
      if {[catch {dq_cluster_leader 15000} l] || $l ne $first} {
        dq_cluster_stop
        error "dq_cluster_start: node 1 ($first) did not start: $l\n  [dq_node_log 1]"
      }
    }
  }
  # go-dqlite's app promotes nodes to voters three at a time: fewer than
  # three nodes stay one voter and spares.
  set want [expr {$n < 3 ? 1 : 3}]
  set end [expr {[clock milliseconds] + 30000}]
  while {[clock milliseconds] < $end} {
    set nVoter 0
    set lines {}
    catch {set lines [dq_shell [dq_cluster_addrs] dq_probe .cluster]}
    foreach line $lines {
      if {[string match *|voter $line]} { incr nVoter }
    }
    if {[llength $lines] == $n && $nVoter == $want} {
      return [dq_cluster_addrs]
    }
    after 250
  }
  set logs ""
  for {set i 1} {$i <= $n} {incr i} { append logs "\n  n$i: [dq_node_log $i]" }
  dq_cluster_stop
  error "dq_cluster_start: $n nodes not joined within 30 s (.cluster: $lines)$logs"
}

proc dq_cluster_leader {{ms 30000}} {
  dq_wait_leader "" $ms
}

proc dq_wait_leader {old {ms 30000}} {
  set end [expr {[clock milliseconds] + $ms}]
  set l ""
  while {1} {
    set addrs [dq_cluster_addrs]
    if {$addrs ne ""} {
      # The shell waits long on a leader that does not answer (one that
      # is paused, or whose followers still name it): probe briefly.
      catch {set l [lindex [dq_shell $addrs dq_probe .leader {} 3] 0]}
      if {$l ne "" && $l ne $old && [dq_node_alive $l]} { return $l }
    }
    if {[clock milliseconds] >= $end} break
    after 200
  }
  error "no dqlite leader (other than '$old') within $ms ms (last: '$l')"
}

proc dq_node_kill {addr} {
  foreach n $::dq(nodes) {
    if {[lindex $n 0] eq $addr} {
      if {[dq_node_alive $addr]} {
        exec kill -9 [lindex $n 1]
        # Wait (bounded) until it is gone, so its port stops answering.
        set end [expr {[clock milliseconds] + 5000}]
        while {[dq_node_alive $addr] && [clock milliseconds] < $end} {
          after 50
        }
      }
      return
    }
  }
  error "dq_node_kill: $addr is not a node started by this test"
}

# The pid of node ADDR (one started here and running).
proc dq_node_pid {addr} {
  foreach n $::dq(nodes) {
    if {[lindex $n 0] eq $addr && [dq_node_alive $addr]} {
      return [lindex $n 1]
    }
  }
  error "$addr is not a running node started by this test"
}
proc dq_node_pause {addr} {
  exec kill -STOP [dq_node_pid $addr]
  set ::dq(paused,$addr) 1
}
proc dq_node_resume {addr} {
  exec kill -CONT [dq_node_pid $addr]
  unset -nocomplain ::dq(paused,$addr)
}

proc dq_cluster_stop {} {
  foreach n $::dq(nodes) {
    if {[dq_node_alive [lindex $n 0]]} {
      catch {exec kill -9 [lindex $n 1]}
    }
  }
  set ::dq(nodes) {}
  catch {dq_pidfile}
  if {$::dq(watchdog) ne ""} {
    catch {exec kill $::dq(watchdog)}
    set ::dq(watchdog) ""
  }
}
