-- Add meeting status
--
-- Revision ID: 3f9a1c2b7d10
-- Revises: 7c1e2a9b4f10
-- Create Date: 2024-01-02 10:00:00

-- migrate:up
ALTER TABLE meetings ADD COLUMN status TEXT;
UPDATE meetings SET status = 'a;b';

-- migrate:down
ALTER TABLE meetings DROP COLUMN status;
