#!/bin/bash
# bench_fleet.sh: a fleet of tenant database files, each at revision 2 of
# a 6-revision history, brought to the head three ways, side by side in
# one run:
#   fleet   ./sqlite3-migrate :memory: '.migrate fleet upgrade -j 2 DIR/*.db'
#   loop    for f in DIR/*.db; do ./sqlite3-migrate $f '.migrate upgrade'; done
#   dbmate  for f in DIR/*.db; do dbmate --url sqlite:$f up; done
# The fleet runs at 1,000 and 10,000 files (cost per file should be flat)
# with its peak memory from /usr/bin/time -v (it should not grow with the
# number of files); the sqlite3-migrate loop at 1,000 and 10,000; the
# dbmate loop, about 25 minutes at 10,000, on a subset (DBMATE_N, 500 by
# default), reported per file. Every run is checked: all files at head.
#   bash bench/bench_fleet.sh [N]       (from the top of a built tree;
#                                        N: the large fleet, 10000)
# dbmate: npm's dbmate (2.36) from /work/npm or bench/.npm, installed there
# with npm when missing. The files live under ${TMPDIR:-/tmp}.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
big=${1:-10000}
small=${SMALL:-1000}
dbmate_n=${DBMATE_N:-500}
mig=$top/sqlite3-migrate
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dbmate=""
for d in /work/npm/node_modules/.bin/dbmate "$top/bench/.npm/node_modules/.bin/dbmate"; do
  [ -x "$d" ] && { dbmate=$d; break; }
done
if [ -z "$dbmate" ]; then
  npm install --silent --prefix "$top/bench/.npm" dbmate@2.36.0 >/dev/null
  dbmate=$top/bench/.npm/node_modules/.bin/dbmate
fi

# Six revisions in dbmate's format (which sqlite3-migrate reads as it is).
mkdir -p "$tmp/migrations" "$tmp/two"
w() { printf -- "-- migrate:up\n%s\n\n-- migrate:down\n%s\n" "$2" "$3" \
        > "$tmp/migrations/$1.sql"; }
w 20240101000001_users "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL);" "DROP TABLE users;"
w 20240101000002_posts "CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT);" "DROP TABLE posts;"
w 20240101000003_name "ALTER TABLE users ADD COLUMN name TEXT;" "ALTER TABLE users DROP COLUMN name;"
w 20240101000004_idx "CREATE INDEX posts_user ON posts(user_id);" "DROP INDEX posts_user;"
w 20240101000005_tags "CREATE TABLE tags(post_id INTEGER REFERENCES posts(id), tag TEXT NOT NULL);" "DROP TABLE tags;"
w 20240101000006_seen "ALTER TABLE posts ADD COLUMN seen_at TEXT;" "ALTER TABLE posts DROP COLUMN seen_at;"
cp "$tmp"/migrations/2024010100000[12]_*.sql "$tmp/two/"

# Templates at revision 2: one per tool (each has its own bookkeeping).
cd "$tmp"
"$mig" tmpl_mig.db '.migrate upgrade 20240101000002' >/dev/null
"$dbmate" --url "sqlite:$tmp/tmpl_dbmate.db" --migrations-dir two \
  --no-dump-schema up >/dev/null
for t in tmpl_mig.db tmpl_dbmate.db; do
  sqlite3 "$t" "INSERT INTO users(email) VALUES('a@x'),('b@x');
                INSERT INTO posts(user_id, body) VALUES(1,'hi'),(2,'yo');"
done

fleet_of() {  # fleet_of DIR N TEMPLATE : N copies of TEMPLATE in DIR
  rm -rf "$1"; mkdir -p "$1"
  for i in $(seq 1 "$2"); do cp "$3" "$1/t$i.db"; done
}
now() { date +%s.%N; }
all_at_head() {  # all_at_head DIR : every file at the head (fleet status)
  "$mig" :memory: ".migrate fleet status -j 2 '$1/*.db'" > "$tmp/status.out" \
    || { echo "bench_fleet: not all at head in $1:" >&2; cat "$tmp/status.out" >&2; exit 1; }
}
dbmate_at_head() {  # dbmate_at_head DIR : 6 rows in every schema_migrations
  python3 - "$1" <<'PY'
import glob, sqlite3, sys
bad = [f for f in glob.glob(sys.argv[1] + "/*.db")
       if sqlite3.connect(f).execute("SELECT count(*) FROM schema_migrations"
                                     " WHERE version > '0'").fetchone()[0] != 6]
sys.exit("bench_fleet: dbmate left %d files behind" % len(bad) if bad else 0)
PY
}

declare -A sec rss
run_fleet() {  # run_fleet N
  fleet_of "$tmp/f$1" "$1" "$tmp/tmpl_mig.db"
  sync
  s=$(now)
  /usr/bin/time -v -o "$tmp/time.$1" "$mig" :memory: \
    ".migrate fleet upgrade -j 2 '$tmp/f$1/*.db'" > "$tmp/fleet.$1.out"
  e=$(now)
  sec[fleet$1]=$(echo "$e - $s" | bc -l)
  rss[fleet$1]=$(awk -F': ' '/Maximum resident/ {print $2}' "$tmp/time.$1")
  all_at_head "$tmp/f$1"
  rm -rf "$tmp/f$1"
}
run_loop() {  # run_loop N
  fleet_of "$tmp/l$1" "$1" "$tmp/tmpl_mig.db"
  sync
  s=$(now)
  for f in "$tmp/l$1"/*.db; do "$mig" "$f" '.migrate upgrade' >/dev/null; done
  e=$(now)
  sec[loop$1]=$(echo "$e - $s" | bc -l)
  all_at_head "$tmp/l$1"
  rm -rf "$tmp/l$1"
}
run_dbmate() {  # run_dbmate N
  fleet_of "$tmp/d$1" "$1" "$tmp/tmpl_dbmate.db"
  sync
  s=$(now)
  for f in "$tmp/d$1"/*.db; do
    "$dbmate" --url "sqlite:$f" --migrations-dir migrations --no-dump-schema \
      up >/dev/null
  done
  e=$(now)
  sec[dbmate$1]=$(echo "$e - $s" | bc -l)
  dbmate_at_head "$tmp/d$1"
  rm -rf "$tmp/d$1"
}

# Interleaved, so a change of load on the machine hits all three alike.
run_fleet $small
run_loop $small
run_dbmate "$dbmate_n"
run_fleet "$big"
run_loop "$big"

ms() { echo "scale=3; 1000 * $1 / $2" | bc -l; }
printf '\n%-44s %8s %10s %10s\n' "$(nproc) cores, $(uname -r)" files seconds ms/file
row() { printf '%-44s %8d %10.2f %10.3f\n' "$1" "$2" "$3" "$(ms "$3" "$2")"; }
row "fleet upgrade -j 2" $small "${sec[fleet$small]}"
row "fleet upgrade -j 2" "$big" "${sec[fleet$big]}"
row "loop over ./sqlite3-migrate" $small "${sec[loop$small]}"
row "loop over ./sqlite3-migrate" "$big" "${sec[loop$big]}"
row "loop over dbmate $($dbmate --version | awk '{print $3}') (subset)" "$dbmate_n" "${sec[dbmate$dbmate_n]}"
pf_small=$(ms "${sec[fleet$small]}" $small)
pf_big=$(ms "${sec[fleet$big]}" "$big")
pl_big=$(ms "${sec[loop$big]}" "$big")
pd=$(ms "${sec[dbmate$dbmate_n]}" "$dbmate_n")
echo
printf 'fleet vs loop over ./sqlite3-migrate (%d files): %.1fx faster (goal 3x)\n' \
  "$big" "$(echo "$pl_big / $pf_big" | bc -l)"
printf 'fleet vs loop over dbmate (per file):            %.1fx faster (goal 100x)\n' \
  "$(echo "$pd / $pf_big" | bc -l)"
printf 'fleet cost per file, %d vs %d files:           %.3f vs %.3f ms (ratio %.2f)\n' \
  $small "$big" "$pf_small" "$pf_big" "$(echo "$pf_big / $pf_small" | bc -l)"
printf 'fleet peak RSS, %d vs %d files:                %s vs %s kB\n' \
  $small "$big" "${rss[fleet$small]}" "${rss[fleet$big]}"
