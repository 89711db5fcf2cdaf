-- raw_retype.sql: meetings.created_by becomes TEXT by hand, each value
-- converted with CAST while the rows are copied:
--   sqlite3 DB < bench/anchors/raw_retype.sql        (DB from mkdata.sh)
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE meetings_rebuilt(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  start_time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  created_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'scheduled',
  CHECK (end_time > start_time)
);
INSERT INTO meetings_rebuilt(id, title, description, start_time, end_time,
                             created_by, status)
  SELECT id, title, description, start_time, end_time,
         CAST(created_by AS TEXT), status FROM meetings;
DROP TABLE meetings;
ALTER TABLE meetings_rebuilt RENAME TO meetings;
CREATE INDEX idx_meetings_time_range ON meetings(start_time, end_time);
CREATE INDEX idx_meetings_creator ON meetings(created_by);
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
