-- Add meeting participants
--
-- Revision ID: b5e90f1a2c63
-- Revises: a81b6c3d5e42
-- Create Date: 2024-02-01 09:00:00

-- migrate:up
CREATE TABLE meeting_participants (
  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  response TEXT NOT NULL DEFAULT 'pending'
    CHECK (response IN ('pending', 'accepted', 'declined')),
  PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX idx_meeting_participants_user ON meeting_participants(user_id);

-- migrate:down
DROP TABLE meeting_participants;
