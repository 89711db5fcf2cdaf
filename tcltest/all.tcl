# all.tcl: run every tcltest/*.test in its own tclsh process and print
# the totals last, as "N passed, N failed". Exit status 1 on any failure.
#   tclsh tcltest/all.tcl ?PATTERN?     (PATTERN: glob on test names)
set testdir [file dirname [file normalize [info script]]]
set pattern [expr {[llength $argv] ? [lindex $argv 0] : "*"}]
set nPass 0
set nFail 0
foreach t [lsort [glob -directory $testdir $pattern.test]] {
  set name [file rootname [file tail $t]]
  set counted 0
  catch {exec [info nameofexecutable] $t 2>@1} out
  foreach line [split $out \n] {
    if {[regexp {^## counts (\d+) (\d+)$} $line -> p f]} {
      incr nPass $p; incr nFail $f; set counted 1
      puts [format "%-24s %4d passed, %d failed" $name $p $f]
    } elseif {$line ne ""} {
      puts $line
    }
  }
  if {!$counted} {
    incr nFail
    puts "! $name: did not finish"
  }
}
puts "$nPass passed, $nFail failed"
exit [expr {$nFail ? 1 : 0}]
