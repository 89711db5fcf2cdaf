-- Create users and meetings
--
-- Revision ID: 3c1f0a9e2b71
-- Revises:
-- Create Date: 2024-01-02 09:00:00

-- migrate:up
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE meetings (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  start_time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  CHECK (end_time > start_time)
);

-- migrate:down
DROP TABLE meetings;
DROP TABLE users;
