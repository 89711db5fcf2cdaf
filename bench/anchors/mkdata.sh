#!/bin/sh
# mkdata.sh DB [ROWS]: the benchmarks' test database, made from scratch.
#
# A WAL database with two tables: 1,000 users, and ROWS meetings (default
# 1,000,000), each meeting owned by a user through a foreign key with ON
# DELETE CASCADE, an unnamed CHECK (end after start), a string DEFAULT on
# status and two indexes: the things a careless table rebuild loses.
# About 170 MB at a million rows. Needs only the sqlite3 shell.
set -e
db=$1
rows=${2:-1000000}
[ -n "$db" ] || { echo "usage: mkdata.sh DB [ROWS]" >&2; exit 2; }
rm -f "$db" "$db-wal" "$db-shm"
sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  age TEXT,
  created_at TEXT DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE meetings(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  start_time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'scheduled',
  CHECK (end_time > start_time)
);
BEGIN;
WITH RECURSIVE n(k) AS (VALUES(1) UNION ALL SELECT k+1 FROM n WHERE k<1000)
INSERT INTO users(id, email, name, age)
  SELECT k, printf('u%d@example.com', k), printf('User %d', k),
         CAST(20 + k%50 AS TEXT) FROM n;
WITH RECURSIVE n(k) AS (VALUES(1) UNION ALL SELECT k+1 FROM n WHERE k<$rows)
INSERT INTO meetings(id, title, description, start_time, end_time,
                     created_by)
  SELECT k, printf('Meeting %d', k), hex(randomblob(16)),
         datetime('2024-01-01', printf('+%d minutes', k)),
         datetime('2024-01-01', printf('+%d minutes', k+30)),
         1 + k%1000 FROM n;
COMMIT;
CREATE INDEX idx_meetings_time_range ON meetings(start_time, end_time);
CREATE INDEX idx_meetings_creator ON meetings(created_by);
SQL
