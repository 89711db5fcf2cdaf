-- Add meeting co-hosts
--
-- Revision ID: c2d7a4e6f815
-- Revises: a81b6c3d5e42
-- Create Date: 2024-02-01 09:30:00
-- Branch Labels: cohosts

-- migrate:up
CREATE TABLE meeting_co_hosts (
  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  added_at TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY (meeting_id, user_id)
);

-- A co-host is always a participant of the meeting.
CREATE TRIGGER meeting_co_hosts_no_creator
BEFORE INSERT ON meeting_co_hosts
WHEN NEW.user_id = (SELECT created_by FROM meetings WHERE id = NEW.meeting_id)
BEGIN
  SELECT RAISE(ABORT, 'the creator of a meeting cannot be its co-host');
END;

-- migrate:down
DROP TABLE meeting_co_hosts;
