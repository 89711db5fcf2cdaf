-- raw_rebuild.sql: what a user writes by hand today, following SQLite's
-- "making other kinds of table schema changes" steps, to make
-- meetings.description NOT NULL DEFAULT '' (NULLs become ''):
--   sqlite3 DB < bench/anchors/raw_rebuild.sql       (DB from mkdata.sh)
PRAGMA foreign_keys = OFF;
BEGIN;
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
DROP TABLE meetings;
ALTER TABLE meetings_rebuilt RENAME TO meetings;
CREATE INDEX idx_meetings_time_range ON meetings(start_time, end_time);
CREATE INDEX idx_meetings_creator ON meetings(created_by);
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
