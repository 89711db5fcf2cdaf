-- Add users phone (nullable first)
--
-- Revision ID: e6a2c9d4b158
-- Revises: d9f3b1c8e027
-- Create Date: 2024-03-01 09:00:00

-- migrate:up
ALTER TABLE users ADD COLUMN phone TEXT;

-- migrate:down
ALTER TABLE users DROP COLUMN phone;
