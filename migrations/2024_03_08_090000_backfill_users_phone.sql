-- Backfill users phone
--
-- Revision ID: f1b8d2e7a369
-- Revises: e6a2c9d4b158
-- Create Date: 2024-03-08 09:00:00

-- migrate:up
UPDATE users SET phone = 'unknown' WHERE phone IS NULL;

-- migrate:down
UPDATE users SET phone = NULL WHERE phone = 'unknown';
