#!/bin/bash
# bench_alter.sh: migrate_alter_table() against what users would do
# instead, side by side in one run, on the anchors' meetings table
# (bench/anchors/mkdata.sh, ROWS rows; each contender gets a fresh
# copy of one generated database):
#   (a) description becomes NOT NULL DEFAULT '': ours vs the hand-written
#       12-step (raw_rebuild.sql), Alembic's batch_alter_table
#       (alembic_batch.py, Debian's python3-alembic) and sqlite-utils
#       transform (sqlite_utils_transform.sh);
#   (b) DROP COLUMN description together with another clause vs SQLite's
#       own ALTER TABLE ... DROP COLUMN, alone in autocommit mode and
#       inside BEGIN..COMMIT as a migration runs it (and the 12-step
#       raw_drop.sql);
#   (c) ALTER COLUMN created_by TYPE TEXT vs the 12-step with CAST
#       (raw_retype.sql);
#   (d) our peak memory (max RSS) for (a) and (c) at ROWS/10 and ROWS.
# Wall-clock seconds, best of RUNS runs. Contenders that are not
# installed are skipped.
#   bash bench/bench_alter.sh [ROWS [RUNS]]     (from a built tree)
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

# run DB CMD... : fresh copy of DB as $tmp/run.db, run CMD in $tmp; sets
# $secs and $rss (KiB).
run() {
  src=$1; shift
  cp "$src" "$tmp/run.db"
  sync
  s=$(date +%s.%N)
  (cd "$tmp" && /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err") \
    || { echo "failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }
  e=$(date +%s.%N)
  secs=$(echo "$e - $s" | bc -l)
  rss=$(tail -1 "$tmp/rss")
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

echo "(a) meetings.description becomes NOT NULL DEFAULT '' ($rows rows)"
best "migrate_alter_table" "$notnull" "$tmp/base.db" "$mig" run.db "$a_ours"
a=$best
best "12-step by hand (raw_rebuild.sql)" "$notnull" "$tmp/base.db" \
  sh -c "sqlite3 run.db < $anchors/raw_rebuild.sql"
a_raw=$best
a_alembic=""
if /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
  best "Alembic batch_alter_table" "$notnull" "$tmp/base.db" \
    /usr/bin/python3 "$anchors/alembic_batch.py" run.db
  a_alembic=$best
fi
if command -v sqlite-utils >/dev/null; then
  best "sqlite-utils transform" \
    "SELECT \"notnull\"=1 FROM pragma_table_info('meetings') WHERE name='description'" \
    "$tmp/base.db" sh "$anchors/sqlite_utils_transform.sh" run.db
fi
echo "  ours vs 12-step: $(ratio "$a_raw" "$a")x faster"
[ -n "$a_alembic" ] && echo "  ours vs Alembic: $(ratio "$a_alembic" "$a")x faster (goal >= 20x)"

echo "(b) DROP COLUMN description, with ALTER COLUMN status SET DEFAULT 'planned'"
best "migrate_alter_table (both clauses)" "$dropped" "$tmp/base.db" "$mig" run.db \
  "SELECT migrate_alter_table('meetings', 'DROP COLUMN description', 'ALTER COLUMN status SET DEFAULT ''planned''')"
b=$best
best "SQLite ALTER TABLE DROP COLUMN (one clause)" "$dropped" "$tmp/base.db" \
  sqlite3 run.db "ALTER TABLE meetings DROP COLUMN description"
b_native=$best
best "SQLite DROP COLUMN in BEGIN..COMMIT" "$dropped" "$tmp/base.db" \
  sqlite3 run.db "BEGIN; ALTER TABLE meetings DROP COLUMN description; COMMIT"
b_txn=$best
best "12-step by hand (raw_drop.sql)" "$dropped" "$tmp/base.db" \
  sh -c "sqlite3 run.db < $anchors/raw_drop.sql"
echo "  ours / native: $(ratio "$b" "$b_native") (goal <= 1.15)"
echo "  ours / native in a transaction: $(ratio "$b" "$b_txn")"

echo "(c) ALTER COLUMN created_by TYPE TEXT, every value converted"
best "migrate_alter_table" "$retyped" "$tmp/base.db" "$mig" run.db "$c_ours"
c=$best
best "12-step with CAST (raw_retype.sql)" "$retyped" "$tmp/base.db" \
  sh -c "sqlite3 run.db < $anchors/raw_retype.sql"
c_raw=$best
echo "  ours / 12-step: $(ratio "$c" "$c_raw") (goal <= 1.10)"

echo "(d) peak memory of ours (max RSS)"
for what in a c; do
  eval "sql=\$${what}_ours"
  run "$tmp/small.db" "$mig" run.db "$sql"; small=$rss
  run "$tmp/base.db" "$mig" run.db "$sql"; big=$rss
  printf '  (%s) %8d rows: %6d KiB   %8d rows: %6d KiB\n' "$what" \
    "$((rows/10))" "$small" "$rows" "$big"
done
