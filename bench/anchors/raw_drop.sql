-- raw_drop.sql: dropping meetings.description by hand, the rebuild way
-- (a copy of the rows without the column), for comparison with SQLite's
-- own ALTER TABLE ... DROP COLUMN:
--   cat bench/anchors/raw_begin.sql bench/anchors/raw_drop.sql \
--       bench/anchors/raw_end.sql | sqlite3 DB      (DB from mkdata.sh)
-- (raw_begin.sql and raw_end.sql hold the steps every rebuild shares)
CREATE TABLE meetings_rebuilt(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  start_time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'scheduled',
  CHECK (end_time > start_time)
);
INSERT INTO meetings_rebuilt(id, title, start_time, end_time, created_by,
                             status)
  SELECT id, title, start_time, end_time, created_by, status FROM meetings;
