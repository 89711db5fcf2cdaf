#!/bin/bash
# bench_fleet.sh: a fleet of tenant database files, each at revision 2 of
# a 6-revision history, brought to the head three ways, side by side in
# one run:
#   fleet   ./sqlite3-migrate :memory: '.migrate fleet upgrade -j 2 DIR/*.db'
#   loop    for f in DIR/*.db; do ./sqlite3-migrate $f '.migrate upgrade'; done
#   dbmate  for f in DIR/*.db; do dbmate --url sqlite:$f up; done
# The fleet runs at 1,000 files, 10,000, and 1,000 again (cost per file
# should be flat; the two small runs bracket the load of the machine),
# with its CPU time and peak memory from /usr/bin/time -v (it should not
# grow with the number of files), and once at -j 8; the sqlite3-migrate
# loop at 1,000 and 10,000; the
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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A private copy of the binary, so a rebuild meanwhile changes nothing here.
cp "$top/sqlite3-migrate" "$tmp/sqlite3-migrate"
mig=$tmp/sqlite3-migrate

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

declare -A sec rss cpu
run_fleet() {  # run_fleet N JOBS TAG
  fleet_of "$tmp/f$1" "$1" "$tmp/tmpl_mig.db"
  sync
  s=$(now)
  /usr/bin/time -v -o "$tmp/time.$3" "$mig" :memory: \
    ".migrate fleet upgrade -j $2 '$tmp/f$1/*.db'" > "$tmp/fleet.$3.out"
  e=$(now)
  sec[$3]=$(echo "$e - $s" | bc -l)
  rss[$3]=$(awk -F': ' '/Maximum resident/ {print $2}' "$tmp/time.$3")
  cpu[$3]=$(awk -F': ' '/User time|System time/ {t += $2} END {print t}' "$tmp/time.$3")
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

# Interleaved, so a change of load on the machine hits all three alike;
# the small fleet runs before and after the large one, to bracket it.
run_fleet $small 2 a
run_loop $small
run_dbmate "$dbmate_n"
run_fleet "$big" 2 big
run_loop "$big"
run_fleet $small 2 b
run_fleet $small 8 j8

ms() { echo "scale=3; 1000 * $1 / $2" | bc -l; }
printf '\n%-40s %7s %9s %9s %11s\n' "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" \
  files seconds ms/file cpu-ms/file
row() { printf '%-40s %7d %9.2f %9.3f %11s\n' "$1" "$2" "$3" "$(ms "$3" "$2")" "$4"; }
cpuf() { printf '%.3f' "$(ms "${cpu[$1]}" "$2")"; }
row "fleet upgrade -j 2 (before)" $small "${sec[a]}" "$(cpuf a $small)"
row "fleet upgrade -j 2" "$big" "${sec[big]}" "$(cpuf big "$big")"
row "fleet upgrade -j 2 (after)" $small "${sec[b]}" "$(cpuf b $small)"
row "fleet upgrade -j 8" $small "${sec[j8]}" "$(cpuf j8 $small)"
row "loop over ./sqlite3-migrate" $small "${sec[loop$small]}" ""
row "loop over ./sqlite3-migrate" "$big" "${sec[loop$big]}" ""
row "loop over dbmate $($dbmate --version | awk '{print $3}') (subset)" "$dbmate_n" "${sec[dbmate$dbmate_n]}" ""
pf_a=$(ms "${sec[a]}" $small)
pf_b=$(ms "${sec[b]}" $small)
pf_big=$(ms "${sec[big]}" "$big")
pl_small=$(ms "${sec[loop$small]}" $small)
pl_big=$(ms "${sec[loop$big]}" "$big")
pd=$(ms "${sec[dbmate$dbmate_n]}" "$dbmate_n")
echo
printf 'fleet -j 2 vs loop over ./sqlite3-migrate: %.1fx at %d files, %.1fx at %d (goal 3x)\n' \
  "$(echo "$pl_small / $pf_a" | bc -l)" $small "$(echo "$pl_big / $pf_big" | bc -l)" "$big"
printf 'fleet -j 2 vs loop over dbmate, per file: %.1fx (fleet at %d), %.1fx (fleet at %d, run next to it) (goal 100x)\n' \
  "$(echo "$pd / $pf_big" | bc -l)" "$big" "$(echo "$pd / $pf_a" | bc -l)" $small
printf 'fleet ms per file at %d, %d, %d files: %.3f, %.3f, %.3f (wall); %s, %s, %s (cpu)\n' \
  $small "$big" $small "$pf_a" "$pf_big" "$pf_b" "$(cpuf a $small)" "$(cpuf big "$big")" "$(cpuf b $small)"
printf 'fleet peak RSS at %d, %d, %d files: %s, %s, %s kB\n' \
  $small "$big" $small "${rss[a]}" "${rss[big]}" "${rss[b]}"
