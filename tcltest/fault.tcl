# fault.tcl: helpers for the tests that drive tcltest/oom_test (the fault
# injection harness built by make check): oom_*.test, ioerr.test and the
# tests under tcltest/pending/. Source after tester.tcl.
#
#   fault_ops MODE ?-pending? operation names the harness runs in MODE
#   fault_run MODE OP ?-pending?
#                             run MODE (oom or ioerr) on OP; prints the
#                             harness's figures line, returns "ok" or the
#                             harness's complaints

set ::FAULT_PROG [file join $::MIGRATE_BUILD tcltest oom_test]

proc fault_ops {mode args} {
  return [exec $::FAULT_PROG {*}$args -list $mode]
}

proc fault_run {mode op args} {
  set rc [catch {exec $::FAULT_PROG {*}$args $mode $op} out]
  foreach line [split $out \n] {
    if {[string match "$mode *points*" $line]} { puts "   $line" }
  }
  if {$rc} { return $out }
  return ok
}
