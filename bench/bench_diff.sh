#!/bin/bash
# bench_diff.sh: autogenerate on a large schema. N tables (10 columns, 2
# indexes and a trigger each) in a database; the desired schema is the
# same with 50 changes scattered over it (added, dropped and retyped
# columns, changed defaults, changed indexes). Timed side by side in one
# run: './sqlite3-migrate from.db ".migrate diff desired.sql --from-db"'
# (the whole command: load both sides, plan both ways, prove both ways,
# print) and Alembic 1.8's compare_metadata() on the same database
# through SQLAlchemy reflection (bench/anchors/alembic_compare.py,
# Debian's python3-alembic). Best of RUNS runs, in wall-clock seconds and
# in CPU seconds (user+system: on a shared machine the wall clock mostly
# measures the other users).
#   bash bench/bench_diff.sh [RUNS]        (from the top of a built tree)
# SIZES (default "1000 10000") are the schema sizes for migrate; Alembic
# runs at the sizes in ALEMBIC_SIZES (default "1000").
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
runs=${1:-3}
sizes=${SIZES:-"1000 10000"}
asizes=${ALEMBIC_SIZES:-"1000"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x ./sqlite3-migrate ] || { echo "bench_diff: build first" >&2; exit 1; }

schema() {  # schema N CHANGED : the SQL of N tables; CHANGED=1 edits 50
  awk -v n="$1" -v changed="$2" 'BEGIN {
    step = int(n / 50)
    for (i = 1; i <= n; i++) {
      k = (i % step == 0) ? int(i / step) % 5 : -1
      if (!changed) k = -1
      c3 = (k == 0) ? "TEXT DEFAULT '\''y'\''" : "TEXT DEFAULT '\''x'\''"
      c5 = (k == 1) ? "TEXT" : "INTEGER"
      c9 = (k == 2) ? "" : ", c9 TEXT"
      c10 = (k == 3) ? ", c10 TEXT NOT NULL DEFAULT '\'''\''" : ""
      i2 = (k == 4) ? "c2 DESC, c4" : "c2, c4"
      printf "CREATE TABLE t%d(id INTEGER PRIMARY KEY, c1 TEXT NOT NULL, " \
             "c2 INTEGER, c3 %s, c4 REAL, c5 %s, c6 TEXT, c7 BLOB, " \
             "c8 NUMERIC%s%s);\n", i, c3, c5, c9, c10
      printf "CREATE INDEX t%d_i1 ON t%d(c1);\n", i, i
      printf "CREATE INDEX t%d_i2 ON t%d(%s);\n", i, i, i2
      printf "CREATE TRIGGER t%d_tr AFTER UPDATE OF c1 ON t%d BEGIN " \
             "UPDATE t%d SET c6 = '\''u'\'' WHERE id = new.id; END;\n", i, i, i
    }
  }'
}

best() {  # best CMD... : "WALL CPU", best seconds of $runs runs
  b=""; bc=""
  for r in $(seq 1 "$runs"); do
    s=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$tmp/time" "$@" >"$tmp/out" 2>&1 || true
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    c=$(awk '{print $1 + $2}' "$tmp/time" | tail -1)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
    if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ]; then bc=$c; fi
  done
  printf '%.3f %.3f\n' "$b" "$bc"
}

have_alembic=0
/usr/bin/python3 -c 'import alembic' 2>/dev/null && have_alembic=1

printf '%-7s %9s %9s %8s %9s %9s %8s %9s\n' tables "mig wall" "mig cpu" changes \
  "alem wall" "alem cpu" changes "cpu ratio"
for n in $sizes; do
  schema "$n" 0 > "$tmp/from.sql"
  schema "$n" 1 > "$tmp/desired.sql"
  rm -f "$tmp/from.db" "$tmp/target.db"
  # (sqlite3 itself takes time quadratic in N to create these: minutes at
  # 10,000 tables; the target is made only when Alembic runs at N)
  (echo "BEGIN;"; cat "$tmp/from.sql"; echo "COMMIT;") | sqlite3 "$tmp/from.db"
  read -r t tc < <(best ./sqlite3-migrate "$tmp/from.db" \
        ".migrate diff $tmp/desired.sql --from-db")
  # The changes in the up section: one statement per change, and the
  # proof passed (anything else is an error, exit status 2).
  grep -q '^-- migrate:up' "$tmp/out" || { cat "$tmp/out"; exit 1; }
  ours=$(sed -n '/^-- migrate:up/,/^-- migrate:down/p' "$tmp/out" |
         grep -c -E '^(ALTER|CREATE|DROP)') || true
  at="-"; ac="-"; an="-"; ratio="-"
  case " $asizes " in *" $n "*)
    if [ $have_alembic = 1 ]; then
      (echo "BEGIN;"; cat "$tmp/desired.sql"; echo "COMMIT;") |
        sqlite3 "$tmp/target.db"
      read -r at ac an < <(/usr/bin/python3 bench/anchors/alembic_compare.py \
                             "$tmp/from.db" "$tmp/target.db" "$runs")
      ratio=$(echo "$ac / $tc" | bc -l | xargs printf '%.0fx')
    fi;;
  esac
  printf '%-7s %9s %9s %8s %9s %9s %8s %9s\n' "$n" "$t" "$tc" "$ours" \
    "$at" "$ac" "$an" "$ratio"
done
[ $have_alembic = 1 ] || echo "(python3-alembic not installed: apt-get install -y python3-alembic)"
