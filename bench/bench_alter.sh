#!/bin/bash
# bench_alter.sh: migrate_alter_table() against what users would do
# instead, side by side in one run, on the anchors' meetings table
# (bench/anchors/mkdata.sh, ROWS rows; each contender gets a fresh
# copy of one generated database):
#   (a) description becomes NOT NULL DEFAULT '': ours vs the hand-written
#       12-step (raw_rebuild.sql), Alembic's batch_alter_table
#       (alembic_batch.py, Debian's python3-alembic) and sqlite-utils
#       transform (sqlite_utils_transform.sh);
#   (b1) DROP COLUMN description alone through .migrate alter vs SQLite's
#       own ALTER TABLE ... DROP COLUMN at top level;
#   (b2) the same with ALTER COLUMN status SET DEFAULT vs SQLite's DROP
#       COLUMN inside BEGIN..COMMIT (the way to make two changes atomic
#       by hand);
#   (c) ALTER COLUMN created_by TYPE TEXT vs the 12-step with CAST
#       (raw_retype.sql);
#   (d) our peak memory (max RSS) for (a) and (c) at ROWS/10 and ROWS.
# Each goal is the median of PAIRS (default 5) paired runs, ours and the
# anchor's one after the other on fresh copies, the order alternating
# (the machine is shared: single runs mislead): wall-clock and CPU
# (user+sys) seconds, and the medians of the per-pair ratios of both;
# sqlite-utils (optional) is the best of RUNS runs. For the cases named
# in INSTR (default "b1 b2"; the runs take a few seconds), the
# instructions each side executes too, which load does not change:
# perf stat -e instructions:u where the machine counts them, else
# valgrind's callgrind (about 50 times slower). CASES (default
# "a b1 b2 c d") picks the cases run; VERBOSE=1 prints every pair.
#   bash bench/bench_alter.sh [ROWS [RUNS]]     (from a built tree)
#   PAIRS=7 CASES="b1 b2" bash bench/bench_alter.sh
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
rows=${1:-1000000}
runs=${2:-3}
anchors=${ANCHORS:-$top/bench/anchors}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_alter.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mig="$top/sqlite3-migrate"

echo "generating $rows rows (and $((rows/10)) for the memory figure)..."
sh "$anchors/mkdata.sh" "$tmp/base.db" "$rows" >/dev/null
sh "$anchors/mkdata.sh" "$tmp/small.db" "$((rows/10))" >/dev/null
# The hand-written rebuilds, whole: each body between the steps they all
# share (assembled before any timing, so sqlite3 reads one file as before).
for raw in raw_rebuild raw_retype; do
  cat "$anchors/raw_begin.sql" "$anchors/$raw.sql" "$anchors/raw_end.sql" \
    >"$tmp/$raw.sql"
done

# timeit.py CMD...: run CMD; print its wall-clock seconds and its CPU
# seconds (user+sys, its waited-for children included, at microsecond
# resolution, which /usr/bin/time's 10 ms would not give) on stderr's
# last line; exits as CMD did. (Its peak RSS would be python's: RSS
# high-water marks survive exec; run() takes it from /usr/bin/time.)
cat >"$tmp/timeit.py" <<'PY'
import os, sys, time
t = time.monotonic()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, st, ru = os.wait4(pid, 0)
sys.stderr.write("%.6f %.6f\n" % (time.monotonic() - t,
                 ru.ru_utime + ru.ru_stime))
sys.exit(os.waitstatus_to_exitcode(st))
PY

# run DB CMD... : fresh copy of DB as $tmp/run.db, run CMD in $tmp; sets
# $secs (wall), $cpu (user+sys seconds) and $rss (KiB).
run() {
  src=$1; shift
  cp "$src" "$tmp/run.db"
  sync
  (cd "$tmp" && python3 "$tmp/timeit.py" /usr/bin/time -f %M -o "$tmp/rss" \
     "$@" >/dev/null 2>"$tmp/err") \
    || { echo "failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }
  set -- $(tail -1 "$tmp/err")
  secs=$1; cpu=$2
  rss=$(tail -1 "$tmp/rss")
}

# instr CMD: instructions (user space) CMD executes, run by sh in $tmp
# on a fresh copy of base.db; sets $ins. perf's hardware counter if the
# machine has one (a VM often has not), else callgrind's count.
instr() {
  cp "$tmp/base.db" "$tmp/run.db"
  ins=$(cd "$tmp" && perf stat -x, -e instructions:u sh -c "$1" 2>&1 \
        >/dev/null | sed -n 's/^\([0-9][0-9]*\),.*instructions.*/\1/p')
  if [ -z "$ins" ] && command -v valgrind >/dev/null; then
    cp "$tmp/base.db" "$tmp/run.db"
    ins=$(cd "$tmp" && valgrind --tool=callgrind --trace-children=yes \
          --callgrind-out-file=/dev/null sh -c "$1" 2>&1 >/dev/null \
          | sed -n 's/.*I *refs: *//p' | tr -d , \
          | awk '{n+=$1} END {printf "%.0f\n", n}')
  fi
}

# best LABEL CHECK DB CMD... : best of $runs; CHECK is SQL that must
# return 1 on the result. Sets $best; prints a line.
best() {
  label=$1; chk=$2; db=$3; shift 3
  best=""
  for r in $(seq 1 "$runs"); do
    run "$db" "$@"
    ok=$(sqlite3 "$tmp/run.db" "$chk")
    [ "$ok" = 1 ] || { echo "bench_alter: $label: wrong result" >&2; exit 1; }
    if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then
      best=$secs
    fi
  done
  printf '  %-44s %8.3f s\n' "$label" "$best"
}

ratio() { echo "scale=2; $1 / $2" | bc -l; }

notnull="SELECT \"notnull\"=1 AND dflt_value='''''' FROM pragma_table_info('meetings') WHERE name='description'"
dropped="SELECT count(*)=0 FROM pragma_table_info('meetings') WHERE name='description'"
retyped="SELECT type='TEXT' AND (SELECT typeof(created_by) FROM meetings LIMIT 1)='text' FROM pragma_table_info('meetings') WHERE name='created_by'"
a_ours="SELECT migrate_alter_table('meetings', 'ALTER COLUMN description SET NOT NULL', 'ALTER COLUMN description SET DEFAULT ''''')"
c_ours="SELECT migrate_alter_table('meetings', 'ALTER COLUMN created_by TYPE TEXT')"

# median NUMBERS...: the median (the mean of the middle two for an even
# count).
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
    if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'
}

# pair CASE LABEL CHECK CMD ALABEL ACHECK ACMD: $pairs paired runs, ours
# (CMD, a shell command run in $tmp on run.db) and the anchor's (ACMD),
# each on a fresh copy, alternating which goes first; prints the medians
# of both (wall and CPU) and of the per-pair ratios ours/anchor, and for
# a CASE named in $INSTR the instructions of each. Sets $pr (the median
# wall ratio).
pair() {
  case=$1; label=$2; chk=$3; cmd=$4; alabel=$5; achk=$6; acmd=$7
  t1=""; t2=""; u1=""; u2=""; rs=""; cs=""
  for r in $(seq 1 "$pairs"); do
    for who in $([ $((r % 2)) = 1 ] && echo "us them" || echo "them us"); do
      if [ "$who" = us ]; then c=$cmd; k=$chk; else c=$acmd; k=$achk; fi
      run "$tmp/base.db" sh -c "$c"
      ok=$(sqlite3 "$tmp/run.db" "$k")
      [ "$ok" = 1 ] || { echo "bench_alter: $who: wrong result" >&2; exit 1; }
      if [ "$who" = us ]; then s1=$secs; c1=$cpu; else s2=$secs; c2=$cpu; fi
    done
    [ -z "$VERBOSE" ] || printf '    pair %d: ours %.3f s (CPU %.3f), anchor '\
'%.3f s (CPU %.3f)\n' "$r" "$s1" "$c1" "$s2" "$c2"
    t1="$t1 $s1"; t2="$t2 $s2"; u1="$u1 $c1"; u2="$u2 $c2"
    rs="$rs $(echo "$s1 / $s2" | bc -l)"
    cs="$cs $(echo "$c1 / $c2" | bc -l)"
  done
  pr=$(median $rs)
  printf '  %-50s %8.3f s wall %8.3f s CPU (medians of %d)\n' "$label" \
    "$(median $t1)" "$(median $u1)" "$pairs"
  printf '  %-50s %8.3f s wall %8.3f s CPU\n' "$alabel" "$(median $t2)" \
    "$(median $u2)"
  printf '  median of the paired ratios, ours / anchor: wall %.3f, CPU %.3f\n' \
    "$pr" "$(median $cs)"
  case " $instr_cases " in *" $case "*)
    instr "$cmd"; i1=$ins
    instr "$acmd"; i2=$ins
    if [ -n "$i1" ] && [ -n "$i2" ]; then
      printf '  instructions: ours %d, anchor %d, ratio %.4f\n' "$i1" "$i2" \
        "$(echo "$i1 / $i2" | bc -l)"
    fi
  esac
}
pairs=${PAIRS:-5}
instr_cases=${INSTR-b1 b2}
cases=" ${CASES:-a b1 b2 c d} "
# want CASE: true if CASE is to run.
want() { case $cases in *" $1 "*) return 0;; esac; return 1; }

b2_ours="SELECT migrate_alter_table('meetings', 'DROP COLUMN description', 'ALTER COLUMN status SET DEFAULT ''planned''')"

if want a; then
  echo "(a) meetings.description becomes NOT NULL DEFAULT '' ($rows rows)"
  /usr/bin/python3 -c 'import alembic' 2>/dev/null \
    || { echo "bench_alter: python3-alembic is missing" >&2; exit 1; }
  pair a "migrate_alter_table" "$notnull" "$mig run.db \"$a_ours\"" \
    "Alembic batch_alter_table" "$notnull" \
    "/usr/bin/python3 $anchors/alembic_batch.py run.db"
  echo "  ours vs Alembic: $(echo "scale=1; 1 / $pr" | bc -l)x faster (goal >= 20x)"
  pair a "migrate_alter_table" "$notnull" "$mig run.db \"$a_ours\"" \
    "12-step by hand (raw_rebuild.sql)" "$notnull" \
    "sqlite3 run.db < $tmp/raw_rebuild.sql"
  if command -v sqlite-utils >/dev/null; then
    best "sqlite-utils transform" \
      "SELECT \"notnull\"=1 FROM pragma_table_info('meetings') WHERE name='description'" \
      "$tmp/base.db" sh "$anchors/sqlite_utils_transform.sh" run.db
  fi
fi

if want b1; then
  echo "(b1) DROP COLUMN description alone, at top level"
  pair b1 ".migrate alter meetings 'DROP COLUMN description'" "$dropped" \
    "$mig run.db \".migrate alter meetings 'DROP COLUMN description'\"" \
    "SQLite ALTER TABLE ... DROP COLUMN" "$dropped" \
    "sqlite3 run.db 'ALTER TABLE meetings DROP COLUMN description'"
  echo "  goal <= 1.05"
fi

if want b2; then
  echo "(b2) DROP COLUMN description with ALTER COLUMN status SET DEFAULT 'planned'"
  pair b2 "migrate_alter_table (both clauses)" "$dropped" \
    "$mig run.db \"$b2_ours\"" \
    "SQLite DROP COLUMN in BEGIN..COMMIT" "$dropped" \
    "sqlite3 run.db 'BEGIN; ALTER TABLE meetings DROP COLUMN description; COMMIT'"
  echo "  goal <= 1.05"
fi

if want c; then
  echo "(c) ALTER COLUMN created_by TYPE TEXT, every value converted"
  pair c "migrate_alter_table" "$retyped" "$mig run.db \"$c_ours\"" \
    "12-step with CAST (raw_retype.sql)" "$retyped" \
    "sqlite3 run.db < $tmp/raw_retype.sql"
  echo "  goal <= 1.10"
fi

if want d; then
  echo "(d) peak memory of ours (max RSS)"
  for what in a c; do
    eval "sql=\$${what}_ours"
    run "$tmp/small.db" "$mig" run.db "$sql"; small=$rss
    run "$tmp/base.db" "$mig" run.db "$sql"; big=$rss
    printf '  (%s) %8d rows: %6d KiB   %8d rows: %6d KiB\n' "$what" \
      "$((rows/10))" "$small" "$rows" "$big"
  done
fi
