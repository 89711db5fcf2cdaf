-- Add meeting indexes
--
-- Revision ID: a81b6c3d5e42
-- Revises: 7d4e2b8a1c90
-- Create Date: 2024-01-16 11:00:00

-- migrate:up
CREATE INDEX idx_meetings_time ON meetings(start_time, end_time);
CREATE INDEX idx_meetings_status ON meetings(status);
CREATE INDEX idx_meetings_created_by ON meetings(created_by);

-- migrate:down
DROP INDEX idx_meetings_created_by;
DROP INDEX idx_meetings_status;
DROP INDEX idx_meetings_time;
