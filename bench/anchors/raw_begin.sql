-- raw_begin.sql: the first steps of every hand-written rebuild in this
-- folder (raw_*.sql), prepended by bench/bench_alter.sh: foreign keys off,
-- one transaction.
PRAGMA foreign_keys = OFF;
BEGIN;
