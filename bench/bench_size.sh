#!/bin/bash
# bench_size.sh: what linking libsqlite3migrate.a adds to a device
# program. Builds, with the build tree's migrate-uninstalled.pc and the
# compiler's defaults ($CC, $CFLAGS, default -O2), then strips:
#   base     sqlite3_open() and sqlite3_close() only (the anchor)
#   engine   compiled-in migrations, upgrade only, registered with
#            sqlite3_migrate_engine_init()
#   full     the same program registered with sqlite3_migrate_init()
#   embed    examples/embed.c as shipped (engine alone; upgrade,
#            downgrade, status, log and confirm callbacks)
# and prints each stripped size and its difference with base, after the
# static library's size as built and after `strip -g`.
#   bash bench/bench_size.sh       (from anywhere in a built tree)
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
lib=$top/libsqlite3migrate.a
[ -f "$lib" ] || { echo "bench_size: build first" >&2; exit 1; }
cc=${CC:-cc}
cflags=${CFLAGS:--O2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=$(PKG_CONFIG_PATH=$top pkg-config --cflags --libs migrate)

cat > "$tmp/base.c" <<'EOF'
#include <stdio.h>
#include <sqlite3.h>
int main(int argc, char **argv){
  sqlite3 *db = 0;
  if( sqlite3_open(argc>1 ? argv[1] : ":memory:", &db) ) return 1;
  printf("applied %d\n", 0);
  sqlite3_close(db);
  return 0;
}
EOF
cat > "$tmp/upgrade.c" <<'EOF'
#include <stdio.h>
#include "migrate.h"
static const sqlite3_migration aMig[] = {
  { "0001", 0, "create notes",
    "CREATE TABLE note(id INTEGER PRIMARY KEY, body TEXT);", "DROP TABLE note;" },
  { "0002", "0001", "index bodies",
    "CREATE INDEX note_body ON note(body);", "DROP INDEX note_body;" },
};
int main(int argc, char **argv){
  sqlite3 *db = 0;
  char *zErr = 0;
  int n = 0, rc;
  sqlite3_auto_extension((void(*)(void))ENTRY);
  if( sqlite3_open(argc>1 ? argv[1] : ":memory:", &db) ) return 1;
  rc = sqlite3_migrate_register(db, aMig, 2, &zErr);
  if( rc==SQLITE_OK ) rc = sqlite3_migrate_upgrade(db, "head", &n, &zErr);
  if( rc ){ fprintf(stderr, "%s\n", zErr); sqlite3_free(zErr); return 1; }
  printf("applied %d\n", n);
  sqlite3_close(db);
  return 0;
}
EOF

build() {  # build NAME SOURCE [CFLAGS...]: a stripped program; runs it
  out=$tmp/$1 src=$2
  shift 2
  # shellcheck disable=SC2086
  $cc $cflags "$@" -o "$out" "$src" $flags
  strip "$out"
  "$out" "$tmp/$(basename "$out").db" >/dev/null \
    || { echo "bench_size: $out failed" >&2; exit 1; }
}
build base "$tmp/base.c"
build engine "$tmp/upgrade.c" -DENTRY=sqlite3_migrate_engine_init
build full "$tmp/upgrade.c" -DENTRY=sqlite3_migrate_init
build embed "$top/examples/embed.c"

sz() { stat -c %s "$1"; }
cp "$lib" "$tmp/lib.a" && strip -g "$tmp/lib.a"
base=$(sz "$tmp/base")
printf "%-58s %10s\n" "libsqlite3migrate.a as built" "$(sz "$lib")"
printf "%-58s %10s\n" "libsqlite3migrate.a after strip -g" "$(sz "$tmp/lib.a")"
printf "\n%-40s %10s %16s\n" "stripped program ($cc $cflags)" "bytes" "added by migrate"
printf "%-40s %10d %16s\n" "base: sqlite3_open/close only" "$base" "-"
for p in "engine: upgrade, engine alone:engine" "full: upgrade, sqlite3_migrate_init:full" \
         "examples/embed.c (engine alone):embed"; do
  n=$(sz "$tmp/${p##*:}")
  printf "%-40s %10d %16d\n" "${p%:*}" "$n" $((n - base))
done
