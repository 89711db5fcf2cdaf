-- raw_end.sql: the last steps of every hand-written rebuild in this
-- folder (raw_*.sql), appended by bench/bench_alter.sh: the rebuilt table
-- replaces meetings, its indexes come back, the foreign keys are checked
-- before the commit.
DROP TABLE meetings;
ALTER TABLE meetings_rebuilt RENAME TO meetings;
CREATE INDEX idx_meetings_time_range ON meetings(start_time, end_time);
CREATE INDEX idx_meetings_creator ON meetings(created_by);
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
