# oom.tcl: the out-of-memory loop, sourced by oom_1.test ... oom_4.test,
# which each run a quarter of the operations (oom_K.test: those whose
# position in the list is K-1 modulo 4) so that make -j runs them side by
# side. Every operation of tcltest/oom_ops.h runs with the Nth allocation
# failing, then every allocation from the Nth on, for every N until the
# operation completes untouched (tcltest/oom_test, built by make check).
# Each case prints the harness's figures: failure points and outcomes.
# Checked by the harness at every point: no crash, no leak, SQLITE_NOMEM
# or a clean error, integrity_check ok, the database and the files beside
# it exactly as before or as after the operation.
source [file join [file dirname [info script]] tester.tcl]
source [file join $::testdir fault.tcl]

regexp {_(\d+)$} $::testname -> shard
set i 0
foreach op [fault_ops oom] {
  if {[incr i] % 4 == $shard % 4} {
    do_test oom-$op [list fault_run oom $op] ok
  }
}
finish_test
