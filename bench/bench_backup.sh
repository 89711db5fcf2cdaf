#!/bin/bash
# bench_backup.sh: a gzip snapshot with ".migrate backup x.db.gz" against
# what a user does today, "sqlite3 DB '.backup x.db' && gzip -1 x.db",
# side by side in one run on the same database, with sizes; then the
# same for restoring. Goal: no slower at a comparable size. Run from the
# top of a built tree:
#   bash bench/bench_backup.sh [ROWS] [RUNS]     (default 1000000 rows, 3)
# The database is bench/anchors/mkdata.sh's (WAL, two tables, two
# indexes; about 170 MB at a million rows). Each case runs RUNS times,
# alternating, and the best time is printed.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
rows=${1:-1000000}
runs=${2:-3}
mkdata=${MKDATA:-$top/bench/anchors/mkdata.sh}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_backup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
TIMEFORMAT=%3R
cd "$tmp"
sh "$mkdata" src.db "$rows" >/dev/null
sqlite3 src.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null

ours() {     # .migrate backup into x.db.gz
  rm -f x.db.gz
  "$top/sqlite3-migrate" src.db '.migrate backup x.db.gz' >/dev/null
}
anchor() {   # sqlite3 .backup, then gzip -1
  rm -f y.db y.db.gz
  sqlite3 src.db '.backup y.db' && gzip -1 y.db
}
ours_restore() {    # .migrate restore from the gzip snapshot
  cp src.db r1.db
  "$top/sqlite3-migrate" r1.db '.migrate restore x.db.gz --yes' >/dev/null
}
anchor_restore() {  # gunzip to a file, then sqlite3 .restore
  cp src.db r2.db
  gzip -dc y.db.gz > y.db && sqlite3 r2.db '.restore y.db' && rm -f y.db
}
best() {     # best FUNCTION : the lowest of $runs timings
  local b="" t
  for _ in $(seq 1 "$runs"); do
    t=$( { time $1; } 2>&1 )
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
  done
  echo "$b"
}

t_ours=$(best ours)
t_anchor=$(best anchor)
t_ours_r=$(best ours_restore)
t_anchor_r=$(best anchor_restore)
mb() { awk "BEGIN{printf \"%.1f\", $(stat -c %s "$1")/1048576}"; }
echo "database: $rows rows, $(mb src.db) MB; best of $runs runs"
printf '%-52s %8s %9s\n' "case" "seconds" "MB"
printf '%-52s %8s %9s\n' ".migrate backup x.db.gz" "$t_ours" "$(mb x.db.gz)"
printf '%-52s %8s %9s\n' "sqlite3 .backup y.db && gzip -1 y.db" \
  "$t_anchor" "$(mb y.db.gz)"
printf '%-52s %8s\n' ".migrate restore x.db.gz (checks included)" "$t_ours_r"
printf '%-52s %8s\n' "gzip -dc y.db.gz > y.db && sqlite3 .restore y.db" \
  "$t_anchor_r"
