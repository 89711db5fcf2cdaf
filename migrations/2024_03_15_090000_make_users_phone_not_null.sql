-- Make users phone NOT NULL
--
-- Revision ID: 0c5d9e3f7a21
-- Revises: f1b8d2e7a369
-- Create Date: 2024-03-15 09:00:00
--
-- SQLite has no ALTER COLUMN: the runner hands this statement to
-- migrate_alter_table(), which checks every row once and then edits the
-- schema in place (no copy of the table).

-- migrate:up
ALTER TABLE users ALTER COLUMN phone SET NOT NULL;

-- migrate:down
ALTER TABLE users ALTER COLUMN phone DROP NOT NULL;
