-- migrate:up
DROP TABLE users;
ALTER TABLE t DROP COLUMN c;
SELECT migrate_alter_table('t', 'DROP COLUMN d');
-- migrate:down
