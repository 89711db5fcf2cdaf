#!/bin/bash
# bench_stairway.sh: `.migrate test` (upgrade, downgrade, upgrade again for
# every revision, each state compared) on linear histories of 100, 200 and
# 400 revisions, each creating a table and an index, side by side with
# Alembic 1.8.1 doing the same stairway (pytest-alembic's up/down
# consistency test: `upgrade +1`, `downgrade -1`, `upgrade +1` per
# revision through alembic.command, in one Python process; the anchor is
# bench/alembic_stairway.py, Debian's python3-alembic). For reference, the
# same DDL run by plain sqlite3, one transaction per step, with no
# bookkeeping and no comparison: SQLite's own cost. Wall-clock and CPU
# (user+sys) seconds, each the best of RUNS runs for sqlite3-migrate and
# sqlite3, one run for Alembic.
#   bash bench/bench_stairway.sh [RUNS]       (from the top of a built tree)
# Alembic runs at 100 and 200 revisions (its cost grows with the square of
# the history: every command loads every revision file); ALEMBIC_400=1
# adds 400.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
runs=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

history() {  # history DIR N : N migration files, revision i makes table t<i>
  mkdir -p "$1/migrations"
  for i in $(seq 1 "$2"); do
    f=$(printf '%s/migrations/r%04d_t%d.sql' "$1" "$i" "$i")
    {
      printf -- '-- create t%d\n--\n-- Revision ID: r%04d\n' "$i" "$i"
      if [ "$i" -gt 1 ]; then printf -- '-- Revises: r%04d\n' $((i-1));
      else printf -- '-- Revises:\n'; fi
      printf -- '\n-- migrate:up\n'
      printf 'CREATE TABLE t%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, v INTEGER);\n' "$i"
      printf 'CREATE INDEX ix_t%d_name ON t%d(name);\n' "$i" "$i"
      printf -- '\n-- migrate:down\nDROP TABLE t%d;\n' "$i"
    } > "$f"
  done
}

rawsql() {  # rawsql N : the stairway's DDL for sqlite3, a transaction a step
  for i in $(seq 1 "$1"); do
    up="CREATE TABLE t$i (id INTEGER PRIMARY KEY, name TEXT NOT NULL, v INTEGER); CREATE INDEX ix_t${i}_name ON t$i(name);"
    echo "BEGIN; $up COMMIT; BEGIN; DROP TABLE t$i; COMMIT; BEGIN; $up COMMIT;"
  done
}

best() {  # best CMD... : "WALL CPU", the best of $runs runs (seconds; CPU is
          # user+sys, which a loaded machine disturbs less than wall time)
  bw=""; bc=""
  for r in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %U %S' -o time.txt "$@" > out.txt 2>&1 || true
    read -r w u s < <(tail -1 time.txt)
    c=$(echo "$u + $s" | bc -l)
    if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ]; then bw=$w; fi
    if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ]; then bc=$c; fi
  done
  printf '%.3f %.3f' "$bw" "$bc"
}

for n in 100 200 400; do
  history "$tmp/m$n" "$n"
  rawsql "$n" > "$tmp/m$n/raw.sql"
  cd "$tmp/m$n"
  eval "mig$n=\$(best $top/sqlite3-migrate app.db '.migrate test')"
  want="$n revisions tested: $((3*n+1)) ok, 0 skipped, 0 problems"
  [ "$(grep -v '^Command exited' out.txt | tail -1)" = "$want" ] || {
    echo "bench_stairway: expected '$want', got:" >&2; tail -3 out.txt >&2; exit 1; }
  [ ! -s app.db ] || { echo "bench_stairway: app.db was written" >&2; exit 1; }
  eval "raw$n=\$(best sh -c 'sqlite3 :memory: < raw.sql')"
  cd "$top"
done

have_alembic=no
if /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
  have_alembic=yes
  for n in 100 200 ${ALEMBIC_400:+400}; do
    eval "alem$n=\$(cd $tmp && runs=1 best /usr/bin/python3 $top/bench/alembic_stairway.py $tmp/a$n $n --run)"
  done
fi

row() {  # row LABEL "WALL CPU"
  set -- "$1" $2
  printf '%-44s %9s %9s\n' "$1" "$2" "$3"
}
ratio() {  # ratio LABEL "WALL CPU" "WALL CPU" : first / second
  a=($2); b=($3)
  printf '%-44s %8.1fx %8.1fx\n' "$1" "$(echo "${a[0]} / ${b[0]}" | bc -l)" \
    "$(echo "${a[1]} / ${b[1]}" | bc -l)"
}
printf '%-44s %9s %9s\n' "stairway (up, down, up per revision)" "wall s" "cpu s"
for n in 100 200 400; do
  eval "row 'sqlite3-migrate .migrate test, $n revisions' \"\$mig$n\""
done
for n in 100 200 400; do
  eval "row 'same DDL by sqlite3, no checks, $n' \"\$raw$n\""
done
if [ $have_alembic = yes ]; then
  for n in 100 200 ${ALEMBIC_400:+400}; do
    eval "row 'alembic +1/-1/+1, $n revisions' \"\$alem$n\""
  done
  for n in 100 200 ${ALEMBIC_400:+400}; do
    eval "ratio 'alembic / sqlite3-migrate at $n' \"\$alem$n\" \"\$mig$n\""
  done
else
  echo "(python3-alembic not installed: apt-get install -y python3-alembic)"
fi
ratio "sqlite3-migrate 200 / 100 (linear: 2)" "$mig200" "$mig100"
ratio "sqlite3-migrate 400 / 200 (linear: 2)" "$mig400" "$mig200"
ratio "plain sqlite3 200 / 100" "$raw200" "$raw100"
ratio "plain sqlite3 400 / 200" "$raw400" "$raw200"
