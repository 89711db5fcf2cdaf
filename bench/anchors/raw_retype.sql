-- raw_retype.sql: meetings.created_by becomes TEXT by hand, each value
-- converted with CAST while the rows are copied:
--   cat bench/anchors/raw_begin.sql bench/anchors/raw_retype.sql \
--       bench/anchors/raw_end.sql | sqlite3 DB      (DB from mkdata.sh)
-- (raw_begin.sql and raw_end.sql hold the steps every rebuild shares)
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
