# fuzz.tcl: build and run the libFuzzer targets of tcltest/fuzz/ (for
# fuzz.test, make check-long and tcltest/pending/fuzz.test). Source after
# tester.tcl. Needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev).
#
#   fuzz_available            1 if clang can link a libFuzzer program
#   fuzz_build TARGET ?FLAGS? compile the extension and tcltest/fuzz/
#                             fuzz_TARGET.c with ASan, UBSan and libFuzzer
#                             into the test directory; returns the binary
#   fuzz_run BIN SEEDS SECS   fuzz for SECS seconds from the seed corpus
#                             SEEDS (read only; new inputs go to a work
#                             directory); returns {executions N crashes N}
#   fuzz_replay BIN PATH      run the input PATH, or every input of the
#                             directory PATH, once; "ok" or the report

set ::FUZZ_SRC [file join $::MIGRATE_SRC tcltest fuzz]
# Sanitizers: every report is fatal.
set ::FUZZ_FLAGS {-g -O1 -fsanitize=address,undefined
  -fno-sanitize-recover=all}

proc fuzz_available {} {
  if {[catch {exec sh -c "command -v clang"}]} { return 0 }
  writefile fuzz_probe.c \
    "int LLVMFuzzerTestOneInput(const char *a, long n){ return 0; }\n"
  return [expr {![catch {exec clang -fsanitize=fuzzer fuzz_probe.c \
                             -o fuzz_probe 2>@1}]}]
}

# The extension's C sources, from ext/Makefile.inc.
proc fuzz_sources {} {
  set inc [readfile [file join $::MIGRATE_SRC ext Makefile.inc]]
  return [regexp -all -inline {ext/[A-Za-z0-9_]+\.c} $inc]
}

proc fuzz_build {target {flags ""}} {
  if {$flags eq ""} { set flags $::FUZZ_FLAGS }
  set odir [file join [pwd] obj[string length $flags]]
  file mkdir $odir
  set objs {}
  foreach src [fuzz_sources] {
    set o [file join $odir [file rootname [file tail $src]].o]
    if {![file exists $o]} {
      exec clang -c {*}$flags -fsanitize=fuzzer-no-link -DSQLITE_CORE \
        -I[file join $::MIGRATE_SRC ext] -o $o \
        [file join $::MIGRATE_SRC $src] 2>@1
    }
    lappend objs $o
  }
  set bin [file join [pwd] fuzz_$target]
  exec clang {*}$flags -fsanitize=fuzzer -DSQLITE_CORE \
    -I[file join $::MIGRATE_SRC ext] -o $bin \
    [file join $::FUZZ_SRC fuzz_$target.c] {*}$objs -lsqlite3 -lz -lm 2>@1
  return $bin
}

proc fuzz_run {bin seeds secs} {
  set work [file join [pwd] work_[file tail $bin]]
  file delete -force $work
  file mkdir $work
  set log [file join [pwd] [file tail $bin].log]
  set rc [catch {exec $bin -max_total_time=$secs -timeout=10 \
      -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix=[pwd]/ $work $seeds >& $log}]
  set n 0
  regexp {stat::number_of_executed_units: (\d+)} [readfile $log] -> n
  if {$rc} {
    puts "   [file tail $bin]: [lindex [regexp -inline -line {^SUMMARY.*$} \
        [readfile $log]] 0] (see $log)"
  }
  return [list executions $n crashes $rc]
}

proc fuzz_replay {bin dir} {
  if {![file exists $dir]} { return ok }
  set inputs [expr {[file isdirectory $dir]
                    ? [glob -nocomplain -directory $dir *] : [list $dir]}]
  if {![llength $inputs]} { return ok }
  if {[catch {exec $bin {*}$inputs 2>@1} out]} {
    return [lindex [regexp -inline -line {^SUMMARY.*$} $out] 0]
  }
  return ok
}
