-- Add meeting status
--
-- Revision ID: 7d4e2b8a1c90
-- Revises: 3c1f0a9e2b71
-- Create Date: 2024-01-09 10:00:00

-- migrate:up
ALTER TABLE meetings ADD COLUMN status TEXT NOT NULL DEFAULT 'scheduled'
  CHECK (status IN ('scheduled', 'in_progress', 'completed', 'cancelled'));

-- Data migration: derive the status of existing meetings from their dates.
UPDATE meetings SET status = CASE
  WHEN end_time <= datetime('now') THEN 'completed'
  WHEN start_time <= datetime('now') THEN 'in_progress'
  ELSE 'scheduled'
END;

-- migrate:down
ALTER TABLE meetings DROP COLUMN status;
