# oom.tcl: the out-of-memory loop, sourced by oom_1.test ... oom_N.test
# (N: however many of those files there are), which share the operations
# of tcltest/oom_ops.h out between them so that make -j runs them side by
# side with about the same work each. Every operation runs with the Nth
# allocation failing, then every allocation from the Nth on, for every N
# until the operation completes untouched (tcltest/oom_test, built by
# make check). Each case prints the harness's figures: failure points and
# outcomes.
# Checked by the harness at every point: no crash, no leak, SQLITE_NOMEM
# or a clean error, integrity_check ok, the database and the files beside
# it exactly as before or as after the operation.
source [file join [file dirname [info script]] tester.tcl]
source [file join $::testdir fault.tcl]

# The operations of shard K of N. The work of an operation with C
# allocations is about C * (C + 1200) (C points per pass, each running
# the operation up to its failing allocation; fitted on the harness's
# CPU times): the costliest operation goes to the least loaded shard
# first. The counts come from the harness, so the shares follow the code.
proc oom_shard {k n} {
  set costs {}
  foreach {op calls} [exec $::FAULT_PROG -count oom] {
    lappend costs [list $op [expr {wide($calls) * ($calls + 1200)}]]
  }
  set load [lrepeat $n 0]
  set mine {}
  foreach pair [lsort -integer -decreasing -index 1 $costs] {
    lassign $pair op cost
    set min 0
    for {set j 1} {$j < $n} {incr j} {
      if {[lindex $load $j] < [lindex $load $min]} { set min $j }
    }
    lset load $min [expr {[lindex $load $min] + $cost}]
    if {$min == $k - 1} { lappend mine $op }
  }
  return [lsort $mine]
}

regexp {_(\d+)$} $::testname -> shard
set nshard [llength [glob -directory $::testdir oom_*.test]]
foreach op [oom_shard $shard $nshard] {
  do_test oom-$op [list fault_run oom $op] ok
}
finish_test
