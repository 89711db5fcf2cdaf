#!/bin/bash
# bench_chain.sh: a linear chain of migrations, each a CREATE TABLE and a
# CREATE INDEX, applied to an empty database by ./sqlite3-migrate
# ('.migrate upgrade') at 200 and 1,000 revisions, side by side with the
# same 200 applied by Alembic ('alembic upgrade head', Debian's
# python3-alembic; the project is built by the anchor
# bench/anchors/alembic_chain.sh). For reference, the same SQL run by plain
# sqlite3 in one transaction, without any bookkeeping: SQLite's own cost of adding
# tables to a growing schema. Wall-clock seconds, best of RUNS runs each.
#   bash bench/bench_chain.sh [RUNS]          (from the top of a built tree)
# Set ALEMBIC_1000=1 to time Alembic at 1,000 revisions too (slow).
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
runs=${1:-3}
anchor=${ANCHOR:-$top/bench/anchors/alembic_chain.sh}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkchain() {  # mkchain DIR N : N migration files with headers
  mkdir -p "$1/migrations"
  prev=""
  for i in $(seq 1 "$2"); do
    rev=$(printf 'r%04d' "$i")
    cat > "$1/migrations/${rev}_t$i.sql" <<SQL
-- create t$i
--
-- Revision ID: $rev
-- Revises: $prev
-- Create Date: 2024-01-01 00:00:00

-- migrate:up
CREATE TABLE t$i (id INTEGER PRIMARY KEY, name TEXT NOT NULL, v INTEGER);
CREATE INDEX ix_t${i}_name ON t$i(name);

-- migrate:down
DROP TABLE t$i;
SQL
    prev=$rev
  done
}

best() {  # best CMD... : the best wall-clock time of $runs runs (seconds)
  b=""
  for r in $(seq 1 "$runs"); do
    rm -f app.db
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  printf '%.3f' "$b"
}

check() {  # check DB N : the upgrade really applied N migrations
  got=$(sqlite3 "$1" "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name GLOB 't[0-9]*'")
  [ "$got" = "$2" ] || { echo "bench_chain: expected $2 tables, got $got" >&2; exit 1; }
}

rawsql() {  # rawsql DIR : the up sections of DIR/migrations in one transaction
  { echo "BEGIN;"; sed -n '/^-- migrate:up/,/^-- migrate:down/p' "$1"/migrations/*.sql \
      | grep -v '^--'; echo "COMMIT;"; } > "$1/raw.sql"
}

for n in 200 1000; do
  mkchain "$tmp/m$n" "$n"
  rawsql "$tmp/m$n"
  cd "$tmp/m$n"
  eval "mig$n=\$(best $top/sqlite3-migrate app.db '.migrate upgrade')"
  check app.db "$n"
  eval "raw$n=\$(best sh -c 'sqlite3 app.db < raw.sql')"
  check app.db "$n"
  cd "$top"
done

have_alembic=no
if /usr/bin/python3 -c 'import alembic' 2>/dev/null && [ -x "$anchor" -o -f "$anchor" ]; then
  have_alembic=yes
  for n in 200 ${ALEMBIC_1000:+1000}; do
    sh "$anchor" "$tmp/a$n" "$n" >/dev/null
    cd "$tmp/a$n"
    eval "alem$n=\$(best /usr/bin/python3 -m alembic upgrade head)"
    check app.db "$n"
    cd "$top"
  done
fi

printf '%-40s %10s\n' "linear chain, empty database" "seconds"
printf '%-40s %10s\n' "sqlite3-migrate, 200 revisions" "$mig200"
printf '%-40s %10s\n' "sqlite3-migrate, 1000 revisions" "$mig1000"
printf '%-40s %10s\n' "same SQL by sqlite3, no bookkeeping, 200" "$raw200"
printf '%-40s %10s\n' "same SQL by sqlite3, no bookkeeping, 1000" "$raw1000"
if [ $have_alembic = yes ]; then
  printf '%-40s %10s\n' "alembic upgrade head, 200 revisions" "$alem200"
  [ -n "$alem1000" ] && printf '%-40s %10s\n' "alembic upgrade head, 1000 revisions" "$alem1000"
  printf '%-40s %9.1fx\n' "alembic / sqlite3-migrate at 200" \
    "$(echo "$alem200 / $mig200" | bc -l)"
else
  echo "(python3-alembic not installed: apt-get install -y python3-alembic)"
fi
printf '%-40s %9.2fx\n' "sqlite3-migrate 1000 / 200 (linear: 5)" \
  "$(echo "$mig1000 / $mig200" | bc -l)"
printf '%-40s %9.2fx\n' "plain sqlite3 1000 / 200" \
  "$(echo "$raw1000 / $raw200" | bc -l)"
