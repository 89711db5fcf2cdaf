#!/bin/sh
# test-summary.sh LOG...: the totals of a run of the Tcl suite through
# automake's harness (make check), from the .log file of each test.
# tester.tcl ends every log with "## counts PASSED FAILED"; a log without
# that line is a file that did not finish, counted as 1 failed. Prints
# the "! ..." lines of failed cases, then "N passed, N failed" last (the
# line ./setup and CI read). Exit status 1 when anything failed.
for f in "$@"; do
  [ -f "$f" ] || { echo "! $f: no log (the test did not run)"; continue; }
  echo "## file $f"
  cat "$f"
done | awk '
  /^## file / { if (file != "" && !counted) { nfail++; print "! " file ": did not finish" }
                file = $3; counted = 0; next }
  /^## counts [0-9]+ [0-9]+$/ { npass += $3; nfail += $4; counted = 1; next }
  /^! / { print; if ($0 ~ /: no log/) nfail++ ; next }
  END { if (file != "" && !counted) { nfail++; print "! " file ": did not finish" }
        printf "%d passed, %d failed\n", npass, nfail; exit (nfail > 0) }'
