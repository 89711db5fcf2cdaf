-- raw_rebuild.sql: what a user writes by hand today, following SQLite's
-- "making other kinds of table schema changes" steps, to make
-- meetings.description NOT NULL DEFAULT '' (NULLs become ''):
--   cat bench/anchors/raw_begin.sql bench/anchors/raw_rebuild.sql \
--       bench/anchors/raw_end.sql | sqlite3 DB      (DB from mkdata.sh)
-- (raw_begin.sql and raw_end.sql hold the steps every rebuild shares)
CREATE TABLE meetings_rebuilt(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  start_time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'scheduled',
  CHECK (end_time > start_time)
);
INSERT INTO meetings_rebuilt(id, title, description, start_time, end_time,
                             created_by, status)
  SELECT id, title, ifnull(description, ''), start_time, end_time,
         created_by, status FROM meetings;
