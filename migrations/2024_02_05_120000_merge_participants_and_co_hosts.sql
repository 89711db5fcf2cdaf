-- Merge participants and co-hosts
--
-- Revision ID: d9f3b1c8e027
-- Revises: b5e90f1a2c63, c2d7a4e6f815
-- Create Date: 2024-02-05 12:00:00

-- migrate:up

-- migrate:down
