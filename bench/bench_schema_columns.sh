#!/bin/bash
# bench_schema_columns.sh: cost of a one-table lookup in schema_columns with
# 10 and with 2,000 tables in the schema (the goal: about the same), and of
# a full scan for contrast. Run from the top of a built tree:
#   bash bench/bench_schema_columns.sh [LOOKUPS]
set -e
cd "$(dirname "$0")/.."
n=${1:-2000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TIMEFORMAT=%3R

mkdb() {   # mkdb FILE NTABLES
  { echo "BEGIN;"
    for i in $(seq 1 "$2"); do
      echo "CREATE TABLE t$i(id INTEGER PRIMARY KEY, name TEXT NOT NULL, v INTEGER, at TEXT DEFAULT CURRENT_TIMESTAMP);"
    done
    echo "COMMIT;"; } | sqlite3 "$1"
}
lookups() {  # lookups FILE : $n correlated lookups of table t1
  sqlite3 "$1" ".load ./migrate" "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL
    SELECT i+1 FROM c WHERE i<$n) SELECT sum((SELECT count(*) FROM schema_columns
    WHERE table_name='t'||(1+i%1))) FROM c" >/dev/null
}
scans() {    # scans FILE : 20 full scans
  sqlite3 "$1" ".load ./migrate" "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL
    SELECT i+1 FROM c WHERE i<20) SELECT sum((SELECT count(*) FROM schema_columns
    WHERE i>0)) FROM c" >/dev/null
}
mkdb "$tmp/t10.db" 10
mkdb "$tmp/t2000.db" 2000
printf '%-44s %s\n' "case" "seconds"
for t in 10 2000; do
  s=$( { time lookups "$tmp/t$t.db"; } 2>&1 )
  printf '%-44s %s\n' "$n lookups WHERE table_name='t1', $t tables" "$s"
done
for t in 10 2000; do
  s=$( { time scans "$tmp/t$t.db"; } 2>&1 )
  printf '%-44s %s\n' "20 full scans, $t tables" "$s"
done
