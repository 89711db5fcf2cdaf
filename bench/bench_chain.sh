#!/bin/bash
# bench_chain.sh: a linear chain of migrations, each a CREATE TABLE and a
# CREATE INDEX, applied to an empty database by ./sqlite3-migrate
# ('.migrate upgrade'), side by side in the same rounds with:
#   - the same SQL run by plain sqlite3 in one transaction, without any
#     bookkeeping: the limit (SQLite's own cost of a growing schema);
#   - 'alembic upgrade head' (Debian's python3-alembic) on the same chain,
#     the project made by this directory's own anchor,
#     bench/anchors/alembic_chain.sh;
#   - dbmate 'up' on the same files, when a dbmate binary is found
#     ($DBMATE, else dbmate on PATH).
# Each round runs every contender once, in turn, on a fresh database; the
# figures are medians over the rounds, of wall-clock seconds and of CPU
# seconds (user+sys, steadier on a loaded machine), and ratios are the
# medians of the per-round ratios (paired runs), timed to the millisecond.
# Then sqlite3-migrate and plain sqlite3 at 1,000 to 10,000 migrations,
# for linearity.
#   bash bench/bench_chain.sh [ROUNDS [SIZES]]   (from anywhere in a built tree)
# ROUNDS defaults to 5 (at most 3 at 10,000); SIZES, the chain lengths
# beyond 200, to "1000 2000 5000 10000".
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
rounds=${1:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
times=$tmp/times
: > "$times"
dbmate=${DBMATE:-$(command -v dbmate || true)}
[ -x "$top/sqlite3-migrate" ] || { echo "bench_chain: build first" >&2; exit 1; }

mkchain() {  # mkchain DIR N: N migration files (and dbmate's copies)
  mkdir -p "$1/migrations" "$1/db"
  awk -v d="$1" -v n="$2" 'BEGIN {
    for (i = 1; i <= n; i++) {
      rev = sprintf("r%04d", i)
      f = sprintf("%s/migrations/%s_t%d.sql", d, rev, i)
      printf "-- create t%d\n--\n-- Revision ID: %s\n", i, rev > f
      printf "-- Revises: %s\n", (i > 1 ? sprintf("r%04d", i-1) : "") > f
      printf "-- Create Date: 2024-01-01 00:00:00\n\n-- migrate:up\n" > f
      printf "CREATE TABLE t%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, v INTEGER);\n", i > f
      printf "CREATE INDEX ix_t%d_name ON t%d(name);\n\n", i, i > f
      printf "-- migrate:down\nDROP TABLE t%d;\n", i > f
      close(f)
      g = sprintf("%s/db/%06d_t%d.sql", d, i, i)
      printf "-- migrate:up\nCREATE TABLE t%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, v INTEGER);\n", i > g
      printf "CREATE INDEX ix_t%d_name ON t%d(name);\n\n-- migrate:down\nDROP TABLE t%d;\n", i, i, i > g
      close(g)
    }
  }'
  { echo "BEGIN;"
    sed -n '/^-- migrate:up/,/^-- migrate:down/p' "$1"/migrations/*.sql | grep -v '^--'
    echo "COMMIT;"; } > "$1/raw.sql"
}

check() {  # check DB N: the run really made N tables
  got=$(sqlite3 "$1" "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name GLOB 't[0-9]*'")
  [ "$got" = "$2" ] || { echo "bench_chain: $3 made $got tables, not $2" >&2; exit 1; }
}

run() {  # run NAME N CMD...: time CMD on a fresh app.db (in the cwd)
  name=$1 n=$2
  shift 2
  rm -f app.db
  # bash's time: milliseconds (/usr/bin/time has 10 ms, as long as a
  # whole run of 200 migrations)
  { TIMEFORMAT='%3R %3U %3S'; time "$@" >/dev/null 2>"$tmp/err"; } 2>"$tmp/t" \
    || { cat "$tmp/err" >&2; echo "bench_chain: $name failed" >&2; exit 1; }
  check app.db "$n" "$name"
  read -r e u s < "$tmp/t"
  echo "$name $n $round $e $u $s" | awk '{ print $1, $2, $3, $4, $5 + $6 }' \
    >> "$times"
}

have_alembic=no
/usr/bin/python3 -c 'import alembic' 2>/dev/null && have_alembic=yes

mkchain "$tmp/c200" 200
[ $have_alembic = yes ] && sh bench/anchors/alembic_chain.sh "$tmp/a200" 200
for round in $(seq 1 "$rounds"); do
  cd "$tmp/c200"
  run migrate 200 "$top/sqlite3-migrate" app.db '.migrate upgrade'
  run sqlite3 200 sh -c 'sqlite3 app.db < raw.sql'
  if [ -n "$dbmate" ]; then
    run dbmate 200 "$dbmate" --url sqlite:app.db --migrations-dir db \
      --no-dump-schema up
  fi
  if [ $have_alembic = yes ]; then
    cd "$tmp/a200"
    run alembic 200 /usr/bin/python3 -m alembic upgrade head
  fi
done
# Instructions (callgrind), which a loaded machine does not change: the
# engine against the limit at 200 migrations.
irefs() {  # irefs CMD...: instructions executed by CMD on a fresh app.db
  rm -f app.db
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
    | sed -n 's/.*I *refs: *//p' | tr -d ,
}
if command -v valgrind >/dev/null; then
  cd "$tmp/c200"
  ir_mig=$(irefs "$top/sqlite3-migrate" app.db '.migrate upgrade')
  check app.db 200 "migrate under callgrind"
  ir_raw=$(irefs sqlite3 app.db < raw.sql)
  check app.db 200 "sqlite3 under callgrind"
  cd "$top"
fi

sizes=${2-1000 2000 5000 10000}
for n in $sizes; do
  mkchain "$tmp/c$n" "$n"
  cd "$tmp/c$n"
  r=$rounds
  [ "$n" = 10000 ] && [ "$r" -gt 3 ] && r=3
  for round in $(seq 1 "$r"); do
    run migrate "$n" "$top/sqlite3-migrate" app.db '.migrate upgrade'
    run sqlite3 "$n" sh -c 'sqlite3 app.db < raw.sql'
  done
done
cd "$top"

# Medians and paired ratios from the times file (name n round wall cpu).
awk -v sizes="200 $sizes" '
  function median(a, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
      if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  { key = $1 " " $2; w[key, $3] = $4; c[key, $3] = $5; rounds[key] = $3
    if (!(key in seen)) { seen[key] = 1; order[++nk] = key } }
  function med(key, which,   i, a) {
    for (i = 1; i <= rounds[key]; i++) a[i] = (which == "w") ? w[key, i] : c[key, i]
    return median(a, rounds[key])
  }
  function ratio(k1, k2, which,   i, a) {   # median over rounds of k1/k2
    for (i = 1; i <= rounds[k1]; i++)
      a[i] = (which == "w") ? w[k1, i] / w[k2, i] : c[k1, i] / c[k2, i]
    return median(a, rounds[k1])
  }
  END {
    printf "%-34s %6s %10s %10s\n", "linear chain, empty database", "runs", "wall s", "cpu s"
    for (i = 1; i <= nk; i++) {
      split(order[i], p, " ")
      printf "%-34s %6d %10.3f %10.3f\n", p[1] ", " p[2] " migrations", rounds[order[i]], med(order[i], "w"), med(order[i], "c")
    }
    print ""
    printf "%-44s %8s %8s\n", "paired ratios (medians of per-round ratios)", "wall", "cpu"
    if (("alembic 200") in seen)
      printf "%-44s %7.1fx %7.1fx\n", "alembic / sqlite3-migrate, 200", ratio("alembic 200", "migrate 200", "w"), ratio("alembic 200", "migrate 200", "c")
    if (("dbmate 200") in seen)
      printf "%-44s %7.1fx %7.1fx\n", "dbmate / sqlite3-migrate, 200", ratio("dbmate 200", "migrate 200", "w"), ratio("dbmate 200", "migrate 200", "c")
    n = split(sizes, ns, " ")
    for (j = 1; j <= n; j++)
      if (("migrate " ns[j]) in seen)
        printf "%-44s %7.2fx %7.2fx\n", "sqlite3-migrate / plain sqlite3, " ns[j], ratio("migrate " ns[j], "sqlite3 " ns[j], "w"), ratio("migrate " ns[j], "sqlite3 " ns[j], "c")
    print ""
    print "linearity: cpu milliseconds per migration (medians / N); SQLite"
    print "itself pays more per CREATE as the schema grows, so the engine'"'"'s own"
    print "cost is the difference with plain sqlite3"
    printf "  %-7s %16s %14s %12s\n", "N", "sqlite3-migrate", "plain sqlite3", "difference"
    for (j = 1; j <= n; j++) {
      km = "migrate " ns[j]; ks = "sqlite3 " ns[j]
      if (km in seen)
        printf "  %-7d %16.3f %14.3f %12.3f\n", ns[j], 1000 * med(km, "c") / ns[j], 1000 * med(ks, "c") / ns[j], 1000 * (med(km, "c") - med(ks, "c")) / ns[j]
    }
  }' "$times"
if [ -n "$ir_mig" ]; then
  echo
  echo "instructions (callgrind), 200 migrations:"
  awk -v m="$ir_mig" -v r="$ir_raw" 'BEGIN {
    printf "  sqlite3-migrate %d, plain sqlite3 %d: %.3fx\n", m, r, m / r }'
fi
[ $have_alembic = yes ] || echo "(python3-alembic not installed: apt-get install -y python3-alembic)"
[ -n "$dbmate" ] || echo "(no dbmate found: set DBMATE=/path/to/dbmate to compare)"
